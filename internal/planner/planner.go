// Package planner makes the offline plan of one stack as `go run ./cmd/plan` prints it: the
// stack's configuration as the Pulumi CLI would hand it over, judged on a given day, run through
// the whole program under mocks. The plan command and the whole-stack tests share it, so the
// golden plans are exactly what the command prints.
package planner

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/stack"
)

// Request says which stack to plan and on which day.
type Request struct {
	// Root is the project directory (with Pulumi.yaml).
	Root string
	// Stack is the stack name; StackFile defaults to <Root>/Pulumi.<Stack>.yaml.
	Stack     string
	StackFile string
	// Today is the day the lifecycle rules are judged on (STACK_SPEC L2).
	Today time.Time
	// Change, when set, edits the configuration values before they are parsed (tests use it to
	// try bad or alternative values).
	Change func(values map[string]string)
}

// Plan returns the stack's offline plan and its parsed configuration. An invalid configuration
// returns the validation error, with the (empty) partial plan of the program run that refused it.
func Plan(req Request) (*offline.Plan, *config.Config, error) {
	file := req.StackFile
	if file == "" {
		file = filepath.Join(req.Root, "Pulumi."+req.Stack+".yaml")
	}
	values, err := config.StackValues(filepath.Join(req.Root, "Pulumi.yaml"), file)
	if err != nil {
		return nil, nil, err
	}
	if req.Change != nil {
		req.Change(values)
	}
	plan, err := offline.Run(offline.Options{Project: config.Project, Stack: req.Stack, Config: values},
		stack.OutputsOn(req.Today))
	if err != nil {
		return plan, nil, err
	}
	// The program validated the same values on the same day; parsing again gives the typed
	// configuration and its warnings to the caller.
	cfg, err := config.Parse(req.Stack, func(k string) (string, bool) { v, ok := values[k]; return v, ok }, req.Today)
	if err != nil {
		return plan, nil, fmt.Errorf("stack %s: %w", req.Stack, err)
	}
	plan.Warnings = append([]string{}, cfg.Warnings...)
	return plan, cfg, nil
}
