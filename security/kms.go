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
	// KMS accepts a pending-deletion window of 7 to 30 days.
	minDeletionWindowDays = 7
	maxDeletionWindowDays = 30
	autoScalingService    = "autoscaling.amazonaws.com"
)

// KeyDuty is what one customer-managed key is for (issue 22): each duty has its own key, so a
// grant on one never reaches the data of another, and each key policy names only the services of
// its duty.
type KeyDuty string

const (
	// DutySecrets: EKS envelope encryption of Kubernetes Secrets, and the Secrets Manager and SSM
	// values External Secrets reads (S1). The key of the first release, kept under its name.
	DutySecrets KeyDuty = "secrets"
	// DutyLogs: every CloudWatch log group and the alarm topic (O3, O4).
	DutyLogs KeyDuty = "logs"
	// DutyData: node and persistent EBS volumes and the backups (G2, P3).
	DutyData KeyDuty = "data"
)

// KeyDuties are the duties in the order their keys are created.
var KeyDuties = []KeyDuty{DutySecrets, DutyLogs, DutyData}

// keyDescriptions say in the console what each key encrypts.
var keyDescriptions = map[KeyDuty]string{
	DutySecrets: "Envelope encryption of EKS secrets, and the Secrets Manager and SSM values External Secrets reads",
	DutyLogs:    "CloudWatch log groups and the alarm topic",
	DutyData:    "Node and persistent EBS volumes, and Velero backups",
}

// EncryptionArgs configures the platform's customer-managed KMS keys (S1).
type EncryptionArgs struct {
	// Environment is the stack's name suffix (dev, staging, prod).
	Environment string
	// DeletionWindowDays is the pending-deletion window, 7..30 (suggested: 7, prod 30).
	DeletionWindowDays int
	// Protect makes Pulumi refuse to delete the keys (prod): losing one loses every secret, log,
	// volume or backup it encrypts.
	Protect bool
	// CreateAutoScalingServiceLinkedRole creates AWSServiceRoleForAutoScaling first, for a fresh
	// account where it does not exist yet: KMS rejects a key policy naming a principal that does
	// not exist. Leave false where the account already has it (creating it twice fails).
	CreateAutoScalingServiceLinkedRole bool
	// KeyAdminRoleArns are the roles that administer the keys (KeyGovernance); at least one.
	KeyAdminRoleArns []string
}

// Encryption is the platform's KMS keys, one per duty, and their aliases.
type Encryption struct {
	pulumi.ResourceState

	// KeyArns and AliasNames ("alias/eks-<duty>-<env>") by duty.
	KeyArns    map[KeyDuty]pulumi.StringOutput
	AliasNames map[KeyDuty]pulumi.StringOutput
}

// keyName is "eks-<duty>-<env>": the secrets key keeps the name of the platform's first, single
// key (eks-secrets-<env>), so existing stacks keep it rather than replace it.
func keyName(duty KeyDuty, env string) string { return naming.Name("eks-"+string(duty), env) }

// NewEncryption creates one customer-managed key per duty, each with rotation on and its alias
// (S1, issue 22).
func NewEncryption(ctx *pulumi.Context, name string, args *EncryptionArgs, opts ...pulumi.ResourceOption) (*Encryption, error) {
	if args == nil {
		return nil, errors.New("security: NewEncryption needs EncryptionArgs")
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	comp := &Encryption{KeyArns: map[KeyDuty]pulumi.StringOutput{}, AliasNames: map[KeyDuty]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(encryptionType, name, comp, opts...); err != nil {
		return nil, err
	}

	var serviceLinkedRole []pulumi.Resource
	if args.CreateAutoScalingServiceLinkedRole {
		role, err := iam.NewServiceLinkedRole(ctx, naming.Name("autoscaling-service-linked-role", args.Environment),
			&iam.ServiceLinkedRoleArgs{AwsServiceName: pulumi.String(autoScalingService)},
			// The role is account-wide and may serve Auto Scaling groups outside this stack.
			pulumi.Parent(comp), pulumi.RetainOnDelete(true))
		if err != nil {
			return nil, err
		}
		serviceLinkedRole = []pulumi.Resource{role}
	}

	env := lookupAWSEnv(ctx, comp)
	outputs := pulumi.Map{}
	for _, duty := range KeyDuties {
		keyOpts := []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.Protect(args.Protect)}
		if duty == DutyData {
			// Only the data key's policy names the Auto Scaling service-linked role.
			keyOpts = append(keyOpts, pulumi.DependsOn(serviceLinkedRole))
		}
		name := keyName(duty, args.Environment)
		key, err := kms.NewKey(ctx, name, &kms.KeyArgs{
			Description:          pulumi.String(fmt.Sprintf("%s (%s)", keyDescriptions[duty], args.Environment)),
			EnableKeyRotation:    pulumi.Bool(true),
			DeletionWindowInDays: pulumi.Int(args.DeletionWindowDays),
			Policy: env.ApplyT(func(v any) (string, error) {
				return keyPolicy(v.(awsEnv), duty, args.KeyAdminRoleArns).JSON()
			}).(pulumi.StringOutput),
			Tags: pulumi.StringMap{"Name": pulumi.String(name)},
		}, keyOpts...)
		if err != nil {
			return nil, err
		}
		// KMS alias names carry the "alias/" prefix exactly once (seed 003 #6).
		alias, err := kms.NewAlias(ctx, name, &kms.AliasArgs{
			Name:        pulumi.String("alias/" + name),
			TargetKeyId: key.KeyId,
		}, pulumi.Parent(comp))
		if err != nil {
			return nil, err
		}
		comp.KeyArns[duty], comp.AliasNames[duty] = key.Arn, alias.Name
		outputs[string(duty)+"KeyArn"] = key.Arn
	}
	return comp, ctx.RegisterResourceOutputs(comp, outputs)
}

// Validate checks the arguments.
func (a *EncryptionArgs) Validate() error {
	if a.Environment == "" {
		return errors.New("security: EncryptionArgs.Environment is required")
	}
	if len(a.KeyAdminRoleArns) == 0 {
		return errors.New("security: EncryptionArgs.KeyAdminRoleArns is empty: KMS refuses a key policy that locks out the role setting it")
	}
	if a.DeletionWindowDays < minDeletionWindowDays || a.DeletionWindowDays > maxDeletionWindowDays {
		return fmt.Errorf("security: EncryptionArgs.DeletionWindowDays is %d, KMS allows %d to %d",
			a.DeletionWindowDays, minDeletionWindowDays, maxDeletionWindowDays)
	}
	return nil
}

// keyUseAndReadActions are what IAM policies of the account may grant on a key (KeyGovernance):
// cryptographic use, and the reads of its metadata a refresh or an audit needs (Pulumi reads the
// policy, rotation and tags of every key it manages).
var keyUseAndReadActions = StringList{
	"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey",
	"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListKeyPolicies",
}

// keyGrantActions are granted through IAM only for AWS resources, as AWS's default key policy
// does ("Allow attachment of persistent resources"): EKS, EBS and Auto Scaling create their grants
// through an AWS service, while a grant made directly could hand the key to any principal, and a
// revoked grant would cut a volume or the cluster off its key.
var keyGrantActions = StringList{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}

// keyAdministrationActions are the key administrators' statement of the AWS KMS default key
// policy ("Allows key administrators to administer the KMS key", AWS KMS Developer Guide, key
// policy default, read 2026-12-07): change, disable, tag, rotate and schedule deletion, and no
// cryptographic use. Its kms:Create* is narrowed to kms:CreateAlias: Create* also holds
// kms:CreateGrant, with which an administrator could grant itself the use of the key.
var keyAdministrationActions = StringList{
	"kms:CreateAlias", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
	"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
}

// KeyGovernance is the first part of every key policy of the platform (issue 22): the account's
// IAM policies may grant use and reads of the key, and grants for AWS resources only, never its
// administration; only admins (the deploy role and the account's admin role, keyAdminRoleArns)
// may change, disable or delete it.
// With no account statement at all, a role's IAM policy could not grant it use, so each service
// role would have to be named here; with the account's kms:* any IAM policy could make its
// holder a key administrator.
func KeyGovernance(partition, accountID string, admins []string) []Statement {
	account := map[string]StringList{"AWS": {fmt.Sprintf("arn:%s:iam::%s:root", partition, accountID)}}
	return []Statement{{
		Sid:       "AllowKeyUseAndReadThroughIAM",
		Effect:    Allow,
		Principal: account,
		Action:    keyUseAndReadActions,
		Resource:  StringList{"*"},
	}, {
		Sid:       "AllowGrantsForAWSResourcesThroughIAM",
		Effect:    Allow,
		Principal: account,
		Action:    keyGrantActions,
		Resource:  StringList{"*"},
		Condition: Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
	}, {
		Sid:       "AllowKeyAdministrationByAdminRoles",
		Effect:    Allow,
		Principal: map[string]StringList{"AWS": admins},
		Action:    keyAdministrationActions,
		Resource:  StringList{"*"},
	}}
}

// keyPolicy is the key governance plus the services of the key's duty that act on the
// account's behalf without an IAM identity of their own in this program. Nothing else may use it.
func keyPolicy(env awsEnv, duty KeyDuty, admins []string) PolicyDocument {
	statements := KeyGovernance(env.Partition, env.AccountID, admins)
	switch duty {
	case DutyLogs:
		statements = append(statements,
			Statement{
				// The encryption context limits CloudWatch Logs to this account's log groups in
				// this region (O3).
				Sid:       "AllowCloudWatchLogsForThisAccount",
				Effect:    Allow,
				Principal: map[string]StringList{"Service": {env.regionalEndpoint("logs")}},
				Action:    StringList{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
				Resource:  StringList{"*"},
				Condition: Condition{"ArnLike": {
					"kms:EncryptionContext:aws:logs:arn": {env.regionalARN("logs", "log-group:*")},
				}},
			},
			Statement{
				// Alarms notify an SNS topic encrypted with this key (O4). CloudWatch has no IAM
				// identity in this account, so only the key policy can let it encrypt the messages;
				// without this statement notifications are dropped silently ("Enable compatibility
				// between event sources from AWS services and encrypted topics", SNS Developer Guide).
				Sid:       "AllowCloudWatchAlarmsToPublishToEncryptedTopics",
				Effect:    Allow,
				Principal: map[string]StringList{"Service": {"cloudwatch.amazonaws.com"}},
				Action:    StringList{"kms:Decrypt", "kms:GenerateDataKey*"},
				Resource:  StringList{"*"},
			})
	case DutyData:
		autoScalingRole := env.globalARN("iam",
			"role/aws-service-role/"+autoScalingService+"/AWSServiceRoleForAutoScaling")
		statements = append(statements,
			Statement{
				// Managed node groups launch their instances through Auto Scaling, which needs the
				// key to create the nodes' encrypted EBS volumes ("Required KMS key policy for use
				// with encrypted volumes", EC2 Auto Scaling User Guide).
				Sid:       "AllowAutoScalingToUseTheKey",
				Effect:    Allow,
				Principal: map[string]StringList{"AWS": {autoScalingRole}},
				Action:    StringList{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
				Resource:  StringList{"*"},
			},
			Statement{
				Sid:       "AllowAutoScalingGrantsForAWSResources",
				Effect:    Allow,
				Principal: map[string]StringList{"AWS": {autoScalingRole}},
				Action:    StringList{"kms:CreateGrant"},
				Resource:  StringList{"*"},
				Condition: Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
			})
	}
	return PolicyDocument{Statement: statements}
}
