package platform

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/bucket"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/nodegroups"
	"github.com/acme/eks-platform/security"
)

const (
	bucketType     = "aws:s3/bucketV2:BucketV2"
	testBucketName = "velero-eks-platform-dev-123456789012"
	testBucketArn  = "arn:aws:s3:::" + testBucketName
)

// bucketPart returns the bucket sub-resource of the given kind ("-encryption", "-policy", ...).
func bucketPart(t *testing.T, p *offline.Plan, typ, part string) offline.Resource {
	t.Helper()
	r := offline.MustGet(t, p, typ, "velero-bucket"+part+"-dev")
	if r.String("bucket") != testBucketName {
		t.Errorf("%s applies to bucket %q, want %q", r.Name, r.String("bucket"), testBucketName)
	}
	return r
}

func parsePolicy(t *testing.T, raw string) security.PolicyDocument {
	t.Helper()
	var doc security.PolicyDocument
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, raw)
	}
	return doc
}

// P3: the bucket has a deterministic, account-unique name; dev's is destroyed with the stack.
func TestBackupBucketNameAndLifetimeInDev(t *testing.T) {
	b := offline.MustGet(t, plan(t, nil), bucketType, "velero-bucket-dev")
	if b.String("bucket") != testBucketName || b.String("tags.Name") != testBucketName {
		t.Errorf("bucket %q (Name tag %q), want %q", b.String("bucket"), b.String("tags.Name"), testBucketName)
	}
	if b.Protect || b.RetainOnDelete || b.Input("forceDestroy") != true {
		t.Errorf("dev bucket: protect=%v retain=%v forceDestroy=%v, want false/false/true",
			b.Protect, b.RetainOnDelete, b.Input("forceDestroy"))
	}
}

// P3: prod keeps the bucket, its backups and its protections when the stack is destroyed; dev
// removes them all.
func TestProdBackupBucketIsProtectedAndRetained(t *testing.T) {
	p := plan(t, func(a *Args) { a.Protect = true })
	b := offline.MustGet(t, p, bucketType, "velero-bucket-dev")
	if b.Input("forceDestroy") != false {
		t.Error("prod bucket has forceDestroy: pulumi would empty it")
	}
	dev := plan(t, nil)
	parts := 0
	for _, r := range p.Resources {
		if !strings.HasPrefix(r.Type, "aws:s3/") {
			continue
		}
		parts++
		if !r.Protect || !r.RetainOnDelete {
			t.Errorf("prod %s: protect=%v retain=%v, want both", r.Name, r.Protect, r.RetainOnDelete)
		}
		if d := offline.MustGet(t, dev, r.Type, r.Name); d.Protect || d.RetainOnDelete {
			t.Errorf("dev %s: protect=%v retain=%v, want neither", d.Name, d.Protect, d.RetainOnDelete)
		}
	}
	// Two buckets (backups, their access logs) of seven parts each, and the logging setting.
	if parts != 15 {
		t.Errorf("checked %d bucket resources, want 15 (bucket, versioning, encryption, public access, ownership, policy, lifecycle, twice; logging)", parts)
	}
}

// P3, S1: objects are encrypted with the data key, with an S3 bucket key.
func TestBackupBucketIsEncryptedWithThePlatformKey(t *testing.T) {
	r := bucketPart(t, plan(t, nil), "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "-encryption")
	if got := r.String("rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"); got != "aws:kms" {
		t.Errorf("sseAlgorithm = %q, want aws:kms", got)
	}
	if got := r.String("rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId"); got != testKeyArn {
		t.Errorf("kmsMasterKeyId = %q, want the data key", got)
	}
	if r.Input("rules.0.bucketKeyEnabled") != true {
		t.Error("bucketKeyEnabled is not true")
	}
}

// P3: versioning is on and every kind of public access is blocked.
func TestBackupBucketIsVersionedAndPrivate(t *testing.T) {
	p := plan(t, nil)
	v := bucketPart(t, p, "aws:s3/bucketVersioningV2:BucketVersioningV2", "-versioning")
	if got := v.String("versioningConfiguration.status"); got != "Enabled" {
		t.Errorf("versioning status = %q, want Enabled", got)
	}
	// Every object belongs to the bucket's account and ACLs are off (issue 22: a copy in another
	// account owns its replicas this way, with no owner override).
	for _, r := range p.Resources {
		if r.Type == "aws:s3/bucketV2:BucketV2" {
			o := offline.MustGet(t, p, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", strings.TrimSuffix(r.Name, "-dev")+"-ownership-dev")
			if got := o.String("rule.objectOwnership"); got != "BucketOwnerEnforced" || o.String("bucket") != r.String("bucket") {
				t.Errorf("%s: object ownership %q on %q, want BucketOwnerEnforced on %q", o.Name, got, o.String("bucket"), r.String("bucket"))
			}
		}
	}
	block := bucketPart(t, p, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-public-access")
	for _, key := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if block.Input(key) != true {
			t.Errorf("%s = %v, want true", key, block.Input(key))
		}
	}
}

// P3: the bucket policy denies any request without TLS, to the bucket and its objects.
func TestBackupBucketPolicyDeniesPlainHTTP(t *testing.T) {
	p := plan(t, nil)
	r := bucketPart(t, p, "aws:s3/bucketPolicy:BucketPolicy", "-policy")
	doc := parsePolicy(t, r.String("policy"))
	if len(doc.Statement) != 1 {
		t.Fatalf("policy has %d statements, want 1", len(doc.Statement))
	}
	s := doc.Statement[0]
	if s.Effect != security.Deny || s.Principal["AWS"].String() != "*" || strings.Join(s.Action, ",") != "s3:*" {
		t.Errorf("statement %+v is not a deny of everything for everyone", s)
	}
	if strings.Join(s.Resource, ",") != testBucketArn+","+testBucketArn+"/*" {
		t.Errorf("resources %v, want the bucket and its objects", s.Resource)
	}
	if got := s.Condition["Bool"]["aws:SecureTransport"]; strings.Join(got, ",") != "false" {
		t.Errorf("condition %v, want aws:SecureTransport=false", s.Condition)
	}
	// S3 refuses concurrent changes to one bucket's access settings: public access block, then
	// ownership, then policy.
	ownership := bucketPart(t, p, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "-ownership")
	if !r.DependsOn(ownership.URN) || !ownership.DependsOn(bucketPart(t, p, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-public-access").URN) {
		t.Error("the bucket policy does not wait for the ownership controls, or they do not wait for the public access block")
	}
}

// P3: objects expire a grace period after the backups' TTL, so that Velero, which deletes an
// expired backup's EBS snapshots from the list kept in the bucket, always finds that list; the
// versions deleted objects leave expire after the retention period.
func TestBackupBucketLifecycleExpiresAfterRetention(t *testing.T) {
	p := plan(t, func(a *Args) { a.BackupRetentionDays = 45 })
	r := bucketPart(t, p, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "-lifecycle")
	// S3 expires objects at the first midnight UTC after their age is reached and Velero's
	// garbage collection runs hourly: a grace of under two days could still race it.
	if bucket.GraceDays < 2 {
		t.Errorf("bucket.GraceDays = %d, want at least 2", bucket.GraceDays)
	}
	want := map[string]any{
		"rules.0.status":                                             "Enabled",
		"rules.0.filter.prefix":                                      "",
		"rules.0.expiration.days":                                    float64(45 + bucket.GraceDays),
		"rules.0.noncurrentVersionExpiration.noncurrentDays":         float64(45),
		"rules.0.abortIncompleteMultipartUpload.daysAfterInitiation": float64(bucket.AbortIncompleteUploadDays),
	}
	for path, value := range want {
		if got := r.Input(path); got != value {
			t.Errorf("%s = %v, want %v", path, got, value)
		}
	}
	if !r.DependsOn(bucketPart(t, p, "aws:s3/bucketVersioningV2:BucketVersioningV2", "-versioning").URN) {
		t.Error("the lifecycle configuration does not wait for versioning")
	}
}

// S3: only velero/velero-server may assume the Velero role, within the permissions boundary.
func TestVeleroRoleTrustsOnlyTheVeleroServiceAccount(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/boundary"
	role := offline.MustGet(t, plan(t, func(a *Args) { a.PermissionsBoundaryArn = boundary }), "aws:iam/role:Role", "velero-dev")
	if got := role.String("permissionsBoundary"); got != boundary {
		t.Errorf("permissionsBoundary = %q, want %q", got, boundary)
	}
	doc := parsePolicy(t, role.String("assumeRolePolicy"))
	sub := doc.Statement[0].Condition["StringEquals"]["oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"]
	if strings.Join(sub, ",") != "system:serviceaccount:velero:velero-server" {
		t.Errorf("trust policy subject %v, want system:serviceaccount:velero:velero-server", sub)
	}
}

// P3, S3: Velero's policy is exactly what the object store needs: its bucket, and the platform
// key only through S3 for that bucket. It holds no EC2 permission at all, since the EBS CSI driver
// takes and restores the snapshots on its own role, and cannot purge object versions.
func TestVeleroPolicyIsLimitedToItsBucket(t *testing.T) {
	p := plan(t, nil)
	doc := parsePolicy(t, offline.MustGet(t, p, "aws:iam/rolePolicy:RolePolicy", "velero-dev").String("policy"))
	var actions []string
	for _, s := range doc.Statement {
		if s.Effect != security.Allow {
			t.Errorf("%s: unexpected effect %s", s.Sid, s.Effect)
		}
		for _, action := range s.Action {
			actions = append(actions, action)
			for _, resource := range s.Resource {
				switch service := strings.SplitN(action, ":", 2)[0]; {
				case service == "s3" && resource != testBucketArn && resource != testBucketArn+"/*":
					t.Errorf("%s: %s on %s, which is not the backup bucket", s.Sid, action, resource)
				case service == "kms" && resource != testKeyArn:
					t.Errorf("%s: %s on %s, which is not the data key", s.Sid, action, resource)
				case service != "s3" && service != "kms":
					t.Errorf("%s: %s on %s; Velero needs only S3 and KMS", s.Sid, action, resource)
				}
			}
			if strings.HasPrefix(action, "kms:") {
				if got := strings.Join(s.Condition["StringEquals"]["kms:ViaService"], ","); got != "s3."+testRegion+".amazonaws.com" {
					t.Errorf("%s: %s through %q, want only S3 in %s", s.Sid, action, got, testRegion)
				}
				if got := strings.Join(s.Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"], ","); got != testBucketArn+","+testBucketArn+"/*" {
					t.Errorf("%s: %s for encryption context %q, want the backup bucket and its objects", s.Sid, action, got)
				}
			}
		}
	}
	sort.Strings(actions)
	want := []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:AbortMultipartUpload", "s3:DeleteObject",
		"s3:GetObject", "s3:ListBucket", "s3:ListMultipartUploadParts", "s3:PutObject"}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Errorf("policy allows %v, want exactly %v", actions, want)
	}
}

// P3: Velero uses the bucket, region and key, IRSA instead of a key Secret, the pinned AWS
// plugin for the object store, CSI snapshots for the volumes, and a daily schedule of the
// workload namespaces that snapshots their volumes and is kept for the retention period.
func TestVeleroReleaseBacksUpTheWorkloadNamespacesDaily(t *testing.T) {
	r := release(t, plan(t, nil), releaseVelero)
	bsl, _ := valueAt(r, "configuration", "backupStorageLocation").([]any)
	plugins, _ := valueAt(r, "initContainers").([]any)
	if len(bsl) != 1 || len(plugins) != 1 {
		t.Fatalf("want one storage location and one plugin; got %v %v", bsl, plugins)
	}
	checks := map[string][2]any{
		"bucket":          {bsl[0].(map[string]any)["bucket"], testBucketName},
		"provider":        {bsl[0].(map[string]any)["provider"], "aws"},
		"bsl region":      {bsl[0].(map[string]any)["config"].(map[string]any)["region"], testRegion},
		"bsl kmsKeyId":    {bsl[0].(map[string]any)["config"].(map[string]any)["kmsKeyId"], testKeyArn},
		"plugin image":    {plugins[0].(map[string]any)["image"], testPlugin},
		"useSecret":       {valueAt(r, "credentials", "useSecret"), false},
		"schedule":        {valueAt(r, "schedules", "daily", "schedule"), "0 3 * * *"},
		"ttl":             {valueAt(r, "schedules", "daily", "template", "ttl"), "720h"},
		"storageLocation": {valueAt(r, "schedules", "daily", "template", "storageLocation"), storageLocationName},
		"snapshotVolumes": {valueAt(r, "schedules", "daily", "template", "snapshotVolumes"), true},
		"node agent":      {valueAt(r, "deployNodeAgent"), false},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", what, c[0], c[1])
		}
	}
	included, _ := valueAt(r, "schedules", "daily", "template", "includedNamespaces").([]any)
	if len(included) != 2 || included[0] != "apps" || included[1] != "payments" {
		t.Errorf("schedule backs up %v, want %v", included, testWorkloadNamespaces)
	}
	if got := valueAt(r, "nodeSelector", nodegroups.RoleLabelKey); got != "system" {
		t.Errorf("Velero nodeSelector = %v, want system", got)
	}
}

// P3: Velero snapshots the CSI volumes through the CSI snapshot API (the EnableCSI feature) and
// keeps them as EBS snapshots. The AWS plugin's snapshot location (which would need EC2 rights on
// Velero's role) is gone, and nothing refers to it.
func TestVeleroSnapshotsCSIVolumes(t *testing.T) {
	r := release(t, plan(t, nil), releaseVelero)
	features := strings.Split(valueString(t, r, "configuration", "features"), ",")
	if !slices.Contains(features, csiFeatureFlag) {
		t.Errorf("Velero features %v lack %s: backups would hold no volume data", features, csiFeatureFlag)
	}
	if got := valueAt(r, "configuration", "defaultSnapshotMoveData"); got != false {
		t.Errorf("defaultSnapshotMoveData = %v, want false", got)
	}
	absent := map[string]any{
		"snapshotsEnabled":                 valueAt(r, "snapshotsEnabled"),
		"volumeSnapshotLocation":           valueAt(r, "configuration", "volumeSnapshotLocation"),
		"schedule volumeSnapshotLocations": valueAt(r, "schedules", "daily", "template", "volumeSnapshotLocations"),
	}
	for what, got := range absent {
		if got != nil && got != false {
			t.Errorf("%s = %v: the chart would create a snapshot location for the AWS plugin", what, got)
		}
	}
}

// S4: the Velero pods satisfy the restricted Pod Security Standard their namespace enforces.
func TestVeleroPodsMeetRestrictedPodSecurity(t *testing.T) {
	r := release(t, plan(t, nil), releaseVelero)
	pod := map[string]any{"runAsNonRoot": true, "runAsUser": float64(veleroUID)}
	for key, want := range pod {
		if got := valueAt(r, "podSecurityContext", key); got != want {
			t.Errorf("podSecurityContext.%s = %v, want %v", key, got, want)
		}
	}
	if got := valueAt(r, "podSecurityContext", "seccompProfile", "type"); got != "RuntimeDefault" {
		t.Errorf("seccompProfile = %v, want RuntimeDefault", got)
	}
	plugin := valueAt(r, "initContainers").([]any)[0].(map[string]any)
	for name, context := range map[string]any{
		"server": valueAt(r, "containerSecurityContext"),
		"plugin": plugin["securityContext"],
	} {
		c, _ := context.(map[string]any)
		drop, _ := c["capabilities"].(map[string]any)["drop"].([]any)
		if c["allowPrivilegeEscalation"] != false || len(drop) != 1 || drop[0] != "ALL" {
			t.Errorf("%s container securityContext %v is not restricted", name, c)
		}
	}
	if valueAt(r, "upgradeCRDs") != false {
		t.Error("the CRD upgrade hook (unpinned kubectl image) is enabled")
	}
}

func TestBackupTTLIsTheRetentionInHours(t *testing.T) {
	for days, want := range map[int]string{1: "24h", 30: "720h", 90: "2160h"} {
		if got := backupTTL(days); got != want {
			t.Errorf("backupTTL(%d) = %q, want %q", days, got, want)
		}
	}
}

// A Velero role the IRSA helper refuses (here: a name over IAM's 64 characters) fails the plan.
func TestVeleroRoleErrorsSurface(t *testing.T) {
	build := program(func(a *Args) { a.Environment = strings.Repeat("e", 60) })
	_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		_, err := build(ctx)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "IAM allows at most 64") {
		t.Errorf("got error %v, want the IAM role name limit", err)
	}
}

// issue 22: with a lock, every backup version is locked in COMPLIANCE mode for the given days;
// without one there is no lock configuration.
func TestBackupObjectLock(t *testing.T) {
	p := plan(t, func(a *Args) { a.Protect, a.BackupObjectLockDays = true, 30 })
	lock := offline.MustGet(t, p, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "velero-bucket-object-lock-dev")
	if lock.String("objectLockEnabled") != "Enabled" || lock.String("rule.defaultRetention.mode") != "COMPLIANCE" ||
		lock.Input("rule.defaultRetention.days") != float64(30) {
		t.Errorf("object lock = %v, want Enabled, COMPLIANCE, 30 days", lock.Inputs)
	}
	if !lock.Protect || !lock.RetainOnDelete {
		t.Error("prod object lock configuration is not protected and retained")
	}
	if got := len(plan(t, nil).ByType("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")); got != 0 {
		t.Errorf("%d object lock configurations without BackupObjectLockDays", got)
	}
}

// issue 22: the backup bucket's S3 server access logs go to their own bucket, encrypted with
// SSE-S3 (the only encryption a log target accepts), which only S3's logging service, for this
// bucket and this account, may write to, over TLS.
func TestBackupBucketAccessLogging(t *testing.T) {
	p := plan(t, nil)
	logging := offline.MustGet(t, p, "aws:s3/bucketLoggingV2:BucketLoggingV2", "velero-bucket-access-logging-dev")
	logBucket := offline.MustGet(t, p, bucketType, "s3-access-logs-dev")
	if logging.String("bucket") != testBucketName || logging.String("targetBucket") != logBucket.String("bucket") {
		t.Errorf("logging %s -> %s, want %s -> %s", logging.String("bucket"), logging.String("targetBucket"), testBucketName, logBucket.String("bucket"))
	}
	enc := offline.MustGet(t, p, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "s3-access-logs-encryption-dev")
	if got := enc.String("rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"); got != "AES256" {
		t.Errorf("log bucket encryption = %q, want AES256", got)
	}
	policy := offline.MustGet(t, p, "aws:s3/bucketPolicy:BucketPolicy", "s3-access-logs-policy-dev").String("policy")
	for _, want := range []string{`"logging.s3.amazonaws.com"`, `"aws:SourceAccount"`, `"aws:SourceArn"`, `"DenyInsecureTransport"`, "arn:aws:s3:::" + testBucketName} {
		if !strings.Contains(policy, want) {
			t.Errorf("log bucket policy lacks %s: %s", want, policy)
		}
	}
}
