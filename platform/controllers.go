package platform

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/security"
)

// Cluster-autoscaler priority expander levels: the higher number wins among the groups that can
// fit the pending pods.
const (
	preferredGroupPriority = 50
	fallbackGroupPriority  = 10
)

// controller is one row of the controller table: the release and the role its service account
// assumes.
type controller struct {
	releaseSpec
	// roleKey is the key of Args.RoleArns whose ARN annotates the service account.
	roleKey string
	// settings are the chart's own values, beyond service account and placement.
	settings func(*Args) pulumi.Map
}

// controllers are the P1 controllers. The load balancer controller comes first: its chart
// registers a mutating webhook for every Service with failurePolicy Fail, so the other releases,
// which all create Services, are installed only once its pods answer.
var controllers = []controller{
	{
		releaseSpec: releaseSpec{
			name: releaseLoadBalancerController, chartKey: ChartAwsLoadBalancerController,
			chart: "aws-load-balancer-controller", namespace: security.NamespaceKubeSystem,
			serviceAccount: &serviceAccount{path: []string{"serviceAccount"}, name: security.ServiceAccountLoadBalancerController},
			pods: []podGroup{{replicasKey: "replicaCount", budget: budgetAsSpec, priorityClass: systemPriorityClass,
				resources: computeResources{"100m", "128Mi", "500m", "512Mi"}}},
		},
		roleKey:  security.RoleLoadBalancerController,
		settings: loadBalancerControllerSettings,
	},
	{
		releaseSpec: releaseSpec{
			name: releaseClusterAutoscaler, chartKey: ChartClusterAutoscaler,
			chart: "cluster-autoscaler", namespace: security.NamespaceKubeSystem,
			serviceAccount: &serviceAccount{path: []string{"rbac", "serviceAccount"}, name: security.ServiceAccountClusterAutoscaler},
			pods: []podGroup{{replicasKey: "replicaCount", budget: budgetAsSpec, priorityClass: systemPriorityClass,
				resources: computeResources{"100m", "300Mi", "500m", "600Mi"}}},
		},
		roleKey:  security.RoleClusterAutoscaler,
		settings: clusterAutoscalerSettings,
	},
	{
		releaseSpec: releaseSpec{
			name: releaseExternalSecrets, chartKey: ChartExternalSecrets,
			chart: "external-secrets", namespace: security.NamespaceExternalSecrets, ownNamespace: true,
			serviceAccount: &serviceAccount{path: []string{"serviceAccount"}, name: security.ServiceAccountExternalSecrets},
			pods: []podGroup{
				{replicasKey: "replicaCount", budget: budgetToggled, priorityClass: systemPriorityClass,
					resources: computeResources{"50m", "128Mi", "500m", "512Mi"}},
				// The admission webhook validates every ExternalSecret and store: it serves traffic.
				{path: []string{"webhook"}, replicasKey: "replicaCount", budget: budgetToggled, priorityClass: systemPriorityClass,
					resources: computeResources{"50m", "64Mi", "200m", "256Mi"}},
				// The cert controller serves no traffic: it rotates the webhook certificate and
				// injects it into the CRDs, so P1's two replicas do not apply and a restart only
				// delays a rotation. (Since chart 2.x it also takes leaderElect; 0.17 ran it
				// without leader election.)
				{path: []string{"certController"}, replicasKey: "replicaCount", singleton: true, priorityClass: systemPriorityClass,
					resources: computeResources{"50m", "64Mi", "200m", "256Mi"}},
			},
		},
		roleKey:  security.RoleExternalSecrets,
		settings: externalSecretsSettings,
	},
	{
		releaseSpec: releaseSpec{
			name: releaseMetricsServer, chartKey: ChartMetricsServer,
			chart: "metrics-server", namespace: security.NamespaceKubeSystem,
			// It serves the metrics.k8s.io API that HPAs and `kubectl top` call.
			pods: []podGroup{{replicasKey: "replicas", budget: budgetToggled, priorityClass: systemPriorityClass,
				resources: computeResources{"100m", "200Mi", "500m", "400Mi"}}},
		},
		settings: func(*Args) pulumi.Map { return pulumi.Map{} }, // the chart's defaults suit EKS
	},
}

// HelmReleaseNamespaces are the namespaces the platform's Helm releases live in, sorted. Helm
// keeps each release's state as Secrets there (its default storage driver), so whoever refreshes
// a release, such as the preview role, must read Secrets in these namespaces.
func HelmReleaseNamespaces() []string {
	seen := map[string]bool{veleroRelease.namespace: true}
	for _, c := range controllers {
		seen[c.namespace] = true
	}
	namespaces := make([]string, 0, len(seen))
	for ns := range seen {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)
	return namespaces
}

// newControllers installs every controller of the table, each after the node groups and add-ons
// in Args.DependsOn and every one but the first after the load balancer controller. The result
// is keyed by release name.
func newControllers(ctx *pulumi.Context, comp *Platform, args *Args) (map[string]*helmv3.Release, error) {
	releases := map[string]*helmv3.Release{}
	for _, c := range controllers {
		dependsOn := append([]pulumi.Resource{}, args.DependsOn...)
		if webhook, installed := releases[releaseLoadBalancerController]; installed {
			dependsOn = append(dependsOn, webhook)
		}
		release, err := installRelease(ctx, comp, args, c.releaseSpec, c.settings(args), args.RoleArns[c.roleKey], dependsOn)
		if err != nil {
			return nil, err
		}
		releases[c.name] = release
	}
	return releases, nil
}

// loadBalancerControllerSettings name the cluster, region and VPC explicitly: the nodes' IMDS hop
// limit of 1 keeps pods from looking them up. The controller tags what it creates with the
// cluster name, which the IRSA policy's tag conditions require (S3), and with the cost tags:
// provider default tags do not reach the load balancers and security groups it creates (C5).
func loadBalancerControllerSettings(args *Args) pulumi.Map {
	return pulumi.Map{
		"clusterName": pulumi.String(args.ClusterName),
		"region":      pulumi.String(args.Region),
		"vpcId":       args.VpcId,
		"defaultTags": pulumi.ToStringMap(args.LoadBalancerTags),
		// The chart runs as non-root without escalation already; the restricted standard also
		// asks for dropped capabilities and a seccomp profile (issue 22). The controller binds
		// 9443 and 8080, so it needs no capability. fsGroup is the chart's own default.
		"podSecurityContext": restrictedPod(pulumi.Map{"fsGroup": pulumi.Int(nobodyUID)}),
		"securityContext":    withEntries(restrictedContainer(), pulumi.Map{"runAsNonRoot": pulumi.Bool(true)}),
	}
}

// nobodyUID is the nobody user; the cluster-autoscaler chart suggests it for its distroless image,
// and the load balancer controller's chart uses it as fsGroup.
const nobodyUID = 65534

// restrictedPod is a pod securityContext that meets the restricted Pod Security Standard at pod
// level (RuntimeDefault seccomp), plus the given fields.
func restrictedPod(extra pulumi.Map) pulumi.Map {
	return withEntries(pulumi.Map{"seccompProfile": pulumi.Map{"type": pulumi.String("RuntimeDefault")}}, extra)
}

// restrictedContainer is a container securityContext that meets the restricted Pod Security
// Standard at container level: no privilege escalation, every capability dropped, and a
// read-only root file system.
func restrictedContainer() pulumi.Map {
	return pulumi.Map{
		"allowPrivilegeEscalation": pulumi.Bool(false),
		"readOnlyRootFilesystem":   pulumi.Bool(true),
		"capabilities":             pulumi.Map{"drop": pulumi.StringArray{pulumi.String("ALL")}},
	}
}

func withEntries(m, extra pulumi.Map) pulumi.Map {
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// clusterAutoscalerSettings discover the node groups by the cluster's tags (which the nodegroups
// package sets), balance similar groups across zones, and grow the preferred (spot) groups first.
func clusterAutoscalerSettings(args *Args) pulumi.Map {
	extraArgs := pulumi.Map{
		"balance-similar-node-groups":      pulumi.Bool(true),
		"scale-down-unneeded-time":         pulumi.String(args.ScaleDownUnneededTime),
		"scale-down-utilization-threshold": pulumi.String(args.ScaleDownUtilizationThreshold),
		// Nodes running kube-system pods (CoreDNS, the controllers there) are never drained to
		// save a node; DaemonSet pods do not count, so app nodes still scale down.
		"skip-nodes-with-system-pods": pulumi.Bool(true),
		"expander":                    pulumi.String("least-waste"),
	}
	settings := pulumi.Map{
		// "cluster-autoscaler" instead of the chart's "<release>-aws-cluster-autoscaler".
		"fullnameOverride": pulumi.String(releaseClusterAutoscaler),
		"cloudProvider":    pulumi.String("aws"),
		"awsRegion":        pulumi.String(args.Region),
		// The chart's default discovery tags are k8s.io/cluster-autoscaler/enabled and
		// k8s.io/cluster-autoscaler/<clusterName>, the tags every node group carries.
		"autoDiscovery": pulumi.Map{"clusterName": pulumi.String(args.ClusterName)},
		// The autoscaler simulates the scheduler of its own Kubernetes minor version, so its
		// minor must match the cluster's; the chart's default image follows the chart instead.
		"image":     pulumi.Map{"tag": pulumi.String(args.ClusterAutoscalerImageTag)},
		"extraArgs": extraArgs,
		// The chart sets no securityContext; these are the values its own comments suggest, and
		// they meet the restricted Pod Security Standard (issue 22).
		"securityContext": restrictedPod(pulumi.Map{
			"runAsNonRoot": pulumi.Bool(true),
			"runAsUser":    pulumi.Int(nobodyUID),
			"runAsGroup":   pulumi.Int(nobodyUID),
		}),
		"containerSecurityContext": restrictedContainer(),
	}
	if args.PreferredNodeGroupNames != nil {
		// Priority picks the cheapest group that fits; least-waste breaks ties within a level.
		extraArgs["expander"] = pulumi.String("priority,least-waste")
		settings["expanderPriorities"] = args.PreferredNodeGroupNames.ToStringArrayOutput().
			ApplyT(expanderPriorities).(pulumi.StringArrayMapOutput)
	}
	return settings
}

// expanderPriorities is the priority expander's configuration: the preferred node groups' Auto
// Scaling groups, which EKS names "eks-<node group name>-<uuid>", above every other group. Each
// entry is a node group name ("app-nodes-dev") or name prefix ("app-nodes-dev-", which stays the
// same when the group is replaced under a new name); both match "eks-app-nodes-dev-...".
func expanderPriorities(preferredNodeGroupNames []string) map[string][]string {
	priorities := map[string][]string{strconv.Itoa(fallbackGroupPriority): {".*"}}
	var preferred []string
	for _, name := range preferredNodeGroupNames {
		preferred = append(preferred, "^eks-"+regexp.QuoteMeta(strings.TrimSuffix(name, "-"))+"-")
	}
	if len(preferred) > 0 {
		priorities[strconv.Itoa(preferredGroupPriority)] = preferred
	}
	return priorities
}

// externalSecretsSettings install the CRDs with the release, so the ClusterSecretStore can follow
// it, and turn on leader election when two controller replicas run, or both would reconcile
// every ExternalSecret.
func externalSecretsSettings(args *Args) pulumi.Map {
	return pulumi.Map{
		"installCRDs": pulumi.Bool(true),
		"leaderElect": pulumi.Bool(args.HighAvailability),
	}
}
