package observability

import (
	"fmt"
	"strings"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const alarmPeriodSeconds = 300

// RunbookURL is where the alarm descriptions link to: the README's alarm runbook, one section per
// alarm (issue 22). The anchor is GitHub's slug of the section heading; a test checks each one
// resolves to a heading of README.md.
const RunbookURL = "https://github.com/acme/eks-platform/blob/main/README.md"

// EKS control-plane metrics, vended free in CloudWatch for Kubernetes 1.28 and later, one-minute
// frequency, dimension ClusterName (docs.aws.amazon.com/eks/latest/userguide/cloudwatch.html,
// "Basic metrics in Amazon CloudWatch"; the same names in aws-cdk-lib's
// aws-eks/lib/eks-canned-metrics.generated.js: apiserver_request_total,
// apiserver_request_total_5XX, apiserver_request_total_429). Read 2026-12-06.
const (
	apiRequestsMetric    = "apiserver_request_total"
	api5xxMetric         = "apiserver_request_total_5XX"
	api429Metric         = "apiserver_request_total_429"
	api5xxPercentLimit   = 1  // percent of API requests answered 5xx, over 15 minutes
	api429PerPeriodLimit = 50 // throttled requests per 5 minutes, over 15 minutes
	logMetricNamespace   = "EKSPlatform"
	// S3 replication metrics, published once replication metrics are on for a rule
	// (docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html, read 2026-12-07).
	s3Namespace           = "AWS/S3"
	veleroContainerName   = "velero"
	veleroFailedMessage   = "backup failed"
	fluentBitOutputErrors = "[error] [output:"
)

// What an alarm does when its metric reports nothing. Chosen per alarm, never left to the default.
const (
	// Metrics from the agent stop when nodes stop; the ready-node alarm treats that as the outage.
	missingIsBreaching = "breaching"
	// For utilization, restarts and NAT errors, silence means nothing is wrong (no NAT traffic, no
	// restarts) or is already covered by the ready-node alarm.
	missingIsFine = "notBreaching"
)

// alarmSpec is one alarm as data. Every alarm is expressed as metric queries, so one function
// creates them all.
type alarmSpec struct {
	base        string // logical and physical name base
	description string
	runbook     string // anchor of the alarm's runbook section in README.md (without #)
	comparison  string
	threshold   int
	periods     int // evaluation periods, all of which must breach
	missingData string
	queries     cloudwatch.MetricAlarmMetricQueryArray
}

func metricQuery(id, namespace, name, stat string, dimensions pulumi.StringMapInput, returnData bool) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{
		Id: pulumi.String(id),
		Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace:  pulumi.String(namespace),
			MetricName: pulumi.String(name),
			Stat:       pulumi.String(stat),
			Period:     pulumi.Int(alarmPeriodSeconds),
			Dimensions: dimensions,
		},
		ReturnData: pulumi.Bool(returnData),
	}
}

func expressionQuery(id, expression, label string, period pulumi.IntPtrInput) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{
		Id:         pulumi.String(id),
		Expression: pulumi.String(expression),
		Label:      pulumi.String(label),
		Period:     period,
		ReturnData: pulumi.Bool(true),
	}
}

// alarmSpecs lists the O4 alarms: busiest node CPU and memory, ready nodes below the node groups'
// minimum, container restarts, and one port-allocation alarm per NAT gateway.
func alarmSpecs(args *Args) []alarmSpec {
	cluster := pulumi.StringMap{clusterDimension: pulumi.String(args.ClusterName)}
	specs := []alarmSpec{
		{
			base:        "eks-node-cpu-high",
			runbook:     "node-cpu-or-memory-high",
			description: fmt.Sprintf("A node of %s has used more than %d%% CPU for 15 minutes.", args.ClusterName, args.NodeCpuAlarmPercent),
			comparison:  "GreaterThanThreshold", threshold: args.NodeCpuAlarmPercent, periods: 3, missingData: missingIsFine,
			// Maximum over the cluster dimension is the busiest node: an average hides one hot node.
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("cpu", containerInsightsNamespace, "node_cpu_utilization", "Maximum", cluster, true),
			},
		},
		{
			base:        "eks-node-memory-high",
			runbook:     "node-cpu-or-memory-high",
			description: fmt.Sprintf("A node of %s has used more than %d%% memory for 15 minutes.", args.ClusterName, args.NodeMemoryAlarmPercent),
			comparison:  "GreaterThanThreshold", threshold: args.NodeMemoryAlarmPercent, periods: 3, missingData: missingIsFine,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("memory", containerInsightsNamespace, "node_memory_utilization", "Maximum", cluster, true),
			},
		},
		{
			// Ready nodes = nodes - failed nodes. cluster_node_count alone still counts NotReady nodes,
			// and cluster_failed_node_count > 0 alone misses nodes that are gone altogether; their
			// difference below the sum of the node groups' minimum sizes catches both. Fifteen
			// minutes ride out a managed node group's rolling replacement.
			base:        "eks-ready-nodes-below-minimum",
			runbook:     "ready-nodes-below-minimum",
			description: fmt.Sprintf("%s has had fewer than %d ready nodes (the node groups' minimum) for 15 minutes.", args.ClusterName, args.MinReadyNodes),
			comparison:  "LessThanThreshold", threshold: args.MinReadyNodes, periods: 3, missingData: missingIsBreaching,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("nodes", containerInsightsNamespace, "cluster_node_count", "Minimum", cluster, false),
				metricQuery("failed", containerInsightsNamespace, "cluster_failed_node_count", "Maximum", cluster, false),
				expressionQuery("ready", "nodes - FILL(failed, 0)", "ready nodes", nil),
			},
		},
		{
			base:        "eks-pod-restarts",
			runbook:     "container-restarts",
			description: fmt.Sprintf("Containers in %s restarted more than %d times in 5 minutes.", args.ClusterName, args.PodRestartAlarmThreshold),
			comparison:  "GreaterThanThreshold", threshold: args.PodRestartAlarmThreshold, periods: 1, missingData: missingIsFine,
			// A Metrics Insights query carries its own period.
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				expressionQuery("restarts", podRestartsQuery(args.ClusterName), "container restarts", pulumi.Int(alarmPeriodSeconds)),
			},
		},
	}
	specs = append(specs,
		alarmSpec{
			// A ratio, not a count: a busy cluster sees a few 5xx in any hour (etcd leader changes,
			// webhook timeouts); 1% of requests for 15 minutes is an outage of the API for someone.
			base:        "eks-apiserver-5xx",
			description: fmt.Sprintf("The API server of %s answered more than %d%% of requests with 5xx for 15 minutes.", args.ClusterName, api5xxPercentLimit),
			runbook:     "api-server-5xx-errors",
			comparison:  "GreaterThanThreshold", threshold: api5xxPercentLimit, periods: 3, missingData: missingIsFine,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("errors", eksNamespace, api5xxMetric, "Sum", cluster, false),
				metricQuery("requests", eksNamespace, apiRequestsMetric, "Sum", cluster, false),
				expressionQuery("percent", "100 * FILL(errors, 0) / requests", "percent of API requests answered 5xx", nil),
			},
		},
		alarmSpec{
			base:        "eks-apiserver-throttling",
			description: fmt.Sprintf("The API server of %s throttled (429) more than %d requests per 5 minutes for 15 minutes.", args.ClusterName, api429PerPeriodLimit),
			runbook:     "api-server-throttling",
			comparison:  "GreaterThanThreshold", threshold: api429PerPeriodLimit, periods: 3, missingData: missingIsFine,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("throttled", eksNamespace, api429Metric, "Sum", cluster, true),
			},
		},
	)
	for _, f := range logAlarmFilters(args) {
		specs = append(specs, alarmSpec{
			base: f.base, description: f.description, runbook: f.runbook,
			comparison: "GreaterThanThreshold", threshold: 0, periods: 1, missingData: missingIsFine,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("matches", logMetricNamespace, f.metric(args.ClusterName), "Sum", nil, true),
			},
		})
	}
	if r := args.BackupReplication; r != nil {
		replication := pulumi.StringMap{"SourceBucket": r.SourceBucket, "DestinationBucket": r.DestinationBucket, "RuleId": pulumi.String(r.RuleID)}
		specs = append(specs, alarmSpec{
			base:        "velero-replication-failed",
			description: fmt.Sprintf("S3 failed to copy backups of %s to their copy bucket; S3 does not retry them.", args.ClusterName),
			runbook:     "backup-replication-failed",
			comparison:  "GreaterThanThreshold", threshold: 0, periods: 1, missingData: missingIsFine,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("failed", s3Namespace, "OperationsFailedReplication", "Sum", replication, true),
			},
		})
	}
	// NatGatewayCount is known at preview; indexing the ID output keeps every alarm registered
	// outside an apply, so preview lists them all.
	ids := args.NatGatewayIds.ToStringArrayOutput()
	for i := 0; i < args.NatGatewayCount; i++ {
		nat := pulumi.StringMap{natDimension: ids.Index(pulumi.Int(i))}
		specs = append(specs, alarmSpec{
			base:        fmt.Sprintf("eks-nat-port-allocation-errors-%d", i+1),
			description: fmt.Sprintf("NAT gateway %d of %s could not allocate a source port: connections through it are failing.", i+1, args.ClusterName),
			runbook:     "nat-port-allocation-errors",
			comparison:  "GreaterThanThreshold", threshold: 0, periods: 1, missingData: missingIsFine,
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("errors", natNamespace, "ErrorPortAllocation", "Sum", nat, true),
			},
		})
	}
	return specs
}

// logAlarmFilter is a metric filter and the alarm on it. Its log group is the application group
// (every container's stdout and stderr, shipped by Fluent Bit with the kubernetes filter's
// metadata) or, for auditLog, the control-plane group that holds the API server's audit log.
type logAlarmFilter struct {
	base, description, runbook string
	pattern                    string
	auditLog                   bool
}

// metric is the filter's metric name, per cluster (a filter's metric carries no dimension).
func (f logAlarmFilter) metric(cluster string) string { return cluster + "-" + f.base }

// logAlarmFilters: Velero logs "backup failed" (level=error) when a backup ends Failed, and Fluent
// Bit logs "[error] [output:cloudwatch_logs..." when a flush to CloudWatch fails. Both reach the
// application group (a Fluent Bit that can deliver nothing cannot report it: the ready-node and
// restart alarms and the runbook cover that). With a break-glass role, every audit event of a
// request it makes counts.
func logAlarmFilters(args *Args) []logAlarmFilter {
	cluster := args.ClusterName
	filters := []logAlarmFilter{
		{
			base:        "velero-backup-failed",
			description: fmt.Sprintf("A Velero backup of %s failed.", cluster),
			runbook:     "velero-backup-failed",
			pattern:     fmt.Sprintf(`{ $.kubernetes.container_name = "%s" && $.log = "*%s*" }`, veleroContainerName, veleroFailedMessage),
		},
		{
			base:        "fluent-bit-output-errors",
			description: fmt.Sprintf("Fluent Bit on %s failed to deliver logs to CloudWatch.", cluster),
			runbook:     "fluent-bit-output-errors",
			pattern:     fmt.Sprintf(`{ $.kubernetes.container_name = "%s" && $.log = "*%s*" }`, fluentBitName, fluentBitOutputErrors),
		},
	}
	if args.BreakGlassRoleArn != "" {
		filters = append(filters, logAlarmFilter{
			base:        "eks-break-glass-used",
			description: fmt.Sprintf("The break-glass role %s made a request to the Kubernetes API of %s.", args.BreakGlassRoleArn, cluster),
			runbook:     "break-glass-role-used",
			pattern:     fmt.Sprintf(`{ $.user.username = "%s/*" }`, assumedRoleUsername(args.BreakGlassRoleArn)),
			auditLog:    true,
		})
	}
	return filters
}

// assumedRoleUsername is the Kubernetes username EKS gives a role's sessions through its access
// entry: "arn:<partition>:sts::<account>:assumed-role/<role name>/{{SessionName}}", the path of
// the role dropped (docs.aws.amazon.com/eks/latest/userguide/set-custom-username.html, "Default
// username generation", read 2026-12-07). This returns it without the session part. The ARN is
// validated by config as arn:<partition>:iam::<account>:role/<path/><name>.
func assumedRoleUsername(roleArn string) string {
	parts := strings.SplitN(roleArn, ":", 6)
	name := parts[5][strings.LastIndex(parts[5], "/")+1:]
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s", parts[1], parts[4], name)
}

// newLogMetricFilters creates the metric filters the log alarms read.
func newLogMetricFilters(ctx *pulumi.Context, args *Args, application *cloudwatch.LogGroup, parent pulumi.ResourceOption) error {
	for _, f := range logAlarmFilters(args) {
		logGroup := pulumi.StringInput(application.Name)
		if f.auditLog {
			logGroup = args.ControlPlaneLogGroupName
		}
		_, err := cloudwatch.NewLogMetricFilter(ctx, naming.Name(f.base, args.Environment), &cloudwatch.LogMetricFilterArgs{
			Name:         pulumi.String(naming.Name(f.base, args.Environment)),
			LogGroupName: logGroup,
			Pattern:      pulumi.String(f.pattern),
			MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
				Namespace: pulumi.String(logMetricNamespace),
				Name:      pulumi.String(f.metric(args.ClusterName)),
				Value:     pulumi.String("1"),
				Unit:      pulumi.String("Count"),
			},
		}, parent)
		if err != nil {
			return err
		}
	}
	return nil
}

// newAlarms creates the encrypted alarm topic, the optional e-mail subscription and every alarm,
// each notifying the topic when it fires and when it recovers.
func newAlarms(ctx *pulumi.Context, args *Args, parent pulumi.ResourceOption) (*sns.Topic, pulumi.StringArrayOutput, error) {
	// CloudWatch can publish to a topic encrypted with a customer-managed key only if the key
	// policy lets cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*).
	topicName := naming.Name("eks-alarms", args.Environment)
	topic, err := sns.NewTopic(ctx, topicName, &sns.TopicArgs{
		Name:           pulumi.String(topicName),
		DisplayName:    pulumi.String(args.ClusterName + " alarms"),
		KmsMasterKeyId: args.LogsKmsKeyArn,
	}, parent)
	if err != nil {
		return nil, pulumi.StringArrayOutput{}, err
	}
	if args.AlarmEmail != "" {
		_, err = sns.NewTopicSubscription(ctx, naming.Name("eks-alarms-email", args.Environment), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(args.AlarmEmail),
		}, parent)
		if err != nil {
			return nil, pulumi.StringArrayOutput{}, err
		}
	}
	// PagerDuty's and Opsgenie's SNS integrations confirm the subscription themselves; the
	// endpoint is https only (config refuses anything else), so alarms never travel in clear text.
	for i, endpoint := range args.AlarmHttpsEndpoints {
		_, err = sns.NewTopicSubscription(ctx, naming.Name(fmt.Sprintf("eks-alarms-https-%d", i+1), args.Environment), &sns.TopicSubscriptionArgs{
			Topic:                topic.Arn,
			Protocol:             pulumi.String("https"),
			Endpoint:             pulumi.String(endpoint),
			EndpointAutoConfirms: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, pulumi.StringArrayOutput{}, err
		}
	}

	notify := pulumi.Array{topic.Arn}
	var names pulumi.StringArray
	for _, spec := range alarmSpecs(args) {
		name := naming.Name(spec.base, args.Environment)
		alarm, err := cloudwatch.NewMetricAlarm(ctx, name, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(name),
			AlarmDescription:   pulumi.String(spec.description + " Runbook: " + RunbookURL + "#" + spec.runbook),
			ComparisonOperator: pulumi.String(spec.comparison),
			Threshold:          pulumi.Float64(float64(spec.threshold)),
			EvaluationPeriods:  pulumi.Int(spec.periods),
			DatapointsToAlarm:  pulumi.Int(spec.periods),
			TreatMissingData:   pulumi.String(spec.missingData),
			MetricQueries:      spec.queries,
			AlarmActions:       notify,
			OkActions:          notify,
		}, parent)
		if err != nil {
			return nil, pulumi.StringArrayOutput{}, err
		}
		names = append(names, alarm.Name)
	}
	return topic, names.ToStringArrayOutput(), nil
}
