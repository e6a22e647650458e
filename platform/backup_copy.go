package platform

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// BackupCopy is where the backups are copied to: another region, and optionally another
// account, through an AWS provider configured for it by the composition root (issue 22).
type BackupCopy struct {
	Region string
	// AccountID is the account the copy lives in when it is not the stack's own; Provider then
	// works in that account (a role assumed there). Empty: the stack's account.
	AccountID string
	Provider  pulumi.ProviderResource
	// KeyDeletionWindowDays is the pending-deletion window of the copy's own KMS key (7..30).
	KeyDeletionWindowDays int
	// KeyAdminRoleArns administer the copy's key, as they do the platform's keys
	// (security.KeyGovernance).
	KeyAdminRoleArns []string
}

// copyBucketName is "vcopy-<cluster>-<account>", the copy of velero-<cluster>-<account> in the
// copy region; as long as the backup bucket's name, so the same cluster names fit.
func copyBucketName(clusterName, accountID string) string {
	return fmt.Sprintf("vcopy-%s-%s", clusterName, accountID)
}

// newBackupCopy creates, in the copy region, a KMS key of the copy's own and the copy bucket
// (the backup bucket's settings and lock), and replicates every backup object into it with S3
// replication, on a role that may do only that. Deletes are not replicated (delete-marker
// replication off): a backup deleted in the source, by Velero at its TTL or by anyone else,
// stays in the copy until the copy's own lifecycle expires it.
func newBackupCopy(ctx *pulumi.Context, comp *Platform, args *Args, accountID pulumi.StringOutput,
	store *backupStore, source bucketSpec, sourceSettled []pulumi.Resource) error {
	parent := pulumi.Parent(comp)
	inCopyRegion := pulumi.Provider(args.BackupCopy.Provider)
	keep := pulumi.Composite(pulumi.Protect(args.Protect), pulumi.RetainOnDelete(args.Protect))
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent)

	// In another account, the copy's key and bucket policies name the source account's two roles
	// that use them: the replication role writes the copies, Velero reads them to restore.
	copyAccount := accountID
	if args.BackupCopy.AccountID != "" {
		copyAccount = pulumi.String(args.BackupCopy.AccountID).ToStringOutput()
	}
	roleName := args.ClusterName + "-backup-replication"
	sourceRoles := func(v []any) *sourceAccess {
		if args.BackupCopy.AccountID == "" {
			return nil
		}
		partition, dnsSuffix, source := v[0].(string), v[1].(string), v[2].(string)
		return &sourceAccess{
			account:     source,
			s3Service:   fmt.Sprintf("s3.%s.%s", args.BackupCopy.Region, dnsSuffix),
			replication: roleArn(partition, source, roleName),
			velero:      roleArn(partition, source, naming.Name(veleroRoleBaseName, args.Environment)),
		}
	}
	copyInputs := []any{partition.Partition(), partition.DnsSuffix(), accountID, copyAccount}

	keyName := naming.Name("velero-copy-key", args.Environment)
	key, err := kms.NewKey(ctx, keyName, &kms.KeyArgs{
		Description:          pulumi.Sprintf("Backups of %s copied to %s", args.ClusterName, args.BackupCopy.Region),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(args.BackupCopy.KeyDeletionWindowDays),
		Policy: pulumi.All(copyInputs...).ApplyT(func(v []any) (string, error) {
			return copyKeyPolicy(v[0].(string), v[3].(string), args.BackupCopy.KeyAdminRoleArns, sourceRoles(v)).JSON()
		}).(pulumi.StringOutput),
		Tags: pulumi.StringMap{"Name": pulumi.String(keyName)},
	}, parent, inCopyRegion, pulumi.Protect(args.Protect))
	if err != nil {
		return err
	}

	copySpec := source
	copySpec.logical = "velero-copy"
	copySpec.name = copyAccount.ApplyT(func(id string) string { return copyBucketName(args.ClusterName, id) }).(pulumi.StringOutput)
	copySpec.kmsKeyArn = key.Arn
	if args.BackupCopy.AccountID != "" {
		copySpec.policy = func(copyArn pulumi.StringOutput) pulumi.StringOutput {
			return pulumi.All(append(append([]any{}, copyInputs...), copyArn)...).ApplyT(func(v []any) (string, error) {
				arn := v[4].(string)
				return bucketPolicy(arn, sourceRoles(v).copyBucketStatements(arn)...).JSON()
			}).(pulumi.StringOutput)
		}
	}
	copyBucket, copySettled, err := newBucket(ctx, args.Environment, copySpec, args.Protect, parent, inCopyRegion)
	if err != nil {
		return err
	}

	// Without the role or its policy the copy stops silently, so in prod both are kept like the
	// buckets (keep).
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
		Policy: pulumi.All(partition.DnsSuffix(), store.bucket.Arn, copyBucket.Arn, args.DataKmsKeyArn, key.Arn).ApplyT(func(v []any) (string, error) {
			return replicationPolicy(replicationScope{
				sourceS3: fmt.Sprintf("s3.%s.%s", args.Region, v[0].(string)),
				copyS3:   fmt.Sprintf("s3.%s.%s", args.BackupCopy.Region, v[0].(string)),
				source:   v[1].(string), copy: v[2].(string), sourceKey: v[3].(string), copyKey: v[4].(string),
			}).JSON()
		}).(pulumi.StringOutput),
	}, parent, keep)
	if err != nil {
		return err
	}

	// S3 checks on this call that the role may be passed and that both buckets are versioned.
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
			Destination: s3.BucketReplicationConfigRuleDestinationArgs{
				Bucket:                  copyBucket.Arn,
				EncryptionConfiguration: s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs{ReplicaKmsKeyId: key.Arn},
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
	store.copy, store.copyKeyArn = copyBucket, key.Arn
	return nil
}

// replicationRuleID names the replication rule after where it copies to.
func replicationRuleID(region string) string { return "copy-to-" + region }

func optionalBoundary(arn string) pulumi.StringPtrInput {
	if arn == "" {
		return nil
	}
	return pulumi.String(arn)
}

func roleArn(partition, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, name)
}

// sourceAccess is what a copy in another account lets the stack's account do: its replication
// role writes the copies, its Velero role reads them, both only through S3 in the copy region.
type sourceAccess struct {
	account, s3Service  string
	replication, velero string
}

// fromSourceRole is a statement for one role of the source account. It names the account as the
// principal and the role in aws:PrincipalArn, not the role itself: KMS and S3 store a named role
// as its unique ID, so a role deleted and made again would silently lose the access, and a policy
// naming a role that does not exist yet is refused (IAM User Guide, "AWS JSON policy elements:
// Principal", IAM roles).
func (s *sourceAccess) fromSourceRole(sid, role string, actions, resources []string, condition security.Condition) security.Statement {
	if condition == nil {
		condition = security.Condition{}
	}
	condition["ArnEquals"] = map[string]security.StringList{"aws:PrincipalArn": {role}}
	return security.Statement{
		Sid:       sid,
		Effect:    security.Allow,
		Principal: map[string]security.StringList{"AWS": {fmt.Sprintf("arn:%s:iam::%s:root", strings.Split(role, ":")[1], s.account)}},
		Action:    actions,
		Resource:  resources,
		Condition: condition,
	}
}

// copyKeyStatements let the source account's roles use the copy's key through S3 in the copy
// region: the replication role encrypts the copies, Velero decrypts them to restore. Their IAM
// policies (replicationPolicy, veleroPolicy) must allow the same, as for any cross-account key.
func (s *sourceAccess) copyKeyStatements() []security.Statement {
	viaS3 := func() security.Condition {
		return security.Condition{"StringEquals": {"kms:ViaService": {s.s3Service}}}
	}
	return []security.Statement{
		s.fromSourceRole("AllowReplicationFromTheSourceAccount", s.replication, []string{"kms:Encrypt", "kms:GenerateDataKey"}, []string{"*"}, viaS3()),
		s.fromSourceRole("AllowRestoreByTheSourceAccountsVelero", s.velero, []string{"kms:Decrypt"}, []string{"*"}, viaS3()),
	}
}

// copyBucketStatements let the replication role write replicas (and their tags) into the copy,
// after checking that it is versioned, and Velero list and read them. No delete of any kind: the
// copy account alone expires them. The replicas belong to the copy account without an owner
// override, since every platform bucket enforces bucket-owner ownership (S3 User Guide,
// "Changing the replica owner").
func (s *sourceAccess) copyBucketStatements(copyArn string) []security.Statement {
	return []security.Statement{
		s.fromSourceRole("AllowReplicationFromTheSourceAccount", s.replication, []string{"s3:ReplicateObject", "s3:ReplicateTags"}, []string{copyArn + "/*"}, nil),
		s.fromSourceRole("AllowTheSourceAccountToCheckVersioning", s.replication, []string{"s3:GetBucketVersioning", "s3:ListBucket"}, []string{copyArn}, nil),
		s.fromSourceRole("AllowRestoreByTheSourceAccountsVelero", s.velero, []string{"s3:GetObject", "s3:ListBucket"}, []string{copyArn, copyArn + "/*"}, nil),
	}
}

// copyKeyPolicy is the platform keys' governance, in the copy's account, and, for a copy in
// another account, the source account's use (in its own account the replication role and Velero
// get that use from their IAM policies alone).
func copyKeyPolicy(partition, copyAccount string, admins []string, source *sourceAccess) security.PolicyDocument {
	statements := security.KeyGovernance(partition, copyAccount, admins)
	if source != nil {
		statements = append(statements, source.copyKeyStatements()...)
	}
	return security.PolicyDocument{Statement: statements}
}

// replicationScope is what the replication role is scoped to: both buckets, both keys, and S3's
// endpoint in each region (the kms:ViaService of the key calls S3 makes for it).
type replicationScope struct {
	sourceS3, copyS3                 string
	source, copy, sourceKey, copyKey string
}

// replicationPolicy is the permission set the S3 replication guide gives for SSE-KMS objects
// (docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html), with
// the Object Lock reads a locked source needs, and nothing more.
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
			Sid:      "WriteCopies",
			Effect:   security.Allow,
			Action:   security.StringList{"s3:ReplicateObject", "s3:ReplicateTags"},
			Resource: security.StringList{s.copy + "/*"},
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
			Condition: security.Condition{"StringEquals": {"kms:ViaService": {s.copyS3}}, "StringLike": {"kms:EncryptionContext:aws:s3:arn": {s.copy, s.copy + "/*"}}},
		},
	}}
}
