package charts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Stacks are the committed stacks whose golden plans are judged.
var Stacks = []string{"dev", "staging", "prod"}

const (
	releaseType       = "kubernetes:helm.sh/v3:Release"
	addonType         = "aws:eks/addon:Addon"
	roleType          = "aws:iam/role:Role"
	clusterType       = "eks:index:Cluster"
	kubernetesTypeTag = "kubernetes:"
)

// Resource is one resource of an offline plan, as cmd/plan --json writes it.
type Resource struct {
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	Inputs map[string]any `json:"inputs"`
}

// Plan is one stack's golden offline plan.
type Plan struct {
	Stack     string     `json:"stack"`
	Resources []Resource `json:"resources"`
}

// Release is the part of a helm.sh/v3 Release the chart sees.
type Release struct {
	Name, Chart, Version, Namespace string
	Values                          map[string]any
}

// Addon is an EKS managed add-on and its configuration document.
type Addon struct {
	Name, Version       string
	ConfigurationValues string // JSON; empty when the add-on is left at its defaults
}

// RepoRoot is the repository root, two levels above this module.
func RepoRoot() (string, error) {
	return filepath.Abs(filepath.Join("..", ".."))
}

// LoadPlan reads the golden plan of a stack.
func LoadPlan(stack string) (*Plan, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(root, "tests", "stack", "testdata", "plan-"+stack+".json"))
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("plan of %s: %w", stack, err)
	}
	return &p, nil
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// Releases are the plan's Helm releases, sorted by name.
func (p *Plan) Releases() []Release {
	var out []Release
	for _, r := range p.Resources {
		if r.Type != releaseType {
			continue
		}
		values, _ := r.Inputs["values"].(map[string]any)
		out = append(out, Release{
			Name: str(r.Inputs, "name"), Chart: str(r.Inputs, "chart"), Version: str(r.Inputs, "version"),
			Namespace: str(r.Inputs, "namespace"), Values: values,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RawObjects are the Kubernetes objects the program creates itself (every kubernetes:* resource
// but the Helm releases), as the manifests it sends.
func (p *Plan) RawObjects() []map[string]any {
	var out []map[string]any
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, kubernetesTypeTag) && r.Type != releaseType {
			out = append(out, r.Inputs)
		}
	}
	return out
}

// Addons are the plan's EKS managed add-ons.
func (p *Plan) Addons() []Addon {
	var out []Addon
	for _, r := range p.Resources {
		if r.Type == addonType {
			out = append(out, Addon{Name: str(r.Inputs, "addonName"), Version: str(r.Inputs, "addonVersion"),
				ConfigurationValues: str(r.Inputs, "configurationValues")})
		}
	}
	return out
}

// KubernetesVersion is the cluster's minor version ("1.33").
func (p *Plan) KubernetesVersion() (string, error) {
	for _, r := range p.Resources {
		if r.Type == clusterType {
			if v := str(r.Inputs, "version"); v != "" {
				return v, nil
			}
		}
	}
	return "", fmt.Errorf("plan of %s has no %s with a version", p.Stack, clusterType)
}

// IRSARole is an IAM role that a Kubernetes service account assumes through the cluster's OIDC
// provider: its name and the one subject its trust policy allows (S3).
type IRSARole struct {
	Name                      string
	Namespace, ServiceAccount string
}

// IRSARoles are the plan's roles trusted by exactly one service account.
func (p *Plan) IRSARoles() ([]IRSARole, error) {
	var out []IRSARole
	for _, r := range p.Resources {
		if r.Type != roleType {
			continue
		}
		var policy struct {
			Statement []struct {
				Action    any                          `json:"Action"`
				Condition map[string]map[string]string `json:"Condition"`
			} `json:"Statement"`
		}
		if err := json.Unmarshal([]byte(str(r.Inputs, "assumeRolePolicy")), &policy); err != nil {
			return nil, fmt.Errorf("role %s: trust policy: %w", r.Name, err)
		}
		for _, s := range policy.Statement {
			for key, subject := range s.Condition["StringEquals"] {
				rest, ok := strings.CutPrefix(subject, "system:serviceaccount:")
				if !strings.HasSuffix(key, ":sub") || !ok {
					continue
				}
				ns, sa, _ := strings.Cut(rest, ":")
				out = append(out, IRSARole{Name: str(r.Inputs, "name"), Namespace: ns, ServiceAccount: sa})
			}
		}
	}
	return out, nil
}
