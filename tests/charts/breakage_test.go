package charts

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"k8s.io/pod-security-admission/api"
)

// The checks are shown to fail on purpose (issue 13): each case breaks the prod stack's own
// values or objects the way a typo or a chart bump would, and the check must catch it.

// deepCopy copies plan values through JSON so a case can change them.
func deepCopy[T any](t *testing.T, v T) T {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func prodRelease(t *testing.T, s *stackUnderTest, name string) Release {
	t.Helper()
	for _, rel := range s.plan.Releases() {
		if rel.Name == name {
			return deepCopy(t, rel)
		}
	}
	t.Fatalf("the prod plan has no release %s", name)
	return Release{}
}

// renderedPods renders a changed release and decodes its pods; admission failures come back too.
func renderedPods(t *testing.T, s *stackUnderTest, rel Release) ([]*PodTemplate, []error) {
	t.Helper()
	rendered, _, err := s.renderRelease(loadManifest(t), rel)
	if errors.Is(err, ErrFixtureMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	j := s.judge(rendered.Objects)
	return j.pods, j.fails
}

func TestMisspeltValuesKeyIsCaught(t *testing.T) {
	s := loadStack(t, "prod")
	for _, c := range []struct{ release, path, misspelt string }{
		{"metrics-server", "priorityClassName", "priorityClassname"},
		{"external-secrets", "webhook.podDisruptionBudget.enabled", "webhook.podDisruptionBudget.enabeld"},
		{"velero", "nodeSelector", "nodeselector"},
	} {
		t.Run(c.release+"/"+c.misspelt, func(t *testing.T) {
			rel := prodRelease(t, s, c.release)
			parts := strings.Split(c.path, ".")
			parent := rel.Values
			for _, p := range parts[:len(parts)-1] {
				parent = parent[p].(map[string]any)
			}
			last := parts[len(parts)-1]
			misspelt := c.misspelt[strings.LastIndex(c.misspelt, ".")+1:]
			parent[misspelt] = parent[last]
			delete(parent, last)
			c2, _, err := LoadChart(loadManifest(t), rel.Chart, rel.Version)
			if errors.Is(err, ErrFixtureMissing) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			unknown := UnknownKeys(c2, rel.Values)
			if !slices.Contains(unknown, c.misspelt) {
				t.Fatalf("UnknownKeys = %v, want it to report %s", unknown, c.misspelt)
			}
			t.Logf("caught: %s", c.misspelt)
		})
	}
}

func TestContainerWithoutLimitsIsCaught(t *testing.T) {
	s := loadStack(t, "prod")
	t.Run("chart metrics-server", func(t *testing.T) {
		rel := prodRelease(t, s, "metrics-server")
		delete(rel.Values["resources"].(map[string]any), "limits")
		pods, _ := renderedPods(t, s, rel)
		var errs []error
		for _, pod := range pods {
			errs = append(errs, Bounded(pod)...)
		}
		if len(errs) == 0 {
			t.Fatal("Bounded found nothing wrong with a metrics-server container without limits")
		}
		t.Logf("caught: %v", errors.Join(errs...))
	})
	t.Run("raw Fluent Bit DaemonSet", func(t *testing.T) {
		var objects []Object
		for _, o := range s.rawObjects() {
			if o.Kind() == "DaemonSet" {
				o.Body = deepCopy(t, o.Body)
				container := o.Body["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
				delete(container["resources"].(map[string]any), "limits")
				objects = append(objects, o)
			}
		}
		j := s.judge(objects)
		if len(j.pods) != 1 {
			t.Fatalf("want the Fluent Bit DaemonSet, got %d pod templates", len(j.pods))
		}
		errs := Bounded(j.pods[0])
		if len(errs) == 0 {
			t.Fatal("Bounded found nothing wrong with a Fluent Bit container without limits")
		}
		t.Logf("caught: %v", errors.Join(errs...))
	})
}

func TestPodRestrictedRejectsIsCaught(t *testing.T) {
	s := loadStack(t, "prod")
	t.Run("chart velero without its pod security context", func(t *testing.T) {
		rel := prodRelease(t, s, "velero")
		delete(rel.Values, "podSecurityContext")
		_, fails := renderedPods(t, s, rel)
		if len(fails) == 0 {
			t.Fatal("admission let a Velero pod without runAsNonRoot and seccomp into the restricted velero namespace")
		}
		t.Logf("caught: %v", errors.Join(fails...))
	})
	t.Run("raw Fluent Bit DaemonSet in a restricted namespace", func(t *testing.T) {
		var objects []Object
		for _, o := range s.rawObjects() {
			if o.Kind() == "DaemonSet" {
				objects = append(objects, o)
			}
		}
		j := s.judge(objects)
		if len(j.pods) != 1 {
			t.Fatalf("want the Fluent Bit DaemonSet, got %d pod templates", len(j.pods))
		}
		err := Admit(j.pods[0], api.LevelVersion{Level: api.LevelRestricted, Version: api.MajorMinorVersion(1, 33)})
		if err == nil {
			t.Fatal("restricted admitted a root pod with hostPath volumes")
		}
		t.Logf("caught: %v", err)
	})
}

func TestMisspeltCustomResourceFieldIsCaught(t *testing.T) {
	s := loadStack(t, "prod")
	var crds []Object
	for _, rendered := range s.renderAll(t, loadManifest(t)) {
		crds = append(crds, rendered.CRDs...)
	}
	schemas, err := CRDSchemas(crds)
	if err != nil {
		t.Fatal(err)
	}
	var stores []Object
	for _, o := range s.rawObjects() {
		if o.Kind() == "ClusterSecretStore" {
			o.Body = deepCopy(t, o.Body)
			aws := o.Body["spec"].(map[string]any)["provider"].(map[string]any)["aws"].(map[string]any)
			aws["regoin"] = aws["region"]
			delete(aws, "region")
			stores = append(stores, o)
		}
	}
	errs := declaredBy(stores, schemas)
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), "spec.provider.aws.regoin") {
		t.Fatalf("declaredBy = %v, want it to report spec.provider.aws.regoin", errs)
	}
	t.Logf("caught: %v", errs[0])
}
