package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/eks-platform/catalogue"
)

var (
	regionPattern      = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`) // C2
	suffixPattern      = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)
	clusterBasePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	// Cost tags are AWS tags and also Kubernetes labels on the platform's namespaces, so they take
	// the stricter of the two syntaxes: a label value.
	costTagPattern      = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	policyArnPattern    = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:policy/[\w+=,.@/-]+$`)
	principalArnPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]+$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[0-9]*[a-z0-9]+$`)
	gpuInstancePattern  = regexp.MustCompile(`^(g|p)[0-9]`)
	pinnedImagePattern  = regexp.MustCompile(`^[a-z0-9.\-/:]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$`)
	emailPattern        = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	dnsLabelPattern     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	quantityPattern     = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)
	chartVersionPattern = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+$`)
	releaseTagPattern   = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)
	durationPattern     = regexp.MustCompile(`^[0-9]+[smh]$`)
	cronFieldPattern    = regexp.MustCompile(`^[0-9*/,\-]+$`)
)

// maxClusterNameLength keeps <clusterName>-<suffix> short enough for every name derived from it
// (IAM role names are limited to 64 characters, EKS node group names to 63).
const maxClusterNameLength = 40

type validator struct{ errs []error }

// fail records one problem: the key, the offending value and what is allowed (C4).
func (v *validator) fail(key string, value any, allowed string) {
	v.errs = append(v.errs, fmt.Errorf("%s = %s: %s", Key(key), show(value), allowed))
}

func show(value any) string {
	switch x := value.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	default:
		return fmt.Sprint(x)
	}
}

func (v *validator) oneOf(key, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		v.fail(key, value, "must be one of "+strings.Join(allowed, ", "))
	}
}

func (v *validator) between(key string, value, lo, hi int) {
	if value < lo || value > hi {
		v.fail(key, value, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
}

func (v *validator) match(key, value string, pattern *regexp.Regexp, allowed string) {
	if !pattern.MatchString(value) {
		v.fail(key, value, allowed)
	}
}

func validate(c *Config, clusterBase string, today catalogue.Date) error {
	v := &validator{}
	v.oneOf("environment", c.Environment, []string{EnvDev, EnvStaging, EnvProd})
	v.match("environmentSuffix", c.Suffix, suffixPattern,
		"must be 1-12 lower-case letters or digits, starting with a letter (empty means the stack name)")
	v.match("clusterName", clusterBase, clusterBasePattern,
		"must be lower-case letters, digits and hyphens, starting with a letter")
	if len(c.ClusterName) > maxClusterNameLength {
		v.fail("clusterName", clusterBase, fmt.Sprintf("with the suffix it must be at most %d characters (%q is %d)",
			maxClusterNameLength, c.ClusterName, len(c.ClusterName)))
	}
	for _, key := range []string{"CostCenter", "Owner", "Project"} {
		v.match(strings.ToLower(key[:1])+key[1:], c.Tags[key], costTagPattern,
			"must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (it is an AWS tag and a Kubernetes label)")
	}
	if !regionPattern.MatchString(c.Region) {
		v.errs = append(v.errs, fmt.Errorf("aws:region = %q: must be an AWS region such as us-east-1 or us-gov-west-1", c.Region))
	}
	validateNetwork(v, c)
	v.oneOf("logRetentionDays", strconv.Itoa(c.LogRetentionDays), intStrings(LogRetentionDays))
	v.between("kmsDeletionWindowDays", c.Security.KmsDeletionWindowDays, 7, 30)
	if arn := c.Security.PermissionsBoundaryArn; arn != "" {
		v.match("permissionsBoundaryArn", arn, policyArnPattern, "must be empty or an IAM policy ARN")
	}
	validateCluster(v, c, today)
	validateNodeGroups(v, c.NodeGroups)
	validateObservability(v, c.Observability)
	validateWorkloads(v, c)
	validatePlatform(v, c.Platform)
	return errors.Join(v.errs...)
}

func validateNetwork(v *validator, c *Config) {
	n := c.Network
	vpc, err := netip.ParsePrefix(n.VpcCidr)
	if err != nil || vpc.Addr().Is6() || vpc.Masked() != vpc || vpc.Bits() < 16 || vpc.Bits() > 24 {
		v.fail("vpcCidr", n.VpcCidr, "must be an IPv4 network address in CIDR form with a prefix from /16 to /24 (for example 10.0.0.0/16)")
		vpc = netip.Prefix{}
	}
	v.between("azCount", n.AzCount, 2, 6)
	if n.NatGatewayCount < 1 || n.NatGatewayCount > n.AzCount {
		v.fail("natGatewayCount", n.NatGatewayCount, fmt.Sprintf("must be between 1 and azCount (%d)", n.AzCount))
	}
	var seen []netip.Prefix
	var seenKeys []string
	for _, key := range []string{"privateSubnetCidrs", "publicSubnetCidrs"} {
		cidrs := n.PrivateSubnetCidrs
		if key == "publicSubnetCidrs" {
			cidrs = n.PublicSubnetCidrs
		}
		if len(cidrs) != n.AzCount {
			v.fail(key, cidrs, fmt.Sprintf("must list exactly azCount (%d) CIDRs, one per AZ", n.AzCount))
		}
		for _, s := range cidrs {
			p, err := netip.ParsePrefix(s)
			if err != nil || p.Addr().Is6() || p.Masked() != p || p.Bits() > 28 {
				v.fail(key, s, "must be an IPv4 network address in CIDR form, /28 or larger")
				continue
			}
			if vpc.IsValid() && (p.Bits() < vpc.Bits() || !vpc.Contains(p.Addr())) {
				v.fail(key, s, fmt.Sprintf("must lie inside vpcCidr %s", n.VpcCidr))
			}
			for i, other := range seen {
				if other.Overlaps(p) {
					v.fail(key, s, fmt.Sprintf("overlaps %s of %s; subnets must not overlap", other, Key(seenKeys[i])))
				}
			}
			seen = append(seen, p)
			seenKeys = append(seenKeys, key)
		}
	}
	for i, svc := range n.InterfaceEndpoints {
		v.oneOf("interfaceEndpoints", svc, InterfaceEndpointServices)
		if slices.Contains(n.InterfaceEndpoints[:i], svc) {
			v.fail("interfaceEndpoints", svc, "is listed twice")
		}
	}
}

func validateCluster(v *validator, c *Config, today catalogue.Date) {
	k := c.Cluster
	if minor, ok := validateKubernetesVersion(v, k.KubernetesVersion, today); ok {
		validatePins(v, c, minor)
	}
	v.oneOf("upgradeSupportType", k.UpgradeSupportType, UpgradeSupportTypes)
	switch {
	case k.EndpointPublicAccess && len(k.PublicAccessCidrs) == 0:
		v.fail("publicAccessCidrs", k.PublicAccessCidrs,
			"must list the CIDRs allowed to reach the API server when endpointPublicAccess is true (S2)")
	case !k.EndpointPublicAccess && len(k.PublicAccessCidrs) > 0:
		v.fail("publicAccessCidrs", k.PublicAccessCidrs,
			"must be empty when endpointPublicAccess is false (they would be ignored)")
	}
	for _, s := range k.PublicAccessCidrs {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil || p.Addr().Is6() || p.Masked() != p:
			v.fail("publicAccessCidrs", s, "must be an IPv4 network address in CIDR form")
		case p.Bits() == 0 && c.Environment == EnvProd:
			v.fail("publicAccessCidrs", s, "the whole internet may not reach the prod API server; list your corporate egress CIDRs (S2)")
		}
	}
	for _, s := range k.PrivateAccessCidrs {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil || p.Addr().Is6() || p.Masked() != p:
			v.fail("privateAccessCidrs", s, "must be an IPv4 network address in CIDR form")
		case p.Bits() < 8:
			v.fail("privateAccessCidrs", s, "must be a specific network (/8 or longer): it opens the API server's security group (S2)")
		}
	}
	for _, arn := range k.AdminPrincipalArns {
		v.match("adminPrincipalArns", arn, principalArnPattern, "must be an IAM role or user ARN")
	}
}

func validateNodeGroups(v *validator, n NodeGroups) {
	for _, g := range n.Groups {
		prefix := g.Name + "Nodes"
		if len(g.InstanceTypes) == 0 {
			v.fail(prefix+"InstanceTypes", g.InstanceTypes, "must list at least one instance type")
		}
		for i, t := range g.InstanceTypes {
			v.match(prefix+"InstanceTypes", t, instanceTypePattern, "must be an EC2 instance type such as m6i.large")
			if g.Name == "gpu" && !gpuInstancePattern.MatchString(t) {
				v.fail(prefix+"InstanceTypes", t, "must be an NVIDIA GPU instance type (g* or p* families) for the gpu group")
			}
			if slices.Contains(g.InstanceTypes[:i], t) {
				v.fail(prefix+"InstanceTypes", t, "is listed twice")
			}
		}
		v.oneOf(prefix+"CapacityType", g.CapacityType, CapacityTypes)
		for key, size := range map[string]int{"MinSize": g.MinSize, "DesiredSize": g.DesiredSize, "MaxSize": g.MaxSize} {
			if size < 0 {
				v.fail(prefix+key, size, "must not be negative")
			}
		}
		if g.MaxSize < 1 {
			v.fail(prefix+"MaxSize", g.MaxSize, "must be at least 1")
		}
		if g.MinSize > g.DesiredSize || g.DesiredSize > g.MaxSize {
			v.fail(prefix+"DesiredSize", g.DesiredSize, fmt.Sprintf("must satisfy minSize (%d) <= desiredSize <= maxSize (%d)", g.MinSize, g.MaxSize))
		}
		if g.Name == "system" && g.MinSize < 1 {
			v.fail(prefix+"MinSize", g.MinSize, "must be at least 1: the platform controllers and CoreDNS run on system nodes")
		}
	}
	v.between("nodeOsVolumeGiB", n.OsVolumeGiB, 2, 16)
	v.between("nodeDataVolumeGiB", n.DataVolumeGiB, 20, 1000)
	v.between("nodeMaxUnavailablePercent", n.MaxUnavailablePercent, 1, 100)
}

func validateObservability(v *validator, o Observability) {
	v.match("fluentBitImage", o.FluentBitImage, pinnedImagePattern, "must be an image pinned by tag or digest")
	if strings.HasSuffix(o.FluentBitImage, ":latest") {
		v.fail("fluentBitImage", o.FluentBitImage, "must not use the moving tag latest")
	}
	if o.AlarmEmail != "" {
		v.match("alarmEmail", o.AlarmEmail, emailPattern, "must be empty or an e-mail address")
	}
	v.between("nodeCpuAlarmPercent", o.NodeCpuAlarmPercent, 1, 100)
	v.between("nodeMemoryAlarmPercent", o.NodeMemoryAlarmPercent, 1, 100)
	v.between("podRestartAlarmThreshold", o.PodRestartAlarmThreshold, 1, 1000)
}

func validateWorkloads(v *validator, c *Config) {
	w := c.Workloads
	if len(w.Namespaces) == 0 {
		v.fail("workloadNamespaces", w.Namespaces, "must list at least one namespace")
	}
	for i, ns := range w.Namespaces {
		v.match("workloadNamespaces", ns, dnsLabelPattern, "must be a DNS-1123 label (lower-case letters, digits, hyphens)")
		if slices.Contains(ReservedNamespaces, ns) {
			v.fail("workloadNamespaces", ns, "is reserved for Kubernetes or the platform ("+strings.Join(ReservedNamespaces, ", ")+")")
		}
		if slices.Contains(w.Namespaces[:i], ns) {
			v.fail("workloadNamespaces", ns, "is listed twice")
		}
	}
	v.oneOf("podSecurityEnforce", w.PodSecurityEnforce, PodSecurityLevels)
	if c.Environment == EnvProd && w.PodSecurityEnforce != "restricted" {
		v.fail("podSecurityEnforce", w.PodSecurityEnforce, "must be restricted in prod (S4)")
	}
	for key, q := range map[string]string{
		"namespaceQuotaCpu": w.QuotaCPU, "namespaceQuotaMemory": w.QuotaMemory,
		"containerDefaultCpuRequest": w.DefaultCPURequest, "containerDefaultMemoryRequest": w.DefaultMemoryRequest,
		"containerDefaultCpuLimit": w.DefaultCPULimit, "containerDefaultMemoryLimit": w.DefaultMemoryLimit,
	} {
		v.match(key, q, quantityPattern, "must be a Kubernetes quantity such as 500m, 2 or 512Mi")
	}
	if w.QuotaPods < 1 {
		v.fail("namespaceQuotaPods", w.QuotaPods, "must be at least 1")
	}
}

func validatePlatform(v *validator, p Platform) {
	for name, chart := range p.Charts {
		if !strings.HasPrefix(chart.Repository, "https://") {
			v.fail(name+"ChartRepository", chart.Repository, "must be an https:// Helm repository URL")
		}
		v.match(name+"ChartVersion", chart.Version, chartVersionPattern, "must be a pinned chart version such as 1.2.3")
	}
	v.match("veleroAwsPluginImage", p.VeleroAwsPluginImage, pinnedImagePattern, "must be an image pinned by tag or digest")
	fields := strings.Fields(p.BackupSchedule)
	if len(fields) != 5 || slices.ContainsFunc(fields, func(f string) bool { return !cronFieldPattern.MatchString(f) }) {
		v.fail("backupSchedule", p.BackupSchedule, "must be a five-field cron expression such as \"0 3 * * *\"")
	}
	v.between("backupRetentionDays", p.BackupRetentionDays, 1, 3650)
	v.match("clusterAutoscalerScaleDownUnneededTime", p.ScaleDownUnneededTime, durationPattern, "must be a duration such as 10m")
	if t, err := strconv.ParseFloat(p.ScaleDownUtilizationThreshold, 64); err != nil || t <= 0 || t >= 1 {
		v.fail("clusterAutoscalerScaleDownUtilizationThreshold", p.ScaleDownUtilizationThreshold, "must be a number between 0 and 1")
	}
}

func intStrings(values []int) []string {
	out := make([]string, len(values))
	for i, n := range values {
		out[i] = strconv.Itoa(n)
	}
	return out
}
