package cost

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Change is one resource whose monthly price differs between two reports of a stack.
type Change struct {
	Resource string `json:"resource"`
	// Kind is added, removed or changed.
	Kind      string  `json:"kind"`
	What      string  `json:"what"`
	BeforeUsd float64 `json:"beforeUsd"`
	AfterUsd  float64 `json:"afterUsd"`
}

// DeltaUsd is what the change adds to the monthly cost (negative when it saves).
func (c Change) DeltaUsd() float64 { return c.AfterUsd - c.BeforeUsd }

// Diff is what a change to a stack costs: its priced resources before and after, compared per
// resource (by URN), and the stack's monthly baseline before and after (issue 18). Before or After
// is nil where that side has no priced plan: a new stack, a removed one, or a region without
// prices, which Note then explains.
type Diff struct {
	Stack   string
	Before  *float64
	After   *float64
	Changes []Change
	Note    string
}

// Compare prices the change from before to after, one stack's reports.
func Compare(stack string, before, after *Report) Diff {
	d := Diff{Stack: stack}
	var notes []string
	items := func(r *Report, side string) map[string]Item {
		byResource := map[string]Item{}
		if r == nil {
			return byResource
		}
		if !r.Priced {
			notes = append(notes, side+" not priced: "+r.Note)
			return byResource
		}
		for _, item := range r.Items {
			prior, seen := byResource[item.Resource]
			if seen {
				item.MonthlyUsd += prior.MonthlyUsd
				item.What = prior.What + "; " + item.What
			}
			byResource[item.Resource] = item
		}
		return byResource
	}
	beforeItems, afterItems := items(before, "before"), items(after, "after")
	if before != nil && before.Priced {
		d.Before = before.MonthlyBaseline
	}
	if after != nil && after.Priced {
		d.After = after.MonthlyBaseline
	}
	for resource, b := range beforeItems {
		a, kept := afterItems[resource]
		switch {
		case !kept:
			d.Changes = append(d.Changes, Change{Resource: resource, Kind: "removed", What: b.What, BeforeUsd: b.MonthlyUsd})
		case cents(a.MonthlyUsd) != cents(b.MonthlyUsd):
			d.Changes = append(d.Changes, Change{Resource: resource, Kind: "changed", What: a.What, BeforeUsd: b.MonthlyUsd, AfterUsd: a.MonthlyUsd})
		}
	}
	for resource, a := range afterItems {
		if _, existed := beforeItems[resource]; !existed {
			d.Changes = append(d.Changes, Change{Resource: resource, Kind: "added", What: a.What, AfterUsd: a.MonthlyUsd})
		}
	}
	sort.Slice(d.Changes, func(i, j int) bool { return d.Changes[i].Resource < d.Changes[j].Resource })
	d.Note = strings.Join(notes, "; ")
	return d
}

// DeltaUsd is the change of the stack's monthly baseline, when both sides are priced.
func (d Diff) DeltaUsd() (float64, bool) {
	if d.Before == nil || d.After == nil {
		return 0, false
	}
	return *d.After - *d.Before, true
}

// WriteDiffMarkdown writes the pull-request comment: a section per stack with a row per changed
// resource and the stack's total before and after. The format is a golden file
// (cmd/plan/testdata/cost-diff-nat.md).
func WriteDiffMarkdown(w io.Writer, base string, diffs []Diff) {
	fmt.Fprintf(w, "## Monthly cost of this change, at zero traffic\n\nEach stack's offline plan priced at %s and at this change (`go run ./cmd/plan --cost-diff %s`).\n", base, base)
	for _, d := range diffs {
		fmt.Fprintf(w, "\n### %s: %s\n\n", d.Stack, totalLine(d))
		if d.Note != "" {
			fmt.Fprintf(w, "%s\n\n", d.Note)
		}
		if len(d.Changes) == 0 {
			fmt.Fprintln(w, "No priced resource changes.")
			continue
		}
		fmt.Fprintln(w, "| resource | change | before | after | monthly delta |")
		fmt.Fprintln(w, "|---|---|---:|---:|---:|")
		for _, c := range d.Changes {
			fmt.Fprintf(w, "| `%s` | %s: %s | %s | %s | %s |\n", shortURN(c.Resource), c.Kind, c.What,
				side(c.Kind != "added", c.BeforeUsd), side(c.Kind != "removed", c.AfterUsd), signed(c.DeltaUsd()))
		}
	}
}

func totalLine(d Diff) string {
	amount := func(v *float64) string {
		if v == nil {
			return "not priced"
		}
		return fmt.Sprintf("$%.2f", *v)
	}
	delta, ok := d.DeltaUsd()
	if !ok {
		return fmt.Sprintf("%s → %s a month", amount(d.Before), amount(d.After))
	}
	return fmt.Sprintf("%s → %s a month (%s)", amount(d.Before), amount(d.After), signed(delta))
}

func side(present bool, usd float64) string {
	if !present {
		return "–"
	}
	return fmt.Sprintf("$%.2f", usd)
}

func signed(usd float64) string {
	if cents(usd) < 0 {
		return fmt.Sprintf("−$%.2f", -usd)
	}
	return fmt.Sprintf("+$%.2f", usd)
}

// shortURN keeps a URN's last type and name: "aws:ec2/natGateway:NatGateway::nat-us-east-1b-dev".
func shortURN(urn string) string {
	if i := strings.LastIndex(urn, "$"); i >= 0 {
		return urn[i+1:]
	}
	if parts := strings.SplitN(urn, "::", 3); len(parts) == 3 {
		return parts[2]
	}
	return urn
}
