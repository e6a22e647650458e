package cluster

import (
	"fmt"
	"strings"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// adminPrincipal is one admin principal and the key pulumi-eks names its access entry by.
type adminPrincipal struct {
	key string
	arn string
}

// accessEntryKeys derives a stable key for each admin principal from its ARN, so reordering the
// configured list does not replace (and briefly revoke) anybody's access.
func accessEntryKeys(principalArns []string) ([]adminPrincipal, error) {
	seen := map[string]string{}
	principals := make([]adminPrincipal, 0, len(principalArns))
	for _, arn := range principalArns {
		key, err := accessEntryKey(arn)
		if err != nil {
			return nil, err
		}
		if other, ok := seen[key]; ok {
			return nil, fmt.Errorf("cluster: admin principals %q and %q map to the same access entry %q",
				other, arn, key)
		}
		seen[key] = arn
		principals = append(principals, adminPrincipal{key: key, arn: arn})
	}
	return principals, nil
}

// accessEntryKey turns "arn:aws:iam::123456789012:role/platform/admins" into
// "role-platform-admins". Access entries accept IAM roles and users only, not groups or STS
// session ARNs.
func accessEntryKey(principalArn string) (string, error) {
	parts := strings.SplitN(principalArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" ||
		!(strings.HasPrefix(parts[5], "role/") || strings.HasPrefix(parts[5], "user/")) {
		return "", fmt.Errorf("cluster: admin principal %q is not an IAM role or user ARN "+
			"(arn:<partition>:iam::<account>:role/<name> or :user/<name>)", principalArn)
	}
	return strings.ReplaceAll(parts[5], "/", "-"), nil
}

// adminAccessEntries gives each admin principal the cluster-wide AmazonEKSClusterAdminPolicy
// through an access entry (K1: access entries, not the aws-auth ConfigMap).
func adminAccessEntries(principals []adminPrincipal, partition pulumi.StringOutput,
	tags map[string]string) map[string]eks.AccessEntryArgs {
	entries := make(map[string]eks.AccessEntryArgs, len(principals))
	for _, principal := range principals {
		entries[principal.key] = eks.AccessEntryArgs{
			PrincipalArn: pulumi.String(principal.arn),
			Type:         eks.AccessEntryTypeStandard,
			Tags:         pulumi.ToStringMap(tags),
			AccessPolicies: map[string]eks.AccessPolicyAssociationInput{
				"cluster-admin": eks.AccessPolicyAssociationArgs{
					PolicyArn: pulumi.Sprintf(
						"arn:%s:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", partition),
					AccessScope: awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")},
				},
			},
		}
	}
	return entries
}
