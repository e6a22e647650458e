package engine_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/internal/planner"
)

// planDay is the day the offline plan judges the Kubernetes version on (L2). Only lifecycle
// warnings depend on it, never a resource, so it need not be the day the engine ran.
var planDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// offlinePlan runs the program under the Go SDK mocks, as `go run ./cmd/plan --stack <stack>`.
func offlinePlan(t *testing.T, stackName string) (*offline.Plan, *config.Config) {
	t.Helper()
	plan, cfg, err := planner.Plan(planner.Request{Root: repoRoot(t), Stack: stackName, Today: planDay})
	if err != nil {
		t.Fatal(err)
	}
	return plan.Plan, cfg
}

// The offline plan (mocks) and the engine agree on every resource the program registers itself:
// same URN, parent, provider, options, dependencies and inputs. Where they differ, one of them
// misleads reviewers and tests; the engine is the one that deploys.
func TestOfflinePlanAgreesWithTheEngine(t *testing.T) {
	forEachStack(t, func(t *testing.T, stackName string, _ *config.Config, engine *offline.Plan) {
		mocked, _ := offlinePlan(t, stackName)
		for _, want := range mocked.Resources {
			got, ok := engine.ByURN(want.URN)
			if !ok {
				t.Errorf("%s is in the offline plan, not in the engine's state", want.URN)
				continue
			}
			for _, d := range differences(want, got) {
				t.Errorf("%s: %s", want.URN, d)
			}
		}
		if len(mocked.Outputs) != len(engine.Outputs) {
			t.Errorf("stack outputs: offline %d, engine %d", len(mocked.Outputs), len(engine.Outputs))
		}
		for key, value := range mocked.Outputs {
			if !reflect.DeepEqual(value, engine.Outputs[key]) {
				t.Errorf("stack output %s: offline %v, engine %v", key, value, engine.Outputs[key])
			}
		}
	})
}

// engineOnlyProviderInputs are the inputs the engine adds to every provider resource: the
// plugin version the SDK asks for and a bookkeeping map. The mocks never see them.
var engineOnlyProviderInputs = map[string]bool{"version": true, "__internal": true}

// remoteComponents are components implemented in another plugin: the mocks record the inputs the
// program sends them, but the engine's state keeps none (the component's children carry them,
// and the tests in engine_test.go check those).
var remoteComponents = map[string]bool{"eks:index:Cluster": true}

// differences lists what the engine recorded differently from the mocks for one resource.
func differences(mocked, engine offline.Resource) []string {
	var out []string
	compare := func(what string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			out = append(out, fmt.Sprintf("%s: offline %v, engine %v", what, a, b))
		}
	}
	compare("parent", mocked.Parent, engine.Parent)
	compare("provider", mocked.Provider, engine.Provider)
	compare("protect", mocked.Protect, engine.Protect)
	compare("retainOnDelete", mocked.RetainOnDelete, engine.RetainOnDelete)
	compare("ignoreChanges", slices.Sorted(slices.Values(mocked.IgnoreChanges)), slices.Sorted(slices.Values(engine.IgnoreChanges)))
	compare("dependencies", mocked.Dependencies, engine.Dependencies)
	if remoteComponents[mocked.Type] {
		return out
	}
	keys := map[string]bool{}
	for k := range mocked.Inputs {
		keys[k] = true
	}
	for k := range engine.Inputs {
		if !(strings.HasPrefix(engine.Type, "pulumi:providers:") && engineOnlyProviderInputs[k]) {
			keys[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		compare("input "+k, mocked.Inputs[k], engine.Inputs[k])
	}
	return out
}
