package platform

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

const (
	// SnapshotClassName is the VolumeSnapshotClass Velero snapshots EBS CSI volumes with.
	SnapshotClassName = "velero-ebs-csi"
	// ebsCSIDriver is the EBS CSI driver's name: the class serves the volumes whose PV names it.
	ebsCSIDriver = "ebs.csi.aws.com"
	// veleroSnapshotClassLabel makes Velero choose this class for the driver's volumes when more
	// than one class names the driver.
	veleroSnapshotClassLabel = "velero.io/csi-volumesnapshot-class"
	snapshotAPIVersion       = "snapshot.storage.k8s.io/v1"
)

// snapshotDeletionPolicy is what happens to an EBS snapshot when its VolumeSnapshotContent is
// deleted. Velero retains the snapshots of its backups while they exist and deletes them when the
// backup expires whatever the class says; the policy covers snapshots taken or released outside
// that path, which prod keeps.
func snapshotDeletionPolicy(protect bool) string {
	if protect {
		return "Retain"
	}
	return "Delete"
}

// newSnapshotClass creates the VolumeSnapshotClass for the EBS CSI driver that Velero's CSI
// support uses to snapshot the workloads' volumes (P3). The driver takes the snapshot on its own
// IRSA role and tags it with the cost-allocation tags of its add-on configuration; the class sets
// no tags, because the driver refuses the "kubernetes.io/cluster/..." key here. It waits for the
// snapshot controller add-on, which installs the CRD.
func newSnapshotClass(ctx *pulumi.Context, comp *Platform, args *Args) (*apiextensions.CustomResource, error) {
	return apiextensions.NewCustomResource(ctx, naming.Name("volume-snapshot-class", args.Environment), &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(snapshotAPIVersion),
		Kind:       pulumi.String("VolumeSnapshotClass"),
		Metadata: metav1.ObjectMetaArgs{
			Name:   pulumi.String(SnapshotClassName),
			Labels: pulumi.StringMap{veleroSnapshotClassLabel: pulumi.String("true")},
		},
		OtherFields: kubernetes.UntypedArgs{
			"driver":         pulumi.String(ebsCSIDriver),
			"deletionPolicy": pulumi.String(snapshotDeletionPolicy(args.Protect)),
		},
	}, pulumi.Parent(comp), pulumi.DependsOn([]pulumi.Resource{args.SnapshotCRDs}))
}
