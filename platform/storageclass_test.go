package platform

import (
	"testing"

	"github.com/acme/eks-platform/internal/offline"
)

const storageClassType = "kubernetes:storage.k8s.io/v1:StorageClass"

// S1 + P3: a claim that names no class gets an EBS CSI volume encrypted with the data key; prod
// keeps the volume when the claim is deleted.
func TestDefaultStorageClassIsEncryptedGp3WithThePlatformKey(t *testing.T) {
	for name, c := range map[string]struct {
		protect bool
		reclaim string
	}{
		"dev":  {false, "Delete"},
		"prod": {true, "Retain"},
	} {
		p := plan(t, func(a *Args) { a.Protect = c.protect })
		if n := len(p.ByType(storageClassType)); n != 1 {
			t.Fatalf("%s: %d StorageClasses, want 1", name, n)
		}
		class := offline.MustGet(t, p, storageClassType, "storage-class-dev")
		want := map[string]string{
			"metadata.name":        StorageClassName,
			"provisioner":          "ebs.csi.aws.com",
			"parameters.type":      "gp3",
			"parameters.encrypted": "true",
			"parameters.kmsKeyId":  testKeyArn,
			"volumeBindingMode":    "WaitForFirstConsumer",
			"reclaimPolicy":        c.reclaim,
		}
		for path, value := range want {
			if got := class.String(path); got != value {
				t.Errorf("%s: %s = %q, want %q", name, path, got, value)
			}
		}
		annotations, _ := class.Input("metadata.annotations").(map[string]any)
		if annotations["storageclass.kubernetes.io/is-default-class"] != "true" {
			t.Errorf("%s: not the default class: %v", name, annotations)
		}
	}
}
