package cluster

import "encoding/json"

// kubeconfigJSON returns the kubeconfig `aws eks update-kubeconfig` would write. It names the
// region explicitly: the kubeconfig of pulumi-eks v2 does not (pulumi-eks issue #1038), so its
// token command fails or asks the wrong region when the caller's AWS CLI has no default region
// and the stack's region comes from `aws:region`.
func kubeconfigJSON(clusterName, endpoint, certificateAuthority, region string) (string, error) {
	config := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": clusterName,
		"clusters": []any{map[string]any{
			"name": clusterName,
			"cluster": map[string]any{
				"server":                     endpoint,
				"certificate-authority-data": certificateAuthority,
			},
		}},
		"contexts": []any{map[string]any{
			"name":    clusterName,
			"context": map[string]any{"cluster": clusterName, "user": clusterName},
		}},
		"users": []any{map[string]any{
			"name": clusterName,
			"user": map[string]any{"exec": map[string]any{
				"apiVersion": "client.authentication.k8s.io/v1beta1",
				"command":    "aws",
				"args": []string{"--region", region, "eks", "get-token",
					"--cluster-name", clusterName, "--output", "json"},
			}},
		}},
	}
	out, err := json.Marshal(config)
	return string(out), err
}
