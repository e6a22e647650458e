package cluster

import (
	"encoding/json"
	"reflect"
	"testing"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	addonType     = "aws:eks/addon:Addon"
	cniRoleArn    = "arn:aws:iam::123456789012:role/eks-platform-dev-vpc-cni"
	ebsCsiRoleArn = "arn:aws:iam::123456789012:role/eks-platform-dev-ebs-csi"
)

const testClusterName = "eks-platform-dev"

var testVolumeTags = map[string]string{"CostCenter": "platform-engineering", "Environment": "dev"}

func allAddons() []AddonSpec {
	return []AddonSpec{
		VpcCniAddon("v1.20.1-eksbuild.3", pulumi.String(cniRoleArn)),
		KubeProxyAddon("v1.33.3-eksbuild.6"),
		CoreDnsAddon("v1.12.4-eksbuild.1"),
		EbsCsiAddon("v1.46.0-eksbuild.1", pulumi.String(ebsCsiRoleArn), testClusterName, testVolumeTags),
		SnapshotControllerAddon("v8.2.0-eksbuild.1"),
	}
}

func runAddons(t *testing.T, specs []AddonSpec, opts ...pulumi.ResourceOption) *offline.Plan {
	t.Helper()
	plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		addons, err := NewAddons(ctx, "addons-dev", &AddonsArgs{
			Environment: "dev",
			ClusterName: pulumi.String("eks-platform-dev"),
			Addons:      specs,
		}, opts...)
		if err == nil && len(addons.ByName) != len(specs) {
			t.Errorf("ByName has %d add-ons, want %d", len(addons.ByName), len(specs))
		}
		return err
	})
	if err != nil {
		t.Fatalf("NewAddons: %v", err)
	}
	return plan
}

func TestK3AddonsArePinnedOnThisCluster(t *testing.T) {
	plan := runAddons(t, allAddons())
	for _, want := range []struct{ logical, name, version string }{
		{"vpc-cni-dev", "vpc-cni", "v1.20.1-eksbuild.3"},
		{"kube-proxy-dev", "kube-proxy", "v1.33.3-eksbuild.6"},
		{"coredns-dev", "coredns", "v1.12.4-eksbuild.1"},
		{"aws-ebs-csi-driver-dev", "aws-ebs-csi-driver", "v1.46.0-eksbuild.1"},
		{"snapshot-controller-dev", "snapshot-controller", "v8.2.0-eksbuild.1"},
	} {
		addon := offline.MustGet(t, plan, addonType, want.logical)
		if addon.String("addonName") != want.name || addon.String("addonVersion") != want.version {
			t.Errorf("%s = %s %s, want %s %s", want.logical, addon.String("addonName"),
				addon.String("addonVersion"), want.name, want.version)
		}
		if got := addon.String("clusterName"); got != "eks-platform-dev" {
			t.Errorf("%s clusterName = %q", want.logical, got)
		}
	}
}

func TestK3ConflictResolutionIsExplicitOnEveryAddon(t *testing.T) {
	plan := runAddons(t, allAddons())
	addons := plan.ByType(addonType)
	if len(addons) != 5 {
		t.Fatalf("%d add-ons, want 5", len(addons))
	}
	for _, addon := range addons {
		for _, field := range []string{"resolveConflictsOnCreate", "resolveConflictsOnUpdate"} {
			if got := addon.String(field); got != "OVERWRITE" {
				t.Errorf("%s %s = %q, want OVERWRITE", addon.Name, field, got)
			}
		}
		if got, ok := addon.Inputs["resolveConflicts"]; ok {
			t.Errorf("%s sets the deprecated resolveConflicts = %v", addon.Name, got)
		}
	}
}

// K3/S5: without enableNetworkPolicy the VPC CNI accepts NetworkPolicies but does not enforce them.
func TestK3VpcCniEnforcesNetworkPoliciesWithItsIRSARole(t *testing.T) {
	plan := runAddons(t, allAddons())
	cni := offline.MustGet(t, plan, addonType, "vpc-cni-dev")
	var config map[string]any
	if err := json.Unmarshal([]byte(cni.String("configurationValues")), &config); err != nil {
		t.Fatalf("vpc-cni configurationValues: %v", err)
	}
	if config["enableNetworkPolicy"] != "true" {
		t.Errorf("vpc-cni enableNetworkPolicy = %v, want \"true\"", config["enableNetworkPolicy"])
	}
	if got := cni.String("serviceAccountRoleArn"); got != cniRoleArn {
		t.Errorf("vpc-cni serviceAccountRoleArn = %q, want its IRSA role", got)
	}
	if got := offline.MustGet(t, plan, addonType, "aws-ebs-csi-driver-dev").String("serviceAccountRoleArn"); got != ebsCsiRoleArn {
		t.Errorf("ebs csi serviceAccountRoleArn = %q, want its IRSA role", got)
	}
	kubeProxy := offline.MustGet(t, plan, addonType, "kube-proxy-dev")
	for _, field := range []string{"configurationValues", "serviceAccountRoleArn"} {
		if got, ok := kubeProxy.Inputs[field]; ok {
			t.Errorf("kube-proxy %s = %v, want unset", field, got)
		}
	}
}

func TestK3ClusterCriticalAddonsArePreservedOnDelete(t *testing.T) {
	plan := runAddons(t, allAddons())
	for logical, want := range map[string]bool{
		"vpc-cni-dev": true, "kube-proxy-dev": true, "coredns-dev": true, "aws-ebs-csi-driver-dev": false,
		"snapshot-controller-dev": true,
	} {
		if got := offline.MustGet(t, plan, addonType, logical).Input("preserve"); got != want {
			t.Errorf("%s preserve = %v, want %v", logical, got, want)
		}
	}
}

// K3: CoreDNS, the EBS CSI driver and the snapshot controller wait for the node groups the root
// passes as dependencies.
func TestK3PhaseTwoAddonsWaitForTheNodeGroups(t *testing.T) {
	var nodeGroupURN string
	plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		nodeGroup, err := awseks.NewNodeGroup(ctx, "system-dev", &awseks.NodeGroupArgs{
			ClusterName: pulumi.String("eks-platform-dev"),
			NodeRoleArn: pulumi.String("arn:aws:iam::123456789012:role/nodes"),
			SubnetIds:   pulumi.ToStringArray([]string{"subnet-private-a"}),
			ScalingConfig: awseks.NodeGroupScalingConfigArgs{
				MinSize: pulumi.Int(1), DesiredSize: pulumi.Int(1), MaxSize: pulumi.Int(2),
			},
		})
		if err != nil {
			return err
		}
		gpuGroup, err := awseks.NewNodeGroup(ctx, "gpu-dev", &awseks.NodeGroupArgs{
			ClusterName: pulumi.String("eks-platform-dev"),
			NodeRoleArn: pulumi.String("arn:aws:iam::123456789012:role/nodes"),
			SubnetIds:   pulumi.ToStringArray([]string{"subnet-private-a"}),
			ScalingConfig: awseks.NodeGroupScalingConfigArgs{
				MinSize: pulumi.Int(0), DesiredSize: pulumi.Int(0), MaxSize: pulumi.Int(1),
			},
		})
		if err != nil {
			return err
		}
		_, err = NewAddons(ctx, "addons-phase2-dev", &AddonsArgs{
			Environment: "dev",
			ClusterName: pulumi.String("eks-platform-dev"),
			Addons:      allAddons()[2:],
		},
			pulumi.DependsOn([]pulumi.Resource{nodeGroup}),
			pulumi.DependsOnInputs(pulumi.ResourceArray{pulumi.NewResourceInput(gpuGroup)}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	nodeGroupURN = offline.MustGet(t, plan, "aws:eks/nodeGroup:NodeGroup", "system-dev").URN
	gpuGroupURN := offline.MustGet(t, plan, "aws:eks/nodeGroup:NodeGroup", "gpu-dev").URN
	for _, logical := range []string{"coredns-dev", "aws-ebs-csi-driver-dev", "snapshot-controller-dev"} {
		addon := offline.MustGet(t, plan, addonType, logical)
		if !addon.DependsOn(nodeGroupURN) || !addon.DependsOn(gpuGroupURN) {
			t.Errorf("%s dependencies = %v, want both node groups", logical, addon.Dependencies)
		}
	}
}

func TestAddonsArgsAreValidated(t *testing.T) {
	valid := func() *AddonsArgs {
		return &AddonsArgs{Environment: "dev", ClusterName: pulumi.String("eks-platform-dev"), Addons: allAddons()}
	}
	cases := map[string]*AddonsArgs{"nil args": nil}
	add := func(name string, breakArgs func(a *AddonsArgs)) {
		a := valid()
		breakArgs(a)
		cases[name] = a
	}
	add("environment", func(a *AddonsArgs) { a.Environment = "" })
	add("cluster name", func(a *AddonsArgs) { a.ClusterName = nil })
	add("no add-ons", func(a *AddonsArgs) { a.Addons = nil })
	add("unnamed add-on", func(a *AddonsArgs) { a.Addons[1].Name = "" })
	add("unpinned version", func(a *AddonsArgs) { a.Addons[1].Version = "" })
	add("duplicate add-on", func(a *AddonsArgs) { a.Addons = append(a.Addons, KubeProxyAddon("v1")) })
	add("vpc-cni without IRSA role", func(a *AddonsArgs) { a.Addons[0] = VpcCniAddon("v1", nil) })
	add("ebs csi without IRSA role", func(a *AddonsArgs) { a.Addons[3] = EbsCsiAddon("v1", nil, testClusterName, nil) })
	add("configuration not JSON", func(a *AddonsArgs) {
		a.Addons[2].ConfigurationValues = map[string]any{"replicaCount": make(chan int)}
	})
	for name, args := range cases {
		if _, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := NewAddons(ctx, "addons-dev", args)
			return err
		}); err == nil {
			t.Errorf("%s: invalid add-on args accepted", name)
		}
	}
}

// C5: the EBS CSI driver puts the cost-allocation tags on the volumes and snapshots it creates,
// which the provider's default tags never reach. Issue 14: it also tags them with this cluster's
// name (ClusterTagKey), the tag `scripts/stack.sh destroy` searches for leftovers.
func TestC5EbsCsiDriverTagsItsVolumesAndSnapshots(t *testing.T) {
	plan := runAddons(t, allAddons())
	type controller struct {
		ExtraVolumeTags map[string]string `json:"extraVolumeTags"`
	}
	var config struct {
		Controller controller `json:"controller"`
	}
	raw := offline.MustGet(t, plan, addonType, "aws-ebs-csi-driver-dev").String("configurationValues")
	if err := json.Unmarshal([]byte(raw), &config); err != nil {
		t.Fatalf("aws-ebs-csi-driver configurationValues %q: %v", raw, err)
	}
	if got := config.Controller.ExtraVolumeTags[ClusterTagKey]; got != testClusterName {
		t.Errorf("extraVolumeTags[%s] = %q, want the cluster name %q", ClusterTagKey, got, testClusterName)
	}
	if len(config.Controller.ExtraVolumeTags) != len(testVolumeTags)+1 {
		t.Errorf("extraVolumeTags = %v, want %v", config.Controller.ExtraVolumeTags, testVolumeTags)
	}
	for key, value := range testVolumeTags {
		if got := config.Controller.ExtraVolumeTags[key]; got != value {
			t.Errorf("extraVolumeTags[%s] = %q, want %q", key, got, value)
		}
	}
	// Without cost tags the driver still tags by cluster, and gets no empty extraVolumeTags.
	untagged := EbsCsiAddon("v1", pulumi.String(ebsCsiRoleArn), testClusterName, nil).ConfigurationValues
	if want := map[string]any{"controller": map[string]any{"extraVolumeTags": map[string]string{ClusterTagKey: testClusterName}}}; !reflect.DeepEqual(untagged, want) {
		t.Errorf("EBS CSI add-on without cost tags has configuration %v, want %v", untagged, want)
	}
	if got, ok := offline.MustGet(t, plan, addonType, "snapshot-controller-dev").Inputs["configurationValues"]; ok {
		t.Errorf("snapshot-controller configurationValues = %v, want unset", got)
	}
}
