package offline

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// maxInputWidth keeps one resource on one readable line; the JSON form has everything.
const maxInputWidth = 160

// WriteTree prints the plan as an indented tree of components and their children with each
// resource's type, name and scalar inputs, then the stack outputs.
func WriteTree(w io.Writer, p *Plan) {
	children := map[string][]Resource{}
	for _, r := range p.Resources {
		children[r.Parent] = append(children[r.Parent], r)
	}
	// Roots are resources whose parent is the stack (not itself a planned resource).
	var roots []Resource
	for _, r := range p.Resources {
		if _, ok := p.ByURN(r.Parent); !ok {
			roots = append(roots, r)
		}
	}
	fmt.Fprintf(w, "stack %s: %d resources\n", p.Stack, len(p.Resources))
	var walk func(rs []Resource, indent string)
	walk = func(rs []Resource, indent string) {
		for i, r := range rs {
			branch, next := "├─ ", "│  "
			if i == len(rs)-1 {
				branch, next = "└─ ", "   "
			}
			fmt.Fprintf(w, "%s%s%s  %s%s\n", indent, branch, r.Type, r.Name, flags(r))
			if summary := summarize(r.Inputs); summary != "" {
				fmt.Fprintf(w, "%s%s    %s\n", indent, next, summary)
			}
			walk(children[r.URN], indent+next)
		}
	}
	walk(roots, "")

	fmt.Fprintln(w, "outputs:")
	keys := make([]string, 0, len(p.Outputs))
	for k := range p.Outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, clip(compact(p.Outputs[k])))
	}
}

func flags(r Resource) string {
	var out []string
	if r.Protect {
		out = append(out, "protect")
	}
	if r.RetainOnDelete {
		out = append(out, "retainOnDelete")
	}
	if r.DeleteBeforeReplace {
		out = append(out, "deleteBeforeReplace")
	}
	if len(r.IgnoreChanges) > 0 {
		out = append(out, "ignoreChanges="+strings.Join(r.IgnoreChanges, ","))
	}
	if len(out) == 0 {
		return ""
	}
	return "  [" + strings.Join(out, " ") + "]"
}

// summarize shows the scalar and short list inputs, sorted by name; nested objects are left to
// the JSON form.
func summarize(inputs map[string]any) string {
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		switch v := inputs[k].(type) {
		case string, bool, float64:
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		case []any:
			parts = append(parts, fmt.Sprintf("%s=%s", k, compact(v)))
		}
	}
	return clip(strings.Join(parts, " "))
}

func compact(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	data, _ := json.Marshal(v)
	return string(data)
}

func clip(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	if len(s) > maxInputWidth {
		return s[:maxInputWidth-1] + "…"
	}
	return s
}
