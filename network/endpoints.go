package network

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

const httpsPort = 443

// endpointSet is the IDs of the VPC endpoints and of the security group in front of them.
type endpointSet struct {
	interfaceEndpointIDs pulumi.StringMap
	s3EndpointID         pulumi.StringOutput
	securityGroupID      pulumi.StringOutput
}

func (b *builder) serviceName(service string) pulumi.String {
	return pulumi.String(fmt.Sprintf("com.amazonaws.%s.%s", b.args.Region, service))
}

// endpoints creates the S3 gateway endpoint on every private route table and one interface
// endpoint per configured service in the private subnets of the first InterfaceEndpointAzCount
// AZs, behind a dedicated security group (N3). With fewer AZs than subnets, private DNS still
// resolves to the endpoint from every AZ; the other AZs reach it across zones.
func (b *builder) endpoints(vpc *ec2.Vpc, subnets *subnetLayout) (*endpointSet, error) {
	// The S3 gateway endpoint is free and also carries ECR image layers, which ECR serves from S3.
	s3, err := ec2.NewVpcEndpoint(b.ctx, b.name("vpce-s3"), &ec2.VpcEndpointArgs{
		VpcId:           vpc.ID(),
		ServiceName:     b.serviceName("s3"),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   subnets.privateRouteTableIDs,
		Tags:            nameTag(b.name("vpce-s3")),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}

	securityGroupName := b.name("sg-vpc-endpoints")
	securityGroup, err := ec2.NewSecurityGroup(b.ctx, securityGroupName, &ec2.SecurityGroupArgs{
		Name:        pulumi.String(naming.Name("vpc-endpoints", b.args.ClusterName)),
		Description: pulumi.String("HTTPS from inside the VPC to the interface VPC endpoints"),
		VpcId:       vpc.ID(),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from the VPC"),
			Protocol:    pulumi.String("tcp"),
			FromPort:    pulumi.Int(httpsPort),
			ToPort:      pulumi.Int(httpsPort),
			CidrBlocks:  pulumi.StringArray{pulumi.String(b.args.VpcCidr)},
		}},
		// Endpoints only answer connections; security groups are stateful, so replies need no
		// egress rule. The explicit empty list makes the provider remove AWS's default
		// allow-all egress rule and revert any rule added outside Pulumi.
		Egress: ec2.SecurityGroupEgressArray{},
		Tags:   nameTag(securityGroupName),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}

	interfaceEndpointIDs := pulumi.StringMap{}
	for _, service := range b.args.InterfaceEndpoints {
		name := b.name("vpce-" + strings.ReplaceAll(service, ".", "-"))
		endpoint, err := ec2.NewVpcEndpoint(b.ctx, name, &ec2.VpcEndpointArgs{
			VpcId:             vpc.ID(),
			ServiceName:       b.serviceName(service),
			VpcEndpointType:   pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds:         subnets.privateSubnetIDs[:b.args.InterfaceEndpointAzCount],
			SecurityGroupIds:  pulumi.StringArray{securityGroup.ID().ToStringOutput()},
			Tags:              nameTag(name),
		}, pulumi.Parent(b.comp))
		if err != nil {
			return nil, err
		}
		interfaceEndpointIDs[service] = endpoint.ID().ToStringOutput()
	}

	return &endpointSet{
		interfaceEndpointIDs: interfaceEndpointIDs,
		s3EndpointID:         s3.ID().ToStringOutput(),
		securityGroupID:      securityGroup.ID().ToStringOutput(),
	}, nil
}

// lockDefaultSecurityGroup takes over the VPC's default security group and leaves it without any
// rule (N4), so a resource that falls back to it can neither receive nor send traffic. Explicit
// empty lists make the provider remove the default rules and revert any added later.
func (b *builder) lockDefaultSecurityGroup(vpc *ec2.Vpc) error {
	_, err := ec2.NewDefaultSecurityGroup(b.ctx, b.name("default-sg"), &ec2.DefaultSecurityGroupArgs{
		VpcId:   vpc.ID(),
		Ingress: ec2.DefaultSecurityGroupIngressArray{},
		Egress:  ec2.DefaultSecurityGroupEgressArray{},
		Tags:    nameTag(b.name("default-sg")),
	}, pulumi.Parent(b.comp))
	return err
}
