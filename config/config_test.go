package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// stackValues returns the values the CLI would pass for a committed stack file.
func stackValues(t *testing.T, stack string) map[string]string {
	t.Helper()
	root, err := FindProjectRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	values, err := StackValues(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return values
}

// committedStacks lists every stack file of the repository (StackNames), not a fixed three.
func committedStacks(t *testing.T) []string {
	t.Helper()
	root, _ := FindProjectRoot(".")
	names, err := StackNames(root)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// testDay is the day the tests judge the Kubernetes lifecycle on: the day the catalogue was last
// read. No test depends on the real date (L2).
var testDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func parse(stack string, values map[string]string) (*Config, error) {
	return parseOn(stack, values, testDay)
}

func parseOn(stack string, values map[string]string, day time.Time) (*Config, error) {
	return Parse(stack, values, day)
}

func TestCommittedStacksParse(t *testing.T) {
	for _, stack := range committedStacks(t) {
		c, err := parse(stack, stackValues(t, stack))
		if err != nil {
			t.Fatalf("stack %s: %v", stack, err)
		}
		if c.Environment != stack || c.Suffix != stack || c.ClusterName != "eks-platform-"+stack {
			t.Errorf("stack %s: environment %q suffix %q cluster %q", stack, c.Environment, c.Suffix, c.ClusterName)
		}
	}
}

// issue 18: every stack names its pull-request preview role, so a preview of the Kubernetes half
// works, and its deploy role as a key administrator. The role name is the bootstrap project's (bootstrap/account, previewRolePrefix +
// environment), in the stack's own account.
func TestEachStackNamesItsBootstrapRoles(t *testing.T) {
	for _, stack := range committedStacks(t) {
		c, err := parse(stack, stackValues(t, stack))
		if err != nil {
			t.Fatalf("stack %s: %v", stack, err)
		}
		preview := "arn:aws:iam::" + c.AccountID + ":role/eks-platform-preview-" + stack
		if c.Cluster.Access.PreviewRoleArn != preview {
			t.Errorf("stack %s: previewRoleArn = %q, want %s", stack, c.Cluster.Access.PreviewRoleArn, preview)
		}
		// issue 22: the deploy role sets the key policies, so KMS's lockout check needs it there.
		deploy := "arn:aws:iam::" + c.AccountID + ":role/eks-platform-deploy-" + stack
		if !slices.Contains(c.Security.KeyAdminRoleArns, deploy) {
			t.Errorf("stack %s: keyAdminRoleArns = %v, want it to hold %s", stack, c.Security.KeyAdminRoleArns, deploy)
		}
	}
}

// The environments differ where they really differ (issue 2, seed 003 #2, S1, S4).
func TestEnvironmentsDiffer(t *testing.T) {
	dev, _ := parse("dev", stackValues(t, "dev"))
	prod, _ := parse("prod", stackValues(t, "prod"))
	checks := []struct {
		what      string
		dev, prod any
		wantDev   any
		wantProd  any
	}{
		{"NAT gateways (N2)", dev.Network.NatGatewayCount, prod.Network.NatGatewayCount, 1, 3},
		{"pod security enforce (S4)", dev.Workloads.PodSecurityEnforce, prod.Workloads.PodSecurityEnforce, "baseline", "restricted"},
		{"KMS deletion window (S1)", dev.Security.KmsDeletionWindowDays, prod.Security.KmsDeletionWindowDays, 7, 30},
		{"protect data", dev.Protect, prod.Protect, false, true},
		{"public endpoint (S2)", dev.Cluster.EndpointPublicAccess, prod.Cluster.EndpointPublicAccess, true, false},
	}
	for _, c := range checks {
		if c.dev != c.wantDev || c.prod != c.wantProd {
			t.Errorf("%s: dev %v prod %v, want dev %v prod %v", c.what, c.dev, c.prod, c.wantDev, c.wantProd)
		}
	}
	if len(dev.Network.InterfaceEndpoints) >= len(prod.Network.InterfaceEndpoints) {
		t.Errorf("dev should trade interface endpoints for NAT traffic: dev %v prod %v",
			dev.Network.InterfaceEndpoints, prod.Network.InterfaceEndpoints)
	}
}

func TestCostTagsAreComplete(t *testing.T) {
	c, err := parse("staging", stackValues(t, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Environment": "staging", "CostCenter": "platform-engineering",
		"Owner": "platform-team", "Project": "eks-platform", "ManagedBy": "pulumi"}
	for k, v := range want {
		if c.Tags[k] != v {
			t.Errorf("tag %s = %q, want %q (C5)", k, c.Tags[k], v)
		}
	}
}

func TestSuffixOverridesStackName(t *testing.T) {
	values := stackValues(t, "dev")
	values[Key("environmentSuffix")] = "sandbox"
	c, err := parse("dev-sandbox", values)
	if err != nil {
		t.Fatal(err)
	}
	if c.Suffix != "sandbox" || c.ClusterName != "eks-platform-sandbox" {
		t.Fatalf("suffix %q cluster %q", c.Suffix, c.ClusterName)
	}
}

func TestMinReadyNodesSumsGroupMinimums(t *testing.T) {
	c, _ := parse("prod", stackValues(t, "prod"))
	if got := c.NodeGroups.MinReadyNodes(); got != 6 {
		t.Fatalf("MinReadyNodes = %d, want 3+3+0", got)
	}
}

// BadConfigs is the C4 table: each entry changes one or two keys of a valid stack and must fail
// with a message that names the key and the value. tests/stack runs the same table through the
// whole program to check that no resource is registered.
func TestBadConfigurationsFailNamingKeyAndValue(t *testing.T) {
	if len(BadConfigs) < 15 {
		t.Fatalf("only %d bad configurations; C4 asks for at least 15", len(BadConfigs))
	}
	root, _ := FindProjectRoot(".")
	keys, err := ProjectKeys(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, bad := range BadConfigs {
		t.Run(bad.Name, func(t *testing.T) {
			// The table itself: Want[0] is the key the message must name (tests/stack relies on
			// it): a declared key, or the undeclared key the entry sets (issue 18); at least one
			// more word pins the value or the rule.
			if names[bad.Name] {
				t.Error("name used twice")
			}
			names[bad.Name] = true
			_, setsIt := bad.Set[bad.Want[0]]
			if len(bad.Want) < 2 || !slices.Contains(keys, bad.Want[0]) && !setsIt {
				t.Errorf("Want %q must start with a key declared in Pulumi.yaml, then the value or rule", bad.Want)
			}
			values := stackValues(t, bad.Stack)
			bad.Apply(values)
			_, err := parse(bad.Stack, values)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range bad.Want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// A key nothing reads is refused, whatever its namespace, naming the key and the nearest key the
// program reads (issue 18): the CLI validates only the keys Pulumi.yaml declares.
func TestKeysNothingReadsAreRefused(t *testing.T) {
	cases := map[string]string{
		"eks-platform:natGatwayCount":  "nearest key the program reads: eks-platform:natGatewayCount",
		"eks-platfrom:natGatewayCount": `namespace "eks-platfrom", which nothing reads`,
		"aws:regoin":                   "is not a key of the AWS provider (pulumi-aws 6.83.0",
		"aws:profile":                  "is an AWS provider key, but the program builds its AWS provider explicitly",
		"kubernetes:context":           `namespace "kubernetes", which nothing reads`,
	}
	for key, want := range cases {
		values := stackValues(t, "dev")
		values[key] = "1"
		_, err := parse("dev", values)
		if err == nil || !strings.Contains(err.Error(), key+" is set but") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want an error naming it and %q, got %v", key, want, err)
		}
	}
	values := stackValues(t, "dev")
	values["aws:regoin"] = "eu-west-1"
	if _, err := parse("dev", values); err == nil || !strings.Contains(err.Error(), "nearest key the program reads: aws:region") {
		t.Errorf("aws:regoin must point at aws:region, got %v", err)
	}
	values = stackValues(t, "dev")
	values["pulumi:tags"] = `{"team":"platform"}`
	if _, err := parse("dev", values); err != nil {
		t.Errorf("the CLI's own pulumi: namespace is the CLI's to check: %v", err)
	}
}

// Every key Pulumi.yaml declares is read by the program: the values of a stack hold every declared
// key (their defaults), and a key nothing reads is refused, so a committed stack that parses proves
// it. A declared key nothing read would be accepted everywhere and change nothing.
func TestEveryDeclaredKeyIsRead(t *testing.T) {
	root, _ := FindProjectRoot(".")
	declared, err := ProjectKeys(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	values := stackValues(t, "dev")
	for _, key := range declared {
		if _, ok := values[key]; !ok {
			t.Errorf("the stack values miss the declared key %s", key)
		}
	}
	values["eks-platform:declaredButUnread"] = "x"
	if _, err := parse("dev", values); err == nil {
		t.Error("a key nothing reads was accepted")
	}
}

func TestNearestKeyAndEditDistance(t *testing.T) {
	if d := editDistance("kitten", "sitting"); d != 3 {
		t.Errorf("editDistance(kitten, sitting) = %d, want 3", d)
	}
	if got := nearestKey("aws:regoin", []string{"aws:region", "eks-platform:azCount"}); got != "aws:region" {
		t.Errorf("nearestKey = %q", got)
	}
}

func TestConfiguredReadsTheCLIsJSON(t *testing.T) {
	keys, err := Configured(`{"aws:region":"us-east-1","eks-platform:azCount":"3"}`)
	if err != nil || !slices.Equal(keys, []string{"aws:region", "eks-platform:azCount"}) {
		t.Errorf("Configured = %v, %v", keys, err)
	}
	if keys, err := Configured(""); err != nil || keys != nil {
		t.Errorf("no PULUMI_CONFIG: %v, %v", keys, err)
	}
	if _, err := Configured("not json"); err == nil || !strings.Contains(err.Error(), "PULUMI_CONFIG") {
		t.Errorf("broken PULUMI_CONFIG: %v", err)
	}
}

func TestStackValuesEncodesLikeTheCLI(t *testing.T) {
	root, _ := FindProjectRoot(".")
	stackFile := filepath.Join(t.TempDir(), "Pulumi.x.yaml")
	writeFile(t, stackFile, "config:\n  environment: prod\n  aws:region: eu-west-1\n  eks-platform:alarmEmail:\n    secure: v1:abc\n")
	values, err := StackValues(filepath.Join(root, "Pulumi.yaml"), stackFile)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"eks-platform:environment":          "prod",
		"aws:region":                        "eu-west-1",
		"eks-platform:azCount":              "3",
		"eks-platform:endpointPublicAccess": "false",
		"eks-platform:workloadNamespaces":   `["apps"]`,
		"eks-platform:alarmEmail":           SecretPlaceholder,
	} {
		if values[key] != want {
			t.Errorf("%s = %q, want %q", key, values[key], want)
		}
	}
}

func TestStackValuesReportsUnreadableFiles(t *testing.T) {
	root, _ := FindProjectRoot(".")
	if _, err := StackValues(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi.nope.yaml")); err == nil {
		t.Error("missing stack file accepted")
	}
	broken := filepath.Join(t.TempDir(), "Pulumi.broken.yaml")
	writeFile(t, broken, "config: [unclosed\n")
	if _, err := StackValues(filepath.Join(root, "Pulumi.yaml"), broken); err == nil {
		t.Error("malformed stack file accepted")
	}
	if _, err := FindProjectRoot(t.TempDir()); err == nil {
		t.Error("found a project root where there is none")
	}
}

func TestProjectKeysListsEveryDeclaredKey(t *testing.T) {
	root, _ := FindProjectRoot(".")
	keys, err := ProjectKeys(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"aws:region", "eks-platform:azCount", "eks-platform:veleroChartVersion"} {
		if !slices.Contains(keys, k) {
			t.Errorf("ProjectKeys misses %s", k)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTagsManagedByNamesTheController(t *testing.T) {
	c, _ := parse("dev", stackValues(t, "dev"))
	tags := c.TagsManagedBy("aws-ebs-csi-driver")
	if tags["ManagedBy"] != "aws-ebs-csi-driver" || tags["CostCenter"] != c.Tags["CostCenter"] || c.Tags["ManagedBy"] != "pulumi" {
		t.Fatalf("tags %v, config tags %v", tags, c.Tags)
	}
}
