package platform

import (
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/nodegroups"
)

// Helm release names. They are also the names `helm list -A` shows.
const (
	releaseClusterAutoscaler      = "cluster-autoscaler"
	releaseLoadBalancerController = "aws-load-balancer-controller"
	releaseExternalSecrets        = "external-secrets"
	releaseMetricsServer          = "metrics-server"
	releaseVelero                 = "velero"
)

const (
	// releaseTimeoutSeconds bounds one install or upgrade, including waiting for the pods to be
	// ready; past it, Atomic rolls the release back.
	releaseTimeoutSeconds = 600
	// releaseMaxHistory keeps enough revisions to roll back while bounding the release Secrets
	// Helm stores in the namespace.
	releaseMaxHistory = 10
	// roleArnAnnotation is what the EKS pod identity webhook reads to inject IRSA credentials.
	roleArnAnnotation = "eks.amazonaws.com/role-arn"
	// systemPriorityClass lets the scheduler preempt workload pods to place a controller the
	// cluster cannot run without.
	systemPriorityClass = "system-cluster-critical"
	// systemNodeGroup is the node group the controllers run on: on-demand, never scaled to zero,
	// so the autoscaler and the webhooks are not evicted by a spot interruption (G1).
	systemNodeGroup = "system"
	// haReplicas is the replica count of a controller when HighAvailability is set.
	haReplicas = 2
)

// computeResources are one container's requests and limits. Requests are what the controller
// needs at rest; limits bound a leak so it cannot starve the system nodes (P1).
type computeResources struct {
	requestCPU, requestMemory, limitCPU, limitMemory string
}

func (r computeResources) values() pulumi.Map {
	return pulumi.Map{
		"requests": pulumi.StringMap{"cpu": pulumi.String(r.requestCPU), "memory": pulumi.String(r.requestMemory)},
		"limits":   pulumi.StringMap{"cpu": pulumi.String(r.limitCPU), "memory": pulumi.String(r.limitMemory)},
	}
}

// disruptionBudgetStyle is how a chart turns its podDisruptionBudget value into a PDB.
type disruptionBudgetStyle int

const (
	// budgetAsSpec charts render the podDisruptionBudget map as the PDB's spec whenever it is set
	// (cluster-autoscaler, aws-load-balancer-controller).
	budgetAsSpec disruptionBudgetStyle = iota
	// budgetToggled charts render a PDB when podDisruptionBudget.enabled is true (external-secrets,
	// metrics-server).
	budgetToggled
)

// podGroup is one Deployment of a chart: where its settings live in the chart's values and what
// it needs.
type podGroup struct {
	// path is where the Deployment's settings sit in the chart's values; nil for the top level.
	path []string
	// replicasKey is the chart's name for the replica count ("replicaCount", "replicas"); empty
	// when the chart has none.
	replicasKey string
	// singleton groups run one replica whatever HighAvailability says, so have no PDB: they lack
	// leader election, and two copies would act twice.
	singleton     bool
	budget        disruptionBudgetStyle
	priorityClass string
	resources     computeResources
}

// values places the group on the system nodes with its resources and priority, and, when
// highAvailability is set and the group may run twice, two replicas and a PDB that keeps one
// running through node drains (P1).
func (g podGroup) values(highAvailability bool) pulumi.Map {
	values := pulumi.Map{
		"nodeSelector": pulumi.StringMap{nodegroups.RoleLabelKey: pulumi.String(systemNodeGroup)},
		"resources":    g.resources.values(),
	}
	if g.priorityClass != "" {
		values["priorityClassName"] = pulumi.String(g.priorityClass)
	}
	replicated := highAvailability && !g.singleton
	if g.replicasKey != "" {
		replicas := 1
		if replicated {
			replicas = haReplicas
		}
		values[g.replicasKey] = pulumi.Int(replicas)
	}
	switch {
	case g.singleton:
		// One pod that may not run twice: any PDB would either block every drain or be a no-op.
	case g.budget == budgetToggled:
		values["podDisruptionBudget"] = pulumi.Map{"enabled": pulumi.Bool(replicated), "minAvailable": pulumi.Int(1)}
	case replicated:
		// Without HA the chart's own default stays: none for the load balancer controller, and for
		// the autoscaler a maxUnavailable of 1, which never blocks draining its single pod.
		values["podDisruptionBudget"] = pulumi.Map{"maxUnavailable": pulumi.Int(1)}
	}
	return values
}

// serviceAccount is where a chart takes its service account's settings and the name it must
// have: the IRSA role trusts exactly that name (S3).
type serviceAccount struct {
	path []string
	name string
}

// releaseSpec is the data that makes one Helm release.
type releaseSpec struct {
	name     string
	chartKey string // key of Args.Charts
	chart    string // chart name in its repository
	// namespace is the release's namespace; ownNamespace creates it with Pod Security labels.
	namespace    string
	ownNamespace bool
	// serviceAccount is annotated with the role ARN; nil when the chart's pods call no AWS API.
	serviceAccount *serviceAccount
	pods           []podGroup
}

// installRelease creates one Helm release from its spec: pinned chart from Args.Charts, values
// with the chart's own settings plus the service account annotation and the placement of every
// pod group, atomic so a failed install or upgrade is rolled back.
func installRelease(ctx *pulumi.Context, comp *Platform, args *Args, spec releaseSpec, values pulumi.Map,
	roleArn pulumi.StringInput, dependsOn []pulumi.Resource) (*helmv3.Release, error) {
	namespace := pulumi.String(spec.namespace).ToStringOutput()
	if spec.ownNamespace {
		ns, err := newNamespace(ctx, comp, args, spec.namespace)
		if err != nil {
			return nil, err
		}
		namespace = ns.Metadata.Name().Elem()
	}
	if spec.serviceAccount != nil {
		mergeAt(values, spec.serviceAccount.path, pulumi.Map{
			"create":      pulumi.Bool(true),
			"name":        pulumi.String(spec.serviceAccount.name),
			"annotations": pulumi.StringMap{roleArnAnnotation: roleArn},
		})
	}
	for _, group := range spec.pods {
		mergeAt(values, group.path, group.values(args.HighAvailability))
	}
	chart := args.Charts[spec.chartKey]
	return helmv3.NewRelease(ctx, naming.Name(spec.name, args.Environment), &helmv3.ReleaseArgs{
		Name:           pulumi.String(spec.name),
		Chart:          pulumi.String(spec.chart),
		Version:        pulumi.String(chart.Version),
		RepositoryOpts: helmv3.RepositoryOptsArgs{Repo: pulumi.String(chart.Repository)},
		Namespace:      namespace,
		Values:         values,
		Atomic:         pulumi.Bool(true),
		CleanupOnFail:  pulumi.Bool(true),
		Timeout:        pulumi.Int(releaseTimeoutSeconds),
		MaxHistory:     pulumi.Int(releaseMaxHistory),
	}, pulumi.Parent(comp), pulumi.DependsOn(dependsOn))
}

// mergeAt sets entries in the map found at path inside values, creating the maps on the way.
func mergeAt(values pulumi.Map, path []string, entries pulumi.Map) {
	target := values
	for _, key := range path {
		next, ok := target[key].(pulumi.Map)
		if !ok {
			next = pulumi.Map{}
			target[key] = next
		}
		target = next
	}
	for key, value := range entries {
		target[key] = value
	}
}
