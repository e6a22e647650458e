package stub

import (
	"context"
	"io"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), keep)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Equal inputs are no change (a second `pulumi up` must change nothing), a secret compares by its
// value, and a changed or added input is an update of exactly that key.
func TestDiff(t *testing.T) {
	p := New("aws", "0", io.Discard)
	secret := resource.MakeSecret(resource.NewStringProperty("s"))
	olds, err := plugin.MarshalProperties(resource.PropertyMap{"name": resource.NewStringProperty("a"), "pw": secret}, keep)
	if err != nil {
		t.Fatal(err)
	}
	same, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{OldInputs: olds, News: olds})
	if err != nil || same.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("equal inputs: %v, %v", same, err)
	}
	changed, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{OldInputs: olds,
		News: props(t, map[string]any{"name": "b", "pw": "s", "tags": map[string]any{"a": "b"}})})
	if err != nil || changed.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME ||
		len(changed.GetDiffs()) != 2 || changed.GetDiffs()[0] != "name" || changed.GetDiffs()[1] != "tags" ||
		len(changed.GetReplaces()) != 0 {
		t.Errorf("changed inputs: %v, %v", changed, err)
	}
}

// Create returns the fake cloud's outputs with the region of the configured provider; a preview
// leaves what only a create knows unknown; an unknown data source fails, naming itself.
func TestCreateAndInvoke(t *testing.T) {
	p := New("aws", "0", io.Discard)
	args := props(t, map[string]any{"region": "eu-west-1"})
	if _, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: args}); err != nil {
		t.Fatal(err)
	}
	urn := "urn:pulumi:dev::p::aws:kms/key:Key::key-dev"
	created, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: props(t, map[string]any{"description": "d"})})
	if err != nil {
		t.Fatal(err)
	}
	outs, _ := plugin.UnmarshalProperties(created.GetProperties(), keep)
	if created.GetId() == "" || outs["arn"].StringValue() != "arn:aws:kms:eu-west-1:123456789012:key/"+created.GetId() ||
		outs["description"].StringValue() != "d" {
		t.Errorf("create: %s %v", created.GetId(), outs)
	}
	previewed, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Preview: true, Properties: props(t, map[string]any{"description": "d"})})
	if err != nil {
		t.Fatal(err)
	}
	outs, _ = plugin.UnmarshalProperties(previewed.GetProperties(), keep)
	if !outs["arn"].IsComputed() || outs["description"].StringValue() != "d" {
		t.Errorf("preview: %v", outs)
	}
	region, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "aws:index/getRegion:getRegion", Args: props(t, nil)})
	if err != nil || region.GetReturn().GetFields()["name"].GetStringValue() != "eu-west-1" {
		t.Errorf("getRegion: %v, %v", region, err)
	}
	if _, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "aws:ec2/getAmi:getAmi", Args: props(t, nil)}); err == nil {
		t.Error("an unknown data source was answered")
	}
}

// The account guard of the AWS provider (issue 18): credentials of an account outside
// allowedAccountIds fail the provider's configuration with the real provider's error; the stack's
// own account, no list, or a kubernetes provider pass.
func TestConfigureRefusesAnotherAccount(t *testing.T) {
	configure := func(pkg, account string, args resource.PropertyMap, variables map[string]string) error {
		t.Setenv(AccountVariable, account)
		marshalled, err := plugin.MarshalProperties(args, plain)
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(pkg, "1.0.0", io.Discard).Configure(context.Background(),
			&pulumirpc.ConfigureRequest{Args: marshalled, Variables: variables})
		return err
	}
	allowDev := resource.PropertyMap{"allowedAccountIds": resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("111122223333")})}
	if err := configure("aws", "777788889999", allowDev, nil); err == nil || err.Error() != "AWS account ID not allowed: 777788889999" {
		t.Errorf("another account: %v", err)
	}
	if err := configure("aws", "111122223333", allowDev, nil); err != nil {
		t.Errorf("the stack's own account: %v", err)
	}
	asJSON := resource.PropertyMap{"allowedAccountIds": resource.NewStringProperty(`["111122223333"]`)}
	if err := configure("aws", "444455556666", asJSON, nil); err == nil {
		t.Error("a list given as JSON text was not checked")
	}
	if err := configure("aws", "444455556666", resource.PropertyMap{}, map[string]string{"aws:config:forbiddenAccountIds": `["444455556666"]`}); err == nil {
		t.Error("a forbidden account of a default provider was accepted")
	}
	if err := configure("aws", "444455556666", resource.PropertyMap{}, nil); err != nil {
		t.Errorf("no guard configured: %v", err)
	}
	if err := configure("kubernetes", "444455556666", allowDev, nil); err != nil {
		t.Errorf("the kubernetes provider has no account guard: %v", err)
	}
}
