package cluster

import (
	"fmt"
	"sort"
	"strings"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AccessTier is one of the platform's access levels (issue 22). Each is an EKS access policy
// (docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
type AccessTier int

const (
	// Admin is AmazonEKSClusterAdminPolicy at cluster scope: everything, like cluster-admin.
	Admin AccessTier = iota
	// SecretViewer is AmazonEKSAdminViewPolicy at cluster scope: read everything, Secrets included.
	SecretViewer
	// Viewer is AmazonEKSViewPolicy at cluster scope: read everything except Secrets.
	Viewer
	// NamespaceEditor is AmazonEKSEditPolicy scoped to the grant's namespaces: change most
	// namespaced objects there, not RBAC or the namespace itself.
	NamespaceEditor
)

// accessPolicy is the EKS access policy of a tier and the key of its association in the access
// entry. The admin key stays "cluster-admin", the key the entries had before tiers existed, so
// an existing admin's association is not replaced (which would revoke and re-grant it).
var accessPolicies = map[AccessTier]struct{ policy, association string }{
	Admin:           {"AmazonEKSClusterAdminPolicy", "cluster-admin"},
	SecretViewer:    {"AmazonEKSAdminViewPolicy", "admin-view"},
	Viewer:          {"AmazonEKSViewPolicy", "view"},
	NamespaceEditor: {"AmazonEKSEditPolicy", "edit"},
}

// AccessGrant gives one IAM principal one tier, at cluster scope or, with Namespaces, in those
// namespaces only. NamespaceEditor needs namespaces; Admin takes none (an admin of a few namespaces
// is an editor there).
type AccessGrant struct {
	PrincipalArn string
	Tier         AccessTier
	Namespaces   []string
}

// principalAccess is one principal's access entry: the key pulumi-eks names it by and the grants
// it carries. EKS allows one access entry per principal, holding any number of policies.
type principalAccess struct {
	key    string
	arn    string
	grants []AccessGrant
}

// accessEntryKeys groups the grants by principal and derives a stable key for each from its ARN,
// so reordering the configured lists does not replace (and briefly revoke) anybody's access.
// A principal holds at most one cluster-scoped tier and at most one namespace grant.
func accessEntryKeys(grants []AccessGrant) ([]principalAccess, error) {
	byArn := map[string]*principalAccess{}
	keys := map[string]string{}
	var order []string
	for _, grant := range grants {
		if _, known := accessPolicies[grant.Tier]; !known {
			return nil, fmt.Errorf("cluster: principal %q has unknown access tier %d", grant.PrincipalArn, grant.Tier)
		}
		if (grant.Tier == NamespaceEditor && len(grant.Namespaces) == 0) || (grant.Tier == Admin && len(grant.Namespaces) > 0) {
			return nil, fmt.Errorf("cluster: principal %q: the namespace editor tier needs namespaces, the admin tier takes none",
				grant.PrincipalArn)
		}
		entry, ok := byArn[grant.PrincipalArn]
		if !ok {
			key, err := accessEntryKey(grant.PrincipalArn)
			if err != nil {
				return nil, err
			}
			if other, clash := keys[key]; clash {
				return nil, fmt.Errorf("cluster: principals %q and %q map to the same access entry %q",
					other, grant.PrincipalArn, key)
			}
			keys[key] = grant.PrincipalArn
			entry = &principalAccess{key: key, arn: grant.PrincipalArn}
			byArn[grant.PrincipalArn] = entry
			order = append(order, grant.PrincipalArn)
		}
		for _, held := range entry.grants {
			if (len(held.Namespaces) > 0) == (len(grant.Namespaces) > 0) {
				return nil, fmt.Errorf("cluster: principal %q is granted %s and %s: one cluster-wide tier and one namespace grant at most",
					grant.PrincipalArn, accessPolicies[held.Tier].policy, accessPolicies[grant.Tier].policy)
			}
			if held.Tier == grant.Tier {
				return nil, fmt.Errorf("cluster: principal %q is granted %s twice, at cluster and namespace scope",
					grant.PrincipalArn, accessPolicies[grant.Tier].policy)
			}
			if held.Tier == Admin || grant.Tier == Admin {
				return nil, fmt.Errorf("cluster: principal %q is an admin and a namespace editor: the admin policy already covers every namespace",
					grant.PrincipalArn)
			}
		}
		entry.grants = append(entry.grants, grant)
	}
	entries := make([]principalAccess, 0, len(order))
	for _, arn := range order {
		entries = append(entries, *byArn[arn])
	}
	return entries, nil
}

// accessEntryKey turns "arn:aws:iam::123456789012:role/platform/admins" into
// "role-platform-admins". Access entries accept IAM roles and users only, not groups or STS
// session ARNs.
func accessEntryKey(principalArn string) (string, error) {
	parts := strings.SplitN(principalArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" ||
		!(strings.HasPrefix(parts[5], "role/") || strings.HasPrefix(parts[5], "user/")) {
		return "", fmt.Errorf("cluster: principal %q is not an IAM role or user ARN "+
			"(arn:<partition>:iam::<account>:role/<name> or :user/<name>)", principalArn)
	}
	return strings.ReplaceAll(parts[5], "/", "-"), nil
}

// accessEntries turns each principal's grants into one access entry with one policy association
// per grant (K1: access entries, not the aws-auth ConfigMap).
func accessEntries(principals []principalAccess, partition pulumi.StringOutput,
	tags map[string]string) map[string]eks.AccessEntryArgs {
	entries := make(map[string]eks.AccessEntryArgs, len(principals))
	for _, principal := range principals {
		associations := make(map[string]eks.AccessPolicyAssociationInput, len(principal.grants))
		for _, grant := range principal.grants {
			policy := accessPolicies[grant.Tier]
			scope := awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")}
			if len(grant.Namespaces) > 0 {
				namespaces := append([]string(nil), grant.Namespaces...)
				sort.Strings(namespaces)
				scope = awseks.AccessPolicyAssociationAccessScopeArgs{
					Type:       pulumi.String("namespace"),
					Namespaces: pulumi.ToStringArray(namespaces),
				}
			}
			associations[policy.association] = eks.AccessPolicyAssociationArgs{
				PolicyArn:   pulumi.Sprintf("arn:%s:eks::aws:cluster-access-policy/%s", partition, policy.policy),
				AccessScope: scope,
			}
		}
		entries[principal.key] = eks.AccessEntryArgs{
			PrincipalArn:   pulumi.String(principal.arn),
			Type:           eks.AccessEntryTypeStandard,
			Tags:           pulumi.ToStringMap(tags),
			AccessPolicies: associations,
		}
	}
	return entries
}
