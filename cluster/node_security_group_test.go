package cluster

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Issue 22: the node security group pulumi-eks v2 always creates reaches nothing outside itself.
// Its egress rule to 0.0.0.0/0 and its rule on the API's 443 are turned onto the group; every
// other rule and resource is left as pulumi-eks made it. tests/engine checks the real children.
func TestUnusedNodeSecurityGroupIsClosed(t *testing.T) {
	transform := closeUnusedNodeSecurityGroup()
	egress := transform(context.Background(), &pulumi.ResourceTransformArgs{
		Custom: true, Type: securityGroupRuleType, Name: "eks-dev-eksNodeInternetEgressRule",
		Props: pulumi.Map{
			"type": pulumi.String("egress"), "protocol": pulumi.String("-1"), "fromPort": pulumi.Int(0), "toPort": pulumi.Int(0),
			"cidrBlocks": pulumi.ToStringArray([]string{"0.0.0.0/0"}), "securityGroupId": pulumi.String("sg-node"),
		},
	})
	if egress == nil {
		t.Fatal("the egress rule to 0.0.0.0/0 was left open")
	}
	if _, open := egress.Props["cidrBlocks"]; open || egress.Props["self"] != pulumi.Bool(true) ||
		egress.Props["securityGroupId"] != pulumi.String("sg-node") || egress.Props["type"] != pulumi.String("egress") {
		t.Errorf("egress rule after the transform: %v", egress.Props)
	}
	api := transform(context.Background(), &pulumi.ResourceTransformArgs{
		Custom: true, Type: securityGroupRuleType, Name: "eks-dev-eksClusterIngressRule",
		Props: pulumi.Map{
			"type": pulumi.String("ingress"), "protocol": pulumi.String("tcp"), "fromPort": pulumi.Int(443), "toPort": pulumi.Int(443),
			"securityGroupId": pulumi.String("sg-api"), "sourceSecurityGroupId": pulumi.String("sg-node"),
		},
	})
	if api == nil {
		t.Fatal("the node group still reaches the API's 443")
	}
	if _, source := api.Props["sourceSecurityGroupId"]; source || api.Props["securityGroupId"] != pulumi.String("sg-node") ||
		api.Props["self"] != pulumi.Bool(true) || api.Props["fromPort"] != pulumi.Int(443) {
		t.Errorf("API ingress rule after the transform: %v", api.Props)
	}
	for _, args := range []pulumi.ResourceTransformArgs{
		{Custom: true, Type: securityGroupRuleType, Name: "eks-dev-eksNodeIngressRule", Props: pulumi.Map{}},
		{Custom: true, Type: securityGroupRuleType, Name: "eks-api-https-from-deployer-dev", Props: pulumi.Map{}},
		{Custom: true, Type: "aws:ec2/securityGroup:SecurityGroup", Name: "eks-dev-nodeSecurityGroup", Props: pulumi.Map{}},
		{Custom: false, Type: securityGroupRuleType, Name: "x-eksClusterIngressRule", Props: pulumi.Map{}},
	} {
		if result := transform(context.Background(), &args); result != nil {
			t.Errorf("the transform changed %s %s: %v", args.Type, args.Name, result.Props)
		}
	}
}
