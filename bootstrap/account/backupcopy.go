package account

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/bucket"
	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// BackupCopyAccountArgs is what the bootstrap of a backup account needs: it keeps, in its own
// region, the copies of the backups of the environments of SourceAccountID (issue 22).
type BackupCopyAccountArgs struct {
	Suffix, Partition, DNSSuffix string
	// AccountID is the backup account, SourceAccountID the account of the platform stacks.
	AccountID, SourceAccountID string
	// Region is the copy region: the platform stacks' backupCopyRegion.
	Region       string
	Environments []string
	// ClusterName is the platform stacks' eks-platform:clusterName; each environment's cluster
	// is <ClusterName>-<env>.
	ClusterName string
	// RetentionDays and ObjectLockDays are the platform stacks' backupRetentionDays and
	// backupObjectLockDays: the copies expire and are locked as the backups are.
	RetentionDays, ObjectLockDays int
	// KeyAdminRoleArns administer the copies' keys: roles of the backup account, among them the
	// one this stack runs as (KMS refuses a key policy that locks out the role setting it).
	KeyAdminRoleArns []string
}

// BackupCopyAccount is a backup account's bootstrap: per environment, the copy's bucket and key.
type BackupCopyAccount struct {
	pulumi.ResourceState

	// CopyBucketNames and CopyKeyArns are by environment.
	CopyBucketNames pulumi.StringMap
	CopyKeyArns     pulumi.StringMap
}

// NewBackupCopyAccount makes, per environment, the copy's KMS key (alias bucket.CopyKeyAlias) and
// bucket (bucket.CopyBucketName: the backup bucket's settings, the same COMPLIANCE lock and
// lifecycle), both protected and retained. The platform stack reaches them by name through its
// replication role (write replicas) and its Velero role (read to restore), which the key and
// bucket policies let in, and nothing else of the source account: no role of it can delete,
// re-key or re-lock a copy, since the backup account alone holds this stack and its state.
func NewBackupCopyAccount(ctx *pulumi.Context, name string, args *BackupCopyAccountArgs, opts ...pulumi.ResourceOption) (*BackupCopyAccount, error) {
	if args == nil || len(args.Environments) == 0 || len(args.KeyAdminRoleArns) == 0 || args.RetentionDays < 1 {
		return nil, fmt.Errorf("backup account %s: needs at least one environment, key administrators and a retention", name)
	}
	comp := &BackupCopyAccount{CopyBucketNames: pulumi.StringMap{}, CopyKeyArns: pulumi.StringMap{}}
	if err := ctx.RegisterComponentResource("eks-platform:bootstrap:BackupCopyAccount", name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)
	keep := pulumi.Composite(pulumi.Protect(true), pulumi.RetainOnDelete(true))
	for _, env := range args.Environments {
		source := args.sourceRoles(env)
		keyPolicy, err := security.PolicyDocument{Statement: append(
			security.KeyGovernance(args.Partition, args.AccountID, args.KeyAdminRoleArns), source.keyStatements()...)}.JSON()
		if err != nil {
			return nil, err
		}
		key, err := kms.NewKey(ctx, naming.Name("velero-copy-key-"+env, args.Suffix), &kms.KeyArgs{
			Description:          pulumi.Sprintf("Copies of the backups of %s (account %s)", source.cluster, args.SourceAccountID),
			EnableKeyRotation:    pulumi.Bool(true),
			DeletionWindowInDays: pulumi.Int(keyDeletionWindowDays),
			Policy:               pulumi.String(keyPolicy),
		}, parent, keep)
		if err != nil {
			return nil, err
		}
		if _, err := kms.NewAlias(ctx, naming.Name("velero-copy-key-alias-"+env, args.Suffix), &kms.AliasArgs{
			Name: pulumi.String(bucket.CopyKeyAlias(env)), TargetKeyId: key.KeyId,
		}, parent, keep); err != nil {
			return nil, err
		}
		name := bucket.CopyBucketName(source.cluster, args.AccountID)
		spec := bucket.Backups("velero-copy-"+env, pulumi.String(name), key.Arn, args.RetentionDays, args.ObjectLockDays)
		spec.Policy = func(arn pulumi.StringOutput) pulumi.StringOutput {
			return arn.ApplyT(func(arn string) (string, error) {
				return bucket.Policy(arn, source.bucketStatements(arn, args.ObjectLockDays)...).JSON()
			}).(pulumi.StringOutput)
		}
		copyBucket, _, err := bucket.New(ctx, args.Suffix, spec, true, parent)
		if err != nil {
			return nil, err
		}
		comp.CopyBucketNames[env] = copyBucket.Bucket
		comp.CopyKeyArns[env] = key.Arn
	}
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"copyBucketNames": comp.CopyBucketNames, "copyKeyArns": comp.CopyKeyArns,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// sourceRoles are the two roles of the source account's environment that reach its copy.
type sourceRoles struct {
	cluster, partition, account, s3Service string
	// copyArn is the copy bucket's ARN, the encryption context S3 uses with its bucket key.
	copyArn             string
	replication, velero string
}

func (a *BackupCopyAccountArgs) sourceRoles(env string) sourceRoles {
	cluster := a.ClusterName + "-" + env
	role := func(name string) string {
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Partition, a.SourceAccountID, name)
	}
	return sourceRoles{
		cluster: cluster, partition: a.Partition, account: a.SourceAccountID, s3Service: fmt.Sprintf("s3.%s.%s", a.Region, a.DNSSuffix),
		copyArn:     fmt.Sprintf("arn:%s:s3:::%s", a.Partition, bucket.CopyBucketName(cluster, a.AccountID)),
		replication: role(bucket.ReplicationRoleName(cluster)), velero: role(bucket.VeleroRoleName(env)),
	}
}

// grant is a statement for one role of the source account. It names the account as the
// principal and the role in aws:PrincipalArn, not the role itself: KMS and S3 store a named role
// as its unique ID, so a role the platform deletes and makes again would silently lose the access,
// and a policy naming a role that does not exist yet is refused (IAM User Guide, "AWS JSON
// policy elements: Principal"). Each action needs the same grant in the role's IAM policy
// (platform: replicationPolicy, veleroPolicy), as for any cross-account access.
func (s sourceRoles) grant(sid, role string, actions, resources []string, condition security.Condition) security.Statement {
	if condition == nil {
		condition = security.Condition{}
	}
	condition["ArnEquals"] = map[string]security.StringList{"aws:PrincipalArn": {role}}
	return security.Statement{
		Sid:       sid,
		Effect:    security.Allow,
		Principal: map[string]security.StringList{"AWS": {fmt.Sprintf("arn:%s:iam::%s:root", s.partition, s.account)}},
		Action:    actions,
		Resource:  resources,
		Condition: condition,
	}
}

// keyStatements let the replication role encrypt the replicas, and Velero decrypt them to
// restore, each only through S3 of the copy region and only for the copy bucket.
func (s sourceRoles) keyStatements() []security.Statement {
	viaS3 := func() security.Condition {
		return security.Condition{
			"StringEquals": {"kms:ViaService": {s.s3Service}},
			"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {s.copyArn, s.copyArn + "/*"}},
		}
	}
	return []security.Statement{
		s.grant("AllowReplicationFromTheSourceAccount", s.replication, []string{"kms:Encrypt", "kms:GenerateDataKey"}, []string{"*"}, viaS3()),
		s.grant("AllowRestoreByTheSourceAccountsVelero", s.velero, []string{"kms:Decrypt"}, []string{"*"}, viaS3()),
	}
}

// bucketStatements let the replication role check the copy's versioning and write replicas and
// their tags, and Velero list and read them. No delete of any kind: only the copy's lifecycle,
// after its lock, removes a replica. A replica carries its source object's retention, which the
// source account controls, so a replica locked for less than lockDays - 1 days or more than
// lockDays + 1 is refused: the source can neither shorten the copies' lock nor fill the backup
// account with versions locked for years (s3:object-lock-remaining-retention-days, which a
// bucket policy applies to replicas when it names s3:ReplicateObject: S3 User Guide, "Object
// Lock considerations", retention limits; a day either side for rounding).
func (s sourceRoles) bucketStatements(copyArn string, lockDays int) []security.Statement {
	refuse := func(sid, op string, days int) security.Statement {
		return security.Statement{
			Sid: sid, Effect: security.Deny, Principal: map[string]security.StringList{"AWS": {"*"}},
			Action: security.StringList{"s3:ReplicateObject"}, Resource: security.StringList{copyArn + "/*"},
			Condition: security.Condition{op: {"s3:object-lock-remaining-retention-days": {fmt.Sprint(days)}}},
		}
	}
	return []security.Statement{
		refuse("DenyReplicasLockedShorterThanTheBackups", "NumericLessThan", lockDays-1),
		refuse("DenyReplicasLockedLongerThanTheBackups", "NumericGreaterThan", lockDays+1),
		s.grant("AllowReplicationFromTheSourceAccount", s.replication, []string{"s3:ReplicateObject", "s3:ReplicateTags"}, []string{copyArn + "/*"}, nil),
		s.grant("AllowTheSourceAccountsReplicationToCheckTheCopy", s.replication, []string{"s3:GetBucketVersioning", "s3:ListBucket"}, []string{copyArn}, nil),
		s.grant("AllowRestoreByTheSourceAccountsVelero", s.velero, []string{"s3:GetObject", "s3:ListBucket"}, []string{copyArn, copyArn + "/*"}, nil),
	}
}
