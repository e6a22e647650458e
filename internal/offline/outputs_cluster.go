package offline

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The cluster package reads pulumi-eks' Cluster, a remote component: under mocks only
// eks:index:Cluster itself is registered, not the EKS cluster, roles and OIDC provider it creates
// in the eks provider plugin. Its plain `core.endpoint` output is answered here, and the values
// the package reads back through the getCluster and getOpenIdConnectProvider data sources are
// answered as a freshly created cluster of that name would answer them.
func init() {
	RegisterOutputs("eks:index:Cluster", func(args pulumi.MockResourceArgs, region string, state resource.PropertyMap) {
		name := eksMockString(args.Inputs, "name")
		state["core"] = resource.NewObjectProperty(resource.NewPropertyMapFromMap(map[string]any{
			"endpoint": eksMockEndpoint(name, region),
			"vpcId":    eksMockString(args.Inputs, "vpcId"),
		}))
	})

	RegisterCall("aws:eks/getCluster:getCluster", func(args pulumi.MockCallArgs, region string) (resource.PropertyMap, error) {
		name := eksMockString(args.Args, "name")
		if name == "" {
			return nil, fmt.Errorf("getCluster needs a cluster name")
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":       name,
			"name":     name,
			"arn":      fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, AccountID, name),
			"endpoint": eksMockEndpoint(name, region),
			"status":   "ACTIVE",
			"certificateAuthorities": []any{map[string]any{
				"data": base64.StdEncoding.EncodeToString([]byte(
					"-----BEGIN CERTIFICATE-----\nMOCK-" + name + "\n-----END CERTIFICATE-----\n")),
			}},
			"identities": []any{map[string]any{
				"oidcs": []any{map[string]any{"issuer": eksMockIssuer(name, region)}},
			}},
			"vpcConfig": map[string]any{
				"clusterSecurityGroupId": MockID("aws:ec2/securityGroup:SecurityGroup", "eks-cluster-sg-"+name),
				"endpointPrivateAccess":  true,
			},
		}), nil
	})

	RegisterCall("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
		func(args pulumi.MockCallArgs, _ string) (resource.PropertyMap, error) {
			hostPath := strings.TrimPrefix(eksMockString(args.Args, "url"), "https://")
			if hostPath == "" {
				return nil, fmt.Errorf("getOpenIdConnectProvider needs a url")
			}
			return resource.NewPropertyMapFromMap(map[string]any{
				"id":            fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, hostPath),
				"arn":           fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, hostPath),
				"url":           hostPath,
				"clientIdLists": []any{"sts.amazonaws.com"},
			}), nil
		})
}

// eksMockClusterID is the 32-character upper-case hex ID EKS puts in a cluster's endpoint and
// issuer, derived from the name so every answer about one cluster agrees.
func eksMockClusterID(name string) string {
	sum := sha256.Sum256([]byte("eks-cluster/" + name))
	return strings.ToUpper(hex.EncodeToString(sum[:16]))
}

func eksMockEndpoint(name, region string) string {
	return fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", eksMockClusterID(name), region)
}

func eksMockIssuer(name, region string) string {
	return fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", region, eksMockClusterID(name))
}

// eksMockString returns a known string property, looking through secrets and outputs.
func eksMockString(props resource.PropertyMap, key resource.PropertyKey) string {
	v, ok := props[key]
	for ok {
		switch {
		case v.IsString():
			return v.StringValue()
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			ok = false
		}
	}
	return ""
}
