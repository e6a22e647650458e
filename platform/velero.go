package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/security"
)

// Velero's Kubernetes identity. The chart's default service account name is
// "<release>-server"; it is set explicitly because the IRSA role trusts exactly this name (S3).
const (
	VeleroNamespace      = "velero"
	VeleroServiceAccount = "velero-server"
	veleroRoleBaseName   = "velero"
)

const (
	// storageLocationName names the BackupStorageLocation.
	storageLocationName = "default"
	dailyScheduleName   = "daily"
	// maxBucketNameLength is S3's limit on bucket names.
	maxBucketNameLength = 63
	// accountIDPlaceholder stands for the account ID when checking the bucket name's length:
	// every AWS account ID has 12 digits.
	accountIDPlaceholder = "000000000000"
	// csiFeatureFlag is the Velero server feature that snapshots CSI volumes.
	csiFeatureFlag = "EnableCSI"
	// veleroUID is the "nonroot" user of the distroless Velero image and of the AWS plugin image.
	// It must be numeric for runAsNonRoot to be verifiable.
	veleroUID = 65532
)

// veleroRelease is the Velero release: one server, which Velero does not run twice.
var veleroRelease = releaseSpec{
	name: releaseVelero, chartKey: ChartVelero, chart: "velero",
	namespace: VeleroNamespace, ownNamespace: true,
	serviceAccount: &serviceAccount{path: []string{"serviceAccount", "server"}, name: VeleroServiceAccount},
	// No system priority: Velero is not on the path of running workloads, so it should not
	// preempt them.
	pods: []podGroup{{singleton: true, resources: computeResources{"500m", "128Mi", "1", "512Mi"}}},
}

// backups is what newBackups creates.
type backups struct {
	bucket  *s3.BucketV2
	copy    *copyTarget // nil without a copy region
	role    *security.IRSARole
	release *helmv3.Release
}

// backupBucketName is "velero-<cluster>-<account>": bucket names are global, and the account ID
// makes the name unique without randomness.
func backupBucketName(clusterName, accountID string) string {
	return fmt.Sprintf("velero-%s-%s", clusterName, accountID)
}

// accessLogBucketName is "s3logs-<cluster>-<account>", where the backup bucket's S3 access logs
// go; as long as the backup bucket's name, so the same cluster names fit.
func accessLogBucketName(clusterName, accountID string) string {
	return fmt.Sprintf("s3logs-%s-%s", clusterName, accountID)
}

// newBackups creates the backup bucket, Velero's IRSA role, the VolumeSnapshotClass and the
// Velero release with its daily schedule (P3). The release waits for the load balancer controller
// like every other release, and for the snapshot class, so that no backup runs before its volumes
// can be snapshotted.
func newBackups(ctx *pulumi.Context, comp *Platform, args *Args, loadBalancerController *helmv3.Release) (*backups, error) {
	parent := pulumi.Parent(comp)
	identity := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent)
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent)

	store, err := newBackupBuckets(ctx, comp, args, identity.AccountId())
	if err != nil {
		return nil, err
	}
	bucket := store.bucket

	inputs := []any{partition.DnsSuffix(), bucket.Arn, args.DataKmsKeyArn}
	if store.copy != nil {
		inputs = append(inputs, store.copy.bucketArn, store.copy.keyResource)
	}
	policy := pulumi.All(inputs...).ApplyT(
		func(v []any) (string, error) {
			scope := veleroScope{
				s3Endpoint: fmt.Sprintf("s3.%s.%s", args.Region, v[0].(string)),
				bucketArn:  v[1].(string),
				kmsKeyArn:  v[2].(string),
			}
			if store.copy != nil {
				scope.copy = &veleroScope{
					s3Endpoint: fmt.Sprintf("s3.%s.%s", args.BackupCopy.Region, v[0].(string)),
					bucketArn:  v[3].(string),
					kmsKeyArn:  v[4].(string),
					keyAlias:   store.copy.keyAlias,
					account:    store.copy.account,
				}
			}
			return veleroPolicy(scope).JSON()
		}).(pulumi.StringOutput)
	role, err := security.NewIRSARole(ctx, veleroRoleBaseName, &security.IRSARoleArgs{
		Environment:            args.Environment,
		OidcProviderArn:        args.OidcProviderArn,
		OidcProviderUrl:        args.OidcProviderUrl,
		Namespace:              VeleroNamespace,
		ServiceAccount:         VeleroServiceAccount,
		Policy:                 policy,
		PermissionsBoundaryArn: args.PermissionsBoundaryArn,
	}, parent)
	if err != nil {
		return nil, err
	}

	snapshotClass, err := newSnapshotClass(ctx, comp, args)
	if err != nil {
		return nil, err
	}

	dependsOn := append([]pulumi.Resource{loadBalancerController, snapshotClass}, args.DependsOn...)
	release, err := installRelease(ctx, comp, args, veleroRelease, veleroSettings(args, bucket.Bucket), role.Arn, dependsOn)
	if err != nil {
		return nil, err
	}
	return &backups{bucket: bucket, copy: store.copy, role: role, release: release}, nil
}

// veleroScope is what Velero's policy is scoped to, known once the bucket and key exist.
type veleroScope struct {
	// s3Endpoint is S3's regional name ("s3.eu-west-1.amazonaws.com"), the kms:ViaService value of
	// requests S3 makes with the key on Velero's behalf.
	s3Endpoint           string
	bucketArn, kmsKeyArn string
	// keyAlias and account, for a copy in a backup account: keyAlias narrows kmsKeyArn (any key
	// there) to the key with that alias, account the bucket to the one that account owns.
	keyAlias, account string
	// copy, when set, is the backup copy in another region, which Velero may read to restore
	// from it (README "Restore runbook"), never write.
	copy *veleroScope
}

// veleroPolicy lets Velero use its own bucket and nothing else (P3, S3). It has no EC2
// permission: volumes are snapshotted and restored through the CSI snapshot API, and the EBS CSI
// driver makes those calls on its own role. It has no s3:DeleteObjectVersion: a deleted backup
// stays recoverable as a noncurrent version until the lifecycle rule expires it.
func veleroPolicy(s veleroScope) security.PolicyDocument {
	statements := []security.Statement{
		{
			Sid:    "ReadWriteBackupObjects",
			Effect: security.Allow,
			Action: security.StringList{"s3:GetObject", "s3:PutObject", "s3:DeleteObject",
				"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			Resource: security.StringList{s.bucketArn + "/*"},
		},
		{
			Sid:      "ListBackupBucket",
			Effect:   security.Allow,
			Action:   security.StringList{"s3:ListBucket"},
			Resource: security.StringList{s.bucketArn},
		},
		s.keyUse("UsePlatformKeyForTheBucketOnly", "kms:GenerateDataKey", "kms:Decrypt"),
	}
	if c := s.copy; c != nil {
		statements = append(statements,
			security.Statement{
				Sid:       "ReadBackupCopy",
				Effect:    security.Allow,
				Action:    security.StringList{"s3:GetObject", "s3:ListBucket"},
				Resource:  security.StringList{c.bucketArn, c.bucketArn + "/*"},
				Condition: ownedBy(c.account),
			},
			c.keyUse("DecryptBackupCopy", "kms:Decrypt"))
	}
	return security.PolicyDocument{Statement: statements}
}

// keyUse lets Velero use the scope's key only through S3 in the scope's region and only for its
// bucket. The objects are SSE-KMS: S3 generates and decrypts their data keys with the caller's
// permissions, and the bucket's ARN is the encryption context S3 uses with a bucket key (an
// object's ARN without one).
func (s veleroScope) keyUse(sid string, actions ...string) security.Statement {
	return security.Statement{
		Sid:      sid,
		Effect:   security.Allow,
		Action:   security.StringList(actions),
		Resource: security.StringList{s.kmsKeyArn},
		Condition: withKeyAlias(security.Condition{
			"StringEquals": {"kms:ViaService": {s.s3Endpoint}},
			"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {s.bucketArn, s.bucketArn + "/*"}},
		}, s.keyAlias),
	}
}

// veleroSettings configure Velero for the bucket and this region, with IRSA credentials instead
// of a key Secret, the AWS plugin pinned for the object store, CSI snapshots for the volumes, and
// the daily schedule of the workload namespaces. The pods meet the restricted Pod Security
// Standard of their namespace.
func veleroSettings(args *Args, bucketName pulumi.StringOutput) pulumi.Map {
	return pulumi.Map{
		"initContainers": pulumi.Array{pulumi.Map{
			"name":            pulumi.String("velero-plugin-for-aws"),
			"image":           pulumi.String(args.VeleroAwsPluginImage),
			"imagePullPolicy": pulumi.String("IfNotPresent"),
			// The chart's "plugins" emptyDir, from which the server loads plugins.
			"volumeMounts":    pulumi.Array{pulumi.Map{"mountPath": pulumi.String("/target"), "name": pulumi.String("plugins")}},
			"securityContext": restrictedContainer(),
			"resources":       computeResources{"50m", "64Mi", "200m", "128Mi"}.values(),
		}},
		"podSecurityContext": restrictedPod(pulumi.Map{
			"runAsNonRoot": pulumi.Bool(true),
			"runAsUser":    pulumi.Int(veleroUID),
			"runAsGroup":   pulumi.Int(veleroUID),
			"fsGroup":      pulumi.Int(veleroUID),
		}),
		"containerSecurityContext": restrictedContainer(),
		"credentials":              pulumi.Map{"useSecret": pulumi.Bool(false)},
		// The CRD upgrade hook pulls a kubectl image tagged only with the cluster version; the CRDs
		// ship in the chart's crds/ directory and are installed by Helm.
		"upgradeCRDs": pulumi.Bool(false),
		// File-system backups need the privileged node agent; volumes are backed up as EBS
		// snapshots instead.
		"deployNodeAgent": pulumi.Bool(false),
		// In this chart snapshotsEnabled only creates VolumeSnapshotLocations, which are for
		// snapshotter plugins. Volumes are snapshotted through the CSI snapshot API instead
		// (EnableCSI), which needs no location: the EBS CSI driver takes the snapshots on its own
		// role, so Velero's role needs no EC2 permissions at all (least privilege, P3).
		"snapshotsEnabled": pulumi.Bool(false),
		"configuration": pulumi.Map{
			"backupStorageLocation": pulumi.Array{pulumi.Map{
				"name":     pulumi.String(storageLocationName),
				"provider": pulumi.String("aws"),
				"bucket":   bucketName,
				"default":  pulumi.Bool(true),
				// S3 refuses a PutObject into an Object Lock bucket without a Content-MD5 or
				// checksum header; the AWS plugin sends one with checksumAlgorithm (its default,
				// written out because the prod bucket depends on it).
				"config": pulumi.Map{"region": pulumi.String(args.Region), "kmsKeyId": args.DataKmsKeyArn, "checksumAlgorithm": pulumi.String("CRC32")},
			}},
			// CSI snapshot support is built into Velero since 1.14 but still off without this
			// flag: a backup would hold the volumes' manifests and none of their data.
			"features": pulumi.String(csiFeatureFlag),
			// The snapshots stay EBS snapshots: moving their data into the bucket would need the
			// node agent.
			"defaultSnapshotMoveData": pulumi.Bool(false),
		},
		"schedules": pulumi.Map{dailyScheduleName: pulumi.Map{
			"schedule": pulumi.String(args.BackupSchedule),
			"template": pulumi.Map{
				"includedNamespaces": pulumi.ToStringArray(args.WorkloadNamespaces),
				"snapshotVolumes":    pulumi.Bool(true),
				"storageLocation":    pulumi.String(storageLocationName),
				"ttl":                pulumi.String(backupTTL(args.BackupRetentionDays)),
			},
		}},
	}
}

// backupTTL is the retention as a Go duration, the form Velero's ttl takes ("720h").
func backupTTL(retentionDays int) string {
	return fmt.Sprintf("%dh", retentionDays*24)
}
