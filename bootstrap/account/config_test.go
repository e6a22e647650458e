package account

import (
	"maps"
	"strings"
	"testing"
)

func goodValues() map[string]string {
	return map[string]string{
		"aws:region": "eu-west-1", "bootstrap:awsAccountId": "111122223333",
		"bootstrap:githubRepository": "acme/eks-platform", "bootstrap:environments": `["dev","perf"]`,
		"bootstrap:stateBucketName": "acme-pulumi-state-111122223333", "pulumi:tags": "{}",
	}
}

func TestParseGoodValues(t *testing.T) {
	c, err := Parse(goodValues())
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || len(c.Environments) != 2 || c.AccessLogDays != 365 || c.Tags["ManagedBy"] != "pulumi" || c.Tags["CostCenter"] != "platform-engineering" || c.Tags["Environment"] != "dev_perf" {
		t.Fatalf("%+v", c)
	}
}

// Every bad value fails before any resource, naming the key, the value and what is allowed (C4).
func TestParseRefusesBadValues(t *testing.T) {
	for _, bad := range []struct{ key, value, want string }{
		{"aws:region", "mars-1", "AWS region"},
		{"bootstrap:awsAccountId", "12345", "12-digit"},
		{"bootstrap:githubRepository", "acme/*", "owner/name"},
		{"bootstrap:githubRepository", "https://github.com/acme/x", "owner/name"},
		{"bootstrap:environments", "dev", "non-empty list"},
		{"bootstrap:environments", "[]", "non-empty list"},
		{"bootstrap:environments", `["Dev"]`, "lowercase"},
		{"bootstrap:environments", `["dev","dev"]`, "twice"},
		{"bootstrap:stateBucketName", "", "3 to 51"},
		{"bootstrap:stateBucketName", "Acme_State", "3 to 51"},
		{"bootstrap:stateBucketName", strings.Repeat("a", 52), "3 to 51"},
		{"bootstrap:stateBucketName", "acme..state", "'..'"},
		{"bootstrap:stateBucketName", "192.168.1.1", "IP address"},
		{"bootstrap:stateBucketName", "xn--state", "reserves"},
		{"bootstrap:stateBucketName", "state-s3alias", "reserves"},
		{"bootstrap:accessLogDays", "0", "1 to 3650"},
		{"bootstrap:accessLogDays", "ten", "1 to 3650"},
		{"bootstrap:owner", "a b", "tag value"},
		{"bootstrap:stateBucket", "x", "is not a key of the bootstrap program"},
	} {
		values := maps.Clone(goodValues())
		values[bad.key] = bad.value
		_, err := Parse(values)
		if err == nil {
			t.Errorf("%s = %q accepted", bad.key, bad.value)
			continue
		}
		for _, part := range []string{bad.key, bad.want} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s = %q: error %q does not say %q", bad.key, bad.value, err, part)
			}
		}
	}
}
