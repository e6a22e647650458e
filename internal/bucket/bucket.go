// Package bucket makes the platform's S3 buckets, each with the same baseline (versioning,
// encryption, public access block, bucket-owner ownership, TLS-only policy, lifecycle, optional
// Object Lock): the platform's backup buckets and the backup account's copies (issue 22).
package bucket

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// AbortIncompleteUploadDays removes the parts of uploads that never completed.
const AbortIncompleteUploadDays = 7

// Object Lock of prod's backup bucket and of its copies (issue 22). COMPLIANCE, not GOVERNANCE: a governance lock
// yields to anyone with s3:BypassGovernanceRetention, which an attacker holding the account's
// admin role has; a compliance lock yields to nobody, the root user included, until it expires
// (docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html, "Retention modes").
const objectLockMode = "COMPLIANCE"

// Spec is one of the platform's buckets (the backup bucket, its access-log bucket, the backup
// copy, in the stack's account or in a backup account): they share every setting but these.
type Spec struct {
	Logical string             // logical name base, e.g. "velero-bucket"
	Name    pulumi.StringInput // physical bucket name
	// KmsKeyArn encrypts the objects with SSE-KMS; nil means SSE-S3, the only encryption a
	// target of S3 server access logs accepts (docs.aws.amazon.com/AmazonS3/latest/userguide/
	// enable-server-access-logging.html).
	KmsKeyArn pulumi.StringInput
	// ExpireDays expires current objects, NoncurrentDays the versions deletes leave behind.
	ExpireDays, NoncurrentDays int
	// ObjectLockDays, when above 0, locks every new object version for that many days.
	ObjectLockDays int
	// Policy is the bucket policy, given the bucket's ARN; nil means Policy with no more
	// than the TLS-only deny.
	Policy func(bucketArn pulumi.StringOutput) pulumi.StringOutput
}

// New creates a versioned, encrypted, owner-enforced bucket closed to the public and to
// plain HTTP, with its lifecycle rule and, when asked, its Object Lock. protect keeps the bucket
// and every setting: deleting the public access block or the policy from a bucket full of
// backups would open it. opts carry the parent, and the provider of another region for the backup copy. The settings
// replication must follow (versioning, ownership, and the Object Lock: S3 fails, and never
// retries, the replication of a locked object into a bucket not yet locked) are returned with
// the bucket.
func New(ctx *pulumi.Context, env string, spec Spec, protect bool, opts ...pulumi.ResourceOption) (*s3.BucketV2, []pulumi.Resource, error) {
	name := func(part string) string { return naming.Name(spec.Logical+part, env) }
	keep := pulumi.Composite(append(opts, pulumi.Protect(protect), pulumi.RetainOnDelete(protect))...)

	bucket, err := s3.NewBucketV2(ctx, name(""), &s3.BucketV2Args{
		Bucket: spec.Name,
		// Dev and staging are torn down with their buckets; a retained prod bucket is never
		// emptied by Pulumi.
		ForceDestroy: pulumi.Bool(!protect),
		Tags:         pulumi.StringMap{"Name": spec.Name},
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
	if spec.KmsKeyArn != nil {
		encryption = s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: spec.KmsKeyArn,
		}
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name("-encryption"), &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: encryption,
			// An S3 bucket key cuts the KMS requests (and their cost) of many small objects.
			BucketKeyEnabled: pulumi.Bool(spec.KmsKeyArn != nil),
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
	if spec.Policy != nil {
		policy = spec.Policy(bucket.Arn)
	} else {
		policy = bucket.Arn.ApplyT(func(arn string) (string, error) { return Policy(arn).JSON() }).(pulumi.StringOutput)
	}
	// S3 rejects concurrent changes to one bucket's access settings, so the policy follows the
	// ownership controls, which follow the public access block.
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
				Days: pulumi.Int(spec.ExpireDays),
			},
			NoncurrentVersionExpiration: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(spec.NoncurrentDays),
			},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(AbortIncompleteUploadDays),
			},
		}},
		// Lifecycle rules on noncurrent versions need versioning to be on first.
	}, keep, pulumi.DependsOn([]pulumi.Resource{versioning})); err != nil {
		return nil, nil, err
	}

	settled := []pulumi.Resource{versioning, ownership}
	if spec.ObjectLockDays > 0 {
		// S3 enables Object Lock on an existing versioned bucket through this configuration, so
		// adding it later does not replace the bucket. Lifecycle expiry waits for a lock to end.
		lock, err := s3.NewBucketObjectLockConfigurationV2(ctx, name("-object-lock"), &s3.BucketObjectLockConfigurationV2Args{
			Bucket:            bucket.ID(),
			ObjectLockEnabled: pulumi.String("Enabled"),
			Rule: s3.BucketObjectLockConfigurationV2RuleArgs{
				DefaultRetention: s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
					Mode: pulumi.String(objectLockMode),
					Days: pulumi.Int(spec.ObjectLockDays),
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

// Policy denies every request to the bucket that does not use TLS (P3), besides the given
// statements.
func Policy(bucketArn string, statements ...security.Statement) security.PolicyDocument {
	return security.PolicyDocument{Statement: append([]security.Statement{{
		Sid:       "DenyInsecureTransport",
		Effect:    security.Deny,
		Principal: map[string]security.StringList{"AWS": {"*"}},
		Action:    security.StringList{"s3:*"},
		Resource:  security.StringList{bucketArn, bucketArn + "/*"},
		Condition: security.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	}}, statements...)}
}
