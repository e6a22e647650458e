package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden cost-diff comment")

// issue 18: the pull-request comment prices a change per resource. dev's natGatewayCount 1 → 3
// adds two NAT gateways and their public IPv4 addresses, +$73.00 a month (2 × ($32.85 + $3.65)),
// and the port-allocation alarm the platform keeps per NAT gateway (O3), 2 × $0.10: +$73.20 in
// all. The comment's format is a golden file.
func TestCostDiffOfMoreNatGateways(t *testing.T) {
	code, basePlan, stderr := runPlan("--stack", "dev", "--json", "--today", testDay)
	if code != 0 {
		t.Fatalf("base plan: exit %d: %s", code, stderr)
	}
	baseFile := filepath.Join(t.TempDir(), "plan-dev.json")
	if err := os.WriteFile(baseFile, []byte(basePlan), 0o600); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(committed), "eks-platform:natGatewayCount: 1", "eks-platform:natGatewayCount: 3", 1)
	if changed == string(committed) {
		t.Fatal("Pulumi.dev.yaml no longer sets natGatewayCount: 1")
	}
	head := writeStackFile(t, "dev", changed)
	code, comment, stderr := runPlan("--config-file", head, "--cost-diff", baseFile, "--today", testDay)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	comment = strings.ReplaceAll(comment, baseFile, "plan-dev.json")
	for _, want := range []string{"### dev: $242.64 → $315.84 a month (+$73.20)",
		"| `aws:ec2/natGateway:NatGateway::nat-us-east-1b-dev` | added: NAT gateway, hourly charge | – | $32.85 | +$32.85 |",
		"| `aws:ec2/natGateway:NatGateway::nat-us-east-1d-dev` | added: NAT gateway, hourly charge | – | $32.85 | +$32.85 |",
		"| `aws:ec2/eip:Eip::eip-nat-us-east-1b-dev` | added: public IPv4 address (NAT gateway) | – | $3.65 | +$3.65 |",
		"| `aws:ec2/eip:Eip::eip-nat-us-east-1d-dev` | added: public IPv4 address (NAT gateway) | – | $3.65 | +$3.65 |",
		"| `aws:cloudwatch/metricAlarm:MetricAlarm::eks-nat-port-allocation-errors-3-dev` | added: CloudWatch alarm eks-nat-port-allocation-errors-3-dev, 1 metric | – | $0.10 | +$0.10 |"} {
		if !strings.Contains(comment, want) {
			t.Errorf("the comment misses %q:\n%s", want, comment)
		}
	}
	golden := filepath.Join("testdata", "cost-diff-nat.md")
	if *update {
		if err := os.WriteFile(golden, []byte(comment), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if comment != string(want) {
		t.Errorf("the comment differs from %s (run with -update if intended):\n%s", golden, comment)
	}
}

func TestCostDiffRefusesWhatItCannotCompare(t *testing.T) {
	for name, args := range map[string][]string{
		"neither file nor commit":    {"--stack", "dev", "--cost-diff", "no-such-ref-or-file"},
		"a plan file for all stacks": {"--cost-diff", "../../go.mod"},
		"a file that is not a plan":  {"--stack", "dev", "--cost-diff", "../../go.mod"},
	} {
		if code, _, stderr := runPlan(append(args, "--today", testDay)...); code != 1 || !strings.Contains(stderr, "--cost-diff") {
			t.Errorf("%s: exit %d, %s", name, code, stderr)
		}
	}
}
