package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runPlan(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestJSONIsOneObjectWithTheContractFields(t *testing.T) {
	code, stdout, stderr := runPlan("--stack", "dev", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&plan); err != nil {
		t.Fatalf("stdout is not one JSON object: %v", err)
	}
	if dec.More() {
		t.Fatal("stdout holds more than one JSON value")
	}
	for _, field := range []string{"stack", "resources", "outputs"} {
		if _, ok := plan[field]; !ok {
			t.Errorf("plan has no %q", field)
		}
	}
	var resources []map[string]json.RawMessage
	if err := json.Unmarshal(plan["resources"], &resources); err != nil || len(resources) == 0 {
		t.Fatalf("resources: %v (%d)", err, len(resources))
	}
	for _, field := range []string{"urn", "type", "name", "parent", "inputs", "protect", "retainOnDelete", "ignoreChanges", "dependencies"} {
		if _, ok := resources[0][field]; !ok {
			t.Errorf("resource has no %q", field)
		}
	}
}

func TestTreeNamesTheStackAndItsOutputs(t *testing.T) {
	code, stdout, stderr := runPlan("--stack", "staging")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "stack staging: ") || !strings.Contains(stdout, "outputs:") {
		t.Fatalf("unexpected tree:\n%s", stdout)
	}
}

// Invalid configuration: the error on stderr, nothing on stdout, a non-zero exit (issue 2).
func TestInvalidConfigPrintsOnlyTheError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "Pulumi.broken.yaml")
	if err := os.WriteFile(file, []byte("config:\n  eks-platform:environment: dev\n  eks-platform:azCount: 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runPlan("--config-file", file, "--json")
	if code == 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, "eks-platform:azCount = 9") || !strings.Contains(stderr, "stack broken") {
		t.Fatalf("stderr does not name the key, value and stack: %s", stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"--bogus"}} {
		if code, stdout, _ := runPlan(args...); code != 2 || stdout != "" {
			t.Errorf("%v: exit %d stdout %q, want 2 and nothing", args, code, stdout)
		}
	}
	if code, _, stderr := runPlan("--stack", "nosuchstack"); code != 1 || !strings.Contains(stderr, "Pulumi.nosuchstack.yaml") {
		t.Errorf("missing stack file: exit %d, %s", code, stderr)
	}
}

func TestOutsideTheProjectFailsClearly(t *testing.T) {
	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	if err := os.Chdir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runPlan("--stack", "dev"); code != 1 || !strings.Contains(stderr, "Pulumi.yaml") {
		t.Fatalf("exit %d, %s", code, stderr)
	}
}
