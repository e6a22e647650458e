package config

import (
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acme/eks-platform/catalogue"
	"github.com/acme/eks-platform/internal/quantity"
)

var (
	regionPattern      = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`) // C2
	suffixPattern      = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)
	clusterBasePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	// Cost tags are AWS tags and also Kubernetes labels on the platform's namespaces, so they take
	// the stricter of the two syntaxes: a label value.
	costTagPattern      = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	accountIDPattern    = regexp.MustCompile(`^[0-9]{12}$`)
	policyArnPattern    = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:policy/[\w+=,.@/-]+$`)
	principalArnPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]+$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[0-9]*[a-z0-9]+$`)
	pinnedImagePattern  = regexp.MustCompile(`^[a-z0-9.\-/:]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$`)
	emailPattern        = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	dnsLabelPattern     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	chartVersionPattern = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+$`)
	releaseTagPattern   = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)
	durationPattern     = regexp.MustCompile(`^[0-9]+[smh]$`)
)

// kubernetesNamespacePrefix is reserved: Kubernetes creates its own namespaces under it.
const kubernetesNamespacePrefix = "kube-"

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
	v.match("awsAccountId", c.AccountID, accountIDPattern,
		"must be the 12-digit ID of the AWS account this stack deploys to (every stack file names its account)")
	if arn := c.Security.PermissionsBoundaryArn; policyArnPattern.MatchString(arn) && strings.Split(arn, ":")[4] != c.AccountID {
		v.fail("permissionsBoundaryArn", arn, fmt.Sprintf("must be a policy of the stack's account %s (awsAccountId): IAM refuses a boundary from another account", c.AccountID))
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
	validateKeyAdmins(v, c)
	validateCluster(v, c, today)
	validateDeployer(v, c)
	validateNodeGroups(v, c.NodeGroups, c.Platform.HighAvailability)
	validateObservability(v, c.Observability)
	validateAlarmDestinations(v, c)
	validateWorkloads(v, c)
	validatePlatform(v, c.Platform)
	validateBackupLock(v, c)
	validateBackupCopy(v, c)
	validateHighAvailability(v, c)
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
	if n.InterfaceEndpointAzCount < 1 || n.InterfaceEndpointAzCount > n.AzCount {
		v.fail("interfaceEndpointAzCount", n.InterfaceEndpointAzCount, fmt.Sprintf("must be between 1 and azCount (%d)", n.AzCount))
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
	validatePinLifecycle(v, Pins(c, today))
	v.oneOf("upgradeSupportType", k.UpgradeSupportType, UpgradeSupportTypes)
	switch {
	case k.EndpointPublicAccess && len(k.PublicAccessCidrs) == 0:
		v.fail("publicAccessCidrs", k.PublicAccessCidrs,
			"must list the CIDRs allowed to reach the API server when endpointPublicAccess is true (S2)")
	case !k.EndpointPublicAccess && len(k.PublicAccessCidrs) > 0:
		v.fail("publicAccessCidrs", k.PublicAccessCidrs,
			"must be empty when endpointPublicAccess is false (they would be ignored)")
	}
	if len(k.PublicAccessCidrs) > MaxPublicAccessCidrs {
		v.fail("publicAccessCidrs", k.PublicAccessCidrs, fmt.Sprintf("must list at most %d CIDRs (an EKS quota that cannot be raised); it lists %d",
			MaxPublicAccessCidrs, len(k.PublicAccessCidrs)))
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
	validateAccess(v, c)
}

func validateNodeGroups(v *validator, n NodeGroups, highAvailability bool) {
	for _, g := range n.Groups {
		prefix := g.Name + "Nodes"
		if len(g.InstanceTypes) == 0 {
			v.fail(prefix+"InstanceTypes", g.InstanceTypes, "must list at least one instance type")
		}
		for i, t := range g.InstanceTypes {
			v.match(prefix+"InstanceTypes", t, instanceTypePattern, "must be an EC2 instance type such as m6i.large")
			if slices.Contains(g.InstanceTypes[:i], t) {
				v.fail(prefix+"InstanceTypes", t, "is listed twice")
			}
		}
		validateInstanceTypes(v, g, highAvailability)
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
	// All groups share the OS volume size, and the gpu group always exists (maxSize >= 1).
	if n.OsVolumeGiB < NvidiaOsSnapshotGiB || n.OsVolumeGiB > 16 {
		v.fail("nodeOsVolumeGiB", n.OsVolumeGiB, fmt.Sprintf("must be between %d and 16: the gpu group's Bottlerocket NVIDIA AMI has a %d GiB OS snapshot, and EC2 refuses a smaller volume",
			NvidiaOsSnapshotGiB, NvidiaOsSnapshotGiB))
	}
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
	seen := map[string]bool{}
	for _, endpoint := range o.AlarmHttpsEndpoints {
		if seen[endpoint] {
			v.fail("alarmHttpsEndpoints", endpoint, "is listed twice; SNS keeps one subscription per endpoint")
		}
		seen[endpoint] = true
		if problem := httpsEndpointProblem(endpoint); problem != "" {
			v.fail("alarmHttpsEndpoints", endpoint, "must be an https:// URL with a host, as PagerDuty and Opsgenie give for SNS ("+problem+")")
		}
	}
	// The alarms fire when utilisation is greater than the threshold, and utilisation never
	// exceeds 100%: at 100 the alarm could never fire (O4).
	v.between("nodeCpuAlarmPercent", o.NodeCpuAlarmPercent, 1, 99)
	v.between("nodeMemoryAlarmPercent", o.NodeMemoryAlarmPercent, 1, 99)
	v.between("podRestartAlarmThreshold", o.PodRestartAlarmThreshold, 1, 1000)
}

// httpsEndpointProblem says what is wrong with an alarm endpoint, or "" when it is a usable
// https URL. SNS delivers to http endpoints in clear text, so only https is allowed.
func httpsEndpointProblem(endpoint string) string {
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return "not a URL: " + err.Error()
	case u.Scheme != "https":
		return fmt.Sprintf("scheme %q; alarms may carry account and cluster names, so clear-text http is refused", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return "no host"
	case u.User != nil:
		return "credentials in the URL; put the integration key in the path the service gives"
	case strings.ContainsAny(endpoint, " \t"):
		return "contains white space"
	}
	return ""
}

// validateAlarmDestinations: in staging and prod an alarm must reach someone (issue 22, O4), so
// a stack with neither an e-mail address nor an HTTPS endpoint is refused.
func validateAlarmDestinations(v *validator, c *Config) {
	o := c.Observability
	if c.Environment != EnvProd && c.Environment != EnvStaging {
		return
	}
	if o.AlarmEmail == "" && len(o.AlarmHttpsEndpoints) == 0 {
		v.fail("alarmHttpsEndpoints", o.AlarmHttpsEndpoints, "must not be empty in "+c.Environment+" when "+Key("alarmEmail")+
			" is empty too: alarms must reach someone; set an e-mail address, or an https:// endpoint of PagerDuty or Opsgenie")
	}
}

func validateWorkloads(v *validator, c *Config) {
	w := c.Workloads
	if len(w.Namespaces) == 0 {
		v.fail("workloadNamespaces", w.Namespaces, "must list at least one namespace")
	}
	for i, ns := range w.Namespaces {
		v.match("workloadNamespaces", ns, dnsLabelPattern, "must be a DNS-1123 label (lower-case letters, digits, hyphens)")
		if slices.Contains(ReservedNamespaces, ns) || strings.HasPrefix(ns, kubernetesNamespacePrefix) {
			v.fail("workloadNamespaces", ns, "is reserved for Kubernetes or the platform ("+strings.Join(ReservedNamespaces, ", ")+
				", and every name starting with "+kubernetesNamespacePrefix+")")
		}
		if slices.Contains(w.Namespaces[:i], ns) {
			v.fail("workloadNamespaces", ns, "is listed twice")
		}
	}
	v.oneOf("podSecurityEnforce", w.PodSecurityEnforce, PodSecurityLevels)
	if c.Environment == EnvProd && w.PodSecurityEnforce != "restricted" {
		v.fail("podSecurityEnforce", w.PodSecurityEnforce, "must be restricted in prod (S4)")
	}
	validateWorkloadResources(v, w)
	if w.QuotaPods < 1 {
		v.fail("namespaceQuotaPods", w.QuotaPods, "must be at least 1")
	}
}

// workloadResourceChains list, per resource, keys whose quantities must not decrease: the
// container default request, the default limit, the namespace quota (P2). request <= quota
// follows from the other two.
var workloadResourceChains = []struct {
	memory bool
	keys   [3]string
}{
	{false, [3]string{"containerDefaultCpuRequest", "containerDefaultCpuLimit", "namespaceQuotaCpu"}},
	{true, [3]string{"containerDefaultMemoryRequest", "containerDefaultMemoryLimit", "namespaceQuotaMemory"}},
}

// chainReasons say why each link of a chain holds: request <= limit, then limit <= quota.
var chainReasons = [2]string{
	"Kubernetes refuses a LimitRange whose default request is above its default limit",
	"the quota caps the sum of the namespace's limits, so a container given the default limit could never be admitted",
}

func validateWorkloadResources(v *validator, w Workloads) {
	text := map[string]string{
		"namespaceQuotaCpu": w.QuotaCPU, "namespaceQuotaMemory": w.QuotaMemory,
		"containerDefaultCpuRequest": w.DefaultCPURequest, "containerDefaultMemoryRequest": w.DefaultMemoryRequest,
		"containerDefaultCpuLimit": w.DefaultCPULimit, "containerDefaultMemoryLimit": w.DefaultMemoryLimit,
	}
	for _, chain := range workloadResourceChains {
		keys := chain.keys
		var values [3]*big.Rat
		for i, key := range keys {
			value, err := quantity.Parse(text[key])
			switch {
			case err != nil:
				v.fail(key, text[key], "must be a Kubernetes quantity greater than zero, such as 500m, 2 or 512Mi")
			case chain.memory && !value.IsInt():
				// "512m" is a valid quantity but means 0.512 bytes: a typo for 512Mi.
				v.fail(key, text[key], "must be a whole number of bytes such as 512Mi or 1Gi (the suffix m means thousandths, so 512m is half a byte)")
			default:
				values[i] = value
			}
		}
		for i, reason := range chainReasons {
			low, high := values[i], values[i+1]
			if low != nil && high != nil && low.Cmp(high) > 0 {
				v.fail(keys[i], text[keys[i]], fmt.Sprintf("must not exceed %s (%s): %s", Key(keys[i+1]), show(text[keys[i+1]]), reason))
			}
		}
	}
}

// validateHighAvailability: staging and prod run two replicas of every controller that serves
// traffic (P1), and two replicas need two system nodes, where the controllers run, or one node's
// loss takes both.
func validateHighAvailability(v *validator, c *Config) {
	if !c.Platform.HighAvailability {
		if c.Environment != EnvDev {
			v.fail("controllersHighAvailability", false, "must be true in "+c.Environment+": staging and prod run two replicas of every controller that serves traffic (P1)")
		}
		return
	}
	for _, g := range c.NodeGroups.Groups {
		if g.Name == "system" && g.MinSize < 2 {
			v.fail("systemNodesMinSize", g.MinSize, "must be at least 2 when controllersHighAvailability is true: the two replicas of each controller run on system nodes, and one node would hold both")
		}
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
	v.between("backupRetentionDays", p.BackupRetentionDays, 1, 3650)
	schedule, err := parseBackupSchedule(p.BackupSchedule)
	if err != nil {
		v.fail("backupSchedule", p.BackupSchedule, "must be a five-field cron expression such as \"0 3 * * *\" (UTC): "+err.Error())
	} else if gap, ok := schedule.longestGap(); !ok {
		v.fail("backupSchedule", p.BackupSchedule, "never runs twice (no such date); use a schedule such as \"0 3 * * *\"")
	} else if retention := time.Duration(p.BackupRetentionDays) * 24 * time.Hour; retention <= gap {
		// Velero deletes a backup when its TTL ends: a retention no longer than the gap between
		// two runs leaves times with no backup to restore (P3).
		v.fail("backupRetentionDays", p.BackupRetentionDays, fmt.Sprintf(
			"must be longer than the longest gap between two runs of %s %s (%s), or the last backup expires before the next one exists",
			Key("backupSchedule"), show(p.BackupSchedule), days(gap)))
	}
	v.match("clusterAutoscalerScaleDownUnneededTime", p.ScaleDownUnneededTime, durationPattern, "must be a duration such as 10m")
	if t, err := strconv.ParseFloat(p.ScaleDownUtilizationThreshold, 64); err != nil || t <= 0 || t >= 1 {
		v.fail("clusterAutoscalerScaleDownUtilizationThreshold", p.ScaleDownUtilizationThreshold, "must be a number between 0 and 1")
	}
}

// validateBackupLock: prod's backups are locked in COMPLIANCE mode, which nobody can lift or
// shorten, so they outlive a compromised account (issue 22). The lock runs at most as long as
// the backups are kept, so Velero's TTL and the lifecycle rule still end them. Dev and staging
// are torn down with their buckets, which a compliance lock would keep for its whole term.
func validateBackupLock(v *validator, c *Config) {
	days := c.Platform.BackupObjectLockDays
	switch {
	case c.Environment == EnvProd && days < 1:
		v.fail("backupObjectLockDays", days, "must be at least 1 in prod: its backups are locked (S3 Object Lock, COMPLIANCE mode) so nobody can delete them early")
	case c.Environment != EnvProd && days != 0:
		v.fail("backupObjectLockDays", days, fmt.Sprintf("must be 0 in %s: a COMPLIANCE lock keeps the bucket undeletable for its whole term, and %s is torn down with its backups", c.Environment, c.Environment))
	case days > c.Platform.BackupRetentionDays:
		v.fail("backupObjectLockDays", days, fmt.Sprintf("must be at most %s (%d): a backup locked beyond its TTL cannot be deleted when Velero expires it", Key("backupRetentionDays"), c.Platform.BackupRetentionDays))
	}
}

// validateBackupCopy: prod's backups are copied to another region, so they outlive the loss of
// the stack's region as well as of its bucket (issue 22).
func validateBackupCopy(v *validator, c *Config) {
	region := c.Platform.BackupCopyRegion
	switch {
	case region == "" && c.Environment == EnvProd:
		v.fail("backupCopyRegion", region, "must name another AWS region in prod: its backups are copied there (S3 replication) to survive the loss of "+c.Region)
	case region == "":
	case !regionPattern.MatchString(region):
		v.fail("backupCopyRegion", region, "must be empty or an AWS region such as us-west-2")
	case region == c.Region:
		v.fail("backupCopyRegion", region, "must differ from aws:region: a copy in the same region does not survive the region")
	}
	account := c.Platform.BackupCopyAccountID
	switch {
	case account == "":
	case !accountIDPattern.MatchString(account):
		v.fail("backupCopyAccountId", account, "must be empty (the copy stays in awsAccountId) or a 12-digit AWS account ID")
	case account == c.AccountID:
		v.fail("backupCopyAccountId", account, "must differ from awsAccountId: leave it empty for a copy in the stack's own account")
	case region == "":
		v.fail("backupCopyAccountId", account, fmt.Sprintf("needs %s: the copy is made by S3 replication to another region", Key("backupCopyRegion")))
	}
}

func intStrings(values []int) []string {
	out := make([]string, len(values))
	for i, n := range values {
		out[i] = strconv.Itoa(n)
	}
	return out
}

// days renders a gap between backups in the unit of the retention key: "7 days", or "24h30m"
// when it is not whole days.
func days(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return strings.TrimSuffix(d.String(), "0s")
}
