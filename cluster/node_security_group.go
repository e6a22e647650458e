package cluster

import (
	"context"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const securityGroupRuleType = "aws:ec2/securityGroupRule:SecurityGroupRule"

// pulumi-eks v2.8.1 always creates a node security group for self-managed node groups, with an
// egress rule to 0.0.0.0/0 and a rule admitting it on the API's 443 (nodejs/eks/securitygroup.ts,
// createNodeGroupSecurityGroup; v2 has no input to skip it). The platform's managed node groups
// carry the EKS cluster security group instead (found by the engine run), so the group has no
// member: yet an auditor sees egress to the internet, and whoever attaches the group to an
// instance would get the internet and the API. closeUnusedNodeSecurityGroup turns both rules
// onto the group itself (self), so the group reaches nothing outside itself (issue 22). Its
// other rules admit traffic into the group only.
var nodeSecurityGroupRuleSuffixes = []string{"-eksNodeInternetEgressRule", "-eksClusterIngressRule"}

func closeUnusedNodeSecurityGroup() pulumi.ResourceTransform {
	return func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		if !args.Custom || args.Type != securityGroupRuleType || !hasAnySuffix(args.Name, nodeSecurityGroupRuleSuffixes) {
			return nil
		}
		props := pulumi.Map{}
		for k, v := range args.Props {
			props[k] = v
		}
		// The ingress rule sits on the API's group with the node group as its source: it moves onto
		// the node group. The egress rule already sits on the node group.
		if source, ok := props["sourceSecurityGroupId"]; ok {
			props["securityGroupId"] = source
			delete(props, "sourceSecurityGroupId")
		}
		delete(props, "cidrBlocks")
		props["self"] = pulumi.Bool(true)
		props["description"] = pulumi.String("Closed by eks-platform: pulumi-eks v2's node security group is unused (managed node groups carry the cluster security group)")
		return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
	}
}

func hasAnySuffix(name string, suffixes []string) bool {
	for _, suffix := range suffixes {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}
