package integration

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// outputsVariable names the outputs file of the deployed stack to check.
const outputsVariable = "EKS_PLATFORM_OUTPUTS"

// live is a deployed stack: its outputs and AWS clients in its region and account.
type live struct {
	outputs *Outputs
	eks     *eks.Client
	ec2     *ec2.Client
	sts     *sts.Client
	logs    *cloudwatchlogs.Client
	kms     *kms.Client
}

// TestDeployedStack checks the real resources of the stack whose outputs EKS_PLATFORM_OUTPUTS
// names (STACK_SPEC X2). Without outputs or AWS credentials it skips and says why.
func TestDeployedStack(t *testing.T) {
	path := os.Getenv(outputsVariable)
	if path == "" {
		t.Skip(outputsVariable + " not set: run `scripts/stack.sh outputs <stack>` and set " + outputsVariable +
			"=outputs/<stack>.json (with AWS credentials for the stack's account) to check the real resources")
	}
	outputs, err := LoadOutputs(path)
	if err != nil {
		t.Fatalf("%s=%s: %v", outputsVariable, path, err)
	}
	checkDeployment(t, connect(t, outputs))
}

// connect builds AWS clients for the stack's region and makes sure the credentials belong to
// the stack's account, so a mismatch reads as such and not as missing resources.
func connect(t *testing.T, outputs *Outputs) *live {
	t.Helper()
	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(outputs.Region))
	if err != nil {
		t.Fatalf("loading AWS configuration: %v", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Skipf("AWS credentials not available (%v): configure credentials for account %s to check the real resources", err, outputs.AccountID())
	}
	l := &live{
		outputs: outputs,
		eks:     eks.NewFromConfig(cfg),
		ec2:     ec2.NewFromConfig(cfg),
		sts:     sts.NewFromConfig(cfg),
		logs:    cloudwatchlogs.NewFromConfig(cfg),
		kms:     kms.NewFromConfig(cfg),
	}
	identity, err := l.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("sts:GetCallerIdentity: %v", err)
	}
	if account := aws.ToString(identity.Account); account != outputs.AccountID() {
		t.Fatalf("AWS credentials are for account %s, the stack is in account %s (%s)", account, outputs.AccountID(), outputs.ClusterArn)
	}
	return l
}

// checkDeployment runs every live check; the ephemeral-stack test reuses it.
func checkDeployment(t *testing.T, l *live) {
	t.Run("K1_K2_S1_S2_cluster", l.checkCluster)
	t.Run("G1_G2_node_groups", l.checkNodeGroups)
	t.Run("N1_vpc_dns", l.checkVPC)
	t.Run("N3_vpc_endpoints", l.checkVPCEndpoints)
	t.Run("N2_nat_gateways", l.checkNATGateways)
	t.Run("K2_O3_log_groups", l.checkLogGroups)
	t.Run("S4_namespace_pod_security", l.checkNamespaces)
}

func report(t *testing.T, problems []string) {
	t.Helper()
	for _, problem := range problems {
		t.Error(problem)
	}
}

func (l *live) describeCluster(t *testing.T) *ekstypes.Cluster {
	t.Helper()
	described, err := l.eks.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String(l.outputs.ClusterName)})
	if err != nil {
		t.Fatalf("eks:DescribeCluster %s: %v", l.outputs.ClusterName, err)
	}
	return described.Cluster
}

func (l *live) checkCluster(t *testing.T) {
	report(t, CheckCluster(l.describeCluster(t), l.outputs))
	rotation, err := l.kms.GetKeyRotationStatus(t.Context(), &kms.GetKeyRotationStatusInput{KeyId: aws.String(l.outputs.KMSKeyArn)})
	if err != nil {
		t.Fatalf("kms:GetKeyRotationStatus %s: %v", l.outputs.KMSKeyArn, err)
	}
	if !rotation.KeyRotationEnabled {
		t.Errorf("KMS key %s has rotation off (S1)", l.outputs.KMSKeyArn)
	}
}

func (l *live) checkNodeGroups(t *testing.T) {
	ctx := t.Context()
	for _, group := range sortedKeys(l.outputs.NodeGroupNames) {
		name := l.outputs.NodeGroupNames[group]
		described, err := l.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{
			ClusterName: aws.String(l.outputs.ClusterName), NodegroupName: aws.String(name),
		})
		if err != nil {
			t.Errorf("eks:DescribeNodegroup %s (%s): %v", name, group, err)
			continue
		}
		var template *ec2types.ResponseLaunchTemplateData
		if spec := described.Nodegroup.LaunchTemplate; spec != nil {
			versions, err := l.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
				LaunchTemplateId: spec.Id, Versions: []string{aws.ToString(spec.Version)},
			})
			if err != nil || len(versions.LaunchTemplateVersions) != 1 {
				t.Errorf("ec2:DescribeLaunchTemplateVersions %s version %s of node group %s: %v", aws.ToString(spec.Id), aws.ToString(spec.Version), name, err)
				continue
			}
			template = versions.LaunchTemplateVersions[0].LaunchTemplateData
		}
		report(t, CheckNodegroup(described.Nodegroup, template, l.outputs))
	}
}

func (l *live) checkVPC(t *testing.T) {
	for _, attribute := range []ec2types.VpcAttributeName{ec2types.VpcAttributeNameEnableDnsSupport, ec2types.VpcAttributeNameEnableDnsHostnames} {
		described, err := l.ec2.DescribeVpcAttribute(t.Context(), &ec2.DescribeVpcAttributeInput{
			VpcId: aws.String(l.outputs.VpcID), Attribute: attribute,
		})
		if err != nil {
			t.Fatalf("ec2:DescribeVpcAttribute %s %s: %v", l.outputs.VpcID, attribute, err)
		}
		enabled := described.EnableDnsSupport
		if attribute == ec2types.VpcAttributeNameEnableDnsHostnames {
			enabled = described.EnableDnsHostnames
		}
		if enabled == nil || !aws.ToBool(enabled.Value) {
			t.Errorf("VPC %s has %s off (N1)", l.outputs.VpcID, attribute)
		}
	}
}

func (l *live) checkVPCEndpoints(t *testing.T) {
	// Filtering by VPC instead of by ID lists every endpoint even when one output ID is stale
	// (an ID filter fails the whole call for one unknown ID).
	var endpoints []ec2types.VpcEndpoint
	pages := ec2.NewDescribeVpcEndpointsPaginator(l.ec2, &ec2.DescribeVpcEndpointsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{l.outputs.VpcID}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ec2:DescribeVpcEndpoints in %s: %v", l.outputs.VpcID, err)
		}
		endpoints = append(endpoints, page.VpcEndpoints...)
	}
	report(t, CheckVPCEndpoints(endpoints, l.outputs))
}

func (l *live) checkNATGateways(t *testing.T) {
	var gateways []ec2types.NatGateway
	pages := ec2.NewDescribeNatGatewaysPaginator(l.ec2, &ec2.DescribeNatGatewaysInput{
		Filter: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{l.outputs.VpcID}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ec2:DescribeNatGateways in %s: %v", l.outputs.VpcID, err)
		}
		gateways = append(gateways, page.NatGateways...)
	}
	report(t, CheckNATGateways(gateways, l.outputs))
}

func (l *live) checkLogGroups(t *testing.T) {
	controlPlane := fmt.Sprintf("/aws/eks/%s/cluster", l.outputs.ClusterName)
	found := false
	for _, key := range sortedKeys(l.outputs.LogGroupNames) {
		name := l.outputs.LogGroupNames[key]
		found = found || name == controlPlane
		described, err := l.logs.DescribeLogGroups(t.Context(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
		if err != nil {
			t.Errorf("logs:DescribeLogGroups %s: %v", name, err)
			continue
		}
		exists := false
		for _, group := range described.LogGroups {
			if aws.ToString(group.LogGroupName) == name {
				exists = true
				report(t, CheckLogGroup(name, group.RetentionInDays, aws.ToString(group.KmsKeyId), l.outputs))
			}
		}
		if !exists {
			t.Errorf("log group %s (%s) does not exist (O3)", name, key)
		}
	}
	if !found {
		t.Errorf("logGroupNames %v lacks the control-plane log group %s (K2)", l.outputs.LogGroupNames, controlPlane)
	}
}

func (l *live) checkNamespaces(t *testing.T) {
	cluster := l.describeCluster(t)
	if cluster.CertificateAuthority == nil {
		t.Fatal("cluster has no certificate authority data")
	}
	token, err := EKSToken(t.Context(), l.sts, l.outputs.ClusterName)
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewKubeClient(aws.ToString(cluster.Endpoint), aws.ToString(cluster.CertificateAuthority.Data), token)
	if err != nil {
		t.Fatal(err)
	}
	for _, namespace := range l.outputs.WorkloadNamespaces {
		labels, err := client.NamespaceLabels(t.Context(), namespace)
		if errors.Is(err, ErrUnreachable) {
			access := "private access only"
			if vpc := cluster.ResourcesVpcConfig; vpc != nil && vpc.EndpointPublicAccess {
				access = fmt.Sprintf("public access limited to %v", vpc.PublicAccessCidrs)
			}
			t.Skipf("the API server is not reachable from this network (%s): run from an allowed network or inside the VPC; %v", access, err)
		}
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		report(t, CheckPodSecurityLabels(namespace, labels, l.outputs.Environment))
	}
}
