package charts

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// builtIn are the types an EKS cluster serves without CRDs: client-go's (every k8s.io/api group)
// and the aggregation layer's APIService, which metrics-server registers.
var builtIn = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{scheme.AddToScheme, apiregistrationv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

var strictDecoder = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, builtIn, builtIn,
	kjson.SerializerOptions{Strict: true})

// IsBuiltIn says whether the object's group/version/kind is a built-in Kubernetes type (one
// k8s.io/api defines); the others are custom resources.
func IsBuiltIn(o Object) bool {
	gv, err := schema.ParseGroupVersion(o.APIVersion())
	return err == nil && builtIn.Recognizes(gv.WithKind(o.Kind()))
}

// Decode decodes a built-in object strictly into its k8s.io/api type: an unknown or duplicated
// field is an error, as the API server's strict field validation makes it.
func Decode(o Object) (runtime.Object, error) {
	raw, err := json.Marshal(o.Body)
	if err != nil {
		return nil, err
	}
	obj, _, err := strictDecoder.Decode(raw, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o, err)
	}
	return obj, nil
}

// clusterScopedKinds are the built-in kinds (and CRDs) that have no namespace.
var clusterScopedKinds = map[string]bool{
	"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"StorageClass": true, "PriorityClass": true, "MutatingWebhookConfiguration": true,
	"ValidatingWebhookConfiguration": true, "APIService": true, "IngressClass": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"PersistentVolume": true, "CSIDriver": true, "VolumeSnapshotClass": true, "ClusterSecretStore": true,
	"ClusterExternalSecret": true, "ClusterGenerator": true, "ClusterPushSecret": true,
}

// ClusterScoped says whether a kind has no namespace.
func ClusterScoped(kind string) bool { return clusterScopedKinds[kind] }

// PodTemplate is the pod a workload creates, with where it came from.
type PodTemplate struct {
	Owner    Object
	Workload string // "Deployment/kube-system/metrics-server"
	Replicas *int32 // nil for DaemonSets and Jobs
	Meta     metav1.ObjectMeta
	Spec     corev1.PodSpec
}

// PodTemplateOf is the pod template of a decoded workload, or nil for other objects.
func PodTemplateOf(owner Object, obj runtime.Object) *PodTemplate {
	ref := func(kind string, m metav1.ObjectMeta) string { return kind + "/" + m.Namespace + "/" + m.Name }
	switch w := obj.(type) {
	case *appsv1.Deployment:
		return &PodTemplate{owner, ref("Deployment", w.ObjectMeta), w.Spec.Replicas, w.Spec.Template.ObjectMeta, w.Spec.Template.Spec}
	case *appsv1.StatefulSet:
		return &PodTemplate{owner, ref("StatefulSet", w.ObjectMeta), w.Spec.Replicas, w.Spec.Template.ObjectMeta, w.Spec.Template.Spec}
	case *appsv1.DaemonSet:
		return &PodTemplate{owner, ref("DaemonSet", w.ObjectMeta), nil, w.Spec.Template.ObjectMeta, w.Spec.Template.Spec}
	case *appsv1.ReplicaSet:
		return &PodTemplate{owner, ref("ReplicaSet", w.ObjectMeta), w.Spec.Replicas, w.Spec.Template.ObjectMeta, w.Spec.Template.Spec}
	case *batchv1.Job:
		return &PodTemplate{owner, ref("Job", w.ObjectMeta), nil, w.Spec.Template.ObjectMeta, w.Spec.Template.Spec}
	case *batchv1.CronJob:
		return &PodTemplate{owner, ref("CronJob", w.ObjectMeta), nil, w.Spec.JobTemplate.Spec.Template.ObjectMeta, w.Spec.JobTemplate.Spec.Template.Spec}
	case *corev1.Pod:
		return &PodTemplate{owner, ref("Pod", w.ObjectMeta), nil, w.ObjectMeta, w.Spec}
	}
	return nil
}

// NamespacePolicy is the Pod Security policy of a namespace as its labels set it.
func NamespacePolicy(labels map[string]string) (api.Policy, error) {
	// A namespace without labels gets the API server's defaults; EKS configures none, so it is
	// privileged at the latest version.
	defaults := api.Policy{
		Enforce: api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
		Audit:   api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
		Warn:    api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
	}
	p, errs := api.PolicyToEvaluate(labels, defaults)
	return p, errs.ToAggregate()
}

var evaluator = func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(err)
	}
	return e
}()

// Admit evaluates a pod template with the upstream Pod Security evaluator at a level and version,
// as the admission plugin does when the workload is created: an error lists what the level forbids.
func Admit(pod *PodTemplate, lv api.LevelVersion) error {
	result := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &pod.Meta, &pod.Spec))
	if !result.Allowed {
		return fmt.Errorf("%s violates PodSecurity %q: %s", pod.Workload, lv.String(), result.ForbiddenDetail())
	}
	return nil
}

// ServedVersions are the group/kind → versions the CRDs serve.
func ServedVersions(crds []Object) (map[schema.GroupKind][]string, error) {
	served := map[schema.GroupKind][]string{}
	decoded, err := decodeCRDs(crds)
	if err != nil {
		return nil, err
	}
	for _, crd := range decoded {
		gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
		for _, v := range crd.Spec.Versions {
			if v.Served {
				served[gk] = append(served[gk], v.Name)
			}
		}
	}
	return served, nil
}
