package observability

import (
	"github.com/acme/eks-platform/internal/naming"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const containerInsightsAddon = "amazon-cloudwatch-observability"

// containerInsightsConfiguration is the add-on's configurationValues. The add-on's schema mirrors
// the values of the amazon-cloudwatch-observability Helm chart, where `containerLogs.enabled`
// gates the add-on's own Fluent Bit DaemonSet and ConfigMap (aws-observability/helm-charts PR #23;
// AWS CloudWatch user guide, "Opt out of the collection of container logs":
// --configuration-values '{ "containerLogs": { "enabled": false } }'). Our Fluent Bit is the only
// log shipper (O2): with both running, every container line would be shipped and billed twice.
// The agent keeps collecting metrics; its default tolerations (operator Exists) already put it on
// every node, including the GPU nodes.
//
// agent.config replaces the agent's default configuration with Container Insights (enhanced)
// metrics only. The default also turns on Application Signals, which writes to
// /aws/application-signals/data and X-Ray: the least-privilege cloudwatch-agent role (S3) allows
// neither, and the platform does not create that log group with retention and key (O3).
const containerInsightsConfiguration = `{"containerLogs":{"enabled":false},` +
	`"agent":{"config":{"logs":{"metrics_collected":{"kubernetes":{"enhanced_container_insights":true}}}}}}`

// newContainerInsightsAddon installs Container Insights (O1) with the cloudwatch-agent IRSA role.
func newContainerInsightsAddon(ctx *pulumi.Context, args *Args, performanceLogs *cloudwatch.LogGroup, parent pulumi.ResourceOption) (*eks.Addon, error) {
	// The agent creates its performance log group on first write if it is missing, without
	// retention or key; waiting for ours avoids that race. The node groups must exist or the
	// add-on's pods cannot schedule and the create times out.
	dependsOn := append([]pulumi.Resource{performanceLogs}, args.DependsOn...)
	return eks.NewAddon(ctx, naming.Name("cloudwatch-observability", args.Environment), &eks.AddonArgs{
		ClusterName:           pulumi.String(args.ClusterName),
		AddonName:             pulumi.String(containerInsightsAddon),
		AddonVersion:          pulumi.String(args.ContainerInsightsAddonVersion),
		ServiceAccountRoleArn: args.CloudWatchAgentRoleArn,
		ConfigurationValues:   pulumi.String(containerInsightsConfiguration),
		// Pulumi owns the add-on's configuration: fields edited by hand are overwritten back.
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
	}, parent, pulumi.DependsOn(dependsOn))
}
