package stack_test

import (
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/internal/planner"
	"github.com/acme/eks-platform/internal/quantity"
)

// Issue 12: the README's cost table is what the command prints.
func TestReadmeCostTableMatchesTheCommand(t *testing.T) {
	want, err := planner.CostSummary(projectRoot(t), stackNames(t), testDay)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(projectRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const start, end = "<!-- cost-summary: generated, do not edit -->\n", "<!-- /cost-summary -->"
	text := string(readme)
	a, b := strings.Index(text, start), strings.Index(text, end)
	if a < 0 || b < a {
		t.Fatal("README has no cost-summary block")
	}
	if got := text[a+len(start) : b]; got != want {
		t.Errorf("README cost table differs from `go run ./cmd/plan --cost-summary --today 2026-12-01`:\n%s\nwant:\n%s", got, want)
	}
}

// Issue 12: dev costs at most $250 a month at zero traffic, on standard support.
func TestDevBaselineIsAtMost250(t *testing.T) {
	c := planFor(t, "dev").out.Cost
	if !c.Priced || *c.MonthlyBaseline > 250 {
		t.Errorf("dev baseline %v (priced %v), want at most $250", c.MonthlyBaseline, c.Priced)
	}
}

// Issue 12: an independent sum from the plan's resources, at the us-east-1 list prices,
// agrees with the cost report within 10% for every stack. It counts resources by type and reads
// sizes from the inputs; it shares no code with the cost package.
func TestCostAgreesWithAnIndependentSum(t *testing.T) {
	onDemand := map[string]float64{"m6i.large": 0.096, "m6a.large": 0.0864, "m5.large": 0.096, "g4dn.xlarge": 0.526}
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		hours := 730.0
		sum := 0.10 * hours // control plane, standard support
		sum += float64(len(plan.ByType("aws:ec2/natGateway:NatGateway"))) * (0.045 + 0.005) * hours
		for _, ep := range plan.ByType("aws:ec2/vpcEndpoint:VpcEndpoint") {
			sum += float64(len(ep.Strings("subnetIds"))) * 0.01 * hours
		}
		for _, g := range plan.ByType("aws:eks/nodeGroup:NodeGroup") {
			nodes := g.Input("scalingConfig.desiredSize").(float64)
			price := onDemand[g.Strings("instanceTypes")[0]]
			if g.String("capacityType") == "SPOT" {
				price = 0.0864 * 0.4
			}
			sum += nodes * (price*hours + float64(cfg.NodeGroups.OsVolumeGiB+cfg.NodeGroups.DataVolumeGiB)*0.08)
		}
		sum += 1 + 3 + 0.1*float64(len(plan.ByType("aws:cloudwatch/metricAlarm:MetricAlarm")))
		got := *planFor(t, cfg.Suffix).out.Cost.MonthlyBaseline
		if math.Abs(got-sum)/sum > 0.10 {
			t.Errorf("cost report $%.2f, independent sum $%.2f", got, sum)
		}
	})
}

// Issue 12, issue 20: the platform's own pods fit. config.PlatformRequests holds the requests of
// what the platform places on its system nodes, and config refuses any stack whose system group at
// its minimum size cannot hold them (within allocatable CPU, memory and the VPC CNI's max pods,
// from the instance-type catalogue). This test keeps that one number honest: on every stack, the
// requests the plan really registers, plus the EKS add-ons' DaemonSets and CoreDNS, stay within it.
func TestPlatformRequestsCoverThePlan(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) { checkPlatformRequests(t, stack) })
	}
}

func checkPlatformRequests(t *testing.T, stack string) {
	p := planFor(t, stack)
	cpu, memory := new(big.Rat), new(big.Rat)
	pods := 0
	add := func(requests map[string]any) {
		pods++ // a container with requests; each pod has at least one, so this bounds the pods
		for resource, total := range map[string]*big.Rat{"cpu": cpu, "memory": memory} {
			if v, ok := requests[resource].(string); ok {
				q, err := quantity.Parse(v)
				if err != nil {
					t.Fatalf("%s request %q: %v", resource, v, err)
				}
				total.Add(total, q)
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if requests, ok := x["requests"].(map[string]any); ok {
				add(requests)
			}
			for _, child := range x {
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	for _, release := range p.plan.ByType("kubernetes:helm.sh/v3:Release") {
		walk(release.Input("values"))
	}
	for _, ds := range p.plan.ByType("kubernetes:apps/v1:DaemonSet") {
		walk(ds.Inputs)
	}
	// The EKS add-ons' DaemonSets on every node, from their default manifests: kube-proxy 100m,
	// aws-node 25m, ebs-csi-node 30m and 120Mi, the CloudWatch agent 250m and 128Mi; rounded up.
	add(map[string]any{"cpu": "450m", "memory": "512Mi"})
	pods += 3 // the add-on call above counted one of the four DaemonSet pods
	// CoreDNS, the EKS add-on's default: two replicas of 100m and 70Mi.
	add(map[string]any{"cpu": "100m", "memory": "70Mi"})
	add(map[string]any{"cpu": "100m", "memory": "70Mi"})

	cpuMilli, _ := new(big.Rat).Mul(cpu, big.NewRat(1000, 1)).Float64()
	memMi, _ := new(big.Rat).Quo(memory, big.NewRat(1<<20, 1)).Float64()
	r := config.PlatformRequests
	t.Logf("%s: the platform requests %.0fm CPU, %.0fMi memory, at most %d pods; config.PlatformRequests %dm, %dMi, %d pods",
		stack, cpuMilli, memMi, pods, r.CPUMilli, r.MemoryMiB, r.Pods)
	if cpuMilli > float64(r.CPUMilli) || memMi > float64(r.MemoryMiB) || pods > r.Pods {
		t.Errorf("%s: the plan requests more than config.PlatformRequests says; raise it there (the config rule uses it)", stack)
	}
}
