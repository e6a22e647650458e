package charts

import (
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	"sigs.k8s.io/yaml"
)

// Object is one Kubernetes object as YAML-decoded JSON, with where it came from.
type Object struct {
	Source string // "<release>: <template>" or "<stack> plan"
	Body   map[string]any
}

// Kind is the object's kind.
func (o Object) Kind() string { return str(o.Body, "kind") }

// APIVersion is the object's group/version.
func (o Object) APIVersion() string { return str(o.Body, "apiVersion") }

// Name is metadata.name.
func (o Object) Name() string {
	meta, _ := o.Body["metadata"].(map[string]any)
	return str(meta, "name")
}

// Namespace is metadata.namespace.
func (o Object) Namespace() string {
	meta, _ := o.Body["metadata"].(map[string]any)
	return str(meta, "namespace")
}

// Labels are metadata.labels.
func (o Object) Labels() map[string]string {
	meta, _ := o.Body["metadata"].(map[string]any)
	raw, _ := meta["labels"].(map[string]any)
	labels := make(map[string]string, len(raw))
	for k, v := range raw {
		labels[k], _ = v.(string)
	}
	return labels
}

func (o Object) String() string {
	return fmt.Sprintf("%s %s/%s (%s)", o.Kind(), o.Namespace(), o.Name(), o.Source)
}

// Rendered is what Helm installs for one release.
type Rendered struct {
	Objects []Object // the templates' objects, namespaced ones in the release namespace
	CRDs    []Object // the chart's crds/ directory, which Helm installs first and never templates
}

// Capabilities are those of a cluster of the given minor version ("1.33") with Helm's default
// API versions, which include every built-in group and no CRD-provided one (so no
// ServiceMonitor is rendered).
func Capabilities(minor string) (*chartutil.Capabilities, error) {
	kube, err := chartutil.ParseKubeVersion("v" + minor + ".0")
	if err != nil {
		return nil, err
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kube
	return caps, nil
}

// Render renders a release as `helm install` would: the chart's kubeVersion constraint, its
// values.schema.json (ToRenderValues validates against it), dependencies that are absent from the
// fixture must be disabled, then every template; test hooks and NOTES.txt are not installed and
// are left out.
func Render(c *chart.Chart, rel Release, caps *chartutil.Capabilities) (*Rendered, error) {
	if c.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(c.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart %s %s requires Kubernetes %s, the cluster is %s", c.Name(), c.Metadata.Version, c.Metadata.KubeVersion, caps.KubeVersion.String())
	}
	values, err := chartutil.ToRenderValues(c, rel.Values,
		chartutil.ReleaseOptions{Name: rel.Name, Namespace: rel.Namespace, Revision: 1, IsInstall: true}, caps)
	if err != nil {
		return nil, err
	}
	if err := checkDependencies(c, values); err != nil {
		return nil, err
	}
	files, err := engine.Render(c, values)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	out := &Rendered{}
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		objects, err := splitYAML(rel.Name+": "+name, files[name])
		if err != nil {
			return nil, err
		}
		for _, o := range objects {
			switch {
			case isTestHook(o):
			case o.Kind() == "CustomResourceDefinition":
				// Templated CRDs (installCRDs) are installed like the crds/ directory's.
				out.CRDs = append(out.CRDs, o)
			default:
				out.Objects = append(out.Objects, o)
			}
		}
	}
	for _, crd := range c.CRDObjects() {
		objects, err := splitYAML(rel.Name+": "+crd.Filename, string(crd.File.Data))
		if err != nil {
			return nil, err
		}
		out.CRDs = append(out.CRDs, objects...)
	}
	return out, nil
}

// checkDependencies fails for a dependency that the values enable but the fixture lacks.
func checkDependencies(c *chart.Chart, values chartutil.Values) error {
	loaded := map[string]bool{}
	for _, sub := range c.Dependencies() {
		loaded[sub.Name()] = true
	}
	for _, dep := range c.Metadata.Dependencies {
		if loaded[dep.Name] {
			continue
		}
		enabled := dep.Condition == "" // a dependency without a condition is always installed
		for _, condition := range strings.Split(dep.Condition, ",") {
			if v, err := values.PathValue("Values." + strings.TrimSpace(condition)); err == nil {
				enabled, _ = v.(bool)
				break
			}
		}
		if enabled {
			return fmt.Errorf("chart %s: dependency %s is enabled (%s) but not in the fixture", c.Name(), dep.Name, dep.Condition)
		}
	}
	return nil
}

func isTestHook(o Object) bool {
	meta, _ := o.Body["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	hook, _ := annotations["helm.sh/hook"].(string)
	for _, h := range strings.Split(hook, ",") {
		if strings.HasPrefix(strings.TrimSpace(h), "test") {
			return true
		}
	}
	return false
}

// splitYAML parses a multi-document YAML file into objects, skipping empty documents.
func splitYAML(source, content string) ([]Object, error) {
	docs := releaseutil.SplitManifests(content)
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	var out []Object
	for _, k := range keys {
		var body map[string]any
		if err := yaml.Unmarshal([]byte(docs[k]), &body); err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		if len(body) == 0 {
			continue
		}
		// Helm creates the items of a List one by one, as kubectl does.
		if items, isList := body["items"].([]any); isList && body["kind"] == "List" {
			for _, item := range items {
				if m, ok := item.(map[string]any); ok {
					out = append(out, Object{Source: source, Body: m})
				}
			}
			continue
		}
		out = append(out, Object{Source: source, Body: body})
	}
	return out, nil
}

// InNamespace sets the release namespace on namespaced objects that have none, as Helm does when
// it creates them.
func (r *Rendered) InNamespace(namespace string, clusterScoped func(kind string) bool) {
	for _, o := range r.Objects {
		if o.Namespace() != "" || clusterScoped(o.Kind()) {
			continue
		}
		meta, _ := o.Body["metadata"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			o.Body["metadata"] = meta
		}
		meta["namespace"] = namespace
	}
}
