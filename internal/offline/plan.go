// Package offline runs the whole Pulumi program, or any part of it, under Pulumi mocks and records
// what the engine would receive: every resource registration with its inputs and options, every
// data-source call, and the stack outputs. It is the engine behind `go run ./cmd/plan` and the
// harness for every unit test, so a reviewer and a test see the same thing.
package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource is one registration as the engine would receive it. The JSON field names are a contract
// read by reviewers and tools (see README "Offline plan"); add fields, never rename them.
type Resource struct {
	URN      string `json:"urn"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Parent   string `json:"parent"`
	Provider string `json:"provider"`
	// Providers is the provider map a component (local or remote, like pulumi-eks' Cluster)
	// hands its children, by package name.
	Providers      map[string]string `json:"providers,omitempty"`
	Inputs         map[string]any    `json:"inputs"`
	Protect        bool              `json:"protect"`
	RetainOnDelete bool              `json:"retainOnDelete"`
	// DeleteBeforeReplace is true when a replacement deletes the old resource first.
	DeleteBeforeReplace bool     `json:"deleteBeforeReplace"`
	IgnoreChanges       []string `json:"ignoreChanges"`
	// Transforms counts the resource transforms registered with the resource: the engine runs
	// them on every child, so a remote component's children (which mocks never see) get them.
	Transforms   int      `json:"transforms,omitempty"`
	Dependencies []string `json:"dependencies"`
}

// Plan is everything one run registered, sorted by URN so that it is stable across runs.
type Plan struct {
	Stack     string         `json:"stack"`
	Resources []Resource     `json:"resources"`
	Outputs   map[string]any `json:"outputs"`
	// Warnings are the configuration's lifecycle notices on the planned day (STACK_SPEC L2),
	// empty when there are none.
	Warnings []string `json:"warnings"`
}

// Options say which project and stack the run pretends to be and which config it sees. Config
// keys are fully qualified ("eks-platform:azCount", "aws:region") with string values, exactly as
// the Pulumi CLI hands them to a program.
type Options struct {
	Project string
	Stack   string
	Config  map[string]string
}

// Program builds resources and returns the values to export as stack outputs.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Run executes program under mocks. An error from the program (for example a config validation
// error) is returned as is, so callers can show it unchanged, together with the partial plan.
func Run(opts Options, program Program) (*Plan, error) {
	mocks := newMocks(opts.Project, opts.Stack)
	info := pulumi.RunInfo{
		Project: opts.Project,
		Stack:   opts.Stack,
		Config:  opts.Config,
		Mocks:   mocks,
	}
	pctx, err := pulumi.NewContext(context.Background(), info)
	if err != nil {
		return nil, fmt.Errorf("creating mock context: %w", err)
	}

	var (
		mu      sync.Mutex
		pending sync.WaitGroup
		outputs = map[string]any{}
	)
	err = pulumi.RunWithContext(pctx, func(ctx *pulumi.Context) error {
		exports, err := program(ctx)
		if err != nil {
			return err
		}
		for key, value := range exports {
			ctx.Export(key, value)
			out := pulumi.ToOutput(value)
			pending.Add(1)
			out.ApplyT(func(v any) any {
				defer pending.Done()
				// The output is resolved here, so asking whether it is secret does not block.
				recorded := v
				if pulumi.IsSecret(out) {
					recorded = secretMarker
				}
				mu.Lock()
				outputs[key] = recorded
				mu.Unlock()
				return v
			})
		}
		return nil
	})
	if err != nil {
		// The partial plan shows what was registered before the failure (for a config error:
		// nothing, which the tests check).
		return &Plan{Stack: opts.Stack, Resources: mocks.registered(), Outputs: map[string]any{}, Warnings: []string{}}, err
	}
	// Apply callbacks of plain values may still be running when the run returns.
	pending.Wait()
	// Outputs take the same plain JSON shapes as inputs ([]any, map[string]any, float64), so
	// tests and tools read both the same way.
	for key, value := range outputs {
		data, err := json.Marshal(value)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", key, err)
		}
		var plain any
		if err := json.Unmarshal(data, &plain); err != nil {
			return nil, fmt.Errorf("output %s: %w", key, err)
		}
		outputs[key] = plain
	}

	plan := &Plan{Stack: opts.Stack, Resources: mocks.registered(), Outputs: outputs, Warnings: []string{}}
	sort.Slice(plan.Resources, func(i, j int) bool { return plan.Resources[i].URN < plan.Resources[j].URN })
	return plan, nil
}

// RunComponent is the unit-test entry point: it runs body with no stack outputs.
func RunComponent(stack string, config map[string]string, body func(ctx *pulumi.Context) error) (*Plan, error) {
	return Run(Options{Project: "eks-platform", Stack: stack, Config: config},
		func(ctx *pulumi.Context) (pulumi.Map, error) { return pulumi.Map{}, body(ctx) })
}
