package security

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	testClusterName   = "eks-platform-dev"
	testKmsKeyArn     = "arn:aws:kms:us-east-1:" + offline.AccountID + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testVolumeKeyArn  = "arn:aws:kms:us-east-1:" + offline.AccountID + ":key/5678abcd-12ab-34cd-56ef-1234567890ab"
	testSecretsPrefix = "eks-platform-dev/"
	// IAM's limit on the inline policies of one role, counted without whitespace.
	maxInlinePolicyChars = 10240
)

// wildcardWriteAllowList names the write actions that may keep Resource "*", each with AWS's
// reason. Add an action only with the AWS documentation's reason. Being listed is not enough: the
// scanner also requires such a statement to carry a condition, which is then the only thing that
// narrows the write (an allow-listed action on "*" without one would be unbounded).
var wildcardWriteAllowList = map[string]string{
	// Service Authorization Reference, Amazon CloudWatch: PutMetricData has no resource types;
	// the cloudwatch:namespace condition key scopes it.
	"cloudwatch:PutMetricData": "no resource-level permissions; scoped by the cloudwatch:namespace condition",
}

func validWorkloadRolesArgs() *WorkloadRolesArgs {
	return &WorkloadRolesArgs{
		Environment:      "dev",
		ClusterName:      testClusterName,
		OidcProviderArn:  pulumi.String(testOidcProviderArn),
		OidcProviderUrl:  pulumi.String("https://" + testOidcIssuer),
		SecretsKmsKeyArn: pulumi.String(testKmsKeyArn),
		VolumeKmsKeyArn:  pulumi.String(testVolumeKeyArn),
		SecretsPrefix:    testSecretsPrefix,
	}
}

func planWorkloadRoles(t *testing.T, args *WorkloadRolesArgs) (*offline.Plan, *WorkloadRoles) {
	t.Helper()
	var roles *WorkloadRoles
	plan, err := offline.RunComponent(args.Environment, nil, func(ctx *pulumi.Context) error {
		var err error
		roles, err = NewWorkloadRoles(ctx, "workload-roles-"+args.Environment, args)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan, roles
}

// inlinePolicy returns the decoded inline policy of the role with the given key.
func inlinePolicy(t *testing.T, plan *offline.Plan, key string) PolicyDocument {
	t.Helper()
	return decodePolicy(t, offline.MustGet(t, plan, iamRolePolicyType, key+"-dev").String("policy"))
}

func TestWorkloadRolesCoverEveryController_S3(t *testing.T) {
	plan, roles := planWorkloadRoles(t, validWorkloadRolesArgs())
	want := []string{RoleClusterAutoscaler, RoleLoadBalancerController, RoleExternalSecrets, RoleEBSCSIDriver,
		RoleVPCCNI, RoleCloudWatchAgent, RoleFluentBit}
	var got []string
	for key, arn := range roles.RoleArns {
		got = append(got, key)
		if a := awaitString(t, arn); a != "arn:aws:iam::"+offline.AccountID+":role/"+key+"-dev" {
			t.Errorf("RoleArns[%s] = %q", key, a)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("RoleArns keys %v, want %v", got, want)
	}
	if len(roles.RoleArnMap()) != len(want) {
		t.Errorf("RoleArnMap has %d entries", len(roles.RoleArnMap()))
	}
	if n := len(plan.ByType(irsaRoleType)); n != len(want) {
		t.Errorf("%d IRSA roles, want %d", n, len(want))
	}
	comp := plan.ByType(workloadRolesType)
	if len(comp) != 1 || len(plan.Children(comp[0])) != len(want) {
		t.Error("the IRSA roles are not children of the WorkloadRoles component")
	}
}

// Every controller's role trusts only its own service account, under the names the charts use.
func TestEveryWorkloadRoleTrustsOnlyItsServiceAccount_S3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	serviceAccounts := map[string][2]string{
		RoleClusterAutoscaler:      {"kube-system", "cluster-autoscaler"},
		RoleLoadBalancerController: {"kube-system", "aws-load-balancer-controller"},
		RoleExternalSecrets:        {"external-secrets", "external-secrets"},
		RoleEBSCSIDriver:           {"kube-system", "ebs-csi-controller-sa"},
		RoleVPCCNI:                 {"kube-system", "aws-node"},
		RoleCloudWatchAgent:        {"amazon-cloudwatch", "cloudwatch-agent"},
		RoleFluentBit:              {"logging", "fluent-bit"}, // the privileged log-shipper namespace (S4)
	}
	for key, sa := range serviceAccounts {
		role := offline.MustGet(t, plan, iamRoleType, key+"-dev")
		checkServiceAccountTrust(t, role.String("assumeRolePolicy"), sa[0], sa[1])
	}
}

func TestManagedPoliciesAreTheDocumentedOnes_S3_K3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	want := map[string]string{
		"ebs-csi-driver-AmazonEBSCSIDriverPolicy-dev": "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
		"vpc-cni-AmazonEKS_CNI_Policy-dev":            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
	}
	attachments := plan.ByType(iamAttachmentType)
	if len(attachments) != len(want) {
		t.Errorf("%d managed policy attachments, want %d", len(attachments), len(want))
	}
	for _, a := range attachments {
		if want[a.Name] != a.String("policyArn") {
			t.Errorf("attachment %s attaches %q, want %q", a.Name, a.String("policyArn"), want[a.Name])
		}
	}
	if _, err := plan.Get(iamRolePolicyType, RoleVPCCNI+"-dev"); err == nil {
		t.Errorf("%s has an inline policy besides its managed one", RoleVPCCNI)
	}
}

func isReadOnlyAction(action string) bool {
	verb := action[strings.Index(action, ":")+1:]
	return strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "Get") || strings.HasPrefix(verb, "List")
}

// S3: wildcards only where AWS offers no resource-level permission. Scans every statement of every
// inline role policy: a write action may not have Resource "*" (unless allow-listed with AWS's
// reason), and every resource of a write must be an ARN of this partition and account.
func TestWriteActionsAreScopedToThisAccount_S3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	policies := plan.ByType(iamRolePolicyType)
	if len(policies) != 6 {
		t.Fatalf("%d inline policies, want 6 (every role but vpc-cni)", len(policies))
	}
	for _, p := range policies {
		for _, s := range decodePolicy(t, p.String("policy")).Statement {
			for _, action := range s.Action {
				if isReadOnlyAction(action) {
					continue
				}
				for _, resource := range s.Resource {
					if resource == "*" {
						if reason := wildcardWriteAllowList[action]; reason == "" || len(s.Condition) == 0 {
							t.Errorf("%s %s: write action %s on Resource \"*\" (allow-listed: %t, condition: %v)",
								p.Name, s.Sid, action, reason != "", s.Condition)
						}
						continue
					}
					parts := strings.SplitN(resource, ":", 6)
					if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[4] != offline.AccountID ||
						(parts[3] != "" && parts[3] != offline.DefaultRegion) {
						t.Errorf("%s %s: write action %s on %q, not an ARN of this account and region", p.Name, s.Sid, action, resource)
					}
				}
			}
		}
	}
}

func TestInlinePoliciesFitIAMLimit(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	for _, p := range plan.ByType(iamRolePolicyType) {
		if n := len(p.String("policy")); n > maxInlinePolicyChars {
			t.Errorf("%s inline policy is %d characters, IAM allows %d per role", p.Name, n, maxInlinePolicyChars)
		}
	}
}

func statementBySid(t *testing.T, doc PolicyDocument, sid string) Statement {
	t.Helper()
	for _, s := range doc.Statement {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("no statement %q", sid)
	return Statement{}
}

func TestClusterAutoscalerResizesOnlyThisClustersGroups_S3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	resize := statementBySid(t, inlinePolicy(t, plan, RoleClusterAutoscaler), "ResizeThisClustersNodeGroups")
	if !containsAll(resize.Action, "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup") {
		t.Errorf("resize actions %v", resize.Action)
	}
	tag := resize.Condition["StringEquals"]["aws:ResourceTag/k8s.io/cluster-autoscaler/"+testClusterName]
	if len(tag) != 1 || tag[0] != "owned" {
		t.Errorf("resize is not conditioned on this cluster's tag: %v", resize.Condition)
	}
}

func TestLoadBalancerControllerCreatesAndChangesOnlyThisClustersResources_S3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	doc := inlinePolicy(t, plan, RoleLoadBalancerController)
	for _, sid := range []string{"CreateSecurityGroupsTaggedForCluster", "CreateLoadBalancersTaggedForCluster",
		"TagSecurityGroupsOnCreate", "TagLoadBalancersOnCreate"} {
		s := statementBySid(t, doc, sid)
		if got := s.Condition["StringEquals"]["aws:RequestTag/elbv2.k8s.aws/cluster"]; len(got) != 1 || got[0] != testClusterName {
			t.Errorf("%s does not require the request to tag for %s: %v", sid, testClusterName, s.Condition)
		}
	}
	for _, sid := range []string{"ManageOwnSecurityGroups", "ManageOwnLoadBalancers", "RetagOwnSecurityGroups", "RetagOwnLoadBalancers"} {
		s := statementBySid(t, doc, sid)
		if got := s.Condition["StringEquals"]["aws:ResourceTag/elbv2.k8s.aws/cluster"]; len(got) != 1 || got[0] != testClusterName {
			t.Errorf("%s is not limited to resources of %s: %v", sid, testClusterName, s.Condition)
		}
	}
	nodes := statementBySid(t, doc, "OpenThisClustersNodeSecurityGroups")
	if got := nodes.Condition["Null"]["aws:ResourceTag/kubernetes.io/cluster/"+testClusterName]; len(got) != 1 || got[0] != "false" {
		t.Errorf("node security group rules are not limited to this cluster's groups: %v", nodes.Condition)
	}
}

func TestExternalSecretsReadsOnlyUnderPrefix_S3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	doc := inlinePolicy(t, plan, RoleExternalSecrets)
	allowed := []string{
		"arn:aws:secretsmanager:us-east-1:" + offline.AccountID + ":secret:" + testSecretsPrefix,
		"arn:aws:ssm:us-east-1:" + offline.AccountID + ":parameter/" + strings.TrimSuffix(testSecretsPrefix, "/"),
	}
	for _, s := range doc.Statement {
		for _, action := range s.Action {
			if strings.HasPrefix(action, "secretsmanager:Put") || strings.HasPrefix(action, "secretsmanager:Create") ||
				strings.HasPrefix(action, "ssm:Put") || strings.HasSuffix(action, ":*") {
				t.Errorf("external-secrets may %s", action)
			}
		}
		if s.Sid == "DecryptThroughSecretsManagerAndSSM" {
			if strings.Join(s.Resource, ",") != testKmsKeyArn || strings.Join(s.Action, ",") != "kms:Decrypt" {
				t.Errorf("decrypt statement %+v, want kms:Decrypt on the secrets key only", s)
			}
			via := s.Condition["StringEquals"]["kms:ViaService"]
			if !containsAll(via, "secretsmanager.us-east-1.amazonaws.com", "ssm.us-east-1.amazonaws.com") || len(via) != 2 {
				t.Errorf("decrypt is not limited to Secrets Manager and SSM: %v", s.Condition)
			}
			continue
		}
		for _, resource := range s.Resource {
			if !strings.HasPrefix(resource, allowed[0]) && !strings.HasPrefix(resource, allowed[1]) {
				t.Errorf("%s reaches %q outside the prefix %q", s.Sid, resource, testSecretsPrefix)
			}
		}
	}
}

func TestEBSCSIDriverMayUsePlatformKeyForAWSResourcesOnly_S3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	doc := inlinePolicy(t, plan, RoleEBSCSIDriver)
	grant := statementBySid(t, doc, "GrantPlatformKeyToEC2")
	if !containsAll(grant.Action, "kms:CreateGrant") || strings.Join(grant.Condition["Bool"]["kms:GrantIsForAWSResource"], "") != "true" {
		t.Errorf("grant statement %+v", grant)
	}
	for _, s := range doc.Statement {
		if strings.Join(s.Resource, ",") != testVolumeKeyArn {
			t.Errorf("%s reaches %v, want only the data key", s.Sid, s.Resource)
		}
	}
}

// O3: the program creates the log groups; the shipper only writes into the platform's own.
func TestLogShipperWritesOnlyToPlatformLogGroups_S3_O3(t *testing.T) {
	for _, c := range []struct{ prefix, want string }{
		{"", "/aws/containerinsights/" + testClusterName + "/"},
		{"/eks-platform/dev/", "/eks-platform/dev/"},
	} {
		args := validWorkloadRolesArgs()
		args.ShipperLogGroupPrefix = c.prefix
		plan, _ := planWorkloadRoles(t, args)
		groups := "arn:aws:logs:us-east-1:" + offline.AccountID + ":log-group:" + c.want
		for _, s := range inlinePolicy(t, plan, RoleFluentBit).Statement {
			for _, action := range s.Action {
				if action != "logs:CreateLogStream" && action != "logs:PutLogEvents" && action != "logs:DescribeLogStreams" {
					t.Errorf("log shipper may %s", action)
				}
			}
			for _, resource := range s.Resource {
				if !strings.HasPrefix(resource, groups) {
					t.Errorf("log shipper reaches %q outside %q", resource, groups)
				}
				// The agent's metrics group must stay out of the shipper's reach, and no group
				// pattern may end in a wildcard that would include it.
				if strings.Contains(resource, "performance") || strings.HasSuffix(resource, "/*") {
					t.Errorf("log shipper reaches %q", resource)
				}
			}
			if len(s.Resource) != 2*len(ShipperLogGroups) {
				t.Errorf("log shipper resources %v, want the group and its streams for each of %v", s.Resource, ShipperLogGroups)
			}
		}
	}
}

// S3/O3: the CloudWatch agent writes Container Insights metrics and the performance log group
// only. No managed policy: CloudWatchAgentServerPolicy would let it create log groups (without
// retention or key) and change any group's retention.
func TestCloudWatchAgentWritesOnlyContainerInsights_S3_O3(t *testing.T) {
	plan, _ := planWorkloadRoles(t, validWorkloadRolesArgs())
	for _, a := range plan.ByType(iamAttachmentType) {
		if a.String("role") == RoleCloudWatchAgent+"-dev" {
			t.Errorf("cloudwatch-agent role has managed policy %s", a.String("policyArn"))
		}
	}
	performance := "arn:aws:logs:us-east-1:" + offline.AccountID + ":log-group:/aws/containerinsights/" + testClusterName + "/performance"
	want := map[string]struct {
		actions, resources []string
		condition          Condition
	}{
		"PutContainerInsightsMetrics": {[]string{"cloudwatch:PutMetricData"}, []string{"*"},
			Condition{"StringEquals": {"cloudwatch:namespace": {"ContainerInsights"}}}},
		"WritePerformanceLogEvents": {[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			[]string{performance, performance + ":log-stream:*"}, nil},
		"DescribeLogGroups": {[]string{"logs:DescribeLogGroups"},
			[]string{"arn:aws:logs:us-east-1:" + offline.AccountID + ":log-group:*"}, nil},
		"DescribeNodeInstancesAndVolumes": {[]string{"ec2:DescribeVolumes", "ec2:DescribeTags", "ec2:DescribeInstances"},
			[]string{"*"}, nil},
	}
	doc := inlinePolicy(t, plan, RoleCloudWatchAgent)
	if len(doc.Statement) != len(want) {
		t.Errorf("%d statements, want %d", len(doc.Statement), len(want))
	}
	for _, s := range doc.Statement {
		w, known := want[s.Sid]
		switch {
		case !known:
			t.Errorf("unexpected statement %+v", s)
		case s.Effect != Allow || !reflect.DeepEqual([]string(s.Action), w.actions) ||
			!reflect.DeepEqual([]string(s.Resource), w.resources) || !reflect.DeepEqual(s.Condition, w.condition):
			t.Errorf("%s = %+v, want actions %v on %v with condition %v", s.Sid, s, w.actions, w.resources, w.condition)
		}
	}
}

func TestPermissionsBoundaryOnEveryRoleWhenSet_S3(t *testing.T) {
	args := validWorkloadRolesArgs()
	args.PermissionsBoundaryArn = testBoundaryArn
	plan, _ := planWorkloadRoles(t, args)
	for _, r := range plan.ByType(iamRoleType) {
		if r.String("permissionsBoundary") != testBoundaryArn {
			t.Errorf("%s boundary %q", r.Name, r.String("permissionsBoundary"))
		}
	}
	plan, _ = planWorkloadRoles(t, validWorkloadRolesArgs())
	for _, r := range plan.ByType(iamRoleType) {
		if _, set := r.Inputs["permissionsBoundary"]; set {
			t.Errorf("%s has a boundary though none is configured", r.Name)
		}
	}
}

// GovCloud and China: no policy may hard-code the commercial partition or DNS suffix.
func TestControllerPoliciesFollowThePartition_S3(t *testing.T) {
	scope := policyScope{
		env:         awsEnv{Partition: "aws-us-gov", DNSSuffix: "amazonaws.com", Region: "us-gov-west-1", AccountID: "210987654321"},
		clusterName: testClusterName, secretsKeyArn: "arn:aws-us-gov:kms:us-gov-west-1:210987654321:key/k",
		volumeKeyArn:  "arn:aws-us-gov:kms:us-gov-west-1:210987654321:key/v",
		secretsPrefix: testSecretsPrefix, logGroupPrefix: "/aws/containerinsights/" + testClusterName + "/",
	}
	for _, row := range workloadRoleTable {
		if row.inlinePolicy == nil {
			continue
		}
		for _, s := range row.inlinePolicy(scope).Statement {
			for _, resource := range s.Resource {
				if resource != "*" && !strings.HasPrefix(resource, "arn:aws-us-gov:") {
					t.Errorf("%s %s: resource %q is not in the stack's partition", row.key, s.Sid, resource)
				}
			}
		}
	}
}

func TestNewWorkloadRolesRejectsBadArgs(t *testing.T) {
	mutate := func(change func(a *WorkloadRolesArgs)) *WorkloadRolesArgs {
		a := validWorkloadRolesArgs()
		change(a)
		return a
	}
	cases := map[string]*WorkloadRolesArgs{
		"needs WorkloadRolesArgs":              nil,
		"Environment":                          mutate(func(a *WorkloadRolesArgs) { a.Environment = "" }),
		"ClusterName":                          mutate(func(a *WorkloadRolesArgs) { a.ClusterName = "" }),
		"OidcProviderArn":                      mutate(func(a *WorkloadRolesArgs) { a.OidcProviderUrl = nil }),
		"SecretsKmsKeyArn and VolumeKmsKeyArn": mutate(func(a *WorkloadRolesArgs) { a.VolumeKmsKeyArn = nil }),
		"SecretsPrefix \"eks-platform-dev\"":   mutate(func(a *WorkloadRolesArgs) { a.SecretsPrefix = "eks-platform-dev" }),
		"SecretsPrefix \"/\"":                  mutate(func(a *WorkloadRolesArgs) { a.SecretsPrefix = "/" }),
		"ShipperLogGroupPrefix":                mutate(func(a *WorkloadRolesArgs) { a.ShipperLogGroupPrefix = "/aws/containerinsights/x" }),
	}
	for want, args := range cases {
		_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := NewWorkloadRoles(ctx, "workload-roles-dev", args)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one mentioning %q", err, want)
		}
	}
}
