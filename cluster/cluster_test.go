package cluster

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	testKeyArn     = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testLogKeyArn  = "arn:aws:kms:us-east-1:123456789012:key/9876abcd-12ab-34cd-56ef-1234567890ab"
	adminRoleArn   = "arn:aws:iam::123456789012:role/platform/admins"
	adminUserArn   = "arn:aws:iam::123456789012:user/alice"
	eksType        = "eks:index:Cluster"
	logGroupType   = "aws:cloudwatch/logGroup:LogGroup"
	roleType       = "aws:iam/role:Role"
	k8sProvider    = "pulumi:providers:kubernetes"
	clusterLogical = "eks-dev"
)

func testArgs() *Args {
	return &Args{
		Environment:          "dev",
		ClusterName:          "eks-platform-dev",
		KubernetesVersion:    "1.33",
		UpgradeSupportType:   "STANDARD",
		Region:               "us-east-1",
		VpcId:                pulumi.String("vpc-123"),
		PrivateSubnetIds:     pulumi.ToStringArray([]string{"subnet-private-a", "subnet-private-b"}),
		PublicSubnetIds:      pulumi.ToStringArray([]string{"subnet-public-a", "subnet-public-b"}),
		SecretsKmsKeyArn:     pulumi.String(testKeyArn),
		LogKmsKeyArn:         pulumi.String(testLogKeyArn),
		EndpointPublicAccess: true,
		PublicAccessCidrs:    []string{"203.0.113.0/24", "198.51.100.7/32"},
		Access: []AccessGrant{
			{PrincipalArn: adminRoleArn, Tier: Admin},
			{PrincipalArn: adminUserArn, Tier: Admin},
		},
		LogRetentionDays: 30,
		Tags:             map[string]string{"Environment": "dev", "CostCenter": "platform"},
	}
}

// outputs are the component's outputs as seen after the run (secrets as "[secret]").
type outputs map[string]any

// runCluster builds the component under mocks and returns the plan, its outputs and the
// component itself (whose outputs have resolved once the run returns).
func runCluster(t *testing.T, args *Args) (*offline.Plan, outputs, *Cluster) {
	t.Helper()
	var comp *Cluster
	plan, err := offline.Run(offline.Options{Project: "eks-platform", Stack: "dev"},
		func(ctx *pulumi.Context) (pulumi.Map, error) {
			c, err := New(ctx, "cluster-dev", args)
			if err != nil {
				return nil, err
			}
			comp = c
			return pulumi.Map{
				"clusterName":              c.ClusterName,
				"endpoint":                 c.Endpoint,
				"arn":                      c.Arn,
				"certificateAuthority":     c.CertificateAuthority,
				"oidcProviderArn":          c.OidcProviderArn,
				"oidcProviderUrl":          c.OidcProviderUrl,
				"oidcIssuer":               c.OidcIssuer,
				"clusterSecurityGroupId":   c.ClusterSecurityGroupId,
				"controlPlaneLogGroupName": c.ControlPlaneLogGroupName,
				"kubeconfig":               c.Kubeconfig,
				"updateKubeconfigCommand":  c.UpdateKubeconfigCommand,
			}, nil
		})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return plan, outputs(plan.Outputs), comp
}

func eksCluster(t *testing.T, plan *offline.Plan) offline.Resource {
	t.Helper()
	return offline.MustGet(t, plan, eksType, clusterLogical)
}

func TestK1ClusterIsPrivateNodeEksWithoutDefaultNodeGroup(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	c := eksCluster(t, plan)
	role := offline.MustGet(t, plan, roleType, "eks-cluster-role-dev")

	checks := map[string]any{
		"name":                         "eks-platform-dev",
		"version":                      "1.33",
		"vpcId":                        "vpc-123",
		"skipDefaultNodeGroup":         true,
		"useDefaultVpcCni":             true,
		"createOidcProvider":           true,
		"nodeAssociatePublicIpAddress": false,
		"serviceRole":                  role.URN,
		"tags.CostCenter":              "platform",
		"clusterTags.Name":             "eks-platform-dev",
	}
	for path, want := range checks {
		if got := c.Input(path); got != want {
			t.Errorf("eks cluster %s = %v, want %v", path, got, want)
		}
	}
	if got := c.Strings("privateSubnetIds"); !reflect.DeepEqual(got, []string{"subnet-private-a", "subnet-private-b"}) {
		t.Errorf("privateSubnetIds = %v", got)
	}
	if got := c.Strings("publicSubnetIds"); !reflect.DeepEqual(got, []string{"subnet-public-a", "subnet-public-b"}) {
		t.Errorf("publicSubnetIds = %v", got)
	}
	// An absent list would make pulumi-eks create a node role with the CNI policy (K3, G3).
	if got, ok := c.Input("instanceRoles").([]any); !ok || len(got) != 0 {
		t.Errorf("instanceRoles = %#v, want an empty list", c.Input("instanceRoles"))
	}
}

func TestS1K1SecretsAreEncryptedWithTheKey(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	if got := eksCluster(t, plan).String("encryptionConfigKeyArn"); got != testKeyArn {
		t.Errorf("encryptionConfigKeyArn = %q, want %q", got, testKeyArn)
	}
}

func TestK2AllFiveControlPlaneLogTypesAreEnabled(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	got := eksCluster(t, plan).Strings("enabledClusterLogTypes")
	sort.Strings(got)
	want := []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("enabledClusterLogTypes = %v, want %v", got, want)
	}
}

func TestK2LogGroupExistsBeforeTheClusterWithRetentionAndKey(t *testing.T) {
	plan, out, _ := runCluster(t, testArgs())
	logGroup := offline.MustGet(t, plan, logGroupType, "eks-control-plane-logs-dev")

	if got := logGroup.String("name"); got != "/aws/eks/eks-platform-dev/cluster" {
		t.Errorf("log group name = %q, want the name EKS writes to", got)
	}
	if got := logGroup.Input("retentionInDays"); got != float64(30) {
		t.Errorf("retentionInDays = %v, want 30", got)
	}
	if got := logGroup.String("kmsKeyId"); got != testLogKeyArn {
		t.Errorf("kmsKeyId = %q, want the logs key (issue 22)", got)
	}
	if !eksCluster(t, plan).DependsOn(logGroup.URN) {
		t.Errorf("the cluster does not depend on the log group: EKS would create it first, unencrypted")
	}
	if got := out["controlPlaneLogGroupName"]; got != "/aws/eks/eks-platform-dev/cluster" {
		t.Errorf("ControlPlaneLogGroupName = %v", got)
	}
}

func TestS2PrivateEndpointOnAndPublicCidrsExactlyAsConfigured(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	c := eksCluster(t, plan)
	if c.Input("endpointPrivateAccess") != true {
		t.Errorf("endpointPrivateAccess = %v, want true", c.Input("endpointPrivateAccess"))
	}
	if c.Input("endpointPublicAccess") != true {
		t.Errorf("endpointPublicAccess = %v, want true", c.Input("endpointPublicAccess"))
	}
	if got := c.Strings("publicAccessCidrs"); !reflect.DeepEqual(got, []string{"203.0.113.0/24", "198.51.100.7/32"}) {
		t.Errorf("publicAccessCidrs = %v, want the configured list", got)
	}
	for _, r := range plan.Resources {
		if path := findOpenCidr(r.Inputs, r.Type); path != "" {
			t.Errorf("%s sends an open CIDR at %s", r.Name, path)
		}
	}
}

func TestS2PublicEndpointOffSendsNoCidrs(t *testing.T) {
	args := testArgs()
	args.EndpointPublicAccess = false
	plan, _, _ := runCluster(t, args)
	c := eksCluster(t, plan)
	if c.Input("endpointPublicAccess") != false {
		t.Errorf("endpointPublicAccess = %v, want false", c.Input("endpointPublicAccess"))
	}
	if c.Input("endpointPrivateAccess") != true {
		t.Errorf("endpointPrivateAccess = %v, want true", c.Input("endpointPrivateAccess"))
	}
	if got, ok := c.Inputs["publicAccessCidrs"]; ok {
		t.Errorf("publicAccessCidrs = %v sent with public access off", got)
	}
}

// findOpenCidr returns the path of any 0.0.0.0/0 or ::/0 in v.
func findOpenCidr(v any, path string) string {
	switch node := v.(type) {
	case string:
		if node == "0.0.0.0/0" || node == "::/0" {
			return path
		}
	case map[string]any:
		for k, child := range node {
			if p := findOpenCidr(child, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for _, child := range node {
			if p := findOpenCidr(child, path+"[]"); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestFindOpenCidrSeesNestedValues(t *testing.T) {
	inputs := map[string]any{"a": []any{map[string]any{"b": "::/0"}}}
	if findOpenCidr(inputs, "r") == "" {
		t.Fatal("findOpenCidr missed a nested ::/0, so the S2 test could not fail")
	}
}

func TestK1AccessEntriesGiveEachAdminClusterAdmin(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	c := eksCluster(t, plan)
	if got := c.String("authenticationMode"); got != "API" {
		t.Errorf("authenticationMode = %q, want API (access entries, not aws-auth)", got)
	}
	entries, _ := c.Input("accessEntries").(map[string]any)
	if len(entries) != 2 {
		t.Fatalf("accessEntries = %v, want one per admin principal", entries)
	}
	for key, principal := range map[string]string{
		"role-platform-admins": adminRoleArn,
		"user-alice":           adminUserArn,
	} {
		prefix := "accessEntries." + key
		if got := c.String(prefix + ".principalArn"); got != principal {
			t.Errorf("%s.principalArn = %q, want %q", prefix, got, principal)
		}
		if got := c.String(prefix + ".type"); got != "STANDARD" {
			t.Errorf("%s.type = %q, want STANDARD", prefix, got)
		}
		policy := prefix + ".accessPolicies.cluster-admin"
		if got := c.String(policy + ".policyArn"); got != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" {
			t.Errorf("%s.policyArn = %q", policy, got)
		}
		if got := c.String(policy + ".accessScope.type"); got != "cluster" {
			t.Errorf("%s.accessScope.type = %q, want cluster", policy, got)
		}
	}
}

func TestK1AccessPrincipalsMustBeDistinctIAMRolesOrUsers(t *testing.T) {
	const viewer = "arn:aws:iam::123456789012:role/auditors"
	for name, grants := range map[string][]AccessGrant{
		"group":                     {{PrincipalArn: "arn:aws:iam::123456789012:group/admins", Tier: Admin}},
		"sts session":               {{PrincipalArn: "arn:aws:sts::123456789012:assumed-role/admins/session", Tier: Viewer}},
		"not an arn":                {{PrincipalArn: "admins", Tier: Admin}},
		"same entry twice":          {{PrincipalArn: "arn:aws:iam::123456789012:role/a/b", Tier: Admin}, {PrincipalArn: "arn:aws:iam::123456789012:role/a-b", Tier: Viewer}},
		"two cluster tiers":         {{PrincipalArn: viewer, Tier: Viewer}, {PrincipalArn: viewer, Tier: SecretViewer}},
		"admin and editor":          {{PrincipalArn: viewer, Tier: Admin}, {PrincipalArn: viewer, Tier: NamespaceEditor, Namespaces: []string{"apps"}}},
		"editor without namespaces": {{PrincipalArn: viewer, Tier: NamespaceEditor}},
		"admin of namespaces":       {{PrincipalArn: viewer, Tier: Admin, Namespaces: []string{"apps"}}},
		"one tier at two scopes":    {{PrincipalArn: viewer, Tier: SecretViewer}, {PrincipalArn: viewer, Tier: SecretViewer, Namespaces: []string{"apps"}}},
	} {
		args := testArgs()
		args.Access = grants
		if _, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := New(ctx, "cluster-dev", args)
			return err
		}); err == nil {
			t.Errorf("%s: access %+v accepted", name, grants)
		}
	}
}

// issue 22: a viewer, a secret viewer and a namespace editor who also views get the EKS policies
// of their tiers, the editor's scoped to its namespaces, in one access entry per principal.
func TestAccessTiersBecomeScopedPolicies(t *testing.T) {
	const (
		auditors = "arn:aws:iam::123456789012:role/auditors"
		support  = "arn:aws:iam::123456789012:role/support"
		team     = "arn:aws:iam::123456789012:role/team-payments"
		preview  = "arn:aws:iam::123456789012:role/eks-platform-preview-dev"
	)
	args := testArgs()
	args.Access = []AccessGrant{
		{PrincipalArn: auditors, Tier: Viewer},
		{PrincipalArn: support, Tier: SecretViewer},
		{PrincipalArn: team, Tier: NamespaceEditor, Namespaces: []string{"payments", "ledger"}},
		{PrincipalArn: team, Tier: Viewer},
		{PrincipalArn: preview, Tier: Viewer},
		{PrincipalArn: preview, Tier: SecretViewer, Namespaces: []string{"velero", "kube-system"}},
	}
	plan, _, _ := runCluster(t, args)
	c := eksCluster(t, plan)
	entries, _ := c.Input("accessEntries").(map[string]any)
	if len(entries) != 4 {
		t.Fatalf("accessEntries = %v, want one per principal", entries)
	}
	const policyPrefix = "arn:aws:eks::aws:cluster-access-policy/"
	for _, want := range []struct{ entry, association, policy, scope string }{
		{"role-auditors", "view", "AmazonEKSViewPolicy", "cluster"},
		{"role-support", "admin-view", "AmazonEKSAdminViewPolicy", "cluster"},
		{"role-team-payments", "view", "AmazonEKSViewPolicy", "cluster"},
		{"role-team-payments", "edit", "AmazonEKSEditPolicy", "namespace"},
		{"role-eks-platform-preview-dev", "view", "AmazonEKSViewPolicy", "cluster"},
		{"role-eks-platform-preview-dev", "admin-view", "AmazonEKSAdminViewPolicy", "namespace"},
	} {
		association := "accessEntries." + want.entry + ".accessPolicies." + want.association
		if got := c.String(association + ".policyArn"); got != policyPrefix+want.policy {
			t.Errorf("%s.policyArn = %q, want %s", association, got, want.policy)
		}
		if got := c.String(association + ".accessScope.type"); got != want.scope {
			t.Errorf("%s.accessScope.type = %q, want %s", association, got, want.scope)
		}
	}
	if got := c.Strings("accessEntries.role-team-payments.accessPolicies.edit.accessScope.namespaces"); !reflect.DeepEqual(got, []string{"ledger", "payments"}) {
		t.Errorf("editor namespaces = %v, want [ledger payments]", got)
	}
	if got := c.Strings("accessEntries.role-eks-platform-preview-dev.accessPolicies.admin-view.accessScope.namespaces"); !reflect.DeepEqual(got, []string{"kube-system", "velero"}) {
		t.Errorf("preview secret-view namespaces = %v, want [kube-system velero]", got)
	}
	if policies, _ := c.Input("accessEntries.role-auditors.accessPolicies").(map[string]any); len(policies) != 1 {
		t.Errorf("viewer has policies %v, want only view", policies)
	}
}

func TestK1ClusterRoleIsNamedAndTrustsOnlyEKS(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	role := offline.MustGet(t, plan, roleType, "eks-cluster-role-dev")
	if got := role.String("name"); got != "eks-platform-dev-cluster" {
		t.Errorf("role name = %q", got)
	}
	var trust struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    any
		}
	}
	if err := json.Unmarshal([]byte(role.String("assumeRolePolicy")), &trust); err != nil {
		t.Fatalf("trust policy: %v", err)
	}
	if len(trust.Statement) != 1 || trust.Statement[0].Effect != "Allow" ||
		!reflect.DeepEqual(trust.Statement[0].Principal, map[string]any{"Service": "eks.amazonaws.com"}) ||
		trust.Statement[0].Action != "sts:AssumeRole" {
		t.Errorf("trust policy = %+v, want only eks.amazonaws.com to assume the role", trust)
	}
	if got := role.Strings("managedPolicyArns"); !reflect.DeepEqual(got, []string{"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"}) {
		t.Errorf("managedPolicyArns = %v, want only AmazonEKSClusterPolicy", got)
	}
}

func TestS6KubeconfigIsSecret(t *testing.T) {
	plan, out, comp := runCluster(t, testArgs())
	if !pulumi.IsSecret(comp.Kubeconfig) {
		t.Error("Kubeconfig output is not secret")
	}
	if out["kubeconfig"] != "[secret]" {
		t.Errorf("exported kubeconfig = %v, want [secret]", out["kubeconfig"])
	}
	if got := offline.MustGet(t, plan, k8sProvider, "eks-k8s-dev").Input("kubeconfig"); got != "[secret]" {
		t.Errorf("provider kubeconfig = %v, want [secret]", got)
	}
}

func TestK4ProviderIsBoundToThisCluster(t *testing.T) {
	args := testArgs()
	args.Region = "eu-west-1"
	var kubeconfig string
	plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		c, err := New(ctx, "cluster-dev", args)
		if err != nil {
			return err
		}
		if c.Provider == nil {
			t.Error("no Kubernetes provider exported")
		}
		pulumi.All(c.Kubeconfig, c.Endpoint).ApplyT(func(v []any) string {
			kubeconfig = v[0].(string) + "\n" + v[1].(string)
			return kubeconfig
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	provider := offline.MustGet(t, plan, k8sProvider, "eks-k8s-dev")
	if !provider.DependsOn(eksCluster(t, plan).URN) {
		t.Error("the Kubernetes provider does not depend on the cluster")
	}

	config, endpoint, _ := strings.Cut(kubeconfig, "\n")
	var parsed struct {
		Clusters []struct {
			Cluster struct {
				Server string
				CA     string `json:"certificate-authority-data"`
			}
		}
		Users []struct {
			User struct {
				Exec struct {
					Command string
					Args    []string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(config), &parsed); err != nil {
		t.Fatalf("kubeconfig is not JSON: %v", err)
	}
	if len(parsed.Clusters) != 1 || parsed.Clusters[0].Cluster.Server != endpoint || parsed.Clusters[0].Cluster.CA == "" {
		t.Errorf("kubeconfig clusters = %+v, want the cluster endpoint %s and its CA", parsed.Clusters, endpoint)
	}
	wantArgs := []string{"--region", "eu-west-1", "eks", "get-token", "--cluster-name", "eks-platform-dev", "--output", "json"}
	if len(parsed.Users) != 1 || parsed.Users[0].User.Exec.Command != "aws" ||
		!reflect.DeepEqual(parsed.Users[0].User.Exec.Args, wantArgs) {
		t.Errorf("kubeconfig users = %+v, want aws %v", parsed.Users, wantArgs)
	}
}

func TestX1OutputsDescribeTheCluster(t *testing.T) {
	_, out, _ := runCluster(t, testArgs())
	issuer, _ := out["oidcProviderUrl"].(string)
	hostPath := strings.TrimPrefix(issuer, "https://")
	if !strings.HasPrefix(issuer, "https://oidc.eks.us-east-1.amazonaws.com/id/") {
		t.Errorf("OidcProviderUrl = %q, want the cluster's issuer URL", issuer)
	}
	want := map[string]any{
		"clusterName":             "eks-platform-dev",
		"arn":                     "arn:aws:eks:us-east-1:123456789012:cluster/eks-platform-dev",
		"oidcIssuer":              hostPath,
		"oidcProviderArn":         "arn:aws:iam::123456789012:oidc-provider/" + hostPath,
		"updateKubeconfigCommand": "aws eks update-kubeconfig --region us-east-1 --name eks-platform-dev",
	}
	for key, value := range want {
		if out[key] != value {
			t.Errorf("%s = %v, want %v", key, out[key], value)
		}
	}
	if sg, _ := out["clusterSecurityGroupId"].(string); !strings.HasPrefix(sg, "sg-") {
		t.Errorf("ClusterSecurityGroupId = %v, want the EKS-managed security group", out["clusterSecurityGroupId"])
	}
	if ep, _ := out["endpoint"].(string); !strings.HasPrefix(ep, "https://") {
		t.Errorf("Endpoint = %v", out["endpoint"])
	}
	if ca, _ := out["certificateAuthority"].(string); ca == "" {
		t.Error("CertificateAuthority is empty")
	}
}

func TestProtectFlagProtectsClusterRoleAndAuditLogs(t *testing.T) {
	for _, protect := range []bool{true, false} {
		args := testArgs()
		args.Protect = protect
		plan, _, _ := runCluster(t, args)
		for _, r := range []offline.Resource{
			eksCluster(t, plan),
			offline.MustGet(t, plan, roleType, "eks-cluster-role-dev"),
			offline.MustGet(t, plan, logGroupType, "eks-control-plane-logs-dev"),
		} {
			if r.Protect != protect {
				t.Errorf("Protect=%v: %s protect = %v", protect, r.Name, r.Protect)
			}
		}
	}
}

// C5: pulumi-eks creates its resources in its own plugin; they get the stack's region and default
// tags only if the root's AWS provider reaches them.
func TestC5PulumiEksGetsTheRootsAwsProvider(t *testing.T) {
	plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		provider, err := aws.NewProvider(ctx, "aws-dev", &aws.ProviderArgs{Region: pulumi.String("us-east-1")})
		if err != nil {
			return err
		}
		_, err = New(ctx, "cluster-dev", testArgs(), pulumi.Providers(provider))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	provider := offline.MustGet(t, plan, "pulumi:providers:aws", "aws-dev")
	if got := eksCluster(t, plan).Providers["aws"]; got != provider.URN {
		t.Errorf("pulumi-eks aws provider = %q, want %q", got, provider.URN)
	}
	if got := offline.MustGet(t, plan, logGroupType, "eks-control-plane-logs-dev").Provider; got != provider.URN {
		t.Errorf("log group provider = %q, want %q", got, provider.URN)
	}
}

func TestChildrenBelongToTheComponent(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	comp := offline.MustGet(t, plan, "eks-platform:cluster:Cluster", "cluster-dev")
	if got := len(plan.Children(comp)); got != 5 {
		t.Errorf("component has %d children, want 5 (log group, role, API security group, cluster, provider)", got)
	}
}

// S2: networks outside the VPC reach the API endpoint on 443 through a security group of the
// endpoint alone; the EKS cluster security group, which the nodes and pods carry, gets no rule.
func TestPrivateAccessOpensOnlyTheEndpoint(t *testing.T) {
	args := testArgs()
	args.PrivateAccessCidrs = []string{"10.200.0.0/16", "192.168.8.0/24"}
	plan, _, _ := runCluster(t, args)
	group := offline.MustGet(t, plan, "aws:ec2/securityGroup:SecurityGroup", "eks-api-access-dev")
	groupID := offline.MockID("aws:ec2/securityGroup:SecurityGroup", "eks-api-access-dev")
	if eksCluster(t, plan).String("clusterSecurityGroup") != group.URN {
		t.Errorf("pulumi-eks is not given the API security group: %v", eksCluster(t, plan).Input("clusterSecurityGroup"))
	}
	if group.Input("ingress") != nil || group.Input("egress") != nil {
		t.Errorf("inline rules would fight pulumi-eks' own rules on this group: %v", group.Inputs)
	}
	rules := plan.ByType("aws:ec2/securityGroupRule:SecurityGroupRule")
	if len(rules) != 2 {
		t.Fatalf("%d rules, want one per CIDR", len(rules))
	}
	for i, rule := range rules {
		if rule.String("securityGroupId") != groupID || rule.String("type") != "ingress" ||
			rule.Input("fromPort") != 443.0 || rule.Input("toPort") != 443.0 || len(rule.Strings("cidrBlocks")) != 1 {
			t.Errorf("rule %d: %v", i, rule.Inputs)
		}
	}
}

func TestArgsAreValidated(t *testing.T) {
	cases := map[string]func(a *Args){
		"environment":          func(a *Args) { a.Environment = "" },
		"cluster name":         func(a *Args) { a.ClusterName = "" },
		"kubernetes version":   func(a *Args) { a.KubernetesVersion = "" },
		"region":               func(a *Args) { a.Region = "" },
		"vpc":                  func(a *Args) { a.VpcId = nil },
		"private subnets":      func(a *Args) { a.PrivateSubnetIds = nil },
		"kms key":              func(a *Args) { a.SecretsKmsKeyArn = nil },
		"retention":            func(a *Args) { a.LogRetentionDays = 0 },
		"public without cidrs": func(a *Args) { a.PublicAccessCidrs = nil },
		"role name too long":   func(a *Args) { a.ClusterName = strings.Repeat("x", 57) },
	}
	for name, breakArgs := range cases {
		args := testArgs()
		breakArgs(args)
		if _, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := New(ctx, "cluster-dev", args)
			return err
		}); err == nil {
			t.Errorf("%s: invalid args accepted", name)
		}
	}
	if _, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "cluster-dev", nil)
		return err
	}); err == nil {
		t.Error("nil args accepted")
	}
}
