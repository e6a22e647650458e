package observability

import (
	"encoding/json"
	"fmt"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Metric namespaces and the dimension each is read by.
const (
	eksNamespace               = "AWS/EKS" // control-plane metrics EKS vends for free (Kubernetes >= 1.28)
	containerInsightsNamespace = "ContainerInsights"
	natNamespace               = "AWS/NATGateway"
	clusterDimension           = "ClusterName"
	natDimension               = "NatGatewayId"
	dashboardPeriodSeconds     = 300
)

// podRestartsQuery sums container restarts over the whole cluster. The agent publishes
// pod_number_of_container_restarts per pod (ClusterName, Namespace, PodName) only, as the number
// of restarts since its previous sample, so a Metrics Insights SUM is "restarts in the period".
func podRestartsQuery(cluster string) string {
	return fmt.Sprintf("SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(%q, ClusterName, Namespace, PodName) WHERE ClusterName = '%s'",
		containerInsightsNamespace, cluster)
}

// widget is one graph of the dashboard: a title, the default statistic and CloudWatch's metric
// rows ([namespace, name, dimension, value, {options}] or [{expression}]).
type widget struct {
	title   string
	stat    string
	metrics [][]any
}

func metricRow(namespace, name, dimension, value string, options map[string]any) []any {
	return []any{namespace, name, dimension, value, options}
}

// dashboardWidgets lists the O4 views: control plane, nodes, pods, NAT.
func dashboardWidgets(cluster string, natIDs []string) []widget {
	eks := func(name, label string) []any {
		return metricRow(eksNamespace, name, clusterDimension, cluster, map[string]any{"label": label})
	}
	insights := func(name, stat, label string) []any {
		return metricRow(containerInsightsNamespace, name, clusterDimension, cluster, map[string]any{"stat": stat, "label": label})
	}
	perNAT := func(names ...string) [][]any {
		var rows [][]any
		for _, id := range natIDs {
			for _, name := range names {
				rows = append(rows, metricRow(natNamespace, name, natDimension, id, map[string]any{"label": id + " " + name}))
			}
		}
		return rows
	}
	return []widget{
		{"Control plane: API server requests", "Sum", [][]any{
			eks("apiserver_request_total", "all requests"),
			eks("apiserver_request_total_5XX", "5XX errors"),
			eks("apiserver_request_total_429", "429 throttled"),
		}},
		{"Control plane: pods waiting for the scheduler", "Sum", [][]any{
			eks("scheduler_pending_pods", "pending pods"),
		}},
		{"Nodes: CPU utilization (%)", "Maximum", [][]any{
			insights("node_cpu_utilization", "Maximum", "busiest node"),
			insights("node_cpu_utilization", "Average", "average node"),
		}},
		{"Nodes: memory utilization (%)", "Maximum", [][]any{
			insights("node_memory_utilization", "Maximum", "busiest node"),
			insights("node_memory_utilization", "Average", "average node"),
		}},
		{"Nodes: total and failed", "Minimum", [][]any{
			insights("cluster_node_count", "Minimum", "nodes"),
			insights("cluster_failed_node_count", "Maximum", "failed nodes"),
		}},
		{"Pods: container restarts", "Sum", [][]any{
			{map[string]any{"id": "restarts", "expression": podRestartsQuery(cluster), "label": "container restarts"}},
		}},
		{"NAT: bytes to and from destinations", "Sum", perNAT("BytesOutToDestination", "BytesInFromDestination")},
		{"NAT: port allocation errors", "Sum", perNAT("ErrorPortAllocation")},
	}
}

type dashboardWidgetJSON struct {
	Type       string               `json:"type"`
	X          int                  `json:"x"`
	Y          int                  `json:"y"`
	Width      int                  `json:"width"`
	Height     int                  `json:"height"`
	Properties widgetPropertiesJSON `json:"properties"`
}

type widgetPropertiesJSON struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	View    string  `json:"view"`
	Stat    string  `json:"stat"`
	Period  int     `json:"period"`
	Metrics [][]any `json:"metrics"`
}

// dashboardBody lays the widgets out two per row.
func dashboardBody(cluster, region string, natIDs []string) (string, error) {
	const width, height = 12, 6
	var widgets []dashboardWidgetJSON
	for i, w := range dashboardWidgets(cluster, natIDs) {
		widgets = append(widgets, dashboardWidgetJSON{
			Type: "metric", X: (i % 2) * width, Y: (i / 2) * height, Width: width, Height: height,
			Properties: widgetPropertiesJSON{
				Title: w.title, Region: region, View: "timeSeries", Stat: w.stat,
				Period: dashboardPeriodSeconds, Metrics: w.metrics,
			},
		})
	}
	body, err := json.Marshal(map[string]any{"widgets": widgets})
	return string(body), err
}

// newDashboard creates the dashboard named after the cluster. Only the body waits for the NAT IDs;
// the dashboard resource itself is registered up front, so preview shows it.
func newDashboard(ctx *pulumi.Context, args *Args, parent pulumi.ResourceOption) (*cloudwatch.Dashboard, error) {
	body := args.NatGatewayIds.ToStringArrayOutput().ApplyT(func(ids []string) (string, error) {
		return dashboardBody(args.ClusterName, args.Region, ids)
	}).(pulumi.StringOutput)
	return cloudwatch.NewDashboard(ctx, naming.Name("dashboard", args.Environment), &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(args.ClusterName),
		DashboardBody: body,
	}, parent)
}
