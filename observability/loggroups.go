package observability

import (
	"fmt"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The Container Insights log groups, named by the convention the CloudWatch console's Container
// Insights views look for. The control-plane group (/aws/eks/<cluster>/cluster) belongs to the
// cluster package and the flow-log group to the network package.
const (
	logApplication = "application" // Fluent Bit: container stdout/stderr
	logDataplane   = "dataplane"   // Fluent Bit: kubelet, containerd, aws-node, kube-proxy
	logHost        = "host"        // Fluent Bit: kernel messages
	logPerformance = "performance" // CloudWatch agent: Container Insights performance events
)

var logGroupKinds = []string{logApplication, logDataplane, logHost, logPerformance}

func logGroupName(cluster, kind string) string {
	return fmt.Sprintf("/aws/containerinsights/%s/%s", cluster, kind)
}

// newLogGroups creates every log group the add-on and Fluent Bit write to, with retention and the
// logs key (O3, seed 003 #3, issue 22). Writers never create them: Fluent Bit runs with
// auto_create_group false, and the add-on waits for the performance group, so a writer can never
// create a group first without retention or encryption.
func newLogGroups(ctx *pulumi.Context, args *Args, parent pulumi.ResourceOption) (map[string]*cloudwatch.LogGroup, error) {
	groups := make(map[string]*cloudwatch.LogGroup, len(logGroupKinds))
	for _, kind := range logGroupKinds {
		group, err := cloudwatch.NewLogGroup(ctx, naming.Name("containerinsights-"+kind, args.Environment), &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(logGroupName(args.ClusterName, kind)),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.LogsKmsKeyArn,
		}, parent, pulumi.Protect(args.Protect))
		if err != nil {
			return nil, err
		}
		groups[kind] = group
	}
	return groups, nil
}
