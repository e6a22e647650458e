package cost

import (
	"bytes"
	"strings"
	"testing"
)

func report(baseline float64, items ...Item) *Report {
	return &Report{Priced: true, MonthlyBaseline: &baseline, Items: items}
}

// Compare sees every kind of change per resource, and says when a side is not priced.
func TestCompareAddedRemovedChangedAndUnpriced(t *testing.T) {
	before := report(20, Item{Resource: "urn:a$aws:x:X::kept", What: "kept", MonthlyUsd: 5},
		Item{Resource: "urn:a$aws:x:X::gone", What: "gone", MonthlyUsd: 10},
		Item{Resource: "urn:a$aws:x:X::same", What: "same", MonthlyUsd: 5})
	after := report(13, Item{Resource: "urn:a$aws:x:X::kept", What: "kept, larger", MonthlyUsd: 7},
		Item{Resource: "urn:a$aws:x:X::new", What: "new", MonthlyUsd: 1},
		Item{Resource: "urn:a$aws:x:X::same", What: "same", MonthlyUsd: 5})
	d := Compare("dev", before, after)
	kinds := map[string]string{}
	for _, c := range d.Changes {
		kinds[shortURN(c.Resource)] = c.Kind
	}
	if len(d.Changes) != 3 || kinds["aws:x:X::kept"] != "changed" || kinds["aws:x:X::gone"] != "removed" || kinds["aws:x:X::new"] != "added" {
		t.Fatalf("changes %+v", d.Changes)
	}
	var b bytes.Buffer
	WriteDiffMarkdown(&b, "main", []Diff{d, Compare("new", nil, after), Compare("eu", before, &Report{Note: "no prices for ap-south-2"})})
	out := b.String()
	for _, want := range []string{"### dev: $20.00 → $13.00 a month (−$7.00)", "| `aws:x:X::gone` | removed: gone | $10.00 | – | −$10.00 |",
		"### new: not priced → $13.00 a month", "after not priced: no prices for ap-south-2"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if d := Compare("same", before, before); len(d.Changes) != 0 || !strings.Contains(render(d), "No priced resource changes.") {
		t.Errorf("an unchanged stack: %+v", d)
	}
}

func render(d Diff) string {
	var b bytes.Buffer
	WriteDiffMarkdown(&b, "main", []Diff{d})
	return b.String()
}

func TestShortURN(t *testing.T) {
	for urn, want := range map[string]string{
		"urn:pulumi:dev::p::eks-platform:network:Network$aws:ec2/eip:Eip::eip-a": "aws:ec2/eip:Eip::eip-a",
		"urn:pulumi:dev::p::aws:kms/key:Key::k":                                  "aws:kms/key:Key::k",
		"plain":                                                                  "plain",
	} {
		if got := shortURN(urn); got != want {
			t.Errorf("shortURN(%q) = %q", urn, got)
		}
	}
}
