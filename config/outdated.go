package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/acme/eks-platform/catalogue"
)

// lifecycleNoticeDays is how long before a pin's end of life the stack is told, as for minors.
const lifecycleNoticeDays = upgradeNoticeDays

// PinReport is one version pin of a stack and what the catalogue knows of its lifecycle (issue 21).
type PinReport struct {
	Key   string // the config key that sets it, e.g. "veleroChartVersion"
	Value string // the pin as the stack uses it (image references in full)
	// Known is false for a pin the catalogue keeps no lifecycle facts for.
	Known bool
	catalogue.PinStatus
}

// Pins lists every version pin of the configuration, sorted by key, judged on day by the
// compiled catalogue.
func Pins(c *Config, day catalogue.Date) []PinReport { return pinsOf(catalogue.Default(), c, day) }

func pinsOf(cat *catalogue.Catalogue, c *Config, day catalogue.Date) []PinReport {
	var pins []PinReport
	add := func(key, value, component, version string) {
		p := PinReport{Key: key, Value: value}
		if component != "" {
			p.PinStatus, p.Known = cat.Status(component, version, day)
		}
		if !p.Known {
			p.PinStatus = catalogue.PinStatus{Component: component, Pinned: version}
		}
		pins = append(pins, p)
	}
	for _, a := range addonPins {
		v := *a.field(&c.Cluster.AddonVersions)
		add(a.key, v, a.addon, v)
	}
	for key, chart := range c.Platform.Charts {
		add(key+"ChartVersion", chart.Version, CatalogueChartNames[key], chart.Version)
	}
	add("clusterAutoscalerImageTag", c.Platform.ClusterAutoscalerImageTag, "", c.Platform.ClusterAutoscalerImageTag)
	add("veleroAwsPluginImage", c.Platform.VeleroAwsPluginImage, catalogue.ImageVeleroAwsPlugin, imageTag(c.Platform.VeleroAwsPluginImage))
	fluentBit := ""
	if strings.HasSuffix(imageRepository(c.Observability.FluentBitImage), "/"+catalogue.ImageFluentBit) {
		fluentBit = catalogue.ImageFluentBit
	}
	add("fluentBitImage", c.Observability.FluentBitImage, fluentBit, imageTag(c.Observability.FluentBitImage))
	sort.Slice(pins, func(i, j int) bool { return pins[i].Key < pins[j].Key })
	return pins
}

// imageRepository and imageTag split "registry/repo:tag" (a digest pin has no tag).
func imageRepository(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

func imageTag(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:]
	}
	return ""
}

// validatePinLifecycle refuses a pin past the end of life of its line where the catalogue has
// that date from the project itself (confirmed); pinLifecycleWarnings tells of the rest.
func validatePinLifecycle(v *validator, pins []PinReport) {
	for _, p := range pins {
		if p.PastEndOfLife() && confirmed(p.End.Fact) {
			v.fail(p.Key, p.Value, fmt.Sprintf("the %s %sx line reached its end of life on %s (%s, read %s); pin a supported release such as %s",
				p.Component, p.End.Line, p.End.Value, p.End.Source, p.End.ReadOn, p.Newest.Value))
		}
	}
}

// pinLifecycleWarnings are the notices for pins that may be used but should move (issue 21): a
// line past an end of life the catalogue has only second-hand, a line within
// lifecycleNoticeDays of its end of life, and a pin one or more minor releases behind the newest
// known, unless the catalogue holds it back on purpose. A patch behind is in the outdated report
// only.
func pinLifecycleWarnings(pins []PinReport) []string {
	var warnings []string
	for _, p := range pins {
		if !p.Known {
			continue
		}
		subject := fmt.Sprintf("%s = %q", Key(p.Key), p.Value)
		switch {
		case p.PastEndOfLife() && !confirmed(p.End.Fact):
			warnings = append(warnings, fmt.Sprintf("%s: the %s %sx line reached its end of life on %s, according to a secondary source only (unconfirmed, so not refused; go run ./cmd/plan --outdated); move to %s or newer.",
				subject, p.Component, p.End.Line, p.End.Value, p.Newest.Value))
		case p.End != nil && !p.PastEndOfLife() && p.DaysLeft <= lifecycleNoticeDays:
			warnings = append(warnings, fmt.Sprintf("%s: the %s %sx line reaches its end of life on %s, in %s; move to %s or newer.",
				subject, p.Component, p.End.Line, p.End.Value, countDays(p.DaysLeft), p.Newest.Value))
		case p.Held == "" && (p.Behind == catalogue.BehindMinor || p.Behind == catalogue.BehindMajor):
			warnings = append(warnings, fmt.Sprintf("%s: a %s release behind the newest known %s %s (read %s; go run ./cmd/plan --outdated).",
				subject, p.Behind, p.Component, p.Newest.Value, p.Newest.ReadOn))
		}
	}
	return warnings
}

func confirmed[T any](f catalogue.Fact[T]) bool { return f.Confirmed == nil || *f.Confirmed }
