package nodegroups

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// nodeManagedPolicies are the only AWS managed policies the node role gets (G3). The CNI policy is
// deliberately absent: the vpc-cni add-on gets it through its own IRSA role (K3), so pods on the
// node cannot borrow ENI-management rights from the instance.
var nodeManagedPolicies = []string{
	"AmazonEKSWorkerNodePolicy",
	"AmazonEC2ContainerRegistryReadOnly",
	"AmazonSSMManagedInstanceCore",
}

// nodeTrustPolicy lets EC2 instances, and nothing else, assume the node role; %s is the
// partition's DNS suffix.
const nodeTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Service":"ec2.%s"},"Action":"sts:AssumeRole"}]}`

// nodeRole is the IAM role every node group's instances run as, with the attachments the node
// groups must wait for (a node that boots before its policies are attached cannot join).
type nodeRole struct {
	role        *iam.Role
	attachments []pulumi.Resource
}

// newNodeRole creates the node role shared by all groups. EKS creates the role's access entry itself
// when a managed node group uses it (authenticationMode API), so no aws-auth mapping is needed.
func newNodeRole(ctx *pulumi.Context, parent pulumi.Resource, args *Args) (*nodeRole, error) {
	// ARNs and the EC2 service principal differ per partition (aws, aws-cn, aws-us-gov).
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, pulumi.Parent(parent))

	name := naming.Name("eks-node", args.Environment)
	roleArgs := &iam.RoleArgs{
		Name:             pulumi.String(name),
		Description:      pulumi.String("EKS managed node groups of " + args.ClusterName),
		AssumeRolePolicy: pulumi.Sprintf(nodeTrustPolicy, partition.DnsSuffix()),
		Tags:             pulumi.StringMap{"Name": pulumi.String(name)},
	}
	if args.PermissionsBoundaryArn != "" {
		roleArgs.PermissionsBoundary = pulumi.String(args.PermissionsBoundaryArn)
	}
	role, err := iam.NewRole(ctx, name, roleArgs, pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}

	result := &nodeRole{role: role}
	for _, policy := range nodeManagedPolicies {
		attachment, err := iam.NewRolePolicyAttachment(ctx, naming.Name("eks-node-"+policy, args.Environment),
			&iam.RolePolicyAttachmentArgs{
				Role:      role.Name,
				PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", partition.Partition(), policy),
			}, pulumi.Parent(parent))
		if err != nil {
			return nil, err
		}
		result.attachments = append(result.attachments, attachment)
	}
	return result, nil
}
