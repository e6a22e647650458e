package stub

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// testdata/bootstrap-prod-backup.json holds the roles and the provider of the offline plan of
// bootstrap/Pulumi.prod-backup.yaml (cmd/plan --project bootstrap --stack prod-backup --json).
const (
	copyRole        = "arn:aws:iam::999988887777:role/eks-platform-backup-copy-prod"
	copyPreviewRole = "arn:aws:iam::999988887777:role/eks-platform-backup-copy-preview-prod"
	deployRole      = "arn:aws:iam::777788889999:role/eks-platform-deploy-prod"
	previewRole     = "arn:aws:iam::777788889999:role/eks-platform-preview-prod"
)

// issue 22: a copy role is assumed by its counterpart only, as its trust policy says; a role the
// backup account's bootstrap did not make cannot be assumed at all.
func TestAssumeRoleFollowsTheTrustPolicy(t *testing.T) {
	t.Setenv(IAMPlansVariable, "testdata/bootstrap-prod-backup.json")
	for _, c := range []struct {
		caller, role string
		allowed      bool
	}{
		{deployRole, copyRole, true},
		{previewRole, copyPreviewRole, true},
		{previewRole, copyRole, false},
		{deployRole, copyPreviewRole, false},
		{"arn:aws:iam::777788889999:role/platform-engineer", copyRole, false},
		// The same role name in another account is another principal.
		{"arn:aws:iam::111122223333:role/eks-platform-deploy-prod", copyRole, false},
		{deployRole, "arn:aws:iam::999988887777:role/eks-platform-backup-copy-staging", false},
		// No caller known: the model is off.
		{"", copyRole, true},
	} {
		err := assumeRole(c.caller, c.role)
		if c.allowed && err != nil {
			t.Errorf("%s assuming %s: %v", c.caller, c.role, err)
		}
		if !c.allowed && (err == nil || !strings.Contains(err.Error(), "IAM Role ("+c.role+") cannot be assumed") ||
			!strings.Contains(err.Error(), "not authorized to perform: sts:AssumeRole on resource: "+c.role)) {
			t.Errorf("%s assuming %s: %v, want the provider's AccessDenied", c.caller, c.role, err)
		}
	}
	t.Setenv(IAMPlansVariable, "")
	if err := assumeRole(deployRole, copyRole); err == nil {
		t.Error("a role no bootstrap made was assumed")
	}
}

// issue 22: a provider that assumes a role acts in the role's account: its account guard judges
// that account, its KMS calls are the role's, and getCallerIdentity names the session.
func TestProviderWorksInTheAssumedRolesAccount(t *testing.T) {
	t.Setenv(IAMPlansVariable, "testdata/bootstrap-prod-backup.json")
	t.Setenv(AccountVariable, "777788889999")
	t.Setenv(CallerRoleVariable, deployRole)
	configure := func(allowed string) (*Provider, error) {
		args := resource.PropertyMap{
			"region":            resource.NewStringProperty("us-west-2"),
			"allowedAccountIds": resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty(allowed)}),
			"assumeRole":        resource.NewObjectProperty(resource.PropertyMap{"roleArn": resource.NewStringProperty(copyRole)}),
		}
		marshalled, err := plugin.MarshalProperties(args, plain)
		if err != nil {
			t.Fatal(err)
		}
		p := New("aws", "6.83.0", io.Discard)
		_, err = p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: marshalled})
		return p, err
	}
	if _, err := configure("777788889999"); err == nil || err.Error() != "AWS account ID not allowed: 999988887777" {
		t.Errorf("the copy provider guarding the stack's account: %v, want the copy account refused", err)
	}
	p, err := configure("999988887777")
	if err != nil {
		t.Fatal(err)
	}
	if p.caller() != copyRole || p.assumedAccount != "999988887777" {
		t.Errorf("caller %q in %q, want %s in 999988887777", p.caller(), p.assumedAccount, copyRole)
	}
	args, _ := plugin.MarshalProperties(resource.PropertyMap{}, plain)
	resp, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: callerIdentityToken, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := plugin.UnmarshalProperties(resp.GetReturn(), plain)
	if arn := got["arn"].StringValue(); arn != "arn:aws:sts::999988887777:assumed-role/eks-platform-backup-copy-prod/eks-platform-stub" {
		t.Errorf("caller identity %s, want the copy role's session", arn)
	}
	t.Setenv(CallerRoleVariable, previewRole)
	if _, err := configure("999988887777"); err == nil || !strings.Contains(err.Error(), "cannot be assumed") {
		t.Errorf("the preview role configured the copy provider on the copy role: %v", err)
	}
}
