package fakecloud

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Computed outputs of the node group resources (package nodegroups), shaped as AWS returns them.
func init() {
	registerOutputs("aws:eks/nodeGroup:NodeGroup",
		func(r Resource, state resource.PropertyMap) {
			cluster, name := "unknown-cluster", r.Name
			if v, ok := state["clusterName"]; ok && v.IsString() {
				cluster = v.StringValue()
			}
			// EKS names the group's Auto Scaling group "eks-<nodegroup>-<uuid>".
			suffix := strings.TrimPrefix(ID(r.Type, r.Name), r.Name+"-")
			if v, ok := state["nodeGroupName"]; ok && v.IsString() {
				name = v.StringValue()
			} else if v, ok := state["nodeGroupNamePrefix"]; ok && v.IsString() {
				// The provider appends a 26-character unique suffix to a prefix.
				name = v.StringValue() + uniqueNameSuffix(r.Type, r.Name)
			}
			state["nodeGroupName"] = resource.NewStringProperty(name)
			state["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s",
				r.Region, AccountID, cluster, name, suffix))
			state["status"] = resource.NewStringProperty("ACTIVE")
			state["resources"] = resource.NewPropertyValue([]any{map[string]any{
				"autoscalingGroups": []any{map[string]any{"name": "eks-" + name + "-" + suffix}},
			}})
		})
	registerOutputs("aws:ec2/launchTemplate:LaunchTemplate",
		func(_ Resource, state resource.PropertyMap) {
			state["latestVersion"] = resource.NewNumberProperty(1)
			state["defaultVersion"] = resource.NewNumberProperty(1)
		})
}

// uniqueNameSuffix stands in for the 26 digits (a timestamp and a counter) the provider appends to
// a name prefix, derived from the resource so the plan stays deterministic.
func uniqueNameSuffix(typeToken, name string) string {
	sum := sha256.Sum256([]byte(typeToken + "/" + name))
	digits := make([]byte, 26)
	for i := range digits {
		digits[i] = '0' + sum[i]%10
	}
	return string(digits)
}
