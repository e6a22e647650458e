// Command plan shows what the Pulumi program would register for a stack, without an AWS account,
// the Pulumi CLI or a network: it runs the whole program under Pulumi mocks with the stack's
// configuration (Pulumi.yaml defaults overridden by Pulumi.<stack>.yaml).
//
//	go run ./cmd/plan --stack dev            # readable tree
//	go run ./cmd/plan --stack prod --json    # one JSON object (the contract in README "Offline plan")
//	go run ./cmd/plan --config-file my.yaml  # another stack file; the stack name comes from it
//	go run ./cmd/plan --stack dev --today 2027-04-15   # judge the Kubernetes version on that day
//	go run ./cmd/plan --stack dev --spot-discount 0.5  # price spot nodes at 50% below on-demand
//	go run ./cmd/plan --cost-diff origin/main          # what the change costs, per stack (PR comment)
//
// Both outputs end with the stack's monthly cost at zero traffic (the JSON's "cost" object).
//
// Invalid configuration prints the validation errors to stderr, nothing to stdout, and exits 1.
// Lifecycle warnings (a Kubernetes minor in extended support or close to leaving standard
// support, STACK_SPEC L2) go to stderr and into the JSON's "warnings"; the plan still succeeds.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acme/eks-platform/bootstrap/account"
	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/cost"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/internal/planner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("plan", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stackName := flags.String("stack", "", "stack to plan (reads Pulumi.<stack>.yaml)")
	configFile := flags.String("config-file", "", "stack config file to use instead of Pulumi.<stack>.yaml")
	asJSON := flags.Bool("json", false, "print one JSON object instead of the tree")
	todayFlag := flags.String("today", "", "judge the Kubernetes version lifecycle on this day, YYYY-MM-DD (default: today, UTC)")
	costDiff := flags.String("cost-diff", "", "print what the change costs against BASE, as the pull-request comment (Markdown): BASE is a git ref, whose offline plan of every stack (or of --stack) is priced, or the --json plan of one stack")
	project := flags.String("project", config.Project, "the Pulumi project to plan: "+config.Project+" (the platform) or "+account.Project+" (bootstrap/, one stack per AWS account; --stack and --json only)")
	outdated := flags.Bool("outdated", false, "print every version pin of --stack with the newest known release, the end of life of its line and the days left (catalogue/versions.json) and exit")
	costSummary := flags.Bool("cost-summary", false, "print the Markdown table of every committed stack's monthly baseline (README \"Cost\") and exit")
	var spotDiscount *float64
	flags.Func("spot-discount", "assumed saving of spot over on-demand for the cost report, 0 to 0.9 (default: cost/prices.json's)", func(v string) error {
		d, err := strconv.ParseFloat(v, 64)
		if err != nil || d < 0 || d > 0.9 {
			return fmt.Errorf("%q is not a fraction from 0 to 0.9 (0.6 means spot is 60%% cheaper)", v)
		}
		spotDiscount = &d
		return nil
	})
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *project != config.Project {
		return printBootstrapPlan(*project, *stackName, *asJSON, *configFile != "" || *costDiff != "" || *costSummary || *outdated || *todayFlag != "" || spotDiscount != nil, stdout, stderr)
	}
	today := time.Now()
	if *todayFlag != "" {
		day, err := catalogue.ParseDate(*todayFlag)
		if err != nil {
			fmt.Fprintln(stderr, "plan: --today:", err)
			return 2
		}
		today = day.Time
	}

	if *costSummary {
		return printCostSummary(stdout, stderr, today)
	}
	if *stackName == "" && *configFile != "" {
		*stackName = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(*configFile), "Pulumi."), filepath.Ext(*configFile))
	}
	if *stackName == "" && *costDiff == "" {
		fmt.Fprintln(stderr, "plan: give --stack NAME or --config-file PATH")
		return 2
	}

	root, err := config.FindProjectRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	if *costDiff != "" {
		return printCostDiff(costDiffRequest{root: root, base: *costDiff, stack: *stackName, configFile: *configFile, today: today}, stdout, stderr)
	}
	file := *configFile
	if file == "" {
		file = filepath.Join(root, "Pulumi."+*stackName+".yaml")
	}
	if *outdated {
		return printOutdated(root, *stackName, file, today, stdout, stderr)
	}
	plan, _, err := planner.Plan(planner.Request{Root: root, Stack: *stackName, StackFile: file, Today: today,
		SpotDiscount: spotDiscount})
	if err != nil {
		fmt.Fprintf(stderr, "plan: stack %s: %v\n", *stackName, err)
		return 1
	}
	for _, warning := range plan.Warnings {
		fmt.Fprintln(stderr, "plan: warning:", warning)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, plan)
	}
	offline.WriteTree(stdout, plan.Plan)
	fmt.Fprintln(stdout)
	cost.WriteTable(stdout, plan.Cost)
	return 0
}

// printBootstrapPlan prints the bootstrap stack's offline plan (README "Bootstrap an account, then
// deploy"): the same tree and the same JSON schema (stack, resources, outputs, warnings), no cost.
func printBootstrapPlan(project, stack string, asJSON, otherFlags bool, stdout, stderr io.Writer) int {
	switch {
	case project != account.Project:
		fmt.Fprintf(stderr, "plan: --project %q: must be %s or %s\n", project, config.Project, account.Project)
		return 2
	case otherFlags || stack == "":
		fmt.Fprintf(stderr, "plan: --project %s takes --stack NAME (bootstrap/Pulumi.NAME.yaml) and --json only\n", account.Project)
		return 2
	}
	root, err := config.FindProjectRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	plan, err := account.Plan(root, stack)
	if err != nil {
		fmt.Fprintf(stderr, "plan: bootstrap stack %s: %v\n", stack, err)
		return 1
	}
	if asJSON {
		return writeJSON(stdout, stderr, plan)
	}
	offline.WriteTree(stdout, plan)
	return 0
}

// printCostSummary prints the README's cost table for the committed stacks.
func printCostSummary(stdout, stderr io.Writer, today time.Time) int {
	root, err := config.FindProjectRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	stacks, err := config.StackNames(root)
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	table, err := planner.CostSummary(root, stacks, today)
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	fmt.Fprint(stdout, table)
	return 0
}

// writeJSON prints a plan as the --json contract's indented JSON; the exit code is 1 if it fails.
func writeJSON(stdout, stderr io.Writer, plan any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(plan); err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	return 0
}
