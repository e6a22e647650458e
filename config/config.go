// Package config turns the stack's Pulumi configuration into one validated, typed struct
// (STACK_SPEC C1). It is the only package that reads configuration; the concern packages take
// typed Args built from this struct by the composition root.
package config

// Project is the Pulumi project name; every project key is "eks-platform:<key>".
const Project = "eks-platform"

// Environment classes. Only these three exist; a new stack picks one of them (README "Adding a
// stack") and may set its own environmentSuffix.
const (
	EnvDev     = "dev"
	EnvStaging = "staging"
	EnvProd    = "prod"
)

// Config is the whole, validated configuration of one stack.
type Config struct {
	Environment string // dev, staging or prod: which rules apply
	Suffix      string // appended to every resource name
	Region      string
	// AccountID is the 12-digit AWS account the stack belongs to: the AWS provider refuses
	// credentials of any other account (allowedAccountIds), and scripts/stack.sh checks the
	// caller's account before any backend or cloud call (issue 18).
	AccountID string
	// ClusterName is the full EKS cluster name, <clusterName>-<suffix>.
	ClusterName string
	// Tags are the cost-allocation tags applied through the AWS provider's default tags (C5).
	Tags map[string]string
	// Protect marks resources whose loss loses data (KMS key, audit logs, backups) as protected.
	// It is on for prod only, so dev and staging can be torn down freely.
	Protect bool

	Network          Network
	LogRetentionDays int
	Security         Security
	Cluster          Cluster
	NodeGroups       NodeGroups
	Observability    Observability
	Workloads        Workloads
	Platform         Platform

	// Warnings are the lifecycle notices of the day the configuration was parsed on (L2): a
	// Kubernetes minor in extended support or close to leaving standard support. Deploying goes
	// on; the program shows them in `pulumi preview`/`up` and the offline plan.
	Warnings []string
}

// Network holds N1-N4.
type Network struct {
	VpcCidr            string
	AzCount            int
	PrivateSubnetCidrs []string
	PublicSubnetCidrs  []string
	NatGatewayCount    int
	InterfaceEndpoints []string
	// InterfaceEndpointAzCount is how many AZs hold each interface endpoint (N3, cost).
	InterfaceEndpointAzCount int
	// Deployer is where `pulumi up` runs from and how it reaches the API (issue 19).
	Deployer Deployer
}

// Security holds S1 and S3.
type Security struct {
	KmsDeletionWindowDays              int
	PermissionsBoundaryArn             string
	CreateAutoScalingServiceLinkedRole bool
	// KeyAdminRoleArns are the only principals that may change or delete the platform's KMS keys
	// (issue 22): the role `pulumi up` runs as, and the account's admin role. Everyone else gets
	// at most use and read of a key, through IAM.
	KeyAdminRoleArns []string
}

// Cluster holds K1-K3.
type Cluster struct {
	KubernetesVersion    string
	EndpointPublicAccess bool
	PublicAccessCidrs    []string
	PrivateAccessCidrs   []string
	Access               Access
	// AddonVersions are the catalogue's builds for KubernetesVersion unless a stack overrides one (L1).
	AddonVersions AddonVersions
	// UpgradeSupportType is the EKS upgrade policy: STANDARD (EKS upgrades the control plane
	// itself at the end of standard support) or EXTENDED (the minor stays, at the extended price).
	UpgradeSupportType string
	// ZonalShift lets AWS shift the cluster's traffic away from an impaired availability zone.
	ZonalShift bool
}

// Access lists who reaches the Kubernetes API, by tier, through EKS access entries (K1, issue 22).
// A principal holds one cluster-wide tier at most; a namespace editor may also be a viewer.
type Access struct {
	AdminPrincipalArns []string
	// DeployRoleIsOnlyAdmin says, explicitly, that an empty AdminPrincipalArns is meant.
	DeployRoleIsOnlyAdmin     bool
	SecretViewerPrincipalArns []string // AmazonEKSAdminViewPolicy: reads Secrets too
	ViewerPrincipalArns       []string // AmazonEKSViewPolicy
	// PreviewRoleArn is the stack's pull-request preview role (issue 18): a viewer, which also
	// reads the Secrets of the platform's Helm release namespaces, where Helm keeps its releases.
	PreviewRoleArn   string
	NamespaceEditors []NamespaceEditor
	// BreakGlassRoleArn, when set, is an IAM role with cluster admin for emergencies; every API
	// request it makes raises an alarm.
	BreakGlassRoleArn string
}

// NamespaceEditor may edit one workload namespace (AmazonEKSEditPolicy at namespace scope). The
// stack file writes it as "<namespace>=<principal ARN>".
type NamespaceEditor struct {
	Namespace    string
	PrincipalArn string
}

// AddonVersions pins every EKS add-on (K3, O1).
type AddonVersions struct {
	VpcCni                  string
	KubeProxy               string
	CoreDNS                 string
	EbsCsiDriver            string
	CloudWatchObservability string
	SnapshotController      string
}

// NodeGroups holds G1-G3: three groups of one shape, plus the settings they share.
type NodeGroups struct {
	Groups                []NodeGroup // system, app, gpu, in that order
	OsVolumeGiB           int
	DataVolumeGiB         int
	MaxUnavailablePercent int
}

// NodeGroup is the per-group data; everything else about a group follows from its Name.
type NodeGroup struct {
	Name          string // system, app or gpu
	InstanceTypes []string
	CapacityType  string // ON_DEMAND or SPOT
	MinSize       int
	DesiredSize   int
	MaxSize       int
}

// Observability holds O1-O4.
type Observability struct {
	FluentBitImage string
	AlarmEmail     string
	// AlarmHttpsEndpoints are HTTPS URLs (PagerDuty, Opsgenie) subscribed to the alarm topic.
	AlarmHttpsEndpoints      []string
	NodeCpuAlarmPercent      int
	NodeMemoryAlarmPercent   int
	PodRestartAlarmThreshold int
}

// Workloads holds the workload namespaces and their guardrails (S4, S5, P2).
type Workloads struct {
	Namespaces           []string
	PodSecurityEnforce   string
	QuotaCPU             string
	QuotaMemory          string
	QuotaPods            int
	DefaultCPURequest    string
	DefaultMemoryRequest string
	DefaultCPULimit      string
	DefaultMemoryLimit   string
}

// Platform holds the in-cluster controllers and backups (P1, P3).
type Platform struct {
	HighAvailability bool
	// Charts are the catalogue's releases unless a stack overrides one (L1).
	Charts map[string]Chart // keyed by ChartClusterAutoscaler etc.
	// ClusterAutoscalerImageTag is the autoscaler release of the cluster's minor (L1).
	ClusterAutoscalerImageTag string
	VeleroAwsPluginImage      string
	BackupSchedule            string
	BackupRetentionDays       int
	// BackupObjectLockDays locks each backup object version in COMPLIANCE mode (prod only).
	BackupObjectLockDays int
	// BackupCopyRegion, when set, is the region every backup is replicated to (required in prod).
	BackupCopyRegion string
	// BackupCopyAccountID, when set, is the backup account the copy is kept in, so the backups
	// also outlive the loss of the stack's account; that account's bootstrap makes the copy.
	// Empty, the copy is made in the stack's account.
	BackupCopyAccountID           string
	ScaleDownUnneededTime         string
	ScaleDownUtilizationThreshold string
}

// Chart pins one Helm chart.
type Chart struct {
	Repository string
	Version    string
}

// Chart keys of Platform.Charts; each is also the config key prefix (<key>ChartRepository,
// <key>ChartVersion).
const (
	ChartClusterAutoscaler         = "clusterAutoscaler"
	ChartAwsLoadBalancerController = "awsLoadBalancerController"
	ChartExternalSecrets           = "externalSecrets"
	ChartMetricsServer             = "metricsServer"
	ChartVelero                    = "velero"
)

// MinReadyNodes is the number of nodes the cluster should never fall below: the sum of the
// groups' minimum sizes (the "ready nodes below minimum" alarm, O4).
func (n NodeGroups) MinReadyNodes() int {
	total := 0
	for _, g := range n.Groups {
		total += g.MinSize
	}
	return total
}

// TagsManagedBy returns the cost tags with ManagedBy naming the controller that creates the tagged
// resources (load balancers, CSI volumes) outside any Pulumi state, so cleanup tooling is not told
// they are Pulumi's.
func (c *Config) TagsManagedBy(manager string) map[string]string {
	tags := make(map[string]string, len(c.Tags))
	for k, v := range c.Tags {
		tags[k] = v
	}
	tags["ManagedBy"] = manager
	return tags
}

// The roles the bootstrap makes in each environment's account (README "Accounts and
// environments"), which the workflows assume.
const (
	DeployRolePrefix  = "eks-platform-deploy-"
	PreviewRolePrefix = "eks-platform-preview-"
)
