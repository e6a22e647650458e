package config

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/acme/eks-platform/catalogue"
)

// nodeType is a made-up x86_64 type with this much room for pods, to show the arithmetic of the
// node-fit rule apart from the catalogue's real types.
func nodeType(cpuMilli, memoryMiB, maxPods int) catalogue.InstanceType {
	return catalogue.InstanceType{
		Allocatable: catalogue.Fact[catalogue.Allocatable]{Value: catalogue.Allocatable{CPUMilli: cpuMilli, MemoryMiB: memoryMiB}},
		MaxPods:     catalogue.Fact[int]{Value: maxPods},
	}
}

// Issue 20: the platform's pods are counted where they run. DaemonSets put a pod on every node, so
// each node of a group pays them again; with controllersHighAvailability every replicated
// controller runs twice. A rule that counted each once (the rule before) accepts the refused rows.
func TestNodeFitCountsDaemonSetsPerNodeAndControllersPerReplica(t *testing.T) {
	daemons, single, ha := NodeDemand(), SystemGroupDemand(false), SystemGroupDemand(true)
	if ha.CPUMilli-single.CPUMilli != PlatformPods.PerControllerReplica.CPUMilli*(ControllerReplicasWithHighAvailability-1) {
		t.Fatalf("high availability adds %dm CPU, want one more replica of each controller (%dm)", ha.CPUMilli-single.CPUMilli, PlatformPods.PerControllerReplica.CPUMilli)
	}
	// A node with just room for the DaemonSets plus the system pods shared out between n nodes.
	share := func(n int, demand PodRequests) catalogue.InstanceType {
		return nodeType(daemons.CPUMilli+demand.CPUMilli/n+1, daemons.MemoryMiB+demand.MemoryMiB/n+1, daemons.Pods+demand.Pods/n+1)
	}
	cases := []struct {
		name    string
		group   NodeGroup
		t       catalogue.InstanceType
		ha      bool
		refused string // the key refused, or ""
	}{
		{"two nodes, each with its DaemonSets and half the controllers", NodeGroup{Name: "system", MinSize: 2}, share(2, single), false, ""},
		{"the same two nodes with every controller twice", NodeGroup{Name: "system", MinSize: 2}, share(2, single), true, "systemNodesMinSize"},
		{"sized for two controller replicas", NodeGroup{Name: "system", MinSize: 2}, share(2, ha), true, ""},
		{"three nodes sized as if the DaemonSets ran once in the group", NodeGroup{Name: "system", MinSize: 3},
			nodeType((daemons.CPUMilli+single.CPUMilli)/3+1, (daemons.MemoryMiB+single.MemoryMiB)/3+1, (daemons.Pods+single.Pods)/3+1), false, "systemNodesMinSize"},
		{"one node less: its DaemonSets leave too little", NodeGroup{Name: "system", MinSize: 1}, share(2, single), false, "systemNodesMinSize"},
		{"a node that cannot hold the DaemonSets, in any group", NodeGroup{Name: "app", MinSize: 3}, nodeType(daemons.CPUMilli-1, 64*1024, 110), false, "appNodesInstanceTypes"},
		{"a node with no room for a pod beside the DaemonSets", NodeGroup{Name: "gpu", MinSize: 0}, nodeType(8000, 64*1024, daemons.Pods), false, "gpuNodesInstanceTypes"},
		{"the app group does not hold the controllers", NodeGroup{Name: "app", MinSize: 1}, share(4, single), false, ""},
	}
	for _, c := range cases {
		v := &validator{}
		validateNodeFit(v, c.group, "x.large", c.t, c.ha)
		switch {
		case c.refused == "" && len(v.errs) > 0:
			t.Errorf("%s: refused: %v", c.name, v.errs)
		case c.refused != "" && (len(v.errs) != 1 || !strings.Contains(v.errs[0].Error(), Key(c.refused)+" = ")):
			t.Errorf("%s: errors %v, want one naming %s", c.name, v.errs, Key(c.refused))
		}
	}
}

// README "Node groups" quotes these sums, computed here, so the two cannot drift apart.
func TestNodeDemandAsTheReadmeQuotesIt(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	daemons, single, ha := NodeDemand(), SystemGroupDemand(false), SystemGroupDemand(true)
	for _, quoted := range []string{
		fmt.Sprintf("%dm CPU, %d MiB, %d pods", daemons.CPUMilli, daemons.MemoryMiB, daemons.Pods),
		fmt.Sprintf("%dm CPU, %d MiB and %d pods", single.CPUMilli, single.MemoryMiB, single.Pods),
		fmt.Sprintf("%dm, %d MiB and %d pods", ha.CPUMilli, ha.MemoryMiB, ha.Pods),
	} {
		if !strings.Contains(text, quoted) {
			t.Errorf("README \"Node groups\" does not quote %q", quoted)
		}
	}
}
