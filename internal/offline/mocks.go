package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Fixed answers for the account the offline plan pretends to run in. They are plausible (the
// account ID is the one AWS uses in its documentation) and the same on every run.
const (
	AccountID     = "123456789012"
	DefaultRegion = "us-east-1"
	secretMarker  = "[secret]"
	unknownMarker = "[unknown]"
)

// OutputFunc adds the outputs a real provider would compute for one resource type (IDs, ARNs,
// endpoints) to state, which starts as a copy of the inputs.
type OutputFunc func(args pulumi.MockResourceArgs, region string, state resource.PropertyMap)

// CallFunc answers one data source (invoke) with fixed, plausible values.
type CallFunc func(args pulumi.MockCallArgs, region string) (resource.PropertyMap, error)

var (
	registryMu sync.RWMutex
	outputFns  = map[string]OutputFunc{}
	callFns    = map[string]CallFunc{}
)

// RegisterOutputs tells the mocks how to fill a type's computed outputs. Each concern registers
// the types it needs from an init function in this package, one file per concern.
func RegisterOutputs(typeToken string, fn OutputFunc) {
	registryMu.Lock()
	defer registryMu.Unlock()
	outputFns[typeToken] = fn
}

// RegisterCall tells the mocks how to answer a data source.
func RegisterCall(token string, fn CallFunc) {
	registryMu.Lock()
	defer registryMu.Unlock()
	callFns[token] = fn
}

type mocks struct {
	project   string
	stack     string
	mu        sync.Mutex
	resources []Resource
	region    string
}

func newMocks(project, stack string) *mocks {
	return &mocks{project: project, stack: stack, region: DefaultRegion}
}

func (m *mocks) registered() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	m.mu.Lock()
	if args.TypeToken == "pulumi:providers:aws" {
		if r, ok := args.Inputs["region"]; ok && r.IsString() && r.StringValue() != "" {
			m.region = r.StringValue()
		}
	}
	region := m.region
	m.mu.Unlock()

	state := args.Inputs.Copy()
	id := MockID(args.TypeToken, args.Name)
	if args.Custom {
		if _, ok := state["arn"]; !ok {
			state["arn"] = resource.NewStringProperty(MockARN(args.TypeToken, physicalName(args), region))
		}
	}
	registryMu.RLock()
	fn := outputFns[args.TypeToken]
	registryMu.RUnlock()
	if fn != nil {
		fn(args, region, state)
		if v, ok := state["id"]; ok && v.IsString() {
			id = v.StringValue()
		}
	}
	if !args.Custom {
		id = ""
	}

	rec := Resource{
		Type:          args.TypeToken,
		Name:          args.Name,
		Provider:      providerURN(args.Provider),
		Inputs:        plainMap(args.Inputs),
		IgnoreChanges: []string{},
		Dependencies:  []string{},
	}
	if rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.Protect = rpc.GetProtect()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
		rec.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		rec.Transforms = len(rpc.GetTransforms())
		rec.IgnoreChanges = append(rec.IgnoreChanges, rpc.GetIgnoreChanges()...)
		rec.Dependencies = append(rec.Dependencies, rpc.GetDependencies()...)
		// The SDK collects dependencies in a map; sorted, the plan is the same on every run.
		sort.Strings(rec.Dependencies)
		for pkg, ref := range rpc.GetProviders() {
			if rec.Providers == nil {
				rec.Providers = map[string]string{}
			}
			rec.Providers[pkg] = providerURN(ref)
		}
	}
	rec.URN = m.urn(args.TypeToken, args.Name, rec.Parent)

	m.mu.Lock()
	m.resources = append(m.resources, rec)
	m.mu.Unlock()
	return id, state, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	registryMu.RLock()
	fn := callFns[args.Token]
	registryMu.RUnlock()
	if fn == nil {
		return nil, fmt.Errorf("the offline plan has no answer for data source %q: add one with offline.RegisterCall", args.Token)
	}
	m.mu.Lock()
	region := m.region
	m.mu.Unlock()
	return fn(args, region)
}

// physicalName is the resource's explicit name input when it has one (as AWS would name it), else
// its logical name.
func physicalName(args pulumi.MockResourceArgs) string {
	for _, key := range []resource.PropertyKey{"name", "roleName"} {
		if v, ok := args.Inputs[key]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	return args.Name
}

// MockID returns a deterministic, realistic-looking physical ID for a resource.
func MockID(typeToken, name string) string {
	sum := sha256.Sum256([]byte(typeToken + "/" + name))
	hexed := hex.EncodeToString(sum[:])
	if prefix, ok := idPrefixes[typeToken]; ok {
		return prefix + "-" + hexed[:17]
	}
	return name + "-" + hexed[:8]
}

// MockARN returns a deterministic ARN in the mock account for a resource with the given physical
// name, in the format AWS uses for that resource type where it differs from the common
// "arn:aws:<service>:<region>:<account>:<kind>/<name>".
func MockARN(typeToken, name, region string) string {
	service := "aws"
	if parts := strings.Split(typeToken, ":"); len(parts) == 3 {
		service = strings.SplitN(parts[1], "/", 2)[0]
		if service == "index" {
			service = parts[0]
		}
	}
	switch typeToken {
	case "aws:sns/topic:Topic":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, AccountID, name)
	case "aws:cloudwatch/logGroup:LogGroup":
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, AccountID, name)
	case "aws:ssm/parameter:Parameter":
		return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", region, AccountID, strings.TrimPrefix(name, "/"))
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, AccountID, name)
	}
	if service == "iam" {
		return fmt.Sprintf("arn:aws:iam::%s:%s/%s", AccountID, strings.ToLower(lastSegment(typeToken)), name)
	}
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, region, AccountID, strings.ToLower(lastSegment(typeToken)), name)
}

func lastSegment(typeToken string) string {
	return typeToken[strings.LastIndex(typeToken, ":")+1:]
}

var idPrefixes = map[string]string{
	"aws:ec2/vpc:Vpc":                                           "vpc",
	"aws:ec2/subnet:Subnet":                                     "subnet",
	"aws:ec2/natGateway:NatGateway":                             "nat",
	"aws:ec2/internetGateway:InternetGateway":                   "igw",
	"aws:ec2/routeTable:RouteTable":                             "rtb",
	"aws:ec2/eip:Eip":                                           "eipalloc",
	"aws:ec2/securityGroup:SecurityGroup":                       "sg",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":         "sg",
	"aws:ec2/vpcEndpoint:VpcEndpoint":                           "vpce",
	"aws:ec2/launchTemplate:LaunchTemplate":                     "lt",
	"aws:ec2/flowLog:FlowLog":                                   "fl",
	"aws:ec2/routeTableAssociation:RouteTableAssociation":       "rtbassoc",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   "sgr",
}

// urn mirrors the URN the mock monitor computes, so plan entries, parents and dependencies line up.
func (m *mocks) urn(typeToken, name, parent string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType,
		tokens.Type(typeToken), name))
}

func providerURN(ref string) string {
	// A provider reference is "<urn>::<id>"; the plan shows the URN.
	if i := strings.LastIndex(ref, "::"); i > 0 {
		return ref[:i]
	}
	return ref
}

// plainMap turns a property map into plain JSON-able values: secrets become "[secret]", unknowns
// "[unknown]", resource references their URN.
func plainMap(props resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		out[string(k)] = plainValue(v)
	}
	return out
}

func plainValue(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return secretMarker
	case v.IsComputed():
		return unknownMarker
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return secretMarker
		}
		if !o.Known {
			return unknownMarker
		}
		return plainValue(o.Element)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsObject():
		return plainMap(v.ObjectValue())
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plainValue(e)
		}
		return out
	case v.IsAsset() || v.IsArchive():
		return "[asset]"
	case v.IsNull():
		return nil
	default:
		return v.V
	}
}
