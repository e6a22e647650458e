// Package integration checks a deployed eks-platform stack against the real AWS resources and
// the Kubernetes API (STACK_SPEC X2). The checks are pure functions over AWS SDK types that
// return the problems they find, so the unit tests prove each one fails when its property
// breaks; the live tests feed them what AWS returns for the stack's outputs.
package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Outputs is the flat `pulumi stack output --json` of a stack (STACK_SPEC X1), as written by
// `scripts/stack.sh outputs <stack>`.
type Outputs struct {
	ClusterName             string            `json:"clusterName"`
	ClusterEndpoint         string            `json:"clusterEndpoint"`
	ClusterArn              string            `json:"clusterArn"`
	OIDCProviderArn         string            `json:"oidcProviderArn"`
	OIDCProviderURL         string            `json:"oidcProviderUrl"`
	Kubeconfig              json.RawMessage   `json:"kubeconfig"`
	UpdateKubeconfigCommand string            `json:"updateKubeconfigCommand"`
	VpcID                   string            `json:"vpcId"`
	VpcCidr                 string            `json:"vpcCidr"`
	PublicSubnetIDs         []string          `json:"publicSubnetIds"`
	PrivateSubnetIDs        []string          `json:"privateSubnetIds"`
	ClusterSecurityGroupID  string            `json:"clusterSecurityGroupId"`
	NodeSecurityGroupID     string            `json:"nodeSecurityGroupId"`
	KMSKeyArn               string            `json:"kmsKeyArn"`
	LogsKMSKeyArn           string            `json:"logsKmsKeyArn"`
	DataKMSKeyArn           string            `json:"dataKmsKeyArn"`
	NodeGroupNames          map[string]string `json:"nodeGroupNames"`
	IRSARoleArns            map[string]string `json:"irsaRoleArns"`
	LogGroupNames           map[string]string `json:"logGroupNames"`
	VpcEndpointIDs          map[string]string `json:"vpcEndpointIds"`
	NatGatewayIDs           []string          `json:"natGatewayIds"`
	DashboardName           string            `json:"dashboardName"`
	AlarmTopicArn           string            `json:"alarmTopicArn"`
	WorkloadNamespaces      []string          `json:"workloadNamespaces"`
	Environment             string            `json:"environment"`
	Region                  string            `json:"region"`
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)

// secretSignature marks a secret value in Pulumi's engine representation (what ProgramTest
// hands to its validation hook); `pulumi stack output --json` prints secrets as "[secret]".
const secretSignature = "4dabf18193072939515e22adb298388d"

// LoadOutputs reads and validates an outputs file.
func LoadOutputs(path string) (*Outputs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading stack outputs: %w", err)
	}
	return ParseOutputs(data)
}

// ParseOutputs decodes stack outputs and checks that every output the tests and operators rely
// on is present and consistent (X1), so a missing export fails with its name.
func ParseOutputs(data []byte) (*Outputs, error) {
	var o Outputs
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("stack outputs are not the JSON of `pulumi stack output --json`: %w", err)
	}
	if problems := o.problems(); len(problems) > 0 {
		return nil, fmt.Errorf("stack outputs: %s", strings.Join(problems, "; "))
	}
	return &o, nil
}

func (o *Outputs) problems() []string {
	var problems []string
	required := map[string]string{
		"clusterName": o.ClusterName, "clusterEndpoint": o.ClusterEndpoint, "clusterArn": o.ClusterArn,
		"oidcProviderArn": o.OIDCProviderArn, "oidcProviderUrl": o.OIDCProviderURL,
		"updateKubeconfigCommand": o.UpdateKubeconfigCommand, "vpcId": o.VpcID, "vpcCidr": o.VpcCidr,
		"clusterSecurityGroupId": o.ClusterSecurityGroupID, "nodeSecurityGroupId": o.NodeSecurityGroupID,
		"kmsKeyArn": o.KMSKeyArn, "logsKmsKeyArn": o.LogsKMSKeyArn, "dataKmsKeyArn": o.DataKMSKeyArn, "dashboardName": o.DashboardName, "alarmTopicArn": o.AlarmTopicArn,
		"environment": o.Environment, "region": o.Region,
	}
	lists := map[string]int{
		"publicSubnetIds": len(o.PublicSubnetIDs), "privateSubnetIds": len(o.PrivateSubnetIDs),
		"natGatewayIds": len(o.NatGatewayIDs), "workloadNamespaces": len(o.WorkloadNamespaces),
		"nodeGroupNames": len(o.NodeGroupNames), "irsaRoleArns": len(o.IRSARoleArns),
		"logGroupNames": len(o.LogGroupNames), "vpcEndpointIds": len(o.VpcEndpointIDs),
	}
	for _, name := range sortedKeys(required) {
		if required[name] == "" {
			problems = append(problems, "missing output "+name)
		}
	}
	for _, name := range sortedKeys(lists) {
		if lists[name] == 0 {
			problems = append(problems, "output "+name+" is missing or empty")
		}
	}
	if len(problems) > 0 {
		return problems
	}
	if !regionPattern.MatchString(o.Region) {
		problems = append(problems, fmt.Sprintf("region %q does not match %s (C2)", o.Region, regionPattern))
	}
	if !strings.Contains(o.ClusterArn, ":"+o.Region+":") {
		problems = append(problems, fmt.Sprintf("clusterArn %s is not in region %s", o.ClusterArn, o.Region))
	}
	if _, ok := o.VpcEndpointIDs["s3"]; !ok {
		problems = append(problems, `vpcEndpointIds has no "s3" gateway endpoint (N3)`)
	}
	for _, part := range []string{"aws eks update-kubeconfig", "--name " + o.ClusterName, "--region " + o.Region} {
		if !strings.Contains(o.UpdateKubeconfigCommand, part) {
			problems = append(problems, fmt.Sprintf("updateKubeconfigCommand %q lacks %q (X1)", o.UpdateKubeconfigCommand, part))
		}
	}
	if !isSecret(o.Kubeconfig) {
		problems = append(problems, "kubeconfig output is not marked secret (S6)")
	}
	return problems
}

// isSecret reports whether a JSON output value is a masked or engine-encoded secret.
func isSecret(value json.RawMessage) bool {
	var masked string
	if json.Unmarshal(value, &masked) == nil {
		return masked == "[secret]"
	}
	var encoded map[string]any
	if json.Unmarshal(value, &encoded) == nil {
		_, ok := encoded[secretSignature]
		return ok
	}
	return false
}

// AccountID is the AWS account of the stack, taken from the cluster ARN.
func (o *Outputs) AccountID() string {
	parts := strings.Split(o.ClusterArn, ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
