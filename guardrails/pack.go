package guardrails

import (
	"context"
	"fmt"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// PackName is the policy pack's name in the engine's output ("Policy Violations: [mandatory]
// eks-platform-guardrails@v1.0.0 ...").
const PackName = "eks-platform-guardrails"

// PackVersion changes when a rule changes, so a preview's output names the rules it ran.
var PackVersion = semver.MustParse("1.0.0")

// Pack is the policy pack: every rule mandatory, so a violation stops the preview and the update.
// The engine calls it once per stack (policyx.Main).
func Pack(*pulumi.Context) (policyx.PolicyPack, error) {
	policies := make([]policyx.Policy, 0, len(Rules)+len(StackRules))
	for _, rule := range Rules {
		policies = append(policies, policyx.NewResourceValidationPolicy(rule.Name, policyx.ResourceValidationPolicyArgs{
			Description:      rule.Description,
			EnforcementLevel: policyx.EnforcementLevelMandatory,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				if violations := Judge([]Rule{rule}, args.Resource.Type, args.Resource.Properties)[rule.Name]; len(violations) > 0 {
					args.Manager.ReportViolation(report(args.Resource.Type, args.Resource.Name, violations), "")
				}
				return nil
			},
		}))
	}
	for _, rule := range StackRules {
		policies = append(policies, policyx.NewStackValidationPolicy(rule.Name, policyx.StackValidationPolicyArgs{
			Description:      rule.Description,
			EnforcementLevel: policyx.EnforcementLevelMandatory,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				resources := make([]Resource, 0, len(args.Resources))
				for _, r := range args.Resources {
					resources = append(resources, Resource{Type: r.Type, URN: r.URN, Properties: r.Properties, Dependencies: r.PropertyDependencies})
				}
				for _, finding := range rule.Check(resources) {
					args.Manager.ReportViolation(finding.Message, finding.URN)
				}
				return nil
			},
		}))
	}
	return policyx.NewPolicyPack(PackName, PackVersion, policyx.EnforcementLevelMandatory, policies)
}

// report names the resource and each violation, so a reviewer reads what to fix.
func report(resourceType, name string, violations []string) string {
	return fmt.Sprintf("%s %s: %s", resourceType, name, strings.Join(violations, "; "))
}
