// Package engine_test checks the whole stack as the real Pulumi engine built it (issue 11):
// `scripts/stack.sh engine-plan` runs the program and the real pulumi-eks component provider
// against stub aws and kubernetes providers, and its plan holds what the Go SDK mocks can never
// show: the children pulumi-eks creates, the EKS cluster first (STACK_SPEC K1, K2, S2).
//
// The plans come from EKS_PLATFORM_ENGINE_PLANS (a directory of plan-<stack>.json, as .ci/run
// writes them with `scripts/stack.sh engine-check <stack> <file>`); without it each test runs
// `scripts/stack.sh engine-plan <stack>` itself, and skips, saying why, when the pinned toolchain
// (scripts/toolchain.sh) is not built.
package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
)

// The five EKS control-plane log types (K2).
var controlPlaneLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

const (
	clusterType   = "aws:eks/cluster:Cluster"
	componentType = "eks:index:Cluster"
)

var (
	plansMu sync.Mutex
	plans   = map[string]*offline.Plan{}
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := config.FindProjectRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// stackNames are every committed stack file (config.StackNames), as .ci/run's engine checks loop
// over Pulumi.*.yaml.
func stackNames(t *testing.T) []string {
	t.Helper()
	names, err := config.StackNames(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// enginePlan returns the engine plan of a stack, read or produced once per test binary.
func enginePlan(t *testing.T, stack string) *offline.Plan {
	t.Helper()
	plansMu.Lock()
	defer plansMu.Unlock()
	if plan, ok := plans[stack]; ok {
		return plan
	}
	var data []byte
	if dir := os.Getenv("EKS_PLATFORM_ENGINE_PLANS"); dir != "" {
		var err error
		if data, err = os.ReadFile(filepath.Join(dir, "plan-"+stack+".json")); err != nil {
			t.Fatalf("EKS_PLATFORM_ENGINE_PLANS=%s: %v", dir, err)
		}
	} else {
		root := repoRoot(t)
		if _, err := os.Stat(filepath.Join(root, "bin", "pulumi")); err != nil {
			t.Skip("no engine plan: set EKS_PLATFORM_ENGINE_PLANS, or build the pinned Pulumi CLI with scripts/toolchain.sh so the test can run scripts/stack.sh engine-plan")
		}
		cmd := exec.Command(filepath.Join(root, "scripts", "stack.sh"), "engine-plan", stack)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		var err error
		if data, err = cmd.Output(); err != nil {
			t.Fatalf("scripts/stack.sh engine-plan %s: %v\n%s", stack, err, stderr.String())
		}
	}
	plan := &offline.Plan{}
	if err := json.Unmarshal(data, plan); err != nil {
		t.Fatalf("engine plan of %s: %v", stack, err)
	}
	plans[stack] = plan
	return plan
}

// forEachStack runs check on each stack's engine plan, with the stack's parsed configuration: what
// the stack file asks for is what must reach the resources the engine created.
func forEachStack(t *testing.T, check func(t *testing.T, stack string, cfg *config.Config, plan *offline.Plan)) {
	for _, name := range stackNames(t) {
		t.Run(name, func(t *testing.T) {
			_, cfg := offlinePlan(t, name)
			check(t, name, cfg, enginePlan(t, name))
		})
	}
}

// one returns the only resource of a type, failing when there is not exactly one.
func one(t *testing.T, plan *offline.Plan, typeToken string) offline.Resource {
	t.Helper()
	found := plan.ByType(typeToken)
	if len(found) != 1 {
		t.Fatalf("want exactly one %s in the engine plan, have %d", typeToken, len(found))
	}
	return found[0]
}

// eksCluster is the aws:eks/cluster:Cluster that pulumi-eks created inside its component.
func eksCluster(t *testing.T, plan *offline.Plan) offline.Resource {
	t.Helper()
	cluster := one(t, plan, clusterType)
	component := one(t, plan, componentType)
	if cluster.Parent != component.URN {
		t.Fatalf("the EKS cluster's parent is %s, want pulumi-eks' component %s", cluster.Parent, component.URN)
	}
	return cluster
}

func outputString(r offline.Resource, path string) string {
	s, _ := r.Output(path).(string)
	return s
}

// The cluster's Kubernetes secrets are envelope-encrypted with the secrets KMS key (K1, S1).
func TestClusterSecretsEncryptedWithPlatformKey(t *testing.T) {
	forEachStack(t, func(t *testing.T, stack string, _ *config.Config, plan *offline.Plan) {
		cluster := eksCluster(t, plan)
		key, err := plan.Get("aws:kms/key:Key", "eks-secrets-"+stack)
		if err != nil {
			t.Fatal(err)
		}
		keyArn := outputString(key, "arn")
		if keyArn == "" {
			t.Fatal("the secrets KMS key has no ARN output")
		}
		if got := cluster.String("encryptionConfig.provider.keyArn"); got != keyArn {
			t.Errorf("encryptionConfig.provider.keyArn = %q, want the secrets key %q", got, keyArn)
		}
		if got := cluster.Strings("encryptionConfig.resources"); !slices.Equal(got, []string{"secrets"}) {
			t.Errorf("encryptionConfig.resources = %v, want [secrets]", got)
		}
	})
}

// All five control-plane log types go to CloudWatch (K2).
func TestClusterLogsAllFiveTypes(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		got := eksCluster(t, plan).Strings("enabledClusterLogTypes")
		sort.Strings(got)
		want := slices.Clone(controlPlaneLogTypes)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("enabledClusterLogTypes = %v, want %v", got, want)
		}
	})
}

// The private endpoint is always on; the public one only where the stack asks for it, and then
// only for its CIDRs: without a list EKS opens it to 0.0.0.0/0 (S2).
func TestClusterEndpointAccess(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, cfg *config.Config, plan *offline.Plan) {
		cluster := eksCluster(t, plan)
		if got := cluster.Input("vpcConfig.endpointPrivateAccess"); got != true {
			t.Errorf("vpcConfig.endpointPrivateAccess = %v, want true", got)
		}
		public := cfg.Cluster.EndpointPublicAccess
		if got := cluster.Input("vpcConfig.endpointPublicAccess"); got != public {
			t.Errorf("vpcConfig.endpointPublicAccess = %v, want %v", got, public)
		}
		var wantCidrs []string
		if public {
			wantCidrs = cfg.Cluster.PublicAccessCidrs
			if len(wantCidrs) == 0 || openToWorld(wantCidrs...) {
				t.Fatalf("the stack's public endpoint CIDRs %v are empty or the whole internet", wantCidrs)
			}
		}
		if got := cluster.Strings("vpcConfig.publicAccessCidrs"); !slices.Equal(got, wantCidrs) {
			t.Errorf("vpcConfig.publicAccessCidrs = %v, want %v", got, wantCidrs)
		}
	})
}

// Access is managed with access entries only, not the aws-auth ConfigMap (K1).
func TestClusterAccessEntriesOnly(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		if got := eksCluster(t, plan).String("accessConfig.authenticationMode"); got != "API" {
			t.Errorf("accessConfig.authenticationMode = %q, want API", got)
		}
		for _, cm := range plan.ByType("kubernetes:core/v1:ConfigMap") {
			if cm.String("metadata.name") == "aws-auth" {
				t.Errorf("pulumi-eks created the aws-auth ConfigMap %s", cm.URN)
			}
		}
	})
}

// issues 18 and 22: what pulumi-eks really creates for the access tiers. Each stack's preview role
// gets an access entry of its own with AmazonEKSViewPolicy at cluster scope and
// AmazonEKSAdminViewPolicy in the namespaces of the platform's Helm releases only.
func TestPreviewRoleHasAReadOnlyAccessEntry(t *testing.T) {
	forEachStack(t, func(t *testing.T, stack string, cfg *config.Config, plan *offline.Plan) {
		preview := "arn:aws:iam::" + cfg.AccountID + ":role/eks-platform-preview-" + stack
		var entry *offline.Resource
		for _, e := range plan.ByType("aws:eks/accessEntry:AccessEntry") {
			if e.String("principalArn") == preview {
				entry = &e
			}
		}
		if entry == nil {
			t.Fatalf("no access entry for the preview role %s", preview)
		}
		var policies []string
		for _, a := range plan.ByType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation") {
			if a.String("principalArn") == preview {
				policies = append(policies, a.String("policyArn")+" @ "+a.String("accessScope.type")+
					" "+strings.Join(a.Strings("accessScope.namespaces"), " "))
			}
		}
		sort.Strings(policies)
		want := []string{
			"arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy @ namespace external-secrets kube-system velero",
			"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy @ cluster ",
		}
		if strings.Join(policies, ",") != strings.Join(want, ",") {
			t.Errorf("preview role policies = %v, want %v", policies, want)
		}
	})
}

// The upgrade policy and zonal shift of the stack file reach the cluster pulumi-eks creates (L2):
// pulumi-eks has no input for them, the program sets them with a transform on the component, and
// only the engine runs that transform on the component's children.
func TestClusterUpgradePolicyAndZonalShift(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, cfg *config.Config, plan *offline.Plan) {
		cluster := eksCluster(t, plan)
		if got := cluster.String("upgradePolicy.supportType"); got != cfg.Cluster.UpgradeSupportType {
			t.Errorf("upgradePolicy.supportType = %q, want %q", got, cfg.Cluster.UpgradeSupportType)
		}
		if got := cluster.Input("zonalShiftConfig.enabled"); got != cfg.Cluster.ZonalShift {
			t.Errorf("zonalShiftConfig.enabled = %v, want %v", got, cfg.Cluster.ZonalShift)
		}
	})
}

// The cluster is the one K1 describes: its explicit name, the configured version, the program's
// cluster role, the API endpoint's own security group, control plane in the private subnets.
func TestClusterIdentityAndNetwork(t *testing.T) {
	forEachStack(t, func(t *testing.T, stack string, cfg *config.Config, plan *offline.Plan) {
		cluster := eksCluster(t, plan)
		if got, want := cluster.String("name"), "eks-platform-"+stack; got != want {
			t.Errorf("name = %q, want %q", got, want)
		}
		if got := cluster.String("version"); got != cfg.Cluster.KubernetesVersion {
			t.Errorf("version = %q, want the stack's kubernetesVersion %q", got, cfg.Cluster.KubernetesVersion)
		}
		role, err := plan.Get("aws:iam/role:Role", "eks-cluster-role-"+stack)
		if err != nil {
			t.Fatal(err)
		}
		if got := cluster.String("roleArn"); got != outputString(role, "arn") {
			t.Errorf("roleArn = %q, want the program's cluster role %q", got, outputString(role, "arn"))
		}
		if got := cluster.Strings("vpcConfig.securityGroupIds"); !slices.Equal(got, []string{fmt.Sprint(plan.Outputs["apiSecurityGroupId"])}) {
			t.Errorf("vpcConfig.securityGroupIds = %v, want only the API endpoint's group %v", got, plan.Outputs["apiSecurityGroupId"])
		}
		subnets := cluster.Strings("vpcConfig.subnetIds")
		for _, private := range plan.Outputs["privateSubnetIds"].([]any) {
			if !slices.Contains(subnets, private.(string)) {
				t.Errorf("vpcConfig.subnetIds %v lack the private subnet %v", subnets, private)
			}
		}
		for key, value := range map[string]string{"Name": "eks-platform-" + stack, "Environment": stack, "ManagedBy": "pulumi"} {
			if got := cluster.String("tags." + key); got != value {
				t.Errorf("tags.%s = %q, want %q (C5)", key, got, value)
			}
		}
	})
}

// IRSA needs the cluster's OIDC provider: created by pulumi-eks for the cluster's issuer, for STS,
// with the thumbprint it read over TLS (S3).
func TestOidcProviderForTheClusterIssuer(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		cluster := eksCluster(t, plan)
		provider := one(t, plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
		issuer := outputString(cluster, "identities.0.oidcs.0.issuer")
		if issuer == "" || provider.String("url") != issuer {
			t.Errorf("OIDC provider url = %q, want the cluster's issuer %q", provider.String("url"), issuer)
		}
		if got := provider.Strings("clientIdLists"); !slices.Equal(got, []string{"sts.amazonaws.com"}) {
			t.Errorf("clientIdLists = %v, want [sts.amazonaws.com]", got)
		}
		if got := provider.Strings("thumbprintLists"); len(got) != 1 || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(got[0]) {
			t.Errorf("thumbprintLists = %v, want one SHA-1 fingerprint", got)
		}
		if got := outputString(provider, "arn"); got != plan.Outputs["oidcProviderArn"] {
			t.Errorf("the created OIDC provider %q is not the one the program exports %v", got, plan.Outputs["oidcProviderArn"])
		}
	})
}

// No node group, instance role or CNI manifest of pulumi-eks' own: the node groups are the
// program's, the VPC CNI is the EKS add-on (K1, K3).
func TestPulumiEksCreatesNoNodesOrCni(t *testing.T) {
	forbidden := []string{
		"aws:autoscaling/group:Group", "aws:cloudformation/stack:Stack", "aws:ec2/launchConfiguration:LaunchConfiguration",
		"aws:iam/instanceProfile:InstanceProfile", "eks:index:VpcCni", "eks:index:NodeGroup", "eks:index:NodeGroupV2",
	}
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		for _, typeToken := range forbidden {
			for _, r := range plan.ByType(typeToken) {
				t.Errorf("unexpected %s", r.URN)
			}
		}
		for _, role := range plan.ByType("aws:iam/role:Role") {
			if createdByPulumiEks(role) {
				t.Errorf("pulumi-eks created the IAM role %s", role.URN)
			}
		}
	})
}

// openToWorld reports whether CIDR lists allow every IPv4 or IPv6 address.
func openToWorld(cidrs ...string) bool {
	return slices.Contains(cidrs, "0.0.0.0/0") || slices.Contains(cidrs, "::/0")
}

// No ingress rule anywhere in the stack, the program's or pulumi-eks', admits the whole internet
// (S2): rule resources of both kinds and inline rules on security groups.
// pulumi-eks v2.8.1 always creates a node security group, which the platform's managed node
// groups do not carry (issue 22). Its rules must reach nothing outside the group: no CIDR at
// all, and no rule that admits the group on another group (the API's 443) or sends its traffic
// anywhere but to itself. cluster/node_security_group.go closes it with a transform that only
// the engine runs on pulumi-eks' children.
func TestPulumiEksNodeSecurityGroupReachesNothingOutsideItself(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		var nodeGroup string
		for _, rule := range plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule") {
			if strings.HasSuffix(rule.Name, "-eksNodeIngressRule") {
				nodeGroup = rule.String("securityGroupId")
			}
		}
		if nodeGroup == "" {
			t.Fatal("pulumi-eks' node security group (its eksNodeIngressRule) is not in the engine plan")
		}
		touching := 0
		for _, rule := range plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule") {
			on, source := rule.String("securityGroupId"), rule.String("sourceSecurityGroupId")
			if on != nodeGroup && source != nodeGroup {
				continue
			}
			touching++
			if cidrs := append(rule.Strings("cidrBlocks"), rule.Strings("ipv6CidrBlocks")...); len(cidrs) > 0 {
				t.Errorf("%s opens the unused node security group to %v", rule.URN, cidrs)
			}
			if on != nodeGroup {
				t.Errorf("%s admits the unused node security group on %s", rule.URN, on)
			}
			if rule.String("type") == "egress" && source != "" && source != nodeGroup {
				t.Errorf("%s lets the unused node security group reach %s", rule.URN, source)
			}
		}
		if touching < 5 {
			t.Errorf("%d rules of the node security group seen, want pulumi-eks' five", touching)
		}
	})
}

func TestNoIngressOpenToTheWorld(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		rules := 0
		for _, rule := range plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule") {
			if rule.String("type") == "ingress" {
				rules++
				if openToWorld(append(rule.Strings("cidrBlocks"), rule.Strings("ipv6CidrBlocks")...)...) {
					t.Errorf("%s admits the internet: %v %v", rule.URN, rule.Strings("cidrBlocks"), rule.Strings("ipv6CidrBlocks"))
				}
			}
		}
		for _, rule := range plan.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
			rules++
			if openToWorld(rule.String("cidrIpv4"), rule.String("cidrIpv6")) {
				t.Errorf("%s admits the internet: %q %q", rule.URN, rule.String("cidrIpv4"), rule.String("cidrIpv6"))
			}
		}
		for _, typeToken := range []string{"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"} {
			for _, group := range plan.ByType(typeToken) {
				ingress, _ := group.Input("ingress").([]any)
				for i := range ingress {
					path := fmt.Sprintf("ingress.%d.", i)
					if openToWorld(append(group.Strings(path+"cidrBlocks"), group.Strings(path+"ipv6CidrBlocks")...)...) {
						t.Errorf("%s has an inline ingress rule open to the internet: %v", group.URN, ingress[i])
					}
				}
			}
		}
		// pulumi-eks adds ingress rules of its own (node group security group, API access from
		// nodes): the check must have seen them, or it proves nothing.
		if rules == 0 {
			t.Error("no ingress rule in the engine plan at all")
		}
	})
}

// Every AWS resource pulumi-eks creates uses the program's AWS provider (region, cost tags as
// default tags), not a default provider built from ambient settings (pulumi-eks #764, #1226).
// The only other AWS provider is the backup copy's, for its region, when the copy is in the
// stack's account (issue 22).
func TestPulumiEksChildrenUseTheProgramsAwsProvider(t *testing.T) {
	forEachStack(t, func(t *testing.T, stack string, cfg *config.Config, plan *offline.Plan) {
		program, err := plan.Get("pulumi:providers:aws", "aws-"+stack)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plan.ByType("pulumi:providers:aws") {
			// A copy in a backup account gets no provider: that account's bootstrap makes it.
			copyHere := cfg.Platform.BackupCopyRegion != "" && cfg.Platform.BackupCopyAccountID == ""
			if p.URN != program.URN && !(copyHere && p.Name == "aws-backup-copy-"+stack) {
				t.Errorf("a second AWS provider exists: %s", p.URN)
			}
		}
		children := 0
		for _, r := range plan.Resources {
			if !strings.HasPrefix(r.Type, "aws:") || !createdByPulumiEks(r) {
				continue
			}
			children++
			if r.Provider != program.URN {
				t.Errorf("%s uses provider %q, want the program's %s", r.URN, r.Provider, program.URN)
			}
		}
		if children == 0 {
			t.Error("no AWS resource created by pulumi-eks in the engine plan")
		}
	})
}

// createdByPulumiEks reports whether r was registered inside pulumi-eks' Cluster component: its
// URN's type chain runs through it.
func createdByPulumiEks(r offline.Resource) bool {
	return strings.Contains(r.URN, componentType+"$")
}

// pulumi-eks keeps its own kubeconfigs (for the two Kubernetes providers it creates) in plain text
// in the state. S6 allows that only because they hold no credential: every user authenticates with
// `aws eks get-token` at run time, never with a token, key or password stored in the file.
func TestPlainTextKubeconfigsHoldNoCredential(t *testing.T) {
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		if plan.Outputs["kubeconfig"] != "[secret]" {
			t.Errorf("the kubeconfig stack output is not secret (S6)")
		}
		plain := 0
		for _, provider := range plan.ByType("pulumi:providers:kubernetes") {
			raw := provider.String("kubeconfig")
			if raw == "[secret]" {
				continue
			}
			plain++
			var kubeconfig struct {
				Users []struct {
					User map[string]any `json:"user"`
				} `json:"users"`
			}
			if err := json.Unmarshal([]byte(raw), &kubeconfig); err != nil || len(kubeconfig.Users) == 0 {
				t.Fatalf("%s: kubeconfig without users (%v)", provider.URN, err)
			}
			for _, user := range kubeconfig.Users {
				exec, _ := user.User["exec"].(map[string]any)
				if len(user.User) != 1 || exec == nil || exec["command"] != "aws" {
					t.Errorf("%s: a plain-text kubeconfig user authenticates with %v, want only exec `aws eks get-token`", provider.URN, user.User)
				}
			}
		}
		if plain == 0 {
			t.Error("no plain-text kubeconfig found: pulumi-eks' providers changed, revisit this check")
		}
	})
}
