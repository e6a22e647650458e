// Package network builds the VPC the cluster lives in (STACK_SPEC N1–N4): public and private
// subnets per Availability Zone, NAT gateways, VPC endpoints, flow logs and a locked-down default
// security group.
package network

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

const anywhereIPv4 = "0.0.0.0/0"

// eksUnsupportedZoneIDs are the zone IDs in which EKS refuses to place cluster subnets
// (UnsupportedAvailabilityZoneException, EKS user guide "VPC and subnet requirements"). Zone IDs,
// unlike zone names, mean the same physical zone in every account.
var eksUnsupportedZoneIDs = map[string]bool{
	"use1-az3": true, // us-east-1
	"usw1-az2": true, // us-west-1
	"cac1-az3": true, // ca-central-1
}

// Args configures the network. All plain values come from validated stack config.
type Args struct {
	// Environment is the name suffix of every logical resource name ("dev", "staging", "prod").
	Environment string
	// ClusterName is the full EKS cluster name; subnets are tagged kubernetes.io/cluster/<name>.
	ClusterName string
	// Region builds the interface endpoint service names (com.amazonaws.<region>.<service>).
	Region string
	// VpcCidr is the VPC's IPv4 range; the endpoint security group admits HTTPS from it only.
	VpcCidr string
	// AzCount is how many Availability Zones the VPC spans (the first AzCount usable ones).
	AzCount int
	// PublicSubnetCidrs and PrivateSubnetCidrs hold one CIDR per AZ, in AZ order.
	PublicSubnetCidrs  []string
	PrivateSubnetCidrs []string
	// NatGatewayCount is 1 (shared) up to AzCount (one per AZ).
	NatGatewayCount int
	// InterfaceEndpoints are service short names ("ecr.api", "sts", ...) for interface endpoints.
	InterfaceEndpoints []string
	// InterfaceEndpointAzCount is how many AZs (the first ones) hold a network interface of each
	// interface endpoint: every AZ for resilience, fewer to save the hourly charge per AZ.
	InterfaceEndpointAzCount int
	// FlowLogRetentionDays is the flow-log group's retention (a CloudWatch-allowed value).
	FlowLogRetentionDays int
	// LogKmsKeyArn encrypts the flow-log group; its key policy must admit logs.<region>.amazonaws.com.
	LogKmsKeyArn pulumi.StringInput
	// PermissionsBoundaryArn, when set, is the permissions boundary of the flow-log role (S3).
	PermissionsBoundaryArn string
	// Protect keeps the flow-log group (network evidence) from being deleted with the stack (prod).
	Protect bool
	// DeployerTransitGatewayID, when set, is the transit gateway that carries DeployerRoutedCidrs,
	// the deployer's networks outside the VPC, to the private subnets (issue 19).
	DeployerTransitGatewayID string
	DeployerRoutedCidrs      []string
}

// Network is the component and everything later parts of the stack need from it.
type Network struct {
	pulumi.ResourceState

	VpcId                   pulumi.StringOutput
	VpcCidr                 pulumi.StringOutput
	AvailabilityZones       pulumi.StringArrayOutput
	PublicSubnetIds         pulumi.StringArrayOutput
	PrivateSubnetIds        pulumi.StringArrayOutput
	NatGatewayIds           pulumi.StringArrayOutput
	PrivateRouteTableIds    pulumi.StringArrayOutput
	InterfaceEndpointIds    pulumi.StringMapOutput // service short name -> endpoint ID
	S3EndpointId            pulumi.StringOutput
	EndpointSecurityGroupId pulumi.StringOutput
	FlowLogGroupName        pulumi.StringOutput
	// DeployerAttachmentId is the transit gateway attachment of the deployer path, "" without one.
	DeployerAttachmentId pulumi.StringOutput
	// DeployerPath are the attachment and its routes, for dependencies: what talks to the
	// cluster must come after them and go before them (issue 19).
	DeployerPath []pulumi.Resource
}

// builder carries what every child resource needs while the component is assembled.
type builder struct {
	ctx  *pulumi.Context
	args *Args
	comp *Network
}

func (b *builder) name(base string) string {
	return naming.Name(base, b.args.Environment)
}

// nameTag is the Name tag AWS consoles show; it repeats the logical name.
func nameTag(logicalName string) pulumi.StringMap {
	return pulumi.StringMap{"Name": pulumi.String(logicalName)}
}

// New creates the network component.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if err := validate(args); err != nil {
		return nil, err
	}
	comp := &Network{}
	if err := ctx.RegisterComponentResource("eks-platform:network:Network", name, comp, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, args: args, comp: comp}

	zones, err := b.availabilityZones()
	if err != nil {
		return nil, err
	}
	vpc, err := ec2.NewVpc(ctx, b.name("vpc"), &ec2.VpcArgs{
		CidrBlock: pulumi.String(args.VpcCidr),
		// Both are required for interface endpoints' private DNS and for EKS node registration.
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               nameTag(b.name("vpc")),
	}, pulumi.Parent(comp))
	if err != nil {
		return nil, err
	}
	if err := b.lockDefaultSecurityGroup(vpc); err != nil {
		return nil, err
	}
	subnets, err := b.subnetsAndRoutes(vpc, zones)
	if err != nil {
		return nil, err
	}
	endpoints, err := b.endpoints(vpc, subnets)
	if err != nil {
		return nil, err
	}
	flowLogGroupName, err := b.flowLogs(vpc)
	if err != nil {
		return nil, err
	}
	deployerAttachmentID, deployerPath, err := b.deployerPath(vpc, zones, subnets)
	if err != nil {
		return nil, err
	}

	comp.VpcId = vpc.ID().ToStringOutput()
	comp.VpcCidr = vpc.CidrBlock
	comp.AvailabilityZones = pulumi.ToStringArray(zones).ToStringArrayOutput()
	comp.PublicSubnetIds = subnets.publicSubnetIDs.ToStringArrayOutput()
	comp.PrivateSubnetIds = subnets.privateSubnetIDs.ToStringArrayOutput()
	comp.NatGatewayIds = subnets.natGatewayIDs.ToStringArrayOutput()
	comp.PrivateRouteTableIds = subnets.privateRouteTableIDs.ToStringArrayOutput()
	comp.InterfaceEndpointIds = endpoints.interfaceEndpointIDs.ToStringMapOutput()
	comp.S3EndpointId = endpoints.s3EndpointID
	comp.EndpointSecurityGroupId = endpoints.securityGroupID
	comp.FlowLogGroupName = flowLogGroupName
	comp.DeployerAttachmentId = deployerAttachmentID
	comp.DeployerPath = deployerPath

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"vpcId":                   comp.VpcId,
		"vpcCidr":                 comp.VpcCidr,
		"availabilityZones":       comp.AvailabilityZones,
		"publicSubnetIds":         comp.PublicSubnetIds,
		"privateSubnetIds":        comp.PrivateSubnetIds,
		"natGatewayIds":           comp.NatGatewayIds,
		"privateRouteTableIds":    comp.PrivateRouteTableIds,
		"interfaceEndpointIds":    comp.InterfaceEndpointIds,
		"s3EndpointId":            comp.S3EndpointId,
		"endpointSecurityGroupId": comp.EndpointSecurityGroupId,
		"flowLogGroupName":        comp.FlowLogGroupName,
		"deployerAttachmentId":    comp.DeployerAttachmentId,
	})
}

// validate rejects Args the component cannot build from; range checks on user input belong to the
// config package (C4), these only guard against a caller wiring the component wrongly.
func validate(args *Args) error {
	if args == nil {
		return errors.New("network: args are required")
	}
	checks := []struct {
		ok      bool
		problem string
	}{
		{args.Environment != "", "Environment is empty"},
		{args.ClusterName != "", "ClusterName is empty"},
		{args.Region != "", "Region is empty"},
		{args.VpcCidr != "", "VpcCidr is empty"},
		{args.AzCount >= 1, fmt.Sprintf("AzCount is %d, want at least 1", args.AzCount)},
		{len(args.PublicSubnetCidrs) == args.AzCount,
			fmt.Sprintf("PublicSubnetCidrs has %d entries, want one per AZ (%d)", len(args.PublicSubnetCidrs), args.AzCount)},
		{len(args.PrivateSubnetCidrs) == args.AzCount,
			fmt.Sprintf("PrivateSubnetCidrs has %d entries, want one per AZ (%d)", len(args.PrivateSubnetCidrs), args.AzCount)},
		{args.NatGatewayCount >= 1 && args.NatGatewayCount <= args.AzCount,
			fmt.Sprintf("NatGatewayCount is %d, want 1..%d (AzCount)", args.NatGatewayCount, args.AzCount)},
		{len(args.InterfaceEndpoints) == 0 || args.InterfaceEndpointAzCount >= 1 && args.InterfaceEndpointAzCount <= args.AzCount,
			fmt.Sprintf("InterfaceEndpointAzCount is %d, want 1..%d (AzCount)", args.InterfaceEndpointAzCount, args.AzCount)},
		{args.FlowLogRetentionDays > 0, fmt.Sprintf("FlowLogRetentionDays is %d, want > 0", args.FlowLogRetentionDays)},
		{args.LogKmsKeyArn != nil, "LogKmsKeyArn is nil (flow logs must be encrypted, N4)"},
		{(args.DeployerTransitGatewayID == "") == (len(args.DeployerRoutedCidrs) == 0),
			"DeployerTransitGatewayID and DeployerRoutedCidrs must be set together"},
	}
	var problems []string
	for _, c := range checks {
		if !c.ok {
			problems = append(problems, c.problem)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("network: invalid args: %s", strings.Join(problems, "; "))
	}
	return nil
}

// availabilityZones returns the first AzCount zones of the region that are available, need no
// opt-in (which leaves out Local Zones and Wavelength Zones, where EKS cannot place its network
// interfaces) and are not on EKS's unsupported list.
func (b *builder) availabilityZones() ([]string, error) {
	result, err := aws.GetAvailabilityZones(b.ctx, &aws.GetAvailabilityZonesArgs{
		State: pulumi.StringRef("available"),
		Filters: []aws.GetAvailabilityZonesFilter{
			{Name: "opt-in-status", Values: []string{"opt-in-not-required"}},
		},
	}, pulumi.Parent(b.comp))
	if err != nil {
		return nil, fmt.Errorf("network: listing availability zones: %w", err)
	}
	zones := usableZones(result.Names, result.ZoneIds)
	if len(zones) < b.args.AzCount {
		return nil, fmt.Errorf("network: AzCount is %d but region %s has only %d usable availability zones %v",
			b.args.AzCount, b.args.Region, len(zones), zones)
	}
	return zones[:b.args.AzCount], nil
}

// usableZones drops the zones EKS does not support; names and zoneIDs are parallel lists.
func usableZones(names, zoneIDs []string) []string {
	var usable []string
	for i, name := range names {
		if i < len(zoneIDs) && eksUnsupportedZoneIDs[zoneIDs[i]] {
			continue
		}
		usable = append(usable, name)
	}
	return usable
}
