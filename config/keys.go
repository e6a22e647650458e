package config

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/acme/eks-platform/catalogue"
)

// Configured lists the keys of the configuration the Pulumi CLI hands a Go program: the JSON
// object in PULUMI_CONFIG, which the Go SDK reads the same way (sdk/go/pulumi/run.go,
// getEnvInfo). An empty variable means no configuration at all.
func Configured(pulumiConfig string) ([]string, error) {
	if pulumiConfig == "" {
		return nil, nil
	}
	var values map[string]string
	if err := json.Unmarshal([]byte(pulumiConfig), &values); err != nil {
		return nil, fmt.Errorf("PULUMI_CONFIG is not the JSON object of config values the Pulumi CLI passes: %w", err)
	}
	return SortedKeys(values), nil
}

// SortedKeys returns the keys of a stack's configuration values, sorted.
func SortedKeys(values map[string]string) []string {
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// engineNamespace is the Pulumi CLI's own namespace (pulumi:tags, pulumi:disable-default-providers):
// the CLI reads and checks those keys itself.
const engineNamespace = "pulumi"

// checkKeys refuses every configured key that nothing reads (issue 18): the Pulumi CLI checks only
// the keys Pulumi.yaml declares, so a misspelt key, a misspelt namespace or an AWS provider key
// this program never passes on would otherwise deploy with the default instead. Each error names
// the key and the nearest key the program reads.
func checkKeys(configured []string, read map[string]bool) []error {
	known := make([]string, 0, len(read))
	for key := range read {
		known = append(known, key)
	}
	sort.Strings(known)
	aws := catalogue.AWSProvider()
	var errs []error
	for _, key := range configured {
		namespace, _, _ := strings.Cut(key, ":")
		if read[key] || namespace == engineNamespace {
			continue
		}
		nearest := "nearest key the program reads: " + nearestKey(key, known)
		var why string
		switch {
		case namespace == Project:
			why = "is not a key of this program (Pulumi.yaml declares every key it reads)"
		case namespace == "aws" && aws.Has(key):
			why = "is an AWS provider key, but the program builds its AWS provider explicitly from aws:region and " +
				Key("awsAccountId") + " only, so the provider would never see it; credentials, profiles and roles come " +
				"from the environment (AWS_PROFILE, AWS_ROLE_ARN, ...)"
		case namespace == "aws":
			why = fmt.Sprintf("is not a key of the AWS provider (pulumi-aws %s, keys read on %s)", aws.Provider, aws.ReadOn)
		default:
			why = fmt.Sprintf("is in namespace %q, which nothing reads (the program reads %s: keys and aws:region)", namespace, Project)
		}
		errs = append(errs, fmt.Errorf("%s is set but %s; %s", key, why, nearest))
	}
	return errs
}

// nearestKey returns the known key with the smallest edit distance to key (the first, in sorted
// order, on a tie).
func nearestKey(key string, known []string) string {
	best, bestDistance := "", -1
	for _, candidate := range known {
		if d := editDistance(key, candidate); bestDistance < 0 || d < bestDistance {
			best, bestDistance = candidate, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counted in bytes (keys are ASCII).
func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	current := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			current[j] = min(previous[j]+1, current[j-1]+1, previous[j-1]+cost)
		}
		previous, current = current, previous
	}
	return previous[len(b)]
}
