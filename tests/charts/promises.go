package charts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// The spec's promises for the controllers (P1, G1), as the rendered pods must show them.
const (
	// SystemNodeLabel and SystemNodeRole select the system node group (G1): on-demand, never
	// scaled to zero.
	SystemNodeLabel = "node.eks-platform/role"
	SystemNodeRole  = "system"
	// SystemPriorityClass lets a controller preempt workload pods (P1).
	SystemPriorityClass = "system-cluster-critical"
	// RoleArnAnnotation is what the EKS pod identity webhook reads to inject IRSA credentials.
	RoleArnAnnotation = "eks.amazonaws.com/role-arn"
	// HAReplicas is the least replica count of a controller that serves traffic in an HA stack.
	HAReplicas = 2
)

// PriorityReleases are the P1 controllers, which run at the system priority. Velero is not one:
// it is not on the path of running workloads and should not preempt them (P3).
var PriorityReleases = map[string]bool{
	"aws-load-balancer-controller": true, "cluster-autoscaler": true, "external-secrets": true, "metrics-server": true,
}

// SingletonWorkloads run one replica whatever the stack, so HA does not apply to them.
var SingletonWorkloads = map[string]string{
	"Deployment/external-secrets/external-secrets-cert-controller": "serves no traffic (rotates the webhook certificate), so P1's two replicas do not apply",
	"Deployment/velero/velero":                                     "Velero runs one server; two would run every schedule twice",
}

// HighAvailability is the stack's controllersHighAvailability setting: the stack file's value,
// else the project default in Pulumi.yaml.
func HighAvailability(stack string) (bool, error) {
	root, err := RepoRoot()
	if err != nil {
		return false, err
	}
	const key = "eks-platform:controllersHighAvailability"
	var stackFile struct {
		Config map[string]any `json:"config"`
	}
	if err := readYAML(filepath.Join(root, "Pulumi."+stack+".yaml"), &stackFile); err != nil {
		return false, err
	}
	if v, ok := stackFile.Config[key].(bool); ok {
		return v, nil
	}
	var project struct {
		Config map[string]struct {
			Default any `json:"default"`
		} `json:"config"`
	}
	if err := readYAML(filepath.Join(root, "Pulumi.yaml"), &project); err != nil {
		return false, err
	}
	v, ok := project.Config[key].Default.(bool)
	if !ok {
		return false, fmt.Errorf("Pulumi.yaml declares no boolean default for %s", key)
	}
	return v, nil
}

func readYAML(path string, into any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(raw, into)
}

// OnSystemNodes checks that a pod is placed on the system node group.
func OnSystemNodes(pod *PodTemplate) error {
	if got := pod.Spec.NodeSelector[SystemNodeLabel]; got != SystemNodeRole {
		return fmt.Errorf("%s: nodeSelector %s is %q, want %q (G1, P1)", pod.Workload, SystemNodeLabel, got, SystemNodeRole)
	}
	return nil
}

// Bounded checks that every container and init container requests and limits CPU and memory.
func Bounded(pod *PodTemplate) []error {
	var errs []error
	containers := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range containers {
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := c.Resources.Requests[r]; !ok {
				errs = append(errs, fmt.Errorf("%s: container %s has no %s request (P1)", pod.Workload, c.Name, r))
			}
			if _, ok := c.Resources.Limits[r]; !ok {
				errs = append(errs, fmt.Errorf("%s: container %s has no %s limit (P1)", pod.Workload, c.Name, r))
			}
		}
	}
	return errs
}

// HasSystemPriority checks the pod's priority class.
func HasSystemPriority(pod *PodTemplate) error {
	if pod.Spec.PriorityClassName != SystemPriorityClass {
		return fmt.Errorf("%s: priorityClassName is %q, want %q (P1)", pod.Workload, pod.Spec.PriorityClassName, SystemPriorityClass)
	}
	return nil
}

// Budgets checks the disruption budgets of a workload: in an HA stack a workload that may run
// twice has at least HAReplicas replicas and a PDB selecting its pods; in every stack each PDB
// selecting it still lets a drain evict one pod.
func Budgets(pod *PodTemplate, pdbs []*policyv1.PodDisruptionBudget, highAvailability bool) []error {
	var errs []error
	replicas := int32(1)
	if pod.Replicas != nil {
		replicas = *pod.Replicas
	}
	var selecting []*policyv1.PodDisruptionBudget
	for _, pdb := range pdbs {
		selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			errs = append(errs, fmt.Errorf("PodDisruptionBudget %s/%s: %w", pdb.Namespace, pdb.Name, err))
			continue
		}
		if pdb.Namespace == pod.Meta.Namespace && !selector.Empty() && selector.Matches(labels.Set(pod.Meta.Labels)) {
			selecting = append(selecting, pdb)
		}
	}
	for _, pdb := range selecting {
		if blocksEveryEviction(pdb, replicas) {
			errs = append(errs, fmt.Errorf("%s: PodDisruptionBudget %s lets no pod of %d be evicted: node drains would hang", pod.Workload, pdb.Name, replicas))
		}
	}
	_, singleton := SingletonWorkloads[pod.Workload]
	if !highAvailability || singleton || pod.Replicas == nil {
		return errs
	}
	if replicas < HAReplicas {
		errs = append(errs, fmt.Errorf("%s: %d replica(s), want at least %d in an HA stack (P1)", pod.Workload, replicas, HAReplicas))
	}
	if len(selecting) == 0 {
		errs = append(errs, fmt.Errorf("%s: no PodDisruptionBudget selects its pods (P1)", pod.Workload))
	}
	return errs
}

func blocksEveryEviction(pdb *policyv1.PodDisruptionBudget, replicas int32) bool {
	if m := pdb.Spec.MaxUnavailable; m != nil {
		return m.String() == "0" || m.String() == "0%"
	}
	if m := pdb.Spec.MinAvailable; m != nil {
		if m.String() == "100%" {
			return true
		}
		return !strings.HasSuffix(m.String(), "%") && m.IntValue() >= int(replicas)
	}
	return false
}
