package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleOutputsJSON is what `pulumi stack output --json --show-secrets=false` prints for a dev
// stack (X1), with made-up IDs.
const sampleOutputsJSON = `{
  "alarmTopicArn": "arn:aws:sns:us-east-1:111122223333:eks-platform-alarms-dev",
  "clusterArn": "arn:aws:eks:us-east-1:111122223333:cluster/eks-platform-dev",
  "clusterEndpoint": "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
  "clusterName": "eks-platform-dev",
  "clusterSecurityGroupId": "sg-0cluster",
  "dashboardName": "eks-platform-dev",
  "environment": "dev",
  "irsaRoleArns": {"cluster-autoscaler": "arn:aws:iam::111122223333:role/cluster-autoscaler-dev"},
  "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  "logsKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab",
  "dataKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/3234abcd-12ab-34cd-56ef-1234567890ab",
  "kubeconfig": "[secret]",
  "logGroupNames": {"controlPlane": "/aws/eks/eks-platform-dev/cluster", "flowLogs": "/aws/vpc/flow-logs-dev"},
  "natGatewayIds": ["nat-0a"],
  "nodeGroupNames": {"system": "system-nodes-dev-20261122000000000000000001", "app": "app-nodes-dev-20261122000000000000000002", "gpu": "gpu-nodes-dev-20261122000000000000000003"},
  "nodeSecurityGroupId": "sg-0node",
  "oidcProviderArn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF",
  "oidcProviderUrl": "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF",
  "privateSubnetIds": ["subnet-priv-a", "subnet-priv-b", "subnet-priv-c"],
  "publicSubnetIds": ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
  "region": "us-east-1",
  "updateKubeconfigCommand": "aws eks update-kubeconfig --region us-east-1 --name eks-platform-dev",
  "vpcCidr": "10.0.0.0/16",
  "vpcEndpointIds": {"s3": "vpce-s3", "ecr.api": "vpce-ecrapi", "sts": "vpce-sts"},
  "vpcId": "vpc-0abc",
  "workloadNamespaces": ["apps", "batch"]
}`

func sampleOutputs(t *testing.T) *Outputs {
	t.Helper()
	outputs, err := ParseOutputs([]byte(sampleOutputsJSON))
	if err != nil {
		t.Fatalf("sample outputs rejected: %v", err)
	}
	return outputs
}

// withOutput returns the sample outputs JSON with one key replaced (or removed for nil).
func withOutput(t *testing.T, key string, value any) []byte {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal([]byte(sampleOutputsJSON), &raw); err != nil {
		t.Fatal(err)
	}
	if value == nil {
		delete(raw, key)
	} else {
		raw[key] = value
	}
	data, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseOutputsAcceptsAStacksOutputs(t *testing.T) {
	o := sampleOutputs(t)
	if o.AccountID() != "111122223333" || o.NodeGroupNames["gpu"] != "gpu-nodes-dev-20261122000000000000000003" || o.VpcEndpointIDs["s3"] != "vpce-s3" {
		t.Fatalf("decoded %+v", o)
	}
	// ProgramTest hands outputs over in the engine's encoding, where a secret is an object.
	engineSecret := map[string]any{secretSignature: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "..."}
	if _, err := ParseOutputs(withOutput(t, "kubeconfig", engineSecret)); err != nil {
		t.Fatalf("engine-encoded secret kubeconfig rejected: %v", err)
	}
}

// TestParseOutputsRejects: every output the checks and operators rely on (X1) is required, and
// a broken one is named in the error.
func TestParseOutputsRejects(t *testing.T) {
	cases := []struct {
		key   string
		value any
		want  string
	}{
		{key: "clusterName", value: nil, want: "missing output clusterName"},
		{key: "kmsKeyArn", value: "", want: "missing output kmsKeyArn"},
		{key: "nodeGroupNames", value: map[string]string{}, want: "output nodeGroupNames is missing or empty"},
		{key: "natGatewayIds", value: nil, want: "output natGatewayIds is missing or empty"},
		{key: "region", value: "US-EAST-1", want: `region "US-EAST-1" does not match`},
		{key: "region", value: "eu-west-3", want: "clusterArn arn:aws:eks:us-east-1:111122223333:cluster/eks-platform-dev is not in region eu-west-3"},
		{key: "vpcEndpointIds", value: map[string]string{"sts": "vpce-sts"}, want: `vpcEndpointIds has no "s3" gateway endpoint (N3)`},
		{key: "updateKubeconfigCommand", value: "aws eks update-kubeconfig --name eks-platform-dev", want: `lacks "--region us-east-1"`},
		{key: "kubeconfig", value: `{"apiVersion":"v1"}`, want: "kubeconfig output is not marked secret (S6)"},
		{key: "kubeconfig", value: map[string]any{"apiVersion": "v1"}, want: "kubeconfig output is not marked secret (S6)"},
		{key: "kubeconfig", value: nil, want: "kubeconfig output is not marked secret (S6)"},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+strings.ReplaceAll(tc.want, " ", "_"), func(t *testing.T) {
			_, err := ParseOutputs(withOutput(t, tc.key, tc.value))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := ParseOutputs([]byte("Current stack outputs (3):")); err == nil || !strings.Contains(err.Error(), "not the JSON") {
		t.Fatalf("non-JSON outputs: error %v", err)
	}
}

func TestLoadOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.json")
	if err := os.WriteFile(path, []byte(sampleOutputsJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	if o, err := LoadOutputs(path); err != nil || o.ClusterName != "eks-platform-dev" {
		t.Fatalf("LoadOutputs: %+v, %v", o, err)
	}
	if _, err := LoadOutputs(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "reading stack outputs") {
		t.Fatalf("missing file: error %v", err)
	}
}

func TestAccountIDOfMalformedArn(t *testing.T) {
	if id := (&Outputs{ClusterArn: "not-an-arn"}).AccountID(); id != "" {
		t.Fatalf("AccountID = %q, want empty", id)
	}
}
