package platform

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

const (
	// secretStoreAPIVersion is the only version external-secrets serves from chart 0.17 on; the
	// earlier v1beta1 is no longer accepted.
	secretStoreAPIVersion = "external-secrets.io/v1"
	// SecretStoreName is the ClusterSecretStore that ExternalSecrets in workload namespaces name.
	SecretStoreName = "aws-secrets-manager"
)

// newClusterSecretStore creates the ClusterSecretStore for AWS Secrets Manager (P1). It
// authenticates as the controller's own service account, whose IRSA role may read only secrets
// under the cluster's prefix ("<cluster>/", security.WorkloadRolesArgs.SecretsPrefix): IAM, not
// this object, enforces the prefix. The store accepts ExternalSecrets from the workload
// namespaces only. It waits for the release, which installs its CRD and admission webhook.
func newClusterSecretStore(ctx *pulumi.Context, comp *Platform, args *Args, externalSecrets *helmv3.Release) (*apiextensions.CustomResource, error) {
	return apiextensions.NewCustomResource(ctx, naming.Name("cluster-secret-store", args.Environment), &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(secretStoreAPIVersion),
		Kind:       pulumi.String("ClusterSecretStore"),
		Metadata:   metav1.ObjectMetaArgs{Name: pulumi.String(SecretStoreName)},
		OtherFields: kubernetes.UntypedArgs{
			"spec": pulumi.Map{
				"provider": pulumi.Map{"aws": pulumi.Map{
					"service": pulumi.String("SecretsManager"),
					"region":  pulumi.String(args.Region),
					"auth": pulumi.Map{"jwt": pulumi.Map{"serviceAccountRef": pulumi.Map{
						"name":      pulumi.String(security.ServiceAccountExternalSecrets),
						"namespace": pulumi.String(security.NamespaceExternalSecrets),
					}}},
				}},
				"conditions": pulumi.Array{pulumi.Map{"namespaces": pulumi.ToStringArray(args.WorkloadNamespaces)}},
			},
		},
	}, pulumi.Parent(comp), pulumi.DependsOn([]pulumi.Resource{externalSecrets}))
}
