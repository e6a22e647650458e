// Package engineplan turns the state the real Pulumi engine wrote (`pulumi stack export`) into the
// offline plan's JSON schema (internal/offline Plan, README "Offline plan"), plus each resource's
// outputs, so the same queries and the same reviewers read both. Unlike the offline plan it holds
// every resource the engine created, the children pulumi-eks registers from its own plugin too.
package engineplan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/acme/eks-platform/internal/offline"
)

// The signature keys the engine's state uses for values that are not plain JSON
// (sdk/go/common/resource/sig).
const (
	sigKey         = "4dabf18193072939515e22adb298388d"
	sigSecret      = "1b47061264138c4ac30d75fd1eb44270"
	sigResourceRef = "5cf8f73096256a8f31e491e813e4eb8e"
	sigAsset       = "c44067f5952c0a294b673a41bacd8c17"
	sigArchive     = "0def7320c3a5731c473e5ecbe6d01bc7"
	stackType      = "pulumi:pulumi:Stack"
)

type export struct {
	Deployment struct {
		Resources []struct {
			URN            string         `json:"urn"`
			Custom         bool           `json:"custom"`
			Type           string         `json:"type"`
			Inputs         map[string]any `json:"inputs"`
			Outputs        map[string]any `json:"outputs"`
			Parent         string         `json:"parent"`
			Provider       string         `json:"provider"`
			Protect        bool           `json:"protect"`
			RetainOnDelete bool           `json:"retainOnDelete"`
			Dependencies   []string       `json:"dependencies"`
			IgnoreChanges  []string       `json:"ignoreChanges"`
			Delete         bool           `json:"delete"`
		} `json:"resources"`
	} `json:"deployment"`
}

// FromExport reads `pulumi stack export` output of stack and returns its resources as a plan,
// sorted by URN, with the stack's outputs. Secrets show as "[secret]", references as their URN.
func FromExport(data []byte, stack string) (*offline.Plan, error) {
	var state export
	if err := json.Unmarshal(data, &state); err != nil {
		return nil, fmt.Errorf("reading the stack export: %w", err)
	}
	plan := &offline.Plan{Stack: stack, Resources: []offline.Resource{}, Outputs: map[string]any{}}
	for _, r := range state.Deployment.Resources {
		if r.Delete {
			continue // a resource still waiting for deletion is not part of the stack
		}
		if r.Type == stackType {
			plan.Outputs = plainMap(r.Outputs)
			continue
		}
		plan.Resources = append(plan.Resources, offline.Resource{
			URN:            r.URN,
			Type:           r.Type,
			Name:           r.URN[strings.LastIndex(r.URN, "::")+2:],
			Parent:         r.Parent,
			Provider:       providerURN(r.Provider),
			Inputs:         plainMap(r.Inputs),
			Outputs:        plainMap(r.Outputs),
			Protect:        r.Protect,
			RetainOnDelete: r.RetainOnDelete,
			IgnoreChanges:  nonNil(r.IgnoreChanges),
			Dependencies:   sorted(r.Dependencies),
		})
	}
	sort.Slice(plan.Resources, func(i, j int) bool { return plan.Resources[i].URN < plan.Resources[j].URN })
	return plan, nil
}

// ResourceCount is the number of resources in an export (the stack itself and providers
// included): zero after a complete destroy.
func ResourceCount(data []byte) (int, error) {
	var state export
	if err := json.Unmarshal(data, &state); err != nil {
		return 0, fmt.Errorf("reading the stack export: %w", err)
	}
	return len(state.Deployment.Resources), nil
}

// CloudResourceCount returns how many resources of a `pulumi stack export` a cloud would hold:
// custom resources other than providers (the stack, components and provider instances are the
// engine's own). The guard scenarios of scripts/engine.sh require zero after a refused run.
func CloudResourceCount(data []byte) (int, error) {
	var state export
	if err := json.Unmarshal(data, &state); err != nil {
		return 0, fmt.Errorf("reading the stack export: %w", err)
	}
	count := 0
	for _, r := range state.Deployment.Resources {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			count++
		}
	}
	return count, nil
}

func providerURN(ref string) string {
	// A provider reference is "<urn>::<id>"; the plan shows the URN.
	if i := strings.LastIndex(ref, "::"); i > 0 {
		return ref[:i]
	}
	return ref
}

func plainMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch value := v.(type) {
	case map[string]any:
		switch value[sigKey] {
		case sigSecret:
			return "[secret]"
		case sigResourceRef:
			return value["urn"]
		case sigAsset, sigArchive:
			return "[asset]"
		}
		return plainMap(value)
	case []any:
		out := make([]any, len(value))
		for i, e := range value {
			out[i] = plainValue(e)
		}
		return out
	default:
		return value
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
