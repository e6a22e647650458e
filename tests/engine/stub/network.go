package stub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The reachability model (issue 19). The real kubernetes provider fails every operation on a
// cluster its machine cannot reach; the stub answers every call, so without a model an engine run
// would pass with a cluster no deployer can reach. The model is deliberately small. It stands in
// for AWS networking and checks exactly this, for the one cluster and the one VPC of a run:
//
//   - public path: the cluster's vpcConfig.endpointPublicAccess is true and an address of the
//     deployer lies in its publicAccessCidrs (0.0.0.0/0 when none are given, as EKS defaults);
//   - private path: vpcConfig.endpointPrivateAccess is true, an address lies in the VPC's CIDR or
//     in the destination of a route to a transit gateway that the VPC is attached to, and an
//     ingress rule on one of the cluster's vpcConfig.securityGroupIds admits that address on 443.
//
// It does not model DNS (with both endpoints on, EKS resolves the public addresses outside the
// VPC: config validation refuses a transit route in that case), route tables per subnet, network
// ACLs, the transit gateway's own route tables or the runners' side, or more than one cluster.
//
// The aws stub records what the model needs of each such resource it creates, updates or deletes,
// one file per resource in NetworkDirVariable; the kubernetes stub reads them before every
// create, update and delete (not in previews, which the real provider tolerates). Unset, the
// model is off and every call is answered, as before.
const (
	NetworkDirVariable = "EKS_PLATFORM_STUB_NETWORK_DIR"
	// DeployerAddressVariable holds the harness's deployer addresses (space- or comma-separated),
	// the same variable scripts/stack.sh reads on a real machine.
	DeployerAddressVariable = "EKS_PLATFORM_DEPLOYER_ADDRESS"
)

// netRecord is what the model keeps of one resource.
type netRecord struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	// aws:eks/cluster:Cluster
	Endpoint       string   `json:"endpoint,omitempty"`
	PublicAccess   bool     `json:"publicAccess,omitempty"`
	PrivateAccess  bool     `json:"privateAccess,omitempty"`
	PublicCidrs    []string `json:"publicCidrs,omitempty"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	// aws:ec2/vpc:Vpc (its CIDR), aws:ec2/route:Route (its destination)
	Cidr string `json:"cidr,omitempty"`
	// aws:ec2/securityGroupRule:SecurityGroupRule
	Ingress  bool     `json:"ingress,omitempty"`
	Group    string   `json:"group,omitempty"`
	Cidrs    []string `json:"cidrs,omitempty"`
	FromPort float64  `json:"fromPort,omitempty"`
	ToPort   float64  `json:"toPort,omitempty"`
	Protocol string   `json:"protocol,omitempty"`
	// aws:ec2/route:Route, aws:ec2transitgateway/vpcAttachment:VpcAttachment
	TransitGateway string `json:"transitGateway,omitempty"`
	VpcID          string `json:"vpcId,omitempty"`
}

const (
	typeCluster    = "aws:eks/cluster:Cluster"
	typeVpc        = "aws:ec2/vpc:Vpc"
	typeRule       = "aws:ec2/securityGroupRule:SecurityGroupRule"
	typeRoute      = "aws:ec2/route:Route"
	typeAttachment = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
)

// networkRecord returns the record of a resource the model reads, or false for any other type.
func networkRecord(typ, id string, state resource.PropertyMap) (netRecord, bool) {
	r := netRecord{Type: typ, ID: id}
	switch typ {
	case typeCluster:
		vpc := object(state, "vpcConfig")
		r.Endpoint = str(state, "endpoint")
		r.PublicAccess = boolean(vpc, "endpointPublicAccess")
		r.PrivateAccess = boolean(vpc, "endpointPrivateAccess")
		r.PublicCidrs = strs(vpc, "publicAccessCidrs")
		r.SecurityGroups = append(strs(vpc, "securityGroupIds"), str(vpc, "clusterSecurityGroupId"))
	case typeVpc:
		r.Cidr = str(state, "cidrBlock")
	case typeRule:
		r.Ingress = str(state, "type") == "ingress"
		r.Group = str(state, "securityGroupId")
		r.Cidrs = strs(state, "cidrBlocks")
		r.FromPort, r.ToPort = number(state, "fromPort"), number(state, "toPort")
		r.Protocol = str(state, "protocol")
	case typeRoute:
		r.Cidr = str(state, "destinationCidrBlock")
		r.TransitGateway = str(state, "transitGatewayId")
	case typeAttachment:
		r.TransitGateway = str(state, "transitGatewayId")
		r.VpcID = str(state, "vpcId")
	default:
		return r, false
	}
	return r, true
}

func recordPath(dir, urn string) string {
	sum := sha256.Sum256([]byte(urn))
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+".json")
}

// recordNetwork keeps what the model needs of a created or updated resource (no-op when off).
func recordNetwork(urn, typ, id string, state resource.PropertyMap) error {
	dir := os.Getenv(NetworkDirVariable)
	record, ok := networkRecord(typ, id, state)
	if dir == "" || !ok {
		return nil
	}
	data, err := json.Marshal(record)
	if err != nil {
		return err
	}
	path := recordPath(dir, urn)
	if err := os.WriteFile(path+".partial", data, 0o600); err != nil {
		return err
	}
	return os.Rename(path+".partial", path)
}

// forgetNetwork drops the record of a deleted resource.
func forgetNetwork(urn string) error {
	dir := os.Getenv(NetworkDirVariable)
	if dir == "" {
		return nil
	}
	if err := os.Remove(recordPath(dir, urn)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// checkReachable is the kubernetes stub's gate: nil when the model is off, when no cluster is
// recorded yet, or when a deployer address reaches the API; otherwise the real provider's error.
func checkReachable() error {
	dir := os.Getenv(NetworkDirVariable)
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var records []netRecord
	for _, entry := range entries {
		if !strings.HasSuffix(entry.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, entry.Name()))
		if err != nil {
			return err
		}
		var r netRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("stub network record %s: %w", entry.Name(), err)
		}
		records = append(records, r)
	}
	var addresses []netip.Addr
	for _, field := range strings.FieldsFunc(os.Getenv(DeployerAddressVariable), func(r rune) bool { return r == ',' || r == ' ' }) {
		a, err := netip.ParseAddr(field)
		if err != nil {
			return fmt.Errorf("%s: %q is not an IP address", DeployerAddressVariable, field)
		}
		addresses = append(addresses, a)
	}
	return reachable(records, addresses)
}

// reachable applies the model to the recorded network.
func reachable(records []netRecord, addresses []netip.Addr) error {
	byType := map[string][]netRecord{}
	for _, r := range records {
		byType[r.Type] = append(byType[r.Type], r)
	}
	if len(byType[typeCluster]) == 0 {
		return nil
	}
	cluster := byType[typeCluster][0]
	for _, a := range addresses {
		if cluster.PublicAccess && inAny(a, cluster.PublicCidrs, "0.0.0.0/0") {
			return nil
		}
		if cluster.PrivateAccess && routedToVpc(a, byType) && admittedOn443(a, cluster, byType[typeRule]) {
			return nil
		}
	}
	host := strings.TrimPrefix(cluster.Endpoint, "https://")
	var shown []string
	for _, a := range addresses {
		shown = append(shown, a.String())
	}
	return fmt.Errorf("configured Kubernetes cluster is unreachable: unable to load schema information from the API server: "+
		"Get \"https://%s/openapi/v2?timeout=32s\": dial tcp %s:443: i/o timeout "+
		"(stub network model: deployer [%s]; public endpoint %v %v; private endpoint %v, reached only from the VPC or a transit-routed network admitted on 443)",
		host, host, strings.Join(shown, ", "), cluster.PublicAccess, cluster.PublicCidrs, cluster.PrivateAccess)
}

// routedToVpc: the address is in the VPC, or a route to a transit gateway the VPC is attached to
// covers it.
func routedToVpc(a netip.Addr, byType map[string][]netRecord) bool {
	for _, vpc := range byType[typeVpc] {
		if inAny(a, []string{vpc.Cidr}, "") {
			return true
		}
	}
	for _, route := range byType[typeRoute] {
		if route.TransitGateway == "" || !inAny(a, []string{route.Cidr}, "") {
			continue
		}
		if slices.ContainsFunc(byType[typeAttachment], func(att netRecord) bool { return att.TransitGateway == route.TransitGateway }) {
			return true
		}
	}
	return false
}

// admittedOn443: an ingress rule on one of the cluster's security groups admits the address on 443.
func admittedOn443(a netip.Addr, cluster netRecord, rules []netRecord) bool {
	for _, rule := range rules {
		if !rule.Ingress || !slices.Contains(cluster.SecurityGroups, rule.Group) {
			continue
		}
		portOK := rule.Protocol == "-1" || rule.Protocol == "all" || (rule.Protocol == "tcp" && rule.FromPort <= 443 && 443 <= rule.ToPort)
		if portOK && inAny(a, rule.Cidrs, "") {
			return true
		}
	}
	return false
}

// inAny: the address lies in one of the CIDRs (or in fallback when there are none).
func inAny(a netip.Addr, cidrs []string, fallback string) bool {
	if len(cidrs) == 0 && fallback != "" {
		cidrs = []string{fallback}
	}
	for _, s := range cidrs {
		if p, err := netip.ParsePrefix(s); err == nil && p.Contains(a) {
			return true
		}
	}
	return false
}

func object(props resource.PropertyMap, key resource.PropertyKey) resource.PropertyMap {
	v := unwrap(props[key])
	if v.IsObject() {
		return v.ObjectValue()
	}
	return resource.PropertyMap{}
}

func str(props resource.PropertyMap, key resource.PropertyKey) string {
	if v := unwrap(props[key]); v.IsString() {
		return v.StringValue()
	}
	return ""
}

func boolean(props resource.PropertyMap, key resource.PropertyKey) bool {
	v := unwrap(props[key])
	return v.IsBool() && v.BoolValue()
}

func number(props resource.PropertyMap, key resource.PropertyKey) float64 {
	if v := unwrap(props[key]); v.IsNumber() {
		return v.NumberValue()
	}
	return 0
}

func strs(props resource.PropertyMap, key resource.PropertyKey) []string {
	var out []string
	if v := unwrap(props[key]); v.IsArray() {
		for _, item := range v.ArrayValue() {
			if item = unwrap(item); item.IsString() {
				out = append(out, item.StringValue())
			}
		}
	}
	return out
}

// unwrap looks through secrets and known outputs.
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}
