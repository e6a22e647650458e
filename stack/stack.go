// Package stack is the composition root: it loads the validated configuration once and wires the
// concern packages together in the order AWS and Kubernetes need:
//
//	security (KMS keys by duty) → network → cluster → IRSA roles → CNI and kube-proxy add-ons
//	  → node groups → CoreDNS, EBS CSI and snapshot-controller add-ons → namespaces and guardrails
//	  → platform controllers and backups → observability
//
// It holds no resource logic of its own beyond the two providers. Dependencies always name concrete
// resources (the Addons' Resources(), the node groups, a release): the Go SDK expands a local
// component into the children registered so far, which would make the order a race.
package stack

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/cluster"
	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/network"
	"github.com/acme/eks-platform/nodegroups"
	"github.com/acme/eks-platform/observability"
	"github.com/acme/eks-platform/platform"
	"github.com/acme/eks-platform/security"
)

// RunDayVariable names the environment variable that makes the program judge the Kubernetes
// lifecycle on a fixed day (YYYY-MM-DD) instead of the clock. Only the no-cloud engine check sets
// it, so that CI proves the engine the same way after the catalogue's dates pass; the offline
// tests judge the calendar on pinned days, and scripts/stack.sh refuses it for real deployments.
const RunDayVariable = "EKS_PLATFORM_TODAY"

// Program is the whole Pulumi program; main.go hands it to pulumi.Run. It judges the Kubernetes
// version by the day it runs on (L2).
func Program(ctx *pulumi.Context) error {
	today := time.Now()
	if day, ok := os.LookupEnv(RunDayVariable); ok {
		parsed, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return fmt.Errorf("%s=%q: must be a day YYYY-MM-DD", RunDayVariable, day)
		}
		today = parsed
	}
	// The configured keys, read where the Go SDK reads the values (PULUMI_CONFIG), so that a key
	// nothing reads is refused on preview and up, not only in the offline plan (issue 18).
	keys, err := config.Configured(os.Getenv(pulumi.EnvConfig))
	if err != nil {
		return err
	}
	outputs, err := OutputsOn(today, keys)(ctx)
	if err != nil {
		return err
	}
	for key, value := range outputs {
		ctx.Export(key, value)
	}
	return nil
}

// OutputsOn returns the program as it runs on the day today with the configured keys: it loads
// and validates the configuration, shows the lifecycle warnings of that day in the engine's diagnostics, then
// builds the stack and returns its outputs. Invalid configuration returns before any resource is
// registered (C4). Tests and the offline plan pass the day they pin.
func OutputsOn(today time.Time, keys []string) func(ctx *pulumi.Context) (pulumi.Map, error) {
	return func(ctx *pulumi.Context) (pulumi.Map, error) {
		cfg, err := config.Load(ctx, keys, today)
		if err != nil {
			return nil, err
		}
		for _, warning := range cfg.Warnings {
			if err := ctx.Log.Warn(warning, nil); err != nil {
				return nil, err
			}
		}
		return Build(ctx, cfg)
	}
}

// Build registers every resource of the stack described by cfg and returns the stack outputs
// (X1; the names are documented in README "Outputs").
func Build(ctx *pulumi.Context, cfg *config.Config) (pulumi.Map, error) {
	name := func(base string) string { return naming.Name(base, cfg.Suffix) }

	// One explicit AWS provider carries the region and the cost-allocation tags as default tags,
	// so every taggable AWS resource gets them without each package repeating them (C5). It
	// refuses credentials of any account but the stack's own (issue 18): the AWS provider checks
	// allowedAccountIds against sts:GetCallerIdentity when it is configured, before any resource.
	awsProvider, err := newAWSProvider(ctx, name("aws"), cfg, cfg.Region)
	if err != nil {
		return nil, err
	}
	withAWS := pulumi.Providers(awsProvider)

	encryption, err := security.NewEncryption(ctx, name("encryption"), &security.EncryptionArgs{
		Environment:                        cfg.Suffix,
		DeletionWindowDays:                 cfg.Security.KmsDeletionWindowDays,
		Protect:                            cfg.Protect,
		CreateAutoScalingServiceLinkedRole: cfg.Security.CreateAutoScalingServiceLinkedRole,
		KeyAdminRoleArns:                   cfg.Security.KeyAdminRoleArns,
	}, withAWS)
	if err != nil {
		return nil, err
	}

	vpc, err := network.New(ctx, name("network"), &network.Args{
		Environment:              cfg.Suffix,
		ClusterName:              cfg.ClusterName,
		Region:                   cfg.Region,
		VpcCidr:                  cfg.Network.VpcCidr,
		AzCount:                  cfg.Network.AzCount,
		PublicSubnetCidrs:        cfg.Network.PublicSubnetCidrs,
		PrivateSubnetCidrs:       cfg.Network.PrivateSubnetCidrs,
		NatGatewayCount:          cfg.Network.NatGatewayCount,
		InterfaceEndpoints:       cfg.Network.InterfaceEndpoints,
		InterfaceEndpointAzCount: cfg.Network.InterfaceEndpointAzCount,
		DeployerTransitGatewayID: cfg.Network.Deployer.TransitGatewayID,
		DeployerRoutedCidrs:      deployerRoutes(cfg.Network),
		FlowLogRetentionDays:     cfg.LogRetentionDays,
		LogKmsKeyArn:             encryption.KeyArns[security.DutyLogs],
		PermissionsBoundaryArn:   cfg.Security.PermissionsBoundaryArn,
		Protect:                  cfg.Protect,
	}, withAWS)
	if err != nil {
		return nil, err
	}

	eks, err := cluster.New(ctx, name("cluster"), &cluster.Args{
		Environment:          cfg.Suffix,
		ClusterName:          cfg.ClusterName,
		KubernetesVersion:    cfg.Cluster.KubernetesVersion,
		Region:               cfg.Region,
		VpcId:                vpc.VpcId,
		PrivateSubnetIds:     vpc.PrivateSubnetIds,
		PublicSubnetIds:      vpc.PublicSubnetIds,
		SecretsKmsKeyArn:     encryption.KeyArns[security.DutySecrets],
		LogKmsKeyArn:         encryption.KeyArns[security.DutyLogs],
		EndpointPublicAccess: cfg.Cluster.EndpointPublicAccess,
		PublicAccessCidrs:    cfg.Cluster.PublicAccessCidrs,
		Access:               accessGrants(cfg.Cluster.Access),
		// The deployer's networks open 443 on the API's security group like any other private
		// access network, and nothing wider (issue 19).
		PrivateAccessCidrs:     append(slices.Clone(cfg.Cluster.PrivateAccessCidrs), cfg.Network.Deployer.Cidrs...),
		DeployerPath:           vpc.DeployerPath,
		PermissionsBoundaryArn: cfg.Security.PermissionsBoundaryArn,
		LogRetentionDays:       cfg.LogRetentionDays,
		Protect:                cfg.Protect,
		UpgradeSupportType:     cfg.Cluster.UpgradeSupportType,
		ZonalShift:             cfg.Cluster.ZonalShift,
		Tags:                   cfg.Tags,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	// Everything that creates Kubernetes objects gets this one provider, bound to this cluster (K4).
	withAWSAndKubernetes := pulumi.Providers(awsProvider, eks.Provider)

	roles, err := security.NewWorkloadRoles(ctx, name("workload-roles"), &security.WorkloadRolesArgs{
		Environment:            cfg.Suffix,
		ClusterName:            cfg.ClusterName,
		OidcProviderArn:        eks.OidcProviderArn,
		OidcProviderUrl:        eks.OidcProviderUrl,
		SecretsKmsKeyArn:       encryption.KeyArns[security.DutySecrets],
		VolumeKmsKeyArn:        encryption.KeyArns[security.DutyData],
		PermissionsBoundaryArn: cfg.Security.PermissionsBoundaryArn,
		SecretsPrefix:          cfg.ClusterName + "/",
	}, withAWS)
	if err != nil {
		return nil, err
	}

	// Nodes become Ready only with a CNI, and the CNI's permissions live on its IRSA role, not
	// the node role (K3, G3): so vpc-cni and kube-proxy come before the node groups.
	versions := cfg.Cluster.AddonVersions
	networkAddons, err := cluster.NewAddons(ctx, name("network-addons"), &cluster.AddonsArgs{
		Environment: cfg.Suffix,
		ClusterName: eks.ClusterName,
		Addons: []cluster.AddonSpec{
			cluster.VpcCniAddon(versions.VpcCni, roles.RoleArns[security.RoleVPCCNI]),
			cluster.KubeProxyAddon(versions.KubeProxy),
		},
	}, withAWS)
	if err != nil {
		return nil, err
	}

	nodes, err := nodegroups.New(ctx, name("nodegroups"), &nodegroups.Args{
		Environment:            cfg.Suffix,
		ClusterName:            cfg.ClusterName,
		Cluster:                eks.EksCluster,
		WaitFor:                networkAddons.Resources(),
		KubernetesVersion:      cfg.Cluster.KubernetesVersion,
		PrivateSubnetIds:       vpc.PrivateSubnetIds,
		ClusterSecurityGroupId: eks.ClusterSecurityGroupId,
		VolumeKmsKeyArn:        encryption.KeyArns[security.DutyData],
		Tags:                   cfg.Tags,
		PermissionsBoundaryArn: cfg.Security.PermissionsBoundaryArn,
		Groups:                 nodeGroupSpecs(cfg.NodeGroups),
	}, withAWS)
	if err != nil {
		return nil, err
	}

	// CoreDNS and the EBS CSI controller are Deployments: without nodes their add-ons stay
	// DEGRADED and `pulumi up` times out, so they wait for the node groups (K3).
	workloadAddons, err := cluster.NewAddons(ctx, name("workload-addons"), &cluster.AddonsArgs{
		Environment: cfg.Suffix,
		ClusterName: eks.ClusterName,
		Addons: []cluster.AddonSpec{
			cluster.CoreDnsAddon(versions.CoreDNS),
			// The driver tags the volumes and snapshots it creates: default tags do not reach them
			// (C5). They are the driver's, not Pulumi's, and say so; the cluster tag lets a
			// destroy find what this cluster left behind (issue 14).
			cluster.EbsCsiAddon(versions.EbsCsiDriver, roles.RoleArns[security.RoleEBSCSIDriver],
				cfg.ClusterName, cfg.TagsManagedBy("aws-ebs-csi-driver")),
			cluster.SnapshotControllerAddon(versions.SnapshotController),
		},
	}, withAWS, pulumi.DependsOn(nodes.NodeGroups))
	if err != nil {
		return nil, err
	}

	w := cfg.Workloads
	baseline, err := security.NewBaseline(ctx, name("workload-namespaces"), &security.BaselineArgs{
		Environment:       cfg.Suffix,
		Namespaces:        w.Namespaces,
		EnforceLevel:      w.PodSecurityEnforce,
		KubernetesVersion: cfg.Cluster.KubernetesVersion,
		Quota: security.QuotaSpec{
			RequestsCPU: w.QuotaCPU, LimitsCPU: w.QuotaCPU,
			RequestsMemory: w.QuotaMemory, LimitsMemory: w.QuotaMemory,
			Pods: w.QuotaPods,
		},
		Limits: security.LimitSpec{
			DefaultRequestCPU: w.DefaultCPURequest, DefaultRequestMemory: w.DefaultMemoryRequest,
			DefaultLimitCPU: w.DefaultCPULimit, DefaultLimitMemory: w.DefaultMemoryLimit,
		},
		Labels: cfg.Tags,
		// The default-deny policies are enforced only by vpc-cni's network policy agent (S5, K3).
	}, withAWSAndKubernetes, pulumi.DependsOn(networkAddons.Resources()))
	if err != nil {
		return nil, err
	}

	// Controllers and backups need the system nodes, DNS and the CSI driver, so a first
	// `pulumi up` converges without retries (P1, P3).
	controllerRoles := map[string]pulumi.StringInput{}
	for key, arn := range roles.RoleArns {
		controllerRoles[key] = arn
	}
	charts := map[string]platform.Chart{}
	for key, chart := range cfg.Platform.Charts {
		charts[key] = platform.Chart{Repository: chart.Repository, Version: chart.Version}
	}
	// The backup copy lives in another region. In the stack's account its resources get a
	// provider of their own, with the same account guard and default tags; in a backup account
	// the stack makes nothing (that account's bootstrap does) and needs no provider (issue 22).
	var backupCopy *platform.BackupCopy
	if region := cfg.Platform.BackupCopyRegion; region != "" {
		backupCopy = &platform.BackupCopy{Region: region, AccountID: cfg.Platform.BackupCopyAccountID}
		if backupCopy.AccountID == "" {
			copyProvider, err := newAWSProvider(ctx, name("aws-backup-copy"), cfg, region)
			if err != nil {
				return nil, err
			}
			backupCopy.Provider = copyProvider
			backupCopy.KeyDeletionWindowDays, backupCopy.KeyAdminRoleArns = cfg.Security.KmsDeletionWindowDays, cfg.Security.KeyAdminRoleArns
		}
	}
	p := cfg.Platform
	controllers, err := platform.New(ctx, name("platform"), &platform.Args{
		Environment:            cfg.Suffix,
		ClusterName:            cfg.ClusterName,
		Region:                 cfg.Region,
		KubernetesVersion:      cfg.Cluster.KubernetesVersion,
		VpcId:                  vpc.VpcId,
		RoleArns:               controllerRoles,
		OidcProviderArn:        eks.OidcProviderArn,
		OidcProviderUrl:        eks.OidcProviderUrl,
		DataKmsKeyArn:          encryption.KeyArns[security.DutyData],
		PermissionsBoundaryArn: cfg.Security.PermissionsBoundaryArn,
		Protect:                cfg.Protect,
		HighAvailability:       p.HighAvailability,
		Charts:                 charts,
		// The autoscaler's priority expander prefers the spot-capable app group (cheaper).
		PreferredNodeGroupNames:       pulumi.ToStringArray([]string{nodes.NodeGroupNamePrefixes["app"]}),
		ScaleDownUnneededTime:         p.ScaleDownUnneededTime,
		ScaleDownUtilizationThreshold: p.ScaleDownUtilizationThreshold,
		WorkloadNamespaces:            w.Namespaces,
		ClusterAutoscalerImageTag:     p.ClusterAutoscalerImageTag,
		VeleroAwsPluginImage:          p.VeleroAwsPluginImage,
		BackupSchedule:                p.BackupSchedule,
		BackupRetentionDays:           p.BackupRetentionDays,
		BackupObjectLockDays:          p.BackupObjectLockDays,
		AccessLogRetentionDays:        cfg.LogRetentionDays,
		BackupCopy:                    backupCopy,
		Labels:                        cfg.Tags,
		LoadBalancerTags:              cfg.TagsManagedBy("aws-load-balancer-controller"),
		SnapshotCRDs:                  workloadAddons.ByName["snapshot-controller"],
		DependsOn:                     append(append([]pulumi.Resource{}, nodes.NodeGroups...), workloadAddons.Resources()...),
	}, withAWSAndKubernetes)
	if err != nil {
		return nil, err
	}

	o := cfg.Observability
	monitoring, err := observability.New(ctx, name("observability"), &observability.Args{
		Environment:                   cfg.Suffix,
		ClusterName:                   cfg.ClusterName,
		Region:                        cfg.Region,
		KubernetesVersion:             cfg.Cluster.KubernetesVersion,
		LogsKmsKeyArn:                 encryption.KeyArns[security.DutyLogs],
		LogRetentionDays:              cfg.LogRetentionDays,
		Protect:                       cfg.Protect,
		CloudWatchAgentRoleArn:        roles.RoleArns[security.RoleCloudWatchAgent],
		FluentBitRoleArn:              roles.RoleArns[security.RoleFluentBit],
		ContainerInsightsAddonVersion: versions.CloudWatchObservability,
		FluentBitImage:                o.FluentBitImage,
		NatGatewayIds:                 vpc.NatGatewayIds,
		NatGatewayCount:               cfg.Network.NatGatewayCount,
		MinReadyNodes:                 cfg.NodeGroups.MinReadyNodes(),
		NodeCpuAlarmPercent:           o.NodeCpuAlarmPercent,
		NodeMemoryAlarmPercent:        o.NodeMemoryAlarmPercent,
		PodRestartAlarmThreshold:      o.PodRestartAlarmThreshold,
		AlarmEmail:                    o.AlarmEmail,
		AlarmHttpsEndpoints:           o.AlarmHttpsEndpoints,
		ControlPlaneLogGroupName:      eks.ControlPlaneLogGroupName,
		BackupReplication:             backupReplication(controllers),
		BreakGlassRoleArn:             cfg.Cluster.Access.BreakGlassRoleArn,
		// The load balancer controller's webhook refuses Services until its pods run, and the
		// Container Insights add-on creates Services: so observability comes after the platform.
		DependsOn: append(append(append([]pulumi.Resource{}, nodes.NodeGroups...), workloadAddons.Resources()...),
			controllers.LoadBalancerController),
	}, withAWSAndKubernetes)
	if err != nil {
		return nil, err
	}

	endpointIds := vpc.InterfaceEndpointIds.ApplyT(func(ids map[string]string) map[string]string {
		all := map[string]string{}
		for svc, id := range ids {
			all[svc] = id
		}
		return all
	}).(pulumi.StringMapOutput)
	endpointIds = pulumi.All(endpointIds, vpc.S3EndpointId).ApplyT(func(v []any) map[string]string {
		ids := v[0].(map[string]string)
		ids["s3"] = v[1].(string)
		return ids
	}).(pulumi.StringMapOutput)
	logGroups := pulumi.All(monitoring.LogGroupNames, eks.ControlPlaneLogGroupName, vpc.FlowLogGroupName).
		ApplyT(func(v []any) map[string]string {
			names := map[string]string{"controlPlane": v[1].(string), "flowLogs": v[2].(string)}
			for k, n := range v[0].(map[string]string) {
				names[k] = n
			}
			return names
		}).(pulumi.StringMapOutput)

	return pulumi.Map{
		"environment":                pulumi.String(cfg.Environment),
		"region":                     pulumi.String(cfg.Region),
		"clusterName":                eks.ClusterName,
		"clusterEndpoint":            eks.Endpoint,
		"clusterArn":                 eks.Arn,
		"clusterVersion":             pulumi.String(cfg.Cluster.KubernetesVersion),
		"oidcProviderArn":            eks.OidcProviderArn,
		"oidcProviderUrl":            eks.OidcProviderUrl,
		"kubeconfig":                 pulumi.ToSecret(eks.Kubeconfig),
		"updateKubeconfigCommand":    eks.UpdateKubeconfigCommand,
		"vpcId":                      vpc.VpcId,
		"vpcCidr":                    vpc.VpcCidr,
		"availabilityZones":          vpc.AvailabilityZones,
		"publicSubnetIds":            vpc.PublicSubnetIds,
		"privateSubnetIds":           vpc.PrivateSubnetIds,
		"natGatewayIds":              vpc.NatGatewayIds,
		"deployerAttachmentId":       vpc.DeployerAttachmentId,
		"vpcEndpointIds":             endpointIds,
		"vpcEndpointSecurityGroupId": vpc.EndpointSecurityGroupId,
		"clusterSecurityGroupId":     eks.ClusterSecurityGroupId,
		"apiSecurityGroupId":         eks.ApiSecurityGroupId,
		// Nodes carry exactly the EKS cluster security group (G2), so it is also the node group.
		"nodeSecurityGroupId":      eks.ClusterSecurityGroupId,
		"kmsKeyArn":                encryption.KeyArns[security.DutySecrets],
		"logsKmsKeyArn":            encryption.KeyArns[security.DutyLogs],
		"dataKmsKeyArn":            encryption.KeyArns[security.DutyData],
		"kmsKeyAlias":              encryption.AliasNames[security.DutySecrets],
		"nodeGroupNames":           nodes.NodeGroupNames,
		"nodeGroupArns":            nodes.NodeGroupArns,
		"launchTemplateIds":        nodes.LaunchTemplateIds,
		"nodeRoleArn":              nodes.NodeRoleArn,
		"irsaRoleArns":             roles.RoleArnMap(),
		"logGroupNames":            logGroups,
		"fluentBitConfigParameter": monitoring.FluentBitConfigParameterName,
		"dashboardName":            monitoring.DashboardName,
		"alarmTopicArn":            monitoring.AlarmTopicArn,
		"workloadNamespaces":       baseline.NamespaceNames,
		"backupBucketName":         controllers.BackupBucketName,
		"veleroRoleArn":            controllers.VeleroRoleArn,
		"clusterSecretStore":       controllers.ClusterSecretStoreName,
	}, nil
}

// deployerRoutes are the deployer CIDRs the transit gateway carries: those outside the VPC, when a
// transit gateway is declared. Without one, a deployer outside the VPC comes through the public
// endpoint and needs no route (config validation, issue 19).
func deployerRoutes(n config.Network) []string {
	if n.Deployer.TransitGatewayID == "" {
		return nil
	}
	return n.Deployer.RoutedCidrs(n.VpcCidr)
}

// nodeGroupTraits is what makes each group what it is beyond its sizes: the AMI flavour and the
// taints. Everything else is the same shape (G1).
var nodeGroupTraits = map[string]struct {
	amiType string
	taints  []nodegroups.Taint
}{
	"system": {amiType: "BOTTLEROCKET_x86_64"},
	"app":    {amiType: "BOTTLEROCKET_x86_64"},
	// GPU nodes accept only pods that ask for them, so they can scale to zero when idle.
	"gpu": {amiType: "BOTTLEROCKET_x86_64_NVIDIA", taints: []nodegroups.Taint{
		{Key: "nvidia.com/gpu", Value: "true", Effect: "NO_SCHEDULE"},
	}},
}

func nodeGroupSpecs(n config.NodeGroups) []nodegroups.GroupSpec {
	specs := make([]nodegroups.GroupSpec, 0, len(n.Groups))
	for _, g := range n.Groups {
		traits := nodeGroupTraits[g.Name]
		specs = append(specs, nodegroups.GroupSpec{
			Name:                  g.Name,
			InstanceTypes:         g.InstanceTypes,
			CapacityType:          g.CapacityType,
			AmiType:               traits.amiType,
			MinSize:               g.MinSize,
			DesiredSize:           g.DesiredSize,
			MaxSize:               g.MaxSize,
			MaxUnavailablePercent: n.MaxUnavailablePercent,
			OsVolumeGiB:           n.OsVolumeGiB,
			DataVolumeGiB:         n.DataVolumeGiB,
			Taints:                traits.taints,
		})
	}
	return specs
}

// accessGrants turns the configured tiers into the cluster's access grants. The break-glass role
// is an admin to EKS; what sets it apart is the alarm on its use (observability).
func accessGrants(a config.Access) []cluster.AccessGrant {
	var grants []cluster.AccessGrant
	for _, tier := range []struct {
		tier cluster.AccessTier
		arns []string
	}{
		{cluster.Admin, a.AdminPrincipalArns},
		{cluster.SecretViewer, a.SecretViewerPrincipalArns},
		{cluster.Viewer, a.ViewerPrincipalArns},
	} {
		for _, arn := range tier.arns {
			grants = append(grants, cluster.AccessGrant{PrincipalArn: arn, Tier: tier.tier})
		}
	}
	if a.BreakGlassRoleArn != "" {
		grants = append(grants, cluster.AccessGrant{PrincipalArn: a.BreakGlassRoleArn, Tier: cluster.Admin})
	}
	// The preview role views the cluster, and reads Secrets only where Helm keeps the platform's
	// releases: refreshing a Helm release reads its release Secrets (issue 18).
	if a.PreviewRoleArn != "" {
		grants = append(grants,
			cluster.AccessGrant{PrincipalArn: a.PreviewRoleArn, Tier: cluster.Viewer},
			cluster.AccessGrant{PrincipalArn: a.PreviewRoleArn, Tier: cluster.SecretViewer, Namespaces: platform.HelmReleaseNamespaces()})
	}
	// One grant per principal, listing all its namespaces, in the order the stack file names them.
	editorNamespaces := map[string][]string{}
	var editors []string
	for _, e := range a.NamespaceEditors {
		if _, seen := editorNamespaces[e.PrincipalArn]; !seen {
			editors = append(editors, e.PrincipalArn)
		}
		editorNamespaces[e.PrincipalArn] = append(editorNamespaces[e.PrincipalArn], e.Namespace)
	}
	for _, arn := range editors {
		grants = append(grants, cluster.AccessGrant{PrincipalArn: arn, Tier: cluster.NamespaceEditor, Namespaces: editorNamespaces[arn]})
	}
	return grants
}

// newAWSProvider is an AWS provider for one region of the stack's account: it refuses credentials
// of any other account (allowedAccountIds, issue 18) and tags every taggable resource (C5).
func newAWSProvider(ctx *pulumi.Context, name string, cfg *config.Config, region string) (*aws.Provider, error) {
	return aws.NewProvider(ctx, name, &aws.ProviderArgs{
		Region:            pulumi.String(region),
		AllowedAccountIds: pulumi.StringArray{pulumi.String(cfg.AccountID)},
		DefaultTags:       &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)},
	})
}

// backupReplication is what the replication alarm watches, nil without a backup copy.
func backupReplication(p *platform.Platform) *observability.BackupReplication {
	if p.BackupReplicationRuleID == "" {
		return nil
	}
	return &observability.BackupReplication{
		SourceBucket: p.BackupBucketName, DestinationBucket: p.BackupCopyBucketName, RuleID: p.BackupReplicationRuleID,
	}
}
