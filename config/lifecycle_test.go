package config

import (
	"strings"
	"testing"
	"time"

	"github.com/acme/eks-platform/catalogue"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// parseStackOn parses a committed stack with some values changed, on the given day.
func parseStackOn(t *testing.T, stack, day string, set map[string]string) (*Config, error) {
	t.Helper()
	values := stackValues(t, stack)
	for k, v := range set {
		values[k] = v
	}
	return parseOn(stack, values, date(t, day))
}

// L2 / issue 10: on the day the catalogue was read, every committed stack runs a minor in standard
// support with at least 90 days of it left, with no warnings.
func TestCommittedStacksAreInStandardSupportWithRunway(t *testing.T) {
	for _, stack := range committedStacks(t) {
		// Issue 21: they stay on 1.36; 1.37 is blocked (README "Version lifecycle").
		if v := stackValues(t, stack)["eks-platform:kubernetesVersion"]; v != "1.36" {
			t.Errorf("%s: kubernetesVersion %s, want 1.36 while 1.37 is blocked", stack, v)
		}
		c, err := parse(stack, stackValues(t, stack))
		if err != nil {
			t.Fatal(err)
		}
		minor := catalogueMinor(t, c.Cluster.KubernetesVersion)
		if left := minor.EndOfStandardSupport.Value.Sub(testDay).Hours() / 24; left < 90 {
			t.Errorf("%s: Kubernetes %s leaves standard support in %.0f days", stack, c.Cluster.KubernetesVersion, left)
		}
		if len(minorWarnings(c)) != 0 {
			t.Errorf("%s: warnings %v", stack, minorWarnings(c))
		}
	}
}

// L1: a stack that sets no pins gets the catalogue's, all of its own minor.
func TestPinsComeFromTheCatalogueForTheStacksMinor(t *testing.T) {
	c, err := parseStackOn(t, "dev", "2026-12-01", map[string]string{"eks-platform:kubernetesVersion": "1.35"})
	if err != nil {
		t.Fatal(err)
	}
	m := catalogueMinor(t, "1.35")
	for _, p := range addonPins {
		if got, want := *p.field(&c.Cluster.AddonVersions), m.Addons[p.addon].Value; got != want {
			t.Errorf("%s = %q, want the catalogue's %q", p.key, got, want)
		}
	}
	if c.Cluster.AddonVersions.KubeProxy[:6] != "v1.35." {
		t.Errorf("kube-proxy %s is not a 1.35 build", c.Cluster.AddonVersions.KubeProxy)
	}
	if c.Platform.ClusterAutoscalerImageTag != m.ClusterAutoscaler.ImageTag.Value ||
		c.Platform.Charts[ChartClusterAutoscaler].Version != m.ClusterAutoscaler.Chart.Value {
		t.Errorf("autoscaler %s chart %s, want the catalogue's %s / %s", c.Platform.ClusterAutoscalerImageTag,
			c.Platform.Charts[ChartClusterAutoscaler].Version, m.ClusterAutoscaler.ImageTag.Value, m.ClusterAutoscaler.Chart.Value)
	}
	for key, name := range CatalogueChartNames {
		if got, want := c.Platform.Charts[key].Version, catalogueChart(t, name); got != want {
			t.Errorf("chart %s = %s, want the catalogue's %s", key, got, want)
		}
	}
}

// L1: a stack may override one pin with a newer build of the same line; the rest stay.
func TestAnOverrideReplacesOnlyItsPin(t *testing.T) {
	c, err := parseStackOn(t, "dev", "2026-12-01", map[string]string{"eks-platform:kubeProxyVersion": "v1.36.0-eksbuild.25"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Cluster.AddonVersions.KubeProxy != "v1.36.0-eksbuild.25" {
		t.Errorf("kube-proxy %s, want the override", c.Cluster.AddonVersions.KubeProxy)
	}
	if c.Cluster.AddonVersions.CoreDNS != catalogueMinor(t, "1.36").Addons["coredns"].Value {
		t.Errorf("coredns %s changed with the kube-proxy override", c.Cluster.AddonVersions.CoreDNS)
	}
}

// L2: the guard's branches, judged on the day given, never the real date.
func TestLifecycleGuard(t *testing.T) {
	for _, tc := range []struct {
		name, version, day, supportType string
		refused                         bool
		want                            []string // in the error when refused, else in the one warning
		noWarning                       bool
	}{
		{name: "past end of extended support", version: "1.31", day: "2026-12-01", refused: true,
			want: []string{"eks-platform:kubernetesVersion", `"1.31"`, "ended on 2026-11-26"}},
		{name: "refused on the day extended support ends", version: "1.32", day: "2027-03-23", refused: true,
			want: []string{`"1.32"`, "ended on 2027-03-23"}},
		{name: "not yet released", version: "1.36", day: "2026-05-01", refused: true,
			want: []string{`"1.36"`, "EKS releases 1.36 on 2026-06-02"}},
		{name: "extended support, standard policy", version: "1.35", day: "2027-04-15", supportType: "STANDARD",
			want: []string{`"1.35"`, "extended support since 2027-03-27", "$365 a month more", "$0.60 instead of $0.10",
				"EKS upgrades the control plane to 1.36 itself", "Upgrade to 1.36"}},
		{name: "extended support, extended policy", version: "1.35", day: "2027-04-15", supportType: "EXTENDED",
			want: []string{"extended support since 2027-03-27", "$365 a month more", "keeps it there until 2028-03-27"}},
		{name: "60 days before the end of standard support", version: "1.35", day: "2027-01-26",
			want: []string{`"1.35"`, "standard support ends on 2027-03-27, in 60 days", "upgrade to 1.36"}},
		{name: "61 days before the end of standard support", version: "1.35", day: "2027-01-25", noWarning: true},
		{name: "the last standard day", version: "1.36", day: "2027-08-01",
			want: []string{"ends on 2027-08-02, in 1 day;", "upgrade to 1.37 once the pins it lacks exist (cluster-autoscaler, vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver, snapshot-controller, amazon-cloudwatch-observability: blocked in catalogue/versions.json)"}},
		// Issue 21: 1.37 is released and in standard support, but cluster-autoscaler has no 1.37
		// release, so a stack may not use it; the error names the key, the value and the pin.
		{name: "a released minor with a missing pin", version: "1.37", day: "2026-12-06", refused: true,
			want: []string{"eks-platform:kubernetesVersion", `"1.37"`, "a pin it needs does not exist yet",
				"cluster-autoscaler (no cluster-autoscaler 1.37 release", "read 2026-12-05", "blocked",
				"supports on 2026-12-06: 1.32, 1.33, 1.34, 1.35, 1.36 "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := map[string]string{"eks-platform:kubernetesVersion": tc.version}
			if tc.supportType != "" {
				set["eks-platform:upgradeSupportType"] = tc.supportType
			}
			c, err := parseStackOn(t, "staging", tc.day, set)
			if tc.refused {
				if err == nil {
					t.Fatalf("accepted; warnings %v", minorWarnings(c))
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error does not contain %q: %v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.noWarning {
				if len(minorWarnings(c)) != 0 {
					t.Errorf("warnings %v", minorWarnings(c))
				}
				return
			}
			if len(minorWarnings(c)) != 1 {
				t.Fatalf("warnings %v, want one", minorWarnings(c))
			}
			for _, w := range tc.want {
				if !strings.Contains(minorWarnings(c)[0], w) {
					t.Errorf("warning does not contain %q: %s", w, minorWarnings(c)[0])
				}
			}
		})
	}
}

func catalogueMinor(t *testing.T, v string) catalogue.Minor {
	t.Helper()
	m, ok := catalogue.Default().Kubernetes[v]
	if !ok {
		t.Fatalf("catalogue has no %s", v)
	}
	return m
}

func catalogueChart(t *testing.T, name string) string {
	t.Helper()
	f, ok := catalogue.Default().Charts[name]
	if !ok {
		t.Fatalf("catalogue has no chart %s", name)
	}
	return f.Value
}

// minorWarnings are the Kubernetes lifecycle notices among a configuration's warnings (the pin
// notices of issue 21 have their own tests).
func minorWarnings(c *Config) []string {
	var out []string
	for _, w := range c.Warnings {
		if strings.HasPrefix(w, Key("kubernetesVersion")+" ") {
			out = append(out, w)
		}
	}
	return out
}
