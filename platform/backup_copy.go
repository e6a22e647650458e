package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/bucket"
	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// BackupCopy is where the backups are copied to: another region, and optionally another account
// (issue 22).
type BackupCopy struct {
	Region string
	// AccountID, when set, is the backup account the copy lives in. Its bucket and key are that
	// account's own, made by its bootstrap (README "Backup copy"): the stack only replicates into
	// them and reads them to restore, by their names (bucket.CopyBucketName, bucket.CopyKeyAlias),
	// and has no write access there. Empty: the copy is made here, in the stack's account, with
	// the fields below.
	AccountID string
	// Provider is the AWS provider of the copy region, in the stack's account.
	Provider pulumi.ProviderResource
	// KeyDeletionWindowDays is the pending-deletion window of the copy's own KMS key (7..30).
	KeyDeletionWindowDays int
	// KeyAdminRoleArns administer the copy's key, as they do the platform's keys
	// (security.KeyGovernance).
	KeyAdminRoleArns []string
}

// copyTarget is the copy as the replication rule and the IAM policies name it.
type copyTarget struct {
	bucketName, bucketArn pulumi.StringOutput
	// keyArn is the key the replication rule encrypts the copies with: the copy key's ARN, or,
	// in a backup account, its alias ARN (S3 takes either as ReplicaKmsKeyID).
	keyArn pulumi.StringOutput
	// keyResource is what an IAM policy grants the key on: its ARN, or, in a backup account,
	// any key there that carries keyAlias (kms:ResourceAliases), since its ID is not known here.
	keyResource pulumi.StringOutput
	keyAlias    string
	// account, for a copy in a backup account, is that account: the grants on its bucket hold
	// only for a bucket it owns (aws:ResourceAccount), since anyone may create a bucket of that
	// name while the backup account has none.
	account string
}

// newBackupCopy replicates every backup object into the copy with S3 replication, on a role
// that may do only that, and makes the copy first when it lives in the stack's account. Deletes
// are not replicated (delete-marker replication off): a backup deleted in the source, by Velero
// at its TTL or by anyone else, stays in the copy until the copy's own lifecycle expires it.
func newBackupCopy(ctx *pulumi.Context, comp *Platform, args *Args, accountID pulumi.StringOutput,
	store *backupStore, source bucket.Spec, sourceSettled []pulumi.Resource) error {
	parent := pulumi.Parent(comp)
	keep := pulumi.Composite(pulumi.Protect(args.Protect), pulumi.RetainOnDelete(args.Protect))
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent)

	target, copySettled := inBackupAccount(partition.Partition(), args), []pulumi.Resource(nil)
	if args.BackupCopy.AccountID == "" {
		var err error
		if target, copySettled, err = newCopyHere(ctx, comp, args, accountID, partition.Partition(), source); err != nil {
			return err
		}
	}

	// Without the role or its policy the copy stops silently, so in prod both are kept like the
	// buckets (keep).
	roleName := bucket.ReplicationRoleName(args.ClusterName)
	role, err := iam.NewRole(ctx, naming.Name("velero-replication-role", args.Environment), &iam.RoleArgs{
		Name:        pulumi.String(roleName),
		Description: pulumi.String("S3 replication of the backups of " + args.ClusterName + " to " + args.BackupCopy.Region),
		AssumeRolePolicy: accountID.ApplyT(func(id string) (string, error) {
			return security.PolicyDocument{Statement: []security.Statement{{
				Effect:    security.Allow,
				Principal: map[string]security.StringList{"Service": {"s3.amazonaws.com"}},
				Action:    security.StringList{"sts:AssumeRole"},
				Condition: security.Condition{"StringEquals": {"aws:SourceAccount": {id}}},
			}}}.JSON()
		}).(pulumi.StringOutput),
		PermissionsBoundary: optionalBoundary(args.PermissionsBoundaryArn),
	}, parent, keep)
	if err != nil {
		return err
	}
	policy, err := iam.NewRolePolicy(ctx, naming.Name("velero-replication-policy", args.Environment), &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: pulumi.All(partition.DnsSuffix(), store.bucket.Arn, target.bucketArn, args.DataKmsKeyArn, target.keyResource).ApplyT(func(v []any) (string, error) {
			return replicationPolicy(replicationScope{
				sourceS3: fmt.Sprintf("s3.%s.%s", args.Region, v[0].(string)),
				copyS3:   fmt.Sprintf("s3.%s.%s", args.BackupCopy.Region, v[0].(string)),
				source:   v[1].(string), copy: v[2].(string), sourceKey: v[3].(string), copyKey: v[4].(string),
				copyKeyAlias: target.keyAlias, copyAccount: target.account,
			}).JSON()
		}).(pulumi.StringOutput),
	}, parent, keep)
	if err != nil {
		return err
	}

	// S3 checks on this call that the role may be passed and that the source is versioned.
	if _, err := s3.NewBucketReplicationConfig(ctx, naming.Name("velero-bucket-replication", args.Environment), &s3.BucketReplicationConfigArgs{
		Bucket: store.bucket.ID(),
		Role:   role.Arn,
		Rules: s3.BucketReplicationConfigRuleArray{s3.BucketReplicationConfigRuleArgs{
			Id:                      pulumi.String(replicationRuleID(args.BackupCopy.Region)),
			Status:                  pulumi.String("Enabled"),
			Filter:                  s3.BucketReplicationConfigRuleFilterArgs{Prefix: pulumi.String("")},
			DeleteMarkerReplication: s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{Status: pulumi.String("Disabled")},
			// Every backup object is SSE-KMS; without this S3 replicates none of them.
			SourceSelectionCriteria: s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs{
				SseKmsEncryptedObjects: s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs{Status: pulumi.String("Enabled")},
			},
			// The replicas belong to the copy's account without S3's owner override: every
			// copy bucket enforces bucket-owner ownership (S3 User Guide, "Changing the replica
			// owner").
			Destination: s3.BucketReplicationConfigRuleDestinationArgs{
				Bucket:                  target.bucketArn,
				EncryptionConfiguration: s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs{ReplicaKmsKeyId: target.keyArn},
				// Replication metrics (OperationsFailedReplication and others in AWS/S3, by source
				// bucket, destination bucket and rule) feed the replication alarm; a failed object
				// is never retried by S3 itself. 15 minutes is the only threshold S3 takes.
				Metrics: s3.BucketReplicationConfigRuleDestinationMetricsArgs{
					Status:         pulumi.String("Enabled"),
					EventThreshold: s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs{Minutes: pulumi.Int(15)},
				},
			},
		}},
	}, parent, keep, pulumi.DependsOn(append(append(append([]pulumi.Resource{}, sourceSettled...), copySettled...), policy))); err != nil {
		return err
	}
	store.copy = target
	return nil
}

// inBackupAccount is a copy in the backup account, known by its names there.
func inBackupAccount(partition pulumi.StringOutput, args *Args) *copyTarget {
	c := args.BackupCopy
	name := bucket.CopyBucketName(args.ClusterName, c.AccountID)
	alias := bucket.CopyKeyAlias(args.Environment)
	kmsArn := func(resource string) pulumi.StringOutput {
		return partition.ApplyT(func(p string) string {
			return fmt.Sprintf("arn:%s:kms:%s:%s:%s", p, c.Region, c.AccountID, resource)
		}).(pulumi.StringOutput)
	}
	return &copyTarget{
		bucketName:  pulumi.String(name).ToStringOutput(),
		bucketArn:   partition.ApplyT(func(p string) string { return fmt.Sprintf("arn:%s:s3:::%s", p, name) }).(pulumi.StringOutput),
		keyArn:      kmsArn(alias),
		keyResource: kmsArn("key/*"),
		keyAlias:    alias,
		account:     c.AccountID,
	}
}

// newCopyHere creates, in the copy region of the stack's account, a KMS key of the copy's own and
// the copy bucket (the backup bucket's settings and lock). The settings replication must wait for
// are returned with it.
func newCopyHere(ctx *pulumi.Context, comp *Platform, args *Args, accountID, partition pulumi.StringOutput,
	source bucket.Spec) (*copyTarget, []pulumi.Resource, error) {
	parent := pulumi.Parent(comp)
	inCopyRegion := pulumi.Provider(args.BackupCopy.Provider)
	keyName := naming.Name("velero-copy-key", args.Environment)
	key, err := kms.NewKey(ctx, keyName, &kms.KeyArgs{
		Description:          pulumi.Sprintf("Backups of %s copied to %s", args.ClusterName, args.BackupCopy.Region),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(args.BackupCopy.KeyDeletionWindowDays),
		// The platform keys' governance and nothing more: the replication role and Velero get
		// their use of the copy's key from their IAM policies.
		Policy: pulumi.All(partition, accountID).ApplyT(func(v []any) (string, error) {
			return security.PolicyDocument{Statement: security.KeyGovernance(v[0].(string), v[1].(string), args.BackupCopy.KeyAdminRoleArns)}.JSON()
		}).(pulumi.StringOutput),
		Tags: pulumi.StringMap{"Name": pulumi.String(keyName)},
	}, parent, inCopyRegion, pulumi.Protect(args.Protect))
	if err != nil {
		return nil, nil, err
	}
	spec := source
	spec.Logical = "velero-copy"
	spec.Name = accountID.ApplyT(func(id string) string { return bucket.CopyBucketName(args.ClusterName, id) }).(pulumi.StringOutput)
	spec.KmsKeyArn = key.Arn
	copyBucket, settled, err := bucket.New(ctx, args.Environment, spec, args.Protect, parent, inCopyRegion)
	if err != nil {
		return nil, nil, err
	}
	return &copyTarget{bucketName: copyBucket.Bucket, bucketArn: copyBucket.Arn, keyArn: key.Arn, keyResource: key.Arn}, settled, nil
}

// replicationRuleID names the replication rule after where it copies to.
func replicationRuleID(region string) string { return "copy-to-" + region }

func optionalBoundary(arn string) pulumi.StringPtrInput {
	if arn == "" {
		return nil
	}
	return pulumi.String(arn)
}

// replicationScope is what the replication role is scoped to: both buckets, both keys, and S3's
// endpoint in each region (the kms:ViaService of the key calls S3 makes for it). copyKeyAlias,
// for a copy in a backup account, narrows copyKey (any key there) to the key with that alias.
type replicationScope struct {
	sourceS3, copyS3                 string
	source, copy, sourceKey, copyKey string
	copyKeyAlias, copyAccount        string
}

// replicationPolicy is the permission set the S3 replication guide gives for SSE-KMS objects
// (docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html), with
// the Object Lock reads a locked source needs, and nothing more. A copy in another account must
// allow the same in its bucket and key policies (its bootstrap's).
func replicationPolicy(s replicationScope) security.PolicyDocument {
	return security.PolicyDocument{Statement: []security.Statement{
		{
			Sid:      "ReadSourceConfiguration",
			Effect:   security.Allow,
			Action:   security.StringList{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			Resource: security.StringList{s.source},
		},
		{
			Sid:    "ReadSourceVersions",
			Effect: security.Allow,
			Action: security.StringList{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
				"s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"},
			Resource: security.StringList{s.source + "/*"},
		},
		{
			Sid:       "CheckCopyVersioning",
			Effect:    security.Allow,
			Action:    security.StringList{"s3:GetBucketVersioning", "s3:ListBucket"},
			Resource:  security.StringList{s.copy},
			Condition: ownedBy(s.copyAccount),
		},
		{
			Sid:       "WriteCopies",
			Effect:    security.Allow,
			Action:    security.StringList{"s3:ReplicateObject", "s3:ReplicateTags"},
			Resource:  security.StringList{s.copy + "/*"},
			Condition: ownedBy(s.copyAccount),
		},
		{
			Sid:       "DecryptSourceObjects",
			Effect:    security.Allow,
			Action:    security.StringList{"kms:Decrypt"},
			Resource:  security.StringList{s.sourceKey},
			Condition: security.Condition{"StringEquals": {"kms:ViaService": {s.sourceS3}}, "StringLike": {"kms:EncryptionContext:aws:s3:arn": {s.source, s.source + "/*"}}},
		},
		{
			Sid:       "EncryptCopies",
			Effect:    security.Allow,
			Action:    security.StringList{"kms:Encrypt", "kms:GenerateDataKey"},
			Resource:  security.StringList{s.copyKey},
			Condition: withKeyAlias(security.Condition{"StringEquals": {"kms:ViaService": {s.copyS3}}, "StringLike": {"kms:EncryptionContext:aws:s3:arn": {s.copy, s.copy + "/*"}}}, s.copyKeyAlias),
		},
	}}
}

// ownedBy holds a grant on a bucket named in another account to the bucket that account owns;
// "" (a bucket of this account) needs no condition.
func ownedBy(account string) security.Condition {
	if account == "" {
		return nil
	}
	return security.Condition{"StringEquals": {"aws:ResourceAccount": {account}}}
}

// withKeyAlias narrows a grant on any key of an account to the key carrying alias (KMS condition
// key kms:ResourceAliases, which KMS evaluates on the key's own aliases); "" leaves it as is.
func withKeyAlias(c security.Condition, alias string) security.Condition {
	if alias != "" {
		c["ForAnyValue:StringEquals"] = map[string]security.StringList{"kms:ResourceAliases": {alias}}
	}
	return c
}
