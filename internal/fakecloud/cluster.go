package fakecloud

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The EKS cluster and what the program reads back about it. Under the Go SDK mocks pulumi-eks'
// Cluster is a remote component that creates nothing (pulumi/pulumi#12553): only its plain
// outputs are answered. Under the real engine pulumi-eks creates the aws:eks/cluster:Cluster and
// the OIDC provider itself, and they get the same computed values that the getCluster and
// getOpenIdConnectProvider data sources return, so whichever path the program takes, it reads one
// cluster.
//
// `core` fails to decode once the cluster has an access entry, as in AWS. The real pulumi-eks v2
// sends core.accessEntries as resource references to aws:eks/accessEntry:AccessEntry where its Go
// SDK's schema type expects eks:index:AccessEntry objects (pulumi/pulumi-eks#1435, fix open in
// #1481), so every resource that waits on `core` fails ("expected a eks.AccessEntry, got a
// resource of type *eks.AccessEntry"), seen in the engine run. The mocks cannot answer those
// references (the component's children are not registered with them), so each entry is answered
// by its principal ARN, a string, which the SDK refuses in the same place, for the same reason:
// a value that is not an eks.AccessEntry.
func init() {
	registerOutputs("eks:index:Cluster", func(r Resource, state resource.PropertyMap) {
		name := String(r.Inputs, "name")
		endpoint := clusterEndpoint(name, r.Region)
		entries := []resource.PropertyValue{}
		if v, ok := r.Inputs["accessEntries"]; ok && v.IsObject() {
			for _, key := range v.ObjectValue().StableKeys() {
				entries = append(entries, resource.NewStringProperty(String(v.ObjectValue()[key].ObjectValue(), "principalArn")))
			}
		}
		state["core"] = resource.NewObjectProperty(resource.PropertyMap{
			"endpoint":      resource.NewStringProperty(endpoint),
			"vpcId":         resource.NewStringProperty(String(r.Inputs, "vpcId")),
			"accessEntries": resource.NewArrayProperty(entries),
		})
		state["kubeconfigJson"] = resource.NewStringProperty(fmt.Sprintf(
			`{"apiVersion":"v1","kind":"Config","clusters":[{"name":%q,"cluster":{"server":%q}}]}`, name, endpoint))
	})

	registerOutputs("aws:eks/cluster:Cluster", func(r Resource, state resource.PropertyMap) {
		name := String(r.Inputs, "name")
		if name == "" {
			name = r.Name
		}
		computed := resource.NewPropertyMapFromMap(describedCluster(name, r.Region))
		// The inputs' vpcConfig (subnets, security groups, endpoint access) stays as given; EKS adds
		// the cluster security group and the VPC.
		vpcConfig := resource.PropertyMap{}
		if v, ok := state["vpcConfig"]; ok && v.IsObject() {
			vpcConfig = v.ObjectValue().Copy()
		}
		for key, value := range computed["vpcConfig"].ObjectValue() {
			if key != "endpointPrivateAccess" {
				vpcConfig[key] = value
			}
		}
		computed["vpcConfig"] = resource.NewObjectProperty(vpcConfig)
		computed["id"] = resource.NewStringProperty(name)
		for key, value := range computed {
			state[key] = value
		}
		// The resource has one certificate authority; the data source returns a list.
		state["certificateAuthority"] = computed["certificateAuthorities"].ArrayValue()[0]
		delete(state, "certificateAuthorities")
	})

	registerOutputs("aws:iam/openIdConnectProvider:OpenIdConnectProvider", func(r Resource, state resource.PropertyMap) {
		arn := oidcProviderARN(String(r.Inputs, "url"))
		state["id"] = resource.NewStringProperty(arn)
		state["arn"] = resource.NewStringProperty(arn)
	})

	registerInvoke("aws:eks/getCluster:getCluster", func(args resource.PropertyMap, region string) (resource.PropertyMap, error) {
		name := String(args, "name")
		if name == "" {
			return nil, fmt.Errorf("getCluster needs a cluster name")
		}
		described := describedCluster(name, region)
		described["id"] = name
		return resource.NewPropertyMapFromMap(described), nil
	})

	registerInvoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
		func(args resource.PropertyMap, _ string) (resource.PropertyMap, error) {
			url := String(args, "url")
			if url == "" {
				return nil, fmt.Errorf("getOpenIdConnectProvider needs a url")
			}
			arn := oidcProviderARN(url)
			return resource.NewPropertyMapFromMap(map[string]any{
				"id":            arn,
				"arn":           arn,
				"url":           strings.TrimPrefix(url, "https://"),
				"clientIdLists": []any{"sts.amazonaws.com"},
			}), nil
		})
}

// describedCluster is what EKS says about a freshly created cluster of that name.
func describedCluster(name, region string) map[string]any {
	return map[string]any{
		"name":     name,
		"arn":      fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, AccountID, name),
		"endpoint": clusterEndpoint(name, region),
		"status":   "ACTIVE",
		"certificateAuthorities": []any{map[string]any{
			"data": base64.StdEncoding.EncodeToString([]byte(
				"-----BEGIN CERTIFICATE-----\nMOCK-" + name + "\n-----END CERTIFICATE-----\n")),
		}},
		"identities": []any{map[string]any{
			"oidcs": []any{map[string]any{"issuer": clusterIssuer(name, region)}},
		}},
		"vpcConfig": map[string]any{
			"clusterSecurityGroupId": ID("aws:ec2/securityGroup:SecurityGroup", "eks-cluster-sg-"+name),
			"endpointPrivateAccess":  true,
		},
	}
}

// clusterID is the 32-character upper-case hex ID EKS puts in a cluster's endpoint and issuer,
// derived from the name so every answer about one cluster agrees.
func clusterID(name string) string {
	sum := sha256.Sum256([]byte("eks-cluster/" + name))
	return strings.ToUpper(hex.EncodeToString(sum[:16]))
}

func clusterEndpoint(name, region string) string {
	return fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", clusterID(name), region)
}

func clusterIssuer(name, region string) string {
	return fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", region, clusterID(name))
}

// oidcProviderARN is IAM's ARN of the OIDC provider for an issuer URL (with or without scheme).
func oidcProviderARN(url string) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, strings.TrimPrefix(url, "https://"))
}
