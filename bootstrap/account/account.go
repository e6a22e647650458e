package account

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/naming"
)

// The names the workflows, scripts/stack.sh and the README use (README "Accounts and
// environments"): roles eks-platform-deploy-<env> and eks-platform-preview-<env>, the secrets
// provider awskms://alias/eks-platform-state.
const (
	deployRolePrefix  = config.DeployRolePrefix
	previewRolePrefix = config.PreviewRolePrefix
	// SecretsKeyAlias is the Pulumi secrets provider's key: awskms://alias/eks-platform-state.
	SecretsKeyAlias = "alias/eks-platform-state"
	// StateBucketKeyAlias is the state bucket's own SSE-KMS key.
	StateBucketKeyAlias = "alias/eks-platform-state-bucket"
	// GitHubIssuer and GitHubAudience are GitHub Actions' OIDC issuer and the audience
	// aws-actions/configure-aws-credentials asks for.
	GitHubIssuer   = "token.actions.githubusercontent.com"
	GitHubAudience = "sts.amazonaws.com"
	// PreviewEnvironmentPrefix: pull-request previews and drift checks run in the GitHub
	// environment preview-<stack> (.github/workflows/pull-request.yml, drift.yml), so the
	// preview role trusts the sub claim repo:<owner>/<name>:environment:preview-<env>.
	PreviewEnvironmentPrefix = "preview-"
	// deploySessionSeconds: reusable-stack-up.yml asks for 2 h sessions (an EKS create or upgrade
	// takes longer than 1 h); the preview role keeps IAM's default of 1 h.
	deploySessionSeconds = 7200
	// keyDeletionWindowDays is the longest window KMS allows: the state's keys are the last
	// thing to lose.
	keyDeletionWindowDays = 30
	// abortUploadDays removes the parts of uploads that never completed.
	abortUploadDays = 7
	// maxManagedPolicyChars is IAM's size limit of one managed policy (whitespace not counted);
	// the deploy role's grants are packed into as many as they need.
	maxManagedPolicyChars = 6144
	// maxInlinePolicyChars is IAM's limit on the sum of a role's inline policies.
	maxInlinePolicyChars = 10240
	// stateLockPrefix is where the Pulumi DIY backend writes its locks (a preview takes one).
	stateLockPrefix = ".pulumi/locks/"
)

// AccountArgs is what one account's bootstrap needs; every value is validated by Parse.
type AccountArgs struct {
	// Suffix names the resources (<base>-<suffix>): the bootstrap stack's name.
	Suffix     string
	Partition  string
	AccountID  string
	Region     string
	Repository string
	// Environments get a deploy and a preview role each.
	Environments  []string
	StateBucket   string
	AccessLogDays int
	Permissions   *Permissions
	// BackupCopyRegion, when set, is where the platform stacks copy their backups.
	BackupCopyRegion string
}

// Account is the account's bootstrap: state bucket, keys, GitHub OIDC provider, roles.
type Account struct {
	pulumi.ResourceState

	StateBucket       pulumi.StringOutput
	LogBucket         pulumi.StringOutput
	StateBucketKeyArn pulumi.StringOutput
	SecretsKeyArn     pulumi.StringOutput
	OidcProviderArn   pulumi.StringOutput
	// DeployRoleArns and PreviewRoleArns are by environment.
	DeployRoleArns  pulumi.StringMap
	PreviewRoleArns pulumi.StringMap
}

// NewAccount creates the account's bootstrap resources, each parented to the component. The
// buckets and keys are protected and retained: every platform stack's state depends on them.
func NewAccount(ctx *pulumi.Context, name string, args *AccountArgs, opts ...pulumi.ResourceOption) (*Account, error) {
	if args == nil || args.Permissions == nil || len(args.Environments) == 0 {
		return nil, fmt.Errorf("account %s: needs its permissions and at least one environment", name)
	}
	comp := &Account{DeployRoleArns: pulumi.StringMap{}, PreviewRoleArns: pulumi.StringMap{}}
	if err := ctx.RegisterComponentResource("eks-platform:bootstrap:Account", name, comp, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, args: args, parent: pulumi.Parent(comp),
		keep: pulumi.Composite(pulumi.Protect(true), pulumi.RetainOnDelete(true))}

	bucketKey, err := b.key("state-bucket-key", StateBucketKeyAlias, "SSE-KMS key of the Pulumi state bucket")
	if err != nil {
		return nil, err
	}
	secretsKey, err := b.key("state-secrets-key", SecretsKeyAlias, "Pulumi secrets provider (awskms://"+SecretsKeyAlias+")")
	if err != nil {
		return nil, err
	}
	logBucket, err := b.logBucket()
	if err != nil {
		return nil, err
	}
	stateBucket, err := b.stateBucket(bucketKey, logBucket)
	if err != nil {
		return nil, err
	}
	provider, err := iam.NewOpenIdConnectProvider(ctx, b.name("github-oidc"), &iam.OpenIdConnectProviderArgs{
		Url:           pulumi.String("https://" + GitHubIssuer),
		ClientIdLists: pulumi.StringArray{pulumi.String(GitHubAudience)},
	}, b.parent)
	if err != nil {
		return nil, err
	}
	state := stateScope{
		bucketArn: stateBucket.Arn, bucketKeyArn: bucketKey.Arn, secretsKeyArn: secretsKey.Arn,
		s3Service: fmt.Sprintf("s3.%s.amazonaws.com", args.Region),
	}
	for _, env := range args.Environments {
		deploy, err := b.role(deployRolePrefix+env, env, provider.Arn, deploySessionSeconds, state.policy(false))
		if err != nil {
			return nil, err
		}
		if err := b.attachDeployPolicies(deploy, env); err != nil {
			return nil, err
		}
		preview, err := b.role(previewRolePrefix+env, PreviewEnvironmentPrefix+env, provider.Arn, 0, state.policy(true))
		if err != nil {
			return nil, err
		}
		read, err := ReadPolicy(args.Permissions).JSON()
		if err != nil {
			return nil, err
		}
		if _, err := iam.NewRolePolicy(ctx, b.name(previewRolePrefix+env+"-read"), &iam.RolePolicyArgs{
			Role: preview.Name, Name: pulumi.String("read"), Policy: pulumi.String(read),
		}, b.parent); err != nil {
			return nil, err
		}
		comp.DeployRoleArns[env] = deploy.Arn
		comp.PreviewRoleArns[env] = preview.Arn
	}

	comp.StateBucket = stateBucket.Bucket
	comp.LogBucket = logBucket.Bucket
	comp.StateBucketKeyArn = bucketKey.Arn
	comp.SecretsKeyArn = secretsKey.Arn
	comp.OidcProviderArn = provider.Arn
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"stateBucket": comp.StateBucket, "logBucket": comp.LogBucket, "secretsKeyArn": comp.SecretsKeyArn,
		"oidcProviderArn": comp.OidcProviderArn, "deployRoleArns": comp.DeployRoleArns, "previewRoleArns": comp.PreviewRoleArns,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

type builder struct {
	ctx    *pulumi.Context
	args   *AccountArgs
	parent pulumi.ResourceOption
	keep   pulumi.ResourceOption
}

func (b *builder) name(base string) string { return naming.Name(base, b.args.Suffix) }

// key is a customer-managed key with rotation on and an alias. Its key policy is KMS's default
// (the account decides through IAM), so the roles' grants below are what scopes its use.
func (b *builder) key(base, alias, description string) (*kms.Key, error) {
	key, err := kms.NewKey(b.ctx, b.name(base), &kms.KeyArgs{
		Description:          pulumi.String(description),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(keyDeletionWindowDays),
	}, b.parent, b.keep)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(b.ctx, b.name(base+"-alias"), &kms.AliasArgs{
		Name: pulumi.String(alias), TargetKeyId: key.KeyId,
	}, b.parent, b.keep); err != nil {
		return nil, err
	}
	return key, nil
}

// bucketBasics gives a bucket versioning, default encryption, the public access block, owner
// enforced ownership (no ACLs) and its bucket policy.
func (b *builder) bucketBasics(base string, bucket *s3.BucketV2, encryption s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs, policy pulumi.StringOutput) error {
	if _, err := s3.NewBucketVersioningV2(b.ctx, b.name(base+"-versioning"), &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, b.parent, b.keep); err != nil {
		return err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, b.name(base+"-encryption"), &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: encryption,
			BucketKeyEnabled:                   pulumi.Bool(encryption.KmsMasterKeyId != nil),
		}},
	}, b.parent, b.keep); err != nil {
		return err
	}
	publicAccess, err := s3.NewBucketPublicAccessBlock(b.ctx, b.name(base+"-public-access"), &s3.BucketPublicAccessBlockArgs{
		Bucket:          bucket.ID(),
		BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, b.parent, b.keep)
	if err != nil {
		return err
	}
	if _, err := s3.NewBucketOwnershipControls(b.ctx, b.name(base+"-ownership"), &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, b.parent, b.keep); err != nil {
		return err
	}
	// After the public access block: S3 refuses a policy while the block is being changed.
	_, err = s3.NewBucketPolicy(b.ctx, b.name(base+"-policy"), &s3.BucketPolicyArgs{
		Bucket: bucket.ID(), Policy: policy,
	}, b.parent, b.keep, pulumi.DependsOn([]pulumi.Resource{publicAccess}))
	return err
}

// logBucket receives the state bucket's server access logs. S3 delivers access logs only to a
// target encrypted with SSE-S3 (AES256), not SSE-KMS (S3 User Guide, "Enabling Amazon S3 server
// access logging"), so this bucket uses SSE-S3; logs expire after AccessLogDays.
func (b *builder) logBucket() (*s3.BucketV2, error) {
	name := b.args.StateBucket + accessLogSuffix
	bucket, err := s3.NewBucketV2(b.ctx, b.name("state-access-logs"), &s3.BucketV2Args{
		Bucket: pulumi.String(name), Tags: pulumi.StringMap{"Name": pulumi.String(name)},
	}, b.parent, b.keep)
	if err != nil {
		return nil, err
	}
	policy := bucket.Arn.ApplyT(func(arn string) (string, error) {
		return logBucketPolicy(arn, b.stateBucketArn(), b.args.AccountID).JSON()
	}).(pulumi.StringOutput)
	if err := b.bucketBasics("state-access-logs", bucket,
		s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")},
		policy); err != nil {
		return nil, err
	}
	days := b.args.AccessLogDays
	if _, err := s3.NewBucketLifecycleConfigurationV2(b.ctx, b.name("state-access-logs-lifecycle"), &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("expire-access-logs"), Status: pulumi.String("Enabled"),
			Filter:                         s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration:                     s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(days)},
			NoncurrentVersionExpiration:    s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(1)},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{DaysAfterInitiation: pulumi.Int(abortUploadDays)},
		}},
	}, b.parent, b.keep); err != nil {
		return nil, err
	}
	return bucket, nil
}

func (b *builder) stateBucketArn() string {
	return fmt.Sprintf("arn:%s:s3:::%s", b.args.Partition, b.args.StateBucket)
}

// stateBucket holds every platform stack's state: SSE-KMS with its own key and a bucket key,
// versioned (every checkpoint recoverable), TLS only, access logged.
func (b *builder) stateBucket(key *kms.Key, logs *s3.BucketV2) (*s3.BucketV2, error) {
	bucket, err := s3.NewBucketV2(b.ctx, b.name("state"), &s3.BucketV2Args{
		Bucket: pulumi.String(b.args.StateBucket), Tags: pulumi.StringMap{"Name": pulumi.String(b.args.StateBucket)},
	}, b.parent, b.keep)
	if err != nil {
		return nil, err
	}
	policy := bucket.Arn.ApplyT(func(arn string) (string, error) { return tlsOnlyPolicy(arn).JSON() }).(pulumi.StringOutput)
	if err := b.bucketBasics("state", bucket,
		s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
		}, policy); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLoggingV2(b.ctx, b.name("state-logging"), &s3.BucketLoggingV2Args{
		Bucket: bucket.ID(), TargetBucket: logs.ID(), TargetPrefix: pulumi.String(b.args.StateBucket + "/"),
	}, b.parent, b.keep); err != nil {
		return nil, err
	}
	return bucket, nil
}

// role is a role only GitHub Actions jobs of this repository in that GitHub environment can
// assume, with the inline state policy.
func (b *builder) role(roleName, githubEnvironment string, provider pulumi.StringOutput, sessionSeconds int, statePolicy pulumi.StringOutput) (*iam.Role, error) {
	trust := provider.ApplyT(func(arn string) (string, error) {
		return TrustPolicy(arn, b.args.Repository, githubEnvironment).JSON()
	}).(pulumi.StringOutput)
	args := &iam.RoleArgs{
		Name:             pulumi.String(roleName),
		Description:      pulumi.String(fmt.Sprintf("GitHub Actions of %s in environment %s", b.args.Repository, githubEnvironment)),
		AssumeRolePolicy: trust,
	}
	if sessionSeconds > 0 {
		args.MaxSessionDuration = pulumi.Int(sessionSeconds)
	}
	role, err := iam.NewRole(b.ctx, b.name(roleName), args, b.parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name(roleName+"-state"), &iam.RolePolicyArgs{
		Role: role.Name, Name: pulumi.String("pulumi-state"), Policy: statePolicy,
	}, b.parent); err != nil {
		return nil, err
	}
	return role, nil
}

// attachDeployPolicies gives the deploy role the platform's permissions as managed policies,
// packed under IAM's size limit.
func (b *builder) attachDeployPolicies(role *iam.Role, env string) error {
	target := Target{Partition: b.args.Partition, Account: b.args.AccountID, Region: b.args.Region, Env: env, CopyRegion: b.args.BackupCopyRegion}
	docs, err := DeployPolicies(b.args.Permissions, target)
	if err != nil {
		return err
	}
	for i, doc := range docs {
		policyName := fmt.Sprintf("%s%s-%d", deployRolePrefix, env, i+1)
		policy, err := iam.NewPolicy(b.ctx, b.name(policyName), &iam.PolicyArgs{
			Name:        pulumi.String(policyName),
			Description: pulumi.String("What the platform stack " + env + " creates (bootstrap/account/permissions.json)"),
			Policy:      pulumi.String(doc),
		}, b.parent)
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicyAttachment(b.ctx, b.name(policyName), &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: policy.Arn,
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}
