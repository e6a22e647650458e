package nodegroups

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	nodeGroupType  = "aws:eks/nodeGroup:NodeGroup"
	templateType   = "aws:ec2/launchTemplate:LaunchTemplate"
	asgTagType     = "aws:autoscaling/tag:Tag"
	roleType       = "aws:iam/role:Role"
	attachmentType = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	testCluster    = "eks-platform-dev"
	testKeyArn     = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testClusterSG  = "sg-0cluster"
)

var (
	testSubnets  = []string{"subnet-a", "subnet-b", "subnet-c"}
	testCostTags = map[string]string{
		"Environment": "dev", "CostCenter": "cc-1234", "Owner": "platform", "Project": "eks-platform", "ManagedBy": "pulumi",
	}
)

// testGroups are the three groups of G1 as the root fills them from config.
func testGroups() []GroupSpec {
	return []GroupSpec{
		{Name: "system", InstanceTypes: []string{"m6i.large"}, CapacityType: "ON_DEMAND", AmiType: "BOTTLEROCKET_x86_64",
			MinSize: 2, DesiredSize: 2, MaxSize: 4, MaxUnavailablePercent: 33, OsVolumeGiB: 4, DataVolumeGiB: 50},
		{Name: "app", InstanceTypes: []string{"m6i.large", "m6a.large", "m5.large"}, CapacityType: "SPOT", AmiType: "BOTTLEROCKET_x86_64",
			MinSize: 1, DesiredSize: 2, MaxSize: 10, MaxUnavailablePercent: 25, OsVolumeGiB: 4, DataVolumeGiB: 50,
			Labels: map[string]string{"workload": "general"}},
		{Name: "gpu", InstanceTypes: []string{"g4dn.xlarge"}, CapacityType: "ON_DEMAND", AmiType: "BOTTLEROCKET_x86_64_NVIDIA",
			MinSize: 0, DesiredSize: 0, MaxSize: 2, MaxUnavailablePercent: 50, OsVolumeGiB: 4, DataVolumeGiB: 100,
			Taints: []Taint{{Key: "nvidia.com/gpu", Value: "true", Effect: "NO_SCHEDULE"}}},
	}
}

// fakeCluster stands in for the cluster (and add-ons) the node groups attach to.
type fakeCluster struct{ pulumi.CustomResourceState }

func testArgs(ctx *pulumi.Context) (*Args, error) {
	cluster := &fakeCluster{}
	if err := ctx.RegisterResource("test:cluster:Cluster", "cluster-dev", nil, cluster); err != nil {
		return nil, err
	}
	cni := &fakeCluster{}
	if err := ctx.RegisterResource("test:cluster:VpcCni", "vpc-cni-dev", nil, cni); err != nil {
		return nil, err
	}
	return &Args{
		Environment:            "dev",
		ClusterName:            testCluster,
		Cluster:                cluster,
		WaitFor:                []pulumi.Resource{cni},
		KubernetesVersion:      "1.33",
		PrivateSubnetIds:       pulumi.ToStringArray(testSubnets),
		ClusterSecurityGroupId: pulumi.String(testClusterSG),
		VolumeKmsKeyArn:        pulumi.String(testKeyArn),
		Tags:                   testCostTags,
		Groups:                 testGroups(),
	}, nil
}

// runPlan builds the node groups from testArgs (after edit) and exports the component's outputs.
func runPlan(t *testing.T, edit func(*Args)) *offline.Plan {
	t.Helper()
	plan, err := offline.Run(offline.Options{Project: "eks-platform", Stack: "dev"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		args, err := testArgs(ctx)
		if err != nil {
			return nil, err
		}
		if edit != nil {
			edit(args)
		}
		groups, err := New(ctx, "nodegroups-dev", args)
		if err != nil {
			return nil, err
		}
		return pulumi.Map{
			"names": groups.NodeGroupNames, "arns": groups.NodeGroupArns, "templates": groups.LaunchTemplateIds,
			"roleArn": groups.NodeRoleArn, "roleName": groups.NodeRoleName,
			"resourceCount": pulumi.Int(len(groups.NodeGroups)),
			"prefixes":      pulumi.ToStringMap(groups.NodeGroupNamePrefixes),
		}, nil
	})
	if err != nil {
		t.Fatalf("running the plan: %v", err)
	}
	return plan
}

// G1: three managed node groups from one function, each with its AMI type, capacity, instance
// types and taints, across all private subnets.
func TestG1_ThreeGroupsFromSpecs(t *testing.T) {
	plan := runPlan(t, nil)
	if n := len(plan.ByType(nodeGroupType)); n != 3 {
		t.Fatalf("want 3 node groups, got %d", n)
	}
	want := map[string]struct {
		ami, capacity string
		instances     []string
		taints        []any
	}{
		"system": {"BOTTLEROCKET_x86_64", "ON_DEMAND", []string{"m6i.large"}, nil},
		"app":    {"BOTTLEROCKET_x86_64", "SPOT", []string{"m6i.large", "m6a.large", "m5.large"}, nil},
		"gpu": {"BOTTLEROCKET_x86_64_NVIDIA", "ON_DEMAND", []string{"g4dn.xlarge"},
			[]any{map[string]any{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}}},
	}
	for group, w := range want {
		ng := offline.MustGet(t, plan, nodeGroupType, group+"-nodes-dev")
		if ng.String("clusterName") != testCluster || ng.String("version") != "1.33" {
			t.Errorf("%s: cluster %q version %q", group, ng.String("clusterName"), ng.String("version"))
		}
		if ng.String("amiType") != w.ami || ng.String("capacityType") != w.capacity {
			t.Errorf("%s: amiType %q capacityType %q, want %q %q", group, ng.String("amiType"), ng.String("capacityType"), w.ami, w.capacity)
		}
		if !reflect.DeepEqual(ng.Strings("instanceTypes"), w.instances) {
			t.Errorf("%s: instanceTypes %v, want %v", group, ng.Strings("instanceTypes"), w.instances)
		}
		taints, _ := ng.Input("taints").([]any)
		if !reflect.DeepEqual(taints, w.taints) {
			t.Errorf("%s: taints %v, want %v", group, taints, w.taints)
		}
		if !reflect.DeepEqual(ng.Strings("subnetIds"), testSubnets) {
			t.Errorf("%s: subnetIds %v, want all private subnets %v", group, ng.Strings("subnetIds"), testSubnets)
		}
		if labels, _ := ng.Input("labels").(map[string]any); labels[RoleLabelKey] != group {
			t.Errorf("%s: labels %v lack %s=%s", group, ng.Input("labels"), RoleLabelKey, group)
		}
	}
	if got := offline.MustGet(t, plan, nodeGroupType, "app-nodes-dev").String("labels.workload"); got != "general" {
		t.Errorf("app: spec label workload=%q, want general", got)
	}
}

// G3: a change that replaces a group (instance types, capacity or AMI type) must not be an
// outage. Each group is named by a prefix, so the replacement gets a new name and Pulumi's default
// create-before-delete brings it up before the old group drains; a fixed nodeGroupName would force
// delete-before-replace. The ASG tags follow their group's ASG, so they need no delete-first either.
func TestG3_ReplacementCreatesBeforeDeleting(t *testing.T) {
	plan := runPlan(t, nil)
	for _, r := range append(plan.ByType(nodeGroupType), plan.ByType("aws:autoscaling/tag:Tag")...) {
		if r.DeleteBeforeReplace {
			t.Errorf("%s %s is deleted before its replacement exists", r.Type, r.Name)
		}
	}
	for _, ng := range plan.ByType(nodeGroupType) {
		if v, set := ng.Inputs["nodeGroupName"]; set {
			t.Errorf("%s: fixed nodeGroupName %v; old and new group could not coexist", ng.Name, v)
		}
		if want := ng.Name + "-"; ng.String("nodeGroupNamePrefix") != want {
			t.Errorf("%s: nodeGroupNamePrefix %q, want %q", ng.Name, ng.String("nodeGroupNamePrefix"), want)
		}
	}
}

// A group name just within EKS's limit once the provider's 26-character suffix is added.
func TestG3_LongestGroupNameFits(t *testing.T) {
	name := strings.Repeat("g", 26) // 26 + len("-nodes-dev-") = 37
	plan := runPlan(t, func(a *Args) { a.Groups[0].Name = name })
	prefixes, _ := plan.Outputs["prefixes"].(map[string]any)
	if got, _ := prefixes[name].(string); len(got) != 37 {
		t.Errorf("prefix %q, want 37 characters", got)
	}
}

// G3: scaling from config, desiredSize left to the autoscaler, rolling updates bounded.
func TestG3_ScalingUpdateConfigAndIgnoredDesiredSize(t *testing.T) {
	plan := runPlan(t, nil)
	for _, spec := range testGroups() {
		ng := offline.MustGet(t, plan, nodeGroupType, spec.Name+"-nodes-dev")
		scaling := map[string]any{"minSize": float64(spec.MinSize), "desiredSize": float64(spec.DesiredSize), "maxSize": float64(spec.MaxSize)}
		if !reflect.DeepEqual(ng.Input("scalingConfig"), scaling) {
			t.Errorf("%s: scalingConfig %v, want %v", spec.Name, ng.Input("scalingConfig"), scaling)
		}
		if got := ng.Input("updateConfig.maxUnavailablePercentage"); got != float64(spec.MaxUnavailablePercent) {
			t.Errorf("%s: updateConfig.maxUnavailablePercentage %v, want %d", spec.Name, got, spec.MaxUnavailablePercent)
		}
		if !reflect.DeepEqual(ng.IgnoreChanges, []string{"scalingConfig.desiredSize"}) {
			t.Errorf("%s: ignoreChanges %v, want only scalingConfig.desiredSize", spec.Name, ng.IgnoreChanges)
		}
	}
}

// Issue 14: every managed node group has node auto repair on, so EKS replaces a node that stays
// NotReady instead of leaving it in the group until someone notices.
func TestNodeAutoRepairOnEveryGroup(t *testing.T) {
	plan := runPlan(t, nil)
	for _, spec := range testGroups() {
		ng := offline.MustGet(t, plan, nodeGroupType, spec.Name+"-nodes-dev")
		if got := ng.Input("nodeRepairConfig.enabled"); got != true {
			t.Errorf("%s: nodeRepairConfig.enabled = %v, want true", spec.Name, got)
		}
	}
}

// G3/P1: cluster-autoscaler auto-discovery tags on every node group.
func TestG3_AutoscalerDiscoveryTags(t *testing.T) {
	plan := runPlan(t, nil)
	for _, ng := range plan.ByType(nodeGroupType) {
		tags, _ := ng.Input("tags").(map[string]any)
		if tags["k8s.io/cluster-autoscaler/enabled"] != "true" {
			t.Errorf("%s: tags %v lack k8s.io/cluster-autoscaler/enabled=true", ng.Name, tags)
		}
		if tags["k8s.io/cluster-autoscaler/"+testCluster] != "owned" {
			t.Errorf("%s: tags %v lack k8s.io/cluster-autoscaler/%s=owned", ng.Name, tags, testCluster)
		}
	}
}

// G3: the group that scales from zero tells the autoscaler its labels and taints through tags on
// its Auto Scaling group; groups with nodes always present get none.
func TestG3_NodeTemplateTagsOnlyForScaleFromZero(t *testing.T) {
	plan := runPlan(t, nil)
	gpuGroup := offline.MustGet(t, plan, nodeGroupType, "gpu-nodes-dev")
	names, _ := plan.Outputs["names"].(map[string]any)
	wantASG := "eks-" + names["gpu"].(string) + "-" + strings.TrimPrefix(offline.MockID(nodeGroupType, gpuGroup.Name), gpuGroup.Name+"-")
	want := map[string]string{
		"k8s.io/cluster-autoscaler/node-template/label/" + RoleLabelKey: "gpu",
		"k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu":  "true:NoSchedule",
	}
	got := map[string]string{}
	for _, tag := range plan.ByType(asgTagType) {
		if asg := tag.String("autoscalingGroupName"); asg != wantASG {
			t.Errorf("%s: tags ASG %q, want the gpu group's ASG %q", tag.Name, asg, wantASG)
		}
		if tag.Input("tag.propagateAtLaunch") != false {
			t.Errorf("%s: propagateAtLaunch %v, want false", tag.Name, tag.Input("tag.propagateAtLaunch"))
		}
		got[tag.String("tag.key")] = tag.String("tag.value")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ASG tags %v, want exactly %v (none for system/app, min > 0)", got, want)
	}
}

// G2: one launch template per group, Bottlerocket through amiType, no image, both volumes gp3 and
// encrypted with the data key, IMDSv2 with hop limit 1, the cluster security group.
func TestG2_LaunchTemplates(t *testing.T) {
	plan := runPlan(t, nil)
	if n := len(plan.ByType(templateType)); n != 3 {
		t.Fatalf("want 3 launch templates, got %d", n)
	}
	for _, spec := range testGroups() {
		lt := offline.MustGet(t, plan, templateType, spec.Name+"-nodes-dev")
		if v, ok := lt.Inputs["imageId"]; ok {
			t.Errorf("%s: launch template sets imageId %v; EKS then stops managing the AMI and bootstrap", spec.Name, v)
		}
		if lt.Input("updateDefaultVersion") != true {
			t.Errorf("%s: updateDefaultVersion %v, want true", spec.Name, lt.Input("updateDefaultVersion"))
		}
		wantDevices := map[string]float64{osDeviceName: float64(spec.OsVolumeGiB), dataDeviceName: float64(spec.DataVolumeGiB)}
		mappings, _ := lt.Input("blockDeviceMappings").([]any)
		if len(mappings) != len(wantDevices) {
			t.Errorf("%s: %d block device mappings, want %d", spec.Name, len(mappings), len(wantDevices))
		}
		for i := range mappings {
			prefix := "blockDeviceMappings." + string(rune('0'+i)) + "."
			device := lt.String(prefix + "deviceName")
			size, known := wantDevices[device]
			delete(wantDevices, device)
			if !known {
				t.Errorf("%s: unexpected device %q", spec.Name, device)
				continue
			}
			if lt.Input(prefix+"ebs.volumeSize") != size || lt.String(prefix+"ebs.volumeType") != "gp3" ||
				lt.String(prefix+"ebs.encrypted") != "true" || lt.String(prefix+"ebs.kmsKeyId") != testKeyArn ||
				lt.String(prefix+"ebs.deleteOnTermination") != "true" {
				t.Errorf("%s %s: ebs %v, want %v GiB gp3 encrypted with the data key, deleted on termination",
					spec.Name, device, lt.Input(prefix+"ebs"), size)
			}
		}
		if len(wantDevices) > 0 {
			t.Errorf("%s: missing block devices %v", spec.Name, wantDevices)
		}
		metadata := map[string]any{"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": float64(1)}
		if !reflect.DeepEqual(lt.Input("metadataOptions"), metadata) {
			t.Errorf("%s: metadataOptions %v, want %v", spec.Name, lt.Input("metadataOptions"), metadata)
		}
		if sgs := lt.Strings("vpcSecurityGroupIds"); !contains(sgs, testClusterSG) {
			t.Errorf("%s: vpcSecurityGroupIds %v lack the cluster security group %s", spec.Name, sgs, testClusterSG)
		}
		if lt.Input("monitoring.enabled") != false {
			t.Errorf("%s: detailed monitoring %v, want off", spec.Name, lt.Input("monitoring.enabled"))
		}
	}
}

// C5/G2: instances, volumes and ENIs launched by the ASG carry the cost tags and a Name.
func TestG2_TagSpecificationsCarryCostTags(t *testing.T) {
	plan := runPlan(t, nil)
	lt := offline.MustGet(t, plan, templateType, "app-nodes-dev")
	specs, _ := lt.Input("tagSpecifications").([]any)
	var types []string
	for i := range specs {
		prefix := "tagSpecifications." + string(rune('0'+i))
		types = append(types, lt.String(prefix+".resourceType"))
		for key, value := range testCostTags {
			if got := lt.String(prefix + ".tags." + key); got != value {
				t.Errorf("%s tags: %s=%q, want %q", lt.String(prefix+".resourceType"), key, got, value)
			}
		}
		if lt.String(prefix+".tags.Name") != "app-nodes-dev" {
			t.Errorf("%s tags: Name %q, want app-nodes-dev", lt.String(prefix+".resourceType"), lt.String(prefix+".tags.Name"))
		}
	}
	sort.Strings(types)
	if !reflect.DeepEqual(types, []string{"instance", "network-interface", "volume"}) {
		t.Errorf("tag specification types %v, want instance, network-interface, volume", types)
	}
}

// G2: the node group runs the latest version of its own template.
func TestG2_NodeGroupUsesItsTemplate(t *testing.T) {
	plan := runPlan(t, nil)
	for _, spec := range testGroups() {
		name := spec.Name + "-nodes-dev"
		ng := offline.MustGet(t, plan, nodeGroupType, name)
		if want := offline.MockID(templateType, name); ng.String("launchTemplate.id") != want {
			t.Errorf("%s: launchTemplate.id %q, want %q", spec.Name, ng.String("launchTemplate.id"), want)
		}
		if ng.String("launchTemplate.version") != "1" {
			t.Errorf("%s: launchTemplate.version %q, want the latest version 1", spec.Name, ng.String("launchTemplate.version"))
		}
	}
}

// G3: one node role, trusted by EC2 only, with exactly the worker, ECR read-only and SSM policies;
// the CNI policy belongs to the vpc-cni IRSA role (K3).
func TestG3_NodeRole(t *testing.T) {
	plan := runPlan(t, nil)
	roles := plan.ByType(roleType)
	if len(roles) != 1 {
		t.Fatalf("want one node role, got %d", len(roles))
	}
	role := roles[0]
	if role.String("name") != "eks-node-dev" {
		t.Errorf("role name %q, want eks-node-dev", role.String("name"))
	}
	var trust struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    string
		}
	}
	if err := json.Unmarshal([]byte(role.String("assumeRolePolicy")), &trust); err != nil {
		t.Fatalf("trust policy %q: %v", role.String("assumeRolePolicy"), err)
	}
	if len(trust.Statement) != 1 || trust.Statement[0].Effect != "Allow" || trust.Statement[0].Action != "sts:AssumeRole" ||
		!reflect.DeepEqual(trust.Statement[0].Principal, map[string]any{"Service": "ec2.amazonaws.com"}) {
		t.Errorf("trust policy %s, want EC2 as the only principal", role.String("assumeRolePolicy"))
	}
	if _, ok := role.Inputs["permissionsBoundary"]; ok {
		t.Errorf("permissionsBoundary set without config: %v", role.Inputs["permissionsBoundary"])
	}
	var policies []string
	for _, attachment := range plan.ByType(attachmentType) {
		policies = append(policies, attachment.String("policyArn"))
		if attachment.String("role") != "eks-node-dev" {
			t.Errorf("%s attached to %q, want eks-node-dev", attachment.String("policyArn"), attachment.String("role"))
		}
	}
	sort.Strings(policies)
	want := []string{
		"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
		"arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
		"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
	}
	if !reflect.DeepEqual(policies, want) {
		t.Errorf("node role policies %v, want exactly %v (no AmazonEKS_CNI_Policy)", policies, want)
	}
	for _, ng := range plan.ByType(nodeGroupType) {
		if ng.String("nodeRoleArn") != "arn:aws:iam::123456789012:role/eks-node-dev" {
			t.Errorf("%s: nodeRoleArn %q", ng.Name, ng.String("nodeRoleArn"))
		}
	}
}

func TestG3_NodeRolePermissionsBoundary(t *testing.T) {
	boundary := "arn:aws:iam::123456789012:policy/platform-boundary"
	plan := runPlan(t, func(a *Args) { a.PermissionsBoundaryArn = boundary })
	if got := offline.MustGet(t, plan, roleType, "eks-node-dev").String("permissionsBoundary"); got != boundary {
		t.Errorf("permissionsBoundary %q, want %q", got, boundary)
	}
}

// The node groups wait for the cluster, the extra dependencies and the role's policies; every
// resource belongs to the component.
func TestNodeGroupDependenciesAndParent(t *testing.T) {
	plan := runPlan(t, nil)
	components := plan.ByType("eks-platform:nodegroups:NodeGroups")
	if len(components) != 1 {
		t.Fatalf("want one NodeGroups component, got %d", len(components))
	}
	cluster := plan.ByType("test:cluster:Cluster")[0]
	cni := plan.ByType("test:cluster:VpcCni")[0]
	for _, ng := range plan.ByType(nodeGroupType) {
		for _, dep := range append([]offline.Resource{cluster, cni}, plan.ByType(attachmentType)...) {
			if !ng.DependsOn(dep.URN) {
				t.Errorf("%s does not depend on %s", ng.Name, dep.URN)
			}
		}
	}
	if n := len(plan.Children(components[0])); n != 1+3+3*2+2 {
		t.Errorf("component has %d children, want role + 3 attachments + 3 templates + 3 groups + 2 ASG tags", n)
	}
}

// X1: node group names, ARNs, template IDs and the role come out of the component.
func TestOutputs(t *testing.T) {
	plan := runPlan(t, nil)
	prefixes, _ := plan.Outputs["prefixes"].(map[string]any)
	wantPrefixes := map[string]any{"system": "system-nodes-dev-", "app": "app-nodes-dev-", "gpu": "gpu-nodes-dev-"}
	if !reflect.DeepEqual(prefixes, wantPrefixes) {
		t.Errorf("name prefixes %v, want %v", prefixes, wantPrefixes)
	}
	names, _ := plan.Outputs["names"].(map[string]any)
	for group, prefix := range wantPrefixes {
		name, _ := names[group].(string)
		if !strings.HasPrefix(name, prefix.(string)) || len(name) != len(prefix.(string))+26 {
			t.Errorf("%s: name %q, want %q and a 26-character suffix", group, name, prefix)
		}
	}
	arns, _ := plan.Outputs["arns"].(map[string]any)
	if arn, _ := arns["gpu"].(string); !strings.HasPrefix(arn, "arn:aws:eks:us-east-1:123456789012:nodegroup/"+testCluster+"/"+names["gpu"].(string)+"/") {
		t.Errorf("gpu ARN %q", arn)
	}
	templates, _ := plan.Outputs["templates"].(map[string]any)
	if templates["app"] != offline.MockID(templateType, "app-nodes-dev") {
		t.Errorf("app template id %v", templates["app"])
	}
	if plan.Outputs["roleArn"] != "arn:aws:iam::123456789012:role/eks-node-dev" || plan.Outputs["roleName"] != "eks-node-dev" {
		t.Errorf("role outputs %v %v", plan.Outputs["roleArn"], plan.Outputs["roleName"])
	}
	if plan.Outputs["resourceCount"] != 3.0 { // outputs take JSON shapes: numbers are float64
		t.Errorf("NodeGroups has %v resources, want 3", plan.Outputs["resourceCount"])
	}
}

func TestArgsErrors(t *testing.T) {
	cases := map[string]struct {
		edit func(*Args)
		want string
	}{
		"required fields": {func(a *Args) {
			*a = Args{Environment: "dev"}
		}, "[Cluster ClusterName ClusterSecurityGroupId Groups KubernetesVersion PrivateSubnetIds VolumeKmsKeyArn]"},
		"unnamed group":  {func(a *Args) { a.Groups[1].Name = "" }, "Groups[1] has no Name"},
		"duplicate":      {func(a *Args) { a.Groups[2].Name = "app" }, `group "app" is defined twice`},
		"no instances":   {func(a *Args) { a.Groups[0].InstanceTypes = nil }, `group "system" needs InstanceTypes`},
		"no AMI type":    {func(a *Args) { a.Groups[0].AmiType = "" }, `group "system" needs InstanceTypes, AmiType`},
		"kubectl effect": {func(a *Args) { a.Groups[2].Taints[0].Effect = "NoSchedule" }, `effect "NoSchedule"`},
		// 27 + len("-nodes-dev-") = 38 characters, one over the limit.
		"long name": {func(a *Args) { a.Groups[0].Name = strings.Repeat("g", 27) }, "longer than 37 characters"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
				args, err := testArgs(ctx)
				if err != nil {
					return err
				}
				c.edit(args)
				_, err = New(ctx, "nodegroups-dev", args)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// A child that cannot be registered fails New with the engine's error. A transformation that moves
// one type of child to another parent is the one registration error the SDK reports synchronously.
func TestRegistrationErrors(t *testing.T) {
	for _, failing := range []string{roleType, attachmentType, templateType, nodeGroupType, asgTagType} {
		t.Run(failing, func(t *testing.T) {
			_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
				args, err := testArgs(ctx)
				if err != nil {
					return err
				}
				moveFailing := func(r *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
					if r.Type != failing {
						return nil
					}
					return &pulumi.ResourceTransformationResult{Props: r.Props, Opts: append(r.Opts, pulumi.Parent(args.Cluster))}
				}
				_, err = New(ctx, "nodegroups-dev", args, pulumi.Transformations([]pulumi.ResourceTransformation{moveFailing}))
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "parent") {
				t.Fatalf("error %v, want the registration error of %s", err, failing)
			}
		})
	}
	_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx)
		if err != nil {
			return err
		}
		_, err = New(ctx, "", args)
		return err
	})
	if err == nil {
		t.Fatal("New with an empty component name succeeded")
	}
}

func TestNilArgs(t *testing.T) {
	_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "nodegroups-dev", nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Args is nil") {
		t.Fatalf("error %v, want Args is nil", err)
	}
}

func contains(list []string, want string) bool {
	for _, v := range list {
		if v == want {
			return true
		}
	}
	return false
}
