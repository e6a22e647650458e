package charts

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// freeFormKeys are values keys whose content the chart passes through as a map of the user's own
// keys or as a Kubernetes object fragment (rendered with toYaml), so their sub-keys cannot be
// looked up in values.yaml. Object fragments are still checked: their rendered output is decoded
// strictly into the k8s.io/api types, which rejects an unknown field there.
var freeFormKeys = map[string]string{
	"annotations":              "metadata annotations of the user's choosing",
	"labels":                   "metadata labels of the user's choosing",
	"podAnnotations":           "metadata annotations of the user's choosing",
	"podLabels":                "metadata labels of the user's choosing",
	"nodeSelector":             "node label → value, rendered into the pod spec",
	"extraArgs":                "cluster-autoscaler: flag name → value, rendered as --flag=value",
	"defaultTags":              "aws-load-balancer-controller: AWS tag key → value",
	"expanderPriorities":       "cluster-autoscaler: priority → node group regexps, the priority expander's ConfigMap",
	"resources":                "core/v1 ResourceRequirements (strictly decoded once rendered)",
	"securityContext":          "core/v1 SecurityContext (strictly decoded once rendered)",
	"podSecurityContext":       "core/v1 PodSecurityContext (strictly decoded once rendered)",
	"containerSecurityContext": "core/v1 SecurityContext (strictly decoded once rendered)",
	"initContainers":           "core/v1 Container list (strictly decoded once rendered)",
	"config":                   "velero: provider-specific BackupStorageLocation config, key → string",
	"schedules":                "velero: schedule name → Schedule spec, rendered as velero.io/v1 Schedules (CRD-defined)",
}

// specFragmentKeys are values keys that some charts render whole with toYaml as a Kubernetes
// object's spec while others give them keys of their own: they are free-form only where the
// chart's default is an empty map, and checked key by key where it has keys.
var specFragmentKeys = map[string]string{
	"podDisruptionBudget": "policy/v1 PodDisruptionBudgetSpec in aws-load-balancer-controller and cluster-autoscaler ({} by default); enabled/minAvailable/maxUnavailable of the chart's own elsewhere",
}

// UnknownKeys lists the key paths of values that the chart does not know: a path is known when
// chart's values.yaml has it, its values.schema.json declares it, or a template reads it as
// .Values.<path>. Below a free-form key nothing is looked up. An empty map in values.yaml does not
// make its sub-keys known: a misspelt key under it would be ignored just the same.
func UnknownKeys(c *chart.Chart, values map[string]any) []string {
	var schema map[string]any
	if len(c.Schema) > 0 {
		_ = json.Unmarshal(c.Schema, &schema) // a broken schema fails ToRenderValues instead
	}
	var templates strings.Builder
	for _, t := range c.Templates {
		templates.Write(t.Data)
	}
	var unknown []string
	var walk func(path []string, value any, defaults any, schema map[string]any)
	walk = func(path []string, value any, defaults any, schema map[string]any) {
		key := path[len(path)-1]
		if _, free := freeFormKeys[key]; free {
			return
		}
		if _, fragment := specFragmentKeys[key]; fragment {
			if m, isMap := defaults.(map[string]any); isMap && len(m) == 0 {
				return
			}
		}
		switch v := value.(type) {
		case map[string]any:
			defaultMap, _ := defaults.(map[string]any)
			for _, k := range sortedKeys(v) {
				child := append(append([]string{}, path...), k)
				childDefault, inDefaults := defaultMap[k]
				childSchema, inSchema := schemaProperty(schema, k)
				if !inDefaults && !inSchema && !readsValue(templates.String(), child) {
					unknown = append(unknown, strings.Join(child, "."))
					continue
				}
				walk(child, v[k], childDefault, childSchema)
			}
		case []any:
			// Items are checked against the first item of the default list, when it has one.
			defaultList, _ := defaults.([]any)
			var itemDefault any
			if len(defaultList) > 0 {
				itemDefault = defaultList[0]
			}
			itemSchema, _ := schema["items"].(map[string]any)
			for i, item := range v {
				if _, isMap := item.(map[string]any); isMap && itemDefault == nil && itemSchema == nil {
					unknown = append(unknown, fmt.Sprintf("%s[%d] (the chart documents no item keys)", strings.Join(path, "."), i))
					continue
				}
				walk(append(append([]string{}, path...), fmt.Sprintf("[%d]", i)), item, itemDefault, itemSchema)
			}
		}
	}
	for _, k := range sortedKeys(values) {
		d, inDefaults := c.Values[k]
		s, inSchema := schemaProperty(schema, k)
		if !inDefaults && !inSchema && !readsValue(templates.String(), []string{k}) {
			unknown = append(unknown, k)
			continue
		}
		walk([]string{k}, values[k], d, s)
	}
	return unknown
}

// readsValue says whether a template reads .Values.<path> (not merely a longer key that starts
// with the same letters).
func readsValue(templates string, path []string) bool {
	return regexp.MustCompile(`\.Values\.` + regexp.QuoteMeta(strings.Join(path, ".")) + `\b`).MatchString(templates)
}

// schemaProperty is the schema of property key of an object schema.
func schemaProperty(schema map[string]any, key string) (map[string]any, bool) {
	props, _ := schema["properties"].(map[string]any)
	s, ok := props[key].(map[string]any)
	return s, ok
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
