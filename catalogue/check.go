package catalogue

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	// AddonVersionPattern is the shape of every EKS add-on build: vX.Y.Z-eksbuild.N.
	AddonVersionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$`)
	// ChartVersionPattern is a Helm chart release (semantic version, no pre-release).
	ChartVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	imageTagPattern     = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)
)

// AddonLine returns the release line of an add-on build, "v1.21." for "v1.21.1-eksbuild.3". An
// override of a catalogue pin must stay on the catalogue's line for the cluster's minor: a newer
// build or patch of the same line is a routine update, another line needs a catalogue change.
func AddonLine(build string) string {
	major, rest, _ := strings.Cut(build, ".")
	minor, _, _ := strings.Cut(rest, ".")
	return major + "." + minor + "."
}

// The EKS support policy: a minor is in standard support for 14 months from its release, then in
// extended support for 12 more (EKS user guide, kubernetes-versions). Dates derived from it are
// marked "derived" in the catalogue.
const (
	StandardSupportMonths = 14
	ExtendedSupportMonths = 12
)

// ImageTagLine returns "v1.35." for a cluster-autoscaler tag of Kubernetes minor 1.35.
func ImageTagLine(minor string) string { return "v" + minor + "." }

// check enforces the rules every entry must follow, so a careless edit of versions.json fails the
// build's tests instead of reaching a stack.
func (c *Catalogue) check() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	dated := func(what, source string, readOn Date) {
		if source == "" || readOn.IsZero() {
			fail("%s: every fact needs its source and the date it was read", what)
		}
	}

	std, ext := c.ControlPlaneUsdPerHour.Standard, c.ControlPlaneUsdPerHour.Extended
	dated("controlPlaneUsdPerHour.standard", std.Source, std.ReadOn)
	dated("controlPlaneUsdPerHour.extended", ext.Source, ext.ReadOn)
	if std.Value <= 0 || ext.Value <= std.Value {
		fail("controlPlaneUsdPerHour: standard (%v) must be positive and below extended (%v)", std.Value, ext.Value)
	}

	minors := c.Minors()
	if len(minors) == 0 {
		fail("kubernetes: no minor versions")
	}
	for i, v := range minors {
		major, minor, err := ParseMinor(v)
		if err != nil {
			fail("kubernetes: %v", err)
			continue
		}
		// Next() and the upgrade path (one minor at a time) need the minors without gaps.
		if i > 0 {
			prevMajor, prevMinor, _ := ParseMinor(minors[i-1])
			if prevMajor != major || prevMinor+1 != minor {
				fail("kubernetes: %s follows %s; the catalogue must list consecutive minors", v, minors[i-1])
			}
		}
		m := c.Kubernetes[v]
		for what, f := range map[string]Fact[Date]{"released": m.Released,
			"endOfStandardSupport": m.EndOfStandardSupport, "endOfExtendedSupport": m.EndOfExtendedSupport} {
			dated(v+"."+what, f.Source, f.ReadOn)
			if f.Derived && !strings.Contains(f.Source, "derived") {
				fail("kubernetes %s: %s is derived; its source must say so (\"derived from ...\")", v, what)
			}
		}
		// A date derived from the EKS policy (14 months of standard support, 12 of extended) must
		// be the one the policy gives.
		for what, f := range map[string]struct {
			fact   Fact[Date]
			months int
		}{"endOfStandardSupport": {m.EndOfStandardSupport, StandardSupportMonths},
			"endOfExtendedSupport": {m.EndOfExtendedSupport, StandardSupportMonths + ExtendedSupportMonths}} {
			if want := m.Released.Value.AddDate(0, f.months, 0); f.fact.Derived && !f.fact.Value.Equal(want) {
				fail("kubernetes %s: %s %s is derived from the EKS policy but is not released + %d months (%s)",
					v, what, f.fact.Value, f.months, want.Format("2006-01-02"))
			}
		}
		if !m.Released.Value.Before(m.EndOfStandardSupport.Value.Time) ||
			!m.EndOfStandardSupport.Value.Before(m.EndOfExtendedSupport.Value.Time) {
			fail("kubernetes %s: released (%s) < end of standard (%s) < end of extended support (%s) does not hold",
				v, m.Released.Value, m.EndOfStandardSupport.Value, m.EndOfExtendedSupport.Value)
		}
		// A minor past its end of extended support keeps only its dates, so the program can say
		// when it ended; it needs no pins, because no stack may use it.
		if len(m.Addons) == 0 && m.ClusterAutoscaler == (ClusterAutoscaler{}) && !m.IsBlocked() {
			continue
		}
		// A blocked minor names each pin it lacks; every other pin must be there.
		blocked := map[string]bool{}
		for i, b := range m.Blocked {
			what := fmt.Sprintf("%s.blocked[%d]", v, i)
			dated(what, b.Source, b.ReadOn)
			switch {
			case !slices.Contains(Addons, b.Pin) && b.Pin != PinClusterAutoscaler:
				fail("%s: unknown pin %q (known: %s, %s)", what, b.Pin, strings.Join(Addons, ", "), PinClusterAutoscaler)
			case b.Missing == "":
				fail("%s: a blocker must say what is missing", what)
			case blocked[b.Pin]:
				fail("%s: %s is blocked twice", what, b.Pin)
			}
			blocked[b.Pin] = true
		}
		for _, name := range Addons {
			f, ok := m.Addons[name]
			switch {
			case ok && blocked[name]:
				fail("kubernetes %s: add-on %s is pinned and blocked; remove the blocker", v, name)
				continue
			case !ok && blocked[name]:
				continue
			case !ok:
				fail("kubernetes %s: add-on %s has no pinned build", v, name)
				continue
			case !AddonVersionPattern.MatchString(f.Value):
				fail("kubernetes %s: add-on %s build %q is not of the form vX.Y.Z-eksbuild.N", v, name, f.Value)
			case f.Confirmed == nil:
				fail("kubernetes %s: add-on %s must say whether describe-addon-versions confirmed it (confirmed)", v, name)
			}
			dated(v+".addons."+name, f.Source, f.ReadOn)
		}
		for name := range m.Addons {
			if !slices.Contains(Addons, name) {
				fail("kubernetes %s: unknown add-on %s (known: %s)", v, name, strings.Join(Addons, ", "))
			}
		}
		// kube-proxy is built per minor; its version names the minor.
		if kp, ok := m.Addons[AddonKubeProxy]; ok && !strings.HasPrefix(kp.Value, ImageTagLine(v)) {
			fail("kubernetes %s: kube-proxy build %q is not a %s* build", v, kp.Value, ImageTagLine(v))
		}
		ca := m.ClusterAutoscaler
		if blocked[PinClusterAutoscaler] {
			if ca != (ClusterAutoscaler{}) {
				fail("kubernetes %s: cluster-autoscaler is pinned and blocked; remove the blocker", v)
			}
			continue
		}
		if !imageTagPattern.MatchString(ca.ImageTag.Value) || !strings.HasPrefix(ca.ImageTag.Value, ImageTagLine(v)) {
			fail("kubernetes %s: cluster-autoscaler image tag %q must be a %s* release", v, ca.ImageTag.Value, ImageTagLine(v))
		}
		if !ChartVersionPattern.MatchString(ca.Chart.Value) {
			fail("kubernetes %s: cluster-autoscaler chart %q is not a chart version such as 9.50.1", v, ca.Chart.Value)
		}
		dated(v+".clusterAutoscaler.imageTag", ca.ImageTag.Source, ca.ImageTag.ReadOn)
		dated(v+".clusterAutoscaler.chart", ca.Chart.Source, ca.Chart.ReadOn)
	}
	for name, f := range c.Charts {
		if !ChartVersionPattern.MatchString(f.Value) {
			fail("charts.%s: %q is not a chart version such as 1.2.3", name, f.Value)
		}
		dated("charts."+name, f.Source, f.ReadOn)
	}
	for name, f := range c.Images {
		if _, tag, ok := strings.Cut(f.Value, ":"); !ok || tag == "" || tag == "latest" {
			fail("images.%s: %q is not an image pinned by tag", name, f.Value)
		}
		dated("images."+name, f.Source, f.ReadOn)
	}
	if err := c.checkLifecycle(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
