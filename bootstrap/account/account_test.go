package account

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/security"
)

// moduleRoot is the repository root, found from the go.mod, never by counting parents (X4).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// bootstrapStacks are the committed bootstrap stacks (bootstrap/Pulumi.*.yaml).
func bootstrapStacks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), Dir, "Pulumi.*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bootstrap stack files: %v", err)
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	return stacks
}

func planOf(t *testing.T, stack string) *offline.Plan {
	t.Helper()
	plan, err := Plan(moduleRoot(t), stack)
	if err != nil {
		t.Fatalf("bootstrap stack %s: %v", stack, err)
	}
	return plan
}

func decodePolicy(t *testing.T, rendered string) security.PolicyDocument {
	t.Helper()
	var doc security.PolicyDocument
	if err := json.Unmarshal([]byte(rendered), &doc); err != nil {
		t.Fatalf("policy %q: %v", rendered, err)
	}
	return doc
}

// byBucket returns the resource of type typ whose bucket input is bucket's ID.
func byBucket(t *testing.T, plan *offline.Plan, typ string, bucket offline.Resource) offline.Resource {
	t.Helper()
	id := offline.MockID(bucket.Type, bucket.Name)
	for _, r := range plan.ByType(typ) {
		if r.String("bucket") == id || r.String("bucket") == bucket.String("bucket") {
			return r
		}
	}
	t.Fatalf("no %s for bucket %s", typ, bucket.String("bucket"))
	return offline.Resource{}
}

// Every platform stack's account has a bootstrap stack that names the account and the
// environment, and every resource is a child of the one Account component (A4).
func TestEveryPlatformStackHasItsAccountBootstrapped(t *testing.T) {
	root := moduleRoot(t)
	platformStacks, err := config.StackNames(root)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string][]string{}
	copyRegion := map[string]string{} // platform stack -> its bootstrap's backup copy region
	// backupAccounts: "<backup account>/<source account>/<env>" -> the bootstrap of the backup
	// account that makes that environment's copy.
	backupAccounts := map[string]*Config{}
	for _, stack := range bootstrapStacks(t) {
		cfg := bootstrapConfig(t, stack)
		component := "eks-platform:bootstrap:Account"
		if cfg.BackupSourceAccountID != "" {
			component = "eks-platform:bootstrap:BackupCopyAccount"
			for _, env := range cfg.Environments {
				backupAccounts[cfg.AccountID+"/"+cfg.BackupSourceAccountID+"/"+env] = cfg
			}
		} else {
			covered[cfg.AccountID] = append(covered[cfg.AccountID], cfg.Environments...)
			for _, env := range cfg.Environments {
				copyRegion[env] = cfg.BackupCopyRegion
			}
		}
		plan := planOf(t, stack)
		comps := plan.ByType(component)
		if len(comps) != 1 {
			t.Fatalf("%s: %d %s components", stack, len(comps), component)
		}
		for _, r := range plan.Resources {
			if r.Type != component && !strings.HasPrefix(r.Type, "pulumi:providers:") && r.Parent != comps[0].URN {
				t.Errorf("%s: %s %s is not parented to the %s component", stack, r.Type, r.Name, component)
			}
		}
	}
	for _, stack := range platformStacks {
		values, err := config.StackValues(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		accountID := values["eks-platform:awsAccountId"]
		if !slices.Contains(covered[accountID], stack) {
			t.Errorf("platform stack %s deploys to %s, but no bootstrap stack of that account lists it (covered: %v)", stack, accountID, covered)
		}
		// The deploy role may create the copy's key only in its bootstrap's copy region; a copy
		// in a backup account is made by that account's bootstrap, with the platform's settings.
		copyAccount, region := values["eks-platform:backupCopyAccountId"], values["eks-platform:backupCopyRegion"]
		switch backup := backupAccounts[copyAccount+"/"+accountID+"/"+stack]; {
		case copyAccount == "" && copyRegion[stack] != region:
			t.Errorf("platform stack %s copies its backups to %q, but its bootstrap's backupCopyRegion is %q", stack, region, copyRegion[stack])
		case copyAccount != "" && copyRegion[stack] != "":
			t.Errorf("platform stack %s copies its backups to account %s, but its bootstrap lets its deploy role make keys in %s", stack, copyAccount, copyRegion[stack])
		case copyAccount != "" && backup == nil:
			t.Errorf("platform stack %s copies to account %s, but no bootstrap stack of that account (backupSourceAccountId %s) makes its copy", stack, copyAccount, accountID)
		case copyAccount != "":
			for key, want := range map[string]string{
				"aws:region": region, "clusterName": values["eks-platform:clusterName"],
				"backupRetentionDays": values["eks-platform:backupRetentionDays"], "backupObjectLockDays": values["eks-platform:backupObjectLockDays"],
			} {
				got := map[string]string{"aws:region": backup.Region, "clusterName": backup.ClusterName,
					"backupRetentionDays": strconv.Itoa(backup.RetentionDays), "backupObjectLockDays": strconv.Itoa(backup.ObjectLockDays)}[key]
				if got != want {
					t.Errorf("platform stack %s: its backup account's bootstrap has %s %q, the stack %q", stack, key, got, want)
				}
			}
		}
	}
}

// bootstrapConfig is the parsed configuration of a committed bootstrap stack.
func bootstrapConfig(t *testing.T, stack string) *Config {
	t.Helper()
	root := moduleRoot(t)
	values, err := config.StackValues(filepath.Join(root, Dir, "Pulumi.yaml"), filepath.Join(root, Dir, "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(values)
	if err != nil {
		t.Fatalf("bootstrap stack %s: %v", stack, err)
	}
	return cfg
}

// accountStacks are the bootstrap stacks of accounts the platform deploys to (not backup-copy
// accounts).
func accountStacks(t *testing.T) []string {
	t.Helper()
	var stacks []string
	for _, stack := range bootstrapStacks(t) {
		if bootstrapConfig(t, stack).BackupSourceAccountID == "" {
			stacks = append(stacks, stack)
		}
	}
	return stacks
}

// The state bucket: SSE-KMS with its own key and a bucket key, versioned, public access blocked,
// owner enforced, TLS only, access logged to the log bucket; the log bucket: SSE-S3 (what S3
// access logging accepts), versioned, blocked, TLS only, expiring.
func TestBucketsAreLockedDown(t *testing.T) {
	plan := planOf(t, "dev")
	state := offline.MustGet(t, plan, "aws:s3/bucketV2:BucketV2", "state-dev")
	logs := offline.MustGet(t, plan, "aws:s3/bucketV2:BucketV2", "state-access-logs-dev")
	if state.String("bucket") != "acme-pulumi-state-111122223333" || logs.String("bucket") != "acme-pulumi-state-111122223333-access-logs" {
		t.Fatalf("bucket names %q, %q", state.String("bucket"), logs.String("bucket"))
	}
	bucketKey := offline.MustGet(t, plan, "aws:kms/key:Key", "state-bucket-key-dev")
	for _, b := range []struct {
		bucket    offline.Resource
		algorithm string
	}{{state, "aws:kms"}, {logs, "AES256"}} {
		name := b.bucket.String("bucket")
		if !b.bucket.Protect || !b.bucket.RetainOnDelete {
			t.Errorf("%s: not protected and retained", name)
		}
		sse := byBucket(t, plan, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", b.bucket)
		if got := sse.String("rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"); got != b.algorithm {
			t.Errorf("%s: encryption %q, want %q", name, got, b.algorithm)
		}
		if got := byBucket(t, plan, "aws:s3/bucketVersioningV2:BucketVersioningV2", b.bucket).String("versioningConfiguration.status"); got != "Enabled" {
			t.Errorf("%s: versioning %q", name, got)
		}
		pab := byBucket(t, plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b.bucket)
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			if pab.Input(k) != true {
				t.Errorf("%s: %s is %v", name, k, pab.Input(k))
			}
		}
		if got := byBucket(t, plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", b.bucket).String("rule.objectOwnership"); got != "BucketOwnerEnforced" {
			t.Errorf("%s: ownership %q", name, got)
		}
		policy := decodePolicy(t, byBucket(t, plan, "aws:s3/bucketPolicy:BucketPolicy", b.bucket).String("policy"))
		if !deniesPlainHTTP(policy) {
			t.Errorf("%s: the bucket policy does not deny aws:SecureTransport false: %+v", name, policy)
		}
	}
	sse := byBucket(t, plan, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", state)
	if !sse.DependsOn(bucketKey.URN) || !strings.HasPrefix(sse.String("rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId"), "arn:aws:kms:us-east-1:") || sse.Input("rules.0.bucketKeyEnabled") != true {
		t.Errorf("state bucket: key %q, bucket key %v", sse.String("rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId"), sse.Input("rules.0.bucketKeyEnabled"))
	}
	logging := byBucket(t, plan, "aws:s3/bucketLoggingV2:BucketLoggingV2", state)
	if got := logging.String("targetBucket"); got != offline.MockID(logs.Type, logs.Name) && got != logs.String("bucket") {
		t.Errorf("state bucket logs to %q, want the log bucket", got)
	}
	lifecycle := byBucket(t, plan, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", logs)
	if lifecycle.Input("rules.0.expiration.days") != float64(365) || lifecycle.String("rules.0.status") != "Enabled" {
		t.Errorf("log bucket lifecycle %v", lifecycle.Inputs)
	}
	logPolicy := decodePolicy(t, byBucket(t, plan, "aws:s3/bucketPolicy:BucketPolicy", logs).String("policy"))
	if s := logPolicy.Statement[1]; s.Principal["Service"].String() != "logging.s3.amazonaws.com" || s.Condition["ArnLike"]["aws:SourceArn"][0] != "arn:aws:s3:::acme-pulumi-state-111122223333" {
		t.Errorf("log delivery statement %+v", s)
	}
}

func deniesPlainHTTP(doc security.PolicyDocument) bool {
	for _, s := range doc.Statement {
		if s.Effect == security.Deny && slices.Contains(s.Action, "s3:*") && s.Principal["AWS"].String() == "*" &&
			slices.Equal(s.Condition["Bool"]["aws:SecureTransport"], security.StringList{"false"}) {
			return true
		}
	}
	return false
}

// Both keys rotate and have their alias; the secrets key is the one awskms://alias/eks-platform-state names.
func TestKeysRotateAndHaveAliases(t *testing.T) {
	plan := planOf(t, "staging")
	for _, k := range []struct{ key, alias string }{{"state-bucket-key-staging", StateBucketKeyAlias}, {"state-secrets-key-staging", SecretsKeyAlias}} {
		key := offline.MustGet(t, plan, "aws:kms/key:Key", k.key)
		if key.Input("enableKeyRotation") != true || !key.Protect {
			t.Errorf("%s: rotation %v, protect %v", k.key, key.Input("enableKeyRotation"), key.Protect)
		}
		if alias := offline.MustGet(t, plan, "aws:kms/alias:Alias", strings.TrimSuffix(k.key, "-staging")+"-alias-staging"); alias.String("name") != k.alias {
			t.Errorf("%s: alias %q, want %q", k.key, alias.String("name"), k.alias)
		}
	}
	oidc := offline.MustGet(t, plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc-staging")
	if oidc.String("url") != "https://token.actions.githubusercontent.com" || !slices.Equal(oidc.Strings("clientIdLists"), []string{"sts.amazonaws.com"}) {
		t.Errorf("GitHub OIDC provider %v", oidc.Inputs)
	}
}

// exactTrust fails unless the trust policy admits only repository's jobs in that GitHub
// environment: StringEquals on aud and sub, the sub exactly as given, no wildcard anywhere.
func exactTrust(t *testing.T, role offline.Resource, sub string) {
	t.Helper()
	doc := decodePolicy(t, role.String("assumeRolePolicy"))
	if len(doc.Statement) != 1 {
		t.Fatalf("%s: %d trust statements", role.Name, len(doc.Statement))
	}
	s := doc.Statement[0]
	if len(s.Condition) != 1 || len(s.Condition["StringEquals"]) != 2 {
		t.Errorf("%s: trust conditions %v, want only StringEquals on aud and sub", role.Name, s.Condition)
	}
	eq := s.Condition["StringEquals"]
	if !slices.Equal(eq["token.actions.githubusercontent.com:sub"], security.StringList{sub}) ||
		!slices.Equal(eq["token.actions.githubusercontent.com:aud"], security.StringList{"sts.amazonaws.com"}) {
		t.Errorf("%s: trust %v, want sub %q and aud sts.amazonaws.com", role.Name, eq, sub)
	}
	if strings.Contains(role.String("assumeRolePolicy"), "*") || !slices.Equal(s.Action, security.StringList{"sts:AssumeRoleWithWebIdentity"}) ||
		!strings.HasSuffix(s.Principal["Federated"].String(), ":oidc-provider/token.actions.githubusercontent.com") {
		t.Errorf("%s: trust widened: %s", role.Name, role.String("assumeRolePolicy"))
	}
}

// The roles are the ones the workflows assume, and trust only their GitHub environment: deploy
// <env>, preview preview-<env> (pull-request.yml and drift.yml run there).
func TestRolesTrustOnlyTheirEnvironment(t *testing.T) {
	for _, stack := range accountStacks(t) {
		plan := planOf(t, stack)
		deploy := offline.MustGet(t, plan, "aws:iam/role:Role", "eks-platform-deploy-"+stack+"-"+stack)
		preview := offline.MustGet(t, plan, "aws:iam/role:Role", "eks-platform-preview-"+stack+"-"+stack)
		if deploy.String("name") != "eks-platform-deploy-"+stack || preview.String("name") != "eks-platform-preview-"+stack {
			t.Errorf("role names %q, %q", deploy.String("name"), preview.String("name"))
		}
		if deploy.Input("maxSessionDuration") != float64(7200) {
			t.Errorf("deploy role session %v, want 7200 (reusable-stack-up.yml)", deploy.Input("maxSessionDuration"))
		}
		exactTrust(t, deploy, "repo:acme/eks-platform:environment:"+stack)
		exactTrust(t, preview, "repo:acme/eks-platform:environment:preview-"+stack)
	}
}

// previewSafe says why a preview-role statement changes nothing, or "".
func previewSafe(s security.Statement) string {
	var writes []string
	for _, a := range s.Action {
		if !IsReadAction(a) && a != "kms:Decrypt" {
			writes = append(writes, a)
		}
	}
	switch {
	case len(writes) == 0:
		return "reads only"
	case s.Sid == "StateLocks" && slices.Equal(writes, []string{"s3:PutObject", "s3:DeleteObject"}) && len(s.Resource) == 1 && strings.HasSuffix(s.Resource[0], "/.pulumi/locks/*"):
		return "the backend's locks only"
	case s.Sid == "StateBucketKeyThroughS3" && slices.Equal(writes, []string{"kms:GenerateDataKey"}) && len(s.Condition["StringEquals"]["kms:ViaService"]) == 1:
		return "S3's use of the bucket key for the locks"
	}
	return ""
}

// The preview role writes nothing but the backend's locks (A4).
func TestPreviewRoleHasNoWriteAction(t *testing.T) {
	plan := planOf(t, "prod")
	var statements int
	for _, p := range plan.ByType("aws:iam/rolePolicy:RolePolicy") {
		if !strings.HasPrefix(p.Name, "eks-platform-preview-prod") {
			continue
		}
		for _, s := range decodePolicy(t, p.String("policy")).Statement {
			statements++
			if s.Effect == security.Allow && previewSafe(s) == "" {
				t.Errorf("%s: statement %s grants a write: %v", p.Name, s.Sid, s.Action)
			}
		}
	}
	if statements < 5 {
		t.Fatalf("found %d preview statements", statements)
	}
	for _, a := range []string{"s3:PutObject", "kms:Encrypt", "ec2:CreateVpc", "iam:PassRole"} {
		if previewSafe(security.Statement{Action: security.StringList{a}, Resource: security.StringList{"*"}}) != "" {
			t.Errorf("the check would let %s through", a)
		}
	}
	for _, a := range plan.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if strings.Contains(a.Name, "preview") {
			t.Errorf("the preview role has a managed policy attached: %s", a.Name)
		}
	}
}

// The deploy role's managed policies fit IAM's limit, grant every write scope for its own
// environment only, and deny the bootstrap's identities; the preview role's inline policies fit.
func TestDeployPoliciesFitAndAreScoped(t *testing.T) {
	perms, err := LoadPermissions()
	if err != nil {
		t.Fatal(err)
	}
	target := Target{Partition: "aws", Account: "111122223333", Region: "us-east-1", Env: "staging"}
	docs, err := DeployPolicies(perms, target)
	if err != nil {
		t.Fatal(err)
	}
	sids := map[string]bool{}
	for i, rendered := range docs {
		if len(rendered) > maxManagedPolicyChars {
			t.Errorf("policy %d: %d characters, IAM allows %d", i+1, len(rendered), maxManagedPolicyChars)
		}
		for _, s := range decodePolicy(t, rendered).Statement {
			sids[s.Sid] = true
			// Cluster OIDC issuers and service-linked roles have no environment in their ARN: the
			// first are limited to EKS issuers, the second to the EKS and Auto Scaling services.
			scoped := strings.Contains(strings.Join(s.Resource, " "), "staging") || strings.Contains(fmt.Sprint(s.Condition), "staging")
			if strings.HasPrefix(s.Sid, "Write") && s.Resource[0] != "*" && !scoped && s.Sid != "WriteServiceLinkedRole" && s.Sid != "WriteOidcProvider" {
				t.Errorf("%s is not scoped to the environment: %v", s.Sid, s.Resource)
			}
			if s.Resource[0] == "*" && strings.HasPrefix(s.Sid, "Write") && len(s.Condition) == 0 {
				t.Errorf("%s writes on * without a condition", s.Sid)
			}
		}
	}
	for _, scope := range sortedKeys(perms.Scopes) {
		if !sids["Write"+strings.ToUpper(scope[:1])+scope[1:]] {
			t.Errorf("scope %s grants nothing", scope)
		}
	}
	if !sids["ReadThePlatform"] || !sids["DenyTheBootstrapIdentities"] {
		t.Errorf("statements %v", sids)
	}
	read, _ := ReadPolicy(perms).JSON()
	state, _ := statePolicy("arn:aws:s3:::b", "arn:aws:kms:us-east-1:1:key/a", "arn:aws:kms:us-east-1:1:key/b", "s3.us-east-1.amazonaws.com", true).JSON()
	if len(read)+len(state) > maxInlinePolicyChars {
		t.Errorf("the preview role's inline policies hold %d characters, IAM allows %d", len(read)+len(state), maxInlinePolicyChars)
	}
	plan := planOf(t, "dev")
	if n := len(plan.ByType("aws:iam/policy:Policy")); n != len(docs) {
		t.Errorf("dev has %d managed policies, want %d", n, len(docs))
	}
}

func TestNewAccountNeedsPermissionsAndEnvironments(t *testing.T) {
	_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		_, err := NewAccount(ctx, "account-dev", &AccountArgs{Environments: []string{"dev"}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "needs its permissions") {
		t.Fatalf("err = %v", err)
	}
}

// Program reads the configured keys from PULUMI_CONFIG, as the CLI hands them over.
func TestProgramReadsTheCLIConfig(t *testing.T) {
	values := map[string]string{
		"bootstrap:awsAccountId": "111122223333", "bootstrap:githubRepository": "acme/eks-platform",
		"bootstrap:environments": `["dev"]`, "bootstrap:stateBucketName": "acme-state", "bootstrap:typo": "1",
	}
	run := func() error {
		data, _ := json.Marshal(values)
		t.Setenv(pulumi.EnvConfig, string(data))
		_, err := offline.Run(offline.Options{Project: Project, Stack: "dev", Config: values},
			func(ctx *pulumi.Context) (pulumi.Map, error) { return pulumi.Map{}, Program(ctx) })
		return err
	}
	if err := run(); err == nil || !strings.Contains(err.Error(), "bootstrap:typo is set but") {
		t.Fatalf("a typo: %v", err)
	}
	delete(values, "bootstrap:typo")
	if err := run(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(pulumi.EnvConfig, "not json")
	if _, err := offline.Run(offline.Options{Project: Project, Stack: "dev"},
		func(ctx *pulumi.Context) (pulumi.Map, error) { return pulumi.Map{}, Program(ctx) }); err == nil {
		t.Fatal("a malformed PULUMI_CONFIG was accepted")
	}
}

// One AWS provider carries the cost tags of C5 to every resource and refuses any other account.
func TestProviderTagsAndAccount(t *testing.T) {
	plan := planOf(t, "prod")
	provider := offline.MustGet(t, plan, "pulumi:providers:aws", "aws-prod")
	for key, want := range map[string]string{"Environment": "prod", "CostCenter": "platform-engineering", "Owner": "platform-team", "Project": "eks-platform", "ManagedBy": "pulumi"} {
		if got := provider.String("defaultTags.tags." + key); got != want {
			t.Errorf("tag %s = %q, want %q", key, got, want)
		}
	}
	if !slices.Equal(provider.Strings("allowedAccountIds"), []string{"777788889999"}) {
		t.Errorf("allowedAccountIds %v", provider.Input("allowedAccountIds"))
	}
}
