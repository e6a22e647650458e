package security

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	namespaceType     = "kubernetes:core/v1:Namespace"
	networkPolicyType = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	resourceQuotaType = "kubernetes:core/v1:ResourceQuota"
	limitRangeType    = "kubernetes:core/v1:LimitRange"
)

var workloadNamespaces = []string{"payments", "ledger"}

func validBaselineArgs(env, enforce string) *BaselineArgs {
	return &BaselineArgs{
		Environment:       env,
		Namespaces:        append([]string(nil), workloadNamespaces...),
		EnforceLevel:      enforce,
		KubernetesVersion: "1.33",
		Quota: QuotaSpec{
			RequestsCPU: "8", RequestsMemory: "16Gi", LimitsCPU: "16", LimitsMemory: "32Gi", Pods: 50,
		},
		Limits: LimitSpec{
			DefaultRequestCPU: "100m", DefaultRequestMemory: "128Mi",
			DefaultLimitCPU: "500m", DefaultLimitMemory: "512Mi",
			MaxCPU: "2", MaxMemory: "4Gi",
		},
		Labels: map[string]string{"Environment": env, "CostCenter": "cc-1234", "acme.com/project": "eks-platform"},
	}
}

// baselinePlan is one offline run of NewBaseline with a Kubernetes provider passed the way the
// composition root passes it.
type baselinePlan struct {
	*offline.Plan
	component offline.Resource
	provider  offline.Resource
}

func planBaseline(t *testing.T, args *BaselineArgs) baselinePlan {
	t.Helper()
	env := args.Environment
	var baseline *Baseline
	plan, err := offline.Run(offline.Options{Project: "eks-platform", Stack: env},
		func(ctx *pulumi.Context) (pulumi.Map, error) {
			provider, err := kubernetes.NewProvider(ctx, "k8s-"+env, &kubernetes.ProviderArgs{})
			if err != nil {
				return nil, err
			}
			baseline, err = NewBaseline(ctx, "baseline-"+env, args, pulumi.Providers(provider))
			if err != nil {
				return nil, err
			}
			return pulumi.Map{"namespaceNames": baseline.NamespaceNames}, nil
		})
	if err != nil {
		t.Fatalf("NewBaseline: %v", err)
	}
	if len(baseline.Namespaces) != len(args.Namespaces) {
		t.Fatalf("Baseline.Namespaces has %d resources, want %d", len(baseline.Namespaces), len(args.Namespaces))
	}
	component, err := plan.Get(baselineType, "baseline-"+env)
	if err != nil {
		t.Fatal(err)
	}
	provider, err := plan.Get("pulumi:providers:kubernetes", "k8s-"+env)
	if err != nil {
		t.Fatal(err)
	}
	return baselinePlan{Plan: plan, component: component, provider: provider}
}

// inNamespace returns the objects of one type whose metadata.namespace is namespace.
func (p baselinePlan) inNamespace(typeToken, namespace string) []offline.Resource {
	var out []offline.Resource
	for _, r := range p.ByType(typeToken) {
		if r.String("metadata.namespace") == namespace {
			out = append(out, r)
		}
	}
	return out
}

func (p baselinePlan) one(t *testing.T, typeToken, namespace string) offline.Resource {
	t.Helper()
	objects := p.inNamespace(typeToken, namespace)
	if len(objects) != 1 {
		t.Fatalf("namespace %s has %d %s, want 1", namespace, len(objects), typeToken)
	}
	return objects[0]
}

func TestPodSecurityLabelsPinVersionAndAuditRestricted_S4(t *testing.T) {
	for _, tc := range []struct{ enforce, version, wantVersion string }{
		{PodSecurityBaseline, "1.33", "v1.33"},
		{PodSecurityRestricted, "v1.31", "v1.31"},
		{PodSecurityPrivileged, "1.32", "v1.32"},
	} {
		want := map[string]string{
			"pod-security.kubernetes.io/enforce":         tc.enforce,
			"pod-security.kubernetes.io/enforce-version": tc.wantVersion,
			"pod-security.kubernetes.io/audit":           "restricted",
			"pod-security.kubernetes.io/audit-version":   tc.wantVersion,
			"pod-security.kubernetes.io/warn":            "restricted",
			"pod-security.kubernetes.io/warn-version":    tc.wantVersion,
		}
		if got := PodSecurityLabels(tc.enforce, tc.version); !reflect.DeepEqual(got, want) {
			t.Errorf("PodSecurityLabels(%q, %q) = %v, want %v", tc.enforce, tc.version, got, want)
		}
	}
}

// S4: enforce baseline in dev/staging and restricted in prod, audit and warn restricted everywhere,
// every mode pinned to the cluster version; the cost labels ride along (C5 for Kubernetes objects).
func TestNamespacesCarryPodSecurityAndCostLabels_S4(t *testing.T) {
	for env, enforce := range map[string]string{"dev": "baseline", "staging": "baseline", "prod": "restricted"} {
		args := validBaselineArgs(env, enforce)
		p := planBaseline(t, args)
		namespaces := p.ByType(namespaceType)
		if len(namespaces) != len(workloadNamespaces) {
			t.Fatalf("%s: %d namespaces, want %d", env, len(namespaces), len(workloadNamespaces))
		}
		for _, name := range workloadNamespaces {
			ns, err := p.Get(namespaceType, name+"-"+env)
			if err != nil {
				t.Fatal(err)
			}
			if got := ns.String("metadata.name"); got != name {
				t.Errorf("%s: namespace metadata.name = %q, want exactly %q", env, got, name)
			}
			want := map[string]any{
				"pod-security.kubernetes.io/enforce":         enforce,
				"pod-security.kubernetes.io/enforce-version": "v1.33",
				"pod-security.kubernetes.io/audit":           "restricted",
				"pod-security.kubernetes.io/audit-version":   "v1.33",
				"pod-security.kubernetes.io/warn":            "restricted",
				"pod-security.kubernetes.io/warn-version":    "v1.33",
				"Environment":      env,
				"CostCenter":       "cc-1234",
				"acme.com/project": "eks-platform",
			}
			if got := ns.Input("metadata.labels"); !reflect.DeepEqual(got, want) {
				t.Errorf("%s/%s labels = %v, want %v", env, name, got, want)
			}
		}
	}
}

func isEmptySelector(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// S5: exactly one policy per namespace selects every pod, covers Ingress and Egress and has no
// rules, which denies all traffic both ways; no baseline policy opens ingress at all.
func TestEveryNamespaceHasOneDefaultDenyBothWays_S5(t *testing.T) {
	p := planBaseline(t, validBaselineArgs("dev", "baseline"))
	for _, name := range workloadNamespaces {
		denyAll := 0
		for _, policy := range p.inNamespace(networkPolicyType, name) {
			if policy.Input("spec.ingress") != nil {
				t.Errorf("%s/%s opens ingress: %v", name, policy.Name, policy.Input("spec.ingress"))
			}
			if reflect.DeepEqual(policy.Strings("spec.policyTypes"), []string{"Ingress", "Egress"}) &&
				isEmptySelector(policy.Input("spec.podSelector")) && policy.Input("spec.egress") == nil {
				denyAll++
				if got := policy.String("metadata.name"); got != "default-deny" {
					t.Errorf("%s: deny-all policy is named %q, want default-deny", name, got)
				}
			}
		}
		if denyAll != 1 {
			t.Errorf("namespace %s has %d default-deny policies (all pods, Ingress+Egress, no rules), want 1", name, denyAll)
		}
	}
}

// S5: the only egress the baseline opens is DNS (UDP and TCP 53) to the kube-dns pods in
// kube-system, with both selectors in one peer so that they are ANDed.
func TestEveryNamespaceAllowsDNSToKubeSystemOnly_S5(t *testing.T) {
	p := planBaseline(t, validBaselineArgs("dev", "baseline"))
	for _, name := range workloadNamespaces {
		var withEgress []offline.Resource
		for _, policy := range p.inNamespace(networkPolicyType, name) {
			if policy.Input("spec.egress") != nil {
				withEgress = append(withEgress, policy)
			}
		}
		if len(withEgress) != 1 {
			t.Fatalf("namespace %s has %d policies with egress rules, want only the DNS allowance", name, len(withEgress))
		}
		dns := withEgress[0]
		if got := dns.String("metadata.name"); got != "allow-dns" {
			t.Errorf("%s: DNS policy named %q, want allow-dns", name, got)
		}
		if got := dns.Strings("spec.policyTypes"); !reflect.DeepEqual(got, []string{"Egress"}) {
			t.Errorf("%s: DNS policy types = %v, want [Egress]", name, got)
		}
		if !isEmptySelector(dns.Input("spec.podSelector")) {
			t.Errorf("%s: DNS policy selects %v, want every pod", name, dns.Input("spec.podSelector"))
		}
		rules, _ := dns.Input("spec.egress").([]any)
		peers, _ := dns.Input("spec.egress.0.to").([]any)
		if len(rules) != 1 || len(peers) != 1 {
			t.Fatalf("%s: DNS policy has %d rules and %d peers, want 1 and 1", name, len(rules), len(peers))
		}
		wantPeer := map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "kube-system"}},
			"podSelector":       map[string]any{"matchLabels": map[string]any{"k8s-app": "kube-dns"}},
		}
		if got := dns.Input("spec.egress.0.to.0"); !reflect.DeepEqual(got, wantPeer) {
			t.Errorf("%s: DNS peer = %v, want %v", name, got, wantPeer)
		}
		wantPorts := []any{
			map[string]any{"protocol": "UDP", "port": float64(53)},
			map[string]any{"protocol": "TCP", "port": float64(53)},
		}
		if got := dns.Input("spec.egress.0.ports"); !reflect.DeepEqual(got, wantPorts) {
			t.Errorf("%s: DNS ports = %v, want %v", name, got, wantPorts)
		}
	}
}

// P2: every namespace gets the configured quota and container defaults, so a pod that sets no
// requests or limits is still bounded.
func TestQuotaAndLimitRangeInEveryNamespace_P2(t *testing.T) {
	args := validBaselineArgs("prod", "restricted")
	p := planBaseline(t, args)
	for _, name := range workloadNamespaces {
		quota := p.one(t, resourceQuotaType, name)
		wantHard := map[string]any{
			"requests.cpu": "8", "requests.memory": "16Gi", "limits.cpu": "16", "limits.memory": "32Gi", "pods": "50",
		}
		if got := quota.Input("spec.hard"); !reflect.DeepEqual(got, wantHard) {
			t.Errorf("%s: quota = %v, want %v", name, got, wantHard)
		}
		if got := quota.String("metadata.name"); got != "default-quota" {
			t.Errorf("%s: quota named %q, want default-quota", name, got)
		}

		limits := p.one(t, limitRangeType, name)
		wantLimits := []any{map[string]any{
			"type":           "Container",
			"default":        map[string]any{"cpu": "500m", "memory": "512Mi"},
			"defaultRequest": map[string]any{"cpu": "100m", "memory": "128Mi"},
			"max":            map[string]any{"cpu": "2", "memory": "4Gi"},
		}}
		if got := limits.Input("spec.limits"); !reflect.DeepEqual(got, wantLimits) {
			t.Errorf("%s: limit range = %v, want %v", name, got, wantLimits)
		}
		if got := limits.String("metadata.name"); got != "default-limits" {
			t.Errorf("%s: limit range named %q, want default-limits", name, got)
		}
	}
}

func TestLimitRangeSetsOnlyTheConfiguredMaximums_P2(t *testing.T) {
	for _, tc := range []struct {
		maxCPU, maxMemory string
		want              any
	}{
		{"", "", nil},
		{"2", "", map[string]any{"cpu": "2"}},
		{"", "4Gi", map[string]any{"memory": "4Gi"}},
	} {
		args := validBaselineArgs("dev", "baseline")
		args.Limits.MaxCPU, args.Limits.MaxMemory = tc.maxCPU, tc.maxMemory
		limits := planBaseline(t, args).one(t, limitRangeType, "payments")
		if got := limits.Input("spec.limits.0.max"); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("max cpu %q memory %q: limit range max = %v, want %v", tc.maxCPU, tc.maxMemory, got, tc.want)
		}
		if limits.Input("spec.limits.0.default") == nil || limits.Input("spec.limits.0.defaultRequest") == nil {
			t.Errorf("limit range lost its defaults: %v", limits.Input("spec.limits"))
		}
	}
}

// Every object: explicit Kubernetes name, logical name with the environment suffix, parented to the
// component and so on the root's Kubernetes provider (K4); namespaced objects wait for their
// namespace.
func TestObjectsNamedParentedAndOrdered(t *testing.T) {
	p := planBaseline(t, validBaselineArgs("staging", "baseline"))
	children := p.Children(p.component)
	if want := len(workloadNamespaces) * 5; len(children) != want {
		t.Fatalf("component has %d children, want %d (namespace, 2 policies, quota, limit range each)", len(children), want)
	}
	for _, r := range p.Resources {
		if r.Type == baselineType || r.Type == "pulumi:providers:kubernetes" {
			continue
		}
		if r.Parent != p.component.URN {
			t.Errorf("%s %s is parented to %q, want the component", r.Type, r.Name, r.Parent)
		}
		if r.Provider != p.provider.URN {
			t.Errorf("%s %s uses provider %q, want the root's Kubernetes provider", r.Type, r.Name, r.Provider)
		}
		if !strings.HasSuffix(r.Name, "-staging") {
			t.Errorf("%s %s does not end with the environment suffix", r.Type, r.Name)
		}
		if r.String("metadata.name") == "" {
			t.Errorf("%s %s has no explicit metadata.name", r.Type, r.Name)
		}
	}
	for _, name := range workloadNamespaces {
		ns, err := p.Get(namespaceType, name+"-staging")
		if err != nil {
			t.Fatal(err)
		}
		for _, typeToken := range []string{networkPolicyType, resourceQuotaType, limitRangeType} {
			for _, r := range p.inNamespace(typeToken, name) {
				if !r.DependsOn(ns.URN) {
					t.Errorf("%s %s does not depend on namespace %s", r.Type, r.Name, name)
				}
				if want := name + "-" + r.String("metadata.name") + "-staging"; r.Name != want {
					t.Errorf("%s logical name %q, want %q", r.Type, r.Name, want)
				}
			}
		}
	}
	if got, want := p.Outputs["namespaceNames"], []any{"payments", "ledger"}; !reflect.DeepEqual(got, want) {
		t.Errorf("NamespaceNames = %v, want %v", got, want)
	}
}

// C4: bad arguments fail with a message naming the field and value, before anything is registered.
func TestNewBaselineRejectsBadArgs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(a *BaselineArgs)
		want   string
	}{
		{"no environment", func(a *BaselineArgs) { a.Environment = "" }, "Environment is required"},
		{"no namespaces", func(a *BaselineArgs) { a.Namespaces = nil }, "at least one workload namespace"},
		{"upper-case namespace", func(a *BaselineArgs) { a.Namespaces = []string{"Payments"} }, `"Payments" is not a DNS-1123 label`},
		{"long namespace", func(a *BaselineArgs) { a.Namespaces = []string{strings.Repeat("a", 64)} }, "not a DNS-1123 label"},
		{"kube-system", func(a *BaselineArgs) { a.Namespaces = []string{"kube-system"} }, `"kube-system" is a Kubernetes system namespace`},
		{"default namespace", func(a *BaselineArgs) { a.Namespaces = []string{"default"} }, `"default" is a Kubernetes system namespace`},
		{"duplicate namespace", func(a *BaselineArgs) { a.Namespaces = []string{"ledger", "ledger"} }, `lists "ledger" twice`},
		{"unknown level", func(a *BaselineArgs) { a.EnforceLevel = "strict" }, `EnforceLevel "strict" is not one of [privileged baseline restricted]`},
		{"patch version", func(a *BaselineArgs) { a.KubernetesVersion = "1.33.2" }, `KubernetesVersion "1.33.2"`},
		{"label key with space", func(a *BaselineArgs) { a.Labels["cost center"] = "x" }, `key "cost center" is not a Kubernetes label name`},
		{"label key bad prefix", func(a *BaselineArgs) { a.Labels["Acme.com/team"] = "x" }, `key "Acme.com/team" has a prefix`},
		{"label key empty name", func(a *BaselineArgs) { a.Labels["acme.com/"] = "x" }, `key "acme.com/" is not a Kubernetes label name`},
		{"label overrides PSS", func(a *BaselineArgs) { a.Labels[LabelPodSecurityEnforce] = "privileged" }, "would override the Pod Security labels"},
		{"label value with @", func(a *BaselineArgs) { a.Labels["Owner"] = "team@acme.com" }, `value "team@acme.com" of "Owner"`},
		{"zero pods", func(a *BaselineArgs) { a.Quota.Pods = 0 }, "Quota.Pods 0 must be greater than zero"},
		{"bad quota quantity", func(a *BaselineArgs) { a.Quota.RequestsCPU = "8 cores" }, `Quota.RequestsCPU: "8 cores" is not a Kubernetes quantity`},
		{"missing default limit", func(a *BaselineArgs) { a.Limits.DefaultLimitMemory = "" }, `Limits.DefaultLimitMemory: "" is not`},
		{"bad max", func(a *BaselineArgs) { a.Limits.MaxCPU = "lots" }, `Limits.MaxCPU: "lots"`},
		{"zero quota", func(a *BaselineArgs) { a.Quota.LimitsMemory = "0" }, `Quota.LimitsMemory: "0" must be greater than zero`},
		{"request above limit", func(a *BaselineArgs) { a.Limits.DefaultRequestCPU = "1" },
			"Limits.DefaultRequestCPU (1) must not exceed BaselineArgs.Limits.DefaultLimitCPU (500m)"},
		{"limit above max", func(a *BaselineArgs) { a.Limits.MaxMemory = "256Mi" },
			"Limits.DefaultLimitMemory (512Mi) must not exceed BaselineArgs.Limits.MaxMemory (256Mi)"},
		{"default limit above quota", func(a *BaselineArgs) { a.Quota.LimitsCPU = "250m" },
			"Limits.DefaultLimitCPU (500m) must not exceed BaselineArgs.Quota.LimitsCPU (250m)"},
		{"default request above quota", func(a *BaselineArgs) { a.Quota.RequestsMemory = "100Mi" },
			"Limits.DefaultRequestMemory (128Mi) must not exceed BaselineArgs.Quota.RequestsMemory (100Mi)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := validBaselineArgs("dev", "baseline")
			tc.mutate(args)
			var newErr error
			plan, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
				_, newErr = NewBaseline(ctx, "baseline-dev", args)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if newErr == nil || !strings.Contains(newErr.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", newErr, tc.want)
			}
			if len(plan.Resources) != 0 {
				t.Errorf("%d resources registered before the error, want none", len(plan.Resources))
			}
		})
	}
}

func TestNewBaselineRequiresArgs(t *testing.T) {
	_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
		_, err := NewBaseline(ctx, "baseline-dev", nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "needs BaselineArgs") {
		t.Fatalf("error = %v, want one asking for BaselineArgs", err)
	}
}
