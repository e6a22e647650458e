package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/eks-platform/config"
)

// testDay is the day the plans are judged on; no test depends on the real date (L2).
const testDay = "2026-12-01"

func runPlan(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeStackFile writes a stack file into a temporary directory and returns its path.
func writeStackFile(t *testing.T, name, body string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "Pulumi."+name+".yaml")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestJSONIsOneObjectWithTheContractFields(t *testing.T) {
	code, stdout, stderr := runPlan("--stack", "dev", "--json", "--today", testDay)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&plan); err != nil {
		t.Fatalf("stdout is not one JSON object: %v", err)
	}
	if dec.More() {
		t.Fatal("stdout holds more than one JSON value")
	}
	for _, field := range []string{"stack", "resources", "outputs", "warnings", "cost"} {
		if _, ok := plan[field]; !ok {
			t.Errorf("plan has no %q", field)
		}
	}
	var resources []map[string]json.RawMessage
	if err := json.Unmarshal(plan["resources"], &resources); err != nil || len(resources) == 0 {
		t.Fatalf("resources: %v (%d)", err, len(resources))
	}
	for _, field := range []string{"urn", "type", "name", "parent", "inputs", "protect", "retainOnDelete", "ignoreChanges", "dependencies"} {
		if _, ok := resources[0][field]; !ok {
			t.Errorf("resource has no %q", field)
		}
	}
}

func TestTreeNamesTheStackAndItsOutputs(t *testing.T) {
	code, stdout, stderr := runPlan("--stack", "staging", "--today", testDay)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "stack staging: ") || !strings.Contains(stdout, "outputs:") ||
		!strings.Contains(stdout, "\ncost: USD a month at zero traffic, us-east-1") || !strings.Contains(stdout, "monthly baseline\n") {
		t.Fatalf("unexpected tree:\n%s", stdout)
	}
}

// Invalid configuration: the error on stderr, nothing on stdout, a non-zero exit (issue 2).
func TestInvalidConfigPrintsOnlyTheError(t *testing.T) {
	file := writeStackFile(t, "broken", "config:\n  eks-platform:environment: dev\n  eks-platform:awsAccountId: \"111122223333\"\n  eks-platform:keyAdminRoleArns: [arn:aws:iam::111122223333:role/eks-platform-deploy-dev]\n  eks-platform:kubernetesVersion: \"1.36\"\n  eks-platform:azCount: 9\n")
	code, stdout, stderr := runPlan("--config-file", file, "--json", "--today", testDay)
	if code == 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, "eks-platform:azCount = 9") || !strings.Contains(stderr, "stack broken") {
		t.Fatalf("stderr does not name the key, value and stack: %s", stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"--bogus"}, {"--stack", "dev", "--today", "1 Dec 2026"}} {
		if code, stdout, _ := runPlan(args...); code != 2 || stdout != "" {
			t.Errorf("%v: exit %d stdout %q, want 2 and nothing", args, code, stdout)
		}
	}
	if code, _, stderr := runPlan("--stack", "nosuchstack"); code != 1 || !strings.Contains(stderr, "Pulumi.nosuchstack.yaml") {
		t.Errorf("missing stack file: exit %d, %s", code, stderr)
	}
}

func TestOutsideTheProjectFailsClearly(t *testing.T) {
	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	if err := os.Chdir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runPlan("--stack", "dev", "--today", testDay); code != 1 || !strings.Contains(stderr, "Pulumi.yaml") {
		t.Fatalf("exit %d, %s", code, stderr)
	}
}

// L2 / issue 10: a minor in extended support still plans (exit 0), with the warning on stderr and
// in the JSON, naming when extended support began and what it costs.
func TestExtendedSupportWarnsOnStderrAndInTheJSON(t *testing.T) {
	file := writeStackFile(t, "dev", "config:\n  eks-platform:environment: dev\n  eks-platform:awsAccountId: \"111122223333\"\n  eks-platform:keyAdminRoleArns: [arn:aws:iam::111122223333:role/eks-platform-deploy-dev]\n  eks-platform:kubernetesVersion: \"1.35\"\n"+
		"  eks-platform:endpointPublicAccess: true\n  eks-platform:publicAccessCidrs: [203.0.113.0/24]\n")
	code, stdout, stderr := runPlan("--config-file", file, "--json", "--today", "2027-04-15")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan struct{ Warnings []string }
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	// The first warning is the minor's; the pins' (issue 21) follow it.
	if len(plan.Warnings) == 0 || !strings.HasPrefix(plan.Warnings[0], "eks-platform:kubernetesVersion ") {
		t.Fatalf("warnings %v, want the minor's first", plan.Warnings)
	}
	for _, want := range []string{"eks-platform:kubernetesVersion", "extended support since 2027-03-27", "$365 a month more"} {
		if !strings.Contains(plan.Warnings[0], want) {
			t.Errorf("warning does not say %q: %s", want, plan.Warnings[0])
		}
	}
	if !strings.Contains(stderr, "plan: warning: "+plan.Warnings[0]) {
		t.Errorf("stderr does not carry the warning: %q", stderr)
	}
}

// The committed stacks have no Kubernetes lifecycle warning on the day the catalogue was read
// (issue 10); their pin warnings (issue 21) are on stderr and in the JSON alike.
func TestCommittedStacksPlanWithoutMinorWarnings(t *testing.T) {
	root, _ := config.FindProjectRoot(".")
	stacks, err := config.StackNames(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range stacks {
		code, stdout, stderr := runPlan("--stack", stack, "--json", "--today", testDay)
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", stack, code, stderr)
		}
		var plan struct{ Warnings []string }
		if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
			t.Fatal(err)
		}
		var printed []string
		for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if line != "" {
				printed = append(printed, strings.TrimPrefix(line, "plan: warning: "))
			}
		}
		if strings.Join(printed, "\n") != strings.Join(plan.Warnings, "\n") {
			t.Errorf("%s: stderr %q is not the JSON's warnings %q", stack, printed, plan.Warnings)
		}
		for _, w := range plan.Warnings {
			if strings.HasPrefix(w, "eks-platform:kubernetesVersion ") {
				t.Errorf("%s: %s", stack, w)
			}
		}
	}
}

// issue 21: --outdated lists every pin with its newest known release, the end of life of its
// line and the days left on the day given.
func TestOutdatedReport(t *testing.T) {
	code, stdout, stderr := runPlan("--stack", "prod", "--outdated", "--today", testDay)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"| fluentBitImage | public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.15 | 3.4.17 | 2026-12-07 | patch | - | - | newest known unconfirmed |",
		"| veleroChartVersion | 12.1.0 | 12.2.0 | 2026-12-05 | minor | - | - | newest known unconfirmed |",
		"| externalSecretsChartVersion | 2.8.0 | 2.9.0 | 2026-12-07 | minor | - | - | held: ",
		"| metricsServerChartVersion | 3.13.1 | 3.13.1 | 2026-12-01 | up to date |",
		"| kubeProxyVersion | v1.36.0-eksbuild.14 | - | - | - | - | - | no lifecycle facts in the catalogue |",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if rows := strings.Count(stdout, "\n| ") - 1; rows != 14 {
		t.Errorf("%d pins listed, want 14 (6 add-ons, 5 charts, 3 images)", rows)
	}
}

// A minor past the end of extended support is refused before any resource, naming the key.
func TestEndOfLifeVersionIsRefused(t *testing.T) {
	file := writeStackFile(t, "dev", "config:\n  eks-platform:environment: dev\n  eks-platform:awsAccountId: \"111122223333\"\n  eks-platform:keyAdminRoleArns: [arn:aws:iam::111122223333:role/eks-platform-deploy-dev]\n  eks-platform:kubernetesVersion: \"1.31\"\n")
	code, stdout, stderr := runPlan("--config-file", file, "--today", testDay)
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, `eks-platform:kubernetesVersion = "1.31"`) || !strings.Contains(stderr, "2026-11-26") {
		t.Errorf("stderr %s", stderr)
	}
}

// Issue 12: the JSON's cost object carries the baseline, and --spot-discount changes the assumption.
func TestCostObjectAndSpotDiscount(t *testing.T) {
	baseline := func(args ...string) float64 {
		t.Helper()
		code, stdout, stderr := runPlan(append([]string{"--stack", "dev", "--json", "--today", testDay}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var plan struct {
			Cost struct {
				Currency        string
				MonthlyBaseline float64
			}
		}
		if err := json.Unmarshal([]byte(stdout), &plan); err != nil || plan.Cost.Currency != "USD" {
			t.Fatalf("cost object: %v %+v", err, plan.Cost)
		}
		return plan.Cost.MonthlyBaseline
	}
	assumed, cheaper := baseline(), baseline("--spot-discount", "0.9")
	if assumed <= 0 || cheaper >= assumed {
		t.Errorf("baseline %.2f with the default assumption, %.2f with 90%% off spot", assumed, cheaper)
	}
	if code, _, stderr := runPlan("--stack", "dev", "--spot-discount", "1.5"); code != 2 || !strings.Contains(stderr, "spot-discount") {
		t.Errorf("--spot-discount 1.5: exit %d, %s", code, stderr)
	}
}

func TestCostSummaryIsAMarkdownTable(t *testing.T) {
	code, stdout, stderr := runPlan("--cost-summary", "--today", testDay)
	if code != 0 || !strings.HasPrefix(stdout, "| stack | monthly baseline |") || strings.Count(stdout, "\n") != 5 {
		t.Errorf("exit %d, stderr %s, table:\n%s", code, stderr, stdout)
	}
}

// Issue 20: the max-scale line is in both the JSON cost object and the text, and is above the
// baseline for dev (whose groups may grow past their desired size).
func TestMaxScaleLineInJSONAndText(t *testing.T) {
	code, stdout, stderr := runPlan("--stack", "dev", "--json", "--today", testDay)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan struct {
		Cost struct {
			MonthlyBaseline   float64
			MonthlyAtMaxScale *float64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil || plan.Cost.MonthlyAtMaxScale == nil ||
		*plan.Cost.MonthlyAtMaxScale <= plan.Cost.MonthlyBaseline {
		t.Fatalf("cost object: %v %+v", err, plan.Cost)
	}
	code, text, stderr := runPlan("--stack", "dev", "--today", testDay)
	if code != 0 || !strings.Contains(text, "at maximum scale: every node group at its maxSize") {
		t.Errorf("exit %d, %s; the text has no max-scale line", code, stderr)
	}
}

// The bootstrap project's plan (issue 19, A4): the same JSON schema, usage errors for flags it
// does not take, and a bad project or stack refused.
func TestBootstrapProjectPlan(t *testing.T) {
	code, stdout, stderr := runPlan("--project", "bootstrap", "--stack", "dev", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan struct {
		Stack     string           `json:"stack"`
		Resources []map[string]any `json:"resources"`
		Outputs   map[string]any   `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil || plan.Stack != "dev" || len(plan.Resources) == 0 {
		t.Fatalf("plan %v, %d resources: %v", plan.Stack, len(plan.Resources), err)
	}
	if plan.Outputs["secretsProvider"] != "awskms://alias/eks-platform-state?region=us-east-1" {
		t.Errorf("secretsProvider output %v", plan.Outputs["secretsProvider"])
	}
	if code, stdout, _ := runPlan("--project", "bootstrap", "--stack", "prod"); code != 0 || !strings.Contains(stdout, "eks-platform:bootstrap:Account") {
		t.Errorf("tree: exit %d:\n%s", code, stdout)
	}
	for _, args := range [][]string{
		{"--project", "bootstrap"},
		{"--project", "bootstrap", "--stack", "dev", "--cost-diff", "HEAD"},
		{"--project", "nope", "--stack", "dev"},
	} {
		if code, stdout, stderr := runPlan(args...); code != 2 || stdout != "" || !strings.Contains(stderr, "--project") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, stdout, stderr := runPlan("--project", "bootstrap", "--stack", "nosuch"); code != 1 || stdout != "" || !strings.Contains(stderr, "bootstrap stack nosuch") {
		t.Errorf("missing stack: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
