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

// PlatformRequests are the requests of everything the platform places on its system nodes: the
// containers of its Helm releases and DaemonSets, plus the EKS add-ons' DaemonSets (kube-proxy,
// aws-node, ebs-csi-node, the CloudWatch agent) and CoreDNS. This is the one place the numbers
// live; tests/stack checks that the plan's requests stay within them, and the rule below checks
// that the system group at its minimum size holds them on any stack.
var PlatformRequests = struct {
	CPUMilli, MemoryMiB, Pods int
}{CPUMilli: 1800, MemoryMiB: 2048, Pods: 20}

// validateInstanceTypes applies the catalogue rules to one group.
func validateInstanceTypes(v *validator, g NodeGroup) {
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
	if g.Name == "system" && first != nil && g.MinSize >= 1 {
		// The smallest type of the group is what a scale-in may leave; all have one shape here, so the first will do.
		n := g.MinSize
		cpu, mem, pods := n*first.Allocatable.Value.CPUMilli, n*first.Allocatable.Value.MemoryMiB, n*first.MaxPods.Value
		r := PlatformRequests
		if cpu < r.CPUMilli || mem < r.MemoryMiB || pods < r.Pods {
			v.fail("systemNodesMinSize", g.MinSize, fmt.Sprintf("with %s must hold the platform's pods: %d nodes offer %dm CPU, %d MiB and %d pods, the platform requests %dm CPU, %d MiB and %d pods; raise systemNodesMinSize or choose a larger type",
				firstName, n, cpu, mem, pods, r.CPUMilli, r.MemoryMiB, r.Pods))
		}
	}
}

func amiType(group string) string {
	if group == "gpu" {
		return "BOTTLEROCKET_x86_64_NVIDIA"
	}
	return "BOTTLEROCKET_x86_64"
}
