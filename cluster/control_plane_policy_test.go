package cluster

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// L2: pulumi-eks v2.8.1 has no input for the upgrade policy or zonal shift, so the component
// carries a transform that the engine runs on its children. Mocks never construct those children;
// the offline plan shows that the transform is registered, and this test shows what it sets.
// The real-engine run (scripts/stack.sh engine-plan) shows it reaching the real child.
func TestL2ClusterComponentCarriesTheControlPlanePolicyTransform(t *testing.T) {
	plan, _, _ := runCluster(t, testArgs())
	if got := eksCluster(t, plan).Transforms; got != 2 {
		t.Fatalf("the pulumi-eks cluster has %d transforms, want the control-plane policy and the node security group's closing", got)
	}
}

func TestL2ControlPlanePolicySetsUpgradePolicyAndZonalShiftOnTheEksCluster(t *testing.T) {
	for _, tc := range []struct {
		supportType string
		zonalShift  bool
	}{{"STANDARD", false}, {"EXTENDED", true}} {
		transform := controlPlanePolicy(tc.supportType, tc.zonalShift)
		result := transform(context.Background(), &pulumi.ResourceTransformArgs{
			Custom: true, Type: eksClusterType, Name: "eks-platform-dev-eksCluster",
			Props: pulumi.Map{"version": pulumi.String("1.36")},
		})
		if result == nil {
			t.Fatalf("%s: the transform left the EKS cluster unchanged", tc.supportType)
		}
		props := result.Props
		if props["version"] != pulumi.String("1.36") {
			t.Errorf("%s: the transform dropped the cluster's own inputs: %v", tc.supportType, props)
		}
		policy, _ := props["upgradePolicy"].(pulumi.Map)
		if policy["supportType"] != pulumi.String(tc.supportType) {
			t.Errorf("upgradePolicy = %v, want supportType %s", props["upgradePolicy"], tc.supportType)
		}
		shift, _ := props["zonalShiftConfig"].(pulumi.Map)
		if shift["enabled"] != pulumi.Bool(tc.zonalShift) {
			t.Errorf("zonalShiftConfig = %v, want enabled %v", props["zonalShiftConfig"], tc.zonalShift)
		}
	}
}

func TestL2ControlPlanePolicyLeavesOtherChildrenAlone(t *testing.T) {
	transform := controlPlanePolicy("STANDARD", true)
	for _, args := range []pulumi.ResourceTransformArgs{
		{Custom: true, Type: "aws:ec2/securityGroup:SecurityGroup", Props: pulumi.Map{}},
		{Custom: true, Type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", Props: pulumi.Map{}},
		// A component of the same name is not the control plane.
		{Custom: false, Type: eksClusterType, Props: pulumi.Map{}},
	} {
		if result := transform(context.Background(), &args); result != nil {
			t.Errorf("the transform changed %s (custom %v): %v", args.Type, args.Custom, result.Props)
		}
	}
}
