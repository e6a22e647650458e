package security

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

const (
	encryptionType = "eks-platform:security:Encryption"
	keyBaseName    = "eks-secrets"
	// KMS accepts a pending-deletion window of 7 to 30 days.
	minDeletionWindowDays = 7
	maxDeletionWindowDays = 30
	autoScalingService    = "autoscaling.amazonaws.com"
)

// EncryptionArgs configures the platform's customer-managed KMS key (S1).
type EncryptionArgs struct {
	// Environment is the stack's name suffix (dev, staging, prod).
	Environment string
	// DeletionWindowDays is the pending-deletion window, 7..30 (suggested: 7, prod 30).
	DeletionWindowDays int
	// Protect makes Pulumi refuse to delete the key (prod): losing it loses every secret, log and
	// volume it encrypts.
	Protect bool
	// CreateAutoScalingServiceLinkedRole creates AWSServiceRoleForAutoScaling first, for a fresh
	// account where it does not exist yet: KMS rejects a key policy naming a principal that does
	// not exist. Leave false where the account already has it (creating it twice fails).
	CreateAutoScalingServiceLinkedRole bool
}

// Encryption is the platform's KMS key and its alias.
type Encryption struct {
	pulumi.ResourceState

	Key    *kms.Key
	KeyArn pulumi.StringOutput
	KeyId  pulumi.StringOutput
	// AliasName is "alias/eks-secrets-<env>".
	AliasName pulumi.StringOutput
}

// NewEncryption creates the customer-managed key that envelope-encrypts EKS secrets and also
// encrypts the platform's log groups and node volumes, with rotation on, and its alias (S1).
func NewEncryption(ctx *pulumi.Context, name string, args *EncryptionArgs, opts ...pulumi.ResourceOption) (*Encryption, error) {
	if args == nil {
		return nil, errors.New("security: NewEncryption needs EncryptionArgs")
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	comp := &Encryption{}
	if err := ctx.RegisterComponentResource(encryptionType, name, comp, opts...); err != nil {
		return nil, err
	}
	keyName := naming.Name(keyBaseName, args.Environment)

	keyOpts := []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.Protect(args.Protect)}
	if args.CreateAutoScalingServiceLinkedRole {
		serviceLinkedRole, err := iam.NewServiceLinkedRole(ctx, naming.Name("autoscaling-service-linked-role", args.Environment),
			&iam.ServiceLinkedRoleArgs{AwsServiceName: pulumi.String(autoScalingService)},
			// The role is account-wide and may serve Auto Scaling groups outside this stack.
			pulumi.Parent(comp), pulumi.RetainOnDelete(true))
		if err != nil {
			return nil, err
		}
		keyOpts = append(keyOpts, pulumi.DependsOn([]pulumi.Resource{serviceLinkedRole}))
	}

	policy := lookupAWSEnv(ctx, comp).ApplyT(func(v any) (string, error) {
		return keyPolicy(v.(awsEnv)).JSON()
	}).(pulumi.StringOutput)
	key, err := kms.NewKey(ctx, keyName, &kms.KeyArgs{
		Description: pulumi.String(fmt.Sprintf(
			"Envelope encryption of EKS secrets, and encryption of log groups and node volumes (%s)", args.Environment)),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(args.DeletionWindowDays),
		Policy:               policy,
		Tags:                 pulumi.StringMap{"Name": pulumi.String(keyName)},
	}, keyOpts...)
	if err != nil {
		return nil, err
	}
	// KMS alias names carry the "alias/" prefix exactly once (seed 003 #6).
	alias, err := kms.NewAlias(ctx, keyName, &kms.AliasArgs{
		Name:        pulumi.String("alias/" + keyName),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(comp))
	if err != nil {
		return nil, err
	}

	comp.Key, comp.KeyArn, comp.KeyId = key, key.Arn, key.KeyId
	comp.AliasName = alias.Name
	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"keyArn": comp.KeyArn, "keyId": comp.KeyId, "aliasName": comp.AliasName,
	})
}

// Validate checks the arguments.
func (a *EncryptionArgs) Validate() error {
	if a.Environment == "" {
		return errors.New("security: EncryptionArgs.Environment is required")
	}
	if a.DeletionWindowDays < minDeletionWindowDays || a.DeletionWindowDays > maxDeletionWindowDays {
		return fmt.Errorf("security: EncryptionArgs.DeletionWindowDays is %d, KMS allows %d to %d",
			a.DeletionWindowDays, minDeletionWindowDays, maxDeletionWindowDays)
	}
	return nil
}

// keyPolicy lets IAM govern the key for this account, and grants the two services that use the key
// on the account's behalf without an IAM identity of their own in this program.
func keyPolicy(env awsEnv) PolicyDocument {
	autoScalingRole := env.globalARN("iam",
		"role/aws-service-role/"+autoScalingService+"/AWSServiceRoleForAutoScaling")
	return PolicyDocument{Statement: []Statement{
		{
			// Without this statement only the key policy could grant access, and a mistake in
			// it would lock the account out of the key.
			Sid:       "EnableIAMPolicies",
			Effect:    Allow,
			Principal: map[string]string{"AWS": env.globalARN("iam", "root")},
			Action:    StringList{"kms:*"},
			Resource:  StringList{"*"},
		},
		{
			// One key encrypts secrets and logs (S1, O3); the encryption context limits it to
			// this account's log groups in this region.
			Sid:       "AllowCloudWatchLogsForThisAccount",
			Effect:    Allow,
			Principal: map[string]string{"Service": env.regionalEndpoint("logs")},
			Action:    StringList{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
			Resource:  StringList{"*"},
			Condition: Condition{"ArnLike": {
				"kms:EncryptionContext:aws:logs:arn": {env.regionalARN("logs", "log-group:*")},
			}},
		},
		{
			// Managed node groups launch their instances through Auto Scaling, which needs the
			// key to create the nodes' encrypted EBS volumes ("Required KMS key policy for use
			// with encrypted volumes", EC2 Auto Scaling User Guide).
			Sid:       "AllowAutoScalingToUseTheKey",
			Effect:    Allow,
			Principal: map[string]string{"AWS": autoScalingRole},
			Action:    StringList{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource:  StringList{"*"},
		},
		{
			// Alarms notify an SNS topic encrypted with this key (O4). CloudWatch has no IAM
			// identity in this account, so only the key policy can let it encrypt the messages;
			// without this statement notifications are dropped silently ("Enable compatibility
			// between event sources from AWS services and encrypted topics", SNS Developer Guide).
			Sid:       "AllowCloudWatchAlarmsToPublishToEncryptedTopics",
			Effect:    Allow,
			Principal: map[string]string{"Service": "cloudwatch.amazonaws.com"},
			Action:    StringList{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  StringList{"*"},
		},
		{
			Sid:       "AllowAutoScalingGrantsForAWSResources",
			Effect:    Allow,
			Principal: map[string]string{"AWS": autoScalingRole},
			Action:    StringList{"kms:CreateGrant"},
			Resource:  StringList{"*"},
			Condition: Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
	}}
}
