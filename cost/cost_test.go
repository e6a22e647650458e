package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/internal/offline"
)

const urnPrefix = "urn:pulumi:dev::eks-platform::"

func res(typeToken, name string, inputs map[string]any, deps ...string) offline.Resource {
	return offline.Resource{URN: urnPrefix + typeToken + "::" + name, Type: typeToken, Name: name, Inputs: inputs, Dependencies: deps}
}

// testPlan holds one resource of every priced kind, in region.
func testPlan(region, version string) *offline.Plan {
	template := res(typeLaunchTempl, "app-nodes", map[string]any{"blockDeviceMappings": []any{
		map[string]any{"deviceName": "/dev/xvda", "ebs": map[string]any{"volumeSize": 4.0}},
		map[string]any{"deviceName": "/dev/xvdb", "ebs": map[string]any{"volumeSize": 50.0}},
	}})
	return &offline.Plan{Resources: []offline.Resource{
		res(typeAwsProvider, "aws", map[string]any{"region": region}),
		res(typeEksCluster, "eks", map[string]any{"version": version}),
		res(typeNatGateway, "nat-1", map[string]any{}),
		res(typeEip, "nat-eip-1", map[string]any{}),
		res(typeTgwAttach, "deployer-path", map[string]any{}),
		res(typeVpcEndpoint, "vpce-sts", map[string]any{"vpcEndpointType": "Interface",
			"serviceName": "com.amazonaws." + region + ".sts", "subnetIds": []any{"a", "b"}}),
		res(typeVpcEndpoint, "vpce-s3", map[string]any{"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws." + region + ".s3"}),
		template,
		res(typeNodeGroup, "system-nodes", map[string]any{"capacityType": "ON_DEMAND", "instanceTypes": []any{"m6i.large", "m6a.large"},
			"scalingConfig": map[string]any{"desiredSize": 2.0, "maxSize": 5.0}}, template.URN),
		res(typeNodeGroup, "app-nodes", map[string]any{"capacityType": "SPOT", "instanceTypes": []any{"m6i.large", "m6a.large", "m5.large"},
			"scalingConfig": map[string]any{"desiredSize": 1.0}}, template.URN),
		res(typeKmsKey, "key", map[string]any{}),
		res(typeDashboard, "dashboard", map[string]any{}),
		res(typeMetricAlarm, "cpu", map[string]any{"metricName": "node_cpu_utilization"}),
		res(typeMetricAlarm, "ready", map[string]any{"metricQueries": []any{
			map[string]any{"metric": map[string]any{}}, map[string]any{"metric": map[string]any{}}, map[string]any{"expression": "a - b"}}}),
		res(typeMetricAlarm, "restarts", map[string]any{"metricQueries": []any{map[string]any{"expression": "SELECT SUM(x) FROM y"}}}),
	}}
}

func day(t *testing.T, s string) catalogue.Date {
	t.Helper()
	d, err := catalogue.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func itemsByName(r Report) map[string]float64 {
	out := map[string]float64{}
	for _, item := range r.Items {
		out[item.Resource[strings.LastIndex(item.Resource, "::")+2:]] += item.MonthlyUsd
	}
	return out
}

// Issue 12: each priced kind at us-east-1 list prices, 730 hours a month.
func TestEachResourceIsPriced(t *testing.T) {
	r := Estimate(testPlan("us-east-1", "1.36"), Options{Today: day(t, "2026-12-01")})
	want := map[string]float64{
		"eks":           73.00,          // $0.10/h, standard support
		"nat-1":         32.85,          // $0.045/h
		"nat-eip-1":     3.65,           // $0.005/h
		"deployer-path": 36.50,          // $0.05/h per transit gateway attachment (issue 19)
		"vpce-sts":      14.60,          // $0.01/h in each of 2 AZs
		"system-nodes":  140.16,         // 2 × m6i.large, the first listed type, $0.096/h
		"app-nodes":     25.23 + 3*4.32, // 1 × m6a.large (cheapest) at 60% off; EBS of the 3 nodes on the shared template
		"key":           1.00,
		"dashboard":     3.00,
		"cpu":           0.10,
		"ready":         0.20, // two metrics in the expression
		"restarts":      0,    // Metrics Insights: per series read, none at zero traffic
	}
	got := itemsByName(r)
	for name, usd := range want {
		if math.Abs(got[name]-usd) > 0.005 {
			t.Errorf("%s: $%.2f a month, want $%.2f", name, got[name], usd)
		}
	}
	if _, priced := got["vpce-s3"]; priced {
		t.Error("the S3 gateway endpoint is free but was priced")
	}
	total := 0.0
	for _, item := range r.Items {
		total += item.MonthlyUsd
	}
	if !r.Priced || math.Abs(*r.MonthlyBaseline-total) > 0.005 || r.Region != "us-east-1" || r.PricesAsOf != "2026-12-06" {
		t.Errorf("baseline %v (items sum %.2f), priced %v, region %s, as of %s", r.MonthlyBaseline, total, r.Priced, r.Region, r.PricesAsOf)
	}
	if len(r.EndpointVsNat) != 1 || r.EndpointVsNat[0].Service != "sts" || r.EndpointVsNat[0].MonthlyGB != 417 {
		t.Errorf("break-even %+v, want sts at 417 GB ($14.60 / ($0.045 - $0.01))", r.EndpointVsNat)
	}
	if !strings.Contains(strings.Join(r.Assumptions, "\n"), "60% below on-demand") {
		t.Errorf("assumptions do not state the spot discount: %v", r.Assumptions)
	}
}

// The spot assumption is the caller's to change.
func TestSpotDiscountAssumption(t *testing.T) {
	half := 0.5
	r := Estimate(testPlan("us-east-1", "1.36"), Options{Today: day(t, "2026-12-01"), SpotDiscount: &half})
	if got := itemsByName(r)["app-nodes"] - 3*4.32; math.Abs(got-31.54) > 0.005 {
		t.Errorf("spot node at 50%% off: $%.2f, want $31.54", got)
	}
	for _, item := range r.Items {
		if strings.HasPrefix(item.What, "node group app-nodes") && !strings.Contains(item.What, "cheapest allowed type m6a.large") {
			t.Errorf("spot item does not name the cheapest allowed type: %s", item.What)
		}
	}
}

// In extended support the control plane costs $0.60 an hour: $438 a month.
func TestExtendedSupportSurcharge(t *testing.T) {
	r := Estimate(testPlan("us-east-1", "1.35"), Options{Today: day(t, "2027-04-15")})
	if got := itemsByName(r)["eks"]; math.Abs(got-438) > 0.005 {
		t.Errorf("control plane in extended support $%.2f, want $438", got)
	}
}

// A region without prices is reported as such, never guessed.
func TestUnknownRegionIsNotEstimated(t *testing.T) {
	r := Estimate(testPlan("eu-west-3", "1.36"), Options{Today: day(t, "2026-12-01")})
	if r.Priced || r.MonthlyBaseline != nil || len(r.Items) != 0 || !strings.Contains(r.Note, "no prices for region eu-west-3") {
		t.Errorf("unknown region: %+v", r)
	}
	data, _ := json.Marshal(r)
	if !strings.Contains(string(data), `"monthlyBaseline":null`) {
		t.Errorf("JSON %s", data)
	}
}

// An instance type without a price leaves the baseline unestimated and says which.
func TestUnpricedInstanceTypeIsNamed(t *testing.T) {
	plan := testPlan("us-east-1", "1.36")
	for i, r := range plan.Resources {
		if r.Name == "system-nodes" {
			plan.Resources[i].Inputs["instanceTypes"] = []any{"x9z.huge"}
		}
	}
	r := Estimate(plan, Options{Today: day(t, "2026-12-01")})
	if r.Priced || r.MonthlyBaseline != nil || !strings.Contains(r.Note, "instance type x9z.huge") {
		t.Errorf("priced %v, baseline %v, note %q", r.Priced, r.MonthlyBaseline, r.Note)
	}
}

func TestPricesFileRules(t *testing.T) {
	if _, err := ParsePrices(pricesJSON); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(pricesJSON, &doc); err != nil {
		t.Fatal(err)
	}
	doc["regions"].(map[string]any)["us-east-1"].(map[string]any)["natGatewayUsdPerHour"].(map[string]any)["source"] = ""
	data, _ := json.Marshal(doc)
	if _, err := ParsePrices(data); err == nil || !strings.Contains(err.Error(), "us-east-1.natGatewayUsdPerHour") {
		t.Errorf("a price without source: %v", err)
	}
}

// Issue 20: the maximum-scale line prices every group at its maxSize, so a typo in a max size shows.
func TestMaxScaleLine(t *testing.T) {
	r := Estimate(testPlan("us-east-1", "1.36"), Options{Today: day(t, "2026-12-01")})
	if r.MonthlyAtMaxScale == nil || r.MonthlyBaseline == nil {
		t.Fatalf("no max-scale line: %+v", r)
	}
	// system: 3 more m6i.large nodes (maxSize 5, desired 2) with their EBS; app has no maxSize here.
	var ebsPerNode float64
	for _, item := range r.Items {
		if strings.HasPrefix(item.What, "EBS gp3 for system-nodes") {
			ebsPerNode = item.MonthlyUsd / 2
		}
	}
	want := *r.MonthlyBaseline + 3*(0.096*730+ebsPerNode)
	if math.Abs(*r.MonthlyAtMaxScale-want) > 0.05 {
		t.Errorf("at max scale $%.2f, want $%.2f", *r.MonthlyAtMaxScale, want)
	}
	var b strings.Builder
	WriteTable(&b, r)
	if !strings.Contains(b.String(), "at maximum scale: every node group at its maxSize") {
		t.Errorf("the text has no max-scale line:\n%s", b.String())
	}
}

// Issue 20: a type prices.json does not list is priced from the instance-type catalogue, and the
// two data files agree wherever both price a type.
func TestInstanceTypeCatalogueSuppliesPrices(t *testing.T) {
	plan := testPlan("us-east-1", "1.36")
	for i, r := range plan.Resources {
		if r.Name == "system-nodes" {
			plan.Resources[i].Inputs["instanceTypes"] = []any{"c6i.xlarge"}
		}
	}
	r := Estimate(plan, Options{Today: day(t, "2026-12-01")})
	if !r.Priced || !strings.Contains(r.Items[0].What+fmt.Sprint(r.Items), "c6i.xlarge on-demand ($0.1700/h)") {
		t.Errorf("c6i.xlarge not priced from the catalogue: %q %+v", r.Note, r.Items)
	}
	types := catalogue.DefaultInstanceTypes()
	for name, p := range DefaultPrices().Regions["us-east-1"].EC2OnDemandUsdPerHour {
		if it, ok := types.Lookup(name); ok && it.OnDemandUsdPerHour["us-east-1"].Value != p.Value {
			t.Errorf("%s: prices.json $%v, catalogue/instancetypes.json $%v", name, p.Value, it.OnDemandUsdPerHour["us-east-1"].Value)
		}
	}
}
