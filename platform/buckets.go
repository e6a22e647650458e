package platform

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// Object Lock of the prod backup bucket (issue 22). COMPLIANCE, not GOVERNANCE: a governance lock
// yields to anyone with s3:BypassGovernanceRetention, which an attacker holding the account's
// admin role has; a compliance lock yields to nobody, the root user included, until it expires
// (docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html, "Retention modes").
const objectLockMode = "COMPLIANCE"

// bucketSpec is one of the platform's buckets: the backup bucket and its access-log bucket share
// every setting but these.
type bucketSpec struct {
	logical string             // logical name base, e.g. "velero-bucket"
	name    pulumi.StringInput // physical bucket name
	// kmsKeyArn encrypts the objects with SSE-KMS; nil means SSE-S3, the only encryption a
	// target of S3 server access logs accepts (docs.aws.amazon.com/AmazonS3/latest/userguide/
	// enable-server-access-logging.html).
	kmsKeyArn pulumi.StringInput
	// expireDays expires current objects, noncurrentDays the versions deletes leave behind.
	expireDays, noncurrentDays int
	// objectLockDays, when above 0, locks every new object version for that many days.
	objectLockDays int
	// policy is the bucket policy, given the bucket's ARN; nil means bucketPolicy with no more
	// than the TLS-only deny.
	policy func(bucketArn pulumi.StringOutput) pulumi.StringOutput
}

// newBucket creates a versioned, encrypted, owner-enforced bucket closed to the public and to
// plain HTTP, with its lifecycle rule and, when asked, its Object Lock. protect keeps the bucket
// and every setting: deleting the public access block or the policy from a bucket full of
// backups would open it. opts carry the parent, and the provider of another region for the backup copy. The settings
// replication must follow (versioning, ownership, and the Object Lock: S3 fails, and never
// retries, the replication of a locked object into a bucket not yet locked) are returned with
// the bucket.
func newBucket(ctx *pulumi.Context, env string, spec bucketSpec, protect bool, opts ...pulumi.ResourceOption) (*s3.BucketV2, []pulumi.Resource, error) {
	name := func(part string) string { return naming.Name(spec.logical+part, env) }
	keep := pulumi.Composite(append(opts, pulumi.Protect(protect), pulumi.RetainOnDelete(protect))...)

	bucket, err := s3.NewBucketV2(ctx, name(""), &s3.BucketV2Args{
		Bucket: spec.name,
		// Dev and staging are torn down with their buckets; a retained prod bucket is never
		// emptied by Pulumi.
		ForceDestroy: pulumi.Bool(!protect),
		Tags:         pulumi.StringMap{"Name": spec.name},
	}, keep)
	if err != nil {
		return nil, nil, err
	}

	versioning, err := s3.NewBucketVersioningV2(ctx, name("-versioning"), &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, keep)
	if err != nil {
		return nil, nil, err
	}

	encryption := s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String("AES256"),
	}
	if spec.kmsKeyArn != nil {
		encryption = s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: spec.kmsKeyArn,
		}
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name("-encryption"), &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: encryption,
			// An S3 bucket key cuts the KMS requests (and their cost) of many small objects.
			BucketKeyEnabled: pulumi.Bool(spec.kmsKeyArn != nil),
		}},
	}, keep); err != nil {
		return nil, nil, err
	}

	publicAccess, err := s3.NewBucketPublicAccessBlock(ctx, name("-public-access"), &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, keep)
	if err != nil {
		return nil, nil, err
	}

	// Every object belongs to the bucket's account, whoever writes it, and ACLs are off: S3's
	// default for new buckets since April 2023, set here so an audit sees it and a change is a
	// diff. A copy in another account relies on it to own the replicas (no owner override).
	ownership, err := s3.NewBucketOwnershipControls(ctx, name("-ownership"), &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, keep, pulumi.DependsOn([]pulumi.Resource{publicAccess}))
	if err != nil {
		return nil, nil, err
	}

	var policy pulumi.StringOutput
	if spec.policy != nil {
		policy = spec.policy(bucket.Arn)
	} else {
		policy = bucket.Arn.ApplyT(func(arn string) (string, error) { return bucketPolicy(arn).JSON() }).(pulumi.StringOutput)
	}
	// S3 rejects concurrent changes to one bucket's access settings, so the policy follows the
	// public access block.
	if _, err := s3.NewBucketPolicy(ctx, name("-policy"), &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policy,
	}, keep, pulumi.DependsOn([]pulumi.Resource{ownership})); err != nil {
		return nil, nil, err
	}

	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name("-lifecycle"), &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire"),
			Status: pulumi.String("Enabled"),
			Filter: s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
				Days: pulumi.Int(spec.expireDays),
			},
			NoncurrentVersionExpiration: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(spec.noncurrentDays),
			},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(abortIncompleteUploadDays),
			},
		}},
		// Lifecycle rules on noncurrent versions need versioning to be on first.
	}, keep, pulumi.DependsOn([]pulumi.Resource{versioning})); err != nil {
		return nil, nil, err
	}

	settled := []pulumi.Resource{versioning, ownership}
	if spec.objectLockDays > 0 {
		// S3 enables Object Lock on an existing versioned bucket through this configuration, so
		// adding it later does not replace the bucket. Lifecycle expiry waits for a lock to end.
		lock, err := s3.NewBucketObjectLockConfigurationV2(ctx, name("-object-lock"), &s3.BucketObjectLockConfigurationV2Args{
			Bucket:            bucket.ID(),
			ObjectLockEnabled: pulumi.String("Enabled"),
			Rule: s3.BucketObjectLockConfigurationV2RuleArgs{
				DefaultRetention: s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
					Mode: pulumi.String(objectLockMode),
					Days: pulumi.Int(spec.objectLockDays),
				},
			},
		}, keep, pulumi.DependsOn([]pulumi.Resource{versioning}))
		if err != nil {
			return nil, nil, err
		}
		settled = append(settled, lock)
	}
	return bucket, settled, nil
}

// bucketPolicy denies every request to the bucket that does not use TLS (P3), besides the given
// statements.
func bucketPolicy(bucketArn string, statements ...security.Statement) security.PolicyDocument {
	return security.PolicyDocument{Statement: append([]security.Statement{{
		Sid:       "DenyInsecureTransport",
		Effect:    security.Deny,
		Principal: map[string]security.StringList{"AWS": {"*"}},
		Action:    security.StringList{"s3:*"},
		Resource:  security.StringList{bucketArn, bucketArn + "/*"},
		Condition: security.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	}}, statements...)}
}

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

// backupStore is where backups live: the bucket Velero writes, and its copy in another region
// when one is configured (copy and copyKeyArn stay nil without).
type backupStore struct {
	bucket     *s3.BucketV2
	copy       *s3.BucketV2
	copyKeyArn pulumi.StringOutput
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
	// Velero deletes expired backups itself; the lifecycle rule is the backstop, a grace period
	// after the TTL, and also expires the versions deleted objects leave behind, one retention
	// period later.
	backupSpec := bucketSpec{
		logical: "velero-bucket", name: bucketName, kmsKeyArn: args.DataKmsKeyArn,
		expireDays: args.BackupRetentionDays + lifecycleGraceDays, noncurrentDays: args.BackupRetentionDays,
		objectLockDays: args.BackupObjectLockDays,
	}
	bucket, settled, err := newBucket(ctx, args.Environment, backupSpec, args.Protect, parent)
	if err != nil {
		return nil, err
	}

	logBucketName := accountID.ApplyT(func(id string) string {
		return accessLogBucketName(args.ClusterName, id)
	}).(pulumi.StringOutput)
	logBucket, _, err := newBucket(ctx, args.Environment, bucketSpec{
		logical: "s3-access-logs", name: logBucketName,
		expireDays: args.AccessLogRetentionDays, noncurrentDays: 1,
		policy: func(logBucketArn pulumi.StringOutput) pulumi.StringOutput {
			return pulumi.All(logBucketArn, bucket.Arn, accountID).ApplyT(func(v []any) (string, error) {
				logArn := v[0].(string)
				return bucketPolicy(logArn, serverAccessLogDelivery(logArn, v[1].(string), v[2].(string))).JSON()
			}).(pulumi.StringOutput)
		},
	}, args.Protect, parent)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLoggingV2(ctx, naming.Name("velero-bucket-access-logging", args.Environment), &s3.BucketLoggingV2Args{
		Bucket:       bucket.ID(),
		TargetBucket: logBucket.ID(),
		TargetPrefix: pulumi.String("velero/"),
	}, parent, pulumi.Protect(args.Protect), pulumi.RetainOnDelete(args.Protect)); err != nil {
		return nil, err
	}

	store := &backupStore{bucket: bucket}
	if args.BackupCopy != nil {
		if err := newBackupCopy(ctx, comp, args, accountID, store, backupSpec, settled); err != nil {
			return nil, err
		}
	}
	return store, nil
}
