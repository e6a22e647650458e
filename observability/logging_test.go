package observability

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/acme/eks-platform/internal/offline"
)

// O3, seed 003 #3: every Container Insights log group exists with retention and the logs key,
// and the control-plane group is left to the cluster package.
func TestO3_LogGroupsHaveRetentionAndPlatformKey(t *testing.T) {
	p := plan(t, nil)
	groups := p.ByType(logGroupType)
	if len(groups) != len(logGroupKinds) {
		t.Fatalf("want %d log groups, got %d", len(logGroupKinds), len(groups))
	}
	names := map[string]bool{}
	for _, g := range groups {
		names[g.String("name")] = true
		if g.Input("retentionInDays") != float64(14) {
			t.Errorf("%s: retentionInDays = %v, want 14", g.String("name"), g.Input("retentionInDays"))
		}
		if g.String("kmsKeyId") != testKeyArn {
			t.Errorf("%s: kmsKeyId = %q, want the logs key", g.String("name"), g.String("kmsKeyId"))
		}
	}
	for _, kind := range []string{"application", "dataplane", "host", "performance"} {
		if !names["/aws/containerinsights/"+testCluster+"/"+kind] {
			t.Errorf("log group for %s missing (have %v)", kind, names)
		}
	}
	if names["/aws/eks/"+testCluster+"/cluster"] {
		t.Error("the control-plane log group belongs to the cluster package")
	}
}

// O1 + O2: the add-on runs Container Insights with the cloudwatch-agent role and does not ship
// container logs itself (only one log shipper, no double shipping).
func TestO1_AddonUsesAgentRoleAndDisablesItsLogShipping(t *testing.T) {
	p := plan(t, nil)
	addon := offline.MustGet(t, p, addonType, "cloudwatch-observability-dev")
	checks := map[string]string{
		"addonName":                "amazon-cloudwatch-observability",
		"addonVersion":             "v4.1.0-eksbuild.1",
		"clusterName":              testCluster,
		"serviceAccountRoleArn":    testAgentRole,
		"resolveConflictsOnCreate": "OVERWRITE",
		"resolveConflictsOnUpdate": "OVERWRITE",
	}
	for path, want := range checks {
		if got := addon.String(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	var config struct {
		ContainerLogs *struct {
			Enabled *bool `json:"enabled"`
		} `json:"containerLogs"`
		Agent struct {
			Config struct {
				Logs struct {
					MetricsCollected map[string]json.RawMessage `json:"metrics_collected"`
				} `json:"logs"`
				Traces json.RawMessage `json:"traces"`
			} `json:"config"`
		} `json:"agent"`
	}
	if err := json.Unmarshal([]byte(addon.String("configurationValues")), &config); err != nil {
		t.Fatalf("configurationValues is not JSON: %v", err)
	}
	if config.ContainerLogs == nil || config.ContainerLogs.Enabled == nil || *config.ContainerLogs.Enabled {
		t.Errorf("the add-on's own container-log shipping is not disabled: %s", addon.String("configurationValues"))
	}
	// S3, O3: the agent collects Container Insights metrics only; Application Signals would need
	// X-Ray and a log group the platform does not create.
	collected := config.Agent.Config.Logs.MetricsCollected
	if _, ok := collected["kubernetes"]; !ok || len(collected) != 1 || config.Agent.Config.Traces != nil {
		t.Errorf("agent config must collect only kubernetes metrics: %s", addon.String("configurationValues"))
	}
	// The add-on waits for the nodes and for its performance log group (else the agent creates it
	// without retention or key).
	for _, dep := range []offline.Resource{
		offline.MustGet(t, p, nodeGroupType, testNodeGroup),
		offline.MustGet(t, p, logGroupType, "containerinsights-performance-dev"),
	} {
		if !addon.DependsOn(dep.URN) {
			t.Errorf("add-on does not depend on %s", dep.Name)
		}
	}
}

// O2, seed 003 #4: the ConfigMap the pods mount is derived from the SSM parameter's value, and a
// change of that value rolls the pods.
func TestO2_ConfigMapIsDerivedFromTheParameter(t *testing.T) {
	p := plan(t, nil)
	param := offline.MustGet(t, p, parameterType, "fluent-bit-config-dev")
	cm := offline.MustGet(t, p, configMapType, "fluent-bit-config-dev")
	ds := offline.MustGet(t, p, daemonSetType, "fluent-bit-dev")

	stored := param.String("insecureValue")
	if stored == "" || param.String("type") != "String" || param.String("name") != "/"+testCluster+"/fluent-bit/config" {
		t.Fatalf("parameter = %v", param.Inputs)
	}
	if got := inputKey(cm, "data", "fluent-bit.conf"); got != stored {
		t.Errorf("ConfigMap fluent-bit.conf differs from the SSM parameter:\n%s\n---\n%s", got, stored)
	}
	if data, _ := cm.Input("data").(map[string]any); len(data) != 1 {
		t.Errorf("ConfigMap has files the parameter does not hold: %v", data)
	}
	// Derived, not merely equal: the ConfigMap and the pod template are computed from the
	// parameter's output, so the engine records the parameter as their dependency.
	for _, r := range []offline.Resource{cm, ds} {
		if !r.DependsOn(param.URN) {
			t.Errorf("%s is not derived from the parameter's output", r.Name)
		}
	}
	if got := inputKey(ds, "spec.template.metadata.annotations", "checksum/config"); got != sha256Hex(stored) {
		t.Errorf("checksum annotation = %q, want sha256 of the stored config", got)
	}
	if cm.String("metadata.name") != "fluent-bit-config" || ds.String("spec.template.spec.volumes.0.configMap.name") != "fluent-bit-config" {
		t.Error("the DaemonSet does not mount the ConfigMap")
	}
	if param.String("tier") != parameterTier(len(stored)) {
		t.Errorf("tier %q does not fit a %d-byte value", param.String("tier"), len(stored))
	}
}

func TestParameterTier(t *testing.T) {
	for size, want := range map[int]string{1: "Standard", 4096: "Standard", 4097: "Advanced", 8192: "Advanced"} {
		if got := parameterTier(size); got != want {
			t.Errorf("parameterTier(%d) = %s, want %s", size, got, want)
		}
	}
}

// O2/O3, seed 003 #3: Fluent Bit never creates log groups and ships only to the ones created here.
func TestO2_ConfigShipsOnlyToCreatedGroups(t *testing.T) {
	p := plan(t, nil)
	config := offline.MustGet(t, p, parameterType, "fluent-bit-config-dev").String("insecureValue")

	created := map[string]bool{}
	for _, g := range p.ByType(logGroupType) {
		created[g.String("name")] = true
	}
	setting := func(key string) []string {
		var values []string
		for _, m := range regexp.MustCompile(`(?m)^\s*`+regexp.QuoteMeta(key)+`\s+(\S+)\s*$`).FindAllStringSubmatch(config, -1) {
			values = append(values, m[1])
		}
		return values
	}
	outputs := strings.Count(config, "[OUTPUT]")
	if outputs != 3 {
		t.Fatalf("want 3 outputs (application, dataplane, host), got %d:\n%s", outputs, config)
	}
	if got := setting("auto_create_group"); len(got) != outputs || strings.Contains(strings.ToLower(strings.Join(got, " ")), "true") {
		t.Errorf("auto_create_group = %v, want false on every output", got)
	}
	groups := setting("log_group_name")
	if len(groups) != outputs {
		t.Errorf("log_group_name = %v", groups)
	}
	for _, g := range groups {
		if !created[g] {
			t.Errorf("Fluent Bit ships to %s, which this package does not create", g)
		}
	}
	if got := setting("region"); len(got) != outputs || got[0] != "us-east-1" {
		t.Errorf("region = %v", got)
	}
	plugins := strings.Join(setting("Name"), " ")
	if !strings.Contains(plugins, "kubernetes") || !strings.Contains(strings.Join(setting("Path"), " "), "/var/log/containers/*.log") {
		t.Errorf("config lacks the container tail input or the kubernetes filter:\n%s", config)
	}
}

// S4: the logging namespace is the documented privileged exception, still audited and warned at
// restricted, with every mode's version pinned.
func TestS4_LoggingNamespaceLabels(t *testing.T) {
	ns := offline.MustGet(t, plan(t, nil), namespaceType, "logging-namespace-dev")
	if ns.String("metadata.name") != FluentBitNamespace {
		t.Errorf("namespace name = %q", ns.String("metadata.name"))
	}
	labels, _ := ns.Input("metadata.labels").(map[string]any)
	want := map[string]string{
		"pod-security.kubernetes.io/enforce":         "privileged",
		"pod-security.kubernetes.io/enforce-version": "v1.31",
		"pod-security.kubernetes.io/audit":           "restricted",
		"pod-security.kubernetes.io/audit-version":   "v1.31",
		"pod-security.kubernetes.io/warn":            "restricted",
		"pod-security.kubernetes.io/warn-version":    "v1.31",
	}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("label %s = %v, want %s", k, labels[k], v)
		}
	}
}

// inputKey reads a map entry whose key contains dots, which Resource.Input's paths cannot name.
func inputKey(r offline.Resource, mapPath, key string) string {
	m, _ := r.Input(mapPath).(map[string]any)
	s, _ := m[key].(string)
	return s
}

// tolerates applies Kubernetes' toleration matching to a taint.
func tolerates(tolerations []any, key, value, effect string) bool {
	for _, raw := range tolerations {
		tol, _ := raw.(map[string]any)
		op, _ := tol["operator"].(string)
		tk, _ := tol["key"].(string)
		te, _ := tol["effect"].(string)
		tv, _ := tol["value"].(string)
		keyOK := tk == key || (tk == "" && op == "Exists")
		valueOK := op == "Exists" || tv == value
		if keyOK && valueOK && (te == "" || te == effect) {
			return true
		}
	}
	return false
}

// O2, G1: Fluent Bit runs on every node, GPU nodes included, with its IRSA role, read-only log
// mounts and bounded resources, and starts only once its log groups exist.
func TestO2_FluentBitDaemonSet(t *testing.T) {
	p := plan(t, nil)
	ds := offline.MustGet(t, p, daemonSetType, "fluent-bit-dev")
	pod := "spec.template.spec."
	if ds.String("metadata.namespace") != FluentBitNamespace || ds.String(pod+"serviceAccountName") != FluentBitServiceAccount {
		t.Errorf("DaemonSet runs in %q as %q", ds.String("metadata.namespace"), ds.String(pod+"serviceAccountName"))
	}
	tolerations, _ := ds.Input(pod + "tolerations").([]any)
	if !tolerates(tolerations, "nvidia.com/gpu", "true", "NoSchedule") {
		t.Errorf("tolerations %v do not admit the GPU nodes' nvidia.com/gpu=true:NoSchedule taint", tolerations)
	}
	if ds.String(pod+"priorityClassName") != "system-node-critical" {
		t.Errorf("priorityClassName = %q", ds.String(pod+"priorityClassName"))
	}
	c := pod + "containers.0."
	if ds.String(c+"image") != "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.15" {
		t.Errorf("image = %q", ds.String(c+"image"))
	}
	for _, r := range []string{"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"} {
		if ds.String(c+"resources."+r) == "" {
			t.Errorf("resources.%s missing", r)
		}
	}
	if ds.Input(c+"securityContext.allowPrivilegeEscalation") != false || ds.Input(c+"securityContext.privileged") == true {
		t.Errorf("securityContext = %v", ds.Input(c+"securityContext"))
	}
	volumes, _ := ds.Input(pod + "volumes").([]any)
	mounts, _ := ds.Input(c + "volumeMounts").([]any)
	readOnly := map[string]bool{}
	for _, m := range mounts {
		mount := m.(map[string]any)
		readOnly[mount["name"].(string)] = mount["readOnly"] == true
	}
	for _, v := range volumes {
		vol := v.(map[string]any)
		hostPath, ok := vol["hostPath"].(map[string]any)
		if !ok {
			continue
		}
		name := vol["name"].(string)
		if path := hostPath["path"]; path != fluentBitStateDir && !readOnly[name] {
			t.Errorf("host path %v is mounted writable", path)
		}
	}
	if !readOnly["varlog"] {
		t.Error("/var/log is not mounted read-only")
	}
	for _, kind := range []string{"application", "dataplane", "host"} {
		if g := offline.MustGet(t, p, logGroupType, "containerinsights-"+kind+"-dev"); !ds.DependsOn(g.URN) {
			t.Errorf("DaemonSet may start before log group %s exists", kind)
		}
	}

	sa := offline.MustGet(t, p, saType, "fluent-bit-sa-dev")
	if sa.String("metadata.name") != FluentBitServiceAccount || inputKey(sa, "metadata.annotations", "eks.amazonaws.com/role-arn") != testFluentRole {
		t.Errorf("service account %v is not annotated with the Fluent Bit role", sa.Input("metadata"))
	}
}

// Least privilege for the kubernetes filter: read pods and namespaces, nothing else.
func TestFluentBitClusterRoleIsReadOnly(t *testing.T) {
	role := offline.MustGet(t, plan(t, nil), clusterRoleType, "fluent-bit-read-dev")
	rules, _ := role.Input("rules").([]any)
	if len(rules) != 1 {
		t.Fatalf("rules = %v", rules)
	}
	if got := strings.Join(role.Strings("rules.0.verbs"), ","); got != "get,list,watch" {
		t.Errorf("verbs = %s", got)
	}
	if got := strings.Join(role.Strings("rules.0.resources"), ","); got != "pods,namespaces" {
		t.Errorf("resources = %s", got)
	}
}
