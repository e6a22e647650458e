package platform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/security"
)

const (
	copyBucket = "vcopy-eks-platform-dev-123456789012"
	// copyKeyPrefix is the ARN prefix of a key created in the copy region (the mocks give each
	// resource its provider's region).
	copyKeyPrefix = "arn:aws:kms:us-west-2:123456789012:key/"
)

// testKeyAdmins administer the copy's key.
var testKeyAdmins = []string{"arn:aws:iam::" + offline.AccountID + ":role/eks-platform-deploy-dev"}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// planWithCopy is prod-like: locked, protected, and copied to us-west-2 through its own provider.
func planWithCopy(t *testing.T) *offline.Plan {
	t.Helper()
	return offline.MustRunComponent(t, "dev", func(ctx *pulumi.Context) error {
		provider, err := aws.NewProvider(ctx, "aws-backup-copy-dev", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
		if err != nil {
			return err
		}
		_, err = program(func(a *Args) {
			a.Protect, a.BackupObjectLockDays = true, 30
			a.BackupCopy = &BackupCopy{Region: "us-west-2", Provider: provider, KeyDeletionWindowDays: 30, KeyAdminRoleArns: testKeyAdmins}
		})(ctx)
		return err
	})
}

// issue 22: the copy is a bucket of its own in the copy region, under a key of its own there,
// locked like the source, and every part of it is protected in prod.
func TestBackupCopyLivesInItsOwnRegionUnderItsOwnKey(t *testing.T) {
	p := planWithCopy(t)
	provider := offline.MustGet(t, p, "pulumi:providers:aws", "aws-backup-copy-dev")
	bucket := offline.MustGet(t, p, bucketType, "velero-copy-dev")
	key := offline.MustGet(t, p, "aws:kms/key:Key", "velero-copy-key-dev")
	if bucket.String("bucket") != copyBucket {
		t.Errorf("copy bucket %q, want %q", bucket.String("bucket"), copyBucket)
	}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Name, "velero-copy") {
			if r.Provider != provider.URN {
				t.Errorf("%s uses provider %s, want the copy region's", r.Name, r.Provider)
			}
			if !r.Protect {
				t.Errorf("%s is not protected", r.Name)
			}
		}
	}
	if key.Input("enableKeyRotation") != true || key.Input("deletionWindowInDays") != float64(30) {
		t.Errorf("copy key rotation %v, window %v", key.Input("enableKeyRotation"), key.Input("deletionWindowInDays"))
	}
	enc := offline.MustGet(t, p, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "velero-copy-encryption-dev")
	if got := enc.String("rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId"); !strings.HasPrefix(got, copyKeyPrefix) {
		t.Errorf("copy encrypted with %q, want the copy's key", got)
	}
	// The copy's key is governed as the platform's keys are: only the admin roles administer it.
	var policy security.PolicyDocument
	if err := json.Unmarshal([]byte(key.String("policy")), &policy); err != nil {
		t.Fatal(err)
	}
	want := security.KeyGovernance("aws", offline.AccountID, testKeyAdmins)
	if got, _ := json.Marshal(policy.Statement); string(got) != mustJSON(t, want) {
		t.Errorf("copy key policy statements %s, want the platform's key governance %s", got, mustJSON(t, want))
	}
	lock := offline.MustGet(t, p, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "velero-copy-object-lock-dev")
	if lock.String("rule.defaultRetention.mode") != "COMPLIANCE" || lock.Input("rule.defaultRetention.days") != float64(30) {
		t.Errorf("copy lock %v, want COMPLIANCE 30 days", lock.Inputs["rule"])
	}
}

// issue 22: replication copies every SSE-KMS backup object into the copy, re-encrypted with the
// copy's key, never its deletes, after both buckets are versioned.
func TestBackupsReplicateWithoutDeletes(t *testing.T) {
	p := planWithCopy(t)
	rep := offline.MustGet(t, p, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-bucket-replication-dev")
	role := offline.MustGet(t, p, "aws:iam/role:Role", "velero-replication-role-dev")
	if rep.String("bucket") != testBucketName {
		t.Errorf("replication on %q, want the backup bucket", rep.String("bucket"))
	}
	rule := "rules.0."
	for path, want := range map[string]string{
		"status": "Enabled", "deleteMarkerReplication.status": "Disabled",
		"sourceSelectionCriteria.sseKmsEncryptedObjects.status": "Enabled",
		"destination.bucket": "arn:aws:s3:::" + copyBucket,
		// Replication metrics feed the failure alarm (observability).
		"destination.metrics.status": "Enabled",
	} {
		if got := rep.String(rule + path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !strings.HasPrefix(rep.String(rule+"destination.encryptionConfiguration.replicaKmsKeyId"), copyKeyPrefix) {
		t.Error("copies are not encrypted with the copy's key")
	}
	for _, dep := range []string{"velero-bucket-versioning-dev", "velero-copy-versioning-dev", "velero-replication-policy-dev",
		"velero-bucket-object-lock-dev", "velero-copy-object-lock-dev"} {
		found := false
		for _, d := range rep.Dependencies {
			found = found || strings.HasSuffix(d, "::"+dep)
		}
		if !found {
			t.Errorf("replication does not wait for %s", dep)
		}
	}
	if !strings.Contains(role.String("assumeRolePolicy"), `"s3.amazonaws.com"`) || !strings.Contains(role.String("assumeRolePolicy"), "aws:SourceAccount") {
		t.Errorf("replication role trust %s, want S3 of this account only", role.String("assumeRolePolicy"))
	}
}

// issue 22: the replication role may do what replication needs and nothing else: no wildcard
// resource, no delete, and each key only through S3 of its own region.
func TestReplicationPolicyIsScoped(t *testing.T) {
	doc := replicationPolicy(replicationScope{
		sourceS3: "s3.us-east-1.amazonaws.com", copyS3: "s3.us-west-2.amazonaws.com",
		source: testBucketArn, copy: "arn:aws:s3:::" + copyBucket,
		sourceKey: "arn:aws:kms:us-east-1:123456789012:key/src", copyKey: "arn:aws:kms:us-west-2:123456789012:key/copy",
	})
	for _, s := range doc.Statement {
		for _, r := range s.Resource {
			if r == "*" {
				t.Errorf("%s grants on *", s.Sid)
			}
		}
		for _, a := range s.Action {
			if strings.Contains(a, "Delete") || strings.HasSuffix(a, "*") {
				t.Errorf("%s grants %s", s.Sid, a)
			}
		}
		if strings.HasPrefix(s.Action[0], "kms:") {
			via := s.Condition["StringEquals"]["kms:ViaService"]
			want := "s3.us-east-1.amazonaws.com"
			if s.Resource[0] == "arn:aws:kms:us-west-2:123456789012:key/copy" {
				want = "s3.us-west-2.amazonaws.com"
			}
			if len(via) != 1 || via[0] != want {
				t.Errorf("%s: kms:ViaService %v, want %s", s.Sid, via, want)
			}
		}
	}
}

// issue 22: Velero may read the copy to restore from it, never write it.
func TestVeleroReadsTheCopyOnly(t *testing.T) {
	doc := veleroPolicy(veleroScope{
		s3Endpoint: "s3.us-east-1.amazonaws.com", bucketArn: testBucketArn, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/src",
		copy: &veleroScope{s3Endpoint: "s3.us-west-2.amazonaws.com", bucketArn: "arn:aws:s3:::" + copyBucket, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/copy"},
	})
	onCopy := map[string]bool{}
	for _, s := range doc.Statement {
		if strings.Contains(strings.Join(s.Resource, " "), copyBucket) || strings.Contains(strings.Join(s.Resource, " "), "key/copy") {
			for _, a := range s.Action {
				onCopy[a] = true
			}
		}
	}
	if len(onCopy) != 3 || !onCopy["s3:GetObject"] || !onCopy["s3:ListBucket"] || !onCopy["kms:Decrypt"] {
		t.Errorf("Velero's actions on the copy = %v, want s3:GetObject, s3:ListBucket and kms:Decrypt only", onCopy)
	}
	if _, err := plan(t, nil).Get("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-bucket-replication-dev"); err == nil {
		t.Error("replication without a copy region")
	}
}

const (
	// copyAccount is the backup account of the cross-account tests.
	copyAccount = "999988887777"
	// crossAccountCopy is the copy bucket there.
	crossAccountCopy = "vcopy-eks-platform-dev-" + copyAccount
)

// planWithCopyInAccount copies to us-west-2 in another account, through a provider that assumes
// the copy account's role, as the composition root configures it.
func planWithCopyInAccount(t *testing.T) *offline.Plan {
	t.Helper()
	return offline.MustRunComponent(t, "dev", func(ctx *pulumi.Context) error {
		provider, err := aws.NewProvider(ctx, "aws-backup-copy-dev", &aws.ProviderArgs{
			Region: pulumi.String("us-west-2"), AllowedAccountIds: pulumi.ToStringArray([]string{copyAccount}),
			AssumeRole: aws.ProviderAssumeRoleArgs{RoleArn: pulumi.String("arn:aws:iam::" + copyAccount + ":role/eks-platform-backup-copy-dev")},
		})
		if err != nil {
			return err
		}
		_, err = program(func(a *Args) {
			a.BackupObjectLockDays = 30
			a.BackupCopy = &BackupCopy{Region: "us-west-2", AccountID: copyAccount, Provider: provider, KeyDeletionWindowDays: 30,
				KeyAdminRoleArns: []string{"arn:aws:iam::" + copyAccount + ":role/eks-platform-backup-copy-dev"}}
		})(ctx)
		return err
	})
}

// statementsBySid parses a policy and indexes its statements.
func statementsBySid(t *testing.T, policy string) map[string]security.Statement {
	t.Helper()
	doc := parsePolicy(t, policy)
	out := map[string]security.Statement{}
	for _, s := range doc.Statement {
		out[s.Sid] = s
	}
	return out
}

// issue 22: a copy in another account is that account's: its bucket is named after it, its key
// lives and is administered there, and the stack's account reaches the copy through exactly two
// of its roles (replication writes, Velero reads), named by aws:PrincipalArn, through S3 in the
// copy region only, and never deletes.
func TestBackupCopyInAnotherAccountGrantsTheSourceItsTwoRolesOnly(t *testing.T) {
	p := planWithCopyInAccount(t)
	bucket := offline.MustGet(t, p, bucketType, "velero-copy-dev")
	key := offline.MustGet(t, p, "aws:kms/key:Key", "velero-copy-key-dev")
	if bucket.String("bucket") != crossAccountCopy {
		t.Errorf("copy bucket %q, want %q (named after the copy account)", bucket.String("bucket"), crossAccountCopy)
	}
	enc := offline.MustGet(t, p, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "velero-copy-encryption-dev")
	if arn := enc.String("rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId"); !strings.HasPrefix(arn, "arn:aws:kms:us-west-2:"+copyAccount+":key/") {
		t.Errorf("copy encrypted with %q, want a key of account %s in us-west-2", arn, copyAccount)
	}
	// The roles' ARNs as IAM gives them: the stack's account and the roles' names in the plan.
	roleArn := func(logical string) string {
		return "arn:aws:iam::" + offline.AccountID + ":role/" + offline.MustGet(t, p, "aws:iam/role:Role", logical).String("name")
	}
	replicationRole, veleroRole := roleArn("velero-replication-role-dev"), roleArn("velero-dev")
	sourceRoot := "arn:aws:iam::" + offline.AccountID + ":root"

	type grant struct {
		role    string
		actions string
	}
	check := func(what string, statements map[string]security.Statement, want map[string]grant, via string) {
		t.Helper()
		for sid, g := range want {
			s, ok := statements[sid]
			if !ok {
				t.Errorf("%s: no statement %s", what, sid)
				continue
			}
			if s.Effect != security.Allow || s.Principal["AWS"].String() != sourceRoot || strings.Join(s.Action, ",") != g.actions {
				t.Errorf("%s %s: %s %v %v, want Allow of %s to %s", what, sid, s.Effect, s.Principal, s.Action, g.actions, sourceRoot)
			}
			if got := s.Condition["ArnEquals"]["aws:PrincipalArn"]; strings.Join(got, ",") != g.role {
				t.Errorf("%s %s: aws:PrincipalArn %v, want %s", what, sid, got, g.role)
			}
			if got := s.Condition["StringEquals"]["kms:ViaService"]; strings.Join(got, ",") != via {
				t.Errorf("%s %s: kms:ViaService %v, want %q", what, sid, got, via)
			}
		}
		// Nothing else reaches the stack's account, and nothing there may delete.
		for sid, s := range statements {
			if _, wanted := want[sid]; !wanted && strings.Contains(s.Principal["AWS"].String(), offline.AccountID) {
				t.Errorf("%s %s also grants the stack's account %v", what, sid, s.Action)
			}
			for _, a := range s.Action {
				if s.Effect == security.Allow && strings.Contains(a, "Delete") && strings.Contains(s.Principal["AWS"].String(), offline.AccountID) {
					t.Errorf("%s %s lets the stack's account %s", what, sid, a)
				}
			}
		}
	}
	keyPolicy := statementsBySid(t, key.String("policy"))
	check("copy key policy", keyPolicy, map[string]grant{
		"AllowReplicationFromTheSourceAccount":  {replicationRole, "kms:Encrypt,kms:GenerateDataKey"},
		"AllowRestoreByTheSourceAccountsVelero": {veleroRole, "kms:Decrypt"},
	}, "s3.us-west-2.amazonaws.com")
	if admin := keyPolicy["AllowKeyAdministrationByAdminRoles"]; admin.Principal["AWS"].String() != "arn:aws:iam::"+copyAccount+":role/eks-platform-backup-copy-dev" {
		t.Errorf("copy key administered by %v, want the copy account's backup-copy role", admin.Principal)
	}
	if use := keyPolicy["AllowKeyUseAndReadThroughIAM"]; use.Principal["AWS"].String() != "arn:aws:iam::"+copyAccount+":root" {
		t.Errorf("copy key used through the IAM of %v, want the copy account", use.Principal)
	}
	bucketPolicy := offline.MustGet(t, p, "aws:s3/bucketPolicy:BucketPolicy", "velero-copy-policy-dev")
	statements := statementsBySid(t, bucketPolicy.String("policy"))
	if _, ok := statements["DenyInsecureTransport"]; !ok {
		t.Error("copy bucket policy lost its TLS-only deny")
	}
	check("copy bucket policy", statements, map[string]grant{
		"AllowReplicationFromTheSourceAccount":   {replicationRole, "s3:ReplicateObject,s3:ReplicateTags"},
		"AllowTheSourceAccountToCheckVersioning": {replicationRole, "s3:GetBucketVersioning,s3:ListBucket"},
		"AllowRestoreByTheSourceAccountsVelero":  {veleroRole, "s3:GetObject,s3:ListBucket"},
	}, "")
	// The replicas belong to the copy account because its bucket enforces bucket-owner
	// ownership; the replication waits for that setting.
	ownership := offline.MustGet(t, p, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "velero-copy-ownership-dev")
	rep := offline.MustGet(t, p, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-bucket-replication-dev")
	if ownership.String("rule.objectOwnership") != "BucketOwnerEnforced" || !rep.DependsOn(ownership.URN) {
		t.Errorf("copy ownership %q (replication waits: %v), want BucketOwnerEnforced first", ownership.String("rule.objectOwnership"), rep.DependsOn(ownership.URN))
	}
	if got := rep.String("rules.0.destination.bucket"); got != "arn:aws:s3:::"+crossAccountCopy {
		t.Errorf("replication into %q, want the copy account's bucket", got)
	}
}

// issue 22: a copy in the stack's own account needs no resource-policy grant: its key policy is
// the governance alone and its bucket policy the TLS-only deny.
func TestBackupCopyInTheSameAccountGrantsNothingByResourcePolicy(t *testing.T) {
	p := planWithCopy(t)
	if got := statementsBySid(t, offline.MustGet(t, p, "aws:s3/bucketPolicy:BucketPolicy", "velero-copy-policy-dev").String("policy")); len(got) != 1 {
		t.Errorf("same-account copy bucket policy has %d statements, want the TLS-only deny", len(got))
	}
}
