package offline

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type (
	testComponent struct{ pulumi.ResourceState }
	testThing     struct{ pulumi.CustomResourceState }
)

// The plan records what the engine receives: parent, options, dependencies, and inputs with
// secrets hidden; exports come back in JSON shapes with secrets hidden.
func TestRunRecordsRegistrationsAndOutputs(t *testing.T) {
	plan, err := Run(Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		comp := &testComponent{}
		if err := ctx.RegisterComponentResource("test:index:Component", "comp-s", comp); err != nil {
			return nil, err
		}
		first := &testThing{}
		if err := ctx.RegisterResource("test:index:Thing", "first-s", pulumi.Map{
			"password": pulumi.ToSecret(pulumi.String("hunter2")),
			"list":     pulumi.StringArray{pulumi.String("a")},
		}, first, pulumi.Parent(comp), pulumi.Protect(true), pulumi.RetainOnDelete(true),
			pulumi.IgnoreChanges([]string{"list"})); err != nil {
			return nil, err
		}
		second := &testThing{}
		if err := ctx.RegisterResource("test:index:Thing", "second-s", pulumi.Map{}, second,
			pulumi.Parent(comp), pulumi.DependsOn([]pulumi.Resource{first})); err != nil {
			return nil, err
		}
		return pulumi.Map{
			"plain":  pulumi.StringArray{pulumi.String("x")},
			"hidden": pulumi.ToSecret(pulumi.String("kubeconfig")),
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first, err := plan.Get("test:index:Thing", "first-s")
	if err != nil {
		t.Fatal(err)
	}
	second, _ := plan.Get("test:index:Thing", "second-s")
	comp, _ := plan.Get("test:index:Component", "comp-s")
	if first.Parent != comp.URN || !first.Protect || !first.RetainOnDelete || strings.Join(first.IgnoreChanges, ",") != "list" {
		t.Errorf("options not recorded: %+v", first)
	}
	if first.Input("password") != secretMarker || first.Strings("list")[0] != "a" {
		t.Errorf("inputs: %v", first.Inputs)
	}
	if !second.DependsOn(first.URN) || second.DependsOn(comp.URN) {
		t.Errorf("dependencies: %v", second.Dependencies)
	}
	if len(plan.Children(comp)) != 2 {
		t.Errorf("children of the component: %v", plan.Children(comp))
	}
	if plan.Outputs["hidden"] != secretMarker || plan.Outputs["plain"].([]any)[0] != "x" {
		t.Errorf("outputs: %v", plan.Outputs)
	}
	if _, err := plan.Get("test:index:Thing", "third-s"); err == nil || !strings.Contains(err.Error(), "first-s") {
		t.Errorf("Get of a missing resource should name what exists: %v", err)
	}
	var tree bytes.Buffer
	WriteTree(&tree, plan)
	for _, want := range []string{"stack s: 3 resources", "└─ test:index:Thing  second-s", "[protect retainOnDelete ignoreChanges=list]", "hidden: [secret]"} {
		if !strings.Contains(tree.String(), want) {
			t.Errorf("tree lacks %q:\n%s", want, tree.String())
		}
	}
}

func TestProgramErrorReturnsPartialPlan(t *testing.T) {
	boom := errors.New("boom")
	plan, err := RunComponent("s", nil, func(ctx *pulumi.Context) error { return boom })
	if !errors.Is(err, boom) || plan == nil || len(plan.Resources) != 0 {
		t.Fatalf("plan %v err %v", plan, err)
	}
}

func TestUnansweredDataSourceIsAnError(t *testing.T) {
	_, err := RunComponent("s", nil, func(ctx *pulumi.Context) error {
		var out map[string]any
		return ctx.Invoke("aws:index/getNothing:getNothing", nil, &out)
	})
	if err == nil || !strings.Contains(err.Error(), "aws:index/getNothing:getNothing") {
		t.Fatalf("want an error naming the data source, got %v", err)
	}
}

func TestPlainValues(t *testing.T) {
	cases := map[string]struct {
		in   resource.PropertyValue
		want any
	}{
		"secret":         {resource.MakeSecret(resource.NewStringProperty("x")), secretMarker},
		"computed":       {resource.MakeComputed(resource.NewStringProperty("")), unknownMarker},
		"unknown output": {resource.NewOutputProperty(resource.Output{Known: false}), unknownMarker},
		"secret output":  {resource.NewOutputProperty(resource.Output{Known: true, Secret: true, Element: resource.NewStringProperty("x")}), secretMarker},
		"known output":   {resource.NewOutputProperty(resource.Output{Known: true, Element: resource.NewStringProperty("x")}), "x"},
		"reference":      {resource.MakeCustomResourceReference("urn:pulumi:s::p::t::n", "id", ""), "urn:pulumi:s::p::t::n"},
		"asset":          {resource.NewAssetProperty(&resource.Asset{Text: "x"}), "[asset]"},
		"null":           {resource.NewNullProperty(), nil},
	}
	for name, c := range cases {
		if got := plainValue(c.in); got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}

func TestMockIdentifiersLookReal(t *testing.T) {
	if id := MockID("aws:ec2/vpc:Vpc", "vpc-dev"); !strings.HasPrefix(id, "vpc-") || id != MockID("aws:ec2/vpc:Vpc", "vpc-dev") {
		t.Errorf("vpc id %q is not deterministic or not vpc-shaped", id)
	}
	for typ, want := range map[string]string{
		"aws:sns/topic:Topic":                    "arn:aws:sns:eu-west-1:123456789012:n",
		"aws:cloudwatch/logGroup:LogGroup":       "arn:aws:logs:eu-west-1:123456789012:log-group:n",
		"aws:ssm/parameter:Parameter":            "arn:aws:ssm:eu-west-1:123456789012:parameter/n",
		"aws:iam/role:Role":                      "arn:aws:iam::123456789012:role/n",
		"aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:n",
		"aws:ec2/vpc:Vpc":                        "arn:aws:ec2:eu-west-1:123456789012:vpc/n",
	} {
		if got := MockARN(typ, "n", "eu-west-1"); got != want {
			t.Errorf("%s: %s, want %s", typ, got, want)
		}
	}
}
