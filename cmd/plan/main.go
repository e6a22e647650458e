// Command plan shows what the Pulumi program would register for a stack, without an AWS account,
// the Pulumi CLI or a network: it runs the whole program under Pulumi mocks with the stack's
// configuration (Pulumi.yaml defaults overridden by Pulumi.<stack>.yaml).
//
//	go run ./cmd/plan --stack dev            # readable tree
//	go run ./cmd/plan --stack prod --json    # one JSON object (the contract in README "Offline plan")
//	go run ./cmd/plan --config-file my.yaml  # another stack file; the stack name comes from it
//	go run ./cmd/plan --stack dev --today 2027-04-15   # judge the Kubernetes version on that day
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
	"strings"
	"time"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/config"
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
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stackName == "" && *configFile == "" {
		fmt.Fprintln(stderr, "plan: give --stack NAME or --config-file PATH")
		return 2
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

	root, err := config.FindProjectRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	file := *configFile
	if file == "" {
		file = filepath.Join(root, "Pulumi."+*stackName+".yaml")
	}
	if *stackName == "" {
		*stackName = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "Pulumi."), filepath.Ext(file))
	}
	plan, _, err := planner.Plan(planner.Request{Root: root, Stack: *stackName, StackFile: file, Today: today})
	if err != nil {
		fmt.Fprintf(stderr, "plan: stack %s: %v\n", *stackName, err)
		return 1
	}
	for _, warning := range plan.Warnings {
		fmt.Fprintln(stderr, "plan: warning:", warning)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			fmt.Fprintln(stderr, "plan:", err)
			return 1
		}
		return 0
	}
	offline.WriteTree(stdout, plan)
	return 0
}
