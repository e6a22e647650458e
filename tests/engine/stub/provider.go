// Package stub is a resource provider plugin that stands in for the real `aws` and `kubernetes`
// providers when the real Pulumi engine runs the program (scripts/stack.sh engine-check). It
// speaks the engine's ResourceProvider gRPC protocol, keeps no state of its own and touches no
// network: Check echoes the inputs, Diff compares old and new inputs, Create and Update return
// the inputs plus the computed outputs of internal/fakecloud (the same answers the offline mocks
// give), Invoke answers the data sources internal/fakecloud knows and fails loudly on any other.
//
// It serves whichever version the engine asks for: the engine finds it on PATH as an ambient
// plugin, for the program's SDK version and for the ones pulumi-eks registers its children with.
package stub

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/acme/eks-platform/internal/fakecloud"
)

// Serve runs the provider plugin for pkg ("aws" or "kubernetes"): it listens on a loopback port,
// prints the port on stdout as the engine expects, and serves until the engine stops it.
// Diagnostics go to log (the plugin's stderr, which the engine shows).
func Serve(pkg, version string, log io.Writer) error {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(s, New(pkg, version, log))
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("stub %s provider: %w", pkg, err)
	}
	fmt.Println(handle.Port)
	return <-handle.Done
}

// Provider is one configured instance of the stub; the engine starts one process per provider
// resource, so its region is that provider's region.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg     string
	version string
	log     io.Writer

	mu     sync.Mutex
	region string
}

// New returns an unconfigured stub provider for pkg.
func New(pkg, version string, log io.Writer) *Provider {
	return &Provider{pkg: pkg, version: version, log: log, region: fakecloud.DefaultRegion}
}

var (
	// keep is how resource state travels: secrets, unknowns and references as they are.
	keep = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true}
	// plain is how values are compared and read: secrets unwrapped, internal keys dropped.
	plain = plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true, SkipInternalKeys: true}
)

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, p.pkg, p.version)}, nil
}

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return p.diff(req)
}

func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	region := req.GetVariables()[p.pkg+":config:region"]
	args, err := plugin.UnmarshalProperties(req.GetArgs(), plain)
	if err != nil {
		return nil, err
	}
	if r := fakecloud.String(args, "region"); r != "" {
		region = r
	}
	if p.pkg == "aws" {
		if err := checkAccount(args, req.GetVariables()); err != nil {
			return nil, err
		}
	}
	if region != "" {
		p.mu.Lock()
		p.region = region
		p.mu.Unlock()
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return p.diff(req)
}

// diff compares the old inputs with the new ones. Every change is an in-place update: which
// changes force a replacement only the real provider's schema knows (README "Engine run").
func (p *Provider) diff(req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldStruct := req.GetOldInputs()
	if oldStruct == nil {
		oldStruct = req.GetOlds()
	}
	olds, err := plugin.UnmarshalProperties(oldStruct, plain)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), plain)
	if err != nil {
		return nil, err
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var changed []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for k := range keys {
		oldValue, hadOld := olds[k]
		newValue, hasNew := news[k]
		switch {
		case hadOld && hasNew && oldValue.DeepEquals(newValue):
			continue
		case !hadOld:
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_ADD, InputDiff: true}
		case !hasNew:
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_DELETE, InputDiff: true}
		default:
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE, InputDiff: true}
		}
		changed = append(changed, string(k))
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	sort.Strings(changed)
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

func (p *Provider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := p.reach(req.GetPreview()); err != nil {
		return nil, err
	}
	urn := req.GetUrn()
	if !req.GetPreview() {
		if err := p.createFault(ctx, urn, req.GetProperties()); err != nil {
			return nil, err
		}
	}
	id, state, err := p.apply(urn, req.GetProperties(), req.GetPreview())
	if err == nil {
		err = p.record(urn, id, state, req.GetPreview())
	}
	if err == nil && !req.GetPreview() {
		err = ledger("created.log", urn)
	}
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: state}, nil
}

// createFault is what the cloud does instead of a plain create (faults.go): a taken name fails,
// a fail fault fails, and a stall leaves the resource in the cloud and never answers.
func (p *Provider) createFault(ctx context.Context, urn string, properties *structpb.Struct) error {
	inputs, err := plugin.UnmarshalProperties(properties, plain)
	if err != nil {
		return err
	}
	if err := claimedName(urn, inputs); err != nil {
		return err
	}
	if err := checkKeyPolicy(string(resource.URN(urn).Type()), inputs, nil); err != nil {
		return err
	}
	fault, err := faultFor(urn, "create")
	if err != nil || fault == nil {
		return err
	}
	if fault.Mode != "stall" {
		return fault.failure(inputs, "")
	}
	id, state, err := p.apply(urn, properties, false)
	if err != nil {
		return err
	}
	if err := p.record(urn, id, state, false); err != nil {
		return err
	}
	inputsJSON, err := properties.MarshalJSON()
	if err != nil {
		return err
	}
	stateJSON, err := state.MarshalJSON()
	if err != nil {
		return err
	}
	if err := keepOrphan(orphan{URN: urn, Type: string(resource.URN(urn).Type()), Name: physical(urn, inputs),
		ID: id, Inputs: inputsJSON, State: stateJSON}); err != nil {
		return err
	}
	return stall(ctx, urn)
}

func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := p.reach(req.GetPreview()); err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		if err := failFault(req.GetUrn(), "update", req.GetNews(), req.GetId()); err != nil {
			return nil, err
		}
		news, err := plugin.UnmarshalProperties(req.GetNews(), plain)
		if err != nil {
			return nil, err
		}
		olds, err := plugin.UnmarshalProperties(req.GetOlds(), plain)
		if err != nil {
			return nil, err
		}
		if err := checkKeyPolicy(string(resource.URN(req.GetUrn()).Type()), news, olds); err != nil {
			return nil, err
		}
	}
	_, state, err := p.apply(req.GetUrn(), req.GetNews(), false)
	if err == nil {
		err = p.record(req.GetUrn(), req.GetId(), state, req.GetPreview())
	}
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: state}, nil
}

// failFault returns the error of a fail fault for op on the resource, if the plan holds one.
func failFault(urn, op string, properties *structpb.Struct, id string) error {
	fault, err := faultFor(urn, op)
	if err != nil || fault == nil {
		return err
	}
	if fault.Mode == "stall" {
		return fmt.Errorf("stub fault plan: %s stalls only creates, not a %s", fault.Resource, op)
	}
	inputs, err := plugin.UnmarshalProperties(properties, plain)
	if err != nil {
		return err
	}
	return fault.failure(inputs, id)
}

// apply returns what the fake cloud answers for a resource with these inputs. In a preview the
// values only a real create would know are unknown, as a real provider leaves them.
func (p *Provider) apply(urn string, inputs *structpb.Struct, preview bool) (string, *structpb.Struct, error) {
	props, err := plugin.UnmarshalProperties(inputs, keep)
	if err != nil {
		return "", nil, err
	}
	parsed := resource.URN(urn)
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	id, state := fakecloud.Create(fakecloud.Resource{
		Type: string(parsed.Type()), Name: parsed.Name(), Custom: true, Inputs: props, Region: region,
	})
	if preview {
		id = ""
		for key, value := range state {
			if input, given := props[key]; !given || !input.DeepEquals(value) {
				state[key] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
	}
	out, err := plugin.MarshalProperties(state, keep)
	return id, out, err
}

// record keeps the network facts of an applied aws resource for the reachability model.
func (p *Provider) record(urn, id string, state *structpb.Struct, preview bool) error {
	if p.pkg != "aws" || preview {
		return nil
	}
	props, err := plugin.UnmarshalProperties(state, plain)
	if err != nil {
		return err
	}
	return recordNetwork(urn, string(resource.URN(urn).Type()), id, props)
}

// reach is the kubernetes stub's reachability gate (network.go): outside previews, an operation
// on a cluster the deployer cannot reach fails as the real provider's does.
func (p *Provider) reach(preview bool) error {
	if p.pkg != "kubernetes" || preview {
		return nil
	}
	return checkReachable()
}

// Read returns the state the engine already has: nothing changes behind the stub's back. The one
// exception is a resource the engine knows only by its ID (no state), adopted after an interrupted
// create: the cloud answers what it holds under that ID (faults.go).
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if len(req.GetProperties().GetFields()) == 0 {
		found, _, err := orphanByID(req.GetUrn(), req.GetId())
		if err != nil {
			return nil, err
		}
		if found != nil {
			state, inputs := &structpb.Struct{}, &structpb.Struct{}
			if err := state.UnmarshalJSON(found.State); err != nil {
				return nil, err
			}
			if err := inputs.UnmarshalJSON(found.Inputs); err != nil {
				return nil, err
			}
			return &pulumirpc.ReadResponse{Id: found.ID, Properties: state, Inputs: inputs}, nil
		}
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := p.reach(false); err != nil {
		return nil, err
	}
	if err := failFault(req.GetUrn(), "delete", req.GetProperties(), req.GetId()); err != nil {
		return nil, err
	}
	if p.pkg == "aws" {
		if err := forgetNetwork(req.GetUrn()); err != nil {
			return nil, err
		}
	}
	if err := forgetOrphan(req.GetUrn(), req.GetId()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, ledger("deleted.log", req.GetUrn())
}

func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := plugin.UnmarshalProperties(req.GetArgs(), plain)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	result, err := fakecloud.Invoke(req.GetTok(), args, region)
	if err != nil {
		// Loud on purpose: a data source the stub cannot answer means the engine run no longer
		// covers what the program (or pulumi-eks) asks for.
		fmt.Fprintf(p.log, "STUB %s PROVIDER: UNANSWERED INVOKE %s(%v): %v\n", strings.ToUpper(p.pkg), req.GetTok(), args, err)
		return nil, err
	}
	out, err := plugin.MarshalProperties(result, keep)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}

// Cancel is a no-op: nothing runs in the background, and a stalled create (faults.go) stands for
// an AWS create under way, which no provider can abort.
func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
