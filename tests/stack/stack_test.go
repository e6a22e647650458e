// Package stack_test runs the whole program under Pulumi mocks for every committed stack file and
// checks the properties users rely on across packages (STACK_SPEC C, N, K, S, O, X). The
// per-package tests check each component in depth; these check that the composition root wires
// them as the spec says, with the real configuration of dev, staging and prod.
package stack_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/cluster"
	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/internal/planner"
)

// stackNames lists every stack file of the repository, not a fixed three: a new
// Pulumi.<stack>.yaml is checked by every whole-stack test (issue 18).
func stackNames(t *testing.T) []string {
	t.Helper()
	names, err := config.StackNames(projectRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// testDay is the day every whole-stack test judges the Kubernetes lifecycle on: the day the
// catalogue was last read. No test depends on the real date (L2).
var testDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// planWith plans a committed stack on testDay with some configuration values changed.
func planWith(t *testing.T, stackName string, change func(values map[string]string)) (*offline.Plan, error) {
	t.Helper()
	out, _, err := planner.Plan(planner.Request{Root: projectRoot(t), Stack: stackName, Today: testDay, Change: change})
	return out.Plan, err
}

type planned struct {
	cfg  *config.Config
	plan *offline.Plan
	// out is the plan as cmd/plan prints it, with its cost.
	out *planner.Output
}

var (
	plansOnce sync.Once
	plans     map[string]planned
	plansErr  error
)

func projectRoot(t *testing.T) string {
	t.Helper()
	root, err := config.FindProjectRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func values(t *testing.T, stackName string) map[string]string {
	t.Helper()
	root := projectRoot(t)
	v, err := config.StackValues(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stackName+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// planFor runs the whole program once per stack and shares the result between tests.
func planFor(t *testing.T, stackName string) planned {
	t.Helper()
	plansOnce.Do(func() {
		plans = map[string]planned{}
		for _, s := range stackNames(t) {
			out, cfg, err := planner.Plan(planner.Request{Root: projectRoot(t), Stack: s, Today: testDay})
			if err != nil {
				plansErr = fmt.Errorf("stack %s: %w", s, err)
				return
			}
			plans[s] = planned{cfg: cfg, plan: out.Plan, out: out}
		}
	})
	if plansErr != nil {
		t.Fatal(plansErr)
	}
	return plans[stackName]
}

func forEachStack(t *testing.T, check func(t *testing.T, cfg *config.Config, plan *offline.Plan)) {
	for _, s := range stackNames(t) {
		t.Run(s, func(t *testing.T) {
			p := planFor(t, s)
			check(t, p.cfg, p.plan)
		})
	}
}

func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("not JSON: %v: %s", err, text)
	}
	return doc
}

// C4: a bad configuration fails before any resource is registered, with a message naming the key.
func TestBadConfigurationRegistersNothing(t *testing.T) {
	for _, bad := range config.BadConfigs {
		t.Run(bad.Name, func(t *testing.T) {
			plan, err := planWith(t, bad.Stack, bad.Apply)
			if err == nil {
				t.Fatal("the program accepted the configuration")
			}
			// Want names the key first, then the value and what is allowed (C4): all of it must
			// reach the user through the whole program, not only through config.Parse.
			for _, want := range bad.Want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %s: %v", want, err)
				}
			}
			if len(plan.Resources) != 0 {
				t.Errorf("%d resources registered before the error", len(plan.Resources))
			}
		})
	}
}

// C5: every AWS resource is managed by a provider that carries the cost tags as default tags and
// the account guard: the stack's, or, for the backup copy only, one for the copy region (issue 22).
func TestEveryAWSResourceCarriesTheCostTags(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		provider := offline.MustGet(t, plan, "pulumi:providers:aws", "aws-"+cfg.Suffix)
		allowed := map[string]string{provider.URN: cfg.Region}
		// A copy in a backup account is made by that account's bootstrap: the stack has no
		// provider there (issue 22).
		if cfg.Platform.BackupCopyRegion != "" && cfg.Platform.BackupCopyAccountID == "" {
			allowed[offline.MustGet(t, plan, "pulumi:providers:aws", "aws-backup-copy-"+cfg.Suffix).URN] = cfg.Platform.BackupCopyRegion
		}
		if providers := len(plan.ByType("pulumi:providers:aws")); providers != len(allowed) {
			t.Errorf("%d AWS providers, want %d (the stack's, and the copy region's for a copy in this account)", providers, len(allowed))
		}
		for urn, region := range allowed {
			p, _ := plan.ByURN(urn)
			tags, _ := p.Input("defaultTags.tags").(map[string]any)
			for _, key := range []string{"Environment", "CostCenter", "Owner", "Project", "ManagedBy"} {
				if tags[key] == nil || tags[key] == "" {
					t.Errorf("%s: default tag %s missing: %v", p.Name, key, tags)
				}
			}
			if p.String("region") != region {
				t.Errorf("%s: region %q, want %q", p.Name, p.String("region"), region)
			}
			if got := p.Strings("allowedAccountIds"); len(got) != 1 || got[0] != cfg.AccountID {
				t.Errorf("%s: allowedAccountIds %v, want [%s]", p.Name, got, cfg.AccountID)
			}
		}
		for _, r := range plan.Resources {
			if !strings.HasPrefix(r.Type, "aws:") {
				continue
			}
			if _, ok := allowed[r.Provider]; !ok {
				t.Errorf("%s %s uses provider %q, not a tagged one", r.Type, r.Name, r.Provider)
			}
			if r.Provider != provider.URN && !strings.HasPrefix(r.Name, "velero-copy") {
				t.Errorf("%s %s uses the backup copy's provider but is not part of the copy", r.Type, r.Name)
			}
		}
		// pulumi-eks creates its resources in its own plugin: it must be handed the same provider.
		eks := plan.ByType("eks:index:Cluster")
		if len(eks) != 1 || eks[0].Providers["aws"] != provider.URN {
			t.Errorf("pulumi-eks cluster is not given the tagged AWS provider: %v", eks)
		}
	})
}

// Every resource name ends with the environment suffix and hangs under a component.
func TestNamesAndParents(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		for _, r := range plan.Resources {
			if !strings.HasSuffix(r.Name, "-"+cfg.Suffix) {
				t.Errorf("%s %q does not end with -%s", r.Type, r.Name, cfg.Suffix)
			}
			if _, ok := plan.ByURN(r.Parent); !ok && !strings.HasPrefix(r.Type, "eks-platform:") && r.Type != "pulumi:providers:aws" {
				t.Errorf("%s %s is not parented to a component", r.Type, r.Name)
			}
		}
	})
}

// N2: NAT gateways per stack, and every private route table's default route goes to the NAT in
// its own AZ when there is one.
func TestNatGatewaysAndPrivateRoutes(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		nats := plan.ByType("aws:ec2/natGateway:NatGateway")
		if len(nats) != cfg.Network.NatGatewayCount {
			t.Fatalf("%d NAT gateways, want %d", len(nats), cfg.Network.NatGatewayCount)
		}
		natAZ := map[string]string{} // NAT URN -> AZ of its public subnet
		for _, nat := range nats {
			natAZ[nat.URN] = azOfSubnetDependency(t, plan, nat)
		}
		routes := 0
		for _, route := range plan.ByType("aws:ec2/route:Route") {
			if !strings.Contains(route.Name, "private") || !strings.Contains(route.Name, "-default-") {
				continue
			}
			routes++
			if route.String("destinationCidrBlock") != "0.0.0.0/0" {
				t.Errorf("%s: destination %q", route.Name, route.String("destinationCidrBlock"))
			}
			var natURN string
			for _, d := range route.Dependencies {
				if _, ok := natAZ[d]; ok {
					natURN = d
				}
			}
			if natURN == "" {
				t.Errorf("%s does not route to a NAT gateway", route.Name)
				continue
			}
			routeAZ := azFromName(route.Name)
			ownNAT := slices.ContainsFunc(nats, func(n offline.Resource) bool { return natAZ[n.URN] == routeAZ })
			if ownNAT && natAZ[natURN] != routeAZ {
				t.Errorf("%s in %s routes to the NAT in %s although its AZ has one", route.Name, routeAZ, natAZ[natURN])
			}
		}
		if routes != cfg.Network.AzCount {
			t.Errorf("%d private default routes, want one per AZ (%d)", routes, cfg.Network.AzCount)
		}
	})
}

func azFromName(name string) string {
	for _, part := range strings.Split(name, "-") {
		if len(part) == 2 && part[0] >= '0' && part[0] <= '9' { // "1a" of us-east-1a
			i := strings.Index(name, part)
			start := strings.LastIndex(name[:i-1], "-")
			start = strings.LastIndex(name[:start], "-")
			return name[start+1 : i+2]
		}
	}
	return ""
}

func azOfSubnetDependency(t *testing.T, plan *offline.Plan, r offline.Resource) string {
	t.Helper()
	if az := r.String("availabilityZone"); az != "" {
		return az
	}
	for _, d := range r.Dependencies {
		if dep, ok := plan.ByURN(d); ok && dep.Type == "aws:ec2/subnet:Subnet" {
			return dep.String("availabilityZone")
		}
	}
	t.Fatalf("%s: no subnet dependency", r.Name)
	return ""
}

// N1: no subnet hands out public IPs; N3: endpoints; N4: flow logs and the default SG.
func TestNetworkSecurityProperties(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		subnets := plan.ByType("aws:ec2/subnet:Subnet")
		if len(subnets) != 2*cfg.Network.AzCount {
			t.Errorf("%d subnets, want %d", len(subnets), 2*cfg.Network.AzCount)
		}
		for _, s := range subnets {
			if s.Input("mapPublicIpOnLaunch") == true {
				t.Errorf("subnet %s maps public IPs", s.Name)
			}
		}
		var interfaces []string
		for _, e := range plan.ByType("aws:ec2/vpcEndpoint:VpcEndpoint") {
			switch e.String("vpcEndpointType") {
			case "Gateway":
				if !strings.HasSuffix(e.String("serviceName"), ".s3") || len(e.Strings("routeTableIds")) != cfg.Network.AzCount {
					t.Errorf("gateway endpoint %s: %s on %v", e.Name, e.String("serviceName"), e.Strings("routeTableIds"))
				}
			case "Interface":
				interfaces = append(interfaces, strings.TrimPrefix(e.String("serviceName"), "com.amazonaws."+cfg.Region+"."))
				if e.Input("privateDnsEnabled") != true {
					t.Errorf("%s has no private DNS", e.Name)
				}
			}
		}
		slices.Sort(interfaces)
		want := slices.Clone(cfg.Network.InterfaceEndpoints)
		slices.Sort(want)
		if !slices.Equal(interfaces, want) {
			t.Errorf("interface endpoints %v, want %v", interfaces, want)
		}
		sg := offline.MustGet(t, plan, "aws:ec2/securityGroup:SecurityGroup", "sg-vpc-endpoints-"+cfg.Suffix)
		ingress, _ := sg.Input("ingress").([]any)
		if len(ingress) != 1 {
			t.Fatalf("endpoint SG has %d ingress rules, want 1", len(ingress))
		}
		rule := ingress[0].(map[string]any)
		if rule["fromPort"] != 443.0 || rule["toPort"] != 443.0 || fmt.Sprint(rule["cidrBlocks"]) != "["+cfg.Network.VpcCidr+"]" {
			t.Errorf("endpoint SG ingress %v, want 443 from %s only", rule, cfg.Network.VpcCidr)
		}
		flow := plan.ByType("aws:ec2/flowLog:FlowLog")
		if len(flow) != 1 || flow[0].String("trafficType") != "ALL" {
			t.Errorf("flow logs: %v", flow)
		}
		def := plan.ByType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
		if len(def) != 1 || len(def[0].Input("ingress").([]any)) != 0 || len(def[0].Input("egress").([]any)) != 0 {
			t.Errorf("default security group is not locked down: %v", def)
		}
	})
}

// N4, K2, O3: every log group has the configured retention and the logs key (issue 22).
func TestEveryLogGroupIsEncryptedWithRetention(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		key := offline.MustGet(t, plan, "aws:kms/key:Key", "eks-logs-"+cfg.Suffix)
		groups := plan.ByType("aws:cloudwatch/logGroup:LogGroup")
		if len(groups) < 6 {
			t.Errorf("only %d log groups; want control plane, flow logs and four Container Insights groups", len(groups))
		}
		for _, g := range groups {
			if g.Input("retentionInDays") != float64(cfg.LogRetentionDays) {
				t.Errorf("%s retention %v, want %d", g.Name, g.Input("retentionInDays"), cfg.LogRetentionDays)
			}
			if !g.DependsOn(key.URN) || g.String("kmsKeyId") == "" {
				t.Errorf("%s is not encrypted with the logs key", g.Name)
			}
		}
	})
}

// issue 22: keys by duty. What each key encrypts, from the resources that use it: the secrets key
// the cluster's secrets, the logs key the log groups and the alarm topic, the data key the node
// volumes, the persistent volumes' storage class and the backups; no resource uses a key of
// another duty.
func TestEachKeyEncryptsItsDutyOnly(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		keyOf := map[string]string{}
		for _, duty := range []string{"secrets", "logs", "data"} {
			keyOf[offline.MustGet(t, plan, "aws:kms/key:Key", "eks-"+duty+"-"+cfg.Suffix).URN] = duty
		}
		want := map[string]string{
			"eks-platform:cluster:Cluster$eks:index:Cluster": "secrets",
			"aws:cloudwatch/logGroup:LogGroup":               "logs",
			"aws:sns/topic:Topic":                            "logs",
			"aws:ec2/launchTemplate:LaunchTemplate":          "data",
			"kubernetes:storage.k8s.io/v1:StorageClass":      "data",
			"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2::velero-bucket": "data",
		}
		seen := map[string]bool{}
		for _, r := range plan.Resources {
			for _, dep := range r.Dependencies {
				duty, isKey := keyOf[dep]
				if !isKey || r.Type == "aws:kms/alias:Alias" || strings.HasPrefix(r.Type, "aws:iam/") || r.Type == "eks-platform:security:WorkloadRoles" {
					continue
				}
				for kind, wantDuty := range want {
					if strings.Contains(r.URN, kind) {
						seen[kind] = true
						if duty != wantDuty {
							t.Errorf("%s uses the %s key, want the %s key", r.Name, duty, wantDuty)
						}
					}
				}
			}
		}
		for kind := range want {
			if !seen[kind] {
				t.Errorf("no %s uses a platform key", kind)
			}
		}
	})
}

// S1 + prod: what loses data when deleted is protected in prod, and only there.
func TestProdProtectsWhatHoldsData(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		for _, r := range []offline.Resource{
			offline.MustGet(t, plan, "aws:kms/key:Key", "eks-secrets-"+cfg.Suffix),
			plan.ByType("eks:index:Cluster")[0],
		} {
			if r.Protect != cfg.Protect {
				t.Errorf("%s %s protect=%v, want %v in %s", r.Type, r.Name, r.Protect, cfg.Protect, cfg.Environment)
			}
		}
		// Every log group is evidence: control plane audit, flow logs, container and node logs.
		for _, g := range plan.ByType("aws:cloudwatch/logGroup:LogGroup") {
			if g.Protect != cfg.Protect {
				t.Errorf("log group %s protect=%v in %s", g.Name, g.Protect, cfg.Environment)
			}
		}
	})
}

// Issue 14: node auto repair is on for every managed node group of every stack, the GPU group
// included (a failed GPU is what auto repair replaces first).
func TestEveryNodeGroupRepairsItsNodes(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		groups := plan.ByType("aws:eks/nodeGroup:NodeGroup")
		if len(groups) != len(cfg.NodeGroups.Groups) {
			t.Fatalf("%d node groups in the plan, want %d", len(groups), len(cfg.NodeGroups.Groups))
		}
		for _, ng := range groups {
			if got := ng.Input("nodeRepairConfig.enabled"); got != true {
				t.Errorf("node group %s: nodeRepairConfig.enabled = %v, want true", ng.Name, got)
			}
		}
	})
}

// Issue 14: the EBS CSI driver tags the volumes and snapshots it creates with this stack's
// cluster name, which is what `scripts/stack.sh destroy` looks for before deleting the stack.
func TestEbsCsiDriverTagsVolumesWithThisCluster(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		raw := offline.MustGet(t, plan, "aws:eks/addon:Addon", "aws-ebs-csi-driver-"+cfg.Suffix).String("configurationValues")
		controller, _ := decode(t, raw)["controller"].(map[string]any)
		tags, _ := controller["extraVolumeTags"].(map[string]any)
		if got := tags[cluster.ClusterTagKey]; got != cfg.ClusterName {
			t.Errorf("aws-ebs-csi-driver controller.extraVolumeTags[%s] = %v, want %q", cluster.ClusterTagKey, got, cfg.ClusterName)
		}
	})
}

// K3 + S5: the default-deny policies only work because vpc-cni enforces network policies, and the
// node groups only become Ready because vpc-cni (with its IRSA role) exists before them.
func TestNetworkPoliciesAreEnforcedAndAddonsOrdered(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		cni := offline.MustGet(t, plan, "aws:eks/addon:Addon", "vpc-cni-"+cfg.Suffix)
		if !strings.Contains(cni.String("configurationValues"), `"enableNetworkPolicy":"true"`) {
			t.Errorf("vpc-cni does not enforce NetworkPolicies: %s", cni.String("configurationValues"))
		}
		denies := 0
		for _, np := range plan.ByType("kubernetes:networking.k8s.io/v1:NetworkPolicy") {
			if strings.Contains(np.Name, "default-deny") {
				denies++
			}
		}
		if denies != len(cfg.Workloads.Namespaces) {
			t.Errorf("%d default-deny policies for %d workload namespaces", denies, len(cfg.Workloads.Namespaces))
		}
		for _, ng := range plan.ByType("aws:eks/nodeGroup:NodeGroup") {
			if !ng.DependsOn(cni.URN) {
				t.Errorf("node group %s does not wait for vpc-cni", ng.Name)
			}
		}
		// The load balancer controller's Service webhook must be serving before the Container
		// Insights add-on creates its Services.
		insights := plan.ByType("aws:eks/addon:Addon")[indexOfAddon(plan, "amazon-cloudwatch-observability")]
		alb := offline.MustGet(t, plan, "kubernetes:helm.sh/v3:Release", "aws-load-balancer-controller-"+cfg.Suffix)
		if !insights.DependsOn(alb.URN) {
			t.Errorf("Container Insights does not wait for the load balancer controller")
		}
		for _, name := range []string{"coredns", "aws-ebs-csi-driver"} {
			addon := offline.MustGet(t, plan, "aws:eks/addon:Addon", name+"-"+cfg.Suffix)
			for _, ng := range plan.ByType("aws:eks/nodeGroup:NodeGroup") {
				if !addon.DependsOn(ng.URN) {
					t.Errorf("%s does not wait for node group %s", name, ng.Name)
				}
			}
		}
	})
}

// S3 across packages: each role the cluster uses is the one whose trust names the service account
// that runs there.
func TestIRSARolesMatchTheirUsers(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		roleArn := func(name string) string {
			return "arn:aws:iam::" + offline.AccountID + ":role/" + name + "-" + cfg.Suffix
		}
		users := map[string]string{
			"vpc-cni":          offline.MustGet(t, plan, "aws:eks/addon:Addon", "vpc-cni-"+cfg.Suffix).String("serviceAccountRoleArn"),
			"ebs-csi-driver":   offline.MustGet(t, plan, "aws:eks/addon:Addon", "aws-ebs-csi-driver-"+cfg.Suffix).String("serviceAccountRoleArn"),
			"cloudwatch-agent": plan.ByType("aws:eks/addon:Addon")[indexOfAddon(plan, "amazon-cloudwatch-observability")].String("serviceAccountRoleArn"),
		}
		for role, used := range users {
			if used != roleArn(role) {
				t.Errorf("%s runs with role %q, want %q", role, used, roleArn(role))
			}
		}
		sa := plan.ByType("kubernetes:core/v1:ServiceAccount")
		idx := slices.IndexFunc(sa, func(r offline.Resource) bool { return r.String("metadata.name") == "fluent-bit" })
		if idx < 0 {
			t.Fatal("no fluent-bit service account")
		}
		fluent := sa[idx]
		annotations, _ := fluent.Input("metadata.annotations").(map[string]any)
		if annotations["eks.amazonaws.com/role-arn"] != roleArn("fluent-bit") {
			t.Errorf("fluent-bit SA annotation %v", annotations)
		}
		trust := decode(t, offline.MustGet(t, plan, "aws:iam/role:Role", "fluent-bit-"+cfg.Suffix).String("assumeRolePolicy"))
		wantSub := "system:serviceaccount:" + fluent.String("metadata.namespace") + ":fluent-bit"
		if !strings.Contains(fmt.Sprint(trust), wantSub) {
			t.Errorf("fluent-bit role does not trust %s: %v", wantSub, trust)
		}
	})
}

func indexOfAddon(plan *offline.Plan, addonName string) int {
	return slices.IndexFunc(plan.ByType("aws:eks/addon:Addon"), func(r offline.Resource) bool {
		return r.String("addonName") == addonName
	})
}

// X1 and S6: every output the integration tests and users rely on exists; the kubeconfig is secret.
func TestOutputsAreCompleteAndSecretsHidden(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		for _, key := range ExpectedOutputs {
			if key == "deployerAttachmentId" && cfg.Network.Deployer.TransitGatewayID == "" {
				continue // empty without a transit gateway (TestDeployerPathThroughTheTransitGateway)
			}
			if v, ok := plan.Outputs[key]; !ok || v == nil || v == "" {
				t.Errorf("output %s missing or empty", key)
			}
		}
		if plan.Outputs["kubeconfig"] != "[secret]" {
			t.Errorf("kubeconfig output is not secret (S6)")
		}
		if len(plan.Outputs["natGatewayIds"].([]any)) != cfg.Network.NatGatewayCount {
			t.Errorf("natGatewayIds %v", plan.Outputs["natGatewayIds"])
		}
	})
}

// ExpectedOutputs is X1: the names the integration tests read and the README documents.
var ExpectedOutputs = []string{
	"environment", "region", "clusterName", "clusterEndpoint", "clusterArn", "clusterVersion",
	"oidcProviderArn", "oidcProviderUrl", "kubeconfig", "updateKubeconfigCommand",
	"vpcId", "vpcCidr", "availabilityZones", "publicSubnetIds", "privateSubnetIds", "natGatewayIds", "deployerAttachmentId",
	"vpcEndpointIds", "vpcEndpointSecurityGroupId", "clusterSecurityGroupId", "apiSecurityGroupId", "nodeSecurityGroupId",
	"kmsKeyArn", "kmsKeyAlias", "nodeGroupNames", "nodeGroupArns", "launchTemplateIds", "nodeRoleArn",
	"irsaRoleArns", "logGroupNames", "fluentBitConfigParameter", "dashboardName", "alarmTopicArn",
	"workloadNamespaces", "backupBucketName", "veleroRoleArn", "clusterSecretStore",
}

// The README documents every config key and every output, and names only keys and tests that
// exist (docs must not drift from code).
func TestReadmeDocumentsEveryKeyAndOutput(t *testing.T) {
	root := projectRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := config.ProjectKeys(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		if !strings.Contains(string(readme), "| `"+key+"` |") {
			t.Errorf("README config reference has no row for %s", key)
		}
	}
	// ...and no row names a key the program no longer reads.
	for _, row := range regexp.MustCompile("(?m)^\\| `(eks-platform:[A-Za-z]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		if !slices.Contains(keys, row[1]) {
			t.Errorf("README config reference has a row for %s, which Pulumi.yaml does not declare", row[1])
		}
	}
	if want := fmt.Sprintf("%d invalid configurations (`config.BadConfigs`)", len(config.BadConfigs)); !strings.Contains(string(readme), want) {
		t.Errorf("README does not say %q", want)
	}
	// ...and every test it names as evidence exists.
	tests := map[string]bool{}
	if err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return err
		}
		if strings.HasSuffix(path, "_test.go") {
			code, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllStringSubmatch(string(code), -1) {
				tests[m[1]] = true
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile("`(Test[A-Z]\\w+)`").FindAllStringSubmatch(string(readme), -1) {
		if !tests[name[1]] {
			t.Errorf("README names %s, which no test file defines", name[1])
		}
	}
	plan := planFor(t, "dev").plan
	for key := range plan.Outputs {
		if !strings.Contains(string(readme), "| `"+key+"` |") {
			t.Errorf("README outputs table has no row for %s", key)
		}
	}
}

// S3: the optional permissions boundary reaches every role the program creates, so accounts whose
// SCPs demand one can deploy.
func TestPermissionsBoundaryOnEveryRole(t *testing.T) {
	const boundary = "arn:aws:iam::444455556666:policy/platform-boundary"
	plan, err := planWith(t, "staging", func(v map[string]string) { v["eks-platform:permissionsBoundaryArn"] = boundary })
	if err != nil {
		t.Fatal(err)
	}
	roles := plan.ByType("aws:iam/role:Role")
	if len(roles) < 10 {
		t.Fatalf("only %d roles in the plan", len(roles))
	}
	for _, role := range roles {
		if role.String("permissionsBoundary") != boundary {
			t.Errorf("role %s has permissions boundary %q", role.Name, role.String("permissionsBoundary"))
		}
	}
	for _, role := range planFor(t, "staging").plan.ByType("aws:iam/role:Role") {
		if role.Input("permissionsBoundary") != nil {
			t.Errorf("role %s has a boundary although none is configured", role.Name)
		}
	}
}

// S2: networks outside the VPC reach the private endpoint only when configured (privateAccessCidrs
// and the deployer's networks, issue 19), on 443 only, on the API's own security group.
func TestPrivateAccessCidrsOpenOnlyTheAPIPort(t *testing.T) {
	plan, err := planWith(t, "prod", func(v map[string]string) { v["eks-platform:privateAccessCidrs"] = `["10.200.0.0/16"]` })
	if err != nil {
		t.Fatal(err)
	}
	var cidrs []string
	for _, r := range plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule") {
		if r.String("type") != "ingress" || r.Input("fromPort") != 443.0 || r.Input("toPort") != 443.0 || len(r.Strings("cidrBlocks")) != 1 ||
			r.String("securityGroupId") != plan.Outputs["apiSecurityGroupId"] || plan.Outputs["apiSecurityGroupId"] == plan.Outputs["clusterSecurityGroupId"] {
			t.Errorf("API access rule %v", r.Inputs)
		}
		cidrs = append(cidrs, r.Strings("cidrBlocks")...)
	}
	slices.Sort(cidrs)
	if strings.Join(cidrs, ",") != "10.100.0.0/22,10.200.0.0/16" {
		t.Errorf("API access from %v, want exactly privateAccessCidrs and deployerCidrs", cidrs)
	}
	if n := len(planFor(t, "dev").plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule")); n != 0 {
		t.Errorf("%d API access rules in dev, which declares no private access", n)
	}
}

// Issue 19: where a transit gateway carries the deployer, the VPC attaches to it in its private
// subnets and every private route table routes each deployer network to it, after the
// attachment exists; without one there is no attachment, route or output.
func TestDeployerPathThroughTheTransitGateway(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		d := cfg.Network.Deployer
		attachments := plan.ByType("aws:ec2transitgateway/vpcAttachment:VpcAttachment")
		if d.TransitGatewayID == "" {
			if len(attachments) != 0 || plan.Outputs["deployerAttachmentId"] != "" {
				t.Errorf("%d attachments, output %v without deployerTransitGatewayId", len(attachments), plan.Outputs["deployerAttachmentId"])
			}
			return
		}
		if len(attachments) != 1 {
			t.Fatalf("%d transit gateway attachments, want 1", len(attachments))
		}
		a := attachments[0]
		if a.String("transitGatewayId") != d.TransitGatewayID || a.String("vpcId") != plan.Outputs["vpcId"] ||
			!slices.Equal(a.Strings("subnetIds"), anyStrings(plan.Outputs["privateSubnetIds"])) || plan.Outputs["deployerAttachmentId"] == "" {
			t.Errorf("attachment %v, want %s in the private subnets %v", a.Inputs, d.TransitGatewayID, plan.Outputs["privateSubnetIds"])
		}
		routed := map[string]int{}
		for _, route := range plan.ByType("aws:ec2/route:Route") {
			if !strings.Contains(route.Name, "-deployer-") {
				continue
			}
			if route.String("transitGatewayId") != d.TransitGatewayID || !slices.Contains(route.Dependencies, a.URN) {
				t.Errorf("%s: to %q, depends on %v; want the transit gateway, after the attachment", route.Name, route.String("transitGatewayId"), route.Dependencies)
			}
			routed[route.String("destinationCidrBlock")]++
		}
		for _, cidr := range d.RoutedCidrs(cfg.Network.VpcCidr) {
			if routed[cidr] != cfg.Network.AzCount {
				t.Errorf("%s routed in %d private route tables, want %d", cidr, routed[cidr], cfg.Network.AzCount)
			}
			delete(routed, cidr)
		}
		if len(routed) != 0 {
			t.Errorf("routes to undeclared networks %v", routed)
		}
	})
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// O2 + S3 across packages: every log group Fluent Bit ships to is one its role may write, and the
// role may write no other (the two lists live in different packages).
func TestLogShipperRoleCoversExactlyItsOutputs(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		param := plan.ByType("aws:ssm/parameter:Parameter")
		if len(param) != 1 {
			t.Fatalf("%d SSM parameters", len(param))
		}
		var shipped []string
		for _, line := range strings.Split(param[0].String("insecureValue"), "\n") {
			if fields := strings.Fields(line); len(fields) == 2 && fields[0] == "log_group_name" {
				shipped = append(shipped, "arn:aws:logs:"+cfg.Region+":"+offline.AccountID+":log-group:"+fields[1])
			}
		}
		var allowed []string
		policy := decode(t, offline.MustGet(t, plan, "aws:iam/rolePolicy:RolePolicy", "fluent-bit-"+cfg.Suffix).String("policy"))
		for _, statement := range policy["Statement"].([]any) {
			resources := statement.(map[string]any)["Resource"]
			list, ok := resources.([]any)
			if !ok {
				list = []any{resources}
			}
			for _, r := range list {
				if arn := r.(string); !strings.HasSuffix(arn, ":log-stream:*") {
					allowed = append(allowed, arn)
				}
			}
		}
		slices.Sort(shipped)
		slices.Sort(allowed)
		if len(shipped) == 0 || !slices.Equal(shipped, allowed) {
			t.Errorf("Fluent Bit ships to %v, its role may write %v", shipped, allowed)
		}
	})
}

// L1, L2 / issue 10: on the day the catalogue was read, each committed stack's plan runs a minor in
// standard support with at least 90 days left, kube-proxy and the cluster autoscaler of that minor,
// every add-on at the catalogue's build, and no warnings.
func TestPlansRunTheCataloguesCurrentVersions(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		eksCluster := plan.ByType("eks:index:Cluster")
		if len(eksCluster) != 1 {
			t.Fatalf("%d pulumi-eks clusters", len(eksCluster))
		}
		version := eksCluster[0].String("version")
		minor, ok := catalogue.Default().Kubernetes[version]
		if !ok {
			t.Fatalf("Kubernetes %s is not in the catalogue", version)
		}
		if s := minor.SupportOn(catalogue.Day(testDay)); s != catalogue.Standard {
			t.Errorf("Kubernetes %s is in %s on %s", version, s, testDay.Format(time.DateOnly))
		}
		if left := catalogue.Day(testDay).DaysUntil(minor.EndOfStandardSupport.Value); left < 90 {
			t.Errorf("Kubernetes %s leaves standard support in %d days", version, left)
		}
		for _, addon := range plan.ByType("aws:eks/addon:Addon") {
			name := addon.String("addonName")
			if got, want := addon.String("addonVersion"), minor.Addons[name].Value; got != want {
				t.Errorf("add-on %s %s, want the catalogue's %s for %s", name, got, want, version)
			}
		}
		autoscaler := offline.MustGet(t, plan, "kubernetes:helm.sh/v3:Release", "cluster-autoscaler-"+cfg.Suffix)
		if got := autoscaler.String("values.image.tag"); got != minor.ClusterAutoscaler.ImageTag.Value || !strings.HasPrefix(got, "v"+version+".") {
			t.Errorf("cluster-autoscaler image %s, want the catalogue's %s", got, minor.ClusterAutoscaler.ImageTag.Value)
		}
		for _, w := range plan.Warnings {
			if strings.HasPrefix(w, "eks-platform:kubernetesVersion ") {
				t.Errorf("minor warning: %s", w)
			}
		}
	})
}

// The longest names config accepts (a clusterName that makes <clusterName>-<suffix> 40
// characters, a 12-character suffix) pass every component's name-length guard: IAM role names
// (64), node group name prefixes (37), the backup bucket (63). Were one of them stricter, a stack
// file could pass validation and fail half-way through registration (C4, issue 15).
func TestLongestAcceptedNamesBuild(t *testing.T) {
	v := values(t, "dev")
	v[config.Key("environmentSuffix")] = "abcdefghijkl"
	v[config.Key("clusterName")] = strings.Repeat("c", 27)
	_, cfg, err := planner.Plan(planner.Request{Root: projectRoot(t), Stack: "dev", Today: testDay,
		Change: func(values map[string]string) { maps.Copy(values, v) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ClusterName) != 40 {
		t.Fatalf("cluster name %q is %d characters, want the longest accepted (40)", cfg.ClusterName, len(cfg.ClusterName))
	}
}

// A workload namespace can never be one the platform creates or installs into: every namespace
// the program uses, other than the workload namespaces, is in config.ReservedNamespaces, which
// config validation refuses as a workload namespace (issue 15).
func TestPlatformNamespacesAreReserved(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		used := map[string]bool{}
		for _, ns := range plan.ByType("kubernetes:core/v1:Namespace") {
			used[ns.String("metadata.name")] = true
		}
		for _, release := range plan.ByType("kubernetes:helm.sh/v3:Release") {
			used[release.String("namespace")] = true
		}
		if len(used) < 3 {
			t.Fatalf("found only namespaces %v; the plan query is wrong", used)
		}
		for ns := range used {
			if !slices.Contains(cfg.Workloads.Namespaces, ns) && !slices.Contains(config.ReservedNamespaces, ns) {
				t.Errorf("namespace %q is used by the platform but not in config.ReservedNamespaces", ns)
			}
		}
	})
}

// The edges of what config validation accepts build end to end: no component refuses a value
// config allows (the dual of BadConfigs, issue 15). azCount stops at 5 because the mocked
// region has five zones EKS supports (use1-az3 is not one of them).
func TestAcceptedEdgesBuild(t *testing.T) {
	for _, edge := range []struct {
		name string
		set  map[string]string
	}{
		{"widest network", map[string]string{
			"eks-platform:azCount": "5", "eks-platform:natGatewayCount": "5", "eks-platform:vpcCidr": "10.0.0.0/16",
			"eks-platform:privateSubnetCidrs": `["10.0.0.0/19","10.0.32.0/19","10.0.64.0/19","10.0.96.0/19","10.0.128.0/19"]`,
			"eks-platform:publicSubnetCidrs":  `["10.0.160.0/24","10.0.161.0/24","10.0.162.0/24","10.0.163.0/24","10.0.164.0/24"]`,
			"eks-platform:interfaceEndpoints": `["autoscaling","ebs","ec2","ec2messages","ecr.api","ecr.dkr","eks","eks-auth","elasticloadbalancing","kms","logs","monitoring","secretsmanager","ssm","ssmmessages","sts"]`,
		}},
		{"smallest network", map[string]string{
			"eks-platform:vpcCidr": "10.0.0.0/24", "eks-platform:azCount": "2", "eks-platform:natGatewayCount": "1", "eks-platform:interfaceEndpointAzCount": "1",
			"eks-platform:privateSubnetCidrs": `["10.0.0.0/26","10.0.0.64/26"]`,
			"eks-platform:publicSubnetCidrs":  `["10.0.0.128/28","10.0.0.144/28"]`,
		}},
		{"highest numbers", map[string]string{
			"eks-platform:kmsDeletionWindowDays": "30", "eks-platform:logRetentionDays": "3653",
			"eks-platform:nodeOsVolumeGiB": "16", "eks-platform:nodeDataVolumeGiB": "1000",
			"eks-platform:nodeMaxUnavailablePercent": "100", "eks-platform:podRestartAlarmThreshold": "1000",
			"eks-platform:nodeCpuAlarmPercent": "99", "eks-platform:nodeMemoryAlarmPercent": "99",
			"eks-platform:backupRetentionDays": "3650", "eks-platform:namespaceQuotaPods": "100000",
		}},
		{"lowest numbers", map[string]string{
			"eks-platform:kmsDeletionWindowDays": "7", "eks-platform:logRetentionDays": "1",
			"eks-platform:nodeOsVolumeGiB": "4", "eks-platform:nodeDataVolumeGiB": "20",
			"eks-platform:nodeMaxUnavailablePercent": "1", "eks-platform:podRestartAlarmThreshold": "1",
			"eks-platform:nodeCpuAlarmPercent": "1", "eks-platform:nodeMemoryAlarmPercent": "1",
			"eks-platform:backupRetentionDays": "2", "eks-platform:namespaceQuotaPods": "1",
		}},
		{"large node groups", map[string]string{
			"eks-platform:systemNodesMinSize": "400", "eks-platform:systemNodesDesiredSize": "400", "eks-platform:systemNodesMaxSize": "450",
			"eks-platform:appNodesMinSize": "400", "eks-platform:appNodesDesiredSize": "450", "eks-platform:appNodesMaxSize": "450",
			"eks-platform:gpuNodesMinSize": "450", "eks-platform:gpuNodesDesiredSize": "450", "eks-platform:gpuNodesMaxSize": "450",
		}},
		{"equal quantities in mixed units", map[string]string{
			"eks-platform:containerDefaultCpuRequest": ".5", "eks-platform:containerDefaultCpuLimit": "500m",
			"eks-platform:namespaceQuotaCpu":             "0.5",
			"eks-platform:containerDefaultMemoryRequest": "1Gi", "eks-platform:containerDefaultMemoryLimit": "1073741824",
			"eks-platform:namespaceQuotaMemory": "1024Mi",
		}},
		{"access at its limits", map[string]string{
			"eks-platform:publicAccessCidrs":  `["198.51.0.0/24","198.51.1.0/24","198.51.2.0/24","198.51.3.0/24","198.51.4.0/24","198.51.5.0/24","198.51.6.0/24","198.51.7.0/24","198.51.8.0/24","198.51.9.0/24","198.51.10.0/24","198.51.11.0/24","198.51.12.0/24","198.51.13.0/24","198.51.14.0/24","198.51.15.0/24","198.51.16.0/24","198.51.17.0/24","198.51.18.0/24","198.51.19.0/24","198.51.20.0/24","198.51.21.0/24","198.51.22.0/24","198.51.23.0/24","198.51.24.0/24","198.51.25.0/24","198.51.26.0/24","198.51.27.0/24","198.51.28.0/24","198.51.29.0/24","198.51.30.0/24","198.51.31.0/24","198.51.32.0/24","198.51.33.0/24","198.51.34.0/24","198.51.35.0/24","198.51.36.0/24","198.51.37.0/24","198.51.38.0/24","198.51.39.0/24"]`,
			"eks-platform:privateAccessCidrs": `["10.0.0.0/8"]`,
			"eks-platform:adminPrincipalArns": `["arn:aws:iam::123456789012:role/platform/admins","arn:aws:iam::123456789012:user/platform/admins"]`,
		}},
		{"longest namespace", map[string]string{"eks-platform:workloadNamespaces": `["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b","team-b"]`}},
		{"weekday backups", map[string]string{"eks-platform:backupSchedule": "*/30 1-5 * * 1-5", "eks-platform:backupRetentionDays": "3"}},
	} {
		t.Run(edge.name, func(t *testing.T) {
			if _, err := planWith(t, "dev", func(v map[string]string) { maps.Copy(v, edge.set) }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Issue 19: the cluster depends on everything that carries the deployer to its API (the 443 rules,
// the transit gateway attachment and routes), so a destroy deletes every Kubernetes object, which
// goes before the cluster, while the deployer still reaches the API.
func TestClusterOutlivesTheDeployerPath(t *testing.T) {
	forEachStack(t, func(t *testing.T, cfg *config.Config, plan *offline.Plan) {
		clusters := plan.ByType("eks:index:Cluster")
		if len(clusters) != 1 {
			t.Fatalf("%d pulumi-eks clusters", len(clusters))
		}
		var path []offline.Resource
		path = append(path, plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule")...)
		path = append(path, plan.ByType("aws:ec2transitgateway/vpcAttachment:VpcAttachment")...)
		for _, route := range plan.ByType("aws:ec2/route:Route") {
			if strings.Contains(route.Name, "-deployer-") {
				path = append(path, route)
			}
		}
		if want := len(cfg.Network.Deployer.Cidrs) + len(cfg.Cluster.PrivateAccessCidrs); len(plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule")) != want {
			t.Errorf("%d API access rules, want %d", len(plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule")), want)
		}
		for _, r := range path {
			if !slices.Contains(clusters[0].Dependencies, r.URN) {
				t.Errorf("the cluster does not depend on %s", r.Name)
			}
		}
	})
}
