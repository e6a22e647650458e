// Command plan shows what the Pulumi program would register for a stack, without an AWS account,
// the Pulumi CLI or a network: it runs the whole program under Pulumi mocks with the stack's
// configuration (Pulumi.yaml defaults overridden by Pulumi.<stack>.yaml).
//
//	go run ./cmd/plan --stack dev            # readable tree
//	go run ./cmd/plan --stack prod --json    # one JSON object (the contract in README "Offline plan")
//	go run ./cmd/plan --config-file my.yaml  # another stack file; the stack name comes from it
//
// Invalid configuration prints the validation errors to stderr, nothing to stdout, and exits 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/stack"
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
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stackName == "" && *configFile == "" {
		fmt.Fprintln(stderr, "plan: give --stack NAME or --config-file PATH")
		return 2
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
	values, err := config.StackValues(filepath.Join(root, "Pulumi.yaml"), file)
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return 1
	}
	plan, err := offline.Run(offline.Options{Project: config.Project, Stack: *stackName, Config: values}, stack.Outputs)
	if err != nil {
		fmt.Fprintf(stderr, "plan: stack %s: %v\n", *stackName, err)
		return 1
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
