package network

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	typeVpc          = "aws:ec2/vpc:Vpc"
	typeSubnet       = "aws:ec2/subnet:Subnet"
	typeNat          = "aws:ec2/natGateway:NatGateway"
	typeEip          = "aws:ec2/eip:Eip"
	typeIgw          = "aws:ec2/internetGateway:InternetGateway"
	typeRouteTable   = "aws:ec2/routeTable:RouteTable"
	typeRoute        = "aws:ec2/route:Route"
	typeAssociation  = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	typeEndpoint     = "aws:ec2/vpcEndpoint:VpcEndpoint"
	typeSecGroup     = "aws:ec2/securityGroup:SecurityGroup"
	typeDefaultSG    = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	typeFlowLog      = "aws:ec2/flowLog:FlowLog"
	typeLogGroup     = "aws:cloudwatch/logGroup:LogGroup"
	typeRole         = "aws:iam/role:Role"
	typeRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	typeComponent    = "eks-platform:network:Network"
	testKmsKeyArn    = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
	testClusterName  = "eks-platform-dev"
	testVpcCidr      = "10.0.0.0/16"
	clusterTagPrefix = "kubernetes.io/cluster/"
)

var defaultInterfaceEndpoints = []string{"ecr.api", "ecr.dkr", "sts", "logs", "ec2", "elasticloadbalancing", "autoscaling"}

func validArgs() *Args {
	return &Args{
		Environment:              "dev",
		ClusterName:              testClusterName,
		Region:                   "us-east-1",
		VpcCidr:                  testVpcCidr,
		AzCount:                  3,
		PublicSubnetCidrs:        []string{"10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"},
		PrivateSubnetCidrs:       []string{"10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"},
		NatGatewayCount:          1,
		InterfaceEndpoints:       defaultInterfaceEndpoints,
		InterfaceEndpointAzCount: 3,
		FlowLogRetentionDays:     90,
		LogKmsKeyArn:             pulumi.String(testKmsKeyArn),
	}
}

// capturedOutputs holds the component's outputs once they resolved.
type capturedOutputs struct {
	mu                   sync.Mutex
	availabilityZones    []string
	privateSubnetIDs     []string
	natGatewayIDs        []string
	interfaceEndpointIDs map[string]string
	flowLogGroupName     string
}

func run(t *testing.T, mutate func(*Args)) (*offline.Plan, *capturedOutputs) {
	t.Helper()
	args := validArgs()
	if mutate != nil {
		mutate(args)
	}
	got := &capturedOutputs{}
	plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		comp, err := New(ctx, "network-dev", args)
		if err != nil {
			return err
		}
		pulumi.All(comp.AvailabilityZones, comp.PrivateSubnetIds, comp.NatGatewayIds,
			comp.InterfaceEndpointIds, comp.FlowLogGroupName).ApplyT(func(v []any) error {
			got.mu.Lock()
			defer got.mu.Unlock()
			got.availabilityZones = v[0].([]string)
			got.privateSubnetIDs = v[1].([]string)
			got.natGatewayIDs = v[2].([]string)
			got.interfaceEndpointIDs = v[3].(map[string]string)
			got.flowLogGroupName = v[4].(string)
			return nil
		})
		return nil
	})
	if err != nil {
		t.Fatalf("running the network component: %v", err)
	}
	return plan, got
}

// dependenciesOfType returns the resources of typeToken that r depends on.
func dependenciesOfType(plan *offline.Plan, r offline.Resource, typeToken string) []offline.Resource {
	var out []offline.Resource
	for _, urn := range r.Dependencies {
		if d, ok := plan.ByURN(urn); ok && d.Type == typeToken {
			out = append(out, d)
		}
	}
	return out
}

// dependents returns the resources of typeToken that depend on r.
func dependents(plan *offline.Plan, r offline.Resource, typeToken string) []offline.Resource {
	var out []offline.Resource
	for _, c := range plan.ByType(typeToken) {
		if c.DependsOn(r.URN) {
			out = append(out, c)
		}
	}
	return out
}

func one(t *testing.T, what string, rs []offline.Resource) offline.Resource {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", what, len(rs))
	}
	return rs[0]
}

func mockID(r offline.Resource) string { return offline.MockID(r.Type, r.Name) }

func idsOf(rs []offline.Resource) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, mockID(r))
	}
	sort.Strings(ids)
	return ids
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// subnetsOfTier returns the subnets of one tier ("public" or "private"), by logical name.
func subnetsOfTier(t *testing.T, plan *offline.Plan, tier string) []offline.Resource {
	t.Helper()
	var out []offline.Resource
	for _, s := range plan.ByType(typeSubnet) {
		if strings.HasPrefix(s.Name, "subnet-"+tier+"-") {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s subnets in the plan", tier)
	}
	return out
}

// N1: one public and one private subnet per AZ, in the first usable AZs.
func TestN1_OneSubnetPairPerUsableZone(t *testing.T) {
	plan, got := run(t, nil)
	// The mock region's zone IDs are use1-az1..6 for us-east-1a..f; use1-az3 (us-east-1c) is a
	// zone EKS rejects, so the three zones are a, b and d.
	wantZones := []string{"us-east-1a", "us-east-1b", "us-east-1d"}
	if !reflect.DeepEqual(got.availabilityZones, wantZones) {
		t.Fatalf("AvailabilityZones = %v, want %v", got.availabilityZones, wantZones)
	}
	for _, tier := range []string{"public", "private"} {
		var zones []string
		for _, s := range subnetsOfTier(t, plan, tier) {
			zones = append(zones, s.String("availabilityZone"))
		}
		if !reflect.DeepEqual(sorted(zones), wantZones) {
			t.Errorf("%s subnets are in %v, want one in each of %v", tier, zones, wantZones)
		}
	}
	vpc := offline.MustGet(t, plan, typeVpc, "vpc-dev")
	if vpc.Input("enableDnsSupport") != true || vpc.Input("enableDnsHostnames") != true {
		t.Errorf("VPC DNS support/hostnames = %v/%v, want both true",
			vpc.Input("enableDnsSupport"), vpc.Input("enableDnsHostnames"))
	}
	if vpc.String("cidrBlock") != testVpcCidr {
		t.Errorf("VPC CIDR = %q, want %q", vpc.String("cidrBlock"), testVpcCidr)
	}
	if !reflect.DeepEqual(sorted(got.privateSubnetIDs), idsOf(subnetsOfTier(t, plan, "private"))) {
		t.Errorf("PrivateSubnetIds = %v, want the private subnets' IDs", got.privateSubnetIDs)
	}
}

// N1: no subnet auto-assigns public IPs; the setting is explicit, not left to the default.
func TestN1_NoSubnetMapsPublicIPs(t *testing.T) {
	plan, _ := run(t, nil)
	subnets := plan.ByType(typeSubnet)
	if len(subnets) != 6 {
		t.Fatalf("want 6 subnets, got %d", len(subnets))
	}
	for _, s := range subnets {
		if v := s.Input("mapPublicIpOnLaunch"); v != false {
			t.Errorf("subnet %s: mapPublicIpOnLaunch = %v, want explicit false", s.Name, v)
		}
	}
}

// N1: Kubernetes discovery tags, so load balancers land in the right subnets.
func TestN1_SubnetDiscoveryTags(t *testing.T) {
	plan, _ := run(t, nil)
	roleTags := map[string]struct{ want, forbidden string }{
		"public":  {"kubernetes.io/role/elb", "kubernetes.io/role/internal-elb"},
		"private": {"kubernetes.io/role/internal-elb", "kubernetes.io/role/elb"},
	}
	for tier, tags := range roleTags {
		for _, s := range subnetsOfTier(t, plan, tier) {
			tagMap, _ := s.Input("tags").(map[string]any)
			if tagMap[tags.want] != "1" {
				t.Errorf("%s subnet %s: tag %s = %v, want \"1\"", tier, s.Name, tags.want, tagMap[tags.want])
			}
			if _, ok := tagMap[tags.forbidden]; ok {
				t.Errorf("%s subnet %s carries %s", tier, s.Name, tags.forbidden)
			}
			if tagMap[clusterTagPrefix+testClusterName] != "shared" {
				t.Errorf("%s subnet %s: cluster tag = %v, want shared", tier, s.Name, tagMap[clusterTagPrefix+testClusterName])
			}
			if tagMap["Name"] != s.Name {
				t.Errorf("%s subnet %s: Name tag = %v", tier, s.Name, tagMap["Name"])
			}
		}
	}
}

// N2: the number of NAT gateways (and their Elastic IPs) is the configured count, each in a
// public subnet.
func TestN2_NatGatewayCount(t *testing.T) {
	for _, count := range []int{1, 2, 3} {
		plan, got := run(t, func(a *Args) { a.NatGatewayCount = count })
		nats := plan.ByType(typeNat)
		if len(nats) != count || len(plan.ByType(typeEip)) != count || len(got.natGatewayIDs) != count {
			t.Fatalf("NatGatewayCount %d: got %d NAT gateways, %d EIPs, %d NAT outputs",
				count, len(nats), len(plan.ByType(typeEip)), len(got.natGatewayIDs))
		}
		publicIDs := idsOf(subnetsOfTier(t, plan, "public"))
		for _, nat := range nats {
			eip := one(t, "EIP for "+nat.Name, dependenciesOfType(plan, nat, typeEip))
			if nat.String("allocationId") != mockID(eip) || eip.String("domain") != "vpc" {
				t.Errorf("NAT %s: allocationId %q, want the ID of VPC EIP %s", nat.Name, nat.String("allocationId"), eip.Name)
			}
			if indexOf(publicIDs, nat.String("subnetId")) < 0 {
				t.Errorf("NAT %s is in subnet %q, not a public subnet", nat.Name, nat.String("subnetId"))
			}
			if len(dependenciesOfType(plan, nat, typeIgw)) != 1 {
				t.Errorf("NAT %s does not wait for the internet gateway", nat.Name)
			}
		}
	}
}

// zonesOfRouteTable follows the route table's associations to their subnets' AZs.
func zonesOfRouteTable(plan *offline.Plan, table offline.Resource) []string {
	var zones []string
	for _, assoc := range dependents(plan, table, typeAssociation) {
		for _, s := range dependenciesOfType(plan, assoc, typeSubnet) {
			zones = append(zones, s.String("availabilityZone"))
		}
	}
	return zones
}

// defaultRoute returns the 0.0.0.0/0 route of a route table.
func defaultRoute(t *testing.T, plan *offline.Plan, table offline.Resource) offline.Resource {
	t.Helper()
	var routes []offline.Resource
	for _, r := range dependents(plan, table, typeRoute) {
		if r.String("destinationCidrBlock") == "0.0.0.0/0" && r.String("routeTableId") == mockID(table) {
			routes = append(routes, r)
		}
	}
	return one(t, "default route of "+table.Name, routes)
}

// N2: each private route table routes 0.0.0.0/0 to the NAT gateway in its own AZ where one
// exists, otherwise to the first NAT gateway.
func TestN2_PrivateRouteTablesUseNatOfOwnZone(t *testing.T) {
	for _, count := range []int{1, 2, 3} {
		plan, got := run(t, func(a *Args) { a.NatGatewayCount = count })
		tables := subnetRouteTables(t, plan, "private")
		if len(tables) != 3 {
			t.Fatalf("NatGatewayCount %d: want 3 private route tables, got %d", count, len(tables))
		}
		for _, table := range tables {
			zones := zonesOfRouteTable(plan, table)
			if len(zones) != 1 {
				t.Fatalf("private route table %s serves zones %v, want exactly one", table.Name, zones)
			}
			zone := zones[0]
			wantNatZone := got.availabilityZones[0]
			if indexOf(got.availabilityZones, zone) < count {
				wantNatZone = zone
			}
			route := defaultRoute(t, plan, table)
			nat := one(t, "NAT of "+route.Name, dependenciesOfType(plan, route, typeNat))
			if route.String("natGatewayId") != mockID(nat) || route.String("gatewayId") != "" {
				t.Errorf("route %s: natGatewayId %q gatewayId %q, want NAT %s only", route.Name,
					route.String("natGatewayId"), route.String("gatewayId"), nat.Name)
			}
			natSubnet := one(t, "subnet of "+nat.Name, dependenciesOfType(plan, nat, typeSubnet))
			if natZone := natSubnet.String("availabilityZone"); natZone != wantNatZone {
				t.Errorf("NatGatewayCount %d: private route table in %s goes to the NAT in %s, want %s",
					count, zone, natZone, wantNatZone)
			}
		}
	}
}

// The public route table sends 0.0.0.0/0 to the internet gateway and serves every public subnet.
func TestN1_PublicRouteTableUsesInternetGateway(t *testing.T) {
	plan, _ := run(t, nil)
	table := one(t, "public route table", subnetRouteTables(t, plan, "public"))
	igw := one(t, "internet gateway", plan.ByType(typeIgw))
	route := defaultRoute(t, plan, table)
	if route.String("gatewayId") != mockID(igw) || route.String("natGatewayId") != "" {
		t.Errorf("public default route: gatewayId %q natGatewayId %q, want the IGW only",
			route.String("gatewayId"), route.String("natGatewayId"))
	}
	if zones := zonesOfRouteTable(plan, table); len(zones) != 3 {
		t.Errorf("public route table serves zones %v, want all three", zones)
	}
}

// subnetRouteTables returns the route tables associated with subnets of the tier.
func subnetRouteTables(t *testing.T, plan *offline.Plan, tier string) []offline.Resource {
	t.Helper()
	seen := map[string]offline.Resource{}
	for _, s := range subnetsOfTier(t, plan, tier) {
		assoc := one(t, "association of "+s.Name, dependents(plan, s, typeAssociation))
		table := one(t, "route table of "+s.Name, dependenciesOfType(plan, assoc, typeRouteTable))
		seen[table.URN] = table
	}
	var out []offline.Resource
	for _, table := range seen {
		out = append(out, table)
	}
	return out
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// N3: the S3 gateway endpoint is on every private route table (and only those).
func TestN3_S3GatewayEndpointOnEveryPrivateRouteTable(t *testing.T) {
	for _, count := range []int{1, 3} {
		plan, _ := run(t, func(a *Args) { a.NatGatewayCount = count })
		s3 := offline.MustGet(t, plan, typeEndpoint, "vpce-s3-dev")
		if s3.String("vpcEndpointType") != "Gateway" || s3.String("serviceName") != "com.amazonaws.us-east-1.s3" {
			t.Errorf("S3 endpoint: type %q service %q", s3.String("vpcEndpointType"), s3.String("serviceName"))
		}
		want := idsOf(subnetRouteTables(t, plan, "private"))
		if got := sorted(s3.Strings("routeTableIds")); !reflect.DeepEqual(got, want) {
			t.Errorf("S3 endpoint route tables = %v, want the private ones %v", got, want)
		}
	}
}

// N3: interface endpoints are exactly the configured services, with private DNS, in every
// private subnet, behind the endpoint security group.
func TestN3_InterfaceEndpoints(t *testing.T) {
	cases := map[string][]string{
		"default set": defaultInterfaceEndpoints,
		"dev subset":  {"ecr.api", "ecr.dkr"},
		"none":        nil,
	}
	for name, services := range cases {
		t.Run(name, func(t *testing.T) {
			plan, got := run(t, func(a *Args) { a.InterfaceEndpoints = services })
			sg := offline.MustGet(t, plan, typeSecGroup, "sg-vpc-endpoints-dev")
			privateIDs := idsOf(subnetsOfTier(t, plan, "private"))
			var gotServices []string
			for _, ep := range plan.ByType(typeEndpoint) {
				if ep.String("vpcEndpointType") != "Interface" {
					continue
				}
				service := strings.TrimPrefix(ep.String("serviceName"), "com.amazonaws.us-east-1.")
				gotServices = append(gotServices, service)
				if ep.Name != "vpce-"+strings.ReplaceAll(service, ".", "-")+"-dev" {
					t.Errorf("endpoint for %s is named %s", service, ep.Name)
				}
				if ep.Input("privateDnsEnabled") != true {
					t.Errorf("endpoint %s: privateDnsEnabled = %v", ep.Name, ep.Input("privateDnsEnabled"))
				}
				if !reflect.DeepEqual(sorted(ep.Strings("subnetIds")), privateIDs) {
					t.Errorf("endpoint %s: subnets %v, want the private ones %v", ep.Name, ep.Strings("subnetIds"), privateIDs)
				}
				if !reflect.DeepEqual(ep.Strings("securityGroupIds"), []string{mockID(sg)}) {
					t.Errorf("endpoint %s: security groups %v, want only %s", ep.Name, ep.Strings("securityGroupIds"), mockID(sg))
				}
				if got.interfaceEndpointIDs[service] != mockID(ep) {
					t.Errorf("InterfaceEndpointIds[%s] = %q, want %q", service, got.interfaceEndpointIDs[service], mockID(ep))
				}
			}
			if !reflect.DeepEqual(sorted(gotServices), sorted(services)) {
				t.Errorf("interface endpoints for %v, want %v", gotServices, services)
			}
			if len(got.interfaceEndpointIDs) != len(services) {
				t.Errorf("InterfaceEndpointIds has %d entries, want %d", len(got.interfaceEndpointIDs), len(services))
			}
		})
	}
}

// N3 + cost (issue 12): with interfaceEndpointAzCount below azCount, each interface endpoint has a
// network interface in the private subnets of the first AZs only (the charge is per AZ per hour).
func TestN3_InterfaceEndpointsInFewerAZs(t *testing.T) {
	for _, azs := range []int{1, 2} {
		plan, _ := run(t, func(a *Args) { a.InterfaceEndpointAzCount = azs })
		var want []string
		for _, subnet := range subnetsOfTier(t, plan, "private") {
			zone := subnet.String("availabilityZone")
			if zone == "us-east-1a" || azs == 2 && zone == "us-east-1b" {
				want = append(want, mockID(subnet))
			}
		}
		if len(want) != azs {
			t.Fatalf("found %d private subnets in the first %d AZs", len(want), azs)
		}
		for _, ep := range plan.ByType(typeEndpoint) {
			if ep.String("vpcEndpointType") == "Interface" && !reflect.DeepEqual(sorted(ep.Strings("subnetIds")), sorted(want)) {
				t.Errorf("%d AZs: endpoint %s in subnets %v, want %v", azs, ep.Name, ep.Strings("subnetIds"), want)
			}
		}
	}
}

// N3: the endpoint security group admits TCP 443 from the VPC CIDR and nothing else, and has no
// egress rule.
func TestN3_EndpointSecurityGroupAllowsOnlyHTTPSFromVpc(t *testing.T) {
	plan, _ := run(t, nil)
	sg := offline.MustGet(t, plan, typeSecGroup, "sg-vpc-endpoints-dev")
	ingress, _ := sg.Input("ingress").([]any)
	if len(ingress) != 1 {
		t.Fatalf("endpoint SG has %d ingress rules, want 1: %v", len(ingress), ingress)
	}
	rule := ingress[0].(map[string]any)
	if rule["protocol"] != "tcp" || rule["fromPort"] != float64(443) || rule["toPort"] != float64(443) {
		t.Errorf("endpoint SG ingress = %v, want tcp 443-443", rule)
	}
	if !reflect.DeepEqual(sg.Strings("ingress.0.cidrBlocks"), []string{testVpcCidr}) {
		t.Errorf("endpoint SG ingress CIDRs = %v, want only %s", sg.Strings("ingress.0.cidrBlocks"), testVpcCidr)
	}
	for _, key := range []string{"ipv6CidrBlocks", "securityGroups", "prefixListIds", "self"} {
		if v, ok := rule[key]; ok && v != nil && v != false && !reflect.DeepEqual(v, []any{}) {
			t.Errorf("endpoint SG ingress also admits %s %v", key, v)
		}
	}
	if raw, _ := json.Marshal(sg.Inputs); strings.Contains(string(raw), "0.0.0.0/0") {
		t.Errorf("endpoint SG mentions 0.0.0.0/0: %s", raw)
	}
	if egress, ok := sg.Input("egress").([]any); !ok || len(egress) != 0 {
		t.Errorf("endpoint SG egress = %v, want an explicit empty list", sg.Input("egress"))
	}
	if sg.String("vpcId") != mockID(offline.MustGet(t, plan, typeVpc, "vpc-dev")) {
		t.Errorf("endpoint SG is in VPC %q", sg.String("vpcId"))
	}
}

// N4: the VPC's default security group is managed and has no rule at all.
func TestN4_DefaultSecurityGroupAllowsNothing(t *testing.T) {
	plan, _ := run(t, nil)
	sg := one(t, "default security group", plan.ByType(typeDefaultSG))
	for _, key := range []string{"ingress", "egress"} {
		if rules, ok := sg.Input(key).([]any); !ok || len(rules) != 0 {
			t.Errorf("default SG %s = %v, want an explicit empty list", key, sg.Input(key))
		}
	}
	if sg.String("vpcId") != mockID(offline.MustGet(t, plan, typeVpc, "vpc-dev")) {
		t.Errorf("default SG belongs to VPC %q", sg.String("vpcId"))
	}
}

// N4: flow logs capture ALL traffic of the VPC into the KMS-encrypted log group with retention.
func TestN4_FlowLogsToEncryptedLogGroup(t *testing.T) {
	plan, got := run(t, func(a *Args) { a.FlowLogRetentionDays = 365 })
	group := offline.MustGet(t, plan, typeLogGroup, "flow-logs-dev")
	if group.String("kmsKeyId") != testKmsKeyArn {
		t.Errorf("log group kmsKeyId = %q, want %q", group.String("kmsKeyId"), testKmsKeyArn)
	}
	if group.Input("retentionInDays") != float64(365) {
		t.Errorf("log group retention = %v, want 365", group.Input("retentionInDays"))
	}
	wantName := "/aws/vpc/flow-logs/" + testClusterName
	if group.String("name") != wantName || got.flowLogGroupName != wantName {
		t.Errorf("log group name = %q (output %q), want %q", group.String("name"), got.flowLogGroupName, wantName)
	}

	flowLog := one(t, "flow log", plan.ByType(typeFlowLog))
	role := offline.MustGet(t, plan, typeRole, "flow-logs-role-dev")
	want := map[string]string{
		"trafficType":        "ALL",
		"logDestinationType": "cloud-watch-logs",
		"vpcId":              mockID(offline.MustGet(t, plan, typeVpc, "vpc-dev")),
	}
	for key, value := range want {
		if flowLog.String(key) != value {
			t.Errorf("flow log %s = %q, want %q", key, flowLog.String(key), value)
		}
	}
	// The destination and role ARNs are outputs of the log group and the role; checking the
	// dependency and the ARN shape keeps this test independent of the mocks' ARN format.
	for key, source := range map[string]offline.Resource{"logDestination": group, "iamRoleArn": role} {
		if !flowLog.DependsOn(source.URN) || !strings.HasPrefix(flowLog.String(key), "arn:") {
			t.Errorf("flow log %s = %q, want the ARN of %s", key, flowLog.String(key), source.Name)
		}
	}
	policy := offline.MustGet(t, plan, typeRolePolicy, "flow-logs-policy-dev")
	if !flowLog.DependsOn(policy.URN) {
		t.Error("flow log does not wait for its role policy")
	}
}

type policyDocument struct {
	Statement []struct {
		Effect    string
		Principal map[string]any
		Action    any
		Resource  any
		Condition map[string]map[string]string
	}
}

func parsePolicy(t *testing.T, raw string) policyDocument {
	t.Helper()
	var doc policyDocument
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, raw)
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("want one statement, got %d: %s", len(doc.Statement), raw)
	}
	return doc
}

// N4: the flow-log role can be assumed only by VPC Flow Logs for this account and may write only
// its own log group.
func TestN4_FlowLogRoleIsLeastPrivilege(t *testing.T) {
	plan, _ := run(t, nil)
	role := offline.MustGet(t, plan, typeRole, "flow-logs-role-dev")
	if role.String("name") != "vpc-flow-logs-"+testClusterName {
		t.Errorf("role name = %q", role.String("name"))
	}
	trust := parsePolicy(t, role.String("assumeRolePolicy")).Statement[0]
	if trust.Principal["Service"] != "vpc-flow-logs.amazonaws.com" || trust.Action != "sts:AssumeRole" {
		t.Errorf("trust principal %v action %v", trust.Principal, trust.Action)
	}
	if trust.Condition["StringEquals"]["aws:SourceAccount"] != offline.AccountID {
		t.Errorf("trust condition %v, want aws:SourceAccount %s", trust.Condition, offline.AccountID)
	}
	if want := "arn:aws:ec2:us-east-1:" + offline.AccountID + ":vpc-flow-log/*"; trust.Condition["ArnLike"]["aws:SourceArn"] != want {
		t.Errorf("trust aws:SourceArn = %q, want %q", trust.Condition["ArnLike"]["aws:SourceArn"], want)
	}

	policy := offline.MustGet(t, plan, typeRolePolicy, "flow-logs-policy-dev")
	if policy.String("role") != role.String("name") {
		t.Errorf("policy attached to %q, want role %q", policy.String("role"), role.String("name"))
	}
	statement := parsePolicy(t, policy.String("policy")).Statement[0]
	group := offline.MustGet(t, plan, typeLogGroup, "flow-logs-dev")
	// TestN4_FlowLogsToEncryptedLogGroup establishes that the flow log's destination is the group.
	groupArn := one(t, "flow log", plan.ByType(typeFlowLog)).String("logDestination")
	if !policy.DependsOn(group.URN) || groupArn == "" {
		t.Fatalf("role policy does not refer to log group %s", group.Name)
	}
	if !reflect.DeepEqual(statement.Resource, []any{groupArn, groupArn + ":*"}) {
		t.Errorf("policy resources = %v, want only the flow log group %s and its streams", statement.Resource, groupArn)
	}
	for _, action := range statement.Action.([]any) {
		if !strings.HasPrefix(action.(string), "logs:") || strings.Contains(action.(string), "*") ||
			action == "logs:CreateLogGroup" {
			t.Errorf("policy grants %v", action)
		}
	}
}

// Every child is parented to the component, so it inherits the stack's providers and options.
func TestAllChildrenParentedToComponent(t *testing.T) {
	plan, _ := run(t, nil)
	comp := one(t, "network component", plan.ByType(typeComponent))
	if len(plan.Resources) < 30 {
		t.Fatalf("want the full network (30+ resources), got %d", len(plan.Resources))
	}
	for _, r := range plan.Resources {
		if r.URN == comp.URN {
			continue
		}
		if r.Parent != comp.URN {
			t.Errorf("%s %s has parent %q, want the component", r.Type, r.Name, r.Parent)
		}
		if !strings.HasSuffix(r.Name, "-dev") {
			t.Errorf("%s %s does not end with the environment suffix", r.Type, r.Name)
		}
	}
}

// A child that fails to register stops New with that error instead of building on. The failure
// is injected with a transformation that tries to re-parent the first child of one type, which the
// SDK rejects synchronously.
func TestChildRegistrationFailureIsReturned(t *testing.T) {
	childTypes := []string{typeVpc, typeDefaultSG, typeIgw, typeRouteTable, typeRoute, typeSubnet,
		typeAssociation, typeEip, typeNat, typeEndpoint, typeSecGroup, typeLogGroup, typeRole,
		typeRolePolicy, typeFlowLog}
	for _, failing := range childTypes {
		for _, nth := range endpointOrdinals(failing) {
			t.Run(fmt.Sprintf("%s#%d", failing, nth), func(t *testing.T) {
				_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
					var other struct{ pulumi.ResourceState }
					if err := ctx.RegisterComponentResource("test:index:Other", "other", &other); err != nil {
						return err
					}
					seen := 0
					reparent := func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
						if args.Type != failing {
							return nil
						}
						seen++
						if seen != nth {
							return nil
						}
						return &pulumi.ResourceTransformationResult{
							Props: args.Props,
							Opts:  append(args.Opts, pulumi.Parent(&other)),
						}
					}
					_, err := New(ctx, "network-dev", validArgs(),
						pulumi.Transformations([]pulumi.ResourceTransformation{reparent}))
					return err
				})
				if err == nil || !strings.Contains(err.Error(), "change the `parent`") {
					t.Fatalf("want the injected registration error, got %v", err)
				}
			})
		}
	}
}

// endpointOrdinals says which registrations of a type to fail: VPC endpoints come in two kinds
// (the S3 gateway first, then interface endpoints), every other type needs only its first.
func endpointOrdinals(typeToken string) []int {
	if typeToken == typeEndpoint {
		return []int{1, 2}
	}
	return []int{1}
}

func TestTooFewAvailabilityZones(t *testing.T) {
	args := validArgs()
	// The mock region has six zones, one of which EKS does not support.
	args.AzCount = 6
	args.PublicSubnetCidrs = []string{"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"}
	args.PrivateSubnetCidrs = []string{"10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24", "10.0.14.0/24", "10.0.15.0/24"}
	_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "network-dev", args)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "AzCount is 6 but region us-east-1 has only 5 usable availability zones") {
		t.Fatalf("want a too-few-zones error, got %v", err)
	}
}

func TestInvalidArgsRegisterNothing(t *testing.T) {
	cases := map[string]struct {
		mutate func(*Args)
		want   string
	}{
		"no environment":           {func(a *Args) { a.Environment = "" }, "Environment is empty"},
		"no cluster name":          {func(a *Args) { a.ClusterName = "" }, "ClusterName is empty"},
		"no region":                {func(a *Args) { a.Region = "" }, "Region is empty"},
		"no VPC CIDR":              {func(a *Args) { a.VpcCidr = "" }, "VpcCidr is empty"},
		"zero AZs":                 {func(a *Args) { a.AzCount = 0 }, "AzCount is 0"},
		"public CIDRs short":       {func(a *Args) { a.PublicSubnetCidrs = a.PublicSubnetCidrs[:2] }, "PublicSubnetCidrs has 2 entries"},
		"private CIDRs short":      {func(a *Args) { a.PrivateSubnetCidrs = nil }, "PrivateSubnetCidrs has 0 entries"},
		"no NAT":                   {func(a *Args) { a.NatGatewayCount = 0 }, "NatGatewayCount is 0, want 1..3"},
		"more NATs than AZs":       {func(a *Args) { a.NatGatewayCount = 4 }, "NatGatewayCount is 4, want 1..3"},
		"no retention":             {func(a *Args) { a.FlowLogRetentionDays = 0 }, "FlowLogRetentionDays is 0"},
		"unencrypted flow logs":    {func(a *Args) { a.LogKmsKeyArn = nil }, "LogKmsKeyArn is nil"},
		"several problems at once": {func(a *Args) { a.Region = ""; a.VpcCidr = "" }, "Region is empty; VpcCidr is empty"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			args := validArgs()
			tc.mutate(args)
			plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
				_, err := New(ctx, "network-dev", args)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error containing %q, got %v", tc.want, err)
			}
			if plan != nil && len(plan.Resources) != 0 {
				t.Errorf("invalid args registered %d resources", len(plan.Resources))
			}
		})
	}
	if _, err := New(nil, "network-dev", nil); err == nil || !strings.Contains(err.Error(), "args are required") {
		t.Errorf("nil args: got %v", err)
	}
}

func TestNatIndexFor(t *testing.T) {
	cases := []struct{ zone, nats, want int }{
		{0, 1, 0}, {1, 1, 0}, {2, 1, 0},
		{0, 2, 0}, {1, 2, 1}, {2, 2, 0},
		{0, 3, 0}, {1, 3, 1}, {2, 3, 2},
	}
	for _, c := range cases {
		if got := natIndexFor(c.zone, c.nats); got != c.want {
			t.Errorf("natIndexFor(%d, %d) = %d, want %d", c.zone, c.nats, got, c.want)
		}
	}
}

func TestUsableZonesSkipsZonesEKSRejects(t *testing.T) {
	got := usableZones(
		[]string{"us-east-1a", "us-east-1b", "us-east-1c", "us-west-1b", "ca-central-1d"},
		[]string{"use1-az6", "use1-az3", "use1-az1", "usw1-az2", "cac1-az3"})
	if want := []string{"us-east-1a", "us-east-1c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("usableZones = %v, want %v", got, want)
	}
}
