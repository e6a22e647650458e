package config

import (
	"fmt"
	"slices"
	"strings"
)

// validateAccess checks the access tiers (K1, issue 22). EKS keeps one access entry per
// principal and the cluster package keys each entry by the ARN's resource part with "/" turned
// into "-" (cluster.accessEntryKey), so the rules follow from that: one cluster-wide tier per
// principal, and no two principals whose keys collide.
func validateAccess(v *validator, c *Config) {
	a := c.Cluster.Access
	tiers := []struct {
		key  string
		arns []string
	}{
		{"adminPrincipalArns", a.AdminPrincipalArns},
		{"secretViewerPrincipalArns", a.SecretViewerPrincipalArns},
		{"viewerPrincipalArns", a.ViewerPrincipalArns},
	}
	for _, role := range [][2]string{{"previewRoleArn", a.PreviewRoleArn}, {"breakGlassRoleArn", a.BreakGlassRoleArn}} {
		if role[1] != "" {
			tiers = append(tiers, struct {
				key  string
				arns []string
			}{role[0], []string{role[1]}})
		}
	}
	entries := map[string]string{}
	claimEntry := func(key, value, arn string) {
		entry := strings.ReplaceAll(strings.SplitN(arn, ":", 6)[5], "/", "-")
		if other, seen := entries[entry]; seen && other != arn {
			v.fail(key, value, fmt.Sprintf("must not map to the same EKS access entry (%s) as %s", entry, other))
		}
		entries[entry] = arn
	}

	clusterTier := map[string]string{} // principal ARN -> key of its cluster-wide tier
	for _, tier := range tiers {
		for _, arn := range tier.arns {
			if !principalArnPattern.MatchString(arn) {
				v.fail(tier.key, arn, "must be an IAM role or user ARN")
				continue
			}
			if other, held := clusterTier[arn]; held {
				if other == tier.key {
					v.fail(tier.key, arn, "is listed twice")
				} else {
					v.fail(tier.key, arn, "is already in "+Key(other)+": a principal has one access entry, so one cluster-wide tier")
				}
				continue
			}
			clusterTier[arn] = tier.key
			claimEntry(tier.key, arn, arn)
		}
	}
	if a.BreakGlassRoleArn != "" && principalArnPattern.MatchString(a.BreakGlassRoleArn) &&
		!strings.Contains(a.BreakGlassRoleArn, ":role/") {
		v.fail("breakGlassRoleArn", a.BreakGlassRoleArn, "must be an IAM role ARN: break-glass access is assumed in an emergency, never held by a user")
	}
	if a.PreviewRoleArn != "" && principalArnPattern.MatchString(a.PreviewRoleArn) && !strings.Contains(a.PreviewRoleArn, ":role/") {
		v.fail("previewRoleArn", a.PreviewRoleArn, "must be an IAM role ARN: the workflows assume the preview role through GitHub OIDC")
	}

	granted := map[NamespaceEditor]bool{}
	for _, e := range a.NamespaceEditors {
		entry := e.Namespace + "=" + e.PrincipalArn
		switch tier := clusterTier[e.PrincipalArn]; {
		case e.Namespace == "":
			v.fail("namespaceEditors", e.PrincipalArn, "must be <namespace>=<IAM role or user ARN>")
		case !slices.Contains(c.Workloads.Namespaces, e.Namespace):
			v.fail("namespaceEditors", entry, fmt.Sprintf("must name one of %s %s: editors edit workload namespaces only, never the platform's",
				Key("workloadNamespaces"), show(c.Workloads.Namespaces)))
		case !principalArnPattern.MatchString(e.PrincipalArn):
			v.fail("namespaceEditors", entry, "must name an IAM role or user ARN after the \"=\"")
		case granted[e]:
			v.fail("namespaceEditors", entry, "is listed twice")
		case tier == "previewRoleArn":
			v.fail("namespaceEditors", entry, "names the preview role ("+Key(tier)+"), which only reads")
		case tier == "adminPrincipalArns" || tier == "breakGlassRoleArn":
			v.fail("namespaceEditors", entry, "names a principal of "+Key(tier)+", whose admin policy already covers every namespace")
		default:
			granted[e] = true
			claimEntry("namespaceEditors", entry, e.PrincipalArn)
		}
	}

	// issue 22: in prod the deploy role alone as standing cluster admin must be a written decision.
	switch {
	case c.Environment == EnvProd && len(a.AdminPrincipalArns) == 0 && !a.DeployRoleIsOnlyAdmin:
		v.fail("adminPrincipalArns", a.AdminPrincipalArns, "must not be empty in prod unless "+Key("deployRoleIsOnlyAdmin")+
			" is true: list the admin roles, or say in the stack file that the deploy role is the only cluster admin")
	case len(a.AdminPrincipalArns) > 0 && a.DeployRoleIsOnlyAdmin:
		v.fail("deployRoleIsOnlyAdmin", true, "must be false when "+Key("adminPrincipalArns")+" lists admins: the deploy role is then not the only admin")
	}
}

// validateKeyAdmins checks who administers the platform's KMS keys (issue 22). KMS refuses a key
// policy that would not let its caller change it again (the lockout safety check of CreateKey
// and PutKeyPolicy), so the list can never be empty: it names at least the role `pulumi up`
// runs as. Only roles of the stack's own account: key administration is not delegated across
// accounts, and a person administers a key by assuming the admin role, never as an IAM user.
func validateKeyAdmins(v *validator, c *Config) {
	admins := c.Security.KeyAdminRoleArns
	if len(admins) == 0 {
		v.fail("keyAdminRoleArns", admins, "must name at least the deploy role (bootstrap: eks-platform-deploy-<stack>): "+
			"KMS refuses a key policy that would lock out the role that sets it")
	}
	// The bootstrap's deploy role of this environment sets the key policies (README "Delivery"),
	// so without it KMS would refuse the first key halfway through an up.
	deploy := fmt.Sprintf(":iam::%s:role/%s%s", c.AccountID, DeployRolePrefix, c.Environment)
	if len(admins) > 0 && !slices.ContainsFunc(admins, func(arn string) bool {
		return strings.HasPrefix(arn, "arn:") && strings.HasSuffix(arn, deploy) && strings.Count(arn, ":") == 5
	}) {
		v.fail("keyAdminRoleArns", admins, fmt.Sprintf("must include the deploy role arn:<partition>%s, which sets the key policies: "+
			"KMS refuses a key policy that would lock out the role that sets it", deploy))
	}
	for i, arn := range admins {
		switch {
		case !principalArnPattern.MatchString(arn) || !strings.Contains(arn, ":role/"):
			v.fail("keyAdminRoleArns", arn, "must be an IAM role ARN (arn:aws:iam::<account>:role/<path><name>, no wildcards)")
		case strings.Split(arn, ":")[4] != c.AccountID:
			v.fail("keyAdminRoleArns", arn, fmt.Sprintf("must be a role of the stack's account %s (awsAccountId): the keys are administered from their own account only", c.AccountID))
		case slices.Contains(admins[:i], arn):
			v.fail("keyAdminRoleArns", arn, "is listed twice")
		}
	}
}
