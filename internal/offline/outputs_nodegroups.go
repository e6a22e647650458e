package offline

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Computed outputs of the node group resources (package nodegroups), shaped as AWS returns them.
func init() {
	RegisterOutputs("aws:eks/nodeGroup:NodeGroup",
		func(args pulumi.MockResourceArgs, region string, state resource.PropertyMap) {
			cluster, name := "unknown-cluster", args.Name
			if v, ok := state["clusterName"]; ok && v.IsString() {
				cluster = v.StringValue()
			}
			if v, ok := state["nodeGroupName"]; ok && v.IsString() {
				name = v.StringValue()
			}
			// EKS names the group's Auto Scaling group "eks-<nodegroup>-<uuid>".
			suffix := strings.TrimPrefix(MockID(args.TypeToken, args.Name), args.Name+"-")
			state["nodeGroupName"] = resource.NewStringProperty(name)
			state["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s",
				region, AccountID, cluster, name, suffix))
			state["status"] = resource.NewStringProperty("ACTIVE")
			state["resources"] = resource.NewPropertyValue([]any{map[string]any{
				"autoscalingGroups": []any{map[string]any{"name": "eks-" + name + "-" + suffix}},
			}})
		})
	RegisterOutputs("aws:ec2/launchTemplate:LaunchTemplate",
		func(_ pulumi.MockResourceArgs, _ string, state resource.PropertyMap) {
			state["latestVersion"] = resource.NewNumberProperty(1)
			state["defaultVersion"] = resource.NewNumberProperty(1)
		})
}
