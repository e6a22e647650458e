package cost

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/internal/offline"
)

// Item is one resource's fixed monthly price at zero traffic.
type Item struct {
	Resource   string  `json:"resource"`
	What       string  `json:"what"`
	MonthlyUsd float64 `json:"monthlyUsd"`
	// Category groups items for the README's summary table.
	Category Category `json:"category"`
}

// Category is a group of items in the summary.
type Category string

// The summary's columns.
const (
	ControlPlane Category = "control plane"
	NatGateways  Category = "NAT gateways"
	Transit      Category = "transit gateway"
	Endpoints    Category = "interface endpoints"
	Nodes        Category = "nodes and volumes"
	Monitoring   Category = "key, dashboard, alarms"
)

// Categories in the order the summary shows them.
var Categories = []Category{ControlPlane, NatGateways, Transit, Endpoints, Nodes, Monitoring}

// PerGB is a price that traffic or stored data adds.
type PerGB struct {
	What     string  `json:"what"`
	UsdPerGB float64 `json:"usdPerGB"`
}

// BreakEven is the monthly traffic above which an interface endpoint is cheaper than sending the
// same traffic through a NAT gateway.
type BreakEven struct {
	Resource  string  `json:"resource"`
	Service   string  `json:"service"`
	AZs       int     `json:"azs"`
	MonthlyGB float64 `json:"monthlyGB"`
}

// Report is the plan's "cost" object. MonthlyBaseline is null when the region (or a price the
// stack needs) has no price: the report says so in Note and does not guess.
type Report struct {
	Currency        string   `json:"currency"`
	Region          string   `json:"region"`
	PricesAsOf      string   `json:"pricesAsOf"`
	Priced          bool     `json:"priced"`
	Note            string   `json:"note,omitempty"`
	MonthlyBaseline *float64 `json:"monthlyBaseline"`
	// MonthlyAtMaxScale is the baseline with every node group at its maxSize (issue 20), so a
	// 100,000-node typo shows its price; null when the baseline is.
	MonthlyAtMaxScale *float64    `json:"monthlyAtMaxScale"`
	Items             []Item      `json:"items"`
	PerGB             []PerGB     `json:"perGB"`
	EndpointVsNat     []BreakEven `json:"endpointBreakEven"`
	Assumptions       []string    `json:"assumptions"`
}

// Options are the assumptions a caller may change.
type Options struct {
	// Today decides the control plane's support tier (standard or extended).
	Today catalogue.Date
	// SpotDiscount overrides the prices file's assumption when set (0.6 = spot 60% cheaper).
	SpotDiscount *float64
}

// Resource types that have a fixed monthly price.
const (
	typeEksCluster   = "eks:index:Cluster"
	typeNatGateway   = "aws:ec2/natGateway:NatGateway"
	typeEip          = "aws:ec2/eip:Eip"
	typeTgwAttach    = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
	typeVpcEndpoint  = "aws:ec2/vpcEndpoint:VpcEndpoint"
	typeNodeGroup    = "aws:eks/nodeGroup:NodeGroup"
	typeKmsKey       = "aws:kms/key:Key"
	typeDashboard    = "aws:cloudwatch/dashboard:Dashboard"
	typeMetricAlarm  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeAwsProvider  = "pulumi:providers:aws"
	typeLaunchTempl  = "aws:ec2/launchTemplate:LaunchTemplate"
	capacitySpot     = "SPOT"
	monthlyHours     = catalogue.HoursPerMonth
	endpointTypeName = "Interface"
)

// estimator collects the items of one plan and the prices it could not find.
type estimator struct {
	plan    *offline.Plan
	prices  RegionPrices
	spot    float64
	today   catalogue.Date
	items   []Item
	missing []string
	// maxScaleExtra is what the node groups add when every group runs at maxSize instead of desired.
	maxScaleExtra float64
	region        string
}

// Estimate prices the plan's resources with the prices compiled into the program.
func Estimate(plan *offline.Plan, opts Options) Report {
	return EstimateWith(DefaultPrices(), catalogue.Default(), plan, opts)
}

// EstimateWith prices the plan with the given prices and catalogue (tests pass their own).
func EstimateWith(prices *Prices, cat *catalogue.Catalogue, plan *offline.Plan, opts Options) Report {
	region := planRegion(plan)
	report := Report{Currency: prices.Currency, Region: region, Items: []Item{}, PerGB: []PerGB{},
		EndpointVsNat: []BreakEven{}, Assumptions: []string{}}
	regionPrices, ok := prices.Regions[region]
	if !ok {
		known := make([]string, 0, len(prices.Regions))
		for r := range prices.Regions {
			known = append(known, r)
		}
		sort.Strings(known)
		report.Note = fmt.Sprintf("no prices for region %s in cost/prices.json (it has %s): not estimated", region, strings.Join(known, ", "))
		return report
	}
	spot := prices.SpotDiscount.Value
	if opts.SpotDiscount != nil {
		spot = *opts.SpotDiscount
	}
	e := &estimator{plan: plan, prices: regionPrices, spot: spot, today: opts.Today, region: region}
	e.controlPlane(cat)
	e.natGateways()
	for _, r := range plan.ByType(typeTgwAttach) {
		e.add(Transit, r, "transit gateway VPC attachment (deployer path), hourly charge", regionPrices.TransitGatewayAttachmentUsdPerHour.Value*monthlyHours)
	}
	report.EndpointVsNat = e.interfaceEndpoints()
	e.nodeGroups()
	e.fixedMonthly(typeKmsKey, "KMS customer managed key (each of the first two yearly rotations adds $1 a month)", regionPrices.KmsKeyUsdPerMonth)
	e.fixedMonthly(typeDashboard, "CloudWatch dashboard", regionPrices.DashboardUsdPerMonth)
	e.alarms()

	report.PricesAsOf = regionPrices.asOf(cat.ControlPlaneUsdPerHour.Standard.ReadOn, cat.ControlPlaneUsdPerHour.Extended.ReadOn).String()
	report.Items = e.items
	report.PerGB = []PerGB{
		{"NAT gateway data processing", regionPrices.NatGatewayUsdPerGB.Value},
		{"interface endpoint data processing", regionPrices.InterfaceEndpointUsdPerGB.Value},
		{"transit gateway data processing (deployer traffic sent from the VPC)", regionPrices.TransitGatewayUsdPerGB.Value},
		{"data across AZs (each direction), e.g. to an endpoint in another AZ", regionPrices.CrossAzUsdPerGB.Value},
		{"CloudWatch Logs ingestion (control plane, Fluent Bit, Container Insights)", regionPrices.LogsIngestionUsdPerGB.Value},
		{"VPC flow logs ingestion (vended logs)", regionPrices.VendedLogsIngestionUsdPerGB.Value},
		{"CloudWatch Logs storage, per GB-month", regionPrices.LogsStorageUsdPerGBMonth.Value},
		{"S3 Standard (Velero backups), per GB-month", regionPrices.S3StandardUsdPerGBMonth.Value},
	}
	report.Assumptions = []string{
		fmt.Sprintf("%d hours a month, list prices, no traffic, account free tiers not applied", monthlyHours),
		"node groups at their configured desired size (the cluster autoscaler changes it)",
		"on-demand groups at their first instance type (EKS launches on-demand capacity in the order listed)",
		fmt.Sprintf("spot groups at their cheapest allowed instance type, %.0f%% below on-demand (%s)", spot*100, prices.SpotDiscount.Source),
	}
	if len(e.missing) > 0 {
		report.Note = "no price in cost/prices.json for " + strings.Join(e.missing, ", ") + ": the baseline is not estimated"
		return report
	}
	total := 0.0
	for _, item := range e.items {
		total += item.MonthlyUsd
	}
	total = cents(total)
	report.Priced = true
	report.MonthlyBaseline = &total
	atMax := cents(total + e.maxScaleExtra)
	report.MonthlyAtMaxScale = &atMax
	return report
}

func (e *estimator) add(category Category, r offline.Resource, what string, monthly float64) {
	e.items = append(e.items, Item{Resource: r.URN, What: what, MonthlyUsd: cents(monthly), Category: category})
}

// controlPlane prices the EKS control plane at the support tier of its minor on the day.
func (e *estimator) controlPlane(cat *catalogue.Catalogue) {
	for _, c := range e.plan.ByType(typeEksCluster) {
		version := c.String("version")
		minor, ok := cat.Kubernetes[version]
		if !ok {
			e.missing = append(e.missing, "Kubernetes "+version+" (not in the catalogue)")
			continue
		}
		tier := minor.SupportOn(e.today)
		hourly := cat.ControlPlaneUsdPerHour.Standard.Value
		if tier == catalogue.Extended {
			hourly = cat.ControlPlaneUsdPerHour.Extended.Value
		}
		e.add(ControlPlane, c, fmt.Sprintf("EKS control plane, Kubernetes %s in %s on %s ($%.2f/h)", version, tier, e.today, hourly),
			hourly*monthlyHours)
	}
}

func (e *estimator) natGateways() {
	for _, r := range e.plan.ByType(typeNatGateway) {
		e.add(NatGateways, r, "NAT gateway, hourly charge", e.prices.NatGatewayUsdPerHour.Value*monthlyHours)
	}
	for _, r := range e.plan.ByType(typeEip) {
		e.add(NatGateways, r, "public IPv4 address (NAT gateway)", e.prices.PublicIPv4UsdPerHour.Value*monthlyHours)
	}
}

// interfaceEndpoints prices each interface endpoint per AZ and returns the traffic at which each
// becomes cheaper than the NAT gateway: its hourly charge over the per-GB difference.
func (e *estimator) interfaceEndpoints() []BreakEven {
	out := []BreakEven{}
	saving := e.prices.NatGatewayUsdPerGB.Value - e.prices.InterfaceEndpointUsdPerGB.Value
	for _, r := range e.plan.ByType(typeVpcEndpoint) {
		if r.String("vpcEndpointType") != endpointTypeName {
			continue
		}
		service := strings.TrimPrefix(r.String("serviceName"), "com.amazonaws."+planRegion(e.plan)+".")
		azs := len(r.Strings("subnetIds"))
		monthly := e.prices.InterfaceEndpointUsdPerAzHour.Value * float64(azs) * monthlyHours
		e.add(Endpoints, r, fmt.Sprintf("interface endpoint %s in %d AZ%s", service, azs, plural(azs)), monthly)
		out = append(out, BreakEven{Resource: r.URN, Service: service, AZs: azs, MonthlyGB: math.Round(monthly / saving)})
	}
	return out
}

// nodeGroups prices each group's instances and their EBS volumes at the desired size.
func (e *estimator) nodeGroups() {
	for _, g := range e.plan.ByType(typeNodeGroup) {
		nodes := int(number(g.Input("scalingConfig.desiredSize")))
		types := g.Strings("instanceTypes")
		spot := g.String("capacityType") == capacitySpot
		priced, hourly, ok := e.instancePrice(types, spot)
		if !ok {
			continue
		}
		what := fmt.Sprintf("node group %s: %d × %s on-demand ($%.4f/h)", g.Name, nodes, priced, hourly)
		if spot {
			hourly *= 1 - e.spot
			what = fmt.Sprintf("node group %s: %d × spot, priced at the cheapest allowed type %s ($%.4f/h on-demand, %.0f%% off)",
				g.Name, nodes, priced, hourly/(1-e.spot), e.spot*100)
		}
		if nodes == 0 {
			what += fmt.Sprintf("; scaled to zero, $%.2f a month per running node", hourly*monthlyHours)
		}
		e.add(Nodes, g, what, float64(nodes)*hourly*monthlyHours)
		extraNodes := float64(max(int(number(g.Input("scalingConfig.maxSize"))), nodes) - nodes)
		e.maxScaleExtra += extraNodes * hourly * monthlyHours

		template, ok := e.launchTemplate(g)
		if !ok {
			continue
		}
		var sizes []string
		gib := 0.0
		for _, mapping := range blockDevices(template) {
			size := number(mapping["volumeSize"])
			gib += size
			sizes = append(sizes, fmt.Sprintf("%.0f", size))
		}
		e.add(Nodes, template, fmt.Sprintf("EBS gp3 for %s: %s GiB per node × %d node%s", g.Name, strings.Join(sizes, "+"), nodes, plural(nodes)),
			float64(nodes)*gib*e.prices.EbsGp3UsdPerGBMonth.Value)
		e.maxScaleExtra += extraNodes * gib * e.prices.EbsGp3UsdPerGBMonth.Value
	}
}

// instancePrice is the type a group is priced at and its on-demand hourly price: the first type
// for on-demand, the cheapest allowed type for spot.
func (e *estimator) instancePrice(types []string, spot bool) (string, float64, bool) {
	var chosen string
	best := math.Inf(1)
	for i, t := range types {
		price, ok := e.prices.EC2OnDemandUsdPerHour[t]
		if !ok {
			// Issue 20: the instance-type catalogue prices the types prices.json does not list.
			if it, known := catalogue.DefaultInstanceTypes().Lookup(t); known {
				price, ok = it.OnDemandUsdPerHour[e.region]
			}
		}
		if !ok {
			if !slices.Contains(e.missing, "instance type "+t) {
				e.missing = append(e.missing, "instance type "+t)
			}
			return "", 0, false
		}
		if (spot && price.Value < best) || (!spot && i == 0) {
			chosen, best = t, price.Value
		}
	}
	return chosen, best, chosen != ""
}

// launchTemplate finds the launch template a node group depends on.
func (e *estimator) launchTemplate(g offline.Resource) (offline.Resource, bool) {
	for _, dep := range g.Dependencies {
		if r, ok := e.plan.ByURN(dep); ok && r.Type == typeLaunchTempl {
			return r, true
		}
	}
	return offline.Resource{}, false
}

func (e *estimator) fixedMonthly(typeToken, what string, price Price) {
	for _, r := range e.plan.ByType(typeToken) {
		e.add(Monitoring, r, what, price.Value)
	}
}

// alarms price each alarm per metric it evaluates: a metric-math alarm pays for every metric in
// its expression, and a Metrics Insights query (SELECT …) for every time series it reads, which
// grows with the workload (one per pod for the restarts alarm) and is none at zero traffic.
func (e *estimator) alarms() {
	for _, r := range e.plan.ByType(typeMetricAlarm) {
		metrics, insights := 0, false
		if r.String("metricName") != "" {
			metrics = 1
		}
		queries, _ := r.Input("metricQueries").([]any)
		for _, q := range queries {
			query, _ := q.(map[string]any)
			switch expression, _ := query["expression"].(string); {
			case query["metric"] != nil:
				metrics++
			case strings.HasPrefix(strings.TrimSpace(expression), "SELECT"):
				insights = true
			}
		}
		what := fmt.Sprintf("CloudWatch alarm %s, %d metric%s", r.Name, metrics, plural(metrics))
		if insights {
			what = fmt.Sprintf("CloudWatch alarm %s, Metrics Insights query: $%.2f per time series it reads, none at zero traffic",
				r.Name, e.prices.AlarmMetricUsdPerMonth.Value)
		}
		e.add(Monitoring, r, what, float64(metrics)*e.prices.AlarmMetricUsdPerMonth.Value)
	}
}

// planRegion is the stack's region: that of the AWS provider most resources use. A stack also
// has providers for other regions (the backup copy's), which serve a few resources only.
func planRegion(plan *offline.Plan) string {
	users := map[string]int{}
	for _, r := range plan.Resources {
		users[r.Provider]++
	}
	region, most := offline.DefaultRegion, -1
	for _, p := range plan.ByType(typeAwsProvider) {
		// Ties go to the provider registered first (plan order), which is the stack's own.
		if r := p.String("region"); r != "" && users[p.URN] > most {
			region, most = r, users[p.URN]
		}
	}
	return region
}

func blockDevices(template offline.Resource) []map[string]any {
	var out []map[string]any
	mappings, _ := template.Input("blockDeviceMappings").([]any)
	for _, m := range mappings {
		if mapping, ok := m.(map[string]any); ok {
			if ebs, ok := mapping["ebs"].(map[string]any); ok {
				out = append(out, ebs)
			}
		}
	}
	return out
}

func number(v any) float64 {
	if f, ok := v.(float64); ok {
		return f
	}
	return 0
}

func cents(v float64) float64 { return math.Round(v*100) / 100 }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ByCategory sums the items of each category.
func (r Report) ByCategory() map[Category]float64 {
	sums := map[Category]float64{}
	for _, item := range r.Items {
		sums[item.Category] = cents(sums[item.Category] + item.MonthlyUsd)
	}
	return sums
}
