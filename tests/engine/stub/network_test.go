package stub

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The reachability model (issue 19), on the networks of the committed stacks before and after
// they declared a deployer path.
func TestReachabilityModel(t *testing.T) {
	vpc := netRecord{Type: typeVpc, ID: "vpc-1", Cidr: "10.30.0.0/16"}
	privateOnly := netRecord{Type: typeCluster, Endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com",
		PrivateAccess: true, SecurityGroups: []string{"sg-api", "sg-cluster"}}
	public := privateOnly
	public.PublicAccess, public.PublicCidrs = true, []string{"203.0.113.0/24"}
	rule := netRecord{Type: typeRule, Ingress: true, Group: "sg-api", Cidrs: []string{"10.100.0.0/22"}, FromPort: 443, ToPort: 443, Protocol: "tcp"}
	route := netRecord{Type: typeRoute, Cidr: "10.100.0.0/22", TransitGateway: "tgw-0123456789abcdef0"}
	attachment := netRecord{Type: typeAttachment, TransitGateway: "tgw-0123456789abcdef0", VpcID: "vpc-1"}
	httpOnly := rule
	httpOnly.FromPort, httpOnly.ToPort = 80, 80
	inVpcRule := rule
	inVpcRule.Cidrs = []string{"10.30.0.0/19"}
	runner, egress, outsider, inVpc := "10.100.0.10", "203.0.113.10", "192.0.2.7", "10.30.1.9"

	cases := []struct {
		name      string
		records   []netRecord
		addresses []string
		reachable bool
	}{
		{"prod and staging before issue 19: private-only, no path", []netRecord{vpc, privateOnly}, []string{runner, egress}, false},
		{"prod and staging now: transit route, attachment, 443 rule", []netRecord{vpc, privateOnly, rule, route, attachment}, []string{runner, egress}, true},
		{"a deployer outside the declared network", []netRecord{vpc, privateOnly, rule, route, attachment}, []string{outsider}, false},
		{"a route without an attachment", []netRecord{vpc, privateOnly, rule, route}, []string{runner}, false},
		{"routed but not admitted on 443", []netRecord{vpc, privateOnly, httpOnly, route, attachment}, []string{runner}, false},
		{"a runner inside the VPC, admitted", []netRecord{vpc, privateOnly, inVpcRule}, []string{inVpc}, true},
		{"a runner inside the VPC, not admitted", []netRecord{vpc, privateOnly}, []string{inVpc}, false},
		{"dev: public endpoint from the egress address", []netRecord{vpc, public}, []string{runner, egress}, true},
		{"dev: public endpoint from elsewhere", []netRecord{vpc, public}, []string{outsider}, false},
		{"no cluster yet: nothing to judge", []netRecord{vpc}, []string{outsider}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var addresses []netip.Addr
			for _, a := range tc.addresses {
				addresses = append(addresses, netip.MustParseAddr(a))
			}
			err := reachable(tc.records, addresses)
			if tc.reachable != (err == nil) {
				t.Fatalf("reachable = %v (%v), want %v", err == nil, err, tc.reachable)
			}
			if err != nil && !strings.HasPrefix(err.Error(), `configured Kubernetes cluster is unreachable: unable to load schema information from the API server: Get "https://ABC.gr7.us-east-1.eks.amazonaws.com/openapi/v2?timeout=32s": dial tcp`) {
				t.Errorf("error %q is not the real provider's", err)
			}
		})
	}
}

// The aws stub records what it applies and forgets what it deletes; the kubernetes stub reads it.
func TestNetworkRecordsTravelBetweenTheStubs(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(NetworkDirVariable, dir)
	t.Setenv(DeployerAddressVariable, "192.0.2.7")
	cluster := resource.NewPropertyMapFromMap(map[string]any{
		"endpoint":  "https://ABC.gr7.us-east-1.eks.amazonaws.com",
		"vpcConfig": map[string]any{"endpointPrivateAccess": true, "endpointPublicAccess": false, "securityGroupIds": []any{"sg-api"}},
	})
	urn := "urn:pulumi:prod::eks-platform::eks:index:Cluster$aws:eks/cluster:Cluster::eks-prod-eksCluster"
	if err := recordNetwork(urn, typeCluster, "eks-platform-prod", cluster); err != nil {
		t.Fatal(err)
	}
	if err := recordNetwork("urn:x::y::aws:s3/bucketV2:BucketV2::b", "aws:s3/bucketV2:BucketV2", "b", resource.PropertyMap{}); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != 1 {
		t.Fatalf("%d records, want the cluster's only", len(files))
	}
	if err := checkReachable(); err == nil || !strings.Contains(err.Error(), "deployer [192.0.2.7]") {
		t.Fatalf("checkReachable = %v, want unreachable from 192.0.2.7", err)
	}
	if err := forgetNetwork(urn); err != nil {
		t.Fatal(err)
	}
	if err := checkReachable(); err != nil {
		t.Fatalf("after the cluster is deleted: %v", err)
	}
	t.Setenv(NetworkDirVariable, "")
	if err := checkReachable(); err != nil {
		t.Fatalf("model off: %v", err)
	}
}
