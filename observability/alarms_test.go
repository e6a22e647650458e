package observability

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/acme/eks-platform/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// O4: the topic is encrypted with the logs key, and every alarm notifies it both when it
// fires and when it recovers, with a deliberate missing-data policy.
func TestO4_AlarmsNotifyTheEncryptedTopic(t *testing.T) {
	p := plan(t, nil)
	topic := offline.MustGet(t, p, topicType, "eks-alarms-dev")
	if topic.String("kmsMasterKeyId") != testKeyArn {
		t.Errorf("topic kmsMasterKeyId = %q, want the logs key", topic.String("kmsMasterKeyId"))
	}
	topicArn := offline.MockARN(topicType, "eks-alarms-dev", offline.DefaultRegion)
	alarms := p.ByType(alarmType)
	if len(alarms) != clusterAlarms+len(testNatIDs) {
		t.Fatalf("want %d alarms, got %d", clusterAlarms+len(testNatIDs), len(alarms))
	}
	for _, a := range alarms {
		for _, actions := range []string{"alarmActions", "okActions"} {
			if got := a.Strings(actions); len(got) != 1 || got[0] != topicArn {
				t.Errorf("%s %s = %v, want [%s]", a.Name, actions, got, topicArn)
			}
		}
		if m := a.String("treatMissingData"); m != "breaching" && m != "notBreaching" {
			t.Errorf("%s treatMissingData = %q", a.Name, m)
		}
		if a.String("name") != a.Name || !strings.HasSuffix(a.Name, "-dev") {
			t.Errorf("alarm physical name %q, logical %q", a.String("name"), a.Name)
		}
	}
}

// O4: node CPU and memory alarm on the busiest node at the configured percentages.
func TestO4_NodeUtilizationAlarms(t *testing.T) {
	p := plan(t, nil)
	for name, want := range map[string]struct {
		metric    string
		threshold float64
	}{
		"eks-node-cpu-high-dev":    {"node_cpu_utilization", 80},
		"eks-node-memory-high-dev": {"node_memory_utilization", 85},
	} {
		a := offline.MustGet(t, p, alarmType, name)
		q := "metricQueries.0.metric."
		if a.String(q+"metricName") != want.metric || a.String(q+"namespace") != "ContainerInsights" ||
			a.String(q+"stat") != "Maximum" || a.String(q+"dimensions.ClusterName") != testCluster {
			t.Errorf("%s queries %v", name, a.Input("metricQueries"))
		}
		if a.Input("threshold") != want.threshold || a.String("comparisonOperator") != "GreaterThanThreshold" {
			t.Errorf("%s: %v %v", name, a.String("comparisonOperator"), a.Input("threshold"))
		}
	}
}

// O4: fewer ready nodes than the node groups' minimum fires, and so does silence from the agent.
func TestO4_ReadyNodesBelowMinimum(t *testing.T) {
	a := offline.MustGet(t, plan(t, nil), alarmType, "eks-ready-nodes-below-minimum-dev")
	if a.Input("threshold") != float64(3) || a.String("comparisonOperator") != "LessThanThreshold" {
		t.Errorf("%s %v, want LessThanThreshold 3", a.String("comparisonOperator"), a.Input("threshold"))
	}
	if a.String("treatMissingData") != "breaching" {
		t.Errorf("treatMissingData = %q: a cluster without nodes reports nothing", a.String("treatMissingData"))
	}
	queries, _ := a.Input("metricQueries").([]any)
	var returned []string
	metrics := map[string]bool{}
	for _, raw := range queries {
		q := raw.(map[string]any)
		if q["returnData"] == true {
			returned = append(returned, q["id"].(string))
		}
		if m, ok := q["metric"].(map[string]any); ok {
			metrics[m["metricName"].(string)] = true
		}
	}
	if len(returned) != 1 || returned[0] != "ready" || !metrics["cluster_node_count"] || !metrics["cluster_failed_node_count"] {
		t.Errorf("queries %v do not compute ready = nodes - failed", queries)
	}
}

// O4: container restarts are summed across the cluster by a Metrics Insights query.
func TestO4_PodRestartAlarm(t *testing.T) {
	a := offline.MustGet(t, plan(t, nil), alarmType, "eks-pod-restarts-dev")
	expr := a.String("metricQueries.0.expression")
	if !strings.Contains(expr, "SUM(pod_number_of_container_restarts)") || !strings.Contains(expr, "ClusterName = '"+testCluster+"'") {
		t.Errorf("expression = %q", expr)
	}
	if a.Input("metricQueries.0.period") != float64(300) || a.Input("threshold") != float64(5) {
		t.Errorf("period %v threshold %v", a.Input("metricQueries.0.period"), a.Input("threshold"))
	}
}

// O4, N2: one port-allocation alarm per NAT gateway, each on its own gateway.
func TestO4_OneNatAlarmPerNatGateway(t *testing.T) {
	for _, ids := range [][]string{testNatIDs[:1], testNatIDs} {
		p := plan(t, func(a *Args) { a.NatGatewayIds = pulumi.ToStringArray(ids); a.NatGatewayCount = len(ids) })
		var got []string
		for _, a := range p.ByType(alarmType) {
			if a.String("metricQueries.0.metric.metricName") == "ErrorPortAllocation" {
				got = append(got, a.String("metricQueries.0.metric.dimensions.NatGatewayId"))
				if a.String("metricQueries.0.metric.namespace") != "AWS/NATGateway" || a.Input("threshold") != float64(0) {
					t.Errorf("%s: %v", a.Name, a.Inputs)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(ids, ",") {
			t.Errorf("NAT alarms on %v, want %v", got, ids)
		}
	}
}

// O4: the e-mail subscription exists only when an address is configured.
func TestO4_EmailSubscriptionOnlyWhenSet(t *testing.T) {
	if subs := plan(t, nil).ByType(subscrType); len(subs) != 0 {
		t.Errorf("subscriptions without AlarmEmail: %v", subs)
	}
	p := plan(t, func(a *Args) { a.AlarmEmail = "platform-oncall@example.com" })
	subs := p.ByType(subscrType)
	if len(subs) != 1 {
		t.Fatalf("want one subscription, got %d", len(subs))
	}
	s := subs[0]
	if s.String("protocol") != "email" || s.String("endpoint") != "platform-oncall@example.com" ||
		s.String("topic") != offline.MockARN(topicType, "eks-alarms-dev", offline.DefaultRegion) {
		t.Errorf("subscription = %v", s.Inputs)
	}
}

// O4: the dashboard named after the cluster shows control plane, nodes, pods and every NAT.
func TestO4_Dashboard(t *testing.T) {
	d := offline.MustGet(t, plan(t, nil), dashboardType, "dashboard-dev")
	if d.String("dashboardName") != testCluster {
		t.Errorf("dashboardName = %q", d.String("dashboardName"))
	}
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string  `json:"title"`
				Region  string  `json:"region"`
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(d.String("dashboardBody")), &body); err != nil {
		t.Fatalf("dashboardBody is not JSON: %v", err)
	}
	seen := map[string]bool{}
	for _, w := range body.Widgets {
		if w.Properties.Region != "us-east-1" {
			t.Errorf("widget %q region %q", w.Properties.Title, w.Properties.Region)
		}
		for _, row := range w.Properties.Metrics {
			if len(row) >= 4 {
				seen[row[0].(string)+" "+row[1].(string)+" "+row[3].(string)] = true
			} else if expr, ok := row[0].(map[string]any); ok {
				seen[expr["expression"].(string)] = true
			}
		}
	}
	want := []string{
		"AWS/EKS apiserver_request_total " + testCluster,
		"AWS/EKS apiserver_request_total_5XX " + testCluster,
		"ContainerInsights node_cpu_utilization " + testCluster,
		"ContainerInsights node_memory_utilization " + testCluster,
		podRestartsQuery(testCluster),
	}
	for _, id := range testNatIDs {
		want = append(want, "AWS/NATGateway ErrorPortAllocation "+id, "AWS/NATGateway BytesOutToDestination "+id)
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("dashboard lacks %s", w)
		}
	}
}

// issue 22: every HTTPS endpoint gets its own https subscription on the encrypted alarm topic.
func TestO4_HttpsSubscriptions(t *testing.T) {
	endpoints := []string{"https://events.pagerduty.com/integration/key/enqueue", "https://api.opsgenie.com/v1/json/amazonsns?apiKey=k"}
	p := plan(t, func(a *Args) { a.AlarmHttpsEndpoints = endpoints })
	subs := p.ByType(subscrType)
	if len(subs) != len(endpoints) {
		t.Fatalf("want %d subscriptions, got %d", len(endpoints), len(subs))
	}
	for i, s := range subs {
		if s.String("protocol") != "https" || s.String("endpoint") != endpoints[i] ||
			s.String("topic") != offline.MockARN(topicType, "eks-alarms-dev", offline.DefaultRegion) {
			t.Errorf("subscription %d = %v", i, s.Inputs)
		}
	}
	topics := p.ByType(topicType)
	if len(topics) != 1 || topics[0].String("kmsMasterKeyId") == "" {
		t.Errorf("alarm topic must stay KMS-encrypted: %v", topics)
	}
}

// clusterAlarms counts the alarms that do not depend on the NAT gateways: node CPU, node memory,
// ready nodes, restarts, API 5xx, API throttling, Velero backup failed, Fluent Bit output errors.
const clusterAlarms = 8

const (
	filterType = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	groupType  = "aws:cloudwatch/logGroup:LogGroup"
)

func queryMetrics(a offline.Resource) (metrics map[string]string, expressions []string) {
	metrics = map[string]string{}
	queries, _ := a.Input("metricQueries").([]any)
	for _, raw := range queries {
		q := raw.(map[string]any)
		if m, ok := q["metric"].(map[string]any); ok {
			metrics[m["metricName"].(string)] = m["namespace"].(string)
		}
		if e, ok := q["expression"].(string); ok {
			expressions = append(expressions, e)
		}
	}
	return metrics, expressions
}

// issue 22: API-server 5xx (as a share of requests) and throttling, from the control-plane
// metrics EKS vends in AWS/EKS.
func TestO4_ApiServerAlarms(t *testing.T) {
	p := plan(t, nil)
	errs := offline.MustGet(t, p, alarmType, "eks-apiserver-5xx-dev")
	metrics, expressions := queryMetrics(errs)
	if metrics["apiserver_request_total_5XX"] != "AWS/EKS" || metrics["apiserver_request_total"] != "AWS/EKS" ||
		len(expressions) != 1 || !strings.Contains(expressions[0], "/ requests") || errs.Input("threshold") != float64(1) {
		t.Errorf("5xx alarm reads %v %v threshold %v, want the 5XX share of apiserver_request_total above 1%%", metrics, expressions, errs.Input("threshold"))
	}
	throttled := offline.MustGet(t, p, alarmType, "eks-apiserver-throttling-dev")
	if metrics, _ := queryMetrics(throttled); metrics["apiserver_request_total_429"] != "AWS/EKS" || len(metrics) != 1 {
		t.Errorf("throttling alarm reads %v, want apiserver_request_total_429", metrics)
	}
}

// issue 22: Velero backup failures and Fluent Bit output errors are counted by metric filters on
// the application log group, and alarmed on the first match.
func TestO4_LogFilterAlarms(t *testing.T) {
	p := plan(t, nil)
	group := offline.MustGet(t, p, groupType, "containerinsights-application-dev")
	for name, words := range map[string][]string{
		"velero-backup-failed-dev":     {`"velero"`, "backup failed"},
		"fluent-bit-output-errors-dev": {`"fluent-bit"`, "[error] [output:"},
	} {
		f := offline.MustGet(t, p, filterType, name)
		if f.String("logGroupName") != group.String("name") {
			t.Errorf("%s filters %q, want the application group %q", name, f.String("logGroupName"), group.String("name"))
		}
		for _, w := range words {
			if !strings.Contains(f.String("pattern"), w) {
				t.Errorf("%s pattern %q lacks %q", name, f.String("pattern"), w)
			}
		}
		transform, _ := f.Input("metricTransformation").(map[string]any)
		a := offline.MustGet(t, p, alarmType, name)
		metrics, _ := queryMetrics(a)
		if metrics[transform["name"].(string)] != transform["namespace"] || a.Input("threshold") != float64(0) {
			t.Errorf("alarm %s reads %v, want the filter's metric %v above 0", name, metrics, transform)
		}
	}
}

const breakGlassRole = "arn:aws:iam::111122223333:role/emergency/eks-break-glass"

func withBreakGlass(a *Args) {
	a.BreakGlassRoleArn = breakGlassRole
	a.ControlPlaneLogGroupName = pulumi.String("/aws/eks/eks-platform-dev/cluster")
}

// withEveryAlarm turns on the alarms that only some stacks have, for the runbook test.
func withEveryAlarm(a *Args) {
	withBreakGlass(a)
	withReplication(a)
}

func withReplication(a *Args) {
	a.BackupReplication = &BackupReplication{
		SourceBucket: pulumi.String("velero-eks-platform-dev-1"), DestinationBucket: pulumi.String("vcopy-eks-platform-dev-1"), RuleID: "copy-to-us-west-2",
	}
}

// issue 22: a backup object S3 fails to replicate raises the alarm, read from S3's replication
// metrics of exactly this bucket pair and rule; a stack without a copy has no such alarm.
func TestBackupReplicationFailureIsAlarmed(t *testing.T) {
	a := offline.MustGet(t, plan(t, withReplication), alarmType, "velero-replication-failed-dev")
	queries, _ := a.Input("metricQueries").([]any)
	if len(queries) != 1 {
		t.Fatalf("queries %v", queries)
	}
	metric, _ := queries[0].(map[string]any)["metric"].(map[string]any)
	dims, _ := metric["dimensions"].(map[string]any)
	if metric["namespace"] != "AWS/S3" || metric["metricName"] != "OperationsFailedReplication" ||
		dims["SourceBucket"] != "velero-eks-platform-dev-1" || dims["DestinationBucket"] != "vcopy-eks-platform-dev-1" || dims["RuleId"] != "copy-to-us-west-2" {
		t.Errorf("replication alarm reads %v", metric)
	}
	if a.Input("threshold") != float64(0) || a.String("comparisonOperator") != "GreaterThanThreshold" {
		t.Errorf("threshold %v %v, want any failure", a.Input("threshold"), a.String("comparisonOperator"))
	}
	if _, err := plan(t, nil).Get(alarmType, "velero-replication-failed-dev"); err == nil {
		t.Error("a replication alarm without a copy")
	}
}

// issue 22: every request of the break-glass role shows in the audit log under the username EKS
// gives its sessions (the role's path dropped), and the first one raises the alarm. Without a
// break-glass role there is no such filter.
func TestBreakGlassUseIsAlarmed(t *testing.T) {
	p := plan(t, withBreakGlass)
	f := offline.MustGet(t, p, filterType, "eks-break-glass-used-dev")
	if got := f.String("logGroupName"); got != "/aws/eks/eks-platform-dev/cluster" {
		t.Errorf("break-glass filter reads %q, want the control-plane (audit) log group", got)
	}
	want := `{ $.user.username = "arn:aws:sts::111122223333:assumed-role/eks-break-glass/*" }`
	if got := f.String("pattern"); got != want {
		t.Errorf("break-glass pattern = %s, want %s", got, want)
	}
	transform, _ := f.Input("metricTransformation").(map[string]any)
	a := offline.MustGet(t, p, alarmType, "eks-break-glass-used-dev")
	metrics, _ := queryMetrics(a)
	if metrics[transform["name"].(string)] != transform["namespace"] || a.Input("threshold") != float64(0) ||
		a.Input("evaluationPeriods") != float64(1) {
		t.Errorf("alarm reads %v (threshold %v), want the filter's metric above 0 in one period", metrics, a.Input("threshold"))
	}
	if !strings.Contains(a.String("alarmDescription"), breakGlassRole) {
		t.Errorf("alarm description %q does not name the role", a.String("alarmDescription"))
	}
	if _, err := plan(t, nil).Get(filterType, "eks-break-glass-used-dev"); err == nil {
		t.Error("a break-glass filter exists without a break-glass role")
	}
}

// githubSlug is the anchor GitHub gives a Markdown heading: lower case, every character that is
// not a letter, digit, space, hyphen or underscore removed, spaces turned into hyphens; a repeated
// slug gets -1, -2, ... appended.
func githubSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 && !strings.ContainsRune("→–—’“”…", r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// readmeAnchors returns every heading anchor of README.md, outside fenced code blocks.
func readmeAnchors(t *testing.T) map[string]bool {
	f, err := os.Open("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anchors, count := map[string]bool{}, map[string]int{}
	heading := regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*$`)
	inFence := false
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		m := heading.FindStringSubmatch(line)
		if inFence || m == nil {
			continue
		}
		text := strings.ReplaceAll(m[1], "`", "")
		slug := githubSlug(text)
		if n := count[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		count[slug]++
	}
	return anchors
}

// issue 22: every alarm links to its runbook section, and the link resolves to a README heading.
func TestO4_EveryAlarmLinksToItsRunbook(t *testing.T) {
	if got := githubSlug("Restore runbook (Kubernetes version, AMIs)"); got != "restore-runbook-kubernetes-version-amis" {
		t.Fatalf("githubSlug = %q", got)
	}
	anchors := readmeAnchors(t)
	link := regexp.MustCompile(`Runbook: ` + regexp.QuoteMeta(RunbookURL) + `#([a-z0-9_-]+)$`)
	alarms := plan(t, withEveryAlarm).ByType(alarmType)
	if len(alarms) == 0 {
		t.Fatal("no alarms")
	}
	for _, a := range alarms {
		m := link.FindStringSubmatch(a.String("alarmDescription"))
		if m == nil {
			t.Errorf("%s description %q has no runbook link", a.Name, a.String("alarmDescription"))
			continue
		}
		if !anchors[m[1]] {
			t.Errorf("%s links to #%s, which is no heading of README.md", a.Name, m[1])
		}
	}
}
