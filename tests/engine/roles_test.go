package engine_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
)

const (
	roleType             = "aws:iam/role:Role"
	rolePolicyAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	rolePolicy           = "aws:iam/rolePolicy:RolePolicy"
)

// notRoleUsers are types that name a role without acting as it: an access entry says who may call
// the cluster, not what the role may do in AWS.
var notRoleUsers = map[string]bool{
	"aws:eks/accessEntry:AccessEntry":                                       true,
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation":               true,
	rolePolicyAttachment:                                                    true,
	rolePolicy:                                                              true,
	"aws:iam/instanceProfile:InstanceProfile":                               true,
	"aws:iam/rolePoliciesExclusive:RolePoliciesExclusive":                   true,
	"aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": true,
}

// A role is usable only once its permissions are attached. A resource created before them fails in
// AWS, or starts broken: EKS refuses a node group whose role lacks its managed policies
// ("InvalidParameterException: The provided role doesn't have the Amazon EKS Managed Policies
// associated with it"), a flow log reports "Access error", an add-on or controller runs into
// AccessDenied. The stubs create everything at once, so only the dependencies show whether the
// real order is safe (issue 23 scenario 2: where the program can avoid a failure, it does). Every
// resource of the engine plan, pulumi-eks' included, that takes a role's ARN as an input must
// depend, directly or through others, on every policy attached to that role.
func TestRolesHaveTheirPermissionsBeforeTheirUsers(t *testing.T) {
	forEachStack(t, func(t *testing.T, stack string, _ *config.Config, plan *offline.Plan) {
		permissions := map[string][]string{} // role name -> the URNs of its policies
		for _, r := range plan.Resources {
			if r.Type == rolePolicyAttachment || r.Type == rolePolicy {
				role := r.String("role")
				permissions[role] = append(permissions[role], r.URN)
			}
		}
		roleByArn := map[string]string{}
		for _, role := range plan.ByType(roleType) {
			roleByArn[outputString(role, "arn")] = outputString(role, "name")
		}
		users := 0
		for _, r := range plan.Resources {
			if notRoleUsers[r.Type] || r.Type == roleType {
				continue
			}
			closure := dependencyClosure(plan, r)
			used := map[string]bool{}
			for _, arn := range stringValues(r.Inputs) {
				role, ok := roleByArn[arn]
				if !ok || used[role] {
					continue
				}
				used[role] = true
				users++
				var missing []string
				for _, permission := range permissions[role] {
					if !closure[permission] {
						missing = append(missing, permission)
					}
				}
				sort.Strings(missing)
				if len(missing) > 0 {
					t.Errorf("%s uses role %s before these of its policies exist (add them to its dependsOn):\n  %s",
						r.URN, role, strings.Join(missing, "\n  "))
				}
			}
		}
		if users == 0 {
			t.Fatal("no resource takes a role's ARN: the check reads nothing")
		}
	})
}

// dependencyClosure is every resource r waits for: its dependencies, theirs, and so on, where a
// dependency on a component means every resource inside it.
func dependencyClosure(plan *offline.Plan, r offline.Resource) map[string]bool {
	children := map[string][]string{}
	for _, other := range plan.Resources {
		children[other.Parent] = append(children[other.Parent], other.URN)
	}
	seen := map[string]bool{}
	var visit func(urn string)
	visit = func(urn string) {
		if seen[urn] {
			return
		}
		seen[urn] = true
		if dep, ok := plan.ByURN(urn); ok {
			for _, next := range dep.Dependencies {
				visit(next)
			}
		}
		for _, child := range children[urn] {
			visit(child)
		}
	}
	for _, dep := range r.Dependencies {
		visit(dep)
	}
	return seen
}

// stringValues lists every string inside a resource's inputs, at any depth.
func stringValues(v any) []string {
	switch value := v.(type) {
	case string:
		return []string{value}
	case map[string]any:
		var all []string
		for _, inner := range value {
			all = append(all, stringValues(inner)...)
		}
		return all
	case []any:
		var all []string
		for _, inner := range value {
			all = append(all, stringValues(inner)...)
		}
		return all
	}
	return nil
}
