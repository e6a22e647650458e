// Package cost prices an offline plan: the monthly baseline of a stack at zero traffic, item by
// item, from the resources the plan registers, plus the per-GB prices that traffic adds. Prices
// are data (prices.json), each with its source and the day it was read, like the version
// catalogue; a region without prices is reported as unpriced, never guessed.
package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/acme/eks-platform/catalogue"
)

//go:embed prices.json
var pricesJSON []byte

// Price is one dated price in USD.
type Price = catalogue.Fact[float64]

// RegionPrices are the list prices of one region.
type RegionPrices struct {
	EC2OnDemandUsdPerHour map[string]Price `json:"ec2OnDemandUsdPerHour"`
	NatGatewayUsdPerHour  Price            `json:"natGatewayUsdPerHour"`
	NatGatewayUsdPerGB    Price            `json:"natGatewayUsdPerGB"`
	// TransitGatewayAttachmentUsdPerHour and TransitGatewayUsdPerGB price the deployer path (issue 19).
	TransitGatewayAttachmentUsdPerHour Price `json:"transitGatewayAttachmentUsdPerHour"`
	TransitGatewayUsdPerGB             Price `json:"transitGatewayUsdPerGB"`
	PublicIPv4UsdPerHour               Price `json:"publicIPv4UsdPerHour"`
	InterfaceEndpointUsdPerAzHour      Price `json:"interfaceEndpointUsdPerAzHour"`
	InterfaceEndpointUsdPerGB          Price `json:"interfaceEndpointUsdPerGB"`
	CrossAzUsdPerGB                    Price `json:"crossAzUsdPerGB"`
	EbsGp3UsdPerGBMonth                Price `json:"ebsGp3UsdPerGBMonth"`
	KmsKeyUsdPerMonth                  Price `json:"kmsKeyUsdPerMonth"`
	DashboardUsdPerMonth               Price `json:"dashboardUsdPerMonth"`
	AlarmMetricUsdPerMonth             Price `json:"alarmMetricUsdPerMonth"`
	LogsIngestionUsdPerGB              Price `json:"logsIngestionUsdPerGB"`
	LogsStorageUsdPerGBMonth           Price `json:"logsStorageUsdPerGBMonth"`
	VendedLogsIngestionUsdPerGB        Price `json:"vendedLogsIngestionUsdPerGB"`
	S3StandardUsdPerGBMonth            Price `json:"s3StandardUsdPerGBMonth"`
}

// Prices is the whole data file.
type Prices struct {
	Currency string `json:"currency"`
	// SpotDiscount is the assumed saving of spot over on-demand (0.6 = 60% cheaper).
	SpotDiscount Price                   `json:"spotDiscount"`
	Regions      map[string]RegionPrices `json:"regions"`
}

var (
	loadOnce sync.Once
	loaded   *Prices
	loadErr  error
)

// DefaultPrices returns the prices compiled into the program; the data file is checked by this
// package's tests.
func DefaultPrices() *Prices {
	loadOnce.Do(func() { loaded, loadErr = ParsePrices(pricesJSON) })
	if loadErr != nil {
		panic(loadErr)
	}
	return loaded
}

// ParsePrices reads and checks a prices document: every price positive, sourced and dated.
func ParsePrices(data []byte) (*Prices, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Prices
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	var errs []error
	check := func(what string, price Price) {
		if price.Value <= 0 || price.Source == "" || price.ReadOn.IsZero() {
			errs = append(errs, fmt.Errorf("prices: %s needs a positive value, its source and the date it was read", what))
		}
	}
	if p.Currency != "USD" {
		errs = append(errs, fmt.Errorf("prices: currency %q, want USD", p.Currency))
	}
	check("spotDiscount", p.SpotDiscount)
	if p.SpotDiscount.Value >= 1 {
		errs = append(errs, fmt.Errorf("prices: spotDiscount %v must be below 1", p.SpotDiscount.Value))
	}
	for region, r := range p.Regions {
		for name, price := range r.fixed() {
			check(region+"."+name, price)
		}
		for instanceType, price := range r.EC2OnDemandUsdPerHour {
			check(region+".ec2OnDemandUsdPerHour."+instanceType, price)
		}
	}
	return &p, errors.Join(errs...)
}

// fixed lists the region's prices that are not per instance type, by their JSON names.
func (r RegionPrices) fixed() map[string]Price {
	return map[string]Price{
		"natGatewayUsdPerHour": r.NatGatewayUsdPerHour, "natGatewayUsdPerGB": r.NatGatewayUsdPerGB,
		"transitGatewayAttachmentUsdPerHour": r.TransitGatewayAttachmentUsdPerHour, "transitGatewayUsdPerGB": r.TransitGatewayUsdPerGB,
		"publicIPv4UsdPerHour": r.PublicIPv4UsdPerHour, "interfaceEndpointUsdPerAzHour": r.InterfaceEndpointUsdPerAzHour,
		"interfaceEndpointUsdPerGB": r.InterfaceEndpointUsdPerGB, "crossAzUsdPerGB": r.CrossAzUsdPerGB,
		"ebsGp3UsdPerGBMonth": r.EbsGp3UsdPerGBMonth, "kmsKeyUsdPerMonth": r.KmsKeyUsdPerMonth,
		"dashboardUsdPerMonth": r.DashboardUsdPerMonth, "alarmMetricUsdPerMonth": r.AlarmMetricUsdPerMonth,
		"logsIngestionUsdPerGB": r.LogsIngestionUsdPerGB, "logsStorageUsdPerGBMonth": r.LogsStorageUsdPerGBMonth,
		"vendedLogsIngestionUsdPerGB": r.VendedLogsIngestionUsdPerGB, "s3StandardUsdPerGBMonth": r.S3StandardUsdPerGBMonth,
	}
}

// asOf is the latest day any of the region's prices (and the control-plane prices) was read.
func (r RegionPrices) asOf(extra ...catalogue.Date) catalogue.Date {
	latest := catalogue.Date{}
	consider := func(d catalogue.Date) {
		if d.After(latest.Time) {
			latest = d
		}
	}
	for _, p := range r.fixed() {
		consider(p.ReadOn)
	}
	for _, p := range r.EC2OnDemandUsdPerHour {
		consider(p.ReadOn)
	}
	for _, d := range extra {
		consider(d)
	}
	return latest
}
