// Package platform installs the in-cluster platform (STACK_SPEC P1, P3): the controllers that use
// the IRSA roles of the security package (cluster-autoscaler, aws-load-balancer-controller,
// external-secrets with a ClusterSecretStore, metrics-server) and Velero backups with their own
// S3 bucket and IRSA role, whose volume data are EBS snapshots taken through the CSI snapshot API.
//
// The charts are installed as pulumi-kubernetes helm/v3 Releases rather than v4 Charts. A Release
// is a real Helm release stored in the cluster: `helm history` and `helm rollback` work during an
// incident, chart hooks run, and Atomic rolls a failed upgrade back. A v4 Chart only renders the
// templates client-side into individual Pulumi resources, so Helm knows nothing of it and hooks
// do not run.
package platform

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

const componentType = "eks-platform:platform:Platform"

// Keys of Args.Charts; each is also the config key prefix (<key>ChartRepository, <key>ChartVersion).
const (
	ChartClusterAutoscaler         = "clusterAutoscaler"
	ChartAwsLoadBalancerController = "awsLoadBalancerController"
	ChartExternalSecrets           = "externalSecrets"
	ChartMetricsServer             = "metricsServer"
	ChartVelero                    = "velero"
)

// chartKeys lists every chart the component installs, for validation.
var chartKeys = []string{ChartClusterAutoscaler, ChartAwsLoadBalancerController, ChartExternalSecrets,
	ChartMetricsServer, ChartVelero}

// Chart pins one Helm chart: the repository URL and the exact chart version.
type Chart struct {
	Repository string
	Version    string
}

// Args configures the platform. Plain values come from validated stack config; inputs come from
// other components.
type Args struct {
	// Environment is the name suffix ("dev", "staging", "prod").
	Environment string
	// ClusterName is the full EKS cluster name ("eks-platform-dev"): the autoscaler's discovery
	// tags, the load balancer controller's ownership tag and the backup bucket name contain it.
	ClusterName string
	// Region is the stack's AWS region, given to every controller explicitly: the nodes' IMDS hop
	// limit is 1, so pods cannot discover it.
	Region string
	// KubernetesVersion is the cluster's minor version ("1.33"): it pins the Pod Security labels
	// of the namespaces created here and selects the cluster-autoscaler release.
	KubernetesVersion string
	// VpcId is given to the load balancer controller, which would otherwise ask IMDS.
	VpcId pulumi.StringInput
	// RoleArns maps security.RoleClusterAutoscaler, security.RoleLoadBalancerController and
	// security.RoleExternalSecrets to the IRSA role ARNs (security.WorkloadRoles.RoleArns).
	RoleArns map[string]pulumi.StringInput
	// OidcProviderArn and OidcProviderUrl identify the cluster's IAM OIDC provider, for the
	// Velero role.
	OidcProviderArn pulumi.StringInput
	OidcProviderUrl pulumi.StringInput
	// DataKmsKeyArn is the data key (S1, issue 22): it encrypts the backup bucket and the default
	// storage class's volumes, and Velero and the backup replication may use it.
	DataKmsKeyArn pulumi.StringInput
	// PermissionsBoundaryArn, when set, is applied to the Velero role.
	PermissionsBoundaryArn string
	// Protect keeps the backup bucket when the stack is destroyed (prod).
	Protect bool
	// HighAvailability runs two replicas and a PodDisruptionBudget per controller (staging, prod).
	HighAvailability bool
	// Charts pins every chart, keyed by ChartClusterAutoscaler, ChartAwsLoadBalancerController,
	// ChartExternalSecrets, ChartMetricsServer and ChartVelero.
	Charts map[string]Chart
	// PreferredNodeGroupNames are the EKS names or name prefixes of the cheapest node groups (the spot app group),
	// which the cluster autoscaler grows before any other. Nil means no preference (least-waste).
	PreferredNodeGroupNames pulumi.StringArrayInput
	// ScaleDownUnneededTime ("10m") and ScaleDownUtilizationThreshold ("0.5") tune when the
	// cluster autoscaler removes a node.
	ScaleDownUnneededTime         string
	ScaleDownUtilizationThreshold string
	// WorkloadNamespaces are backed up daily and are the only namespaces that may use the
	// ClusterSecretStore.
	WorkloadNamespaces []string
	// ClusterAutoscalerImageTag is the autoscaler release of the cluster's minor ("v1.35.1"),
	// from the version catalogue (L1).
	ClusterAutoscalerImageTag string
	// VeleroAwsPluginImage pins the Velero AWS plugin image by tag or digest.
	VeleroAwsPluginImage string
	// BackupSchedule is the cron expression (UTC) of the daily backup.
	BackupSchedule string
	// BackupRetentionDays is both the backups' Velero TTL and the bucket's lifecycle expiry.
	BackupRetentionDays int
	// BackupObjectLockDays, above 0, locks every backup object version in COMPLIANCE mode for that
	// many days (prod, issue 22); at most BackupRetentionDays.
	BackupObjectLockDays int
	// AccessLogRetentionDays is how long the backup bucket's S3 access logs are kept.
	AccessLogRetentionDays int
	// BackupCopy, when set, copies every backup to another region (issue 22).
	BackupCopy *BackupCopy
	// Labels are the cost-allocation labels of the namespaces created here (AWS default tags do
	// not reach Kubernetes objects).
	Labels map[string]string
	// LoadBalancerTags are the cost tags the load balancer controller puts on what it creates
	// (default tags do not reach it, C5), with ManagedBy naming the controller.
	LoadBalancerTags map[string]string
	// DependsOn lists the node groups and the add-ons the controllers need (CNI, CoreDNS, EBS
	// CSI): a release waits for its pods to become ready, which needs nodes, so without these a
	// first `pulumi up` would time out.
	DependsOn []pulumi.Resource
	// SnapshotCRDs is the resource that installs the VolumeSnapshot CRDs: the snapshot-controller
	// add-on (cluster.SnapshotControllerAddon) or the add-on phase that holds it. The
	// VolumeSnapshotClass waits for it, since the API server refuses objects of an unknown kind.
	SnapshotCRDs pulumi.Resource
}

// Platform is the component; its outputs are the X1 exports of this concern.
type Platform struct {
	pulumi.ResourceState

	// BackupBucketName is the Velero bucket ("velero-<cluster>-<account>").
	BackupBucketName pulumi.StringOutput
	// BackupCopyBucketName is its copy in the copy region ("vcopy-<cluster>-<account>"), and
	// BackupReplicationRuleID the replication rule's ID; both empty without a copy region. The
	// replication alarm reads S3's metrics by these three.
	BackupCopyBucketName    pulumi.StringOutput
	BackupReplicationRuleID string
	// VeleroRoleArn is the IRSA role of velero/velero-server.
	VeleroRoleArn pulumi.StringOutput
	// ReleaseStatuses maps each Helm release name to its status ("deployed").
	ReleaseStatuses pulumi.StringMapOutput
	// ClusterSecretStoreName is the store ExternalSecrets in workload namespaces refer to.
	ClusterSecretStoreName pulumi.StringOutput
	// LoadBalancerController is the aws-load-balancer-controller release. Its webhook refuses new
	// Services until its pods run, so whatever creates Services depends on it.
	LoadBalancerController pulumi.Resource
}

// New installs the controllers, the ClusterSecretStore and Velero with its bucket, role and
// VolumeSnapshotClass. The Kubernetes and AWS providers arrive through opts (pulumi.Providers) and
// are inherited.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Platform, error) {
	if err := validate(args); err != nil {
		return nil, err
	}
	comp := &Platform{}
	if err := ctx.RegisterComponentResource(componentType, name, comp, opts...); err != nil {
		return nil, err
	}

	releases, err := newControllers(ctx, comp, args)
	if err != nil {
		return nil, err
	}
	if _, err := newStorageClass(ctx, comp, args); err != nil {
		return nil, err
	}
	store, err := newClusterSecretStore(ctx, comp, args, releases[releaseExternalSecrets])
	if err != nil {
		return nil, err
	}
	backups, err := newBackups(ctx, comp, args, releases[releaseLoadBalancerController])
	if err != nil {
		return nil, err
	}
	releases[releaseVelero] = backups.release

	statuses := pulumi.StringMap{}
	for releaseName, release := range releases {
		statuses[releaseName] = release.Status.Status()
	}
	comp.BackupBucketName = backups.bucket.Bucket
	comp.BackupCopyBucketName = pulumi.String("").ToStringOutput()
	if backups.copy != nil {
		comp.BackupCopyBucketName = backups.copy.bucketName
		comp.BackupReplicationRuleID = replicationRuleID(args.BackupCopy.Region)
	}
	comp.VeleroRoleArn = backups.role.Arn
	comp.ReleaseStatuses = statuses.ToStringMapOutput()
	comp.ClusterSecretStoreName = store.Metadata.Name().Elem()
	comp.LoadBalancerController = releases[releaseLoadBalancerController]
	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"backupBucketName":       comp.BackupBucketName,
		"veleroRoleArn":          comp.VeleroRoleArn,
		"releaseStatuses":        comp.ReleaseStatuses,
		"clusterSecretStoreName": comp.ClusterSecretStoreName,
	})
}

// newNamespace creates a namespace for a controller with the cost labels and Pod Security labels
// enforcing restricted: every chart installed into one is configured to meet it (S4).
func newNamespace(ctx *pulumi.Context, comp *Platform, args *Args, namespaceName string) (*corev1.Namespace, error) {
	labels := pulumi.StringMap{}
	for key, value := range args.Labels {
		labels[key] = pulumi.String(value)
	}
	for key, value := range security.PodSecurityLabels(security.PodSecurityRestricted, args.KubernetesVersion) {
		labels[key] = pulumi.String(value)
	}
	return corev1.NewNamespace(ctx, naming.Name(namespaceName+"-namespace", args.Environment), &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(namespaceName), Labels: labels},
	}, pulumi.Parent(comp))
}

var (
	bucketSafeClusterName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	minorVersion          = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	awsAccountID          = regexp.MustCompile(`^[0-9]{12}$`)
)

// validate rejects missing or impossible Args with a message naming the field. Config validation
// happens earlier (C4); this guards against wiring mistakes in the composition root.
func validate(args *Args) error {
	if args == nil {
		return errors.New("platform: Args is nil")
	}
	missing := []struct {
		field  string
		absent bool
	}{
		{"Environment", args.Environment == ""},
		{"ClusterName", args.ClusterName == ""},
		{"Region", args.Region == ""},
		{"VpcId", args.VpcId == nil},
		{"OidcProviderArn", args.OidcProviderArn == nil},
		{"OidcProviderUrl", args.OidcProviderUrl == nil},
		{"DataKmsKeyArn", args.DataKmsKeyArn == nil},
		{"ScaleDownUnneededTime", args.ScaleDownUnneededTime == ""},
		{"ScaleDownUtilizationThreshold", args.ScaleDownUtilizationThreshold == ""},
		{"WorkloadNamespaces", len(args.WorkloadNamespaces) == 0},
		{"VeleroAwsPluginImage", args.VeleroAwsPluginImage == ""},
		{"BackupSchedule", args.BackupSchedule == ""},
		{"DependsOn", len(args.DependsOn) == 0},
		{"SnapshotCRDs", args.SnapshotCRDs == nil},
	}
	for _, m := range missing {
		if m.absent {
			return fmt.Errorf("platform: %s is required", m.field)
		}
	}
	for _, key := range []string{security.RoleClusterAutoscaler, security.RoleLoadBalancerController, security.RoleExternalSecrets} {
		if args.RoleArns[key] == nil {
			return fmt.Errorf("platform: RoleArns[%q] is required", key)
		}
	}
	for _, key := range chartKeys {
		if chart := args.Charts[key]; chart.Repository == "" || chart.Version == "" {
			return fmt.Errorf("platform: Charts[%q] needs a Repository and a Version", key)
		}
	}
	if !minorVersion.MatchString(args.KubernetesVersion) {
		return fmt.Errorf("platform: KubernetesVersion %q is not a minor version such as 1.35", args.KubernetesVersion)
	}
	// The autoscaler's minor must be the cluster's (config validation checks the same for users).
	if !strings.HasPrefix(args.ClusterAutoscalerImageTag, "v"+args.KubernetesVersion+".") {
		return fmt.Errorf("platform: ClusterAutoscalerImageTag %q is not a release of Kubernetes %s", args.ClusterAutoscalerImageTag, args.KubernetesVersion)
	}
	if args.BackupRetentionDays < 1 {
		return fmt.Errorf("platform: BackupRetentionDays = %d, want at least 1", args.BackupRetentionDays)
	}
	// S3 bucket names are lower-case DNS labels of at most 63 characters, and the bucket name
	// embeds the cluster name.
	if !bucketSafeClusterName.MatchString(args.ClusterName) {
		return fmt.Errorf("platform: ClusterName %q must be lower-case letters, digits and '-' to name the backup bucket", args.ClusterName)
	}
	if c := args.BackupCopy; c != nil {
		switch {
		case c.AccountID != "" && !awsAccountID.MatchString(c.AccountID):
			return fmt.Errorf("platform: BackupCopy.AccountID %q is not a 12-digit AWS account ID (empty: the stack's account)", c.AccountID)
		case c.AccountID == "" && len(c.KeyAdminRoleArns) == 0:
			return errors.New("platform: BackupCopy.KeyAdminRoleArns is empty: KMS refuses a key policy that locks out the role setting it")
		case c.AccountID == "" && c.Provider == nil:
			return errors.New("platform: BackupCopy.Provider is nil: a copy in the stack's account is made through the copy region's provider")
		}
	}
	if args.BackupObjectLockDays < 0 || args.BackupObjectLockDays > args.BackupRetentionDays {
		return fmt.Errorf("platform: BackupObjectLockDays = %d, want 0 to BackupRetentionDays (%d)", args.BackupObjectLockDays, args.BackupRetentionDays)
	}
	if args.AccessLogRetentionDays < 1 {
		return fmt.Errorf("platform: AccessLogRetentionDays = %d, want at least 1", args.AccessLogRetentionDays)
	}
	if length := len(backupBucketName(args.ClusterName, accountIDPlaceholder)); length > maxBucketNameLength {
		return fmt.Errorf("platform: backup bucket name for cluster %q would be %d characters, S3 allows %d",
			args.ClusterName, length, maxBucketNameLength)
	}
	return nil
}
