package integration

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// Each check is proven twice: a resource shaped as the spec demands passes, and every single
// broken property is reported with its R-ID.

func expectProblems(t *testing.T, problems []string, want string) {
	t.Helper()
	if want == "" {
		if len(problems) > 0 {
			t.Fatalf("unexpected problems %q", problems)
		}
		return
	}
	for _, problem := range problems {
		if strings.Contains(problem, want) {
			return
		}
	}
	t.Fatalf("problems %q, want one containing %q", problems, want)
}

func goodCluster(o *Outputs) *ekstypes.Cluster {
	return &ekstypes.Cluster{
		Name:     aws.String(o.ClusterName),
		Endpoint: aws.String(o.ClusterEndpoint),
		Status:   ekstypes.ClusterStatusActive,
		EncryptionConfig: []ekstypes.EncryptionConfig{{
			Provider: &ekstypes.Provider{KeyArn: aws.String(o.KMSKeyArn)}, Resources: []string{"secrets"},
		}},
		Logging: &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{
			{Enabled: aws.Bool(true), Types: controlPlaneLogTypes},
		}},
		ResourcesVpcConfig: &ekstypes.VpcConfigResponse{
			VpcId:                  aws.String(o.VpcID),
			EndpointPrivateAccess:  true,
			EndpointPublicAccess:   true,
			PublicAccessCidrs:      []string{"203.0.113.0/24"},
			ClusterSecurityGroupId: aws.String("sg-eks-managed"),
			SecurityGroupIds:       []string{o.ClusterSecurityGroupID},
		},
		AccessConfig: &ekstypes.AccessConfigResponse{AuthenticationMode: ekstypes.AuthenticationModeApi},
	}
}

func TestCheckCluster(t *testing.T) {
	cases := []struct {
		name        string
		environment string
		breakIt     func(*ekstypes.Cluster)
		want        string
	}{
		{name: "as specified", breakIt: func(*ekstypes.Cluster) {}},
		{name: "public access off", breakIt: func(c *ekstypes.Cluster) {
			c.ResourcesVpcConfig.EndpointPublicAccess = false
			c.ResourcesVpcConfig.PublicAccessCidrs = nil
		}},
		{name: "dev may open to the world", breakIt: func(c *ekstypes.Cluster) { c.ResourcesVpcConfig.PublicAccessCidrs = []string{"0.0.0.0/0"} }},
		{name: "not described", breakIt: nil, want: "cluster not described"},
		{name: "other name", breakIt: func(c *ekstypes.Cluster) { c.Name = aws.String("other") }, want: `cluster name "other"`},
		{name: "other endpoint", breakIt: func(c *ekstypes.Cluster) { c.Endpoint = aws.String("https://x") }, want: `cluster endpoint "https://x"`},
		{name: "updating", breakIt: func(c *ekstypes.Cluster) { c.Status = ekstypes.ClusterStatusUpdating }, want: "cluster status UPDATING"},
		{name: "no encryption", breakIt: func(c *ekstypes.Cluster) { c.EncryptionConfig = nil }, want: "not envelope-encrypted with kmsKeyArn"},
		{name: "another key", breakIt: func(c *ekstypes.Cluster) {
			c.EncryptionConfig[0].Provider.KeyArn = aws.String("arn:aws:kms:us-east-1:111122223333:key/other")
		}, want: "(K1, S1)"},
		{name: "scheduler log off", breakIt: func(c *ekstypes.Cluster) {
			c.Logging.ClusterLogging = []ekstypes.LogSetup{
				{Enabled: aws.Bool(true), Types: controlPlaneLogTypes[:4]},
				{Enabled: aws.Bool(false), Types: []ekstypes.LogType{ekstypes.LogTypeScheduler}},
			}
		}, want: "control-plane log type scheduler is not enabled (K2)"},
		{name: "no logging", breakIt: func(c *ekstypes.Cluster) { c.Logging = nil }, want: "log type api is not enabled (K2)"},
		{name: "no VPC config", breakIt: func(c *ekstypes.Cluster) { c.ResourcesVpcConfig = nil }, want: "no VPC configuration"},
		{name: "other VPC", breakIt: func(c *ekstypes.Cluster) { c.ResourcesVpcConfig.VpcId = aws.String("vpc-other") }, want: "cluster VPC vpc-other"},
		{name: "private access off", breakIt: func(c *ekstypes.Cluster) { c.ResourcesVpcConfig.EndpointPrivateAccess = false }, want: "endpoint private access is off (S2)"},
		{name: "public without CIDRs", breakIt: func(c *ekstypes.Cluster) { c.ResourcesVpcConfig.PublicAccessCidrs = nil }, want: "public endpoint has no CIDR list (S2)"},
		{name: "prod open to the world", environment: "prod", breakIt: func(c *ekstypes.Cluster) {
			c.ResourcesVpcConfig.PublicAccessCidrs = []string{"10.1.0.0/16", "0.0.0.0/0"}
		}, want: "prod public endpoint is open to 0.0.0.0/0"},
		{name: "security group not the cluster's", breakIt: func(c *ekstypes.Cluster) { c.ResourcesVpcConfig.SecurityGroupIds = nil }, want: "clusterSecurityGroupId sg-0cluster is not one of"},
		{name: "aws-auth ConfigMap mode", breakIt: func(c *ekstypes.Cluster) {
			c.AccessConfig.AuthenticationMode = ekstypes.AuthenticationModeApiAndConfigMap
		}, want: `authentication mode "API_AND_CONFIG_MAP", want API`},
		{name: "no access config", breakIt: func(c *ekstypes.Cluster) { c.AccessConfig = nil }, want: `authentication mode "", want API`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := sampleOutputs(t)
			if tc.environment != "" {
				o.Environment = tc.environment
			}
			var cluster *ekstypes.Cluster
			if tc.breakIt != nil {
				cluster = goodCluster(o)
				tc.breakIt(cluster)
			}
			expectProblems(t, CheckCluster(cluster, o), tc.want)
		})
	}
}

func goodNodegroup(o *Outputs) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
	volume := func(device string) ec2types.LaunchTemplateBlockDeviceMapping {
		return ec2types.LaunchTemplateBlockDeviceMapping{
			DeviceName: aws.String(device),
			Ebs: &ec2types.LaunchTemplateEbsBlockDevice{VolumeType: ec2types.VolumeTypeGp3, Encrypted: aws.Bool(true),
				KmsKeyId: aws.String(o.DataKMSKeyArn)},
		}
	}
	return &ekstypes.Nodegroup{
			NodegroupName:  aws.String("system-dev"),
			AmiType:        ekstypes.AMITypesBottlerocketX8664,
			Subnets:        o.PrivateSubnetIDs,
			LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: aws.String("lt-1"), Version: aws.String("1")},
		}, &ec2types.ResponseLaunchTemplateData{
			BlockDeviceMappings: []ec2types.LaunchTemplateBlockDeviceMapping{volume("/dev/xvda"), volume("/dev/xvdb")},
			MetadataOptions:     &ec2types.LaunchTemplateInstanceMetadataOptions{HttpTokens: ec2types.LaunchTemplateHttpTokensStateRequired},
		}
}

func TestCheckNodegroup(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData)
		want    string
	}{
		{name: "as specified"},
		{name: "NVIDIA Bottlerocket", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			ng.AmiType = ekstypes.AMITypesBottlerocketX8664Nvidia
			return ng, lt
		}},
		{name: "not described", breakIt: func(*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			return nil, nil
		}, want: "node group not described"},
		{name: "Amazon Linux", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			ng.AmiType = ekstypes.AMITypesAl2023X8664Standard
			return ng, lt
		}, want: "amiType AL2023_x86_64_STANDARD, want BOTTLEROCKET_* (G2)"},
		{name: "public subnet", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			ng.Subnets = []string{"subnet-priv-a", "subnet-pub-a"}
			return ng, lt
		}, want: "uses subnet subnet-pub-a, which is not a private subnet (G1)"},
		{name: "no launch template", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			ng.LaunchTemplate = nil
			return ng, lt
		}, want: "has no launch template (G2)"},
		{name: "template not described", breakIt: func(ng *ekstypes.Nodegroup, _ *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			return ng, nil
		}, want: "launch template of node group system-dev not described"},
		{name: "hard image ID (the seed's template)", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.ImageId = aws.String("ami-0123")
			return ng, lt
		}, want: "pins image ami-0123"},
		{name: "only the OS volume (the seed's template)", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.BlockDeviceMappings = lt.BlockDeviceMappings[:1]
			return ng, lt
		}, want: "has no /dev/xvdb volume (G2)"},
		{name: "gp2 data volume", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.BlockDeviceMappings[1].Ebs.VolumeType = ec2types.VolumeTypeGp2
			return ng, lt
		}, want: `volume /dev/xvdb type "gp2", want gp3 (G2)`},
		{name: "unencrypted OS volume", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.BlockDeviceMappings[0].Ebs.Encrypted = nil
			return ng, lt
		}, want: "volume /dev/xvda is not encrypted (G2)"},
		{name: "data volume under the account's default EBS key", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.BlockDeviceMappings[1].Ebs.KmsKeyId = nil
			return ng, lt
		}, want: `volume /dev/xvdb is encrypted with "", want the data key`},
		{name: "OS volume under the secrets key", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.BlockDeviceMappings[0].Ebs.KmsKeyId = aws.String("arn:aws:kms:us-east-1:111122223333:key/secrets")
			return ng, lt
		}, want: `volume /dev/xvda is encrypted with "arn:aws:kms:us-east-1:111122223333:key/secrets"`},
		{name: "instance-store volume", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.BlockDeviceMappings[1].Ebs = nil
			return ng, lt
		}, want: "volume /dev/xvdb is not EBS (G2)"},
		{name: "IMDSv1 allowed", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.MetadataOptions.HttpTokens = ec2types.LaunchTemplateHttpTokensStateOptional
			return ng, lt
		}, want: "does not require IMDSv2 (G2)"},
		{name: "no metadata options", breakIt: func(ng *ekstypes.Nodegroup, lt *ec2types.ResponseLaunchTemplateData) (*ekstypes.Nodegroup, *ec2types.ResponseLaunchTemplateData) {
			lt.MetadataOptions = nil
			return ng, lt
		}, want: "does not require IMDSv2 (G2)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := sampleOutputs(t)
			ng, lt := goodNodegroup(o)
			if tc.breakIt != nil {
				ng, lt = tc.breakIt(ng, lt)
			}
			expectProblems(t, CheckNodegroup(ng, lt, o), tc.want)
		})
	}
}

func goodEndpoints(o *Outputs) []ec2types.VpcEndpoint {
	endpoints := []ec2types.VpcEndpoint{{
		VpcEndpointId: aws.String("vpce-s3"), VpcId: aws.String(o.VpcID), State: "available",
		ServiceName: aws.String("com.amazonaws.us-east-1.s3"), VpcEndpointType: ec2types.VpcEndpointTypeGateway,
		RouteTableIds: []string{"rtb-a", "rtb-b", "rtb-c"},
	}}
	for _, service := range []string{"ecr.api", "sts"} {
		endpoints = append(endpoints, ec2types.VpcEndpoint{
			VpcEndpointId: aws.String(o.VpcEndpointIDs[service]), VpcId: aws.String(o.VpcID), State: "available",
			ServiceName: aws.String("com.amazonaws.us-east-1." + service), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
			PrivateDnsEnabled: aws.Bool(true), SubnetIds: o.PrivateSubnetIDs,
		})
	}
	return endpoints
}

func TestCheckVPCEndpoints(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func([]ec2types.VpcEndpoint) []ec2types.VpcEndpoint
		want    string
	}{
		{name: "as specified", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint { return e }},
		{name: "state spelled as the enum", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[0].State = ec2types.StateAvailable
			return e
		}},
		{name: "missing sts endpoint", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint { return e[:2] }, want: "VPC endpoint vpce-sts (sts) does not exist (N3)"},
		{name: "pending", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[1].State = "pending"
			return e
		}, want: "is pending, want available"},
		{name: "other VPC", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[2].VpcId = aws.String("vpc-other")
			return e
		}, want: "is in VPC vpc-other"},
		{name: "wrong service", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[1].ServiceName = aws.String("com.amazonaws.us-east-1.ecr.dkr")
			return e
		}, want: "is for com.amazonaws.us-east-1.ecr.dkr, outputs say ecr.api"},
		{name: "s3 as interface endpoint", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[0].VpcEndpointType = ec2types.VpcEndpointTypeInterface
			return e
		}, want: "want a gateway endpoint on the private route tables (N3)"},
		{name: "s3 on no route table", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[0].RouteTableIds = nil
			return e
		}, want: "on 0 route tables"},
		{name: "no private DNS", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[2].PrivateDnsEnabled = aws.Bool(false)
			return e
		}, want: "sts endpoint vpce-sts is Interface with private DNS false"},
		{name: "in a public subnet", breakIt: func(e []ec2types.VpcEndpoint) []ec2types.VpcEndpoint {
			e[1].SubnetIds = []string{"subnet-pub-a"}
			return e
		}, want: "ecr.api endpoint vpce-ecrapi is in subnet subnet-pub-a, not a private subnet (N3)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := sampleOutputs(t)
			expectProblems(t, CheckVPCEndpoints(tc.breakIt(goodEndpoints(o)), o), tc.want)
		})
	}
}

func TestCheckNATGateways(t *testing.T) {
	gateway := func(id, subnet string, state ec2types.NatGatewayState, vpc string) ec2types.NatGateway {
		return ec2types.NatGateway{NatGatewayId: aws.String(id), SubnetId: aws.String(subnet), State: state, VpcId: aws.String(vpc)}
	}
	cases := []struct {
		name     string
		gateways []ec2types.NatGateway
		want     string
	}{
		{name: "one shared NAT, a deleted one ignored", gateways: []ec2types.NatGateway{
			gateway("nat-0a", "subnet-pub-a", ec2types.NatGatewayStateAvailable, "vpc-0abc"),
			gateway("nat-old", "subnet-pub-b", ec2types.NatGatewayStateDeleted, "vpc-0abc"),
		}},
		{name: "none", want: "VPC vpc-0abc has 0 available NAT gateways [], outputs list 1 [nat-0a] (N2)"},
		{name: "one too many", gateways: []ec2types.NatGateway{
			gateway("nat-0a", "subnet-pub-a", ec2types.NatGatewayStateAvailable, "vpc-0abc"),
			gateway("nat-0b", "subnet-pub-b", ec2types.NatGatewayStateAvailable, "vpc-0abc"),
		}, want: "has 2 available NAT gateways"},
		{name: "in a private subnet", gateways: []ec2types.NatGateway{
			gateway("nat-0a", "subnet-priv-a", ec2types.NatGatewayStateAvailable, "vpc-0abc"),
		}, want: "NAT gateway nat-0a is in subnet subnet-priv-a, not a public subnet (N2)"},
		{name: "only in another VPC", gateways: []ec2types.NatGateway{
			gateway("nat-0a", "subnet-pub-a", ec2types.NatGatewayStateAvailable, "vpc-other"),
		}, want: "has 0 available NAT gateways"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, CheckNATGateways(tc.gateways, sampleOutputs(t)), tc.want)
		})
	}
}

func TestCheckPodSecurityLabels(t *testing.T) {
	labels := func(enforce string) map[string]string {
		return map[string]string{
			"pod-security.kubernetes.io/enforce": enforce, "pod-security.kubernetes.io/enforce-version": "v1.33",
			"pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/audit-version": "v1.33",
			"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.33",
		}
	}
	cases := []struct {
		name        string
		environment string
		labels      map[string]string
		want        string
	}{
		{name: "dev baseline", environment: "dev", labels: labels("baseline")},
		{name: "staging restricted", environment: "staging", labels: labels("restricted")},
		{name: "prod restricted", environment: "prod", labels: labels("restricted")},
		{name: "prod baseline", environment: "prod", labels: labels("baseline"), want: `enforce="baseline", want one of [restricted] (S4)`},
		{name: "dev privileged", environment: "dev", labels: labels("privileged"), want: `enforce="privileged"`},
		{name: "no labels", environment: "dev", labels: nil, want: "has no pod-security.kubernetes.io/enforce-version label (S4)"},
		{name: "warn baseline", environment: "dev", labels: func() map[string]string {
			l := labels("baseline")
			l["pod-security.kubernetes.io/warn"] = "baseline"
			return l
		}(), want: `warn="baseline", want one of [restricted]`},
		{name: "audit version unpinned", environment: "dev", labels: func() map[string]string {
			l := labels("baseline")
			delete(l, "pod-security.kubernetes.io/audit-version")
			return l
		}(), want: "has no pod-security.kubernetes.io/audit-version label"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, CheckPodSecurityLabels("apps", tc.labels, tc.environment), tc.want)
		})
	}
}

func TestCheckLogGroup(t *testing.T) {
	o := sampleOutputs(t)
	expectProblems(t, CheckLogGroup("/aws/eks/eks-platform-dev/cluster", aws.Int32(7), o.LogsKMSKeyArn, o), "")
	expectProblems(t, CheckLogGroup("/aws/eks/eks-platform-dev/cluster", nil, o.LogsKMSKeyArn, o), "keeps logs forever; want a retention (O3)")
	expectProblems(t, CheckLogGroup("/aws/eks/eks-platform-dev/cluster", aws.Int32(7), o.KMSKeyArn, o), `want logsKmsKeyArn`)
}
