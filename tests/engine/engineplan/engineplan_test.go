package engineplan

import (
	"testing"
)

// A stack export becomes a plan: the stack resource gives the outputs, secrets and references are
// shown as the offline plan shows them, the provider reference loses its ID, and a destroyed
// stack counts zero resources.
func TestFromExport(t *testing.T) {
	export := []byte(`{"version": 3, "deployment": {"resources": [
	  {"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack",
	   "outputs": {"kubeconfig": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}, "name": "c"}},
	  {"urn": "urn:pulumi:dev::p::aws:kms/key:Key::key-dev", "custom": true, "type": "aws:kms/key:Key",
	   "parent": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "provider": "urn:pulumi:dev::p::pulumi:providers:aws::aws-dev::1234",
	   "protect": true, "inputs": {"role": {"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", "urn": "urn:r", "id": "i"}},
	   "outputs": {"arn": "arn:aws:kms:us-east-1:123456789012:key/k"}, "dependencies": ["urn:b", "urn:a"]},
	  {"urn": "urn:pulumi:dev::p::aws:s3/bucketV2:BucketV2::old", "type": "aws:s3/bucketV2:BucketV2", "delete": true}
	]}}`)
	plan, err := FromExport(export, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Resources) != 1 || plan.Outputs["kubeconfig"] != "[secret]" || plan.Outputs["name"] != "c" {
		t.Fatalf("plan %+v", plan)
	}
	key := plan.Resources[0]
	if key.Name != "key-dev" || key.Provider != "urn:pulumi:dev::p::pulumi:providers:aws::aws-dev" || !key.Protect ||
		key.Input("role") != "urn:r" || key.Output("arn") != "arn:aws:kms:us-east-1:123456789012:key/k" ||
		key.Dependencies[0] != "urn:a" || key.IgnoreChanges == nil {
		t.Errorf("resource %+v", key)
	}
	if n, err := ResourceCount(export); err != nil || n != 3 {
		t.Errorf("count %d, %v", n, err)
	}
	if n, err := ResourceCount([]byte(`{"version": 3, "deployment": {}}`)); err != nil || n != 0 {
		t.Errorf("count of a destroyed stack %d, %v", n, err)
	}
}

// The guard scenarios count what a cloud would hold: custom resources that are not providers.
func TestCloudResourceCount(t *testing.T) {
	export := []byte(`{"version": 3, "deployment": {"resources": [
	  {"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack"},
	  {"urn": "urn:pulumi:dev::p::pulumi:providers:aws::aws-dev", "type": "pulumi:providers:aws", "custom": true},
	  {"urn": "urn:pulumi:dev::p::eks-platform:network:Network::n", "type": "eks-platform:network:Network"},
	  {"urn": "urn:pulumi:dev::p::aws:kms/key:Key::key-dev", "type": "aws:kms/key:Key", "custom": true}
	]}}`)
	if n, err := CloudResourceCount(export); err != nil || n != 1 {
		t.Errorf("cloud count %d, %v; want 1 (the key)", n, err)
	}
	if _, err := CloudResourceCount([]byte("{")); err == nil {
		t.Error("a broken export was counted")
	}
}
