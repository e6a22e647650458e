package platform

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/bucket"
	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// serverAccessLogDelivery lets S3's logging service write the access logs of the source bucket,
// in this account only, into the log bucket (the bucket-policy form AWS recommends over ACLs).
func serverAccessLogDelivery(logBucketArn, sourceBucketArn, accountID string) security.Statement {
	return security.Statement{
		Sid:       "S3ServerAccessLogsDelivery",
		Effect:    security.Allow,
		Principal: map[string]security.StringList{"Service": {"logging.s3.amazonaws.com"}},
		Action:    security.StringList{"s3:PutObject"},
		Resource:  security.StringList{logBucketArn + "/*"},
		Condition: security.Condition{
			"ArnLike":      {"aws:SourceArn": {sourceBucketArn}},
			"StringEquals": {"aws:SourceAccount": {accountID}},
		},
	}
}

// backupStore is where backups live: the bucket Velero writes, and its copy when one is
// configured (nil without).
type backupStore struct {
	bucket *s3.BucketV2
	copy   *copyTarget
}

// newBackupBuckets creates the backup bucket (P3), the bucket its S3 server access logs go to,
// and, with a copy region, the copy (issue 22). The backup bucket is encrypted with the platform
// key, its lifecycle expires backups a grace period after their TTL, and in prod every new version
// is locked (Object Lock). The log bucket keeps the access logs as long as the platform keeps its
// other logs.
func newBackupBuckets(ctx *pulumi.Context, comp *Platform, args *Args, accountID pulumi.StringOutput) (*backupStore, error) {
	parent := pulumi.Parent(comp)
	bucketName := accountID.ApplyT(func(id string) string {
		return backupBucketName(args.ClusterName, id)
	}).(pulumi.StringOutput)
	backupSpec := bucket.Backups("velero-bucket", bucketName, args.DataKmsKeyArn, args.BackupRetentionDays, args.BackupObjectLockDays)
	backups, settled, err := bucket.New(ctx, args.Environment, backupSpec, args.Protect, parent)
	if err != nil {
		return nil, err
	}

	logBucketName := accountID.ApplyT(func(id string) string {
		return accessLogBucketName(args.ClusterName, id)
	}).(pulumi.StringOutput)
	logBucket, _, err := bucket.New(ctx, args.Environment, bucket.Spec{
		Logical: "s3-access-logs", Name: logBucketName,
		ExpireDays: args.AccessLogRetentionDays, NoncurrentDays: 1,
		Policy: func(logBucketArn pulumi.StringOutput) pulumi.StringOutput {
			return pulumi.All(logBucketArn, backups.Arn, accountID).ApplyT(func(v []any) (string, error) {
				logArn := v[0].(string)
				return bucket.Policy(logArn, serverAccessLogDelivery(logArn, v[1].(string), v[2].(string))).JSON()
			}).(pulumi.StringOutput)
		},
	}, args.Protect, parent)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLoggingV2(ctx, naming.Name("velero-bucket-access-logging", args.Environment), &s3.BucketLoggingV2Args{
		Bucket:       backups.ID(),
		TargetBucket: logBucket.ID(),
		TargetPrefix: pulumi.String("velero/"),
	}, parent, pulumi.Protect(args.Protect), pulumi.RetainOnDelete(args.Protect)); err != nil {
		return nil, err
	}

	store := &backupStore{bucket: backups}
	if args.BackupCopy != nil {
		if err := newBackupCopy(ctx, comp, args, accountID, store, backupSpec, settled); err != nil {
			return nil, err
		}
	}
	return store, nil
}
