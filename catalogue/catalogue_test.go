package catalogue

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func day(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// L1: the data file compiled into the program obeys every rule of the catalogue.
func TestTheCompiledCatalogueIsValid(t *testing.T) {
	if _, err := Parse(versionsJSON); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if got := c.Minors(); !slices.Equal(got, []string{"1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"}) {
		t.Errorf("minors %v", got)
	}
}

// L2: support begins on the release day and each phase ends at the start of its end date.
func TestSupportPhasesChangeOnTheirDates(t *testing.T) {
	m := Default().Kubernetes["1.35"]
	for _, tc := range []struct {
		day  string
		want Support
	}{
		{"2026-01-26", Unreleased},
		{"2026-01-27", Standard},
		{"2027-03-26", Standard},
		{"2027-03-27", Extended},
		{"2028-03-26", Extended},
		{"2028-03-27", Ended},
	} {
		if got := m.SupportOn(day(t, tc.day)); got != tc.want {
			t.Errorf("1.35 on %s: %s, want %s", tc.day, got, tc.want)
		}
	}
}

func TestAvailableMinorsDependOnTheDay(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		day  string
		want []string
	}{
		// 1.31 left extended support on 2026-11-26; 1.36 was released on 2026-06-02.
		{"2026-12-01", []string{"1.32", "1.33", "1.34", "1.35", "1.36"}},
		{"2026-05-01", []string{"1.31", "1.32", "1.33", "1.34", "1.35"}},
		{"2027-03-23", []string{"1.33", "1.34", "1.35", "1.36"}},
		// Issue 21: 1.37 is released (2026-10-02) but blocked, so it is never offered.
		{"2026-12-06", []string{"1.32", "1.33", "1.34", "1.35", "1.36"}},
	} {
		if got := c.Available(day(t, tc.day)); !slices.Equal(got, tc.want) {
			t.Errorf("on %s: %v, want %v", tc.day, got, tc.want)
		}
	}
	if next, ok := c.Next("1.35"); !ok || next != "1.36" {
		t.Errorf("Next(1.35) = %q, %v", next, ok)
	}
	if next, ok := c.Next("1.36"); ok {
		t.Errorf("Next(1.36) = %q: 1.37 is blocked, so there is no next step", next)
	}
	if next, ok := c.Next("1.37"); ok {
		t.Errorf("Next(1.37) = %q: the catalogue has no later minor", next)
	}
	next, blockers, ok := c.BlockedNext("1.36")
	if !ok || next != "1.37" || len(blockers) == 0 || blockers[0].Pin != PinClusterAutoscaler {
		t.Errorf("BlockedNext(1.36) = %q, %v, %v; want 1.37 blocked by cluster-autoscaler first", next, blockers, ok)
	}
	if _, _, ok := c.BlockedNext("1.35"); ok {
		t.Error("BlockedNext(1.35): 1.36 is not blocked")
	}
}

// Issue 21: 1.37's support dates are derived from the EKS policy (no AWS page gives them) and say
// so; its cluster-autoscaler blocker is a dated fact.
func TestKubernetes137IsDerivedAndBlocked(t *testing.T) {
	m := Default().Kubernetes["1.37"]
	if m.Released.Value.String() != "2026-10-02" || !strings.Contains(m.Released.Source, "third-party digests") {
		t.Errorf("1.37 released %s, source %q", m.Released.Value, m.Released.Source)
	}
	for what, f := range map[string]Fact[Date]{"2027-12-02": m.EndOfStandardSupport, "2028-12-02": m.EndOfExtendedSupport} {
		if f.Value.String() != what || !f.Derived || !strings.Contains(f.Source, "derived from EKS policy, not read") {
			t.Errorf("1.37 date %s derived=%v source %q, want %s derived", f.Value, f.Derived, f.Source, what)
		}
	}
	if !m.IsBlocked() || m.Blocked[0].ReadOn.IsZero() || !strings.Contains(m.Blocked[0].String(), "no cluster-autoscaler 1.37 release") {
		t.Errorf("1.37 blockers %v", m.Blocked)
	}
	if got := m.SupportOn(day(t, "2026-12-06")); got != Standard {
		t.Errorf("1.37 on 2026-12-06: %s", got)
	}
}

// Extended support costs $0.60 an hour instead of $0.10: $365 a month more at 730 hours.
func TestExtendedSupportSurcharge(t *testing.T) {
	c := Default()
	if got := c.ExtendedSurchargeMonthlyUsd(); math.Abs(got-365) > 0.01 {
		t.Errorf("surcharge %.2f, want 365", got)
	}
	if got := c.ControlPlaneMonthlyUsd(Standard); math.Abs(got-73) > 0.01 {
		t.Errorf("standard control plane %.2f a month, want 73", got)
	}
}

// Each rule of check refuses a careless edit of versions.json.
func TestCatalogueRulesRefuseBrokenEntries(t *testing.T) {
	minor := func(doc map[string]any, v string) map[string]any {
		return doc["kubernetes"].(map[string]any)[v].(map[string]any)
	}
	addons := func(doc map[string]any, v string) map[string]any {
		return minor(doc, v)["addons"].(map[string]any)
	}
	for _, tc := range []struct {
		name   string
		break_ func(doc map[string]any)
		want   string
	}{
		{"a fact without its source", func(d map[string]any) {
			addons(d, "1.36")["coredns"].(map[string]any)["source"] = ""
		}, "1.36.addons.coredns: every fact needs its source"},
		{"a fact without its date", func(d map[string]any) {
			delete(minor(d, "1.35")["released"].(map[string]any), "readOn")
		}, "1.35.released: every fact needs its source and the date"},
		{"dates out of order", func(d map[string]any) {
			minor(d, "1.34")["endOfExtendedSupport"].(map[string]any)["value"] = "2026-01-01"
		}, "kubernetes 1.34: released"},
		{"kube-proxy of another minor", func(d map[string]any) {
			addons(d, "1.36")["kube-proxy"].(map[string]any)["value"] = "v1.35.3-eksbuild.13"
		}, "kube-proxy build \"v1.35.3-eksbuild.13\" is not a v1.36.* build"},
		{"a malformed build", func(d map[string]any) {
			addons(d, "1.35")["vpc-cni"].(map[string]any)["value"] = "1.22.4"
		}, "is not of the form vX.Y.Z-eksbuild.N"},
		{"a missing add-on", func(d map[string]any) { delete(addons(d, "1.33"), "snapshot-controller") }, "add-on snapshot-controller has no pinned build"},
		{"an unknown add-on", func(d map[string]any) {
			addons(d, "1.33")["kube-prxy"] = addons(d, "1.33")["kube-proxy"]
		}, "unknown add-on kube-prxy"},
		{"confirmation not stated", func(d map[string]any) {
			delete(addons(d, "1.32")["coredns"].(map[string]any), "confirmed")
		}, "must say whether describe-addon-versions confirmed it"},
		{"a gap between minors", func(d map[string]any) { delete(d["kubernetes"].(map[string]any), "1.34") }, "1.35 follows 1.33"},
		{"autoscaler of another minor", func(d map[string]any) {
			minor(d, "1.36")["clusterAutoscaler"].(map[string]any)["imageTag"].(map[string]any)["value"] = "v1.35.2"
		}, "cluster-autoscaler image tag \"v1.35.2\" must be a v1.36.* release"},
		{"a malformed chart version", func(d map[string]any) {
			d["charts"].(map[string]any)["velero"].(map[string]any)["value"] = "v11"
		}, "charts.velero: \"v11\" is not a chart version"},
		{"extended cheaper than standard", func(d map[string]any) {
			d["controlPlaneUsdPerHour"].(map[string]any)["extended"].(map[string]any)["value"] = 0.05
		}, "must be positive and below extended"},
		{"an image without a tag", func(d map[string]any) {
			d["images"].(map[string]any)["velero-plugin-for-aws"].(map[string]any)["value"] = "velero/velero-plugin-for-aws"
		}, "is not an image pinned by tag"},
		{"a derived date that does not say so", func(d map[string]any) {
			minor(d, "1.37")["endOfStandardSupport"].(map[string]any)["source"] = "AWS release calendar"
		}, "kubernetes 1.37: endOfStandardSupport is derived; its source must say so"},
		{"a derived date off the policy", func(d map[string]any) {
			minor(d, "1.37")["endOfExtendedSupport"].(map[string]any)["value"] = "2028-10-02"
		}, "endOfExtendedSupport 2028-10-02 is derived from the EKS policy but is not released + 26 months (2028-12-02)"},
		{"a blocked pin that is pinned", func(d map[string]any) {
			minor(d, "1.37")["addons"].(map[string]any)["coredns"] = addons(d, "1.36")["coredns"]
		}, "kubernetes 1.37: add-on coredns is pinned and blocked"},
		{"a blocked minor missing an unblocked pin", func(d map[string]any) {
			m := minor(d, "1.37")
			m["blocked"] = m["blocked"].([]any)[:1]
		}, "kubernetes 1.37: add-on vpc-cni has no pinned build"},
		{"a blocker of an unknown pin", func(d map[string]any) {
			minor(d, "1.37")["blocked"].([]any)[0].(map[string]any)["pin"] = "karpenter"
		}, `1.37.blocked[0]: unknown pin "karpenter"`},
		{"a blocker without what is missing", func(d map[string]any) {
			minor(d, "1.37")["blocked"].([]any)[1].(map[string]any)["missing"] = ""
		}, "1.37.blocked[1]: a blocker must say what is missing"},
		{"a pin blocked twice", func(d map[string]any) {
			b := minor(d, "1.37")["blocked"].([]any)
			b[2] = b[1]
		}, "is blocked twice"},
		{"an undated blocker", func(d map[string]any) {
			delete(minor(d, "1.37")["blocked"].([]any)[0].(map[string]any), "readOn")
		}, "1.37.blocked[0]: every fact needs its source and the date"},
		{"a blocked autoscaler that is pinned", func(d map[string]any) {
			minor(d, "1.37")["clusterAutoscaler"] = minor(d, "1.36")["clusterAutoscaler"]
		}, "kubernetes 1.37: cluster-autoscaler is pinned and blocked"},
		{"an unknown field", func(d map[string]any) { minor(d, "1.36")["endOfLife"] = "2028-08-02" }, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(versionsJSON, &doc); err != nil {
				t.Fatal(err)
			}
			tc.break_(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLinesOfBuildsAndTags(t *testing.T) {
	if got := AddonLine("v1.22.4-eksbuild.3"); got != "v1.22." {
		t.Errorf("AddonLine = %q", got)
	}
	if got := ImageTagLine("1.36"); got != "v1.36." {
		t.Errorf("ImageTagLine = %q", got)
	}
	for _, bad := range []string{"1", "1.x", "01.35", "1.35.0", ""} {
		if _, _, err := ParseMinor(bad); err == nil {
			t.Errorf("ParseMinor(%q) accepted", bad)
		}
	}
}
