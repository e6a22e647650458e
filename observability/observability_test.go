package observability

import (
	"strings"
	"testing"

	"github.com/acme/eks-platform/internal/offline"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	testCluster    = "eks-platform-dev"
	testKeyArn     = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testAgentRole  = "arn:aws:iam::123456789012:role/cloudwatch-agent-dev"
	testFluentRole = "arn:aws:iam::123456789012:role/fluent-bit-dev"
	testNodeGroup  = "nodegroup-system-dev"
)

var testNatIDs = []string{"nat-0aaa", "nat-0bbb", "nat-0ccc"}

func validArgs() *Args {
	return &Args{
		Environment:                   "dev",
		ClusterName:                   testCluster,
		Region:                        "us-east-1",
		KubernetesVersion:             "1.31",
		LogsKmsKeyArn:                 pulumi.String(testKeyArn),
		LogRetentionDays:              14,
		CloudWatchAgentRoleArn:        pulumi.String(testAgentRole),
		FluentBitRoleArn:              pulumi.String(testFluentRole),
		ContainerInsightsAddonVersion: "v4.1.0-eksbuild.1",
		FluentBitImage:                "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.15",
		NatGatewayIds:                 pulumi.ToStringArray(testNatIDs),
		NatGatewayCount:               len(testNatIDs),
		MinReadyNodes:                 3,
		NodeCpuAlarmPercent:           80,
		NodeMemoryAlarmPercent:        85,
		PodRestartAlarmThreshold:      5,
	}
}

// program builds a stand-in node group (what the root passes in DependsOn) and the component.
func program(mutate func(*Args)) func(ctx *pulumi.Context) (*Observability, error) {
	return func(ctx *pulumi.Context) (*Observability, error) {
		ng, err := eks.NewNodeGroup(ctx, testNodeGroup, &eks.NodeGroupArgs{
			ClusterName: pulumi.String(testCluster),
			NodeRoleArn: pulumi.String("arn:aws:iam::123456789012:role/node-dev"),
			SubnetIds:   pulumi.StringArray{pulumi.String("subnet-1")},
			ScalingConfig: eks.NodeGroupScalingConfigArgs{
				MinSize: pulumi.Int(2), DesiredSize: pulumi.Int(2), MaxSize: pulumi.Int(4),
			},
		})
		if err != nil {
			return nil, err
		}
		args := validArgs()
		args.DependsOn = []pulumi.Resource{ng}
		if mutate != nil {
			mutate(args)
		}
		return New(ctx, "observability-dev", args)
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

const (
	logGroupType    = "aws:cloudwatch/logGroup:LogGroup"
	addonType       = "aws:eks/addon:Addon"
	parameterType   = "aws:ssm/parameter:Parameter"
	topicType       = "aws:sns/topic:Topic"
	subscrType      = "aws:sns/topicSubscription:TopicSubscription"
	alarmType       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	dashboardType   = "aws:cloudwatch/dashboard:Dashboard"
	namespaceType   = "kubernetes:core/v1:Namespace"
	saType          = "kubernetes:core/v1:ServiceAccount"
	configMapType   = "kubernetes:core/v1:ConfigMap"
	daemonSetType   = "kubernetes:apps/v1:DaemonSet"
	clusterRoleType = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
	nodeGroupType   = "aws:eks/nodeGroup:NodeGroup"
)

func TestAllChildrenAreParentedToTheComponent(t *testing.T) {
	p := plan(t, nil)
	comps := p.ByType("eks-platform:observability:Observability")
	if len(comps) != 1 {
		t.Fatalf("want one component, got %d", len(comps))
	}
	for _, r := range p.Resources {
		if r.Type == nodeGroupType || r.URN == comps[0].URN || strings.HasPrefix(r.Type, "pulumi:") {
			continue
		}
		if r.Parent != comps[0].URN {
			t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
		}
	}
}

// X1: the component's outputs carry what the root exports.
func TestX1_Outputs(t *testing.T) {
	build := program(func(a *Args) { a.NatGatewayIds = pulumi.ToStringArray(testNatIDs[:1]); a.NatGatewayCount = 1 })
	p, err := offline.Run(offline.Options{Project: "eks-platform", Stack: "dev"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		o, err := build(ctx)
		if err != nil {
			return nil, err
		}
		return pulumi.Map{
			"logGroupNames": o.LogGroupNames, "parameter": o.FluentBitConfigParameterName,
			"dashboard": o.DashboardName, "topic": o.AlarmTopicArn, "alarms": o.AlarmNames,
			"addon": o.ContainerInsightsAddonName,
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	groups, _ := p.Outputs["logGroupNames"].(map[string]any)
	for _, kind := range logGroupKinds {
		if groups[kind] != "/aws/containerinsights/"+testCluster+"/"+kind {
			t.Errorf("logGroupNames[%s] = %v", kind, groups[kind])
		}
	}
	want := map[string]any{
		"parameter": "/" + testCluster + "/fluent-bit/config",
		"dashboard": testCluster,
		"topic":     offline.MockARN(topicType, "eks-alarms-dev", offline.DefaultRegion),
		"addon":     "amazon-cloudwatch-observability",
	}
	for k, v := range want {
		if p.Outputs[k] != v {
			t.Errorf("output %s = %v, want %v", k, p.Outputs[k], v)
		}
	}
	alarms, _ := p.Outputs["alarms"].([]any)
	if len(alarms) != clusterAlarms+1 {
		t.Errorf("alarm names = %v, want %d cluster alarms + 1 NAT alarm", alarms, clusterAlarms)
	}
}

func TestArgsErrors(t *testing.T) {
	cases := map[string]func(*Args){
		"Environment":                   func(a *Args) { a.Environment = "" },
		"ClusterName":                   func(a *Args) { a.ClusterName = "" },
		"Region":                        func(a *Args) { a.Region = "" },
		"KubernetesVersion":             func(a *Args) { a.KubernetesVersion = "" },
		"LogsKmsKeyArn":                 func(a *Args) { a.LogsKmsKeyArn = nil },
		"CloudWatchAgentRoleArn":        func(a *Args) { a.CloudWatchAgentRoleArn = nil },
		"FluentBitRoleArn":              func(a *Args) { a.FluentBitRoleArn = nil },
		"ContainerInsightsAddonVersion": func(a *Args) { a.ContainerInsightsAddonVersion = "" },
		"FluentBitImage":                func(a *Args) { a.FluentBitImage = "" },
		"NatGatewayIds":                 func(a *Args) { a.NatGatewayIds = nil },
		"DependsOn":                     func(a *Args) { a.DependsOn = nil },
		"LogRetentionDays":              func(a *Args) { a.LogRetentionDays = 0 },
		"NatGatewayCount":               func(a *Args) { a.NatGatewayCount = 0 },
		"MinReadyNodes":                 func(a *Args) { a.MinReadyNodes = 0 },
		"NodeCpuAlarmPercent":           func(a *Args) { a.NodeCpuAlarmPercent = 101 },
		"NodeMemoryAlarmPercent":        func(a *Args) { a.NodeMemoryAlarmPercent = 0 },
		"PodRestartAlarmThreshold":      func(a *Args) { a.PodRestartAlarmThreshold = 0 },
	}
	for field, mutate := range cases {
		t.Run(field, func(t *testing.T) {
			build := program(mutate)
			_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
				_, err := build(ctx)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), field) {
				t.Fatalf("want an error naming %s, got %v", field, err)
			}
		})
	}
	if err := validate(nil); err == nil {
		t.Error("nil Args accepted")
	}
}

func TestFluentBitImageMustBePinned(t *testing.T) {
	for image, pinned := range map[string]bool{
		"public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.15":          true,
		"public.ecr.aws/aws-observability/aws-for-fluent-bit@sha256:0123abcd": true,
		"registry.local:5000/aws-for-fluent-bit:3.4.15":                       true,
		"public.ecr.aws/aws-observability/aws-for-fluent-bit":                 false,
		"public.ecr.aws/aws-observability/aws-for-fluent-bit:latest":          false,
		"registry.local:5000/aws-for-fluent-bit":                              false,
		"aws-for-fluent-bit:":                                                 false,
	} {
		if got := pinnedImage(image); got != pinned {
			t.Errorf("pinnedImage(%q) = %v, want %v", image, got, pinned)
		}
	}
	a := validArgs()
	a.DependsOn = []pulumi.Resource{nil}
	a.FluentBitImage = "aws-for-fluent-bit:latest"
	if err := validate(a); err == nil || !strings.Contains(err.Error(), "FluentBitImage") {
		t.Errorf("unpinned image accepted: %v", err)
	}
}
