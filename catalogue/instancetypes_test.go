package catalogue

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// instanceTypesDay is the day these tests judge the instance-type facts on: the day they were read.
const instanceTypesDay = "2026-12-06"

func TestInstanceTypesParse(t *testing.T) {
	c := DefaultInstanceTypes()
	// The families issue 20 asks for, on both architectures and with GPUs of both vendors.
	for _, name := range []string{"m5.large", "m6i.large", "m6a.large", "m7i.large", "m6g.large", "m7g.large",
		"c6i.large", "c7g.large", "r6i.large", "r7g.large", "t3.large", "t4g.large",
		"g4dn.xlarge", "g5.xlarge", "g5g.xlarge", "g4ad.xlarge"} {
		if _, ok := c.Lookup(name); !ok {
			t.Errorf("%s is not catalogued", name)
		}
	}
	m6i, _ := c.Lookup("m6i.large")
	if m6i.VCPUs.Value != 2 || m6i.MemoryMiB.Value != 8192 || m6i.MaxPods.Value != 29 || m6i.Architecture.Value != ArchX8664 {
		t.Errorf("m6i.large = %+v", m6i)
	}
	if g, _ := c.Lookup("g5g.xlarge"); g.Architecture.Value != ArchArm64 || !g.HasNvidiaGPU() {
		t.Errorf("g5g.xlarge should be arm64 with an NVIDIA GPU: %+v", g)
	}
	if g, _ := c.Lookup("g4ad.xlarge"); g.HasNvidiaGPU() || g.GPU == nil || g.GPU.Value.Vendor != "amd" {
		t.Errorf("g4ad.xlarge should have an AMD GPU: %+v", g)
	}
	for _, region := range []string{"us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"} {
		if !slices.Contains(c.RegionsWithoutReadPrice.Value, region) {
			t.Errorf("%s has no read price and must be listed in regionsWithoutReadPrice", region)
		}
	}
}

// TestInstanceTypesFresh is the catalogue's freshness rule: on the pinned day no fact is older than
// the rule the data file states. When this fails, read the sources again and update readOn.
func TestInstanceTypesFresh(t *testing.T) {
	if stale := DefaultInstanceTypes().Stale(day(t, instanceTypesDay)); len(stale) > 0 {
		t.Errorf("facts older than the stated rule on %s:\n%s", instanceTypesDay, strings.Join(stale, "\n"))
	}
	// The rule bites: a day past maxAgeDays finds every fact stale.
	c := DefaultInstanceTypes()
	late := Date{day(t, instanceTypesDay).AddDate(0, 0, c.Freshness.MaxAgeDays+1)}
	if stale := c.Stale(late); len(stale) == 0 {
		t.Errorf("no fact is stale on %s, %d days after they were read", late, c.Freshness.MaxAgeDays+1)
	}
}

func TestInstanceTypesRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(d map[string]any)
		want   string
	}{
		{"a fact without a source", func(d map[string]any) {
			fact(d, "m6i.large", "vcpus")["source"] = ""
		}, "m6i.large.vcpus needs its source"},
		{"an unknown architecture", func(d map[string]any) {
			fact(d, "m6i.large", "architecture")["value"] = "i386"
		}, `m6i.large.architecture "i386"`},
		{"a previous-generation family", func(d map[string]any) {
			fact(d, "m6i.large", "family")["value"] = "m4"
		}, `family "m4" is not listed`},
		{"a price in a region without a read price", func(d map[string]any) {
			types := d["instanceTypes"].(map[string]any)
			p := types["m6i.large"].(map[string]any)["onDemandUsdPerHour"].(map[string]any)
			p["eu-west-1"] = p["us-east-1"]
		}, "m6i.large has a price in eu-west-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(instanceTypesJSON, &d); err != nil {
				t.Fatal(err)
			}
			tc.change(d)
			b, _ := json.Marshal(d)
			_, err := ParseInstanceTypes(b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func fact(d map[string]any, name, key string) map[string]any {
	return d["instanceTypes"].(map[string]any)[name].(map[string]any)[key].(map[string]any)
}
