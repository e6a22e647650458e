package integration

import (
	"fmt"
	"slices"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// controlPlaneLogTypes are the five EKS control-plane log types K2 requires.
var controlPlaneLogTypes = []ekstypes.LogType{
	ekstypes.LogTypeApi, ekstypes.LogTypeAudit, ekstypes.LogTypeAuthenticator,
	ekstypes.LogTypeControllerManager, ekstypes.LogTypeScheduler,
}

// bottlerocketDevices are Bottlerocket's OS and data volumes; both must be gp3 and encrypted (G2).
var bottlerocketDevices = []string{"/dev/xvda", "/dev/xvdb"}

// CheckCluster verifies the live cluster against the outputs: KMS envelope encryption of secrets
// with the secrets key (K1, S1), all five log types (K2), private endpoint access with public
// access off or limited (S2), access entries instead of aws-auth (K1).
func CheckCluster(c *ekstypes.Cluster, o *Outputs) []string {
	if c == nil {
		return []string{"cluster not described"}
	}
	var problems []string
	if value(c.Name) != o.ClusterName {
		problems = append(problems, fmt.Sprintf("cluster name %q, outputs say %q", value(c.Name), o.ClusterName))
	}
	if value(c.Endpoint) != o.ClusterEndpoint {
		problems = append(problems, fmt.Sprintf("cluster endpoint %q, outputs say %q", value(c.Endpoint), o.ClusterEndpoint))
	}
	if c.Status != ekstypes.ClusterStatusActive {
		problems = append(problems, fmt.Sprintf("cluster status %s, want ACTIVE", c.Status))
	}

	encryptsSecrets := false
	for _, config := range c.EncryptionConfig {
		if config.Provider != nil && value(config.Provider.KeyArn) == o.KMSKeyArn && slices.Contains(config.Resources, "secrets") {
			encryptsSecrets = true
		}
	}
	if !encryptsSecrets {
		problems = append(problems, fmt.Sprintf("secrets are not envelope-encrypted with kmsKeyArn %s (K1, S1)", o.KMSKeyArn))
	}

	enabled := map[ekstypes.LogType]bool{}
	if c.Logging != nil {
		for _, setup := range c.Logging.ClusterLogging {
			for _, logType := range setup.Types {
				enabled[logType] = enabled[logType] || value(setup.Enabled)
			}
		}
	}
	for _, logType := range controlPlaneLogTypes {
		if !enabled[logType] {
			problems = append(problems, fmt.Sprintf("control-plane log type %s is not enabled (K2)", logType))
		}
	}

	vpc := c.ResourcesVpcConfig
	if vpc == nil {
		return append(problems, "cluster has no VPC configuration")
	}
	if value(vpc.VpcId) != o.VpcID {
		problems = append(problems, fmt.Sprintf("cluster VPC %s, outputs say %s", value(vpc.VpcId), o.VpcID))
	}
	if !vpc.EndpointPrivateAccess {
		problems = append(problems, "endpoint private access is off (S2)")
	}
	if vpc.EndpointPublicAccess {
		if len(vpc.PublicAccessCidrs) == 0 {
			problems = append(problems, "public endpoint has no CIDR list (S2)")
		}
		if o.Environment == "prod" && slices.Contains(vpc.PublicAccessCidrs, "0.0.0.0/0") {
			problems = append(problems, "prod public endpoint is open to 0.0.0.0/0 (S2, C4)")
		}
	}
	clusterGroups := append([]string{value(vpc.ClusterSecurityGroupId)}, vpc.SecurityGroupIds...)
	if !slices.Contains(clusterGroups, o.ClusterSecurityGroupID) {
		problems = append(problems, fmt.Sprintf("clusterSecurityGroupId %s is not one of the cluster's groups %v", o.ClusterSecurityGroupID, clusterGroups))
	}
	if c.AccessConfig == nil || c.AccessConfig.AuthenticationMode != ekstypes.AuthenticationModeApi {
		mode := ekstypes.AuthenticationMode("")
		if c.AccessConfig != nil {
			mode = c.AccessConfig.AuthenticationMode
		}
		problems = append(problems, fmt.Sprintf("authentication mode %q, want API (access entries, K1)", mode))
	}
	return problems
}

// CheckNodegroup verifies a managed node group and the launch template version it runs:
// Bottlerocket through amiType with no image ID in the template, both volumes gp3 and encrypted
// with the data key,
// IMDSv2 required (G2), nodes in the private subnets only (G1).
func CheckNodegroup(ng *ekstypes.Nodegroup, template *ec2types.ResponseLaunchTemplateData, o *Outputs) []string {
	if ng == nil {
		return []string{"node group not described"}
	}
	name := value(ng.NodegroupName)
	var problems []string
	if !strings.HasPrefix(string(ng.AmiType), "BOTTLEROCKET_") {
		problems = append(problems, fmt.Sprintf("node group %s amiType %s, want BOTTLEROCKET_* (G2)", name, ng.AmiType))
	}
	for _, subnet := range ng.Subnets {
		if !slices.Contains(o.PrivateSubnetIDs, subnet) {
			problems = append(problems, fmt.Sprintf("node group %s uses subnet %s, which is not a private subnet (G1)", name, subnet))
		}
	}
	if ng.LaunchTemplate == nil {
		return append(problems, fmt.Sprintf("node group %s has no launch template (G2)", name))
	}
	if template == nil {
		return append(problems, fmt.Sprintf("launch template of node group %s not described", name))
	}
	if id := value(template.ImageId); id != "" {
		problems = append(problems, fmt.Sprintf("node group %s launch template pins image %s; EKS must pick the AMI from amiType (G2)", name, id))
	}
	for _, device := range bottlerocketDevices {
		problems = append(problems, checkVolume(name, device, template.BlockDeviceMappings, o.DataKMSKeyArn)...)
	}
	if template.MetadataOptions == nil || template.MetadataOptions.HttpTokens != ec2types.LaunchTemplateHttpTokensStateRequired {
		problems = append(problems, fmt.Sprintf("node group %s launch template does not require IMDSv2 (G2)", name))
	}
	return problems
}

func checkVolume(group, device string, mappings []ec2types.LaunchTemplateBlockDeviceMapping, dataKey string) []string {
	for _, mapping := range mappings {
		if value(mapping.DeviceName) != device {
			continue
		}
		if mapping.Ebs == nil {
			return []string{fmt.Sprintf("node group %s volume %s is not EBS (G2)", group, device)}
		}
		var problems []string
		if mapping.Ebs.VolumeType != ec2types.VolumeTypeGp3 {
			problems = append(problems, fmt.Sprintf("node group %s volume %s type %q, want gp3 (G2)", group, device, mapping.Ebs.VolumeType))
		}
		if !value(mapping.Ebs.Encrypted) {
			problems = append(problems, fmt.Sprintf("node group %s volume %s is not encrypted (G2)", group, device))
		} else if key := value(mapping.Ebs.KmsKeyId); key != dataKey {
			// Keys by duty (issue 22): node volumes are the data key's, never the account's
			// default EBS key or another duty's.
			problems = append(problems, fmt.Sprintf("node group %s volume %s is encrypted with %q, want the data key %s (issue 22)", group, device, key, dataKey))
		}
		return problems
	}
	return []string{fmt.Sprintf("node group %s launch template has no %s volume (G2)", group, device)}
}

// CheckVPCEndpoints verifies every endpoint in the outputs: available, in the stack's VPC, the
// "s3" one a gateway endpoint on route tables, the others interface endpoints with private DNS
// in the private subnets (N3).
func CheckVPCEndpoints(endpoints []ec2types.VpcEndpoint, o *Outputs) []string {
	byID := map[string]ec2types.VpcEndpoint{}
	for _, endpoint := range endpoints {
		byID[value(endpoint.VpcEndpointId)] = endpoint
	}
	var problems []string
	for _, service := range sortedKeys(o.VpcEndpointIDs) {
		id := o.VpcEndpointIDs[service]
		endpoint, ok := byID[id]
		if !ok {
			problems = append(problems, fmt.Sprintf("VPC endpoint %s (%s) does not exist (N3)", id, service))
			continue
		}
		if !strings.EqualFold(string(endpoint.State), "available") {
			problems = append(problems, fmt.Sprintf("VPC endpoint %s (%s) is %s, want available", id, service, endpoint.State))
		}
		if value(endpoint.VpcId) != o.VpcID {
			problems = append(problems, fmt.Sprintf("VPC endpoint %s (%s) is in VPC %s, not %s", id, service, value(endpoint.VpcId), o.VpcID))
		}
		if !strings.HasSuffix(value(endpoint.ServiceName), "."+service) {
			problems = append(problems, fmt.Sprintf("VPC endpoint %s is for %s, outputs say %s", id, value(endpoint.ServiceName), service))
		}
		if service == "s3" {
			if endpoint.VpcEndpointType != ec2types.VpcEndpointTypeGateway || len(endpoint.RouteTableIds) == 0 {
				problems = append(problems, fmt.Sprintf("s3 endpoint %s is %s on %d route tables, want a gateway endpoint on the private route tables (N3)", id, endpoint.VpcEndpointType, len(endpoint.RouteTableIds)))
			}
			continue
		}
		if endpoint.VpcEndpointType != ec2types.VpcEndpointTypeInterface || !value(endpoint.PrivateDnsEnabled) {
			problems = append(problems, fmt.Sprintf("%s endpoint %s is %s with private DNS %t, want an interface endpoint with private DNS (N3)", service, id, endpoint.VpcEndpointType, value(endpoint.PrivateDnsEnabled)))
		}
		for _, subnet := range endpoint.SubnetIds {
			if !slices.Contains(o.PrivateSubnetIDs, subnet) {
				problems = append(problems, fmt.Sprintf("%s endpoint %s is in subnet %s, not a private subnet (N3)", service, id, subnet))
			}
		}
	}
	return problems
}

// CheckNATGateways verifies that the available NAT gateways of the VPC are exactly the ones in
// the outputs (the configured count, N2) and sit in public subnets.
func CheckNATGateways(gateways []ec2types.NatGateway, o *Outputs) []string {
	var problems, live []string
	for _, gateway := range gateways {
		if gateway.State != ec2types.NatGatewayStateAvailable || value(gateway.VpcId) != o.VpcID {
			continue
		}
		id := value(gateway.NatGatewayId)
		live = append(live, id)
		if !slices.Contains(o.PublicSubnetIDs, value(gateway.SubnetId)) {
			problems = append(problems, fmt.Sprintf("NAT gateway %s is in subnet %s, not a public subnet (N2)", id, value(gateway.SubnetId)))
		}
	}
	want := slices.Sorted(slices.Values(o.NatGatewayIDs))
	slices.Sort(live)
	if !slices.Equal(live, want) {
		problems = append(problems, fmt.Sprintf("VPC %s has %d available NAT gateways %v, outputs list %d %v (N2)", o.VpcID, len(live), live, len(want), want))
	}
	return problems
}

// CheckPodSecurityLabels verifies a workload namespace's Pod Security Standards labels (S4):
// enforce restricted in prod and at least baseline elsewhere, audit and warn restricted, every
// mode with its version pinned.
func CheckPodSecurityLabels(namespace string, labels map[string]string, environment string) []string {
	const prefix = "pod-security.kubernetes.io/"
	var problems []string
	allowedEnforce := []string{"baseline", "restricted"}
	if environment == "prod" {
		allowedEnforce = []string{"restricted"}
	}
	wanted := map[string][]string{"enforce": allowedEnforce, "audit": {"restricted"}, "warn": {"restricted"}}
	for _, mode := range sortedKeys(wanted) {
		if level := labels[prefix+mode]; !slices.Contains(wanted[mode], level) {
			problems = append(problems, fmt.Sprintf("namespace %s label %s%s=%q, want one of %v (S4)", namespace, prefix, mode, level, wanted[mode]))
		}
		if labels[prefix+mode+"-version"] == "" {
			problems = append(problems, fmt.Sprintf("namespace %s has no %s%s-version label (S4)", namespace, prefix, mode))
		}
	}
	return problems
}

// CheckLogGroup verifies that a platform log group is encrypted with the logs key and has a
// retention (K2, O3, issue 22).
func CheckLogGroup(name string, retentionDays *int32, kmsKeyID string, o *Outputs) []string {
	var problems []string
	if retentionDays == nil || *retentionDays <= 0 {
		problems = append(problems, fmt.Sprintf("log group %s keeps logs forever; want a retention (O3)", name))
	}
	if kmsKeyID != o.LogsKMSKeyArn {
		problems = append(problems, fmt.Sprintf("log group %s is encrypted with %q, want logsKmsKeyArn %s (O3, issue 22)", name, kmsKeyID, o.LogsKMSKeyArn))
	}
	return problems
}

func value[T any](pointer *T) T {
	var zero T
	if pointer == nil {
		return zero
	}
	return *pointer
}
