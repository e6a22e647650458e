package security

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

const (
	irsaRoleType = "eks-platform:security:IRSARole"
	// stsAudience is the audience the EKS pod identity webhook puts in projected service account
	// tokens; the trust policy pins it so a token minted for another audience cannot be replayed.
	stsAudience = "sts.amazonaws.com"
	// maxRoleNameLength is IAM's limit on role names.
	maxRoleNameLength = 64
)

// IRSARoleArgs configures one IAM role for one Kubernetes service account (S3).
type IRSARoleArgs struct {
	// Environment is the stack's name suffix (dev, staging, prod).
	Environment string
	// OidcProviderArn is the ARN of the cluster's IAM OIDC provider.
	OidcProviderArn pulumi.StringInput
	// OidcProviderUrl is the cluster's issuer URL, with or without "https://".
	OidcProviderUrl pulumi.StringInput
	// Namespace and ServiceAccount name the only Kubernetes identity that may assume the role.
	Namespace, ServiceAccount string
	// Policy is an inline policy document (JSON, e.g. from PolicyDocument.JSON). Optional when
	// managed policies are given.
	Policy pulumi.StringInput
	// ManagedPolicyArns are full ARNs of policies to attach (customer-managed, or AWS-managed when
	// the caller knows the partition).
	ManagedPolicyArns []string
	// AWSManagedPolicies are AWS-managed policies by path and name ("AmazonEKS_CNI_Policy",
	// "service-role/AmazonEBSCSIDriverPolicy"); their ARNs are built in the stack's partition.
	AWSManagedPolicies []string
	// PermissionsBoundaryArn, when set, is applied to the role.
	PermissionsBoundaryArn string
}

// IRSARole is an IAM role that only the named service account of one cluster can assume.
type IRSARole struct {
	pulumi.ResourceState

	Role *iam.Role
	// Arn goes into the service account's eks.amazonaws.com/role-arn annotation. Arn and Name
	// resolve only after the role's inline policy and policy attachments exist, so consumers
	// depend on the permissions, not just on the role (Role.Arn does not).
	Arn  pulumi.StringOutput
	Name pulumi.StringOutput
}

// NewIRSARole creates the role "<name>-<Environment>" (name is the base, without the suffix),
// trusting only system:serviceaccount:<Namespace>:<ServiceAccount> through the cluster's OIDC
// provider, with the inline policy and managed policies given.
func NewIRSARole(ctx *pulumi.Context, name string, args *IRSARoleArgs, opts ...pulumi.ResourceOption) (*IRSARole, error) {
	if args == nil {
		return nil, errors.New("security: NewIRSARole needs IRSARoleArgs")
	}
	if err := args.Validate(name); err != nil {
		return nil, err
	}
	roleName := naming.Name(name, args.Environment)
	comp := &IRSARole{}
	if err := ctx.RegisterComponentResource(irsaRoleType, roleName, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	trust := pulumi.All(args.OidcProviderArn, args.OidcProviderUrl).ApplyT(func(v []any) (string, error) {
		return serviceAccountTrustPolicy(v[0].(string), v[1].(string), args.Namespace, args.ServiceAccount)
	}).(pulumi.StringOutput)
	roleArgs := &iam.RoleArgs{
		Name:             pulumi.String(roleName),
		Description:      pulumi.String(fmt.Sprintf("IRSA role of system:serviceaccount:%s:%s (%s)", args.Namespace, args.ServiceAccount, args.Environment)),
		AssumeRolePolicy: trust,
	}
	if args.PermissionsBoundaryArn != "" {
		roleArgs.PermissionsBoundary = pulumi.String(args.PermissionsBoundaryArn)
	}
	role, err := iam.NewRole(ctx, roleName, roleArgs, parent)
	if err != nil {
		return nil, err
	}

	var policyIDs []pulumi.IDOutput
	if args.Policy != nil {
		inline, err := iam.NewRolePolicy(ctx, roleName, &iam.RolePolicyArgs{
			Name:   pulumi.String(roleName),
			Role:   role.Name,
			Policy: args.Policy,
		}, parent)
		if err != nil {
			return nil, err
		}
		policyIDs = append(policyIDs, inline.ID())
	}
	for _, attachment := range managedPolicyAttachments(ctx, args, parent) {
		attached, err := iam.NewRolePolicyAttachment(ctx, naming.Name(name+"-"+attachment.policyName, args.Environment),
			&iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: attachment.arn}, parent)
		if err != nil {
			return nil, err
		}
		policyIDs = append(policyIDs, attached.ID())
	}

	comp.Role = role
	comp.Arn = afterPolicies(role.Arn, policyIDs)
	comp.Name = afterPolicies(role.Name, policyIDs)
	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{"arn": comp.Arn, "name": comp.Name})
}

// afterPolicies returns value once every policy resource of the role exists. The output then
// carries those resources as dependencies, so whatever is built from the role's ARN (the vpc-cni
// add-on, a Helm release's service account) starts only when the role has its permissions: the
// role alone exists before its policies, and a pod assuming it in between gets AccessDenied
// (vpc-cni then never assigns addresses and the nodes stay NotReady).
func afterPolicies(value pulumi.StringOutput, policyIDs []pulumi.IDOutput) pulumi.StringOutput {
	inputs := []any{value}
	for _, id := range policyIDs {
		inputs = append(inputs, id)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) string { return v[0].(string) }).(pulumi.StringOutput)
}

type policyAttachment struct {
	policyName string // the last segment of the ARN, part of the attachment's name
	arn        pulumi.StringInput
}

// managedPolicyAttachments lists the managed policies to attach: the ARNs given as they are, the
// AWS-managed policy names as ARNs in the stack's partition.
func managedPolicyAttachments(ctx *pulumi.Context, args *IRSARoleArgs, parent pulumi.ResourceOrInvokeOption) []policyAttachment {
	var attachments []policyAttachment
	for _, arn := range args.ManagedPolicyArns {
		attachments = append(attachments, policyAttachment{path.Base(arn), pulumi.String(arn)})
	}
	if len(args.AWSManagedPolicies) == 0 {
		return attachments
	}
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent).Partition()
	for _, policyName := range args.AWSManagedPolicies {
		arn := partition.ApplyT(func(p string) string { return awsManagedPolicyARN(p, policyName) }).(pulumi.StringOutput)
		attachments = append(attachments, policyAttachment{path.Base(policyName), arn})
	}
	return attachments
}

// Validate checks the arguments for the role with base name name.
func (a *IRSARoleArgs) Validate(name string) error {
	switch {
	case name == "":
		return errors.New("security: NewIRSARole needs a base name")
	case a.Environment == "":
		return errors.New("security: IRSARoleArgs.Environment is required")
	case strings.HasSuffix(name, "-"+a.Environment):
		return fmt.Errorf("security: NewIRSARole name %q already ends with -%s; pass the base name, the suffix is added", name, a.Environment)
	case a.OidcProviderArn == nil || a.OidcProviderUrl == nil:
		return fmt.Errorf("security: IRSA role %q needs OidcProviderArn and OidcProviderUrl", name)
	case a.Namespace == "" || a.ServiceAccount == "":
		return fmt.Errorf("security: IRSA role %q needs Namespace and ServiceAccount", name)
	case a.Policy == nil && len(a.ManagedPolicyArns) == 0 && len(a.AWSManagedPolicies) == 0:
		return fmt.Errorf("security: IRSA role %q has no policy: set Policy, ManagedPolicyArns or AWSManagedPolicies", name)
	}
	if roleName := naming.Name(name, a.Environment); len(roleName) > maxRoleNameLength {
		return fmt.Errorf("security: IAM role name %q is %d characters, IAM allows at most %d", roleName, len(roleName), maxRoleNameLength)
	}
	return nil
}

// serviceAccountTrustPolicy lets exactly one service account assume the role with a token issued
// by the cluster's OIDC provider for STS (S3).
func serviceAccountTrustPolicy(providerArn, issuerURL, namespace, serviceAccount string) (string, error) {
	issuer := strings.TrimSuffix(strings.TrimPrefix(issuerURL, "https://"), "/")
	if providerArn == "" || issuer == "" {
		return "", fmt.Errorf("security: trust policy for %s/%s needs the OIDC provider ARN and issuer URL, got %q and %q",
			namespace, serviceAccount, providerArn, issuerURL)
	}
	return PolicyDocument{Statement: []Statement{{
		Sid:       "ServiceAccountWebIdentity",
		Effect:    Allow,
		Principal: map[string]StringList{"Federated": {providerArn}},
		Action:    StringList{"sts:AssumeRoleWithWebIdentity"},
		Condition: Condition{"StringEquals": {
			issuer + ":sub": {"system:serviceaccount:" + namespace + ":" + serviceAccount},
			issuer + ":aud": {stsAudience},
		}},
	}}}.JSON()
}
