// Package cluster builds the EKS control plane with pulumi-eks (STACK_SPEC K1, K2, K4, S2) and the
// EKS managed add-ons (K3).
package cluster

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// controlPlaneLogTypes are all five EKS control-plane log types (K2).
var controlPlaneLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// eksServiceTrustPolicy lets only the EKS service assume the cluster role.
const eksServiceTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// maxIAMRoleNameLength is IAM's limit on role names.
const maxIAMRoleNameLength = 64

// Args configures the cluster. Plain values come from the validated stack config; inputs come from
// the network and security components.
type Args struct {
	// Environment is the stack's environment suffix ("dev", "staging", "prod").
	Environment string
	// ClusterName is the full physical cluster name, e.g. "eks-platform-dev".
	ClusterName string
	// KubernetesVersion is the control-plane version, e.g. "1.35" (C3).
	KubernetesVersion string
	// Region is the AWS region of the stack; it is written into the kubeconfig and the
	// update-kubeconfig command so neither depends on the caller's default region.
	Region string
	// VpcId is the VPC the cluster's network interfaces live in.
	VpcId pulumi.StringInput
	// PrivateSubnetIds hold the nodes and the control-plane network interfaces (K1).
	PrivateSubnetIds pulumi.StringArrayInput
	// PublicSubnetIds are used only for internet-facing load balancers.
	PublicSubnetIds pulumi.StringArrayInput
	// SecretsKmsKeyArn is the secrets key (S1): it envelope-encrypts Kubernetes secrets.
	SecretsKmsKeyArn pulumi.StringInput
	// LogKmsKeyArn is the logs key: it encrypts the control-plane log group (issue 22).
	LogKmsKeyArn pulumi.StringInput
	// EndpointPublicAccess turns the public API endpoint on; the private endpoint is always on (S2).
	EndpointPublicAccess bool
	// PublicAccessCidrs limit the public endpoint; used only when EndpointPublicAccess is true.
	PublicAccessCidrs []string
	// Access are the IAM principals given access to the Kubernetes API through access entries,
	// each with its tier (K1, issue 22). The deploying role is not among them: EKS gives the
	// cluster's creator its own entry.
	Access []AccessGrant
	// LogRetentionDays is the retention of the control-plane log group (K2).
	LogRetentionDays int
	// PrivateAccessCidrs may reach the private API endpoint on 443 from outside the VPC: the
	// networks of CI runners, bastions or a VPN connected to the VPC. Inside the VPC only the
	// nodes reach it. Never 0.0.0.0/0 (S2, refused by config validation).
	PrivateAccessCidrs []string
	// DeployerPath are the resources that carry the deployer's traffic to the VPC (transit
	// gateway attachment and routes, network.Network.DeployerPath): the cluster depends on them.
	DeployerPath []pulumi.Resource
	// PermissionsBoundaryArn, when set, is the permissions boundary of the cluster role (S3).
	PermissionsBoundaryArn string
	// Protect protects the cluster, its IAM role and its audit log group from deletion (prod).
	Protect bool
	// UpgradeSupportType is the EKS upgrade policy, STANDARD or EXTENDED (L2).
	UpgradeSupportType string
	// ZonalShift lets AWS shift traffic away from an impaired availability zone.
	ZonalShift bool
	// Tags are the cost-allocation tags, passed to pulumi-eks explicitly because its resources are
	// created by the eks provider plugin and the tags must not depend on provider inheritance (C5).
	Tags map[string]string
}

// Cluster is the EKS control plane and the Kubernetes provider bound to it.
type Cluster struct {
	pulumi.ResourceState

	// ClusterName is the cluster's name, known once the cluster exists.
	ClusterName pulumi.StringOutput
	// Endpoint is the Kubernetes API server URL.
	Endpoint pulumi.StringOutput
	// Arn is the cluster's ARN.
	Arn pulumi.StringOutput
	// CertificateAuthority is the base64-encoded CA bundle of the API server.
	CertificateAuthority pulumi.StringOutput
	// OidcProviderArn is the ARN of the cluster's IAM OIDC provider (IRSA trust principal, S3).
	OidcProviderArn pulumi.StringOutput
	// OidcProviderUrl is the issuer URL ("https://oidc.eks.<region>.amazonaws.com/id/<ID>").
	OidcProviderUrl pulumi.StringOutput
	// OidcIssuer is the issuer without its scheme, the prefix of IRSA condition keys ("<issuer>:sub").
	OidcIssuer pulumi.StringOutput
	// ClusterSecurityGroupId is the EKS-managed cluster security group; a node launch template that
	// sets security groups must include it (G2).
	ClusterSecurityGroupId pulumi.StringOutput
	// ApiSecurityGroupId is the security group of the API endpoint's network interfaces only,
	// where privateAccessCidrs are admitted.
	ApiSecurityGroupId pulumi.StringOutput
	// ControlPlaneLogGroupName is the log group receiving the control-plane logs (K2).
	ControlPlaneLogGroupName pulumi.StringOutput
	// Kubeconfig is a kubeconfig for this cluster, marked secret (S6).
	Kubeconfig pulumi.StringOutput
	// UpdateKubeconfigCommand is the `aws eks update-kubeconfig` command for this cluster (X1).
	UpdateKubeconfigCommand pulumi.StringOutput
	// Provider is the one Kubernetes provider bound to this cluster, for every package that creates
	// Kubernetes objects (K4).
	Provider *kubernetes.Provider
	// EksCluster is the pulumi-eks cluster itself, for dependencies on the control plane: as a
	// remote component it stands in the dependency list for everything it created.
	EksCluster *eks.Cluster
}

// New creates the control-plane log group, the cluster role, the cluster (pulumi-eks) and the
// Kubernetes provider.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	principals, err := accessEntryKeys(args.Access)
	if err != nil {
		return nil, err
	}
	options, err := pulumi.NewResourceOptions(opts...)
	if err != nil {
		return nil, err
	}

	comp := &Cluster{}
	if err := ctx.RegisterComponentResource("eks-platform:cluster:Cluster", name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)
	protect := pulumi.Protect(args.Protect)
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent).Partition()

	// EKS creates this log group itself, without retention or encryption, if it does not exist
	// when the cluster starts logging; creating it first keeps both under our control (K2).
	logGroup, err := cloudwatch.NewLogGroup(ctx, naming.Name("eks-control-plane-logs", args.Environment),
		&cloudwatch.LogGroupArgs{
			Name:            pulumi.String(controlPlaneLogGroupName(args.ClusterName)),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.LogKmsKeyArn,
		}, parent, protect)
	if err != nil {
		return nil, err
	}

	serviceRole, err := iam.NewRole(ctx, naming.Name("eks-cluster-role", args.Environment), &iam.RoleArgs{
		Name:                pulumi.String(serviceRoleName(args.ClusterName)),
		Description:         pulumi.String("EKS control plane of " + args.ClusterName),
		AssumeRolePolicy:    pulumi.String(eksServiceTrustPolicy),
		PermissionsBoundary: optionalString(args.PermissionsBoundaryArn),
		ManagedPolicyArns: pulumi.StringArray{
			pulumi.Sprintf("arn:%s:iam::aws:policy/AmazonEKSClusterPolicy", partition),
		},
	}, parent, protect)
	if err != nil {
		return nil, err
	}

	// The API server's own security group: pulumi-eks attaches it to the control plane's network
	// interfaces only (vpcConfig.securityGroupIds). privateAccessCidrs open 443 here, not on the
	// EKS cluster security group, which the nodes and their pods also carry. Created even without
	// CIDRs, because changing a cluster's security groups later replaces the cluster. Its rules
	// are separate resources: pulumi-eks adds its own rules to this group, and inline rules would
	// remove them on every update.
	apiSecurityGroup, err := ec2.NewSecurityGroup(ctx, naming.Name("eks-api-access", args.Environment), &ec2.SecurityGroupArgs{
		VpcId:       args.VpcId,
		Description: pulumi.String("Kubernetes API endpoint of " + args.ClusterName),
		Tags:        pulumi.StringMap{"Name": pulumi.String(naming.Name("eks-api-access", args.Environment))},
	}, parent)
	if err != nil {
		return nil, err
	}
	accessRules, err := privateAccessRules(ctx, args, apiSecurityGroup.ID().ToStringOutput(), parent)
	if err != nil {
		return nil, err
	}
	// What carries the deployer to the API comes before the cluster and goes after it: on
	// destroy, every Kubernetes object (deleted before the cluster) is deleted while the deployer
	// still reaches the API. Without this the engine may delete a 443 rule or a transit route
	// first, and the rest of the destroy stalls (issue 19).
	reachedThrough := append([]pulumi.Resource{logGroup}, accessRules...)
	reachedThrough = append(reachedThrough, args.DeployerPath...)

	// The engine hands a component's providers on to a remote component, but the Go SDK does not
	// send them itself; passing them explicitly shows in the plan which AWS provider (region,
	// default tags) pulumi-eks creates its resources with.
	eksCluster, err := eks.NewCluster(ctx, naming.Name("eks", args.Environment),
		clusterArgs(args, serviceRole, apiSecurityGroup, accessEntries(principals, partition, args.Tags)),
		parent, protect, pulumi.DependsOn(reachedThrough), pulumi.Providers(options.Providers...),
		pulumi.Transforms([]pulumi.ResourceTransform{
			controlPlanePolicy(args.UpgradeSupportType, args.ZonalShift), closeUnusedNodeSecurityGroup(),
		}))
	if err != nil {
		return nil, err
	}

	// pulumi-eks v2 returns the cluster, its security group and its OIDC provider only as resource
	// references, which Pulumi's Go mocks cannot resolve for a remote component's children. The
	// same values are read back as plain data once the cluster exists: the name is derived from a
	// cluster output, so during the first preview it is unknown and the lookups are skipped. That
	// output is kubeconfigJson, a plain string: never `core`, whose access entries pulumi-eks v2
	// sends as resource references its Go SDK cannot decode, failing every resource that waits on
	// it once a stack has an access entry (pulumi/pulumi-eks#1435; found by the engine run).
	readyName := eksCluster.KubeconfigJson.
		ApplyT(func(string) string { return args.ClusterName }).(pulumi.StringOutput)
	described := awseks.LookupClusterOutput(ctx, awseks.LookupClusterOutputArgs{Name: readyName}, parent)
	issuerURL := described.Identities().Index(pulumi.Int(0)).Oidcs().Index(pulumi.Int(0)).Issuer()
	oidcProvider := iam.LookupOpenIdConnectProviderOutput(ctx,
		iam.LookupOpenIdConnectProviderOutputArgs{Url: issuerURL}, parent)
	certificateAuthority := described.CertificateAuthorities().Index(pulumi.Int(0)).Data()

	kubeconfig := pulumi.ToSecret(pulumi.All(described.Name(), described.Endpoint(), certificateAuthority).
		ApplyT(func(v []any) (string, error) {
			return kubeconfigJSON(v[0].(string), v[1].(string), v[2].(string), args.Region)
		})).(pulumi.StringOutput)

	provider, err := kubernetes.NewProvider(ctx, naming.Name("eks-k8s", args.Environment),
		&kubernetes.ProviderArgs{Kubeconfig: kubeconfig}, parent)
	if err != nil {
		return nil, err
	}

	comp.ClusterName = described.Name()
	comp.Endpoint = described.Endpoint()
	comp.Arn = described.Arn()
	comp.CertificateAuthority = certificateAuthority
	comp.OidcProviderArn = oidcProvider.Arn()
	comp.OidcProviderUrl = issuerURL
	comp.OidcIssuer = issuerURL.
		ApplyT(func(u string) string { return strings.TrimPrefix(u, "https://") }).(pulumi.StringOutput)
	comp.ClusterSecurityGroupId = described.VpcConfig().ClusterSecurityGroupId()
	comp.ApiSecurityGroupId = apiSecurityGroup.ID().ToStringOutput()
	comp.ControlPlaneLogGroupName = logGroup.Name
	comp.Kubeconfig = kubeconfig
	comp.UpdateKubeconfigCommand = pulumi.Sprintf("aws eks update-kubeconfig --region %s --name %s",
		args.Region, comp.ClusterName)
	comp.Provider = provider
	comp.EksCluster = eksCluster

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"clusterName":              comp.ClusterName,
		"endpoint":                 comp.Endpoint,
		"arn":                      comp.Arn,
		"oidcProviderArn":          comp.OidcProviderArn,
		"oidcProviderUrl":          comp.OidcProviderUrl,
		"clusterSecurityGroupId":   comp.ClusterSecurityGroupId,
		"controlPlaneLogGroupName": comp.ControlPlaneLogGroupName,
		"kubeconfig":               comp.Kubeconfig,
		"updateKubeconfigCommand":  comp.UpdateKubeconfigCommand,
	})
}

// clusterArgs are the pulumi-eks settings that make the cluster private-node, encrypted, fully
// logged and access-entry based (K1, K2, S2).
func clusterArgs(args *Args, serviceRole *iam.Role, apiSecurityGroup *ec2.SecurityGroup, accessEntries map[string]eks.AccessEntryArgs) *eks.ClusterArgs {
	apiAuthentication := eks.AuthenticationModeApi
	clusterArgs := &eks.ClusterArgs{
		Name:                         pulumi.String(args.ClusterName),
		Version:                      pulumi.String(args.KubernetesVersion),
		ServiceRole:                  serviceRole,
		ClusterSecurityGroup:         apiSecurityGroup,
		VpcId:                        args.VpcId.ToStringOutput(),
		PrivateSubnetIds:             args.PrivateSubnetIds,
		PublicSubnetIds:              args.PublicSubnetIds,
		NodeAssociatePublicIpAddress: pulumi.BoolRef(false),
		EndpointPrivateAccess:        pulumi.Bool(true),
		EndpointPublicAccess:         pulumi.Bool(args.EndpointPublicAccess),
		EncryptionConfigKeyArn:       args.SecretsKmsKeyArn.ToStringOutput(),
		EnabledClusterLogTypes:       pulumi.ToStringArray(controlPlaneLogTypes),
		CreateOidcProvider:           pulumi.Bool(true),
		AuthenticationMode:           &apiAuthentication,
		AccessEntries:                accessEntries,
		// Managed node groups get their access entries from EKS. An empty list stops pulumi-eks from
		// creating an unused instance role (with the CNI policy K3 keeps off node roles) and an
		// EC2_LINUX access entry for it.
		InstanceRoles:        iam.RoleArray{},
		SkipDefaultNodeGroup: pulumi.BoolRef(true),
		// The VPC CNI is the EKS add-on (K3), not pulumi-eks' kubectl-applied manifest.
		UseDefaultVpcCni: pulumi.BoolRef(true),
		Tags:             pulumi.ToStringMap(args.Tags),
		ClusterTags:      pulumi.StringMap{"Name": pulumi.String(args.ClusterName)},
	}
	// Without a CIDR list EKS opens the public endpoint to 0.0.0.0/0, so the list is sent only with
	// public access on, and validate refuses public access without one (S2).
	if args.EndpointPublicAccess {
		clusterArgs.PublicAccessCidrs = pulumi.ToStringArray(args.PublicAccessCidrs)
	}
	return clusterArgs
}

func (args *Args) validate() error {
	if args == nil {
		return errors.New("cluster: args are required")
	}
	required := []struct {
		name    string
		missing bool
	}{
		{"Environment", args.Environment == ""},
		{"ClusterName", args.ClusterName == ""},
		{"KubernetesVersion", args.KubernetesVersion == ""},
		{"UpgradeSupportType", args.UpgradeSupportType == ""},
		{"Region", args.Region == ""},
		{"VpcId", args.VpcId == nil},
		{"PrivateSubnetIds", args.PrivateSubnetIds == nil},
		{"SecretsKmsKeyArn", args.SecretsKmsKeyArn == nil},
		{"LogKmsKeyArn", args.LogKmsKeyArn == nil},
	}
	for _, field := range required {
		if field.missing {
			return fmt.Errorf("cluster: %s is required", field.name)
		}
	}
	if args.LogRetentionDays <= 0 {
		return fmt.Errorf("cluster: LogRetentionDays must be positive, got %d (K2)", args.LogRetentionDays)
	}
	if args.EndpointPublicAccess && len(args.PublicAccessCidrs) == 0 {
		return errors.New("cluster: EndpointPublicAccess needs PublicAccessCidrs; " +
			"without them EKS opens the endpoint to 0.0.0.0/0 (S2)")
	}
	if roleName := serviceRoleName(args.ClusterName); len(roleName) > maxIAMRoleNameLength {
		return fmt.Errorf("cluster: ClusterName %q is too long: its IAM role name %q exceeds %d characters",
			args.ClusterName, roleName, maxIAMRoleNameLength)
	}
	return nil
}

func controlPlaneLogGroupName(clusterName string) string {
	return "/aws/eks/" + clusterName + "/cluster"
}

func serviceRoleName(clusterName string) string {
	return clusterName + "-cluster"
}

// privateAccessRules let the configured networks reach the private API endpoint on 443.
func privateAccessRules(ctx *pulumi.Context, args *Args, clusterSecurityGroupID pulumi.StringInput, parent pulumi.ResourceOption) ([]pulumi.Resource, error) {
	rules := make([]pulumi.Resource, 0, len(args.PrivateAccessCidrs))
	for _, cidr := range args.PrivateAccessCidrs {
		rule, err := ec2.NewSecurityGroupRule(ctx, naming.Name("api-access-"+naming.CIDRPart(cidr), args.Environment),
			&ec2.SecurityGroupRuleArgs{
				Type:            pulumi.String("ingress"),
				SecurityGroupId: clusterSecurityGroupID,
				Protocol:        pulumi.String("tcp"),
				FromPort:        pulumi.Int(443),
				ToPort:          pulumi.Int(443),
				CidrBlocks:      pulumi.StringArray{pulumi.String(cidr)},
				Description:     pulumi.String("Kubernetes API from " + cidr),
			}, parent)
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// optionalString leaves an optional input unset when the value is empty.
func optionalString(value string) pulumi.StringPtrInput {
	if value == "" {
		return nil
	}
	return pulumi.String(value)
}
