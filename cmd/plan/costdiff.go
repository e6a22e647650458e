package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/cost"
	"github.com/acme/eks-platform/internal/planner"
)

// costDiffRequest says what --cost-diff compares: base is a git ref (every stack's offline plan
// at that commit, made by that commit's own program and prices) or, for one stack, the JSON plan
// of the base; the other side is the working tree's plan of each stack.
type costDiffRequest struct {
	root       string
	base       string
	stack      string
	configFile string
	today      time.Time
}

// printCostDiff prints the pull-request comment of what a change costs (issue 18).
func printCostDiff(req costDiffRequest, stdout, stderr io.Writer) int {
	stacks := []string{req.stack}
	if req.stack == "" {
		names, err := config.StackNames(req.root)
		if err != nil {
			fmt.Fprintln(stderr, "plan:", err)
			return 1
		}
		stacks = names
	}
	bases, err := baseReports(req, stacks)
	if err != nil {
		fmt.Fprintln(stderr, "plan: --cost-diff:", err)
		return 1
	}
	diffs := make([]cost.Diff, 0, len(stacks))
	for _, stack := range stacks {
		file := req.configFile
		if file == "" {
			file = filepath.Join(req.root, "Pulumi."+stack+".yaml")
		}
		head, _, err := planner.Plan(planner.Request{Root: req.root, Stack: stack, StackFile: file, Today: req.today})
		if err != nil {
			fmt.Fprintf(stderr, "plan: stack %s: %v\n", stack, err)
			return 1
		}
		diffs = append(diffs, cost.Compare(stack, bases[stack], &head.Cost))
	}
	cost.WriteDiffMarkdown(stdout, req.base, diffs)
	return 0
}

// baseReports returns each stack's cost report at the base; a stack the base does not have is
// missing from the map (it is new).
func baseReports(req costDiffRequest, stacks []string) (map[string]*cost.Report, error) {
	if info, err := os.Stat(req.base); err == nil && !info.IsDir() {
		if len(stacks) != 1 {
			return nil, fmt.Errorf("a base plan file (%s) prices one stack: give --stack or --config-file", req.base)
		}
		data, err := os.ReadFile(req.base)
		if err != nil {
			return nil, err
		}
		report, err := reportOf(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", req.base, err)
		}
		return map[string]*cost.Report{stacks[0]: report}, nil
	}
	return baseReportsAtCommit(req, stacks)
}

// baseReportsAtCommit checks the base commit out beside the repository (git worktree), builds its
// plan command once and prices each stack it has.
func baseReportsAtCommit(req costDiffRequest, stacks []string) (map[string]*cost.Report, error) {
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-C", req.root}, args...)...)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
		}
		return strings.TrimSpace(string(out)), nil
	}
	commit, err := git("rev-parse", "--verify", req.base+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("%q is neither a plan file nor a git commit: %w", req.base, err)
	}
	prefix, err := git("rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	checkout, err := os.MkdirTemp("", "eks-platform-cost-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(checkout)
	if _, err := git("worktree", "add", "--detach", "--quiet", checkout, commit); err != nil {
		return nil, err
	}
	defer git("worktree", "remove", "--force", checkout) //nolint:errcheck // best effort: the directory goes anyway
	project := filepath.Join(checkout, prefix)
	binary := filepath.Join(checkout, ".cost-diff-plan")
	build := exec.Command("go", "build", "-o", binary, "./cmd/plan")
	build.Dir = project
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the base's plan command at %s: %v\n%s", commit, err, out)
	}
	reports := map[string]*cost.Report{}
	for _, stack := range stacks {
		if _, err := os.Stat(filepath.Join(project, "Pulumi."+stack+".yaml")); err != nil {
			continue // a new stack: nothing before
		}
		cmd := exec.Command(binary, "--stack", stack, "--json", "--today", req.today.Format(time.DateOnly))
		cmd.Dir = project
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		out, err := cmd.Output()
		if err != nil {
			reports[stack] = &cost.Report{Note: "the base's plan failed: " + firstLine(errOut.String())}
			continue
		}
		report, err := reportOf(out)
		if err != nil {
			return nil, fmt.Errorf("stack %s at %s: %w", stack, commit, err)
		}
		reports[stack] = report
	}
	return reports, nil
}

// reportOf reads the "cost" object of a plan as `go run ./cmd/plan --json` prints it.
func reportOf(planJSON []byte) (*cost.Report, error) {
	var plan struct {
		Cost *cost.Report `json:"cost"`
	}
	if err := json.Unmarshal(planJSON, &plan); err != nil || plan.Cost == nil {
		return nil, fmt.Errorf("not an offline plan with a cost object (go run ./cmd/plan --json): %v", err)
	}
	return plan.Cost, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
