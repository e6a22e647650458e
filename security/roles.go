package security

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const workloadRolesType = "eks-platform:security:WorkloadRoles"

// Keys of WorkloadRoles.RoleArns; each is also its role's base name ("<key>-<env>").
const (
	RoleClusterAutoscaler      = "cluster-autoscaler"
	RoleLoadBalancerController = "aws-load-balancer-controller"
	RoleExternalSecrets        = "external-secrets"
	RoleEBSCSIDriver           = "ebs-csi-driver"
	RoleVPCCNI                 = "vpc-cni"
	RoleCloudWatchAgent        = "cloudwatch-agent"
	RoleFluentBit              = "fluent-bit"
)

// Namespaces and service accounts the roles trust. Charts and add-ons must run the controllers
// under exactly these names, or their pods cannot assume the roles.
const (
	NamespaceKubeSystem       = "kube-system"
	NamespaceExternalSecrets  = "external-secrets"
	NamespaceAmazonCloudWatch = "amazon-cloudwatch"
	// NamespaceLogging holds the log shipper, the one namespace that runs privileged (S4).
	NamespaceLogging = "logging"

	ServiceAccountClusterAutoscaler      = "cluster-autoscaler"
	ServiceAccountLoadBalancerController = "aws-load-balancer-controller"
	ServiceAccountExternalSecrets        = "external-secrets"
	ServiceAccountEBSCSIController       = "ebs-csi-controller-sa"
	ServiceAccountVPCCNI                 = "aws-node"
	ServiceAccountCloudWatchAgent        = "cloudwatch-agent"
	ServiceAccountFluentBit              = "fluent-bit"
)

// WorkloadRolesArgs configures the IRSA roles of the platform controllers (S3).
type WorkloadRolesArgs struct {
	// Environment is the stack's name suffix (dev, staging, prod).
	Environment string
	// ClusterName is the EKS cluster's full name ("eks-platform-dev"); write permissions are
	// scoped to resources tagged for it.
	ClusterName string
	// OidcProviderArn and OidcProviderUrl identify the cluster's IAM OIDC provider.
	OidcProviderArn pulumi.StringInput
	OidcProviderUrl pulumi.StringInput
	// SecretsKmsKeyArn is the secrets key (S1), which external-secrets may decrypt with through
	// Secrets Manager and SSM; VolumeKmsKeyArn is the data key, which the EBS CSI driver encrypts
	// persistent volumes with (issue 22: keys by duty).
	SecretsKmsKeyArn pulumi.StringInput
	VolumeKmsKeyArn  pulumi.StringInput
	// PermissionsBoundaryArn, when set, is applied to every role.
	PermissionsBoundaryArn string
	// SecretsPrefix limits external-secrets to Secrets Manager secrets and SSM parameters whose
	// names start with it ("eks-platform-dev/"); it must end with "/".
	SecretsPrefix string
	// ShipperLogGroupPrefix limits the log shipper to the log groups whose names start with it;
	// default "/aws/containerinsights/<ClusterName>/". It must end with "/".
	ShipperLogGroupPrefix string
}

// WorkloadRoles holds one IRSA role per platform controller.
type WorkloadRoles struct {
	pulumi.ResourceState

	// RoleArns maps RoleClusterAutoscaler, RoleLoadBalancerController, ... to role ARNs.
	RoleArns map[string]pulumi.StringOutput
}

// workloadRole is one row of the table every controller role is created from.
type workloadRole struct {
	key, namespace, serviceAccount string
	awsManagedPolicies             []string
	// inlinePolicy builds the role's own policy; nil when managed policies suffice.
	inlinePolicy func(policyScope) PolicyDocument
}

// policyScope is what the inline policies are scoped to, known once the stack's outputs are.
type policyScope struct {
	env            awsEnv
	clusterName    string
	secretsKeyArn  string
	volumeKeyArn   string
	secretsPrefix  string
	logGroupPrefix string
}

// workloadRoleTable lists every controller role. The VPC CNI's policy is on its own role, not on
// the node role (K3); the managed policies are the ones AWS documents for each controller, except
// where they grant writes beyond the platform's own resources (the CloudWatch agent's).
var workloadRoleTable = []workloadRole{
	{RoleClusterAutoscaler, NamespaceKubeSystem, ServiceAccountClusterAutoscaler, nil, clusterAutoscalerPolicy},
	{RoleLoadBalancerController, NamespaceKubeSystem, ServiceAccountLoadBalancerController, nil, loadBalancerControllerPolicy},
	{RoleExternalSecrets, NamespaceExternalSecrets, ServiceAccountExternalSecrets, nil, externalSecretsPolicy},
	{RoleEBSCSIDriver, NamespaceKubeSystem, ServiceAccountEBSCSIController, []string{"service-role/AmazonEBSCSIDriverPolicy"}, ebsCSIDriverKeyPolicy},
	{RoleVPCCNI, NamespaceKubeSystem, ServiceAccountVPCCNI, []string{"AmazonEKS_CNI_Policy"}, nil},
	{RoleCloudWatchAgent, NamespaceAmazonCloudWatch, ServiceAccountCloudWatchAgent, nil, cloudWatchAgentPolicy},
	{RoleFluentBit, NamespaceLogging, ServiceAccountFluentBit, nil, logShipperPolicy},
}

// NewWorkloadRoles creates the IRSA role of every platform controller from workloadRoleTable.
func NewWorkloadRoles(ctx *pulumi.Context, name string, args *WorkloadRolesArgs, opts ...pulumi.ResourceOption) (*WorkloadRoles, error) {
	if args == nil {
		return nil, errors.New("security: NewWorkloadRoles needs WorkloadRolesArgs")
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	comp := &WorkloadRoles{RoleArns: map[string]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(workloadRolesType, name, comp, opts...); err != nil {
		return nil, err
	}

	logGroupPrefix := args.ShipperLogGroupPrefix
	if logGroupPrefix == "" {
		logGroupPrefix = "/aws/containerinsights/" + args.ClusterName + "/"
	}
	scope := pulumi.All(lookupAWSEnv(ctx, comp), args.SecretsKmsKeyArn, args.VolumeKmsKeyArn).ApplyT(func(v []any) policyScope {
		return policyScope{env: v[0].(awsEnv), clusterName: args.ClusterName, secretsKeyArn: v[1].(string),
			volumeKeyArn: v[2].(string), secretsPrefix: args.SecretsPrefix, logGroupPrefix: logGroupPrefix}
	}).(pulumi.AnyOutput)

	for _, row := range workloadRoleTable {
		roleArgs := &IRSARoleArgs{
			Environment:            args.Environment,
			OidcProviderArn:        args.OidcProviderArn,
			OidcProviderUrl:        args.OidcProviderUrl,
			Namespace:              row.namespace,
			ServiceAccount:         row.serviceAccount,
			AWSManagedPolicies:     row.awsManagedPolicies,
			PermissionsBoundaryArn: args.PermissionsBoundaryArn,
		}
		if row.inlinePolicy != nil {
			roleArgs.Policy = scope.ApplyT(func(v any) (string, error) {
				return row.inlinePolicy(v.(policyScope)).JSON()
			}).(pulumi.StringOutput)
		}
		role, err := NewIRSARole(ctx, row.key, roleArgs, pulumi.Parent(comp))
		if err != nil {
			return nil, err
		}
		comp.RoleArns[row.key] = role.Arn
	}
	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{"roleArns": comp.RoleArnMap()})
}

// RoleArnMap returns RoleArns as one map value, for a stack output (X1).
func (w *WorkloadRoles) RoleArnMap() pulumi.StringMap {
	arns := pulumi.StringMap{}
	for key, arn := range w.RoleArns {
		arns[key] = arn
	}
	return arns
}

// Validate checks the arguments.
func (a *WorkloadRolesArgs) Validate() error {
	switch {
	case a.Environment == "":
		return errors.New("security: WorkloadRolesArgs.Environment is required")
	case a.ClusterName == "":
		return errors.New("security: WorkloadRolesArgs.ClusterName is required")
	case a.OidcProviderArn == nil || a.OidcProviderUrl == nil:
		return errors.New("security: WorkloadRolesArgs.OidcProviderArn and OidcProviderUrl are required")
	case a.SecretsKmsKeyArn == nil || a.VolumeKmsKeyArn == nil:
		return errors.New("security: WorkloadRolesArgs.SecretsKmsKeyArn and VolumeKmsKeyArn are required")
	}
	// A prefix without a trailing "/" would also match its siblings: "eks-platform-dev*" matches
	// "eks-platform-devtools/...".
	if !strings.HasSuffix(a.SecretsPrefix, "/") || strings.Trim(a.SecretsPrefix, "/") == "" {
		return fmt.Errorf("security: WorkloadRolesArgs.SecretsPrefix %q must be a non-empty path ending with \"/\"", a.SecretsPrefix)
	}
	if a.ShipperLogGroupPrefix != "" && !strings.HasSuffix(a.ShipperLogGroupPrefix, "/") {
		return fmt.Errorf("security: WorkloadRolesArgs.ShipperLogGroupPrefix %q must end with \"/\"", a.ShipperLogGroupPrefix)
	}
	return nil
}
