// Package observability builds the platform's monitoring and logging (STACK_SPEC O1–O4): Container
// Insights through the amazon-cloudwatch-observability add-on, a single Fluent Bit log shipper whose
// configuration lives in SSM Parameter Store, explicitly created log groups, and a dashboard with
// alarms that notify an encrypted SNS topic.
package observability

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/security"
)

// The Kubernetes identities that assume IAM roles (S3). They are the security package's, whose
// IRSA trust policies name them, so the two cannot drift apart.
const (
	FluentBitNamespace              = security.NamespaceLogging
	FluentBitServiceAccount         = security.ServiceAccountFluentBit
	ContainerInsightsNamespace      = security.NamespaceAmazonCloudWatch
	ContainerInsightsServiceAccount = security.ServiceAccountCloudWatchAgent
)

// breakGlassRolePattern is an IAM role ARN, with or without a path.
var breakGlassRolePattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)

// Args configures the observability component. Plain values come from validated stack config;
// inputs come from other components.
type Args struct {
	// Environment is the name suffix ("dev", "staging", "prod").
	Environment string
	// ClusterName is the full EKS cluster name, e.g. "eks-platform-dev".
	ClusterName string
	// Region is the AWS region Fluent Bit ships to and the dashboard reads from.
	Region string
	// KubernetesVersion ("1.31") pins the Pod Security -version labels of the logging namespace.
	KubernetesVersion string
	// LogsKmsKeyArn is the logs key (S1, issue 22) that encrypts the log groups and the alarm topic.
	LogsKmsKeyArn pulumi.StringInput
	// LogRetentionDays is the retention of every log group created here (a CloudWatch-allowed value).
	LogRetentionDays int
	// Protect keeps the log groups (application and node logs are evidence) from being deleted
	// with the stack (prod).
	Protect bool
	// CloudWatchAgentRoleArn is the IRSA role of amazon-cloudwatch/cloudwatch-agent (S3).
	CloudWatchAgentRoleArn pulumi.StringInput
	// FluentBitRoleArn is the IRSA role of logging/fluent-bit (S3).
	FluentBitRoleArn pulumi.StringInput
	// ContainerInsightsAddonVersion pins the add-on, e.g. "v4.1.0-eksbuild.1".
	ContainerInsightsAddonVersion string
	// FluentBitImage pins the log shipper image by tag or digest.
	FluentBitImage string
	// NatGatewayIds are the network's NAT gateways; NatGatewayCount is their number, known at
	// preview, so that one alarm per gateway is registered outside any apply.
	NatGatewayIds   pulumi.StringArrayInput
	NatGatewayCount int
	// MinReadyNodes is the sum of the node groups' minimum sizes; fewer ready nodes raise an alarm.
	MinReadyNodes int
	// NodeCpuAlarmPercent and NodeMemoryAlarmPercent alarm on the busiest node (1..100).
	NodeCpuAlarmPercent    int
	NodeMemoryAlarmPercent int
	// PodRestartAlarmThreshold is the number of container restarts in the cluster per 5 minutes
	// above which the restart alarm fires.
	PodRestartAlarmThreshold int
	// AlarmEmail, when set, subscribes this address to the alarm topic.
	AlarmEmail string
	// AlarmHttpsEndpoints are https URLs (PagerDuty, Opsgenie) subscribed to the alarm topic.
	AlarmHttpsEndpoints []string
	// BackupReplication, when set, is the backup bucket's replication to its copy: an alarm
	// fires when S3 fails to replicate an object (issue 22).
	BackupReplication *BackupReplication
	// ControlPlaneLogGroupName is the cluster's control-plane log group, which holds the audit log.
	ControlPlaneLogGroupName pulumi.StringInput
	// BreakGlassRoleArn, when set, is the emergency admin role: any request it makes to the
	// Kubernetes API raises an alarm (issue 22).
	BreakGlassRoleArn string
	// DependsOn lists the node groups. The add-on stays DEGRADED without nodes, and the cluster name
	// is a plain string that carries no dependency on the cluster by itself.
	DependsOn []pulumi.Resource
}

// BackupReplication names what S3's replication metrics are reported by (AWS/S3, dimensions
// SourceBucket, DestinationBucket and RuleId).
type BackupReplication struct {
	SourceBucket, DestinationBucket pulumi.StringInput
	RuleID                          string
}

// Observability is the component; its outputs are the X1 exports of this concern.
type Observability struct {
	pulumi.ResourceState

	// LogGroupNames maps "application", "dataplane", "host" and "performance" to log group names.
	LogGroupNames                pulumi.StringMapOutput
	FluentBitConfigParameterName pulumi.StringOutput
	DashboardName                pulumi.StringOutput
	AlarmTopicArn                pulumi.StringOutput
	AlarmNames                   pulumi.StringArrayOutput
	ContainerInsightsAddonName   pulumi.StringOutput
}

// New registers the Container Insights add-on, the log groups, Fluent Bit and the dashboard and
// alarms. The Kubernetes provider arrives through opts (pulumi.Providers) and is inherited.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Observability, error) {
	if err := validate(args); err != nil {
		return nil, err
	}
	comp := &Observability{}
	if err := ctx.RegisterComponentResource("eks-platform:observability:Observability", name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	logGroups, err := newLogGroups(ctx, args, parent)
	if err != nil {
		return nil, err
	}
	addon, err := newContainerInsightsAddon(ctx, args, logGroups[logPerformance], parent)
	if err != nil {
		return nil, err
	}
	param, err := newFluentBit(ctx, args, logGroups, parent)
	if err != nil {
		return nil, err
	}
	dashboard, err := newDashboard(ctx, args, parent)
	if err != nil {
		return nil, err
	}
	if err := newLogMetricFilters(ctx, args, logGroups[logApplication], parent); err != nil {
		return nil, err
	}
	topic, alarmNames, err := newAlarms(ctx, args, parent)
	if err != nil {
		return nil, err
	}

	groupNames := pulumi.StringMap{}
	for kind, group := range logGroups {
		groupNames[kind] = group.Name
	}
	comp.LogGroupNames = groupNames.ToStringMapOutput()
	comp.FluentBitConfigParameterName = param.Name
	comp.DashboardName = dashboard.DashboardName
	comp.AlarmTopicArn = topic.Arn
	comp.AlarmNames = alarmNames
	comp.ContainerInsightsAddonName = addon.AddonName

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"logGroupNames":                comp.LogGroupNames,
		"fluentBitConfigParameterName": comp.FluentBitConfigParameterName,
		"dashboardName":                comp.DashboardName,
		"alarmTopicArn":                comp.AlarmTopicArn,
		"alarmNames":                   comp.AlarmNames,
		"containerInsightsAddonName":   comp.ContainerInsightsAddonName,
	})
}

// validate rejects missing or impossible Args with a message naming the field. Config validation
// happens earlier (C4); this guards against wiring mistakes in the composition root.
func validate(args *Args) error {
	if args == nil {
		return errors.New("observability: Args is nil")
	}
	missing := []struct {
		field  string
		absent bool
	}{
		{"Environment", args.Environment == ""},
		{"ClusterName", args.ClusterName == ""},
		{"Region", args.Region == ""},
		{"KubernetesVersion", args.KubernetesVersion == ""},
		{"LogsKmsKeyArn", args.LogsKmsKeyArn == nil},
		{"CloudWatchAgentRoleArn", args.CloudWatchAgentRoleArn == nil},
		{"FluentBitRoleArn", args.FluentBitRoleArn == nil},
		{"ContainerInsightsAddonVersion", args.ContainerInsightsAddonVersion == ""},
		{"FluentBitImage", args.FluentBitImage == ""},
		{"NatGatewayIds", args.NatGatewayIds == nil},
		{"DependsOn", len(args.DependsOn) == 0},
		{"ControlPlaneLogGroupName (the break-glass alarm reads the audit log)", args.BreakGlassRoleArn != "" && args.ControlPlaneLogGroupName == nil},
	}
	for _, m := range missing {
		if m.absent {
			return fmt.Errorf("observability: %s is required", m.field)
		}
	}
	// assumedRoleUsername reads the account and the role name from the ARN.
	if arn := args.BreakGlassRoleArn; arn != "" && !breakGlassRolePattern.MatchString(arn) {
		return fmt.Errorf("observability: BreakGlassRoleArn %q is not an IAM role ARN", arn)
	}
	ranges := []struct {
		field    string
		value    int
		min, max int
	}{
		{"LogRetentionDays", args.LogRetentionDays, 1, 3653},
		{"NatGatewayCount", args.NatGatewayCount, 1, 6},
		// No cap: the node groups' sizes are bounded by the account's EKS quota, not here.
		{"MinReadyNodes", args.MinReadyNodes, 1, math.MaxInt},
		{"NodeCpuAlarmPercent", args.NodeCpuAlarmPercent, 1, 100},
		{"NodeMemoryAlarmPercent", args.NodeMemoryAlarmPercent, 1, 100},
		{"PodRestartAlarmThreshold", args.PodRestartAlarmThreshold, 1, 10000},
	}
	for _, r := range ranges {
		if r.value < r.min || r.value > r.max {
			return fmt.Errorf("observability: %s = %d, want %d..%d", r.field, r.value, r.min, r.max)
		}
	}
	if !pinnedImage(args.FluentBitImage) {
		return fmt.Errorf("observability: FluentBitImage %q must be pinned to a version tag or digest, not untagged or :latest", args.FluentBitImage)
	}
	return nil
}

// pinnedImage reports whether an image reference names a fixed tag or a digest.
func pinnedImage(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	return colon > slash && image[colon+1:] != "" && image[colon+1:] != "latest"
}
