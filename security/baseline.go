package security

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/internal/quantity"
)

// Pod Security Admission label keys (S4). The admission controller reads them from the namespace:
// https://kubernetes.io/docs/concepts/security/pod-security-admission/
const (
	PodSecurityLabelPrefix     = "pod-security.kubernetes.io"
	LabelPodSecurityEnforce    = PodSecurityLabelPrefix + "/enforce"
	LabelPodSecurityEnforceVer = PodSecurityLabelPrefix + "/enforce-version"
	LabelPodSecurityAudit      = PodSecurityLabelPrefix + "/audit"
	LabelPodSecurityAuditVer   = PodSecurityLabelPrefix + "/audit-version"
	LabelPodSecurityWarn       = PodSecurityLabelPrefix + "/warn"
	LabelPodSecurityWarnVer    = PodSecurityLabelPrefix + "/warn-version"
)

// Pod Security Standards levels, from least to most restrictive.
const (
	PodSecurityPrivileged = "privileged"
	PodSecurityBaseline   = "baseline"
	PodSecurityRestricted = "restricted"
)

// PodSecurityLevels lists the levels the admission controller accepts, for config validation.
var PodSecurityLevels = []string{PodSecurityPrivileged, PodSecurityBaseline, PodSecurityRestricted}

const baselineType = "eks-platform:security:Baseline"

// Kubernetes names of the objects every workload namespace gets (S5, P2).
const (
	defaultDenyPolicyName = "default-deny"
	allowDNSPolicyName    = "allow-dns"
	defaultQuotaName      = "default-quota"
	defaultLimitsName     = "default-limits"
)

// CoreDNS on EKS runs in kube-system with the label k8s-app=kube-dns and serves on port 53.
// Kubernetes sets the immutable label kubernetes.io/metadata.name on every namespace (GA in 1.22),
// so selecting kube-system by it cannot be spoofed by relabelling another namespace.
const (
	namespaceNameLabel  = "kubernetes.io/metadata.name"
	kubeSystemNamespace = "kube-system"
	dnsPodLabel         = "k8s-app"
	dnsPodLabelValue    = "kube-dns"
	dnsPort             = 53
)

var dnsProtocols = []string{"UDP", "TCP"} // TCP for answers too large for UDP (RFC 7766)

// QuotaSpec is the ResourceQuota of every workload namespace (P2). Quantities use Kubernetes
// notation ("4", "500m", "8Gi").
type QuotaSpec struct {
	RequestsCPU    string
	RequestsMemory string
	LimitsCPU      string
	LimitsMemory   string
	Pods           int
}

// LimitSpec is the container LimitRange of every workload namespace (P2): the defaults a container
// without requests/limits gets, and optional per-container maximums ("" means no maximum).
type LimitSpec struct {
	DefaultRequestCPU    string
	DefaultRequestMemory string
	DefaultLimitCPU      string
	DefaultLimitMemory   string
	MaxCPU               string
	MaxMemory            string
}

// BaselineArgs configures the in-cluster security baseline.
type BaselineArgs struct {
	// Environment is the stack's name suffix (dev, staging, prod).
	Environment string
	// Namespaces are the workload namespaces to create (DNS-1123 labels, not kube-* or default).
	Namespaces []string
	// EnforceLevel is the Pod Security Standards level enforced: baseline in dev/staging,
	// restricted in prod (S4).
	EnforceLevel string
	// KubernetesVersion is the cluster's minor version ("1.33"); the policy versions are pinned to it.
	KubernetesVersion string
	Quota             QuotaSpec
	Limits            LimitSpec
	// Labels are the cost-allocation labels put on every namespace (AWS default tags do not reach
	// Kubernetes objects).
	Labels map[string]string
}

// Baseline is the set of workload namespaces with their Pod Security labels, network policies,
// quota and limit range.
type Baseline struct {
	pulumi.ResourceState

	// NamespaceNames are the workload namespaces' names, in BaselineArgs.Namespaces order.
	NamespaceNames pulumi.StringArrayOutput
	// Namespaces are the Namespace resources, in the same order, for others to depend on.
	Namespaces []*corev1.Namespace
}

// PodSecurityLabels returns the namespace labels that enforce the given Pod Security Standards
// level and always audit and warn at restricted, each pinned to the cluster's Kubernetes version
// ("1.33" becomes "v1.33") so an upgrade does not silently change what the policies check (S4).
func PodSecurityLabels(enforce, kubernetesVersion string) map[string]string {
	version := "v" + strings.TrimPrefix(kubernetesVersion, "v")
	return map[string]string{
		LabelPodSecurityEnforce:    enforce,
		LabelPodSecurityEnforceVer: version,
		LabelPodSecurityAudit:      PodSecurityRestricted,
		LabelPodSecurityAuditVer:   version,
		LabelPodSecurityWarn:       PodSecurityRestricted,
		LabelPodSecurityWarnVer:    version,
	}
}

// NewBaseline creates every workload namespace with its Pod Security labels (S4), a default-deny
// network policy and a DNS allowance (S5), and a ResourceQuota and LimitRange (P2). The Kubernetes
// provider comes from opts (pulumi.Providers) and reaches the children through their parent.
func NewBaseline(ctx *pulumi.Context, name string, args *BaselineArgs, opts ...pulumi.ResourceOption) (*Baseline, error) {
	if args == nil {
		return nil, errors.New("security: NewBaseline needs BaselineArgs")
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	comp := &Baseline{}
	if err := ctx.RegisterComponentResource(baselineType, name, comp, opts...); err != nil {
		return nil, err
	}

	labels := pulumi.StringMap{}
	for key, value := range args.Labels {
		labels[key] = pulumi.String(value)
	}
	for key, value := range PodSecurityLabels(args.EnforceLevel, args.KubernetesVersion) {
		labels[key] = pulumi.String(value)
	}

	names := pulumi.StringArray{}
	for _, namespaceName := range args.Namespaces {
		namespace, err := newWorkloadNamespace(ctx, comp, namespaceName, labels, args)
		if err != nil {
			return nil, err
		}
		comp.Namespaces = append(comp.Namespaces, namespace)
		names = append(names, namespace.Metadata.Name().Elem())
	}
	comp.NamespaceNames = names.ToStringArrayOutput()
	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{"namespaceNames": comp.NamespaceNames})
}

// newWorkloadNamespace creates one workload namespace and the objects every such namespace holds.
func newWorkloadNamespace(ctx *pulumi.Context, comp *Baseline, namespaceName string, labels pulumi.StringMap,
	args *BaselineArgs) (*corev1.Namespace, error) {
	parent := pulumi.Parent(comp)
	namespace, err := corev1.NewNamespace(ctx, naming.Name(namespaceName, args.Environment), &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(namespaceName), Labels: labels},
	}, parent)
	if err != nil {
		return nil, err
	}

	// Kubernetes names are unique per namespace, Pulumi names per stack: the logical name carries
	// the namespace. Taking metadata.namespace from the Namespace's output makes each object wait
	// for its namespace (and be deleted before it).
	logicalName := func(objectName string) string {
		return naming.Name(namespaceName+"-"+objectName, args.Environment)
	}
	metadata := func(objectName string) metav1.ObjectMetaArgs {
		return metav1.ObjectMetaArgs{Name: pulumi.String(objectName), Namespace: namespace.Metadata.Name()}
	}

	for _, policy := range baselineNetworkPolicies() {
		if _, err := networkingv1.NewNetworkPolicy(ctx, logicalName(policy.name), &networkingv1.NetworkPolicyArgs{
			Metadata: metadata(policy.name),
			Spec:     policy.spec,
		}, parent); err != nil {
			return nil, err
		}
	}

	// With a quota on limits.cpu/memory, the API server rejects pods that set no limits; the
	// LimitRange defaults fill them in, so together they bound every pod (P2).
	quota, limits := args.Quota, args.Limits
	if _, err := corev1.NewResourceQuota(ctx, logicalName(defaultQuotaName), &corev1.ResourceQuotaArgs{
		Metadata: metadata(defaultQuotaName),
		Spec: corev1.ResourceQuotaSpecArgs{Hard: pulumi.StringMap{
			"requests.cpu":    pulumi.String(quota.RequestsCPU),
			"requests.memory": pulumi.String(quota.RequestsMemory),
			"limits.cpu":      pulumi.String(quota.LimitsCPU),
			"limits.memory":   pulumi.String(quota.LimitsMemory),
			"pods":            pulumi.String(strconv.Itoa(quota.Pods)),
		}},
	}, parent); err != nil {
		return nil, err
	}

	containerLimits := corev1.LimitRangeItemArgs{
		Type:           pulumi.String("Container"),
		Default:        resourceList(limits.DefaultLimitCPU, limits.DefaultLimitMemory),
		DefaultRequest: resourceList(limits.DefaultRequestCPU, limits.DefaultRequestMemory),
	}
	if maximums := resourceList(limits.MaxCPU, limits.MaxMemory); len(maximums) > 0 {
		containerLimits.Max = maximums
	}
	if _, err := corev1.NewLimitRange(ctx, logicalName(defaultLimitsName), &corev1.LimitRangeArgs{
		Metadata: metadata(defaultLimitsName),
		Spec:     corev1.LimitRangeSpecArgs{Limits: corev1.LimitRangeItemArray{containerLimits}},
	}, parent); err != nil {
		return nil, err
	}
	return namespace, nil
}

type namedNetworkPolicy struct {
	name string
	spec networkingv1.NetworkPolicySpecArgs
}

// baselineNetworkPolicies are the policies of every workload namespace (S5). An empty podSelector
// selects every pod; a policy type listed without rules denies that direction, so default-deny
// isolates all pods both ways and allow-dns reopens only DNS to CoreDNS. Everything else a
// workload needs is allowed by its own policies.
func baselineNetworkPolicies() []namedNetworkPolicy {
	dnsPorts := networkingv1.NetworkPolicyPortArray{}
	for _, protocol := range dnsProtocols {
		dnsPorts = append(dnsPorts, networkingv1.NetworkPolicyPortArgs{
			Protocol: pulumi.String(protocol),
			Port:     pulumi.Int(dnsPort),
		})
	}
	return []namedNetworkPolicy{
		{name: defaultDenyPolicyName, spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress"), pulumi.String("Egress")},
		}},
		{name: allowDNSPolicyName, spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				// Both selectors in one peer: pods labelled kube-dns AND in kube-system.
				To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: metav1.LabelSelectorArgs{
						MatchLabels: pulumi.StringMap{namespaceNameLabel: pulumi.String(kubeSystemNamespace)},
					},
					PodSelector: metav1.LabelSelectorArgs{
						MatchLabels: pulumi.StringMap{dnsPodLabel: pulumi.String(dnsPodLabelValue)},
					},
				}},
				Ports: dnsPorts,
			}},
		}},
	}
}

// resourceList returns a cpu/memory resource map with the empty entries left out.
func resourceList(cpu, memory string) pulumi.StringMap {
	list := pulumi.StringMap{}
	if cpu != "" {
		list["cpu"] = pulumi.String(cpu)
	}
	if memory != "" {
		list["memory"] = pulumi.String(memory)
	}
	return list
}

var (
	namespaceNamePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	labelNamePattern     = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	labelPrefixPattern   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	minorVersionPattern  = regexp.MustCompile(`^v?[0-9]+\.[0-9]+$`)
)

const (
	maxLabelPrefixLength  = 253 // a label key prefix is a DNS subdomain
	reservedNamespaceName = "default"
)

// Validate checks the arguments the way the API server would, so bad config fails before any
// resource is registered (C4). NewBaseline calls it; the config package may call it up front.
func (a *BaselineArgs) Validate() error {
	if a.Environment == "" {
		return errors.New("security: BaselineArgs.Environment is required")
	}
	if len(a.Namespaces) == 0 {
		return errors.New("security: BaselineArgs.Namespaces must name at least one workload namespace")
	}
	seen := map[string]bool{}
	for _, namespace := range a.Namespaces {
		if err := validateWorkloadNamespaceName(namespace); err != nil {
			return err
		}
		if seen[namespace] {
			return fmt.Errorf("security: BaselineArgs.Namespaces lists %q twice", namespace)
		}
		seen[namespace] = true
	}
	if !isPodSecurityLevel(a.EnforceLevel) {
		return fmt.Errorf("security: BaselineArgs.EnforceLevel %q is not one of %v", a.EnforceLevel, PodSecurityLevels)
	}
	if !minorVersionPattern.MatchString(a.KubernetesVersion) {
		return fmt.Errorf("security: BaselineArgs.KubernetesVersion %q is not a minor version such as 1.33", a.KubernetesVersion)
	}
	for key, value := range a.Labels {
		if err := validateCostLabel(key, value); err != nil {
			return err
		}
	}
	return validateResources(a.Quota, a.Limits)
}

func validateWorkloadNamespaceName(name string) error {
	switch {
	case !namespaceNamePattern.MatchString(name):
		return fmt.Errorf("security: BaselineArgs.Namespaces: %q is not a DNS-1123 label "+
			"(lower-case letters, digits and '-', at most 63 characters)", name)
	case name == reservedNamespaceName || strings.HasPrefix(name, "kube-"):
		// Kubernetes owns these; a default-deny policy in kube-system would cut off the cluster's DNS.
		return fmt.Errorf("security: BaselineArgs.Namespaces: %q is a Kubernetes system namespace, not a workload namespace", name)
	}
	return nil
}

func isPodSecurityLevel(level string) bool {
	for _, known := range PodSecurityLevels {
		if level == known {
			return true
		}
	}
	return false
}

// validateCostLabel applies Kubernetes' label syntax ([prefix/]name, value of at most 63
// characters) and refuses keys that would override the Pod Security labels.
func validateCostLabel(key, value string) error {
	name := key
	if prefix, rest, hasPrefix := strings.Cut(key, "/"); hasPrefix {
		if len(prefix) > maxLabelPrefixLength || !labelPrefixPattern.MatchString(prefix) {
			return fmt.Errorf("security: BaselineArgs.Labels: key %q has a prefix that is not a DNS subdomain", key)
		}
		if prefix == PodSecurityLabelPrefix {
			return fmt.Errorf("security: BaselineArgs.Labels: key %q would override the Pod Security labels", key)
		}
		name = rest
	}
	if !labelNamePattern.MatchString(name) {
		return fmt.Errorf("security: BaselineArgs.Labels: key %q is not a Kubernetes label name "+
			"(letters, digits, '-', '_', '.', at most 63 characters)", key)
	}
	if value != "" && !labelNamePattern.MatchString(value) {
		return fmt.Errorf("security: BaselineArgs.Labels: value %q of %q is not a Kubernetes label value "+
			"(letters, digits, '-', '_', '.', at most 63 characters; no '@' or spaces)", value, key)
	}
	return nil
}

type quantityField struct {
	field, text string
	value       *big.Rat
}

// validateResources checks the quota and limit quantities and their order: the API server rejects
// a LimitRange whose default request exceeds its default limit or whose default limit exceeds its
// max, and a defaulted container that exceeds the namespace quota could never be admitted.
func validateResources(quota QuotaSpec, limits LimitSpec) error {
	if quota.Pods <= 0 {
		return fmt.Errorf("security: BaselineArgs.Quota.Pods %d must be greater than zero", quota.Pods)
	}
	fields := map[string]quantityField{}
	for _, f := range []struct {
		field, text string
		optional    bool
	}{
		{"Quota.RequestsCPU", quota.RequestsCPU, false},
		{"Quota.RequestsMemory", quota.RequestsMemory, false},
		{"Quota.LimitsCPU", quota.LimitsCPU, false},
		{"Quota.LimitsMemory", quota.LimitsMemory, false},
		{"Limits.DefaultRequestCPU", limits.DefaultRequestCPU, false},
		{"Limits.DefaultRequestMemory", limits.DefaultRequestMemory, false},
		{"Limits.DefaultLimitCPU", limits.DefaultLimitCPU, false},
		{"Limits.DefaultLimitMemory", limits.DefaultLimitMemory, false},
		{"Limits.MaxCPU", limits.MaxCPU, true},
		{"Limits.MaxMemory", limits.MaxMemory, true},
	} {
		if f.optional && f.text == "" {
			continue
		}
		value, err := quantity.Parse(f.text)
		if err != nil {
			return fmt.Errorf("security: BaselineArgs.%s: %w", f.field, err)
		}
		fields[f.field] = quantityField{field: f.field, text: f.text, value: value}
	}
	for _, pair := range [][2]string{
		{"Limits.DefaultRequestCPU", "Limits.DefaultLimitCPU"},
		{"Limits.DefaultRequestMemory", "Limits.DefaultLimitMemory"},
		{"Limits.DefaultLimitCPU", "Limits.MaxCPU"},
		{"Limits.DefaultLimitMemory", "Limits.MaxMemory"},
		{"Limits.DefaultRequestCPU", "Quota.RequestsCPU"},
		{"Limits.DefaultRequestMemory", "Quota.RequestsMemory"},
		{"Limits.DefaultLimitCPU", "Quota.LimitsCPU"},
		{"Limits.DefaultLimitMemory", "Quota.LimitsMemory"},
	} {
		low, high := fields[pair[0]], fields[pair[1]]
		if high.value != nil && low.value.Cmp(high.value) > 0 {
			return fmt.Errorf("security: BaselineArgs.%s (%s) must not exceed BaselineArgs.%s (%s)",
				low.field, low.text, high.field, high.text)
		}
	}
	return nil
}
