package account

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/security"
)

// issue 22: the backup account keeps prod's copy and nothing else: a key administered by its own
// admin roles only, and a locked bucket; the stack's account reaches them through exactly its
// replication role (encrypt, write replicas) and its Velero role (decrypt, read), named by
// aws:PrincipalArn, and nothing of it may delete, re-key or re-lock anything.
func TestBackupAccountKeepsTheCopyAndLetsInTwoSourceRoles(t *testing.T) {
	const source, backup = "777788889999", "999988887777"
	plan := planOf(t, "prod-backup")
	sourceRoot := "arn:aws:iam::" + source + ":root"
	replication := "arn:aws:iam::" + source + ":role/eks-platform-prod-backup-replication"
	velero := "arn:aws:iam::" + source + ":role/velero-prod"
	for _, r := range plan.Resources {
		if strings.HasPrefix(r.Type, "aws:iam/") {
			t.Errorf("the backup account gets %s %s: no identity of it is for the source account", r.Type, r.Name)
		}
		if strings.HasPrefix(r.Type, "aws:") && (!r.Protect || !r.RetainOnDelete) {
			t.Errorf("%s is not protected and retained", r.Name)
		}
	}
	key := offline.MustGet(t, plan, "aws:kms/key:Key", "velero-copy-key-prod-prod-backup")
	alias := offline.MustGet(t, plan, "aws:kms/alias:Alias", "velero-copy-key-alias-prod-prod-backup")
	if alias.String("name") != "alias/velero-copy-prod" || key.Input("enableKeyRotation") != true || key.Input("deletionWindowInDays") != float64(30) {
		t.Errorf("copy key: alias %q, rotation %v, window %v", alias.String("name"), key.Input("enableKeyRotation"), key.Input("deletionWindowInDays"))
	}
	copyBucket := offline.MustGet(t, plan, "aws:s3/bucketV2:BucketV2", "velero-copy-prod-prod-backup")
	copyArn := "arn:aws:s3:::vcopy-eks-platform-prod-" + backup
	if copyBucket.String("bucket") != "vcopy-eks-platform-prod-"+backup {
		t.Errorf("copy bucket %q", copyBucket.String("bucket"))
	}
	lock := byBucket(t, plan, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", copyBucket)
	lifecycle := byBucket(t, plan, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", copyBucket)
	ownership := byBucket(t, plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", copyBucket)
	if lock.String("rule.defaultRetention.mode") != "COMPLIANCE" || lock.Input("rule.defaultRetention.days") != float64(90) ||
		lifecycle.Input("rules.0.expiration.days") != float64(97) || lifecycle.Input("rules.0.noncurrentVersionExpiration.noncurrentDays") != float64(90) ||
		ownership.String("rule.objectOwnership") != "BucketOwnerEnforced" {
		t.Errorf("copy lock %v, lifecycle %v, ownership %v: want COMPLIANCE 90 days, expiry after 97, bucket owner enforced", lock.Inputs["rule"], lifecycle.Inputs["rules"], ownership.Inputs["rule"])
	}

	type grant struct{ role, actions, resources, via, context string }
	denies := map[string]security.Statement{}
	check := func(what, policy string, admins []string, want map[string]grant) {
		t.Helper()
		for _, s := range decodePolicy(t, policy).Statement {
			principal := s.Principal["AWS"].String()
			switch g, ok := want[s.Sid]; {
			case ok:
				delete(want, s.Sid)
				if s.Effect != security.Allow || principal != sourceRoot || strings.Join(s.Action, ",") != g.actions || strings.Join(s.Resource, ",") != g.resources ||
					s.Condition["ArnEquals"]["aws:PrincipalArn"].String() != g.role || s.Condition["StringEquals"]["kms:ViaService"].String() != g.via ||
					strings.Join(s.Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"], ",") != g.context {
					t.Errorf("%s %s: %+v, want %s of %s on %s (via %q, for %q)", what, s.Sid, s, g.actions, g.role, g.resources, g.via, g.context)
				}
			case s.Effect == security.Deny:
				denies[s.Sid] = s
			case strings.Contains(principal, source):
				t.Errorf("%s %s also grants the source account %v", what, s.Sid, s.Action)
			case s.Sid == "AllowKeyAdministrationByAdminRoles" && !slices.Equal(s.Principal["AWS"], security.StringList(admins)):
				t.Errorf("%s: administered by %v, want %v", what, s.Principal["AWS"], admins)
			}
		}
		for sid := range want {
			t.Errorf("%s has no statement %s", what, sid)
		}
	}
	via, forTheCopy := "s3.us-west-2.amazonaws.com", copyArn+","+copyArn+"/*"
	check("copy key policy", key.String("policy"), []string{"arn:aws:iam::" + backup + ":role/backup-account-admin"}, map[string]grant{
		"AllowReplicationFromTheSourceAccount":  {replication, "kms:Encrypt,kms:GenerateDataKey", "*", via, forTheCopy},
		"AllowRestoreByTheSourceAccountsVelero": {velero, "kms:Decrypt", "*", via, forTheCopy},
	})
	check("copy bucket policy", byBucket(t, plan, "aws:s3/bucketPolicy:BucketPolicy", copyBucket).String("policy"), nil, map[string]grant{
		"AllowReplicationFromTheSourceAccount":            {replication, "s3:ReplicateObject,s3:ReplicateTags", copyArn + "/*", "", ""},
		"AllowTheSourceAccountsReplicationToCheckTheCopy": {replication, "s3:GetBucketVersioning,s3:ListBucket", copyArn, "", ""},
		"AllowRestoreByTheSourceAccountsVelero":           {velero, "s3:GetObject,s3:ListBucket", copyArn + "," + copyArn + "/*", "", ""},
	})
	// The source sets its replicas' retention: one shorter or longer than the backups' lock (90
	// days, a day either side) is refused, for every principal.
	for sid, bound := range map[string][2]string{
		"DenyReplicasLockedShorterThanTheBackups": {"NumericLessThan", "89"},
		"DenyReplicasLockedLongerThanTheBackups":  {"NumericGreaterThan", "91"},
	} {
		s := denies[sid]
		if s.Principal["AWS"].String() != "*" || s.Action.String() != "s3:ReplicateObject" || s.Resource.String() != copyArn+"/*" ||
			s.Condition[bound[0]]["s3:object-lock-remaining-retention-days"].String() != bound[1] {
			t.Errorf("copy bucket policy %s: %+v, want a deny of s3:ReplicateObject for everyone when %s %s days remain", sid, s, bound[0], bound[1])
		}
	}
}

// The backup account's copy is what prod's committed plan replicates to and restores from: the
// replication rule's bucket and key alias are the ones made here, and the roles let in here,
// by the key policy and by the bucket policy, are the ones that plan makes.
func TestBackupAccountIsWhatProdsPlanUses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "tests", "stack", "testdata", "plan-prod.json"))
	if err != nil {
		t.Fatal(err)
	}
	var prod offline.Plan
	if err := json.Unmarshal(data, &prod); err != nil {
		t.Fatal(err)
	}
	backup := planOf(t, "prod-backup")
	copyBucket := offline.MustGet(t, backup, "aws:s3/bucketV2:BucketV2", "velero-copy-prod-prod-backup")
	alias := offline.MustGet(t, backup, "aws:kms/alias:Alias", "velero-copy-key-alias-prod-prod-backup")
	rule := offline.MustGet(t, &prod, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-bucket-replication-prod")
	if got, want := rule.String("rules.0.destination.bucket"), "arn:aws:s3:::"+copyBucket.String("bucket"); got != want {
		t.Errorf("prod replicates to %s, the backup account makes %s", got, want)
	}
	if got, want := rule.String("rules.0.destination.encryptionConfiguration.replicaKmsKeyId"), "arn:aws:kms:us-west-2:999988887777:"+alias.String("name"); got != want {
		t.Errorf("prod encrypts its replicas with %s, the backup account's key is %s", got, want)
	}
	roles := map[string]bool{}
	for _, r := range prod.ByType("aws:iam/role:Role") {
		roles[r.String("name")] = true
	}
	named := 0
	for _, policy := range []string{
		offline.MustGet(t, backup, "aws:kms/key:Key", "velero-copy-key-prod-prod-backup").String("policy"),
		byBucket(t, backup, "aws:s3/bucketPolicy:BucketPolicy", copyBucket).String("policy"),
	} {
		for _, s := range decodePolicy(t, policy).Statement {
			for _, arn := range s.Condition["ArnEquals"]["aws:PrincipalArn"] {
				named++
				if name := arn[strings.LastIndex(arn, "/")+1:]; !roles[name] || !strings.HasPrefix(arn, "arn:aws:iam::777788889999:role/") {
					t.Errorf("the backup account lets in %s (%s), which prod's plan does not make (roles %v)", arn, s.Sid, roles)
				}
			}
		}
	}
	if named != 5 {
		t.Errorf("the copy's policies name source roles %d times, want 5 (2 in the key policy, 3 in the bucket policy)", named)
	}
}
