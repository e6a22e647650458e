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
	if got := c.Minors(); !slices.Equal(got, []string{"1.31", "1.32", "1.33", "1.34", "1.35", "1.36"}) {
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
	} {
		if got := c.Available(day(t, tc.day)); !slices.Equal(got, tc.want) {
			t.Errorf("on %s: %v, want %v", tc.day, got, tc.want)
		}
	}
	if next, ok := c.Next("1.35"); !ok || next != "1.36" {
		t.Errorf("Next(1.35) = %q, %v", next, ok)
	}
	if next, ok := c.Next("1.36"); ok {
		t.Errorf("Next(1.36) = %q: the catalogue has no later minor", next)
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
