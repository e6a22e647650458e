package security

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	iamRoleType            = "aws:iam/role:Role"
	iamRolePolicyType      = "aws:iam/rolePolicy:RolePolicy"
	iamAttachmentType      = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	testOidcIssuer         = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	testOidcProviderArn    = "arn:aws:iam::" + offline.AccountID + ":oidc-provider/" + testOidcIssuer
	testBoundaryArn        = "arn:aws:iam::" + offline.AccountID + ":policy/platform-boundary"
	testVeleroInlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::velero-dev"}]}`
)

func validIRSAArgs() *IRSARoleArgs {
	return &IRSARoleArgs{
		Environment:     "dev",
		OidcProviderArn: pulumi.String(testOidcProviderArn),
		OidcProviderUrl: pulumi.String("https://" + testOidcIssuer),
		Namespace:       "velero",
		ServiceAccount:  "velero-server",
		Policy:          pulumi.String(testVeleroInlinePolicy),
	}
}

func planIRSARole(t *testing.T, name string, args *IRSARoleArgs) (*offline.Plan, *IRSARole, error) {
	t.Helper()
	var role *IRSARole
	plan, err := offline.RunComponent(args.Environment, nil, func(ctx *pulumi.Context) error {
		var err error
		role, err = NewIRSARole(ctx, name, args)
		return err
	})
	return plan, role, err
}

// checkServiceAccountTrust fails unless trust lets exactly namespace/serviceAccount assume the role
// through the test OIDC provider, for the STS audience only (S3).
func checkServiceAccountTrust(t *testing.T, trust, namespace, serviceAccount string) {
	t.Helper()
	doc := decodePolicy(t, trust)
	if len(doc.Statement) != 1 {
		t.Fatalf("trust policy has %d statements, want 1: %s", len(doc.Statement), trust)
	}
	s := doc.Statement[0]
	if s.Effect != Allow || len(s.Principal) != 1 || s.Principal["Federated"].String() != testOidcProviderArn {
		t.Errorf("trust principal %v (effect %s), want only Federated %s", s.Principal, s.Effect, testOidcProviderArn)
	}
	if strings.Join(s.Action, ",") != "sts:AssumeRoleWithWebIdentity" {
		t.Errorf("trust actions %v", s.Action)
	}
	if len(s.Condition) != 1 || len(s.Condition["StringEquals"]) != 2 {
		t.Fatalf("trust condition %v, want StringEquals on :sub and :aud only", s.Condition)
	}
	equals := s.Condition["StringEquals"]
	wantSubject := "system:serviceaccount:" + namespace + ":" + serviceAccount
	if got := equals[testOidcIssuer+":sub"]; len(got) != 1 || got[0] != wantSubject {
		t.Errorf("sub %v, want exactly %s", got, wantSubject)
	}
	if got := equals[testOidcIssuer+":aud"]; len(got) != 1 || got[0] != "sts.amazonaws.com" {
		t.Errorf("aud %v, want exactly sts.amazonaws.com", got)
	}
}

func TestIRSARoleTrustsOneServiceAccount_S3(t *testing.T) {
	plan, role, err := planIRSARole(t, "velero", validIRSAArgs())
	if err != nil {
		t.Fatal(err)
	}
	r := offline.MustGet(t, plan, iamRoleType, "velero-dev")
	if r.String("name") != "velero-dev" {
		t.Errorf("role name %q, want velero-dev", r.String("name"))
	}
	checkServiceAccountTrust(t, r.String("assumeRolePolicy"), "velero", "velero-server")
	if got := awaitString(t, role.Arn); got != "arn:aws:iam::"+offline.AccountID+":role/velero-dev" {
		t.Errorf("Arn output %q", got)
	}
	if got := awaitString(t, role.Name); got != "velero-dev" {
		t.Errorf("Name output %q", got)
	}
	inline := offline.MustGet(t, plan, iamRolePolicyType, "velero-dev")
	if inline.String("policy") != testVeleroInlinePolicy || inline.String("role") != "velero-dev" {
		t.Errorf("inline policy %v", inline.Inputs)
	}
	if got := plan.ByType(iamAttachmentType); len(got) != 0 {
		t.Errorf("attachments without managed policies: %v", got)
	}
}

func TestIRSATrustAcceptsIssuerWithoutScheme_S3(t *testing.T) {
	args := validIRSAArgs()
	args.OidcProviderUrl = pulumi.String(testOidcIssuer + "/")
	plan, _, err := planIRSARole(t, "velero", args)
	if err != nil {
		t.Fatal(err)
	}
	checkServiceAccountTrust(t, offline.MustGet(t, plan, iamRoleType, "velero-dev").String("assumeRolePolicy"), "velero", "velero-server")
}

func TestIRSATrustFailsOnEmptyIssuer_S3(t *testing.T) {
	args := validIRSAArgs()
	args.OidcProviderUrl = pulumi.String("https://")
	if _, _, err := planIRSARole(t, "velero", args); err == nil || !strings.Contains(err.Error(), "issuer URL") {
		t.Errorf("error %v, want one about the issuer URL", err)
	}
}

func TestIRSAManagedPoliciesInStackPartition_S3(t *testing.T) {
	args := validIRSAArgs()
	args.Policy = nil
	args.ManagedPolicyArns = []string{"arn:aws:iam::" + offline.AccountID + ":policy/team/velero-extra"}
	args.AWSManagedPolicies = []string{"service-role/AmazonEBSCSIDriverPolicy"}
	plan, _, err := planIRSARole(t, "velero", args)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.ByType(iamRolePolicyType); len(got) != 0 {
		t.Errorf("inline policy created without Policy: %v", got)
	}
	want := map[string]string{
		"velero-velero-extra-dev":             args.ManagedPolicyArns[0],
		"velero-AmazonEBSCSIDriverPolicy-dev": "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
	}
	for name, arn := range want {
		a := offline.MustGet(t, plan, iamAttachmentType, name)
		if a.String("policyArn") != arn || a.String("role") != "velero-dev" {
			t.Errorf("attachment %s: %v, want %s on velero-dev", name, a.Inputs, arn)
		}
	}
}

// consumer stands in for whatever is built from the role's ARN (an add-on, a Helm release).
type consumer struct{ pulumi.CustomResourceState }

// S3/K3: a resource built from Arn or Name waits for the role's inline policy and every policy
// attachment, as the engine sees it, so the vpc-cni add-on or a controller cannot start with a
// role that has no permissions yet.
func TestIRSAOutputsWaitForEveryPolicy_S3_K3(t *testing.T) {
	args := validIRSAArgs()
	args.ManagedPolicyArns = []string{"arn:aws:iam::" + offline.AccountID + ":policy/team/velero-extra"}
	args.AWSManagedPolicies = []string{"service-role/AmazonEBSCSIDriverPolicy"}
	plan, err := offline.RunComponent(args.Environment, nil, func(ctx *pulumi.Context) error {
		role, err := NewIRSARole(ctx, "velero", args)
		if err != nil {
			return err
		}
		for name, value := range map[string]pulumi.StringOutput{"arn-consumer": role.Arn, "name-consumer": role.Name} {
			if err := ctx.RegisterResource("test:consumer:Consumer", name, pulumi.Map{"role": value}, &consumer{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	policies := append(plan.ByType(iamRolePolicyType), plan.ByType(iamAttachmentType)...)
	if len(policies) != 3 {
		t.Fatalf("%d policy resources, want the inline policy and two attachments", len(policies))
	}
	for _, name := range []string{"arn-consumer", "name-consumer"} {
		c := offline.MustGet(t, plan, "test:consumer:Consumer", name)
		for _, p := range policies {
			if !c.DependsOn(p.URN) {
				t.Errorf("%s does not depend on %s; dependencies %v", name, p.URN, c.Dependencies)
			}
		}
	}
	if got := offline.MustGet(t, plan, "test:consumer:Consumer", "arn-consumer").String("role"); got != "arn:aws:iam::"+offline.AccountID+":role/velero-dev" {
		t.Errorf("consumer got ARN %q", got)
	}
}

func TestIRSAPermissionsBoundaryOnlyWhenSet_S3(t *testing.T) {
	args := validIRSAArgs()
	args.PermissionsBoundaryArn = testBoundaryArn
	plan, _, err := planIRSARole(t, "velero", args)
	if err != nil {
		t.Fatal(err)
	}
	if got := offline.MustGet(t, plan, iamRoleType, "velero-dev").String("permissionsBoundary"); got != testBoundaryArn {
		t.Errorf("boundary %q, want %q", got, testBoundaryArn)
	}
	plan, _, err = planIRSARole(t, "velero", validIRSAArgs())
	if err != nil {
		t.Fatal(err)
	}
	if got, set := offline.MustGet(t, plan, iamRoleType, "velero-dev").Inputs["permissionsBoundary"]; set {
		t.Errorf("boundary %v set without being configured", got)
	}
}

func TestNewIRSARoleRejectsBadArgs(t *testing.T) {
	mutate := func(change func(a *IRSARoleArgs)) *IRSARoleArgs {
		a := validIRSAArgs()
		change(a)
		return a
	}
	cases := []struct {
		name, want string
		args       *IRSARoleArgs
	}{
		{"velero", "needs IRSARoleArgs", nil},
		{"", "base name", validIRSAArgs()},
		{"velero", "Environment", mutate(func(a *IRSARoleArgs) { a.Environment = "" })},
		{"velero-dev", "already ends with -dev", validIRSAArgs()},
		{"velero", "OidcProviderArn", mutate(func(a *IRSARoleArgs) { a.OidcProviderArn = nil })},
		{"velero", "OidcProviderUrl", mutate(func(a *IRSARoleArgs) { a.OidcProviderUrl = nil })},
		{"velero", "Namespace and ServiceAccount", mutate(func(a *IRSARoleArgs) { a.ServiceAccount = "" })},
		{"velero", "has no policy", mutate(func(a *IRSARoleArgs) { a.Policy = nil })},
		{strings.Repeat("r", 61), "at most 64", validIRSAArgs()},
	}
	for _, c := range cases {
		_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := NewIRSARole(ctx, c.name, c.args)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewIRSARole(%q): error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	// 60 + "-dev" is exactly IAM's limit and must pass.
	if _, _, err := planIRSARole(t, strings.Repeat("r", 60), validIRSAArgs()); err != nil {
		t.Errorf("64-character role name rejected: %v", err)
	}
}
