// Package planner makes the offline plan of one stack as `go run ./cmd/plan` prints it: the
// stack's configuration as the Pulumi CLI would hand it over, judged on a given day, run through
// the whole program under mocks. The plan command and the whole-stack tests share it, so the
// golden plans are exactly what the command prints.
package planner

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/cost"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/stack"
)

// Request says which stack to plan and on which day.
type Request struct {
	// Root is the project directory (with Pulumi.yaml).
	Root string
	// Stack is the stack name; StackFile defaults to <Root>/Pulumi.<Stack>.yaml.
	Stack     string
	StackFile string
	// Today is the day the lifecycle rules are judged on (STACK_SPEC L2).
	Today time.Time
	// Change, when set, edits the configuration values before they are parsed (tests use it to
	// try bad or alternative values).
	Change func(values map[string]string)
	// SpotDiscount overrides the cost report's spot assumption when set.
	SpotDiscount *float64
}

// Output is the plan as `go run ./cmd/plan --json` prints it: the registrations, outputs and
// warnings, and the stack's monthly cost at zero traffic (issue 12).
type Output struct {
	*offline.Plan
	Cost cost.Report `json:"cost"`
}

// Plan returns the stack's offline plan with its cost, and its parsed configuration. An invalid
// configuration returns the validation error, with the (empty) partial plan of the program run
// that refused it.
func Plan(req Request) (*Output, *config.Config, error) {
	file := req.StackFile
	if file == "" {
		file = filepath.Join(req.Root, "Pulumi."+req.Stack+".yaml")
	}
	values, err := config.StackValues(filepath.Join(req.Root, "Pulumi.yaml"), file)
	if err != nil {
		return nil, nil, err
	}
	if req.Change != nil {
		req.Change(values)
	}
	plan, err := offline.Run(offline.Options{Project: config.Project, Stack: req.Stack, Config: values},
		stack.OutputsOn(req.Today, config.SortedKeys(values)))
	if err != nil {
		return &Output{Plan: plan}, nil, err
	}
	// The program validated the same values on the same day; parsing again gives the typed
	// configuration and its warnings to the caller.
	cfg, err := config.Parse(req.Stack, values, req.Today)
	if err != nil {
		return &Output{Plan: plan}, nil, fmt.Errorf("stack %s: %w", req.Stack, err)
	}
	plan.Warnings = append([]string{}, cfg.Warnings...)
	report := cost.Estimate(plan, cost.Options{Today: catalogue.Day(req.Today), SpotDiscount: req.SpotDiscount})
	return &Output{Plan: plan, Cost: report}, cfg, nil
}

// CostSummary is the Markdown table of the stacks' monthly baselines that the README shows
// (`go run ./cmd/plan --cost-summary`): one row per stack, the sum per category, and the choices
// that cost money.
func CostSummary(root string, stacks []string, today time.Time) (string, error) {
	var b strings.Builder
	b.WriteString("| stack | monthly baseline | ")
	for _, c := range cost.Categories {
		b.WriteString(string(c) + " | ")
	}
	b.WriteString("what costs money |\n|---|---:|")
	b.WriteString(strings.Repeat("---:|", len(cost.Categories)))
	b.WriteString("---|\n")
	for _, s := range stacks {
		out, cfg, err := Plan(Request{Root: root, Stack: s, Today: today})
		if err != nil {
			return "", err
		}
		if !out.Cost.Priced {
			fmt.Fprintf(&b, "| %s | not estimated: %s |%s|\n", s, out.Cost.Note, strings.Repeat(" |", len(cost.Categories)))
			continue
		}
		fmt.Fprintf(&b, "| %s | $%.2f | ", s, *out.Cost.MonthlyBaseline)
		sums := out.Cost.ByCategory()
		for _, c := range cost.Categories {
			fmt.Fprintf(&b, "$%.2f | ", sums[c])
		}
		b.WriteString(costlyChoices(cfg) + " |\n")
	}
	return b.String(), nil
}

// costlyChoices names the configuration choices that drive a stack's baseline.
func costlyChoices(cfg *config.Config) string {
	n := cfg.Network
	parts := []string{
		fmt.Sprintf("Kubernetes %s, upgrade policy %s", cfg.Cluster.KubernetesVersion, cfg.Cluster.UpgradeSupportType),
		fmt.Sprintf("%d NAT gateway%s", n.NatGatewayCount, plural(n.NatGatewayCount)),
		fmt.Sprintf("%d interface endpoints × %d AZ%s", len(n.InterfaceEndpoints), n.InterfaceEndpointAzCount, plural(n.InterfaceEndpointAzCount)),
	}
	for _, g := range cfg.NodeGroups.Groups {
		capacity := "on-demand"
		if g.CapacityType == "SPOT" {
			capacity = "spot"
		}
		parts = append(parts, fmt.Sprintf("%s %d × %s %s", g.Name, g.DesiredSize, strings.Join(g.InstanceTypes, "/"), capacity))
	}
	if cfg.Platform.HighAvailability {
		parts = append(parts, "HA controllers (2 replicas each)")
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
