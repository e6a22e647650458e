package catalogue

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The AWS provider's keys are read from the SDK the program builds with: a pulumi-aws bump that
// adds or drops a key fails here until awsprovider.json is read again (issue 18).
func TestAWSProviderKeysAreTheBuiltSDKs(t *testing.T) {
	keys := AWSProvider()
	goMod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	pinned := regexp.MustCompile(`github.com/pulumi/pulumi-aws/sdk/v6 v(\S+)`).FindSubmatch(goMod)
	if pinned == nil || string(pinned[1]) != keys.Provider {
		t.Fatalf("awsprovider.json was read from pulumi-aws %s, go.mod pins %q: read the keys again", keys.Provider, pinned)
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "github.com/pulumi/pulumi-aws/sdk/v6@v"+keys.Provider, "go/aws/config/config.go")
	source, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the SDK the program builds with must be in the module cache: %v", err)
	}
	var inSDK []string
	for _, m := range regexp.MustCompile(`"(aws:[A-Za-z0-9]+)"`).FindAllStringSubmatch(string(source), -1) {
		if !slices.Contains(inSDK, m[1]) {
			inSDK = append(inSDK, m[1])
		}
	}
	slices.Sort(inSDK)
	if !slices.Equal(inSDK, keys.Keys) {
		t.Errorf("awsprovider.json keys differ from %s:\n json %v\n sdk  %v", file, keys.Keys, inSDK)
	}
	if !keys.Has("aws:region") || keys.Has("aws:regoin") {
		t.Error("Has must know aws:region and only the SDK's keys")
	}
}

func TestAWSProviderKeysRefuseABrokenFile(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field": `{"provider":"1","source":"s","readOn":"2026-12-06","keys":["aws:region"],"extra":1}`,
		"no source":     `{"provider":"1","readOn":"2026-12-06","keys":["aws:region"]}`,
		"other ns":      `{"provider":"1","source":"s","readOn":"2026-12-06","keys":["kubernetes:context"]}`,
	} {
		if _, err := parseAWSProviderKeys([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
