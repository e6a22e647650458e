package observability

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	fluentBitName           = "fluent-bit"
	fluentBitConfigMapName  = "fluent-bit-config"
	fluentBitChecksumKey    = "checksum/config"
	ssmStandardTierLimit    = 4096 // bytes; larger values need the Advanced tier
	irsaRoleAnnotation      = "eks.amazonaws.com/role-arn"
	systemNodeCriticalClass = "system-node-critical"
)

var fluentBitLabels = pulumi.StringMap{
	"app.kubernetes.io/name":       pulumi.String(fluentBitName),
	"app.kubernetes.io/part-of":    pulumi.String("eks-platform"),
	"app.kubernetes.io/managed-by": pulumi.String("pulumi"),
}

// newFluentBit stores the Fluent Bit configuration in SSM and runs Fluent Bit from a ConfigMap
// derived from that parameter (O2, seed 003 #4 corrected): the ConfigMap's data and the pods'
// checksum annotation are computed from the parameter resource's output, never from the Go
// string, so the running configuration and the stored one cannot differ.
func newFluentBit(ctx *pulumi.Context, args *Args, logGroups map[string]*cloudwatch.LogGroup, parent pulumi.ResourceOption) (*ssm.Parameter, error) {
	param, err := newFluentBitParameter(ctx, args, parent)
	if err != nil {
		return nil, err
	}
	ns, err := corev1.NewNamespace(ctx, naming.Name("logging-namespace", args.Environment), &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:   pulumi.String(FluentBitNamespace),
			Labels: loggingNamespaceLabels(args.KubernetesVersion),
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	namespace := ns.Metadata.Name()

	sa, err := corev1.NewServiceAccount(ctx, naming.Name("fluent-bit-sa", args.Environment), &corev1.ServiceAccountArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:        pulumi.String(FluentBitServiceAccount),
			Namespace:   namespace,
			Labels:      fluentBitLabels,
			Annotations: pulumi.StringMap{irsaRoleAnnotation: args.FluentBitRoleArn},
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	if err := newFluentBitRBAC(ctx, args.Environment, namespace, parent); err != nil {
		return nil, err
	}

	config := param.InsecureValue
	cm, err := corev1.NewConfigMap(ctx, naming.Name("fluent-bit-config", args.Environment), &corev1.ConfigMapArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(fluentBitConfigMapName),
			Namespace: namespace,
			Labels:    fluentBitLabels,
		},
		Data: config.ApplyT(func(text string) map[string]string {
			return map[string]string{fluentBitConfigFile: text}
		}).(pulumi.StringMapOutput),
	}, parent)
	if err != nil {
		return nil, err
	}
	checksum := config.ApplyT(sha256Hex).(pulumi.StringOutput)

	// auto_create_group is false, so the groups must exist before the first pod ships a line.
	dependsOn := append([]pulumi.Resource{logGroups[logApplication], logGroups[logDataplane], logGroups[logHost]}, args.DependsOn...)
	_, err = appsv1.NewDaemonSet(ctx, naming.Name("fluent-bit", args.Environment), &appsv1.DaemonSetArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(fluentBitName),
			Namespace: namespace,
			Labels:    fluentBitLabels,
		},
		Spec: &appsv1.DaemonSetSpecArgs{
			Selector: &metav1.LabelSelectorArgs{
				MatchLabels: pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(fluentBitName)},
			},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{
					Labels: fluentBitLabels,
					// A new configuration changes the pod template, so the DaemonSet rolls.
					Annotations: pulumi.StringMap{fluentBitChecksumKey: checksum},
				},
				Spec: fluentBitPodSpec(args.FluentBitImage, sa.Metadata.Name(), cm.Metadata.Name()),
			},
		},
	}, parent, pulumi.DependsOn(dependsOn))
	if err != nil {
		return nil, err
	}
	return param, nil
}

// newFluentBitParameter stores the configuration as a plain String parameter. The text holds log
// group names and a region, nothing secret (S6), and a SecureString (or the SDK's always-secret
// `value` property) would make the ConfigMap derived from it a Pulumi secret: every preview would
// hide configuration diffs and reviewers could not see what the shipper will do. Hence `type
// String` with `insecureValue`, which is the parameter's value output for non-secret parameters.
func newFluentBitParameter(ctx *pulumi.Context, args *Args, parent pulumi.ResourceOption) (*ssm.Parameter, error) {
	text := fluentBitConfig(args.ClusterName, args.Region)
	return ssm.NewParameter(ctx, naming.Name("fluent-bit-config", args.Environment), &ssm.ParameterArgs{
		Name:          pulumi.String(fmt.Sprintf("/%s/fluent-bit/config", args.ClusterName)),
		Description:   pulumi.String("fluent-bit.conf run by the logging/fluent-bit DaemonSet (managed by Pulumi; edit the program, not this value)"),
		Type:          pulumi.String("String"),
		Tier:          pulumi.String(parameterTier(len(text))),
		InsecureValue: pulumi.String(text),
	}, parent)
}

// parameterTier picks the cheapest SSM tier that holds size bytes.
func parameterTier(size int) string {
	if size > ssmStandardTierLimit {
		return "Advanced"
	}
	return "Standard"
}

func sha256Hex(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// loggingNamespaceLabels are the Pod Security labels of the logging namespace. It is the one
// documented exception to S4: Fluent Bit reads the node's logs through hostPath volumes, which
// the baseline and restricted levels forbid, so enforce is privileged. Audit and warn stay
// restricted so that anything else deployed here is still reported.
func loggingNamespaceLabels(kubernetesVersion string) pulumi.StringMap {
	return pulumi.ToStringMap(security.PodSecurityLabels(security.PodSecurityPrivileged, kubernetesVersion))
}

// newFluentBitRBAC lets the kubernetes filter read pod and namespace metadata, nothing more.
func newFluentBitRBAC(ctx *pulumi.Context, env string, namespace pulumi.StringPtrInput, parent pulumi.ResourceOption) error {
	role, err := rbacv1.NewClusterRole(ctx, naming.Name("fluent-bit-read", env), &rbacv1.ClusterRoleArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(fluentBitName + "-read"), Labels: fluentBitLabels},
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.StringArray{pulumi.String("")},
			Resources: pulumi.StringArray{pulumi.String("pods"), pulumi.String("namespaces")},
			Verbs:     pulumi.StringArray{pulumi.String("get"), pulumi.String("list"), pulumi.String("watch")},
		}},
	}, parent)
	if err != nil {
		return err
	}
	_, err = rbacv1.NewClusterRoleBinding(ctx, naming.Name("fluent-bit-read", env), &rbacv1.ClusterRoleBindingArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(fluentBitName + "-read"), Labels: fluentBitLabels},
		RoleRef: rbacv1.RoleRefArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
			Kind:     pulumi.String("ClusterRole"),
			Name:     role.Metadata.Name().Elem(),
		},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			Kind:      pulumi.String("ServiceAccount"),
			Name:      pulumi.String(FluentBitServiceAccount),
			Namespace: namespace,
		}},
	}, parent)
	return err
}

// hostVolume describes one node directory the pod mounts.
type hostVolume struct {
	name, hostPath, mountPath, hostPathType string
	readOnly                                bool
}

// fluentBitHostVolumes: the node's logs read-only (/var/log holds /var/log/containers, the
// /var/log/pods files its links point to, and the journal); only the offset databases and buffer
// are writable, so a restarted pod resumes where it stopped.
var fluentBitHostVolumes = []hostVolume{
	{name: "varlog", hostPath: nodeLogDir, mountPath: nodeLogDir, hostPathType: "Directory", readOnly: true},
	{name: "state", hostPath: fluentBitStateDir, mountPath: fluentBitStateDir, hostPathType: "DirectoryOrCreate", readOnly: false},
}

func fluentBitPodSpec(image string, serviceAccount, configMap pulumi.StringPtrOutput) *corev1.PodSpecArgs {
	volumes := corev1.VolumeArray{corev1.VolumeArgs{
		Name:      pulumi.String("config"),
		ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: configMap},
	}}
	mounts := corev1.VolumeMountArray{corev1.VolumeMountArgs{
		Name: pulumi.String("config"), MountPath: pulumi.String(fluentBitConfigDir), ReadOnly: pulumi.Bool(true),
	}}
	for _, v := range fluentBitHostVolumes {
		volumes = append(volumes, corev1.VolumeArgs{
			Name:     pulumi.String(v.name),
			HostPath: &corev1.HostPathVolumeSourceArgs{Path: pulumi.String(v.hostPath), Type: pulumi.String(v.hostPathType)},
		})
		mounts = append(mounts, corev1.VolumeMountArgs{
			Name: pulumi.String(v.name), MountPath: pulumi.String(v.mountPath), ReadOnly: pulumi.Bool(v.readOnly),
		})
	}
	return &corev1.PodSpecArgs{
		ServiceAccountName: serviceAccount,
		// Logs are evidence: the shipper is scheduled before, and evicted after, ordinary pods.
		PriorityClassName:             pulumi.String(systemNodeCriticalClass),
		TerminationGracePeriodSeconds: pulumi.Int(30),
		// Tolerate every taint: a log shipper must run on every node, including the GPU group's
		// nvidia.com/gpu=true:NoSchedule nodes (G1) and any taint added later.
		Tolerations: corev1.TolerationArray{corev1.TolerationArgs{Operator: pulumi.String("Exists")}},
		Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name:            pulumi.String(fluentBitName),
			Image:           pulumi.String(image),
			ImagePullPolicy: pulumi.String("IfNotPresent"),
			Env: corev1.EnvVarArray{corev1.EnvVarArgs{
				Name: pulumi.String("HOST_NAME"), // used in the log stream prefix
				ValueFrom: &corev1.EnvVarSourceArgs{
					FieldRef: &corev1.ObjectFieldSelectorArgs{FieldPath: pulumi.String("spec.nodeName")},
				},
			}},
			Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{
				Name: pulumi.String("http"), ContainerPort: pulumi.Int(fluentBitHTTPPort),
			}},
			LivenessProbe: &corev1.ProbeArgs{
				HttpGet: &corev1.HTTPGetActionArgs{
					Path: pulumi.String("/api/v1/health"), Port: pulumi.Int(fluentBitHTTPPort),
				},
				InitialDelaySeconds: pulumi.Int(10),
				PeriodSeconds:       pulumi.Int(30),
			},
			Resources: &corev1.ResourceRequirementsArgs{
				Requests: pulumi.StringMap{"cpu": pulumi.String("50m"), "memory": pulumi.String("100Mi")},
				Limits:   pulumi.StringMap{"cpu": pulumi.String("500m"), "memory": pulumi.String("250Mi")},
			},
			// Root (uid 0) owns the container and journal log files on the node, and reading them is
			// all root is needed for: no capabilities, no privilege escalation, read-only image.
			SecurityContext: &corev1.SecurityContextArgs{
				RunAsUser:                pulumi.Int(0),
				AllowPrivilegeEscalation: pulumi.Bool(false),
				ReadOnlyRootFilesystem:   pulumi.Bool(true),
				Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
				SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
			},
			VolumeMounts: mounts,
		}},
		Volumes: volumes,
	}
}
