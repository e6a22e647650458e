package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/config"
)

// printOutdated is `--outdated`: every version pin of the stack with the newest release the
// catalogue knows, the end of life of its line and the days left, judged on today (issue 21).
// It parses the configuration only; no plan is made.
func printOutdated(root, stack, file string, today time.Time, stdout, stderr io.Writer) int {
	values, err := config.StackValues(filepath.Join(root, "Pulumi.yaml"), file)
	if err != nil {
		fmt.Fprintf(stderr, "plan: stack %s: %v\n", stack, err)
		return 1
	}
	cfg, err := config.Parse(stack, values, today)
	if err != nil {
		fmt.Fprintf(stderr, "plan: stack %s: %v\n", stack, err)
		return 1
	}
	day := catalogue.Day(today)
	fmt.Fprintf(stdout, "Pins of stack %s on %s (catalogue/versions.json \"lifecycle\"):\n\n", stack, day)
	fmt.Fprintln(stdout, "| key | pinned | newest known | read on | behind | end of life | days left | note |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---:|---|")
	for _, p := range config.Pins(cfg, day) {
		fmt.Fprintln(stdout, outdatedRow(p))
	}
	return 0
}

// outdatedRow is one pin's row; "-" marks what the catalogue does not know.
func outdatedRow(p config.PinReport) string {
	if !p.Known {
		return fmt.Sprintf("| %s | %s | - | - | - | - | - | no lifecycle facts in the catalogue |", p.Key, p.Value)
	}
	behind := string(p.Behind)
	if behind == "" {
		behind = "up to date"
	}
	var notes []string
	if unconfirmed(p.Newest.Confirmed) {
		notes = append(notes, "newest known unconfirmed")
	}
	end, days := "-", "-"
	if p.End != nil {
		end, days = p.End.Line+"x: "+p.End.Value.String(), fmt.Sprint(p.DaysLeft)
		switch {
		case p.PastEndOfLife() && unconfirmed(p.End.Confirmed):
			notes = append(notes, "PAST END OF LIFE (unconfirmed, so warned, not refused)")
		case p.PastEndOfLife():
			notes = append(notes, "PAST END OF LIFE (refused)")
		}
	}
	if p.Held != "" {
		notes = append(notes, "held: "+p.Held)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s |", p.Key, p.Value, p.Newest.Value, p.Newest.ReadOn,
		behind, end, days, strings.Join(notes, "; "))
}

func unconfirmed(c *bool) bool { return c != nil && !*c }
