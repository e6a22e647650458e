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
	// What replication needs is there, each on its own resource.
	want := map[string]string{
		"ReadSourceConfiguration": testBucketArn, "ReadSourceVersions": testBucketArn + "/*",
		"CheckCopyVersioning": "arn:aws:s3:::" + copyBucket, "WriteCopies": "arn:aws:s3:::" + copyBucket + "/*",
		"DecryptSourceObjects": "arn:aws:kms:us-east-1:123456789012:key/src", "EncryptCopies": "arn:aws:kms:us-west-2:123456789012:key/copy",
	}
	for _, s := range doc.Statement {
		if got, ok := want[s.Sid]; !ok || s.Resource.String() != got {
			t.Errorf("statement %s on %v, want one of %v", s.Sid, s.Resource, want)
		}
		delete(want, s.Sid)
	}
	for sid := range want {
		t.Errorf("no statement %s", sid)
	}
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

// planWithCopyInAccount copies to us-west-2 in a backup account, as the composition root
// configures it: no provider, no key, no admins, since nothing is made there.
func planWithCopyInAccount(t *testing.T) *offline.Plan {
	t.Helper()
	return plan(t, func(a *Args) {
		a.BackupObjectLockDays = 30
		a.BackupCopy = &BackupCopy{Region: "us-west-2", AccountID: copyAccount}
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

// issue 22: a copy in a backup account is that account's: the stack makes nothing there and has
// no provider for it; it replicates into the copy bucket by name, encrypts with the copy key by
// its alias, and its IAM policies grant the key only with that alias (kms:ResourceAliases),
// through S3 of the copy region.
func TestBackupCopyInABackupAccountIsReachedByNameOnly(t *testing.T) {
	p := planWithCopyInAccount(t)
	// (The stack's one AWS provider is checked by tests/stack: the composition root makes them.)
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Name, "velero-copy") {
			t.Errorf("the stack makes %s %s for a copy in another account", r.Type, r.Name)
		}
	}
	rep := offline.MustGet(t, p, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-bucket-replication-dev")
	if got := rep.String("rules.0.destination.bucket"); got != "arn:aws:s3:::"+crossAccountCopy {
		t.Errorf("replication into %q, want the backup account's bucket", got)
	}
	alias := "alias/velero-copy-dev"
	if got := rep.String("rules.0.destination.encryptionConfiguration.replicaKmsKeyId"); got != "arn:aws:kms:us-west-2:"+copyAccount+":"+alias {
		t.Errorf("replicas encrypted with %q, want the backup account's key by its alias", got)
	}
	keyGrant := func(what string, s security.Statement, actions string) {
		t.Helper()
		if strings.Join(s.Action, ",") != actions || s.Resource.String() != "arn:aws:kms:us-west-2:"+copyAccount+":key/*" ||
			s.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"].String() != alias ||
			s.Condition["StringEquals"]["kms:ViaService"].String() != "s3.us-west-2.amazonaws.com" ||
			strings.Join(s.Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"], ",") != "arn:aws:s3:::"+crossAccountCopy+",arn:aws:s3:::"+crossAccountCopy+"/*" {
			t.Errorf("%s: %+v, want %s on the backup account's key with alias %s, through S3 of us-west-2", what, s, actions, alias)
		}
	}
	replication := statementsBySid(t, offline.MustGet(t, p, "aws:iam/rolePolicy:RolePolicy", "velero-replication-policy-dev").String("policy"))
	keyGrant("replication", replication["EncryptCopies"], "kms:Encrypt,kms:GenerateDataKey")
	// Anyone may create a bucket of the copy's name while the backup account has none: the
	// grants hold only for the bucket the backup account owns.
	ownedByTheBackupAccount := func(what string, s security.Statement) {
		t.Helper()
		if got := s.Condition["StringEquals"]["aws:ResourceAccount"].String(); got != copyAccount {
			t.Errorf("%s %s holds for a bucket of account %q, want only %s's", what, s.Sid, got, copyAccount)
		}
	}
	for sid, want := range map[string]string{"WriteCopies": "arn:aws:s3:::" + crossAccountCopy + "/*", "CheckCopyVersioning": "arn:aws:s3:::" + crossAccountCopy} {
		if got := replication[sid].Resource.String(); got != want {
			t.Errorf("replication %s on %q, want %q", sid, got, want)
		}
		ownedByTheBackupAccount("replication", replication[sid])
	}
	velero := offline.MustGet(t, p, "aws:iam/rolePolicy:RolePolicy", "velero-dev")
	veleroPolicy := statementsBySid(t, velero.String("policy"))
	keyGrant("Velero", veleroPolicy["DecryptBackupCopy"], "kms:Decrypt")
	if got := veleroPolicy["ReadBackupCopy"].Resource; strings.Join(got, ",") != "arn:aws:s3:::"+crossAccountCopy+",arn:aws:s3:::"+crossAccountCopy+"/*" {
		t.Errorf("Velero reads %v, want the backup account's copy", got)
	}
	ownedByTheBackupAccount("Velero", veleroPolicy["ReadBackupCopy"])
}

// issue 22: a copy in the stack's own account needs no resource-policy grant: its key policy is
// the governance alone and its bucket policy the TLS-only deny.
func TestBackupCopyInTheSameAccountGrantsNothingByResourcePolicy(t *testing.T) {
	p := planWithCopy(t)
	if got := statementsBySid(t, offline.MustGet(t, p, "aws:s3/bucketPolicy:BucketPolicy", "velero-copy-policy-dev").String("policy")); len(got) != 1 {
		t.Errorf("same-account copy bucket policy has %d statements, want the TLS-only deny", len(got))
	}
}
