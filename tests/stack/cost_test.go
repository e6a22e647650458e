package stack_test

import (
	"fmt"
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

// Issue 12, issue 20: the platform's own pods fit. config.PlatformPods bounds what the platform
// runs, and config refuses any stack whose groups cannot hold it (config.NodeDemand on every node,
// config.SystemGroupDemand on the system group at its minimum size). This test keeps those bounds
// honest against every stack's plan, pod by pod and replica by replica: each DaemonSet's pod
// within PerNode; with controllersHighAvailability, each replicated controller's one replica
// within PerControllerReplica and its replica count config's; the rest within Singletons.
func TestPlatformRequestsCoverThePlan(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) { checkPlatformRequests(t, stack) })
	}
}

// podTally adds up requests and pods.
type podTally struct {
	cpu, memory *big.Rat
	pods        int
}

func newTally() *podTally { return &podTally{cpu: new(big.Rat), memory: new(big.Rat)} }

func (p *podTally) add(t *testing.T, requests map[string]any, times int) {
	t.Helper()
	for resource, total := range map[string]*big.Rat{"cpu": p.cpu, "memory": p.memory} {
		if v, ok := requests[resource].(string); ok {
			q, err := quantity.Parse(v)
			if err != nil {
				t.Fatalf("%s request %q: %v", resource, v, err)
			}
			total.Add(total, new(big.Rat).Mul(q, big.NewRat(int64(times), 1)))
		}
	}
}

func (p *podTally) within(bound config.PodRequests) (bool, string) {
	cpuMilli, _ := new(big.Rat).Mul(p.cpu, big.NewRat(1000, 1)).Float64()
	memMi, _ := new(big.Rat).Quo(p.memory, big.NewRat(1<<20, 1)).Float64()
	got := fmt.Sprintf("%.0fm CPU, %.0f MiB and %d pods", cpuMilli, memMi, p.pods)
	return cpuMilli <= float64(bound.CPUMilli) && memMi <= float64(bound.MemoryMiB) && p.pods <= bound.Pods, got
}

// podGroups calls f for every pod a chart's values describe: a map with resources.requests, with
// the replica count of the nearest enclosing map that sets replicaCount or replicas (1 if none),
// and whether it is an init container (which shares its pod).
func podGroups(v any, replicas int, init bool, f func(requests map[string]any, replicas int, init bool)) {
	switch x := v.(type) {
	case map[string]any:
		for _, key := range []string{"replicaCount", "replicas"} {
			if n, ok := x[key].(float64); ok {
				replicas = int(n)
			}
		}
		if resources, ok := x["resources"].(map[string]any); ok {
			if requests, ok := resources["requests"].(map[string]any); ok {
				f(requests, replicas, init)
			}
		}
		for key, child := range x {
			podGroups(child, replicas, init || key == "initContainers", f)
		}
	case []any:
		for _, child := range x {
			podGroups(child, replicas, init, f)
		}
	}
}

func checkPlatformRequests(t *testing.T, stack string) {
	p := planFor(t, stack)
	bounds, ha := config.PlatformPods, p.cfg.Platform.HighAvailability

	daemonSets := p.plan.ByType("kubernetes:apps/v1:DaemonSet")
	if len(daemonSets) == 0 {
		t.Fatalf("%s: the plan has no DaemonSet; the platform's Fluent Bit is one", stack)
	}
	node := newTally()
	for _, ds := range daemonSets {
		node.pods++
		podGroups(ds.Inputs, 1, false, func(requests map[string]any, _ int, _ bool) { node.add(t, requests, 1) })
	}
	if ok, got := node.within(bounds.PerNode); !ok {
		t.Errorf("%s: the platform's %d DaemonSets request %s a node; config.PlatformPods.PerNode says %s",
			stack, len(daemonSets), got, bounds.PerNode)
	}

	replica, singletons := newTally(), newTally()
	for _, release := range p.plan.ByType("kubernetes:helm.sh/v3:Release") {
		podGroups(release.Input("values"), 1, false, func(requests map[string]any, replicas int, init bool) {
			switch {
			case !ha && replicas != 1:
				t.Errorf("%s: %s runs %d replicas without controllersHighAvailability", stack, release.Name, replicas)
			case replicas == config.ControllerReplicasWithHighAvailability && ha:
				replica.add(t, requests, 1)
				if !init {
					replica.pods++
				}
			case replicas == 1:
				singletons.add(t, requests, 1)
				if !init {
					singletons.pods++
				}
			default:
				t.Errorf("%s: %s runs %d replicas; config.ControllerReplicasWithHighAvailability is %d",
					stack, release.Name, replicas, config.ControllerReplicasWithHighAvailability)
			}
		})
	}
	if ha {
		if ok, got := replica.within(bounds.PerControllerReplica); !ok || replica.pods == 0 {
			t.Errorf("%s: one replica of each controller requests %s; config.PlatformPods.PerControllerReplica says %s", stack, got, bounds.PerControllerReplica)
		}
		if ok, got := singletons.within(bounds.Singletons); !ok {
			t.Errorf("%s: the single pods request %s; config.PlatformPods.Singletons says %s", stack, got, bounds.Singletons)
		}
		return
	}
	// Without highAvailability each controller runs once too, so its pods and the singletons
	// are one set, held to the sum of both bounds.
	if ok, got := singletons.within(bounds.PerControllerReplica.Plus(bounds.Singletons)); !ok {
		t.Errorf("%s: the controllers request %s; config.PlatformPods says %s", stack, got, bounds.PerControllerReplica.Plus(bounds.Singletons))
	}
}
