// Package nodegroups builds the cluster's EKS managed node groups (STACK_SPEC G1-G3): one node IAM
// role, and per group a Bottlerocket launch template and a node group, all made by one function
// fed with a GroupSpec.
//
// The node groups are pulumi-aws eks.NodeGroup resources attached to the pulumi-eks cluster, not
// pulumi-eks ManagedNodeGroup components: pulumi-eks v2.8.1's ManagedNodeGroup has no updateConfig,
// and ignoreChanges set on that remote component does not reach the node group it creates, so
// "max unavailable" and "the autoscaler owns desiredSize" (G3) could not be expressed through it.
package nodegroups

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// RoleLabelKey is the Kubernetes label every node carries with its group's name ("system", "app",
// "gpu"), for node selectors such as "platform controllers run on the system group" (P1).
const RoleLabelKey = "node.eks-platform/role"

const (
	autoscalerTagPrefix   = "k8s.io/cluster-autoscaler/"
	nodeTemplateTagPrefix = autoscalerTagPrefix + "node-template/"
	// maxNodeGroupNamePrefixLength is EKS's 63-character node group name limit minus the
	// 26-character unique suffix the provider appends to a name prefix.
	maxNodeGroupNamePrefixLength = 63 - 26
)

// Taint is a Kubernetes taint in the EKS API's form (Effect NO_SCHEDULE, NO_EXECUTE or
// PREFER_NO_SCHEDULE).
type Taint struct {
	Key    string
	Value  string
	Effect string
}

// kubernetesTaintEffects maps the EKS API's taint effects to Kubernetes' own spelling, which the
// cluster autoscaler expects in node-template taint tags.
var kubernetesTaintEffects = map[string]string{
	"NO_SCHEDULE":        "NoSchedule",
	"NO_EXECUTE":         "NoExecute",
	"PREFER_NO_SCHEDULE": "PreferNoSchedule",
}

// GroupSpec is the data that makes one node group (G1): everything that differs between groups.
type GroupSpec struct {
	// Name is the group's short name ("system", "app", "gpu"): part of its physical names and the
	// value of its RoleLabelKey label.
	Name          string
	InstanceTypes []string
	// CapacityType is ON_DEMAND or SPOT.
	CapacityType string
	// AmiType is a Bottlerocket AMI type: BOTTLEROCKET_x86_64 or BOTTLEROCKET_x86_64_NVIDIA.
	AmiType                       string
	MinSize, DesiredSize, MaxSize int
	// MaxUnavailablePercent is the share of nodes a version or template update may replace at once.
	MaxUnavailablePercent int
	// OsVolumeGiB and DataVolumeGiB size Bottlerocket's OS (/dev/xvda) and data (/dev/xvdb) volumes.
	OsVolumeGiB, DataVolumeGiB int
	// Labels are added to the RoleLabelKey label on every node of the group.
	Labels map[string]string
	Taints []Taint
}

// Args configures the node groups.
type Args struct {
	Environment string
	// ClusterName is the cluster's physical name (deterministic config, e.g. "eks-platform-dev").
	// It is a plain string because the cluster autoscaler's discovery tag KEYS contain it.
	ClusterName string
	// Cluster is the cluster resource the node groups attach to. Because ClusterName is plain, it
	// carries no dependency, so the node groups wait for Cluster explicitly.
	Cluster pulumi.Resource
	// WaitFor lists further resources the nodes need before they join (optional), e.g. the
	// vpc-cni add-on, without which nodes stay NotReady.
	WaitFor []pulumi.Resource
	// KubernetesVersion is the node groups' version, the cluster's version from config (C3).
	KubernetesVersion string
	// PrivateSubnetIds are all private subnets; every group spans them all (G1).
	PrivateSubnetIds pulumi.StringArrayInput
	// ClusterSecurityGroupId is the EKS-managed cluster security group (vpcConfig.clusterSecurityGroupId).
	ClusterSecurityGroupId pulumi.StringInput
	// VolumeKmsKeyArn is the data key (S1, issue 22) that encrypts the nodes' EBS volumes.
	VolumeKmsKeyArn pulumi.StringInput
	// Tags are the cost-allocation tags (C5) for instances, volumes and network interfaces, which
	// the provider's default tags do not reach.
	Tags map[string]string
	// PermissionsBoundaryArn is an optional permissions boundary for the node role.
	PermissionsBoundaryArn string
	Groups                 []GroupSpec
}

// NodeGroups is the component holding the node role and the node groups.
type NodeGroups struct {
	pulumi.ResourceState

	// NodeGroupNames, NodeGroupArns and LaunchTemplateIds are keyed by GroupSpec.Name. A name is
	// known only once its group exists and changes whenever the group is replaced.
	NodeGroupNames    pulumi.StringMapOutput
	NodeGroupArns     pulumi.StringMapOutput
	LaunchTemplateIds pulumi.StringMapOutput
	NodeRoleArn       pulumi.StringOutput
	NodeRoleName      pulumi.StringOutput
	// NodeGroupNamePrefixes are the groups' name prefixes ("app-nodes-dev-"), keyed by
	// GroupSpec.Name: plain values, known before any group exists and stable across replacements,
	// for matching a group's Auto Scaling group ("eks-<prefix><suffix>-<uuid>").
	NodeGroupNamePrefixes map[string]string
	// NodeGroups are the node group resources, for whatever needs running nodes first (coredns and
	// ebs-csi add-ons, K3).
	NodeGroups []pulumi.Resource
}

// New creates the node role and one launch template and managed node group per GroupSpec.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*NodeGroups, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	comp := &NodeGroups{NodeGroupNamePrefixes: map[string]string{}}
	if err := ctx.RegisterComponentResource("eks-platform:nodegroups:NodeGroups", name, comp, opts...); err != nil {
		return nil, err
	}

	role, err := newNodeRole(ctx, comp, args)
	if err != nil {
		return nil, err
	}
	names, arns, templateIds := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for _, spec := range args.Groups {
		group, template, err := newGroup(ctx, comp, args, spec, role)
		if err != nil {
			return nil, err
		}
		names[spec.Name] = group.NodeGroupName
		arns[spec.Name] = group.Arn
		templateIds[spec.Name] = template.ID().ToStringOutput()
		comp.NodeGroupNamePrefixes[spec.Name] = args.nodeGroupNamePrefix(spec)
		comp.NodeGroups = append(comp.NodeGroups, group)
	}

	comp.NodeGroupNames = names.ToStringMapOutput()
	comp.NodeGroupArns = arns.ToStringMapOutput()
	comp.LaunchTemplateIds = templateIds.ToStringMapOutput()
	comp.NodeRoleArn = role.role.Arn
	comp.NodeRoleName = role.role.Name
	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"nodeGroupNames":    comp.NodeGroupNames,
		"nodeGroupArns":     comp.NodeGroupArns,
		"launchTemplateIds": comp.LaunchTemplateIds,
		"nodeRoleArn":       comp.NodeRoleArn,
		"nodeRoleName":      comp.NodeRoleName,
	})
}

// newGroup builds one node group from its spec: the launch template, the node group and, for a
// group that can scale from zero, the Auto Scaling group tags the cluster autoscaler needs (G1-G3).
func newGroup(ctx *pulumi.Context, parent pulumi.Resource, args *Args, spec GroupSpec, role *nodeRole) (*eks.NodeGroup, *ec2.LaunchTemplate, error) {
	name := naming.Name(spec.Name+"-nodes", args.Environment)
	template, err := newLaunchTemplate(ctx, parent, args, spec, name)
	if err != nil {
		return nil, nil, err
	}

	labels := spec.labels()
	var taints eks.NodeGroupTaintArray
	for _, taint := range spec.Taints {
		taints = append(taints, eks.NodeGroupTaintArgs{
			Key: pulumi.String(taint.Key), Value: pulumi.String(taint.Value), Effect: pulumi.String(taint.Effect),
		})
	}
	dependencies := append([]pulumi.Resource{args.Cluster}, args.WaitFor...)
	dependencies = append(dependencies, role.attachments...)

	group, err := eks.NewNodeGroup(ctx, name, &eks.NodeGroupArgs{
		ClusterName: pulumi.String(args.ClusterName),
		// A prefix, not a fixed name: a change that replaces the group (instance types, capacity
		// or AMI type) then creates the new group, under a new name, before the old one is
		// deleted (Pulumi's default create-before-delete). The old group's pods are drained onto
		// running nodes instead of all being evicted at once with nowhere to go.
		NodeGroupNamePrefix: pulumi.String(args.nodeGroupNamePrefix(spec)),
		NodeRoleArn:         role.role.Arn,
		// The template names no image, so the node group may carry the version: EKS then picks
		// the Bottlerocket release for it and upgrades the group when the version changes.
		Version:       pulumi.String(args.KubernetesVersion),
		AmiType:       pulumi.String(spec.AmiType),
		CapacityType:  pulumi.String(spec.CapacityType),
		InstanceTypes: pulumi.ToStringArray(spec.InstanceTypes),
		SubnetIds:     args.PrivateSubnetIds,
		LaunchTemplate: &eks.NodeGroupLaunchTemplateArgs{
			Id: template.ID().ToStringPtrOutput(),
			// A concrete version number: a template change then shows as a node group update
			// (a rolling replacement within UpdateConfig's limit).
			Version: template.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput),
		},
		ScalingConfig: &eks.NodeGroupScalingConfigArgs{
			MinSize:     pulumi.Int(spec.MinSize),
			DesiredSize: pulumi.Int(spec.DesiredSize),
			MaxSize:     pulumi.Int(spec.MaxSize),
		},
		UpdateConfig: &eks.NodeGroupUpdateConfigArgs{
			MaxUnavailablePercentage: pulumi.Int(spec.MaxUnavailablePercent),
		},
		// Node auto repair (issue 14): EKS replaces a node whose Ready condition stays false for
		// 30 minutes, instead of leaving it in the group until someone notices. The GPU, kernel
		// and runtime conditions it also acts on (AcceleratedHardwareReady after 10 minutes, ...)
		// are set only by the EKS node monitoring agent add-on, which the platform does not
		// install (README "Node groups"). EKS pauses repair by itself when more than 20% of a group of
		// more than five nodes is unhealthy, so an outage is not turned into mass replacement
		// (docs.aws.amazon.com/eks/latest/userguide/node-repair.html).
		NodeRepairConfig: &eks.NodeGroupNodeRepairConfigArgs{Enabled: pulumi.Bool(true)},
		Labels:           pulumi.ToStringMap(labels),
		Taints:           taints,
		// Discovery tags for the cluster autoscaler's auto-discovery (P1). EKS also puts them on the
		// group's Auto Scaling group, which is where the autoscaler reads them.
		Tags: pulumi.StringMap{
			"Name":                                 pulumi.String(name),
			autoscalerTagPrefix + "enabled":        pulumi.String("true"),
			autoscalerTagPrefix + args.ClusterName: pulumi.String("owned"),
		},
	}, pulumi.Parent(parent), pulumi.DependsOn(dependencies),
		// The cluster autoscaler owns the desired size once the group exists (G3).
		pulumi.IgnoreChanges([]string{"scalingConfig.desiredSize"}))
	if err != nil {
		return nil, nil, err
	}

	if spec.MinSize == 0 {
		if err := tagForScaleFromZero(ctx, parent, args, spec, labels, group); err != nil {
			return nil, nil, err
		}
	}
	return group, template, nil
}

// tagForScaleFromZero puts node-template tags on the group's Auto Scaling group. With no node to
// look at, the cluster autoscaler learns a group's labels and taints only from these ASG tags, and
// EKS does not copy node group labels, taints or tags to the ASG (G3). Without them a pending pod
// that tolerates the GPU taint would never trigger a scale-up from zero.
func tagForScaleFromZero(ctx *pulumi.Context, parent pulumi.Resource, args *Args, spec GroupSpec, labels map[string]string, group *eks.NodeGroup) error {
	asgName := group.Resources.Index(pulumi.Int(0)).AutoscalingGroups().Index(pulumi.Int(0)).Name().Elem()
	// Keyed by the tag key without its common prefix, e.g. "taint/nvidia.com/gpu".
	tags := map[string]string{}
	for key, value := range labels {
		tags["label/"+key] = value
	}
	for _, taint := range spec.Taints {
		tags["taint/"+taint.Key] = taint.Value + ":" + kubernetesTaintEffects[taint.Effect]
	}
	keys := make([]string, 0, len(tags))
	for key := range tags {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		// Named by the tag key, so a changed value updates the same resource in place. A tag is
		// replaced only with its node group (a new ASG name): old and new tag then sit on
		// different ASGs, so create-before-delete is safe, and it keeps the old group described
		// to the autoscaler until the old group itself is deleted.
		_, err := autoscaling.NewTag(ctx, naming.Name(spec.Name+"-nodes-asg-"+key, args.Environment), &autoscaling.TagArgs{
			AutoscalingGroupName: asgName,
			Tag: &autoscaling.TagTagArgs{
				Key:               pulumi.String(nodeTemplateTagPrefix + key),
				Value:             pulumi.String(tags[key]),
				PropagateAtLaunch: pulumi.Bool(false),
			},
		}, pulumi.Parent(parent))
		if err != nil {
			return err
		}
	}
	return nil
}

// nodeGroupNamePrefix is the prefix of the group's EKS name, "<group>-nodes-<env>-"; the provider
// appends a unique suffix.
func (a *Args) nodeGroupNamePrefix(spec GroupSpec) string {
	return naming.Name(spec.Name+"-nodes", a.Environment) + "-"
}

// labels returns the group's node labels: its own plus its role.
func (s GroupSpec) labels() map[string]string {
	labels := map[string]string{RoleLabelKey: s.Name}
	for key, value := range s.Labels {
		labels[key] = value
	}
	return labels
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("nodegroups: Args is nil")
	}
	var missing []string
	for field, isMissing := range map[string]bool{
		"Environment":            a.Environment == "",
		"ClusterName":            a.ClusterName == "",
		"Cluster":                a.Cluster == nil,
		"KubernetesVersion":      a.KubernetesVersion == "",
		"PrivateSubnetIds":       a.PrivateSubnetIds == nil,
		"ClusterSecurityGroupId": a.ClusterSecurityGroupId == nil,
		"VolumeKmsKeyArn":        a.VolumeKmsKeyArn == nil,
		"Groups":                 len(a.Groups) == 0,
	} {
		if isMissing {
			missing = append(missing, field)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("nodegroups: required Args missing: %v", missing)
	}
	seen := map[string]bool{}
	for i, spec := range a.Groups {
		switch {
		case spec.Name == "":
			return fmt.Errorf("nodegroups: Groups[%d] has no Name", i)
		case seen[spec.Name]:
			return fmt.Errorf("nodegroups: group %q is defined twice", spec.Name)
		case len(spec.InstanceTypes) == 0 || spec.AmiType == "" || spec.CapacityType == "":
			return fmt.Errorf("nodegroups: group %q needs InstanceTypes, AmiType and CapacityType", spec.Name)
		case len(a.nodeGroupNamePrefix(spec)) > maxNodeGroupNamePrefixLength:
			return fmt.Errorf("nodegroups: group %q: node group name prefix %q is longer than %d characters",
				spec.Name, a.nodeGroupNamePrefix(spec), maxNodeGroupNamePrefixLength)
		}
		seen[spec.Name] = true
		for _, taint := range spec.Taints {
			if _, ok := kubernetesTaintEffects[taint.Effect]; !ok {
				return fmt.Errorf("nodegroups: group %q taint %q has effect %q, want one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE",
					spec.Name, taint.Key, taint.Effect)
			}
		}
	}
	return nil
}
