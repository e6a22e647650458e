package platform

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/nodegroups"
	"github.com/acme/eks-platform/security"
)

const (
	testCluster = "eks-platform-dev"
	testRegion  = "eu-west-1"
	testVpc     = "vpc-0123456789abcdef0"
	testKeyArn  = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testOidcArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	testOidcUrl = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	// testNodeGroupPrefix is the app group's name prefix, what the stack passes as preferred group.
	testNodeGroupPrefix = "app-nodes-dev-"
	testPlugin          = "velero/velero-plugin-for-aws:v1.12.0"

	releaseType     = "kubernetes:helm.sh/v3:Release"
	namespaceType   = "kubernetes:core/v1:Namespace"
	secretStoreType = "kubernetes:external-secrets.io/v1:ClusterSecretStore"
	nodeGroupType   = "aws:eks/nodeGroup:NodeGroup"
	addonType       = "aws:eks/addon:Addon"
)

// Each controller gets a different fake role, so a release annotated with another's role fails.
var testRoleArns = map[string]string{
	security.RoleClusterAutoscaler:      "arn:aws:iam::123456789012:role/test-autoscaler",
	security.RoleLoadBalancerController: "arn:aws:iam::123456789012:role/test-alb",
	security.RoleExternalSecrets:        "arn:aws:iam::123456789012:role/test-eso",
}

// Each chart gets its own repository and version, so a release pinned from another key fails.
var testCharts = map[string]Chart{
	ChartClusterAutoscaler:         {"https://charts.test/autoscaler", "9.46.6"},
	ChartAwsLoadBalancerController: {"https://charts.test/eks", "1.13.2"},
	ChartExternalSecrets:           {"https://charts.test/eso", "0.17.0"},
	ChartMetricsServer:             {"https://charts.test/metrics", "3.12.2"},
	ChartVelero:                    {"https://charts.test/velero", "10.0.4"},
}

var testWorkloadNamespaces = []string{"apps", "payments"}

func validArgs() *Args {
	roles := map[string]pulumi.StringInput{}
	for key, arn := range testRoleArns {
		roles[key] = pulumi.String(arn)
	}
	charts := map[string]Chart{}
	for key, chart := range testCharts {
		charts[key] = chart
	}
	return &Args{
		Environment:                   "dev",
		ClusterName:                   testCluster,
		Region:                        testRegion,
		KubernetesVersion:             "1.33",
		ClusterAutoscalerImageTag:     "v1.33.6",
		VpcId:                         pulumi.String(testVpc),
		RoleArns:                      roles,
		OidcProviderArn:               pulumi.String(testOidcArn),
		OidcProviderUrl:               pulumi.String(testOidcUrl),
		DataKmsKeyArn:                 pulumi.String(testKeyArn),
		HighAvailability:              true,
		Charts:                        charts,
		PreferredNodeGroupNames:       pulumi.ToStringArray([]string{testNodeGroupPrefix}),
		ScaleDownUnneededTime:         "10m",
		ScaleDownUtilizationThreshold: "0.5",
		WorkloadNamespaces:            testWorkloadNamespaces,
		VeleroAwsPluginImage:          testPlugin,
		BackupSchedule:                "0 3 * * *",
		BackupRetentionDays:           30,
		AccessLogRetentionDays:        90,
		Labels:                        map[string]string{"CostCenter": "platform-engineering"},
		LoadBalancerTags:              map[string]string{"CostCenter": "platform-engineering", "ManagedBy": "aws-load-balancer-controller"},
	}
}

// program builds a stand-in node group (what the root passes in DependsOn) and snapshot
// controller add-on (SnapshotCRDs), then the component.
func program(mutate func(*Args)) func(ctx *pulumi.Context) (*Platform, error) {
	return func(ctx *pulumi.Context) (*Platform, error) {
		ng, err := eks.NewNodeGroup(ctx, "stand-in-nodes", &eks.NodeGroupArgs{
			ClusterName: pulumi.String(testCluster),
			NodeRoleArn: pulumi.String("arn:aws:iam::123456789012:role/node-dev"),
			SubnetIds:   pulumi.StringArray{pulumi.String("subnet-1")},
			ScalingConfig: eks.NodeGroupScalingConfigArgs{
				MinSize: pulumi.Int(1), DesiredSize: pulumi.Int(1), MaxSize: pulumi.Int(2),
			},
		})
		if err != nil {
			return nil, err
		}
		snapshotController, err := eks.NewAddon(ctx, "stand-in-snapshot-controller", &eks.AddonArgs{
			ClusterName: pulumi.String(testCluster),
			AddonName:   pulumi.String("snapshot-controller"),
		})
		if err != nil {
			return nil, err
		}
		args := validArgs()
		args.DependsOn = []pulumi.Resource{ng}
		args.SnapshotCRDs = snapshotController
		if mutate != nil {
			mutate(args)
		}
		return New(ctx, "platform-dev", args)
	}
}

func plan(t *testing.T, mutate func(*Args)) *offline.Plan {
	t.Helper()
	build := program(mutate)
	return offline.MustRunComponent(t, "dev", func(ctx *pulumi.Context) error {
		_, err := build(ctx)
		return err
	})
}

// valueAt walks a release's values by keys, which may contain dots ("eks.amazonaws.com/role-arn").
func valueAt(r offline.Resource, path ...string) any {
	var cur any = r.Inputs["values"]
	for _, key := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	return cur
}

func valueString(t *testing.T, r offline.Resource, path ...string) string {
	t.Helper()
	s, ok := valueAt(r, path...).(string)
	if !ok {
		t.Fatalf("%s: values.%s = %#v, want a string", r.Name, strings.Join(path, "."), valueAt(r, path...))
	}
	return s
}

func release(t *testing.T, p *offline.Plan, releaseName string) offline.Resource {
	t.Helper()
	return offline.MustGet(t, p, releaseType, releaseName+"-dev")
}

// P1: every release installs its own chart at the version and from the repository given for it,
// atomically, with a bounded timeout.
func TestReleasesPinChartVersionAndRepositoryFromArgs(t *testing.T) {
	p := plan(t, nil)
	cases := []struct{ release, chartKey, chart, namespace string }{
		{releaseClusterAutoscaler, ChartClusterAutoscaler, "cluster-autoscaler", "kube-system"},
		{releaseLoadBalancerController, ChartAwsLoadBalancerController, "aws-load-balancer-controller", "kube-system"},
		{releaseExternalSecrets, ChartExternalSecrets, "external-secrets", "external-secrets"},
		{releaseMetricsServer, ChartMetricsServer, "metrics-server", "kube-system"},
		{releaseVelero, ChartVelero, "velero", "velero"},
	}
	if got := len(p.ByType(releaseType)); got != len(cases) {
		t.Fatalf("got %d releases, want %d", got, len(cases))
	}
	for _, c := range cases {
		r := release(t, p, c.release)
		want := testCharts[c.chartKey]
		if r.String("version") != want.Version || r.String("repositoryOpts.repo") != want.Repository {
			t.Errorf("%s: chart %s from %s, want %s from %s", c.release,
				r.String("version"), r.String("repositoryOpts.repo"), want.Version, want.Repository)
		}
		if r.String("chart") != c.chart || r.String("name") != c.release || r.String("namespace") != c.namespace {
			t.Errorf("%s: chart %q name %q namespace %q", c.release, r.String("chart"), r.String("name"), r.String("namespace"))
		}
		if r.Input("atomic") != true || r.Input("cleanupOnFail") != true {
			t.Errorf("%s: atomic=%v cleanupOnFail=%v, want both true", c.release, r.Input("atomic"), r.Input("cleanupOnFail"))
		}
		if timeout, _ := r.Input("timeout").(float64); timeout <= 0 || timeout > 900 {
			t.Errorf("%s: timeout %v, want a bounded positive number of seconds", c.release, r.Input("timeout"))
		}
	}
}

// P1, S3: each service account has the exact name its IRSA role trusts and is annotated with that
// role, not another controller's.
func TestServiceAccountsCarryTheirOwnRole(t *testing.T) {
	p := plan(t, nil)
	cases := []struct {
		release, name, roleArn string
		path                   []string
	}{
		{releaseClusterAutoscaler, security.ServiceAccountClusterAutoscaler, testRoleArns[security.RoleClusterAutoscaler], []string{"rbac", "serviceAccount"}},
		{releaseLoadBalancerController, security.ServiceAccountLoadBalancerController, testRoleArns[security.RoleLoadBalancerController], []string{"serviceAccount"}},
		{releaseExternalSecrets, security.ServiceAccountExternalSecrets, testRoleArns[security.RoleExternalSecrets], []string{"serviceAccount"}},
		{releaseVelero, VeleroServiceAccount, "arn:aws:iam::123456789012:role/velero-dev", []string{"serviceAccount", "server"}},
	}
	for _, c := range cases {
		r := release(t, p, c.release)
		sa := func(key ...string) any { return valueAt(r, append(append([]string{}, c.path...), key...)...) }
		if sa("name") != c.name || sa("create") != true {
			t.Errorf("%s: service account name %v (create %v), want %q created", c.release, sa("name"), sa("create"), c.name)
		}
		if got := sa("annotations", roleArnAnnotation); got != c.roleArn {
			t.Errorf("%s: role annotation %v, want %s", c.release, got, c.roleArn)
		}
	}
	if got := valueAt(release(t, p, releaseMetricsServer), "serviceAccount", "annotations"); got != nil {
		t.Errorf("metrics-server calls no AWS API but its service account is annotated: %v", got)
	}
}

// podPaths lists every Deployment of each chart by where its settings sit in the values.
var podPaths = map[string][][]string{
	releaseClusterAutoscaler:      {nil},
	releaseLoadBalancerController: {nil},
	releaseExternalSecrets:        {nil, {"webhook"}, {"certController"}},
	releaseMetricsServer:          {nil},
	releaseVelero:                 {nil},
}

// P1: every controller pod runs on the system node group with requests and limits, and the P1
// controllers with the system priority class.
func TestEveryPodRunsOnSystemNodesWithRequestsAndLimits(t *testing.T) {
	p := plan(t, nil)
	for releaseName, paths := range podPaths {
		r := release(t, p, releaseName)
		for _, path := range paths {
			at := func(key ...string) any { return valueAt(r, append(append([]string{}, path...), key...)...) }
			where := releaseName + strings.Join(append([]string{""}, path...), ".")
			if got := at("nodeSelector", nodegroups.RoleLabelKey); got != "system" {
				t.Errorf("%s: nodeSelector %s=%v, want system", where, nodegroups.RoleLabelKey, got)
			}
			for _, kind := range []string{"requests", "limits"} {
				for _, resource := range []string{"cpu", "memory"} {
					if s, _ := at("resources", kind, resource).(string); s == "" {
						t.Errorf("%s: resources.%s.%s is not set", where, kind, resource)
					}
				}
			}
			wantPriority := "system-cluster-critical"
			if releaseName == releaseVelero {
				wantPriority = ""
			}
			if got, _ := at("priorityClassName").(string); got != wantPriority {
				t.Errorf("%s: priorityClassName %q, want %q", where, got, wantPriority)
			}
		}
	}
}

// P1: with HighAvailability every controller that may run twice has two replicas and a PDB that
// keeps one up; without it one replica and no PDB that could block a drain.
func TestReplicasAndDisruptionBudgetsFollowHighAvailability(t *testing.T) {
	cases := []struct {
		release    string
		path       []string
		replicaKey string
		// budgetKey is what says whether the chart renders a PDB; budgetHA and budgetSingle are
		// its expected values with and without HighAvailability.
		budgetKey              []string
		budgetHA, budgetSingle any
		replicasHA             float64
	}{
		{releaseClusterAutoscaler, nil, "replicaCount", []string{"podDisruptionBudget", "maxUnavailable"}, float64(1), nil, 2},
		{releaseLoadBalancerController, nil, "replicaCount", []string{"podDisruptionBudget", "maxUnavailable"}, float64(1), nil, 2},
		{releaseExternalSecrets, nil, "replicaCount", []string{"podDisruptionBudget", "enabled"}, true, false, 2},
		{releaseExternalSecrets, []string{"webhook"}, "replicaCount", []string{"podDisruptionBudget", "enabled"}, true, false, 2},
		// No leader election: one replica and no PDB either way.
		{releaseExternalSecrets, []string{"certController"}, "replicaCount", []string{"podDisruptionBudget"}, nil, nil, 1},
		{releaseMetricsServer, nil, "replicas", []string{"podDisruptionBudget", "enabled"}, true, false, 2},
		{releaseVelero, nil, "replicaCount", []string{"podDisruptionBudget"}, nil, nil, 0},
	}
	for _, ha := range []bool{true, false} {
		p := plan(t, func(a *Args) { a.HighAvailability = ha })
		for _, c := range cases {
			r := release(t, p, c.release)
			at := func(key ...string) any { return valueAt(r, append(append([]string{}, c.path...), key...)...) }
			where := c.release + strings.Join(append([]string{""}, c.path...), ".")
			wantReplicas, wantBudget := any(c.replicasHA), c.budgetHA
			if !ha {
				wantReplicas, wantBudget = float64(1), c.budgetSingle
			}
			if c.replicasHA == 0 {
				wantReplicas = nil // the chart has no replica setting
			}
			if got := at(c.replicaKey); got != wantReplicas {
				t.Errorf("HA=%v %s: %s = %v, want %v", ha, where, c.replicaKey, got, wantReplicas)
			}
			if got := at(c.budgetKey...); got != wantBudget {
				t.Errorf("HA=%v %s: %s = %v, want %v", ha, where, strings.Join(c.budgetKey, "."), got, wantBudget)
			}
		}
		// Two external-secrets controllers must elect a leader or both reconcile every secret.
		if got := valueAt(release(t, p, releaseExternalSecrets), "leaderElect"); got != ha {
			t.Errorf("HA=%v: external-secrets leaderElect = %v", ha, got)
		}
	}
}

// P1: releases wait for the nodes and add-ons, and everything after the load balancer controller
// waits for it, because its Service webhook fails closed.
func TestReleasesWaitForNodesAndTheLoadBalancerWebhook(t *testing.T) {
	p := plan(t, nil)
	nodes := offline.MustGet(t, p, nodeGroupType, "stand-in-nodes")
	alb := release(t, p, releaseLoadBalancerController)
	for _, r := range p.ByType(releaseType) {
		if !r.DependsOn(nodes.URN) {
			t.Errorf("%s does not wait for the node groups", r.Name)
		}
		if r.URN != alb.URN && !r.DependsOn(alb.URN) {
			t.Errorf("%s does not wait for the load balancer controller", r.Name)
		}
	}
	if alb.DependsOn(release(t, p, releaseClusterAutoscaler).URN) {
		t.Error("the load balancer controller must not wait for other releases")
	}
}

// S4: the namespaces created here enforce restricted Pod Security, pinned to the cluster version,
// carry the cost labels, and come before their releases.
func TestControllerNamespacesEnforceRestrictedPodSecurity(t *testing.T) {
	p := plan(t, nil)
	for _, c := range []struct{ namespace, release string }{
		{security.NamespaceExternalSecrets, releaseExternalSecrets},
		{VeleroNamespace, releaseVelero},
	} {
		ns := offline.MustGet(t, p, namespaceType, c.namespace+"-namespace-dev")
		if ns.String("metadata.name") != c.namespace {
			t.Errorf("namespace named %q, want %q", ns.String("metadata.name"), c.namespace)
		}
		labels, _ := ns.Input("metadata.labels").(map[string]any)
		want := map[string]any{
			security.LabelPodSecurityEnforce:    "restricted",
			security.LabelPodSecurityEnforceVer: "v1.33",
			security.LabelPodSecurityAudit:      "restricted",
			security.LabelPodSecurityWarn:       "restricted",
			"CostCenter":                        "platform-engineering",
		}
		for key, value := range want {
			if labels[key] != value {
				t.Errorf("%s: label %s = %v, want %v", c.namespace, key, labels[key], value)
			}
		}
		if !release(t, p, c.release).DependsOn(ns.URN) {
			t.Errorf("release %s does not wait for its namespace", c.release)
		}
	}
	if n := len(p.ByType(namespaceType)); n != 2 {
		t.Errorf("got %d namespaces, want 2 (kube-system is not created)", n)
	}
}

// P1: the autoscaler discovers this cluster's groups, balances similar ones, takes its scale-down
// settings from Args and prefers the spot app group over every other.
func TestClusterAutoscalerPrefersTheCheaperGroups(t *testing.T) {
	p := plan(t, nil)
	r := release(t, p, releaseClusterAutoscaler)
	want := map[string]any{
		"autoDiscovery.clusterName":                  testCluster,
		"awsRegion":                                  testRegion,
		"cloudProvider":                              "aws",
		"image.tag":                                  "v1.33.6",
		"extraArgs.balance-similar-node-groups":      true,
		"extraArgs.expander":                         "priority,least-waste",
		"extraArgs.scale-down-unneeded-time":         "10m",
		"extraArgs.scale-down-utilization-threshold": "0.5",
		"extraArgs.skip-nodes-with-system-pods":      true,
	}
	for path, value := range want {
		if got := valueAt(r, strings.Split(path, ".")...); got != value {
			t.Errorf("values.%s = %v, want %v", path, got, value)
		}
	}

	priorities, _ := valueAt(r, "expanderPriorities").(map[string]any)
	preferred, _ := priorities["50"].([]any)
	fallback, _ := priorities["10"].([]any)
	if len(preferred) != 1 || len(fallback) != 1 || fallback[0] != ".*" {
		t.Fatalf("expanderPriorities = %v, want the app group at 50 and everything at 10", priorities)
	}
	// EKS names a node group's Auto Scaling group "eks-<node group>-<uuid>"; the group's name is
	// its prefix plus the provider's 26-digit suffix, new with every replacement.
	pattern := regexp.MustCompile(preferred[0].(string))
	for asg, match := range map[string]bool{
		"eks-app-nodes-dev-20250101120000000000000001-4ec8e2b1-6f3a-9c1d-2b7e-0a1b2c3d4e5f":    true,
		"eks-app-nodes-dev-20250301090000000000000007-5fd9f3c2-7a4b-0d2e-3c8f-1b2c3d4e5f60":    true,
		"eks-system-nodes-dev-20250101120000000000000002-4ec8e2b1-6f3a-9c1d-2b7e-0a1b2c3d4e5f": false,
		"eks-app-nodes-dev2-20250101120000000000000003-4ec8e2b1-6f3a-9c1d-2b7e-0a1b2c3d4e5f":   false,
	} {
		if pattern.MatchString(asg) != match {
			t.Errorf("preferred pattern %s matches %s: %v, want %v", pattern, asg, !match, match)
		}
	}
}

// A fixed node group name and its name prefix select the same Auto Scaling groups.
func TestExpanderPrioritiesAcceptNameOrPrefix(t *testing.T) {
	byName, byPrefix := expanderPriorities([]string{"app-nodes-dev"}), expanderPriorities([]string{"app-nodes-dev-"})
	if !reflect.DeepEqual(byName, byPrefix) || byPrefix["50"][0] != "^eks-app-nodes-dev-" {
		t.Errorf("by name %v, by prefix %v, want both ^eks-app-nodes-dev- at 50", byName, byPrefix)
	}
}

// Without preferred groups there is nothing to rank: least-waste alone, no priority ConfigMap.
func TestClusterAutoscalerWithoutPreferenceUsesLeastWaste(t *testing.T) {
	p := plan(t, func(a *Args) { a.PreferredNodeGroupNames = nil })
	r := release(t, p, releaseClusterAutoscaler)
	if got := valueAt(r, "extraArgs", "expander"); got != "least-waste" {
		t.Errorf("expander = %v, want least-waste", got)
	}
	if got := valueAt(r, "expanderPriorities"); got != nil {
		t.Errorf("expanderPriorities = %v, want none", got)
	}
	if got := expanderPriorities(nil); len(got) != 1 || got["10"][0] != ".*" {
		t.Errorf("expanderPriorities(nil) = %v, want only the fallback level", got)
	}
}

// P1: the load balancer controller is told cluster, region and VPC (no IMDS lookups); C5: it tags
// its load balancers with the cost tags.
func TestLoadBalancerControllerNeedsNoInstanceMetadata(t *testing.T) {
	r := release(t, plan(t, nil), releaseLoadBalancerController)
	if got := valueString(t, r, "defaultTags", "CostCenter"); got != "platform-engineering" {
		t.Errorf("values.defaultTags.CostCenter = %q", got)
	}
	if got := valueString(t, r, "defaultTags", "ManagedBy"); got != "aws-load-balancer-controller" {
		t.Errorf("values.defaultTags.ManagedBy = %q: its load balancers are in no Pulumi state", got)
	}
	for key, want := range map[string]string{"clusterName": testCluster, "region": testRegion, "vpcId": testVpc} {
		if got := valueString(t, r, key); got != want {
			t.Errorf("values.%s = %q, want %q", key, got, want)
		}
	}
}

// P1: external-secrets installs its CRDs; the ClusterSecretStore reads Secrets Manager in this
// region as the controller's IRSA service account, serves only the workload namespaces, and
// waits for the release that installs its CRD.
func TestClusterSecretStoreUsesTheControllersRoleInThisRegion(t *testing.T) {
	p := plan(t, nil)
	if got := valueAt(release(t, p, releaseExternalSecrets), "installCRDs"); got != true {
		t.Errorf("installCRDs = %v, want true", got)
	}
	stores := p.ByType(secretStoreType)
	if len(stores) != 1 {
		t.Fatalf("got %d ClusterSecretStores, want 1", len(stores))
	}
	s := stores[0]
	want := map[string]string{
		"metadata.name":                                          SecretStoreName,
		"spec.provider.aws.service":                              "SecretsManager",
		"spec.provider.aws.region":                               testRegion,
		"spec.provider.aws.auth.jwt.serviceAccountRef.name":      security.ServiceAccountExternalSecrets,
		"spec.provider.aws.auth.jwt.serviceAccountRef.namespace": security.NamespaceExternalSecrets,
	}
	for path, value := range want {
		if got := s.String(path); got != value {
			t.Errorf("%s = %q, want %q", path, got, value)
		}
	}
	if got := s.Strings("spec.conditions.0.namespaces"); strings.Join(got, ",") != strings.Join(testWorkloadNamespaces, ",") {
		t.Errorf("store usable from %v, want %v", got, testWorkloadNamespaces)
	}
	if !s.DependsOn(release(t, p, releaseExternalSecrets).URN) {
		t.Error("the ClusterSecretStore does not wait for the external-secrets release (CRDs)")
	}
}

// X1: the component exports the bucket, the Velero role and every release's status.
func TestOutputs(t *testing.T) {
	build := program(nil)
	p, err := offline.Run(offline.Options{Project: "eks-platform", Stack: "dev"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		comp, err := build(ctx)
		if err != nil {
			return nil, err
		}
		return pulumi.Map{
			"bucket":   comp.BackupBucketName,
			"role":     comp.VeleroRoleArn,
			"statuses": comp.ReleaseStatuses,
			"store":    comp.ClusterSecretStoreName,
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Outputs["bucket"]; got != "velero-eks-platform-dev-123456789012" {
		t.Errorf("bucket = %v", got)
	}
	if got := p.Outputs["role"]; got != "arn:aws:iam::123456789012:role/velero-dev" {
		t.Errorf("role = %v", got)
	}
	if got := p.Outputs["store"]; got != SecretStoreName {
		t.Errorf("store = %v", got)
	}
	statuses := fmt.Sprint(p.Outputs["statuses"])
	want := "map[aws-load-balancer-controller:deployed cluster-autoscaler:deployed external-secrets:deployed " +
		"metrics-server:deployed velero:deployed]"
	if statuses != want {
		t.Errorf("release statuses = %s, want %s", statuses, want)
	}
}

// Every resource belongs to the component (the Velero role's own children to its IRSA role).
func TestAllChildrenAreParentedToTheComponent(t *testing.T) {
	p := plan(t, nil)
	comps := p.ByType(componentType)
	if len(comps) != 1 {
		t.Fatalf("want one component, got %d", len(comps))
	}
	role := offline.MustGet(t, p, "eks-platform:security:IRSARole", "velero-dev")
	for _, r := range p.Resources {
		switch {
		case r.Type == nodeGroupType, r.Type == addonType, r.URN == comps[0].URN, strings.HasPrefix(r.Type, "pulumi:"), r.Parent == role.URN:
			continue
		case r.Parent != comps[0].URN:
			t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
		}
	}
}

// C4: wiring mistakes fail before anything is registered, naming the field.
func TestValidationNamesTheMissingField(t *testing.T) {
	cases := map[string]func(*Args){
		"Environment":                   func(a *Args) { a.Environment = "" },
		"ClusterName":                   func(a *Args) { a.ClusterName = "" },
		"Region":                        func(a *Args) { a.Region = "" },
		"VpcId":                         func(a *Args) { a.VpcId = nil },
		"OidcProviderArn":               func(a *Args) { a.OidcProviderArn = nil },
		"OidcProviderUrl":               func(a *Args) { a.OidcProviderUrl = nil },
		"DataKmsKeyArn":                 func(a *Args) { a.DataKmsKeyArn = nil },
		"ScaleDownUnneededTime":         func(a *Args) { a.ScaleDownUnneededTime = "" },
		"ScaleDownUtilizationThreshold": func(a *Args) { a.ScaleDownUtilizationThreshold = "" },
		"WorkloadNamespaces":            func(a *Args) { a.WorkloadNamespaces = nil },
		"VeleroAwsPluginImage":          func(a *Args) { a.VeleroAwsPluginImage = "" },
		"BackupSchedule":                func(a *Args) { a.BackupSchedule = "" },
		"DependsOn":                     func(a *Args) { a.DependsOn = nil },
		"SnapshotCRDs":                  func(a *Args) { a.SnapshotCRDs = nil },
		`RoleArns["external-secrets"]`:  func(a *Args) { delete(a.RoleArns, security.RoleExternalSecrets) },
		`Charts["velero"]`:              func(a *Args) { a.Charts[ChartVelero] = Chart{Repository: "https://x"} },
		"KubernetesVersion":             func(a *Args) { a.KubernetesVersion = "latest" },
		"BackupRetentionDays":           func(a *Args) { a.BackupRetentionDays = 0 },
		"lower-case letters":            func(a *Args) { a.ClusterName = "EKS-Platform-dev" },
		"S3 allows 63":                  func(a *Args) { a.ClusterName = strings.Repeat("a", 44) },
		"BackupCopy.KeyAdminRoleArns":   func(a *Args) { a.BackupCopy = &BackupCopy{Region: "us-west-2", KeyDeletionWindowDays: 30} },
		"BackupCopy.Provider": func(a *Args) {
			a.BackupCopy = &BackupCopy{Region: "us-west-2", KeyDeletionWindowDays: 30, KeyAdminRoleArns: testKeyAdmins}
		},
		"BackupCopy.AccountID": func(a *Args) {
			a.BackupCopy = &BackupCopy{Region: "us-west-2", AccountID: "9999-8888", KeyDeletionWindowDays: 30, KeyAdminRoleArns: testKeyAdmins}
		},
	}
	for want, mutate := range cases {
		build := program(mutate)
		p, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := build(ctx)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got error %v", want, err)
			continue
		}
		if n := len(p.ByType(componentType)); n != 0 {
			t.Errorf("%s: the component was registered before validation failed", want)
		}
	}
	if err := validate(nil); err == nil {
		t.Error("nil Args accepted")
	}
	// The longest cluster name that still fits: 7 + 43 + 1 + 12 = 63.
	if err := validate(func() *Args {
		a := validArgs()
		a.DependsOn = []pulumi.Resource{nil}
		a.SnapshotCRDs = &eks.Addon{}
		a.ClusterName = strings.Repeat("a", 43)
		return a
	}()); err != nil {
		t.Errorf("43-character cluster name refused: %v", err)
	}
}
