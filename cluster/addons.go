package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// conflictResolution is set for both create and update: the add-on configuration in this program
// wins over the self-managed copy EKS installs at cluster creation and over manual edits. The
// single `resolveConflicts` setting of the seed is deprecated (K3).
const conflictResolution = "OVERWRITE"

// AddonSpec describes one EKS managed add-on.
type AddonSpec struct {
	// Name is the EKS add-on name, e.g. "vpc-cni".
	Name string
	// Version is the pinned add-on version, e.g. "v1.20.1-eksbuild.3" (K3, C3).
	Version string
	// ServiceAccountRoleArn is the IRSA role of the add-on's service account, if it calls AWS.
	ServiceAccountRoleArn pulumi.StringInput
	// ConfigurationValues are the add-on's configuration, sent as JSON.
	ConfigurationValues map[string]any
	// PreserveOnDelete keeps the add-on's workloads running if the add-on resource is removed, so
	// a refactoring cannot take cluster networking or DNS down; destroying the cluster removes
	// them anyway.
	PreserveOnDelete bool

	// requiresServiceAccountRole marks add-ons whose AWS permissions must come from IRSA because
	// the node role deliberately lacks them (K3, G3).
	requiresServiceAccountRole bool
}

// VpcCniAddon is the Amazon VPC CNI with its IAM policy on an IRSA role and network policy
// enforcement on; without it Kubernetes NetworkPolicies (S5) are accepted but not enforced.
func VpcCniAddon(version string, serviceAccountRoleArn pulumi.StringInput) AddonSpec {
	return AddonSpec{
		Name:                       "vpc-cni",
		Version:                    version,
		ServiceAccountRoleArn:      serviceAccountRoleArn,
		ConfigurationValues:        map[string]any{"enableNetworkPolicy": "true"},
		PreserveOnDelete:           true,
		requiresServiceAccountRole: true,
	}
}

// KubeProxyAddon is kube-proxy, which nodes need before they can run pods.
func KubeProxyAddon(version string) AddonSpec {
	return AddonSpec{Name: "kube-proxy", Version: version, PreserveOnDelete: true}
}

// CoreDnsAddon is CoreDNS. Its pods need nodes: create it after the node groups, or it stays
// DEGRADED and the deployment times out (K3).
func CoreDnsAddon(version string) AddonSpec {
	return AddonSpec{Name: "coredns", Version: version, PreserveOnDelete: true}
}

// EbsCsiAddon is the EBS CSI driver on its S3 IRSA role. Like CoreDNS it needs nodes.
//
// The driver creates volumes and snapshots through its own EC2 calls, which the AWS provider's
// default tags never reach, so it is told to add tags itself (controller.extraVolumeTags: every
// volume and every snapshot): the cost-allocation tags (C5, volumeTags) and ClusterTagKey with
// this cluster's name. Without that, what it creates carries only ebs.csi.aws.com/cluster=true,
// which every cluster in the account shares: `scripts/stack.sh destroy` finds this cluster's
// leftovers by ClusterTagKey (issue 14). The chart's controller.k8sTagClusterId would do the same,
// but the EKS add-on's configuration schema has no such key (only extraVolumeTags under
// controller), so CreateAddon would refuse it. The driver refuses extra tags under
// "kubernetes.io", "ebs.csi.aws.com/" or "aws:", which it reserves.
func EbsCsiAddon(version string, serviceAccountRoleArn pulumi.StringInput, clusterName string, volumeTags map[string]string) AddonSpec {
	tags := map[string]string{ClusterTagKey: clusterName}
	for k, v := range volumeTags {
		tags[k] = v
	}
	return AddonSpec{
		Name:                       "aws-ebs-csi-driver",
		Version:                    version,
		ServiceAccountRoleArn:      serviceAccountRoleArn,
		ConfigurationValues:        map[string]any{"controller": map[string]any{"extraVolumeTags": tags}},
		requiresServiceAccountRole: true,
	}
}

// ClusterTagKey is the tag the EBS CSI driver puts on every volume and snapshot it creates, with
// the cluster's name as value (the key the in-tree AWS provider used for the same purpose).
const ClusterTagKey = "KubernetesCluster"

// SnapshotControllerAddon is the CSI snapshot controller. It installs the VolumeSnapshot,
// VolumeSnapshotContent and VolumeSnapshotClass CRDs and the controller that binds them, without
// which the EBS CSI driver takes no snapshots and Velero backs up no volume data (P3). Its
// Deployment needs nodes. What it installed is preserved if the add-on resource is removed: the
// CRDs hold the VolumeSnapshots a restore may still need.
func SnapshotControllerAddon(version string) AddonSpec {
	return AddonSpec{Name: "snapshot-controller", Version: version, PreserveOnDelete: true}
}

// AddonsArgs lists the add-ons of one installation phase.
type AddonsArgs struct {
	// Environment is the stack's environment suffix.
	Environment string
	// ClusterName is the cluster's name, taken from Cluster.ClusterName so the add-ons wait for it.
	ClusterName pulumi.StringInput
	// Addons are the add-ons to install, e.g. VpcCniAddon(...), KubeProxyAddon(...).
	Addons []AddonSpec
}

// Addons is one phase of EKS managed add-ons.
type Addons struct {
	pulumi.ResourceState

	// ByName holds the add-on resources by add-on name ("vpc-cni", "coredns", ...).
	ByName map[string]*awseks.Addon
}

// Resources lists the add-on resources, sorted by add-on name, for pulumi.DependsOn. Depending on
// the component itself is not enough: the Go SDK expands a component into the children it has
// registered so far, which races with the component's own registrations.
func (a *Addons) Resources() []pulumi.Resource {
	names := make([]string, 0, len(a.ByName))
	for name := range a.ByName {
		names = append(names, name)
	}
	sort.Strings(names)
	resources := make([]pulumi.Resource, 0, len(names))
	for _, name := range names {
		resources = append(resources, a.ByName[name])
	}
	return resources
}

// NewAddons installs the given add-ons. Dependencies passed with pulumi.DependsOn (e.g. the node
// groups, for CoreDNS and the EBS CSI driver) are applied to every add-on: a component's own
// dependencies do not order its children.
func NewAddons(ctx *pulumi.Context, name string, args *AddonsArgs, opts ...pulumi.ResourceOption) (*Addons, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	configurations, err := configurationJSON(args.Addons)
	if err != nil {
		return nil, err
	}
	options, err := pulumi.NewResourceOptions(opts...)
	if err != nil {
		return nil, err
	}

	comp := &Addons{ByName: map[string]*awseks.Addon{}}
	if err := ctx.RegisterComponentResource("eks-platform:cluster:Addons", name, comp, opts...); err != nil {
		return nil, err
	}
	childOpts := []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.DependsOn(options.DependsOn)}
	for _, dependencies := range options.DependsOnInputs {
		childOpts = append(childOpts, pulumi.DependsOnInputs(dependencies))
	}

	outputs := pulumi.Map{}
	for _, spec := range args.Addons {
		addonArgs := &awseks.AddonArgs{
			ClusterName:              args.ClusterName,
			AddonName:                pulumi.String(spec.Name),
			AddonVersion:             pulumi.String(spec.Version),
			ConfigurationValues:      configurations[spec.Name],
			ResolveConflictsOnCreate: pulumi.String(conflictResolution),
			ResolveConflictsOnUpdate: pulumi.String(conflictResolution),
			Preserve:                 pulumi.Bool(spec.PreserveOnDelete),
		}
		if spec.ServiceAccountRoleArn != nil {
			addonArgs.ServiceAccountRoleArn = spec.ServiceAccountRoleArn.ToStringOutput()
		}
		addon, err := awseks.NewAddon(ctx, naming.Name(spec.Name, args.Environment), addonArgs, childOpts...)
		if err != nil {
			return nil, err
		}
		comp.ByName[spec.Name] = addon
		outputs[spec.Name] = addon.Arn
	}
	return comp, ctx.RegisterResourceOutputs(comp, outputs)
}

// configurationJSON marshals each add-on's configuration; add-ons without one get nil.
func configurationJSON(specs []AddonSpec) (map[string]pulumi.StringPtrInput, error) {
	out := map[string]pulumi.StringPtrInput{}
	for _, spec := range specs {
		if spec.ConfigurationValues == nil {
			continue
		}
		raw, err := json.Marshal(spec.ConfigurationValues)
		if err != nil {
			return nil, fmt.Errorf("cluster: add-on %s: configuration is not JSON: %w", spec.Name, err)
		}
		out[spec.Name] = pulumi.String(string(raw))
	}
	return out, nil
}

func (args *AddonsArgs) validate() error {
	if args == nil {
		return errors.New("cluster: addons args are required")
	}
	if args.Environment == "" {
		return errors.New("cluster: addons Environment is required")
	}
	if args.ClusterName == nil {
		return errors.New("cluster: addons ClusterName is required")
	}
	if len(args.Addons) == 0 {
		return errors.New("cluster: at least one add-on is required")
	}
	seen := map[string]bool{}
	for _, spec := range args.Addons {
		switch {
		case spec.Name == "":
			return errors.New("cluster: an add-on has no Name")
		case spec.Version == "":
			return fmt.Errorf("cluster: add-on %s has no pinned Version (K3)", spec.Name)
		case seen[spec.Name]:
			return fmt.Errorf("cluster: add-on %s is listed twice", spec.Name)
		case spec.requiresServiceAccountRole && spec.ServiceAccountRoleArn == nil:
			return fmt.Errorf("cluster: add-on %s needs its IRSA role: the node role does not carry "+
				"its AWS permissions (K3)", spec.Name)
		}
		seen[spec.Name] = true
	}
	return nil
}
