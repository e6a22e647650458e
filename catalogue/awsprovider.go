package catalogue

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed awsprovider.json
var awsProviderJSON []byte

// AWSProviderKeys is the configuration schema of the pinned AWS provider: every `aws:` key it
// takes, read from its SDK on a given day. The program refuses an `aws:` stack key outside this
// list as a typo, and one inside it that the program does not pass to its provider as ignored
// (issue 18, config.checkKeys).
type AWSProviderKeys struct {
	// Provider is the pulumi-aws version the keys were read from; a test ties it to go.mod.
	Provider string   `json:"provider"`
	Source   string   `json:"source"`
	ReadOn   Date     `json:"readOn"`
	Keys     []string `json:"keys"`
}

var (
	awsKeysOnce sync.Once
	awsKeys     *AWSProviderKeys
	awsKeysErr  error
)

// AWSProvider returns the AWS provider's keys compiled into the program. Like Default, it panics
// on a broken data file, which this package's tests reject.
func AWSProvider() *AWSProviderKeys {
	awsKeysOnce.Do(func() { awsKeys, awsKeysErr = parseAWSProviderKeys(awsProviderJSON) })
	if awsKeysErr != nil {
		panic(awsKeysErr)
	}
	return awsKeys
}

func parseAWSProviderKeys(data []byte) (*AWSProviderKeys, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var k AWSProviderKeys
	if err := dec.Decode(&k); err != nil {
		return nil, fmt.Errorf("awsprovider.json: %w", err)
	}
	if k.Provider == "" || k.Source == "" || k.ReadOn.IsZero() || len(k.Keys) == 0 {
		return nil, fmt.Errorf("awsprovider.json: provider, source, readOn and keys are all required")
	}
	for _, key := range k.Keys {
		if !strings.HasPrefix(key, "aws:") {
			return nil, fmt.Errorf("awsprovider.json: key %q is not in the aws: namespace", key)
		}
	}
	return &k, nil
}

// Has reports whether the AWS provider takes the key (fully qualified, "aws:region").
func (k *AWSProviderKeys) Has(key string) bool {
	return slices.Contains(k.Keys, key)
}
