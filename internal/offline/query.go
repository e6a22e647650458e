package offline

import (
	"fmt"
	"strings"
)

// ByType returns the resources of one type, in URN order.
func (p *Plan) ByType(typeToken string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typeToken {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the resource of the given type and name, or an error naming what exists.
func (p *Plan) Get(typeToken, name string) (Resource, error) {
	var names []string
	for _, r := range p.Resources {
		if r.Type == typeToken {
			if r.Name == name {
				return r, nil
			}
			names = append(names, r.Name)
		}
	}
	return Resource{}, fmt.Errorf("no %s named %q in the plan (have %v)", typeToken, name, names)
}

// ByURN returns the resource with the given URN.
func (p *Plan) ByURN(urn string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.URN == urn {
			return r, true
		}
	}
	return Resource{}, false
}

// Children returns the resources whose parent is r.
func (p *Plan) Children(r Resource) []Resource {
	var out []Resource
	for _, c := range p.Resources {
		if c.Parent == r.URN {
			out = append(out, c)
		}
	}
	return out
}

// Input returns the input at a dotted path ("tags.Name", "ingress.0.cidrBlocks"), or nil.
func (r Resource) Input(path string) any { return lookup(r.Inputs, path) }

// Output returns the output at a dotted path, or nil; only engine plans have outputs.
func (r Resource) Output(path string) any { return lookup(r.Outputs, path) }

func lookup(root map[string]any, path string) any {
	var cur any = root
	for _, part := range strings.Split(path, ".") {
		switch node := cur.(type) {
		case map[string]any:
			cur = node[part]
		case []any:
			var i int
			if _, err := fmt.Sscanf(part, "%d", &i); err != nil || i < 0 || i >= len(node) {
				return nil
			}
			cur = node[i]
		default:
			return nil
		}
	}
	return cur
}

// String returns the input at path as a string ("" when absent or not a string).
func (r Resource) String(path string) string {
	s, _ := r.Input(path).(string)
	return s
}

// Strings returns the input at path as a string slice (nil when absent).
func (r Resource) Strings(path string) []string {
	arr, _ := r.Input(path).([]any)
	var out []string
	for _, v := range arr {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// DependsOn reports whether r lists urn among its dependencies.
func (r Resource) DependsOn(urn string) bool {
	for _, d := range r.Dependencies {
		if d == urn {
			return true
		}
	}
	return false
}
