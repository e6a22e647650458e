package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// subnetTier is what differs between the public and the private subnets (N1).
type subnetTier struct {
	name  string
	cidrs []string
	// roleTag tells the AWS Load Balancer Controller where internet-facing ("elb") and internal
	// ("internal-elb") load balancers go.
	roleTag string
}

// subnetLayout is the IDs the rest of the component and the stack need, in AZ order.
type subnetLayout struct {
	publicSubnetIDs      pulumi.StringArray
	privateSubnetIDs     pulumi.StringArray
	natGatewayIDs        pulumi.StringArray
	privateRouteTableIDs pulumi.StringArray
}

// natIndexFor returns the NAT gateway that AZ zoneIndex routes through: its own where one exists,
// else the first (N2). NAT i lives in AZ i, so with one NAT per AZ no traffic crosses AZs.
func natIndexFor(zoneIndex, natGatewayCount int) int {
	if zoneIndex < natGatewayCount {
		return zoneIndex
	}
	return 0
}

// subnetsAndRoutes builds per AZ a public and a private subnet, the NAT gateways and the route
// tables: public subnets route 0.0.0.0/0 to the internet gateway, each private subnet to a NAT.
func (b *builder) subnetsAndRoutes(vpc *ec2.Vpc, zones []string) (*subnetLayout, error) {
	public := subnetTier{name: "public", cidrs: b.args.PublicSubnetCidrs, roleTag: "kubernetes.io/role/elb"}
	private := subnetTier{name: "private", cidrs: b.args.PrivateSubnetCidrs, roleTag: "kubernetes.io/role/internal-elb"}

	igw, err := ec2.NewInternetGateway(b.ctx, b.name("igw"), &ec2.InternetGatewayArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag(b.name("igw")),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}
	publicRouteTable, err := b.routeTable(vpc, "rtb-public", &ec2.RouteArgs{GatewayId: igw.ID()})
	if err != nil {
		return nil, err
	}

	layout := &subnetLayout{}
	var natGateways []*ec2.NatGateway
	for i, zone := range zones {
		publicSubnet, err := b.subnet(vpc, public, i, zone, publicRouteTable)
		if err != nil {
			return nil, err
		}
		layout.publicSubnetIDs = append(layout.publicSubnetIDs, publicSubnet.ID().ToStringOutput())

		if i < b.args.NatGatewayCount {
			nat, err := b.natGateway(zone, publicSubnet, igw)
			if err != nil {
				return nil, err
			}
			natGateways = append(natGateways, nat)
			layout.natGatewayIDs = append(layout.natGatewayIDs, nat.ID().ToStringOutput())
		}

		nat := natGateways[natIndexFor(i, b.args.NatGatewayCount)]
		privateRouteTable, err := b.routeTable(vpc, "rtb-private-"+zone, &ec2.RouteArgs{NatGatewayId: nat.ID()})
		if err != nil {
			return nil, err
		}
		privateSubnet, err := b.subnet(vpc, private, i, zone, privateRouteTable)
		if err != nil {
			return nil, err
		}
		layout.privateSubnetIDs = append(layout.privateSubnetIDs, privateSubnet.ID().ToStringOutput())
		layout.privateRouteTableIDs = append(layout.privateRouteTableIDs, privateRouteTable.ID().ToStringOutput())
	}
	return layout, nil
}

// routeTable creates a route table whose default route (0.0.0.0/0) goes to the target set in
// defaultRoute. Routes are standalone ec2.Route resources, never inline `routes`: the provider
// cannot mix both styles on one table, and standalone routes leave room for routes added later.
func (b *builder) routeTable(vpc *ec2.Vpc, base string, defaultRoute *ec2.RouteArgs) (*ec2.RouteTable, error) {
	table, err := ec2.NewRouteTable(b.ctx, b.name(base), &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag(b.name(base)),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}
	defaultRoute.RouteTableId = table.ID()
	defaultRoute.DestinationCidrBlock = pulumi.String(anywhereIPv4)
	if _, err := ec2.NewRoute(b.ctx, b.name(base+"-default"), defaultRoute, pulumi.Parent(b.comp)); err != nil {
		return nil, err
	}
	return table, nil
}

// subnet creates the tier's subnet in zone (the zoneIndex-th AZ) and associates it with table.
func (b *builder) subnet(vpc *ec2.Vpc, tier subnetTier, zoneIndex int, zone string, table *ec2.RouteTable) (*ec2.Subnet, error) {
	name := b.name(fmt.Sprintf("subnet-%s-%s", tier.name, zone))
	subnet, err := ec2.NewSubnet(b.ctx, name, &ec2.SubnetArgs{
		VpcId:            vpc.ID(),
		AvailabilityZone: pulumi.String(zone),
		CidrBlock:        pulumi.String(tier.cidrs[zoneIndex]),
		// N1: nothing gets a public IP by accident; NAT gateways use Elastic IPs and
		// internet-facing load balancers get theirs from ELB.
		MapPublicIpOnLaunch: pulumi.Bool(false),
		Tags: pulumi.StringMap{
			"Name":       pulumi.String(name),
			tier.roleTag: pulumi.String("1"),
			"kubernetes.io/cluster/" + b.args.ClusterName: pulumi.String("shared"),
		},
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}
	_, err = ec2.NewRouteTableAssociation(b.ctx, b.name(fmt.Sprintf("rtbassoc-%s-%s", tier.name, zone)),
		&ec2.RouteTableAssociationArgs{
			SubnetId:     subnet.ID(),
			RouteTableId: table.ID(),
		}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}
	return subnet, nil
}

// natGateway creates a NAT gateway with its own Elastic IP in the public subnet of zone.
func (b *builder) natGateway(zone string, publicSubnet *ec2.Subnet, igw *ec2.InternetGateway) (*ec2.NatGateway, error) {
	eip, err := ec2.NewEip(b.ctx, b.name("eip-nat-"+zone), &ec2.EipArgs{
		Domain: pulumi.String("vpc"),
		Tags:   nameTag(b.name("eip-nat-" + zone)),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, err
	}
	// A public NAT gateway only forwards traffic once the VPC has an internet gateway.
	return ec2.NewNatGateway(b.ctx, b.name("nat-"+zone), &ec2.NatGatewayArgs{
		// For a VPC Elastic IP the resource ID is its allocation ID.
		AllocationId: eip.ID(),
		SubnetId:     publicSubnet.ID(),
		Tags:         nameTag(b.name("nat-" + zone)),
	}, pulumi.Parent(b.comp), pulumi.DependsOn([]pulumi.Resource{igw}))
}
