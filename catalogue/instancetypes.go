package catalogue

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// The instance-type catalogue (issue 20): what EC2, the VPC CNI and the EC2 price list say about
// each instance type a Bottlerocket managed node group may use, each fact with its source and the
// day it was read, like versions.json. The data file states its freshness rule; the program and
// the tests check it against the day they are given (L2), never the day the code was written.

//go:embed instancetypes.json
var instanceTypesJSON []byte

// Architectures as EC2 spells them.
const (
	ArchX8664 = "x86_64"
	ArchArm64 = "arm64"
)

// GPU is the accelerator of an instance type.
type GPU struct {
	Vendor string `json:"vendor"` // nvidia, amd
	Count  int    `json:"count"`
	Model  string `json:"model"`
}

// InstanceType is what the catalogue knows about one EC2 instance type.
type InstanceType struct {
	Family       Fact[string] `json:"family"`
	Architecture Fact[string] `json:"architecture"`
	VCPUs        Fact[int]    `json:"vcpus"`
	MemoryMiB    Fact[int]    `json:"memoryMiB"`
	GPU          *Fact[GPU]   `json:"gpu,omitempty"`
	// Allocatable is what the kubelet offers pods after the node's reservations.
	Allocatable Fact[Allocatable] `json:"allocatable"`
	// MaxPods is the VPC CNI's limit without prefix delegation (eni-max-pods.txt).
	MaxPods Fact[int] `json:"maxPods"`
	// OnDemandUsdPerHour maps a region to the Linux on-demand price; a region missing here has no
	// read price and is reported as unpriced, never guessed.
	OnDemandUsdPerHour map[string]Fact[float64] `json:"onDemandUsdPerHour"`
}

// Allocatable is a node's CPU and memory left for pods.
type Allocatable struct {
	CPUMilli  int `json:"cpuMilli"`
	MemoryMiB int `json:"memoryMiB"`
}

// HasNvidiaGPU reports whether the type has at least one NVIDIA GPU.
func (t InstanceType) HasNvidiaGPU() bool {
	return t.GPU != nil && t.GPU.Value.Vendor == "nvidia" && t.GPU.Value.Count > 0
}

// Freshness is the rule the data file states for how old a fact may be.
type Freshness struct {
	MaxAgeDays int    `json:"maxAgeDays"`
	Rule       string `json:"rule"`
	ReadOn     Date   `json:"readOn"`
}

// InstanceTypes is the whole instance-type data file.
type InstanceTypes struct {
	Freshness                 Freshness      `json:"freshness"`
	CurrentGenerationFamilies Fact[[]string] `json:"currentGenerationFamilies"`
	RegionsWithoutReadPrice   Fact[[]string] `json:"regionsWithoutReadPrice"`
	// NodesPerManagedNodeGroup is the EKS default quota a group's maxSize is held to.
	NodesPerManagedNodeGroup Fact[int] `json:"nodesPerManagedNodeGroup"`
	// AddonPods are the pods the EKS add-ons run on the nodes, by workload name: what a node
	// group must hold besides the platform's own pods (config's node-fit rule).
	AddonPods map[string]Fact[AddonPod] `json:"addonPods"`
	Types     map[string]InstanceType   `json:"instanceTypes"`
}

// AddonPod is one workload of an EKS add-on: a DaemonSet (one pod on every node) or a Deployment
// of Replicas pods, and what each pod requests.
type AddonPod struct {
	PerNode   bool `json:"perNode"`
	Replicas  int  `json:"replicas"`
	CPUMilli  int  `json:"cpuMilli"`
	MemoryMiB int  `json:"memoryMiB"`
}

var (
	typesOnce sync.Once
	types     *InstanceTypes
	typesErr  error
)

// DefaultInstanceTypes returns the instance-type catalogue compiled into the program; the data
// file is checked by this package's tests, so an error is a broken build.
func DefaultInstanceTypes() *InstanceTypes {
	typesOnce.Do(func() { types, typesErr = ParseInstanceTypes(instanceTypesJSON) })
	if typesErr != nil {
		panic(typesErr)
	}
	return types
}

// ParseInstanceTypes reads and checks an instance-type document: every fact sourced and dated,
// numbers positive, architecture known, the family listed as current generation.
func ParseInstanceTypes(data []byte) (*InstanceTypes, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c InstanceTypes
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("instance types: %w", err)
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("instance types: "+format, a...)) }
	dated := func(what, source string, readOn Date) {
		if source == "" || readOn.IsZero() {
			bad("%s needs its source and the date it was read", what)
		}
	}
	if c.Freshness.MaxAgeDays <= 0 || c.Freshness.Rule == "" {
		bad("freshness needs maxAgeDays and the rule in words")
	}
	dated("currentGenerationFamilies", c.CurrentGenerationFamilies.Source, c.CurrentGenerationFamilies.ReadOn)
	dated("regionsWithoutReadPrice", c.RegionsWithoutReadPrice.Source, c.RegionsWithoutReadPrice.ReadOn)
	dated("nodesPerManagedNodeGroup", c.NodesPerManagedNodeGroup.Source, c.NodesPerManagedNodeGroup.ReadOn)
	if c.NodesPerManagedNodeGroup.Value <= 0 {
		bad("nodesPerManagedNodeGroup must be positive")
	}
	if len(c.AddonPods) == 0 {
		bad("addonPods is empty: the node-fit rule needs the add-ons' pods")
	}
	for name, pod := range c.AddonPods {
		dated("addonPods."+name, pod.Source, pod.ReadOn)
		if v := pod.Value; v.Replicas < 1 || v.CPUMilli < 0 || v.MemoryMiB < 0 || (v.PerNode && v.Replicas != 1) {
			bad("addonPods.%s %+v: replicas must be at least 1 (1 for a DaemonSet) and requests not negative", name, v)
		}
	}
	for _, name := range c.Names() {
		t := c.Types[name]
		c.eachFact(t, func(what, source string, readOn Date) { dated(name+"."+what, source, readOn) })
		if t.Architecture.Value != ArchX8664 && t.Architecture.Value != ArchArm64 {
			bad("%s.architecture %q is neither %s nor %s", name, t.Architecture.Value, ArchX8664, ArchArm64)
		}
		if t.VCPUs.Value <= 0 || t.MemoryMiB.Value <= 0 || t.MaxPods.Value <= 0 {
			bad("%s needs positive vcpus, memoryMiB and maxPods", name)
		}
		if a := t.Allocatable.Value; a.CPUMilli <= 0 || a.CPUMilli > 1000*t.VCPUs.Value || a.MemoryMiB <= 0 || a.MemoryMiB > t.MemoryMiB.Value {
			bad("%s.allocatable %+v must be positive and within the type's vcpus and memory", name, a)
		}
		if !slices.Contains(c.CurrentGenerationFamilies.Value, t.Family.Value) {
			bad("%s: family %q is not listed in currentGenerationFamilies", name, t.Family.Value)
		}
		for region, p := range t.OnDemandUsdPerHour {
			if p.Value <= 0 {
				bad("%s.onDemandUsdPerHour.%s must be positive", name, region)
			}
			if slices.Contains(c.RegionsWithoutReadPrice.Value, region) {
				bad("%s has a price in %s, which regionsWithoutReadPrice lists", name, region)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &c, nil
}

func (c *InstanceTypes) eachFact(t InstanceType, f func(what, source string, readOn Date)) {
	f("family", t.Family.Source, t.Family.ReadOn)
	f("architecture", t.Architecture.Source, t.Architecture.ReadOn)
	f("vcpus", t.VCPUs.Source, t.VCPUs.ReadOn)
	f("memoryMiB", t.MemoryMiB.Source, t.MemoryMiB.ReadOn)
	f("maxPods", t.MaxPods.Source, t.MaxPods.ReadOn)
	f("allocatable", t.Allocatable.Source, t.Allocatable.ReadOn)
	if t.GPU != nil {
		f("gpu", t.GPU.Source, t.GPU.ReadOn)
	}
	for region, p := range t.OnDemandUsdPerHour {
		f("onDemandUsdPerHour."+region, p.Source, p.ReadOn)
	}
}

// Names returns the catalogued instance types, sorted.
func (c *InstanceTypes) Names() []string {
	names := make([]string, 0, len(c.Types))
	for n := range c.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the facts of one instance type.
func (c *InstanceTypes) Lookup(name string) (InstanceType, bool) {
	t, ok := c.Types[name]
	return t, ok
}

// Stale lists every fact read more than the stated maximum age before day, as "type.fact (read
// DATE)"; an empty list means the catalogue keeps its own freshness rule on that day.
func (c *InstanceTypes) Stale(day Date) []string {
	var out []string
	check := func(what string, readOn Date) {
		if readOn.DaysUntil(day) > c.Freshness.MaxAgeDays {
			out = append(out, fmt.Sprintf("%s (read %s)", what, readOn))
		}
	}
	check("currentGenerationFamilies", c.CurrentGenerationFamilies.ReadOn)
	check("regionsWithoutReadPrice", c.RegionsWithoutReadPrice.ReadOn)
	check("nodesPerManagedNodeGroup", c.NodesPerManagedNodeGroup.ReadOn)
	for name, pod := range c.AddonPods {
		check("addonPods."+name, pod.ReadOn)
	}
	for _, name := range c.Names() {
		c.eachFact(c.Types[name], func(what, _ string, readOn Date) { check(name+"."+what, readOn) })
	}
	sort.Strings(out)
	return out
}
