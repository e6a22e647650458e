// Package catalogue holds the facts about Amazon EKS that change with time: the Kubernetes minors
// EKS supports and until when, the EKS add-on builds and the cluster-autoscaler release tested with
// each minor, the Helm chart releases, and the control-plane price per support tier (STACK_SPEC L1).
//
// The facts live in one data file, versions.json, each with the source it was read from and the
// date it was read. Nothing here knows what day it is: callers pass the date (L2), so the program
// compares the facts with the day it runs on and tests pin the day.
package catalogue

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed versions.json
var versionsJSON []byte

// HoursPerMonth is the month AWS pricing pages use (365 × 24 / 12).
const HoursPerMonth = 730

// EKS add-on names, as the EKS API spells them (CreateAddon, describe-addon-versions).
const (
	AddonVpcCni                  = "vpc-cni"
	AddonKubeProxy               = "kube-proxy"
	AddonCoreDNS                 = "coredns"
	AddonEbsCsiDriver            = "aws-ebs-csi-driver"
	AddonSnapshotController      = "snapshot-controller"
	AddonCloudWatchObservability = "amazon-cloudwatch-observability"
)

// Addons are the add-ons every minor must pin, in the order the README lists them.
var Addons = []string{AddonVpcCni, AddonKubeProxy, AddonCoreDNS, AddonEbsCsiDriver,
	AddonSnapshotController, AddonCloudWatchObservability}

// Fact is one dated fact: its value, where it was read and on which day.
type Fact[T any] struct {
	Value  T      `json:"value"`
	Source string `json:"source"`
	ReadOn Date   `json:"readOn"`
	// Confirmed is false for an add-on build that public sources name but that was not seen in
	// `aws eks describe-addon-versions` output; nil where the question does not arise.
	Confirmed *bool `json:"confirmed,omitempty"`
	// Derived marks a fact computed from a stated rule (the EKS support policy) rather than read
	// on a page; its source must say so.
	Derived bool   `json:"derived,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Date is a calendar day (UTC), written YYYY-MM-DD.
type Date struct{ time.Time }

// ParseDate reads a YYYY-MM-DD day.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// Day returns the calendar day of t in UTC.
func Day(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalJSON writes the day as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// DaysUntil is the number of whole days from d to later (negative when later is earlier).
func (d Date) DaysUntil(later Date) int { return int(later.Sub(d.Time).Hours() / 24) }

// Minor is what the catalogue knows about one Kubernetes minor version on EKS.
type Minor struct {
	Released             Fact[Date] `json:"released"`
	EndOfStandardSupport Fact[Date] `json:"endOfStandardSupport"`
	EndOfExtendedSupport Fact[Date] `json:"endOfExtendedSupport"`
	// Addons maps an EKS add-on name to the build pinned for this minor.
	Addons            map[string]Fact[string] `json:"addons"`
	ClusterAutoscaler ClusterAutoscaler       `json:"clusterAutoscaler"`
	// Blocked lists the pins this minor needs that do not exist yet (issue 21). A minor with a
	// blocker is in the catalogue, so the program can say why, but no stack may use it and it is
	// not offered as the next minor.
	Blocked []Blocker `json:"blocked,omitempty"`
}

// PinClusterAutoscaler names the cluster-autoscaler release (image and chart) in a Blocker; the
// other pins are named by their EKS add-on name.
const PinClusterAutoscaler = "cluster-autoscaler"

// Blocker is one dated fact that a pin a minor needs is missing: which pin, what is missing,
// where that was looked for and on which day.
type Blocker struct {
	Pin     string `json:"pin"`
	Missing string `json:"missing"`
	Source  string `json:"source"`
	ReadOn  Date   `json:"readOn"`
}

func (b Blocker) String() string {
	return fmt.Sprintf("%s: %s (%s, read %s)", b.Pin, b.Missing, b.Source, b.ReadOn)
}

// IsBlocked reports whether a pin the minor needs is missing.
func (m Minor) IsBlocked() bool { return len(m.Blocked) > 0 }

// ClusterAutoscaler is the autoscaler release for one minor: its image minor must match the
// cluster's (the autoscaler project releases one line per Kubernetes minor), and the chart version
// is the one whose appVersion is that image.
type ClusterAutoscaler struct {
	ImageTag Fact[string] `json:"imageTag"`
	Chart    Fact[string] `json:"chart"`
}

// Catalogue is the whole data file.
type Catalogue struct {
	ControlPlaneUsdPerHour struct {
		Standard Fact[float64] `json:"standard"`
		Extended Fact[float64] `json:"extended"`
	} `json:"controlPlaneUsdPerHour"`
	// Kubernetes maps a minor ("1.35") to its facts.
	Kubernetes map[string]Minor `json:"kubernetes"`
	// Charts maps a Helm chart name to the release pinned for every minor (charts whose releases
	// support a range of minors; the cluster-autoscaler chart is per minor, above).
	Charts map[string]Fact[string] `json:"charts"`
	// Images maps a container image the program pins outside a chart's defaults to its
	// reference (repository:tag), for images whose release must match another pin.
	Images map[string]Fact[string] `json:"images"`
	// Lifecycle maps a pinned component (a chart or image name above, an add-on, or
	// ImageFluentBit) to its newest known release and end of life (issue 21).
	Lifecycle map[string]Lifecycle `json:"lifecycle"`
}

// ImageVeleroAwsPlugin is the Velero AWS plugin; its minor line must match the Velero release
// of the velero chart (the plugin's README pairs v1.14.x with Velero 1.18.x).
const ImageVeleroAwsPlugin = "velero-plugin-for-aws"

// Support is where a minor stands in the EKS lifecycle on a given day.
type Support string

const (
	Unreleased Support = "not yet released"
	Standard   Support = "standard support"
	Extended   Support = "extended support"
	Ended      Support = "past end of extended support"
)

// SupportOn says where m stands on day. Support ends at the start of the end date.
func (m Minor) SupportOn(day Date) Support {
	switch {
	case day.Before(m.Released.Value.Time):
		return Unreleased
	case day.Before(m.EndOfStandardSupport.Value.Time):
		return Standard
	case day.Before(m.EndOfExtendedSupport.Value.Time):
		return Extended
	default:
		return Ended
	}
}

var (
	loadOnce sync.Once
	loaded   *Catalogue
	loadErr  error
)

// Default returns the catalogue compiled into the program. The data file is checked by this
// package's tests, so an error here means a broken build; it panics rather than let the program
// run without its facts.
func Default() *Catalogue {
	loadOnce.Do(func() { loaded, loadErr = Parse(versionsJSON) })
	if loadErr != nil {
		panic(loadErr)
	}
	return loaded
}

// Parse reads and checks a catalogue document.
func Parse(data []byte) (*Catalogue, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var c Catalogue
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	return &c, nil
}

// Minors returns the catalogue's minors, oldest first.
func (c *Catalogue) Minors() []string {
	minors := make([]string, 0, len(c.Kubernetes))
	for v := range c.Kubernetes {
		minors = append(minors, v)
	}
	slices.SortFunc(minors, compareMinors)
	return minors
}

// Next returns the minor after v, if the catalogue has one a stack can use: a blocked minor is
// not a step to take.
func (c *Catalogue) Next(v string) (string, bool) {
	next, ok := c.following(v)
	if !ok || c.Kubernetes[next].IsBlocked() {
		return "", false
	}
	return next, true
}

// BlockedNext returns the minor after v when the catalogue has it but it is blocked, with its
// blockers, so a notice can say why there is no step yet.
func (c *Catalogue) BlockedNext(v string) (string, []Blocker, bool) {
	next, ok := c.following(v)
	if !ok || !c.Kubernetes[next].IsBlocked() {
		return "", nil, false
	}
	return next, c.Kubernetes[next].Blocked, true
}

func (c *Catalogue) following(v string) (string, bool) {
	minors := c.Minors()
	i := slices.Index(minors, v)
	if i < 0 || i+1 == len(minors) {
		return "", false
	}
	return minors[i+1], true
}

// Available returns the minors a new cluster can use on day: released, not past the end of
// extended support and not blocked.
func (c *Catalogue) Available(day Date) []string {
	var out []string
	for _, v := range c.Minors() {
		if c.Kubernetes[v].IsBlocked() {
			continue
		}
		if s := c.Kubernetes[v].SupportOn(day); s == Standard || s == Extended {
			out = append(out, v)
		}
	}
	return out
}

// ControlPlaneMonthlyUsd is the price of one control plane for a month in the given tier.
func (c *Catalogue) ControlPlaneMonthlyUsd(s Support) float64 {
	if s == Extended {
		return c.ControlPlaneUsdPerHour.Extended.Value * HoursPerMonth
	}
	return c.ControlPlaneUsdPerHour.Standard.Value * HoursPerMonth
}

// ExtendedSurchargeMonthlyUsd is what extended support adds to one control plane each month.
func (c *Catalogue) ExtendedSurchargeMonthlyUsd() float64 {
	return c.ControlPlaneMonthlyUsd(Extended) - c.ControlPlaneMonthlyUsd(Standard)
}

// ParseMinor splits "1.35" into 1 and 35.
func ParseMinor(v string) (major, minor int, err error) {
	a, b, ok := strings.Cut(v, ".")
	major, errA := strconv.Atoi(a)
	minor, errB := strconv.Atoi(b)
	if !ok || errA != nil || errB != nil || strconv.Itoa(major) != a || strconv.Itoa(minor) != b {
		return 0, 0, fmt.Errorf("%q is not a Kubernetes minor version such as 1.35", v)
	}
	return major, minor, nil
}

func compareMinors(a, b string) int {
	amaj, amin, _ := ParseMinor(a)
	bmaj, bmin, _ := ParseMinor(b)
	if amaj != bmaj {
		return amaj - bmaj
	}
	return amin - bmin
}
