package offline

import (
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/fakecloud"
)

// The fake account's fixed answers, as the tests know them (internal/fakecloud owns them).
const (
	AccountID     = fakecloud.AccountID
	DefaultRegion = fakecloud.DefaultRegion
	secretMarker  = "[secret]"
	unknownMarker = "[unknown]"
)

// MockID is the physical ID the fake cloud gives a resource of that type and logical name.
func MockID(typeToken, name string) string { return fakecloud.ID(typeToken, name) }

// MockARN is the ARN the fake cloud gives a resource of that type and physical name.
func MockARN(typeToken, name, region string) string { return fakecloud.ARN(typeToken, name, region) }

type mocks struct {
	project   string
	stack     string
	mu        sync.Mutex
	resources []Resource
	// region is the first AWS provider's, for resources and calls that name no provider;
	// regions holds each AWS provider's own, by URN, as the engine gives each resource its
	// provider's region (a stack has one provider per region, issue 22's backup copy).
	region  string
	regions map[string]string
}

func newMocks(project, stack string) *mocks {
	return &mocks{project: project, stack: stack, region: DefaultRegion, regions: map[string]string{}}
}

// regionOf is the region of the AWS provider a resource or call names (a provider reference,
// "<urn>::<id>"), or the first AWS provider's when it names none. Callers hold m.mu.
func (m *mocks) regionOf(provider string) string {
	if region, ok := m.regions[providerURN(provider)]; ok {
		return region
	}
	return m.region
}

func (m *mocks) registered() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	parent := ""
	if rpc != nil {
		parent = rpc.GetParent()
	}
	m.mu.Lock()
	region := m.regionOf(args.Provider)
	if args.TypeToken == "pulumi:providers:aws" {
		if r, ok := args.Inputs["region"]; ok && r.IsString() && r.StringValue() != "" {
			region = r.StringValue()
			if len(m.regions) == 0 {
				m.region = region
			}
			m.regions[m.urn(args.TypeToken, args.Name, parent)] = region
		}
	}
	m.mu.Unlock()

	id, state := fakecloud.Create(fakecloud.Resource{
		Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs, Region: region,
	})

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
	m.mu.Lock()
	region := m.regionOf(args.Provider)
	m.mu.Unlock()
	return fakecloud.Invoke(args.Token, args.Args, region)
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
