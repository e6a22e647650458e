package cost

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable writes the report as the text the offline plan ends with.
func WriteTable(w io.Writer, r Report) {
	if !r.Priced {
		fmt.Fprintf(w, "cost: %s\n", r.Note)
		return
	}
	fmt.Fprintf(w, "cost: %s a month at zero traffic, %s list prices as of %s\n", r.Currency, r.Region, r.PricesAsOf)
	for _, item := range r.Items {
		fmt.Fprintf(w, "  %9.2f  %s\n", item.MonthlyUsd, item.What)
	}
	fmt.Fprintf(w, "  %9.2f  monthly baseline\n", *r.MonthlyBaseline)
	if r.MonthlyAtMaxScale != nil {
		fmt.Fprintf(w, "  %9.2f  at maximum scale: every node group at its maxSize\n", *r.MonthlyAtMaxScale)
	}
	fmt.Fprintln(w, "traffic adds, per GB:")
	for _, p := range r.PerGB {
		fmt.Fprintf(w, "  %9.3f  %s\n", p.UsdPerGB, p.What)
	}
	if len(r.EndpointVsNat) > 0 {
		var parts []string
		for _, b := range r.EndpointVsNat {
			parts = append(parts, fmt.Sprintf("%s %.0f GB", b.Service, b.MonthlyGB))
		}
		fmt.Fprintf(w, "an interface endpoint is cheaper than the NAT gateway above: %s a month\n", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, "assumptions:")
	for _, a := range r.Assumptions {
		fmt.Fprintf(w, "  - %s\n", a)
	}
}
