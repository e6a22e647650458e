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

// issue 22: a backup account's settings, each validated before any resource, and only with
// bootstrap:backupSourceAccountId.
func TestParseRefusesBadBackupAccounts(t *testing.T) {
	backupAccount := func(set map[string]string) map[string]string {
		values := maps.Clone(goodValues())
		maps.Copy(values, map[string]string{
			"bootstrap:backupSourceAccountId": "777788889999", "bootstrap:githubRepository": "", "bootstrap:stateBucketName": "",
			"bootstrap:backupRetentionDays": "90", "bootstrap:backupObjectLockDays": "90",
			"bootstrap:backupCopyKeyAdminRoleArns": `["arn:aws:iam::111122223333:role/backup-admin"]`,
		})
		maps.Copy(values, set)
		return values
	}
	withSource := func(set map[string]string) map[string]string {
		values := maps.Clone(goodValues())
		maps.Copy(values, set)
		return values
	}
	for name, bad := range map[string]struct {
		values    map[string]string
		key, want string
	}{
		"source account malformed":        {backupAccount(map[string]string{"bootstrap:backupSourceAccountId": "7777"}), "bootstrap:backupSourceAccountId", "12-digit"},
		"source account is this one":      {backupAccount(map[string]string{"bootstrap:backupSourceAccountId": "111122223333"}), "bootstrap:backupSourceAccountId", "differ from bootstrap:awsAccountId"},
		"backup account with state":       {backupAccount(map[string]string{"bootstrap:stateBucketName": "acme-state"}), "bootstrap:stateBucketName", "must be empty with bootstrap:backupSourceAccountId"},
		"backup account copying again":    {backupAccount(map[string]string{"bootstrap:backupCopyRegion": "us-west-2"}), "bootstrap:backupCopyRegion", "must be empty with bootstrap:backupSourceAccountId"},
		"no retention":                    {backupAccount(map[string]string{"bootstrap:backupRetentionDays": "0"}), "bootstrap:backupRetentionDays", "from 1"},
		"lock beyond the retention":       {backupAccount(map[string]string{"bootstrap:backupObjectLockDays": "91"}), "bootstrap:backupObjectLockDays", "1 to bootstrap:backupRetentionDays"},
		"no key administrator":            {backupAccount(map[string]string{"bootstrap:backupCopyKeyAdminRoleArns": "[]"}), "bootstrap:backupCopyKeyAdminRoleArns", "locks out"},
		"key administrator of the source": {backupAccount(map[string]string{"bootstrap:backupCopyKeyAdminRoleArns": `["arn:aws:iam::777788889999:role/eks-platform-deploy-prod"]`}), "bootstrap:backupCopyKeyAdminRoleArns", "deletable from there"},
		"key administrator a wildcard":    {backupAccount(map[string]string{"bootstrap:backupCopyKeyAdminRoleArns": `["arn:aws:iam::111122223333:role/*"]`}), "bootstrap:backupCopyKeyAdminRoleArns", "no wildcards"},
		"retention without a source":      {withSource(map[string]string{"bootstrap:backupRetentionDays": "90"}), "bootstrap:backupRetentionDays", "only with bootstrap:backupSourceAccountId"},
	} {
		_, err := Parse(bad.values)
		if err == nil || !strings.Contains(err.Error(), bad.key) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one naming %s: %s", name, err, bad.key, bad.want)
		}
	}
	c, err := Parse(backupAccount(nil))
	if err != nil || c.BackupSourceAccountID != "777788889999" || c.RetentionDays != 90 || c.ObjectLockDays != 90 || len(c.CopyKeyAdminRoleArns) != 1 || c.ClusterName != "eks-platform" {
		t.Errorf("a backup account's bootstrap: %+v, %v", c, err)
	}
}
