package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/catalogue"
)

// Load reads the stack's configuration from the Pulumi context and validates it as of today
// (the Kubernetes lifecycle rules depend on the day, L2). keys lists every key the CLI handed the
// program (Configured), so that a key nothing reads is refused rather than ignored (issue 18).
func Load(ctx *pulumi.Context, keys []string, today time.Time) (*Config, error) {
	values := make(map[string]string, len(keys))
	for _, key := range keys {
		if value, ok := ctx.GetConfig(key); ok {
			values[key] = value
		}
	}
	return Parse(ctx.Stack(), values, today)
}

// Parse builds and validates the Config of the named stack as of the day today, from every
// configuration value the CLI hands the program ("eks-platform:azCount", "aws:region"; scalars as
// text, arrays as JSON). It reports every problem at once, each naming the key, the value and
// what is allowed (C4), and refuses keys it does not read (issue 18). Version pins a stack does
// not set come from the catalogue for its Kubernetes minor (L1).
func Parse(stack string, values map[string]string, today time.Time) (*Config, error) {
	r := &reader{values: values, read: map[string]bool{}}
	c := &Config{
		Environment: r.str("environment"),
		Suffix:      r.str("environmentSuffix"),
		Region:      r.raw("aws:region"),
		AccountID:   r.str("awsAccountId"),
		Network: Network{
			VpcCidr:                  r.str("vpcCidr"),
			AzCount:                  r.int("azCount"),
			PrivateSubnetCidrs:       r.strings("privateSubnetCidrs"),
			PublicSubnetCidrs:        r.strings("publicSubnetCidrs"),
			NatGatewayCount:          r.int("natGatewayCount"),
			InterfaceEndpoints:       r.strings("interfaceEndpoints"),
			InterfaceEndpointAzCount: r.int("interfaceEndpointAzCount"),
			Deployer: Deployer{
				Cidrs:            r.strings("deployerCidrs"),
				TransitGatewayID: r.str("deployerTransitGatewayId"),
			},
		},
		LogRetentionDays: r.int("logRetentionDays"),
		Security: Security{
			KmsDeletionWindowDays:              r.int("kmsDeletionWindowDays"),
			PermissionsBoundaryArn:             r.str("permissionsBoundaryArn"),
			CreateAutoScalingServiceLinkedRole: r.bool("createAutoScalingServiceLinkedRole"),
			KeyAdminRoleArns:                   r.strings("keyAdminRoleArns"),
		},
		Cluster: Cluster{
			KubernetesVersion:    r.str("kubernetesVersion"),
			EndpointPublicAccess: r.bool("endpointPublicAccess"),
			PublicAccessCidrs:    r.strings("publicAccessCidrs"),
			PrivateAccessCidrs:   r.strings("privateAccessCidrs"),
			Access: Access{
				AdminPrincipalArns:        r.strings("adminPrincipalArns"),
				DeployRoleIsOnlyAdmin:     r.bool("deployRoleIsOnlyAdmin"),
				SecretViewerPrincipalArns: r.strings("secretViewerPrincipalArns"),
				ViewerPrincipalArns:       r.strings("viewerPrincipalArns"),
				PreviewRoleArn:            r.str("previewRoleArn"),
				NamespaceEditors:          namespaceEditors(r.strings("namespaceEditors")),
				BreakGlassRoleArn:         r.str("breakGlassRoleArn"),
			},
			AddonVersions: AddonVersions{
				VpcCni:                  r.str("vpcCniVersion"),
				KubeProxy:               r.str("kubeProxyVersion"),
				CoreDNS:                 r.str("corednsVersion"),
				EbsCsiDriver:            r.str("ebsCsiDriverVersion"),
				CloudWatchObservability: r.str("cloudwatchObservabilityVersion"),
				SnapshotController:      r.str("snapshotControllerVersion"),
			},
			UpgradeSupportType: r.str("upgradeSupportType"),
			ZonalShift:         r.bool("zonalShift"),
		},
		NodeGroups: NodeGroups{
			Groups: []NodeGroup{
				r.nodeGroup("system", "ON_DEMAND"),
				r.nodeGroup("app", ""),
				r.nodeGroup("gpu", "ON_DEMAND"),
			},
			OsVolumeGiB:           r.int("nodeOsVolumeGiB"),
			DataVolumeGiB:         r.int("nodeDataVolumeGiB"),
			MaxUnavailablePercent: r.int("nodeMaxUnavailablePercent"),
		},
		Observability: Observability{
			FluentBitImage:           r.str("fluentBitImage"),
			AlarmEmail:               r.str("alarmEmail"),
			AlarmHttpsEndpoints:      r.strings("alarmHttpsEndpoints"),
			NodeCpuAlarmPercent:      r.int("nodeCpuAlarmPercent"),
			NodeMemoryAlarmPercent:   r.int("nodeMemoryAlarmPercent"),
			PodRestartAlarmThreshold: r.int("podRestartAlarmThreshold"),
		},
		Workloads: Workloads{
			Namespaces:           r.strings("workloadNamespaces"),
			PodSecurityEnforce:   r.str("podSecurityEnforce"),
			QuotaCPU:             r.str("namespaceQuotaCpu"),
			QuotaMemory:          r.str("namespaceQuotaMemory"),
			QuotaPods:            r.int("namespaceQuotaPods"),
			DefaultCPURequest:    r.str("containerDefaultCpuRequest"),
			DefaultMemoryRequest: r.str("containerDefaultMemoryRequest"),
			DefaultCPULimit:      r.str("containerDefaultCpuLimit"),
			DefaultMemoryLimit:   r.str("containerDefaultMemoryLimit"),
		},
		Platform: Platform{
			HighAvailability:              r.bool("controllersHighAvailability"),
			Charts:                        map[string]Chart{},
			ClusterAutoscalerImageTag:     r.str("clusterAutoscalerImageTag"),
			VeleroAwsPluginImage:          r.str("veleroAwsPluginImage"),
			BackupSchedule:                r.str("backupSchedule"),
			BackupRetentionDays:           r.int("backupRetentionDays"),
			BackupObjectLockDays:          r.int("backupObjectLockDays"),
			BackupCopyRegion:              r.str("backupCopyRegion"),
			BackupCopyAccountID:           r.str("backupCopyAccountId"),
			ScaleDownUnneededTime:         r.str("clusterAutoscalerScaleDownUnneededTime"),
			ScaleDownUtilizationThreshold: r.str("clusterAutoscalerScaleDownUtilizationThreshold"),
		},
	}
	for _, chart := range []string{ChartClusterAutoscaler, ChartAwsLoadBalancerController,
		ChartExternalSecrets, ChartMetricsServer, ChartVelero} {
		c.Platform.Charts[chart] = Chart{
			Repository: r.str(chart + "ChartRepository"),
			Version:    r.str(chart + "ChartVersion"),
		}
	}
	baseName := r.str("clusterName")
	tags := map[string]string{
		"CostCenter": r.str("costCenter"),
		"Owner":      r.str("owner"),
		"Project":    r.str("project"),
	}
	r.errs = append(r.errs, checkKeys(SortedKeys(values), r.read)...)
	if len(r.errs) > 0 {
		// Missing, unknown or mistyped keys make the rest meaningless; report them alone.
		return nil, errors.Join(r.errs...)
	}

	if c.Suffix == "" {
		c.Suffix = stack
	}
	c.ClusterName = baseName + "-" + c.Suffix
	c.Protect = c.Environment == EnvProd
	tags["Environment"] = c.Environment
	tags["ManagedBy"] = "pulumi"
	c.Tags = tags

	fillPinsFromCatalogue(c)
	if err := validate(c, baseName, catalogue.Day(today)); err != nil {
		return nil, err
	}
	c.Warnings = append(lifecycleWarnings(c.Cluster, catalogue.Day(today)), pinLifecycleWarnings(Pins(c, catalogue.Day(today)))...)
	return c, nil
}

// Key returns the fully qualified name of a project key, as users write it in stack files.
func Key(name string) string { return Project + ":" + name }

// reader reads typed values and remembers every key it was asked for: those are the keys the
// program reads, and any other configured key is refused (checkKeys).
type reader struct {
	values map[string]string
	read   map[string]bool
	errs   []error
}

func (r *reader) lookup(key string) (string, bool) {
	r.read[key] = true
	v, ok := r.values[key]
	return v, ok
}

func (r *reader) raw(key string) string {
	v, ok := r.lookup(key)
	if !ok {
		r.errs = append(r.errs, fmt.Errorf("%s is not set: it is declared with a default in Pulumi.yaml, so run from the project directory (or set it in the stack file)", key))
	}
	return v
}

func (r *reader) str(name string) string { return r.raw(Key(name)) }

func (r *reader) int(name string) int {
	v, ok := r.lookup(Key(name))
	if !ok {
		r.raw(Key(name))
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s = %q: must be a whole number", Key(name), v))
	}
	return n
}

func (r *reader) bool(name string) bool {
	v, ok := r.lookup(Key(name))
	if !ok {
		r.raw(Key(name))
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s = %q: must be true or false", Key(name), v))
	}
	return b
}

func (r *reader) strings(name string) []string {
	v, ok := r.lookup(Key(name))
	if !ok {
		r.raw(Key(name))
		return nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s = %s: must be a list of strings", Key(name), v))
	}
	return out
}

// nodeGroup reads the keys of one node group. A fixed capacity type (system and gpu are on-demand)
// has no key; the app group's is configurable.
func (r *reader) nodeGroup(name, fixedCapacityType string) NodeGroup {
	prefix := name + "Nodes"
	g := NodeGroup{
		Name:          name,
		InstanceTypes: r.strings(prefix + "InstanceTypes"),
		CapacityType:  fixedCapacityType,
		MinSize:       r.int(prefix + "MinSize"),
		DesiredSize:   r.int(prefix + "DesiredSize"),
		MaxSize:       r.int(prefix + "MaxSize"),
	}
	if fixedCapacityType == "" {
		g.CapacityType = r.str(prefix + "CapacityType")
	}
	return g
}

// namespaceEditors splits each "<namespace>=<principal ARN>" entry at its first "=": a namespace
// (a DNS label) never holds one, while an IAM name may. An entry without one keeps an empty
// namespace, which validation refuses.
func namespaceEditors(entries []string) []NamespaceEditor {
	editors := make([]NamespaceEditor, 0, len(entries))
	for _, entry := range entries {
		namespace, arn, ok := strings.Cut(entry, "=")
		if !ok {
			namespace, arn = "", entry
		}
		editors = append(editors, NamespaceEditor{Namespace: namespace, PrincipalArn: arn})
	}
	return editors
}
