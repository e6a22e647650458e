package config

import (
	"fmt"
	"strings"

	"github.com/acme/eks-platform/catalogue"
)

// Issue 20: every node group is checked against the instance-type catalogue
// (catalogue/instancetypes.json) before any resource is registered (C4), so a type EC2 does not
// offer, a wrong architecture, a GPU the NVIDIA variant cannot drive or a 100,000-node typo fails
// in cmd/plan instead of 15 minutes into `pulumi up`.

// GroupArchitecture is the architecture of every group's Bottlerocket AMI type (stack/stack.go
// picks BOTTLEROCKET_x86_64 for system and app, BOTTLEROCKET_x86_64_NVIDIA for gpu). arm64 types
// are refused rather than adapted: switching a group to BOTTLEROCKET_ARM_64 would need every image
// the platform's charts run on that group to be multi-arch, which is not checked anywhere yet.
const GroupArchitecture = catalogue.ArchX8664

// PodRequests is what a set of pods asks the scheduler for.
type PodRequests struct {
	CPUMilli, MemoryMiB, Pods int
}

// Plus is both sets of pods together.
func (r PodRequests) Plus(o PodRequests) PodRequests {
	return PodRequests{r.CPUMilli + o.CPUMilli, r.MemoryMiB + o.MemoryMiB, r.Pods + o.Pods}
}

func (r PodRequests) times(n int) PodRequests {
	return PodRequests{n * r.CPUMilli, n * r.MemoryMiB, n * r.Pods}
}

// PlatformPods bound what the platform itself runs: its Helm releases and DaemonSets, rounded up.
// This is the one place the numbers live; tests/stack checks that the requests every stack's plan
// really registers stay within them, replica by replica, and the node-fit rule below uses them.
var PlatformPods = struct {
	// PerNode: the platform's DaemonSets, one pod each on every node of every group (Fluent Bit).
	PerNode PodRequests
	// PerControllerReplica: one replica of every controller that runs twice when
	// controllersHighAvailability is set: the load balancer controller, cluster-autoscaler,
	// external-secrets and its webhook, metrics-server. They run on the system group.
	PerControllerReplica PodRequests
	// Singletons: the system group's pods that run once whatever controllersHighAvailability
	// says: external-secrets' cert controller, and Velero (its plugin's init container counted as
	// if it ran beside it, an upper bound).
	Singletons PodRequests
}{
	PerNode:              PodRequests{CPUMilli: 100, MemoryMiB: 128, Pods: 1},
	PerControllerReplica: PodRequests{CPUMilli: 400, MemoryMiB: 832, Pods: 5},
	Singletons:           PodRequests{CPUMilli: 600, MemoryMiB: 256, Pods: 2},
}

// NodeDemand is what every node of every group carries before any workload lands on it: one pod
// of each DaemonSet, the platform's and the EKS add-ons' (catalogue addonPods).
func NodeDemand() PodRequests {
	demand := PlatformPods.PerNode
	for _, pod := range catalogue.DefaultInstanceTypes().AddonPods {
		if pod.Value.PerNode {
			demand = demand.Plus(PodRequests{pod.Value.CPUMilli, pod.Value.MemoryMiB, 1})
		}
	}
	return demand
}

// SystemGroupDemand is what the system group holds besides its nodes' DaemonSets: every replica
// of the controllers (two of each with highAvailability), the singletons, and the add-ons'
// Deployments (CoreDNS, the EBS CSI and snapshot controllers, the CloudWatch agent operator).
// Those may land on any node; counting them on the system group is the case where they must fit.
func SystemGroupDemand(highAvailability bool) PodRequests {
	replicas := 1
	if highAvailability {
		replicas = ControllerReplicasWithHighAvailability
	}
	demand := PlatformPods.PerControllerReplica.times(replicas).Plus(PlatformPods.Singletons)
	for _, pod := range catalogue.DefaultInstanceTypes().AddonPods {
		if !pod.Value.PerNode {
			demand = demand.Plus(PodRequests{pod.Value.CPUMilli, pod.Value.MemoryMiB, 1}.times(pod.Value.Replicas))
		}
	}
	return demand
}

// ControllerReplicasWithHighAvailability is the replica count of each replicated controller when
// controllersHighAvailability is set (platform: haReplicas).
const ControllerReplicasWithHighAvailability = 2

// validateInstanceTypes applies the catalogue rules to one group.
func validateInstanceTypes(v *validator, g NodeGroup, highAvailability bool) {
	types := catalogue.DefaultInstanceTypes()
	key := g.Name + "NodesInstanceTypes"
	var first *catalogue.InstanceType
	var firstName string
	for _, name := range g.InstanceTypes {
		t, ok := types.Lookup(name)
		if !ok {
			v.fail(key, name, fmt.Sprintf("is not an instance type in the catalogue (current-generation families %s; catalogue/instancetypes.json)",
				strings.Join(types.CurrentGenerationFamilies.Value, ", ")))
			continue
		}
		if t.Architecture.Value != GroupArchitecture {
			v.fail(key, name, fmt.Sprintf("is %s; the %s group's Bottlerocket AMI type is %s, so its types must be %s (arm64 groups are not supported yet)",
				t.Architecture.Value, g.Name, amiType(g.Name), GroupArchitecture))
		}
		if g.Name == "gpu" && !t.HasNvidiaGPU() {
			has := "no GPU"
			if t.GPU != nil {
				has = fmt.Sprintf("%s %s GPUs", t.GPU.Value.Vendor, t.GPU.Value.Model)
			}
			v.fail(key, name, fmt.Sprintf("has %s; the gpu group runs %s and needs an NVIDIA GPU instance type such as g4dn.xlarge or g5.xlarge", has, amiType(g.Name)))
		}
		if first == nil {
			first, firstName = &t, name
		} else if t.VCPUs.Value != first.VCPUs.Value || t.MemoryMiB.Value != first.MemoryMiB.Value {
			v.fail(key, name, fmt.Sprintf("has %d vCPUs and %d MiB but %s has %d vCPUs and %d MiB: cluster-autoscaler assumes every node of a group has the same shape, so all types of a group must have the same vCPUs and memory",
				t.VCPUs.Value, t.MemoryMiB.Value, firstName, first.VCPUs.Value, first.MemoryMiB.Value))
		}
	}
	if limit := types.NodesPerManagedNodeGroup.Value; g.MaxSize > limit {
		v.fail(g.Name+"NodesMaxSize", g.MaxSize, fmt.Sprintf("must be at most %d, the EKS default quota of nodes per managed node group", limit))
	}
	if first != nil {
		validateNodeFit(v, g, firstName, *first, highAvailability)
	}
}

// validateNodeFit checks that the platform's own pods fit (issue 20). Every node of every group
// carries one pod of each DaemonSet, so each type must hold them with room for one more pod; and
// the system group at its minimum size, the least a scale-in leaves, must hold them on every node
// plus all of SystemGroupDemand, within allocatable CPU and memory and the VPC CNI's max pods.
// All types of a group have one shape (the rule above), so the first stands for them.
func validateNodeFit(v *validator, g NodeGroup, typeName string, t catalogue.InstanceType, highAvailability bool) {
	node := PodRequests{t.Allocatable.Value.CPUMilli, t.Allocatable.Value.MemoryMiB, t.MaxPods.Value}
	daemons := NodeDemand()
	if node.CPUMilli < daemons.CPUMilli || node.MemoryMiB < daemons.MemoryMiB || node.Pods <= daemons.Pods {
		v.fail(g.Name+"NodesInstanceTypes", typeName, fmt.Sprintf("offers %s a node, but every node runs the DaemonSets' %s and needs room for one more pod; choose a larger type",
			node, daemons))
		return
	}
	if g.Name != "system" || g.MinSize < 1 {
		return
	}
	offered, needed := node.times(g.MinSize), daemons.times(g.MinSize).Plus(SystemGroupDemand(highAvailability))
	if offered.CPUMilli < needed.CPUMilli || offered.MemoryMiB < needed.MemoryMiB || offered.Pods < needed.Pods {
		v.fail("systemNodesMinSize", g.MinSize, fmt.Sprintf("with %s must hold the platform's pods: %d nodes offer %s, the platform requests %s (the DaemonSets on each node, %s of controllers; README \"Node groups\"); raise systemNodesMinSize or choose a larger type",
			typeName, g.MinSize, offered, needed, replicaWords(highAvailability)))
	}
}

func replicaWords(highAvailability bool) string {
	if highAvailability {
		return fmt.Sprintf("%d replicas", ControllerReplicasWithHighAvailability)
	}
	return "one replica"
}

// String is "1930m CPU, 6903 MiB and 29 pods".
func (r PodRequests) String() string {
	return fmt.Sprintf("%dm CPU, %d MiB and %d pods", r.CPUMilli, r.MemoryMiB, r.Pods)
}

func amiType(group string) string {
	if group == "gpu" {
		return "BOTTLEROCKET_x86_64_NVIDIA"
	}
	return "BOTTLEROCKET_x86_64"
}
