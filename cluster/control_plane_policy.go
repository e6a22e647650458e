package cluster

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// eksClusterType is the type of the control plane pulumi-eks creates inside its component.
const eksClusterType = "aws:eks/cluster:Cluster"

// controlPlanePolicy sets what pulumi-eks v2.8.1 has no input for on the aws:eks/cluster:Cluster
// it creates (L2): the upgrade policy, so EKS's default (EXTENDED, six times the hourly price
// once standard support ends) is never chosen silently, and zonal shift. A transform on the
// component reaches the children the eks provider registers, because the engine runs the
// program's transforms for every child of the component.
func controlPlanePolicy(upgradeSupportType string, zonalShift bool) pulumi.ResourceTransform {
	return func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		if !args.Custom || args.Type != eksClusterType {
			return nil
		}
		props := pulumi.Map{}
		for k, v := range args.Props {
			props[k] = v
		}
		props["upgradePolicy"] = pulumi.Map{"supportType": pulumi.String(upgradeSupportType)}
		props["zonalShiftConfig"] = pulumi.Map{"enabled": pulumi.Bool(zonalShift)}
		return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
	}
}
