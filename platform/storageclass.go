package platform

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// StorageClassName is the cluster's default StorageClass.
const StorageClassName = "gp3-encrypted"

// newStorageClass makes encrypted gp3 the cluster's default StorageClass, so a PersistentVolumeClaim
// that names no class gets a volume encrypted with the data key (S1, issue 22) from the EBS CSI driver,
// which Velero can snapshot (P3). EKS marks no class as default since Kubernetes 1.30, so without
// this a PVC without a class never binds. WaitForFirstConsumer creates the volume in the AZ of the
// pod that uses it.
func newStorageClass(ctx *pulumi.Context, comp *Platform, args *Args) (*storagev1.StorageClass, error) {
	return storagev1.NewStorageClass(ctx, naming.Name("storage-class", args.Environment), &storagev1.StorageClassArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:        pulumi.String(StorageClassName),
			Annotations: pulumi.StringMap{"storageclass.kubernetes.io/is-default-class": pulumi.String("true")},
		},
		Provisioner: pulumi.String(ebsCSIDriver),
		Parameters: pulumi.StringMap{
			"type":      pulumi.String("gp3"),
			"encrypted": pulumi.String("true"),
			"kmsKeyId":  args.DataKmsKeyArn,
		},
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		// Retain in prod: deleting a claim must not delete the data with it.
		ReclaimPolicy: pulumi.String(snapshotDeletionPolicy(args.Protect)),
	}, pulumi.Parent(comp))
}
