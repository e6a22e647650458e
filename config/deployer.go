package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// transitGatewayIDPattern is an EC2 transit gateway ID: "tgw-" and 8 (older) or 17 hex digits.
var transitGatewayIDPattern = regexp.MustCompile(`^tgw-([0-9a-f]{8}|[0-9a-f]{17})$`)

// Deployer says where `pulumi up` runs from and how that network reaches the cluster's API
// (issue 19). With a private-only endpoint EKS publishes the endpoint's private addresses under
// its public DNS name, so a deployer outside the VPC reaches it only over a routed network and
// only if the API's security group admits it on 443. With the public endpoint on, the same name
// resolves to public addresses outside the VPC, so a deployer there comes through
// publicAccessCidrs instead (AWS knowledge center "eks-private-cluster-endpoint-vpc", read
// 2026-12-06).
type Deployer struct {
	// Cidrs are the deployer's networks as the API server sees them on the private path: CI
	// runner subnets, a VPN's client pool. Each opens 443 on the API's security group, and
	// nothing wider. A CIDR inside vpcCidr is a runner in the cluster's own VPC (local route).
	Cidrs []string
	// TransitGatewayID, when set, is the transit gateway that carries the Cidrs outside vpcCidr:
	// the VPC attaches to it in its private subnets, and every private route table routes those
	// CIDRs to it.
	TransitGatewayID string
}

// RoutedCidrs are the deployer CIDRs outside the VPC: the destinations of the transit gateway
// routes. vpcCidr is valid once the configuration is.
func (d Deployer) RoutedCidrs(vpcCidr string) []string {
	vpc, err := netip.ParsePrefix(vpcCidr)
	var routed []string
	for _, s := range d.Cidrs {
		if p, perr := netip.ParsePrefix(s); err != nil || perr != nil || !vpc.Overlaps(p) {
			routed = append(routed, s)
		}
	}
	return routed
}

// validateDeployer refuses an API endpoint that no declared deployer can reach (issue 19),
// naming the keys that would open a path.
func validateDeployer(v *validator, c *Config) {
	d, k := c.Network.Deployer, c.Cluster
	vpc, vpcErr := netip.ParsePrefix(c.Network.VpcCidr)
	var outside []netip.Prefix
	var inside int
	for i, s := range d.Cidrs {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil || p.Addr().Is6() || p.Masked() != p:
			v.fail("deployerCidrs", s, "must be an IPv4 network address in CIDR form")
			continue
		case p.Bits() < 8:
			v.fail("deployerCidrs", s, "must be a specific network (/8 or longer): it opens the API server's security group (S2)")
			continue
		case slices.Contains(d.Cidrs[:i], s):
			v.fail("deployerCidrs", s, "is listed twice")
			continue
		case slices.Contains(k.PrivateAccessCidrs, s):
			v.fail("deployerCidrs", s, "is also in privateAccessCidrs: list each network once (deployerCidrs already opens 443 to it)")
			continue
		}
		switch {
		case vpcErr != nil:
		case vpc.Bits() <= p.Bits() && vpc.Contains(p.Addr()):
			inside++
			continue
		case vpc.Overlaps(p):
			v.fail("deployerCidrs", s, fmt.Sprintf("must lie either inside vpcCidr %s (a runner in the cluster's VPC) or outside it (routed to the VPC), not across its edge", c.Network.VpcCidr))
			continue
		}
		outside = append(outside, p)
	}

	if d.TransitGatewayID != "" {
		v.match("deployerTransitGatewayId", d.TransitGatewayID, transitGatewayIDPattern,
			"must be empty or a transit gateway ID (tgw- and 8 or 17 hex digits)")
		switch {
		case k.EndpointPublicAccess:
			v.fail("deployerTransitGatewayId", d.TransitGatewayID,
				"must be empty while endpointPublicAccess is true: EKS then resolves the API name to its public addresses outside the VPC, so the deployer would never use the transit route")
		case len(outside) == 0:
			v.fail("deployerTransitGatewayId", d.TransitGatewayID,
				"routes nothing: list the deployer's networks outside vpcCidr in deployerCidrs")
		}
	}

	if k.EndpointPublicAccess {
		// Outside the VPC the deployer resolves the public addresses: its CIDR must be admitted there.
		for _, p := range outside {
			if !slices.ContainsFunc(k.PublicAccessCidrs, func(s string) bool {
				public, err := netip.ParsePrefix(s)
				return err == nil && public.Bits() <= p.Bits() && public.Contains(p.Addr())
			}) {
				v.fail("deployerCidrs", p.String(), fmt.Sprintf(
					"cannot reach the API: with endpointPublicAccess true a deployer outside the VPC comes through the public endpoint, and publicAccessCidrs [%s] do not include it",
					strings.Join(k.PublicAccessCidrs, ", ")))
			}
		}
		return
	}
	if inside == 0 && (len(outside) == 0 || d.TransitGatewayID == "") {
		reason := "no deployer is declared"
		if len(outside) > 0 {
			reason = fmt.Sprintf("deployerCidrs [%s] lie outside the VPC and deployerTransitGatewayId routes none of them", strings.Join(d.Cidrs, ", "))
		}
		v.fail("endpointPublicAccess", false, fmt.Sprintf(
			"a private-only API endpoint that no deployer can reach (%s): `pulumi up` would stall at the first Kubernetes object. "+
				"Declare the deployer's networks in %s and route them with %s (or run the deployer inside vpcCidr), or set endpointPublicAccess true with publicAccessCidrs",
			reason, Key("deployerCidrs"), Key("deployerTransitGatewayId")))
	}
}
