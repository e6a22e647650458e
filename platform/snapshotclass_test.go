package platform

import (
	"github.com/acme/eks-platform/internal/offline"
	"testing"
)

const snapshotClassType = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass"

// P3: the EBS CSI driver's snapshot class exists, carries the label by which Velero picks it, and
// keeps prod's snapshots when their VolumeSnapshotContent is deleted; dev's go with it.
func TestSnapshotClassIsVelerosForTheEbsCsiDriver(t *testing.T) {
	for name, c := range map[string]struct {
		protect bool
		policy  string
	}{
		"dev":  {false, "Delete"},
		"prod": {true, "Retain"},
	} {
		p := plan(t, func(a *Args) { a.Protect = c.protect })
		classes := p.ByType(snapshotClassType)
		if len(classes) != 1 {
			t.Fatalf("%s: %d VolumeSnapshotClasses, want 1", name, len(classes))
		}
		class := offline.MustGet(t, p, snapshotClassType, "volume-snapshot-class-dev")
		want := map[string]string{
			"apiVersion":     "snapshot.storage.k8s.io/v1",
			"metadata.name":  SnapshotClassName,
			"driver":         "ebs.csi.aws.com",
			"deletionPolicy": c.policy,
		}
		for path, value := range want {
			if got := class.String(path); got != value {
				t.Errorf("%s: %s = %q, want %q", name, path, got, value)
			}
		}
		labels, _ := class.Input("metadata.labels").(map[string]any)
		if labels["velero.io/csi-volumesnapshot-class"] != "true" {
			t.Errorf("%s: labels %v lack velero.io/csi-volumesnapshot-class=true", name, labels)
		}
	}
}

// P3: the class waits for the snapshot controller add-on, which installs its CRD, and Velero
// waits for the class, so that no backup runs without it.
func TestSnapshotClassWaitsForItsCRDAndVeleroForTheClass(t *testing.T) {
	p := plan(t, nil)
	class := offline.MustGet(t, p, snapshotClassType, "volume-snapshot-class-dev")
	crds := offline.MustGet(t, p, addonType, "stand-in-snapshot-controller")
	if !class.DependsOn(crds.URN) {
		t.Errorf("the VolumeSnapshotClass does not wait for the snapshot CRDs: %v", class.Dependencies)
	}
	if velero := release(t, p, releaseVelero); !velero.DependsOn(class.URN) {
		t.Errorf("Velero does not wait for the VolumeSnapshotClass: %v", velero.Dependencies)
	}
}
