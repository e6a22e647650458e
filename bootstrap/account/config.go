// Package account is the bootstrap program (STACK_SPEC A4): once per AWS account, before any
// platform stack, it creates the Pulumi state bucket (and its access-log bucket), the KMS key of
// the Pulumi secrets provider, the GitHub OIDC provider and, per environment deployed to that
// account, the deploy role and the read-only preview role the workflows assume. Its main package
// is bootstrap/ (its own Pulumi project, same Go module as the platform).
package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Project is the bootstrap's Pulumi project name and its config namespace.
const Project = "bootstrap"

// Config is the bootstrap stack's configuration, validated once before any resource (C4).
type Config struct {
	// Region is where the state bucket, the keys and the platform stacks live.
	Region string
	// AccountID is the one account this stack may touch (the provider's allowedAccountIds).
	AccountID string
	// Repository is the GitHub owner/name whose workflows may assume the roles.
	Repository string
	// Environments are the platform stacks deploying to this account: one deploy and one preview
	// role each.
	Environments []string
	// StateBucket is the Pulumi state bucket's name; its access logs go to StateBucket-access-logs.
	StateBucket string
	// AccessLogDays is how long the access-log bucket keeps a log object.
	AccessLogDays int
	// Tags are the cost-allocation tags of every resource (C5), as the platform sets them.
	Tags map[string]string
	// BackupCopyRegion is the region the platform stacks of this account copy their backups to
	// (their eks-platform:backupCopyRegion): the deploy roles may create the copy's KMS key there.
	BackupCopyRegion string
	// BackupSourceAccountID, when set, makes this stack the bootstrap of a backup account: it
	// keeps, in aws:region, the copies of the backups of the environments of that account, and
	// gets no state bucket, no GitHub trust and no role (NewBackupCopyAccount).
	BackupSourceAccountID string
	// ClusterName, RetentionDays, ObjectLockDays and CopyKeyAdminRoleArns are a backup account's
	// settings (with BackupSourceAccountID only): the platform stacks' clusterName,
	// backupRetentionDays and backupObjectLockDays, and the roles that administer the copies' keys.
	ClusterName                   string
	RetentionDays, ObjectLockDays int
	CopyKeyAdminRoleArns          []string
}

// The keys the program reads, with their defaults ("" means required).
var keyDefaults = map[string]string{
	"aws:region":                           "us-east-1",
	"bootstrap:awsAccountId":               "",
	"bootstrap:githubRepository":           "",
	"bootstrap:environments":               "",
	"bootstrap:stateBucketName":            "",
	"bootstrap:accessLogDays":              "365",
	"bootstrap:backupCopyRegion":           "",
	"bootstrap:backupSourceAccountId":      "",
	"bootstrap:clusterName":                "eks-platform",
	"bootstrap:backupRetentionDays":        "0",
	"bootstrap:backupObjectLockDays":       "0",
	"bootstrap:backupCopyKeyAdminRoleArns": "[]",
	"bootstrap:costCenter":                 "platform-engineering",
	"bootstrap:owner":                      "platform-team",
	"bootstrap:project":                    "eks-platform",
}

// Limits and formats the values must meet.
const (
	// maxStateBucketName leaves room for "-access-logs" within S3's 63 characters.
	maxStateBucketName = 63 - len(accessLogSuffix)
	accessLogSuffix    = "-access-logs"
	maxAccessLogDays   = 3650
	// maxEnvironmentName keeps the longest role name, eks-platform-preview-<env>, well within
	// IAM's 64 characters.
	maxEnvironmentName = 20
)

var (
	regionPattern      = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	accountPattern     = regexp.MustCompile(`^[0-9]{12}$`)
	repositoryPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)
	environmentPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	bucketPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	tagPattern         = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	clusterNamePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
)

// Keys lists the keys the program reads, sorted (Pulumi.yaml declares the same).
func Keys() []string {
	keys := make([]string, 0, len(keyDefaults))
	for k := range keyDefaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Load reads the configured keys from the context and parses them.
func Load(ctx *pulumi.Context, configured []string) (*Config, error) {
	values := map[string]string{}
	for _, key := range configured {
		if v, ok := ctx.GetConfig(key); ok {
			values[key] = v
		}
	}
	return Parse(values)
}

// Parse validates the values (fully qualified keys, as the CLI hands them over) and returns the
// typed configuration, or every error, each naming the key, the bad value and what is allowed.
func Parse(values map[string]string) (*Config, error) {
	var errs []error
	bad := func(key, value, allowed string) {
		errs = append(errs, fmt.Errorf("%s = %q: %s", key, value, allowed))
	}
	for _, key := range sortedKeys(values) {
		if _, ok := keyDefaults[key]; !ok && !strings.HasPrefix(key, "pulumi:") {
			errs = append(errs, fmt.Errorf("%s is set but is not a key of the bootstrap program (it reads %s)", key, strings.Join(Keys(), ", ")))
		}
	}
	get := func(key string) string {
		if v, ok := values[key]; ok {
			return v
		}
		return keyDefaults[key]
	}
	c := &Config{
		Region:                get("aws:region"),
		AccountID:             get("bootstrap:awsAccountId"),
		Repository:            get("bootstrap:githubRepository"),
		StateBucket:           get("bootstrap:stateBucketName"),
		BackupCopyRegion:      get("bootstrap:backupCopyRegion"),
		BackupSourceAccountID: get("bootstrap:backupSourceAccountId"),
		ClusterName:           get("bootstrap:clusterName"),
		Tags: map[string]string{
			"CostCenter": get("bootstrap:costCenter"),
			"Owner":      get("bootstrap:owner"),
			"Project":    get("bootstrap:project"),
			"ManagedBy":  "pulumi",
		},
	}
	if !regionPattern.MatchString(c.Region) {
		bad("aws:region", c.Region, "must be an AWS region like us-east-1")
	}
	if !accountPattern.MatchString(c.AccountID) {
		bad("bootstrap:awsAccountId", c.AccountID, "must be the 12-digit AWS account this stack bootstraps")
	}
	if c.BackupSourceAccountID == "" {
		if !repositoryPattern.MatchString(c.Repository) {
			bad("bootstrap:githubRepository", c.Repository, "must be the GitHub repository as owner/name (no wildcard, no URL)")
		}
		if problem := bucketNameProblem(c.StateBucket); problem != "" {
			bad("bootstrap:stateBucketName", c.StateBucket, problem)
		}
	}
	parseBackupAccount(c, get, bad)
	days, err := strconv.Atoi(get("bootstrap:accessLogDays"))
	if err != nil || days < 1 || days > maxAccessLogDays {
		bad("bootstrap:accessLogDays", get("bootstrap:accessLogDays"), fmt.Sprintf("must be a whole number of days from 1 to %d", maxAccessLogDays))
	}
	c.AccessLogDays = days
	for _, key := range []string{"costCenter", "owner", "project"} {
		full := "bootstrap:" + key
		if !tagPattern.MatchString(get(full)) {
			bad(full, get(full), "must be a tag value of letters, digits, '-', '_' and '.', 1 to 63 characters")
		}
	}
	envs, problem := parseEnvironments(get("bootstrap:environments"))
	if problem != "" {
		bad("bootstrap:environments", get("bootstrap:environments"), problem)
	}
	c.Environments = envs
	// The platform's Environment tag names the environment; an account shared by several names
	// them all ('_' never occurs in an environment name).
	c.Tags["Environment"] = strings.Join(envs, "_")
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// parseBackupAccount reads the settings of a backup account's bootstrap (issue 22), which apply
// with bootstrap:backupSourceAccountId only and must stay at their defaults otherwise.
func parseBackupAccount(c *Config, get func(string) string, bad func(key, value, allowed string)) {
	retention, retentionErr := strconv.Atoi(get("bootstrap:backupRetentionDays"))
	lock, lockErr := strconv.Atoi(get("bootstrap:backupObjectLockDays"))
	var admins []string
	adminsErr := json.Unmarshal([]byte(get("bootstrap:backupCopyKeyAdminRoleArns")), &admins)
	if c.BackupSourceAccountID == "" {
		for _, key := range []string{"bootstrap:clusterName", "bootstrap:backupRetentionDays", "bootstrap:backupObjectLockDays", "bootstrap:backupCopyKeyAdminRoleArns"} {
			if get(key) != keyDefaults[key] {
				bad(key, get(key), "is a backup account's setting: set it only with bootstrap:backupSourceAccountId")
			}
		}
		return
	}
	switch {
	case !accountPattern.MatchString(c.BackupSourceAccountID):
		bad("bootstrap:backupSourceAccountId", c.BackupSourceAccountID, "must be empty or the 12-digit account whose platform stacks copy their backups here")
	case c.BackupSourceAccountID == c.AccountID:
		bad("bootstrap:backupSourceAccountId", c.BackupSourceAccountID, "must differ from bootstrap:awsAccountId: a copy in its own account is made by the platform stack")
	}
	// A backup account's bootstrap makes the copies only.
	for key, value := range map[string]string{
		"bootstrap:backupCopyRegion": c.BackupCopyRegion,
		"bootstrap:githubRepository": c.Repository,
		"bootstrap:stateBucketName":  c.StateBucket,
	} {
		if value != "" {
			bad(key, value, "must be empty with bootstrap:backupSourceAccountId: a backup account gets only the copies, in aws:region (no state bucket, no GitHub trust, no copy of its own)")
		}
	}
	if !clusterNamePattern.MatchString(c.ClusterName) {
		bad("bootstrap:clusterName", c.ClusterName, "must be the platform stacks' eks-platform:clusterName: lower-case letters, digits and '-'")
	}
	if retentionErr != nil || retention < 1 {
		bad("bootstrap:backupRetentionDays", get("bootstrap:backupRetentionDays"), "must be the platform stacks' eks-platform:backupRetentionDays, a whole number of days from 1")
	}
	if lockErr != nil || lock < 1 || (retentionErr == nil && lock > retention) {
		bad("bootstrap:backupObjectLockDays", get("bootstrap:backupObjectLockDays"), "must be the platform stacks' eks-platform:backupObjectLockDays, 1 to bootstrap:backupRetentionDays: every copy is locked (COMPLIANCE)")
	}
	if adminsErr != nil || len(admins) == 0 {
		bad("bootstrap:backupCopyKeyAdminRoleArns", get("bootstrap:backupCopyKeyAdminRoleArns"), "must list the backup account's roles that administer the copies' keys, among them the one this stack runs as (KMS refuses a key policy that locks out the role setting it)")
	}
	for i, arn := range admins {
		fields := strings.Split(arn, ":")
		switch {
		case len(fields) != 6 || fields[0] != "arn" || fields[2] != "iam" || !strings.HasPrefix(fields[5], "role/") || strings.ContainsAny(arn, "*?"):
			bad("bootstrap:backupCopyKeyAdminRoleArns", arn, "must be an IAM role ARN (arn:aws:iam::<account>:role/<path><name>, no wildcards)")
		case fields[4] != c.AccountID:
			bad("bootstrap:backupCopyKeyAdminRoleArns", arn, "must be a role of the backup account "+c.AccountID+" (bootstrap:awsAccountId): a source account's role would make the copies deletable from there")
		case slices.Contains(admins[:i], arn):
			bad("bootstrap:backupCopyKeyAdminRoleArns", arn, "is listed twice")
		}
	}
	c.RetentionDays, c.ObjectLockDays, c.CopyKeyAdminRoleArns = retention, lock, admins
}

// parseEnvironments reads the JSON list of environment names.
func parseEnvironments(raw string) ([]string, string) {
	var envs []string
	if err := json.Unmarshal([]byte(raw), &envs); err != nil || len(envs) == 0 {
		return nil, `must be a non-empty list of the environments deploying to this account, e.g. ["dev"]`
	}
	for _, env := range envs {
		if len(env) > maxEnvironmentName || !environmentPattern.MatchString(env) {
			return nil, fmt.Sprintf("environment %q must be lowercase letters, digits and '-', 2 to %d characters, as the platform stack's name", env, maxEnvironmentName)
		}
	}
	sorted := slices.Clone(envs)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(envs) {
		return nil, "must not name an environment twice"
	}
	return envs, ""
}

// bucketNameProblem says what is wrong with a state bucket name under S3's general-purpose bucket
// naming rules, or "".
func bucketNameProblem(name string) string {
	switch {
	case len(name) > maxStateBucketName || !bucketPattern.MatchString(name):
		return fmt.Sprintf("must be 3 to %d lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (S3 naming; %q is appended for the log bucket)", maxStateBucketName, accessLogSuffix)
	case strings.Contains(name, ".."), net.ParseIP(name) != nil:
		return "must not contain '..' or be an IP address (S3 naming)"
	case strings.HasPrefix(name, "xn--"), strings.HasPrefix(name, "sthree-"), strings.HasSuffix(name, "-s3alias"), strings.HasSuffix(name, "--ol-s3"):
		return "must not use a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3)"
	}
	return ""
}
