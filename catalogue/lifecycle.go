package catalogue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Lifecycle is what is known of a pinned component beyond its pin (issue 21): the newest release
// seen, with where and when, and, where the project states one, the end of life of a release line.
type Lifecycle struct {
	NewestKnown Fact[string] `json:"newestKnown"`
	// EndOfLife applies to the pins of its line (a version prefix, "2." for every 2.x release).
	EndOfLife *LineEnd `json:"endOfLife,omitempty"`
	// Held says why the pin stays behind the newest known on purpose; such a pin gets no
	// warning for being behind, and the outdated report shows the reason.
	Held string `json:"held,omitempty"`
}

// LineEnd is the day a release line stops receiving fixes. Confirmed is false when the date was
// seen only as quoted by a secondary source, not on the project's own page.
type LineEnd struct {
	Line string `json:"line"`
	Fact[Date]
}

// Lifecycle components that are not chart or image keys of their own.
const (
	// ImageFluentBit is the aws-for-fluent-bit image (config key fluentBitImage).
	ImageFluentBit = "aws-for-fluent-bit"
)

// Behind says how far a pin is behind the newest known release.
type Behind string

const (
	UpToDate    Behind = ""      // the pin is the newest known, or newer
	BehindPatch Behind = "patch" // same major and minor (or the same version, an older eksbuild)
	BehindMinor Behind = "minor" // one or more minor releases behind
	BehindMajor Behind = "major" // a major release behind
)

// PinStatus is one pin against the catalogue's lifecycle facts on a day.
type PinStatus struct {
	Component, Pinned string
	Newest            Fact[string]
	Behind            Behind
	// End is the end of life of the pin's line, nil when none is known; DaysLeft counts from the
	// day asked to it (negative once it has passed).
	End      *LineEnd
	DaysLeft int
	Held     string
}

// PastEndOfLife is true once the pin's line has reached its end of life.
func (s PinStatus) PastEndOfLife() bool { return s.End != nil && s.DaysLeft <= 0 }

// Status judges a pin of a component ("velero", "aws-for-fluent-bit") on a day. It is false
// when the catalogue keeps no lifecycle for the component.
func (c *Catalogue) Status(component, pinned string, day Date) (PinStatus, bool) {
	l, ok := c.Lifecycle[component]
	if !ok {
		return PinStatus{}, false
	}
	s := PinStatus{Component: component, Pinned: pinned, Newest: l.NewestKnown, Behind: behind(pinned, l.NewestKnown.Value), Held: l.Held}
	if e := l.EndOfLife; e != nil && strings.HasPrefix(strings.TrimPrefix(pinned, "v"), strings.TrimPrefix(e.Line, "v")) {
		s.End, s.DaysLeft = e, day.DaysUntil(e.Value)
	}
	return s, true
}

// releasePattern reads "v1.14.3-eksbuild.11", "12.1.0" or "3.4.16": major, minor, patch and an
// optional EKS build number.
var releasePattern = regexp.MustCompile(`^v?([0-9]+)\.([0-9]+)\.([0-9]+)(?:-eksbuild\.([0-9]+))?$`)

// release parses a version into its four numbers; ok is false for anything else.
func release(v string) (nums [4]int, ok bool) {
	m := releasePattern.FindStringSubmatch(v)
	if m == nil {
		return nums, false
	}
	for i := 0; i < 4; i++ {
		nums[i], _ = strconv.Atoi(m[i+1]) // an absent build is 0
	}
	return nums, true
}

// behind compares a pin with the newest known release. Versions it cannot read count as current:
// the catalogue check refuses such a newest-known value, and a pin is checked by its own rules.
func behind(pinned, newest string) Behind {
	p, okP := release(pinned)
	n, okN := release(newest)
	if !okP || !okN {
		return UpToDate
	}
	for i, level := range []Behind{BehindMajor, BehindMinor, BehindPatch, BehindPatch} {
		switch {
		case p[i] < n[i]:
			return level
		case p[i] > n[i]:
			return UpToDate
		}
	}
	return UpToDate
}

// checkLifecycle refuses a lifecycle entry whose facts cannot be judged.
func (c *Catalogue) checkLifecycle() error {
	for name, l := range c.Lifecycle {
		if _, ok := release(l.NewestKnown.Value); !ok {
			return fmt.Errorf("lifecycle %s: newestKnown %q is not a release such as 1.2.3 or v1.2.3-eksbuild.4", name, l.NewestKnown.Value)
		}
		if l.NewestKnown.Source == "" || l.NewestKnown.ReadOn.IsZero() {
			return fmt.Errorf("lifecycle %s: newestKnown needs a source and a readOn day", name)
		}
		if e := l.EndOfLife; e != nil && (e.Line == "" || e.Source == "" || e.ReadOn.IsZero() || e.Value.IsZero()) {
			return fmt.Errorf("lifecycle %s: endOfLife needs a line, a day, a source and a readOn day", name)
		}
	}
	return nil
}
