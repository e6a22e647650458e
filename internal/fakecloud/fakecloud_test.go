package fakecloud

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The EKS cluster pulumi-eks creates under the engine and the getCluster answer the program reads
// back describe one cluster, and the OIDC provider created for its issuer has the ARN that
// getOpenIdConnectProvider returns for that issuer: the engine run and the mocks see the same IDs.
func TestCreatedClusterMatchesItsDataSources(t *testing.T) {
	inputs := resource.NewPropertyMapFromMap(map[string]any{
		"name":      "eks-platform-dev",
		"vpcConfig": map[string]any{"endpointPrivateAccess": true, "endpointPublicAccess": false, "subnetIds": []any{"subnet-a"}},
	})
	id, cluster := Create(Resource{Type: "aws:eks/cluster:Cluster", Name: "eks-dev-eksCluster", Custom: true, Inputs: inputs, Region: "eu-west-1"})
	described, err := Invoke("aws:eks/getCluster:getCluster", resource.PropertyMap{"name": resource.NewStringProperty("eks-platform-dev")}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if id != "eks-platform-dev" {
		t.Errorf("cluster ID %q, want its name", id)
	}
	for _, key := range []resource.PropertyKey{"arn", "endpoint", "identities"} {
		if !cluster[key].DeepEquals(described[key]) {
			t.Errorf("%s: created %v, described %v", key, cluster[key], described[key])
		}
	}
	if !cluster["certificateAuthority"].DeepEquals(described["certificateAuthorities"].ArrayValue()[0]) {
		t.Errorf("certificate authority: created %v, described %v", cluster["certificateAuthority"], described["certificateAuthorities"])
	}
	vpc := cluster["vpcConfig"].ObjectValue()
	if vpc["endpointPublicAccess"].BoolValue() || len(vpc["subnetIds"].ArrayValue()) != 1 ||
		!vpc["clusterSecurityGroupId"].DeepEquals(described["vpcConfig"].ObjectValue()["clusterSecurityGroupId"]) {
		t.Errorf("vpcConfig %v: the inputs must stay, EKS adds the cluster security group", vpc)
	}

	issuer := String(described["identities"].ArrayValue()[0].ObjectValue()["oidcs"].ArrayValue()[0].ObjectValue(), "issuer")
	if !strings.HasPrefix(issuer, "https://oidc.eks.eu-west-1.amazonaws.com/id/") {
		t.Fatalf("issuer %q", issuer)
	}
	_, provider := Create(Resource{Type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", Name: "eks-dev-oidcProvider", Custom: true,
		Inputs: resource.PropertyMap{"url": resource.NewStringProperty(issuer)}, Region: "eu-west-1"})
	lookedUp, err := Invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", resource.PropertyMap{"url": resource.NewStringProperty(issuer)}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:iam::" + AccountID + ":oidc-provider/" + strings.TrimPrefix(issuer, "https://")
	if String(provider, "arn") != want || String(lookedUp, "arn") != want {
		t.Errorf("OIDC provider ARN: created %q, looked up %q, want %q", String(provider, "arn"), String(lookedUp, "arn"), want)
	}
}

// A data source the fake cloud cannot answer fails, naming itself and what it can answer.
func TestUnknownDataSourceFails(t *testing.T) {
	_, err := Invoke("aws:ec2/getAmi:getAmi", nil, DefaultRegion)
	if err == nil || !strings.Contains(err.Error(), "aws:ec2/getAmi:getAmi") || !strings.Contains(err.Error(), "aws:index/getRegion:getRegion") {
		t.Errorf("error %v", err)
	}
}
