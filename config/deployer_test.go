package config

import (
	"net/netip"
	"testing"
)

// Issue 19: every committed stack has its own address space, so one transit gateway can route to
// all of them, and none overlaps a network its deployers come from.
func TestCommittedStacksHaveDistinctAddressSpace(t *testing.T) {
	owner := map[netip.Prefix]string{}
	var deployers []netip.Prefix
	for _, stack := range committedStacks(t) {
		c, err := parse(stack, stackValues(t, stack))
		if err != nil {
			t.Fatal(err)
		}
		vpc := netip.MustParsePrefix(c.Network.VpcCidr)
		for other, name := range owner {
			if other.Overlaps(vpc) {
				t.Errorf("%s: vpcCidr %s overlaps %s's %s", stack, vpc, name, other)
			}
		}
		owner[vpc] = stack
		for _, s := range c.Network.Deployer.RoutedCidrs(c.Network.VpcCidr) {
			deployers = append(deployers, netip.MustParsePrefix(s))
		}
	}
	for _, d := range deployers {
		for vpc, stack := range owner {
			if d.Overlaps(vpc) {
				t.Errorf("deployer network %s overlaps %s's vpcCidr %s", d, stack, vpc)
			}
		}
	}
}

// Issue 19: prod and staging declare a routed deployer path; a deployer inside the VPC needs no route.
func TestDeployerPaths(t *testing.T) {
	for _, stack := range []string{"staging", "prod"} {
		c, err := parse(stack, stackValues(t, stack))
		if err != nil {
			t.Fatal(err)
		}
		d := c.Network.Deployer
		if c.Cluster.EndpointPublicAccess || d.TransitGatewayID == "" || len(d.RoutedCidrs(c.Network.VpcCidr)) == 0 {
			t.Errorf("%s: public %v, deployer %+v: want a private endpoint reached over a transit gateway", stack, c.Cluster.EndpointPublicAccess, d)
		}
	}
	c, err := parseStackOn(t, "prod", "2026-12-01", map[string]string{
		"eks-platform:deployerCidrs": `["10.30.0.0/19"]`, "eks-platform:deployerTransitGatewayId": "",
	})
	if err != nil {
		t.Fatalf("a runner inside the VPC: %v", err)
	}
	if routed := c.Network.Deployer.RoutedCidrs(c.Network.VpcCidr); len(routed) != 0 {
		t.Errorf("routed %v, want nothing for a deployer inside the VPC", routed)
	}
}
