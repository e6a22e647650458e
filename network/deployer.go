package network

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2transitgateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// deployerPath joins the VPC to the transit gateway that carries the deployer's networks
// (issue 19): an attachment with one interface in each private subnet, and in every private
// route table a route per deployer CIDR to the transit gateway. The routes wait for the
// attachment: EC2 refuses a route to a transit gateway the VPC is not attached to yet. Return
// traffic from the API's interfaces, which sit in the private subnets, takes the same routes.
// The transit gateway itself, its route tables and the runners' side belong to the network team
// (README "Address plan"); when the transit gateway is shared through AWS RAM without automatic
// acceptance, its owner accepts the attachment.
func (b *builder) deployerPath(vpc *ec2.Vpc, zones []string, subnets *subnetLayout) (pulumi.StringOutput, []pulumi.Resource, error) {
	if b.args.DeployerTransitGatewayID == "" {
		return pulumi.String("").ToStringOutput(), nil, nil
	}
	name := b.name("tgw-attachment-deployer")
	attachment, err := ec2transitgateway.NewVpcAttachment(b.ctx, name, &ec2transitgateway.VpcAttachmentArgs{
		TransitGatewayId: pulumi.String(b.args.DeployerTransitGatewayID),
		VpcId:            vpc.ID(),
		SubnetIds:        subnets.privateSubnetIDs,
		DnsSupport:       pulumi.String("enable"),
		Tags:             nameTag(name),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	path := []pulumi.Resource{attachment}
	for i, zone := range zones {
		for _, cidr := range b.args.DeployerRoutedCidrs {
			route, err := ec2.NewRoute(b.ctx, b.name("rtb-private-"+zone+"-deployer-"+naming.CIDRPart(cidr)), &ec2.RouteArgs{
				RouteTableId:         subnets.privateRouteTableIDs[i],
				DestinationCidrBlock: pulumi.String(cidr),
				TransitGatewayId:     attachment.TransitGatewayId,
			}, pulumi.Parent(b.comp), pulumi.DependsOn([]pulumi.Resource{attachment}))
			if err != nil {
				return pulumi.StringOutput{}, nil, err
			}
			path = append(path, route)
		}
	}
	return attachment.ID().ToStringOutput(), path, nil
}
