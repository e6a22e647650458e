package security

import "strings"

// The inline policies of the controller roles (S3). Read-only actions that AWS does not scope to
// resources stay on "*"; every write is limited to this account and region and, where AWS
// supports it, to resources tagged for this cluster.

// clusterAutoscalerPolicy follows the cluster-autoscaler AWS provider's documented policy: it may
// read every group but only resize groups that EKS tagged for this cluster.
func clusterAutoscalerPolicy(s policyScope) PolicyDocument {
	return PolicyDocument{Statement: []Statement{
		{
			Sid:    "DiscoverNodeGroups",
			Effect: Allow,
			Action: StringList{
				"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
				"autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
				"autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
				"ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
			},
			Resource: StringList{"*"},
		},
		{
			Sid:      "DescribeThisClustersNodeGroups",
			Effect:   Allow,
			Action:   StringList{"eks:DescribeNodegroup"},
			Resource: StringList{s.env.regionalARN("eks", "nodegroup/"+s.clusterName+"/*")},
		},
		{
			// EKS tags the Auto Scaling group of every managed node group with both keys.
			Sid:      "ResizeThisClustersNodeGroups",
			Effect:   Allow,
			Action:   StringList{"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"},
			Resource: StringList{s.env.regionalARN("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")},
			Condition: Condition{"StringEquals": {
				"aws:ResourceTag/k8s.io/cluster-autoscaler/" + s.clusterName: {"owned"},
				"aws:ResourceTag/k8s.io/cluster-autoscaler/enabled":          {"true"},
			}},
		},
	}}
}

// loadBalancerControllerPolicy has the shape of the controller's upstream v2 iam_policy.json, with
// two tightenings: resources are ARNs of this account and region instead of "*", and the tag
// conditions require this cluster's name instead of any value. The controller tags everything it
// creates with elbv2.k8s.aws/cluster=<its --cluster-name>, which must therefore be ClusterName.
func loadBalancerControllerPolicy(s policyScope) PolicyDocument {
	const clusterTag = "elbv2.k8s.aws/cluster"
	e := s.env
	elb := func(resource string) string { return e.regionalARN("elasticloadbalancing", resource) }
	applicationLoadBalancers := elb("loadbalancer/app/*/*")
	loadBalancersAndTargetGroups := StringList{applicationLoadBalancers, elb("loadbalancer/net/*/*"), elb("targetgroup/*/*")}
	listenersAndRules := StringList{elb("listener/app/*/*/*"), elb("listener/net/*/*/*"),
		elb("listener-rule/app/*/*/*"), elb("listener-rule/net/*/*/*")}
	allLoadBalancing := append(append(StringList{}, loadBalancersAndTargetGroups...), listenersAndRules...)
	securityGroups := StringList{e.regionalARN("ec2", "security-group/*")}

	createsForCluster := map[string]StringList{"aws:RequestTag/" + clusterTag: {s.clusterName}}
	ownedByCluster := Condition{"StringEquals": {"aws:ResourceTag/" + clusterTag: {s.clusterName}}}
	// Tags of an existing resource may change only if the cluster tag is left alone, so the
	// controller cannot adopt resources that are not its own.
	retagsOwn := Condition{
		"Null":         {"aws:RequestTag/" + clusterTag: {"true"}},
		"StringEquals": {"aws:ResourceTag/" + clusterTag: {s.clusterName}},
	}
	// Tags set by a create call must include the cluster tag.
	tagsOnCreate := func(createKey string, createActions ...string) Condition {
		return Condition{"StringEquals": {createKey: createActions, "aws:RequestTag/" + clusterTag: {s.clusterName}}}
	}

	return PolicyDocument{Statement: []Statement{
		{
			Sid:       "CreateLoadBalancingServiceLinkedRole",
			Effect:    Allow,
			Action:    StringList{"iam:CreateServiceLinkedRole"},
			Resource:  StringList{e.globalARN("iam", "role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing")},
			Condition: Condition{"StringEquals": {"iam:AWSServiceName": {"elasticloadbalancing.amazonaws.com"}}},
		},
		{
			Sid:    "DescribeNetworkAndLoadBalancers",
			Effect: Allow,
			Action: StringList{
				"ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
				"ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
				"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
				"ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage",
				"ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
				"ec2:DescribeRouteTables",
				"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
				"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
				"elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
				"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
				"elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
				"elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
				"elasticloadbalancing:DescribeCapacityReservation",
			},
			Resource: StringList{"*"},
		},
		{
			Sid:    "ReadCertificatesFirewallsAndProtections",
			Effect: Allow,
			Action: StringList{
				"cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
				"iam:ListServerCertificates", "iam:GetServerCertificate",
				"waf-regional:GetWebACL", "waf-regional:GetWebACLForResource",
				"wafv2:GetWebACL", "wafv2:GetWebACLForResource",
				"shield:GetSubscriptionState", "shield:DescribeProtection",
			},
			Resource: StringList{"*"},
		},
		{
			Sid:    "AssociateWebACLsWithLoadBalancers",
			Effect: Allow,
			Action: StringList{"waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
				"wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"},
			Resource: StringList{e.regionalARN("waf-regional", "webacl/*"),
				e.regionalARN("wafv2", "regional/webacl/*/*"), applicationLoadBalancers},
		},
		{
			Sid:      "ManageShieldProtections",
			Effect:   Allow,
			Action:   StringList{"shield:CreateProtection", "shield:DeleteProtection"},
			Resource: StringList{e.globalARN("shield", "protection/*")},
		},
		{
			// CreateSecurityGroup is authorized against the VPC and the new group.
			Sid:      "CreateSecurityGroupsInVPCs",
			Effect:   Allow,
			Action:   StringList{"ec2:CreateSecurityGroup"},
			Resource: StringList{e.regionalARN("ec2", "vpc/*")},
		},
		{
			Sid:       "CreateSecurityGroupsTaggedForCluster",
			Effect:    Allow,
			Action:    StringList{"ec2:CreateSecurityGroup"},
			Resource:  securityGroups,
			Condition: Condition{"StringEquals": createsForCluster},
		},
		{
			Sid:       "TagSecurityGroupsOnCreate",
			Effect:    Allow,
			Action:    StringList{"ec2:CreateTags"},
			Resource:  securityGroups,
			Condition: tagsOnCreate("ec2:CreateAction", "CreateSecurityGroup"),
		},
		{
			Sid:       "RetagOwnSecurityGroups",
			Effect:    Allow,
			Action:    StringList{"ec2:CreateTags", "ec2:DeleteTags"},
			Resource:  securityGroups,
			Condition: retagsOwn,
		},
		{
			Sid:       "ManageOwnSecurityGroups",
			Effect:    Allow,
			Action:    StringList{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"},
			Resource:  securityGroups,
			Condition: ownedByCluster,
		},
		{
			// The controller opens the nodes' security group to its load balancers. It picks the
			// group tagged kubernetes.io/cluster/<cluster>, which EKS puts on the cluster
			// security group (upstream grants this on every group).
			Sid:       "OpenThisClustersNodeSecurityGroups",
			Effect:    Allow,
			Action:    StringList{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"},
			Resource:  securityGroups,
			Condition: Condition{"Null": {"aws:ResourceTag/kubernetes.io/cluster/" + s.clusterName: {"false"}}},
		},
		{
			Sid:       "CreateLoadBalancersTaggedForCluster",
			Effect:    Allow,
			Action:    StringList{"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"},
			Resource:  loadBalancersAndTargetGroups,
			Condition: Condition{"StringEquals": createsForCluster},
		},
		{
			Sid:       "TagLoadBalancersOnCreate",
			Effect:    Allow,
			Action:    StringList{"elasticloadbalancing:AddTags"},
			Resource:  loadBalancersAndTargetGroups,
			Condition: tagsOnCreate("elasticloadbalancing:CreateAction", "CreateTargetGroup", "CreateLoadBalancer"),
		},
		{
			Sid:       "RetagOwnLoadBalancers",
			Effect:    Allow,
			Action:    StringList{"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"},
			Resource:  loadBalancersAndTargetGroups,
			Condition: retagsOwn,
		},
		{
			Sid:      "TagListenersAndRules",
			Effect:   Allow,
			Action:   StringList{"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"},
			Resource: listenersAndRules,
		},
		{
			Sid:    "ManageOwnLoadBalancers",
			Effect: Allow,
			Action: StringList{
				"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
				"elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
				"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
				"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
				"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
				"elasticloadbalancing:ModifyIpPools",
			},
			Resource:  allLoadBalancing,
			Condition: ownedByCluster,
		},
		{
			// A TargetGroupBinding may name a target group created outside the controller, so
			// registration is not conditioned on the cluster tag (as upstream).
			Sid:      "RegisterTargets",
			Effect:   Allow,
			Action:   StringList{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"},
			Resource: StringList{elb("targetgroup/*/*")},
		},
		{
			Sid:    "ManageListenersAndRules",
			Effect: Allow,
			Action: StringList{
				"elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
				"elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
				"elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule",
				"elasticloadbalancing:SetRulePriorities", "elasticloadbalancing:SetWebAcl",
				"elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
			},
			Resource: allLoadBalancing,
		},
	}}
}

// externalSecretsPolicy lets external-secrets read only the platform's own secrets and
// parameters, and decrypt them with the secrets key only through those two services.
func externalSecretsPolicy(s policyScope) PolicyDocument {
	e := s.env
	// Parameter ARNs drop the leading "/" of hierarchical names; GetParametersByPath is
	// authorized against the path itself.
	parameterPath := strings.Trim(s.secretsPrefix, "/")
	return PolicyDocument{Statement: []Statement{
		{
			Sid:    "ReadPlatformSecrets",
			Effect: Allow,
			Action: StringList{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
				"secretsmanager:ListSecretVersionIds", "secretsmanager:GetResourcePolicy"},
			Resource: StringList{e.regionalARN("secretsmanager", "secret:"+s.secretsPrefix+"*")},
		},
		{
			Sid:    "ReadPlatformParameters",
			Effect: Allow,
			Action: StringList{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
			Resource: StringList{e.regionalARN("ssm", "parameter/"+parameterPath),
				e.regionalARN("ssm", "parameter/"+parameterPath+"/*")},
		},
		{
			Sid:      "DecryptThroughSecretsManagerAndSSM",
			Effect:   Allow,
			Action:   StringList{"kms:Decrypt"},
			Resource: StringList{s.secretsKeyArn},
			Condition: Condition{"StringEquals": {
				"kms:ViaService": {e.regionalEndpoint("secretsmanager"), e.regionalEndpoint("ssm")},
			}},
		},
	}}
}

// ebsCSIDriverKeyPolicy adds the data key to AmazonEBSCSIDriverPolicy, which covers only
// AWS-managed keys, so the driver can create and attach volumes encrypted with it.
func ebsCSIDriverKeyPolicy(s policyScope) PolicyDocument {
	return PolicyDocument{Statement: []Statement{
		{
			// EC2 attaches an encrypted volume through a grant it holds on the driver's behalf.
			Sid:       "GrantPlatformKeyToEC2",
			Effect:    Allow,
			Action:    StringList{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
			Resource:  StringList{s.volumeKeyArn},
			Condition: Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
		{
			Sid:      "UsePlatformKeyForVolumes",
			Effect:   Allow,
			Action:   StringList{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource: StringList{s.volumeKeyArn},
		},
	}}
}

// logShipperPolicy lets the log shipper write only to the platform's own log groups. It cannot
// create groups: the program creates them with retention and encryption (O3).
func logShipperPolicy(s policyScope) PolicyDocument {
	// Only the groups Fluent Bit ships to; not the performance group, where the CloudWatch agent
	// writes Container Insights metrics that the log shipper must not be able to forge.
	var resources StringList
	for _, group := range ShipperLogGroups {
		arn := s.env.regionalARN("logs", "log-group:"+s.logGroupPrefix+group)
		resources = append(resources, arn, arn+":log-stream:*")
	}
	return PolicyDocument{Statement: []Statement{{
		Sid:      "WriteToPlatformLogGroups",
		Effect:   Allow,
		Action:   StringList{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
		Resource: resources,
	}}}
}

// ShipperLogGroups are the log groups under the shipper's prefix that Fluent Bit writes to:
// container logs, node component logs and kernel messages.
var ShipperLogGroups = []string{"application", "dataplane", "host"}

// containerInsightsNamespace is the CloudWatch metric namespace of Container Insights.
const containerInsightsNamespace = "ContainerInsights"

// cloudWatchAgentPolicy replaces the AWS-managed CloudWatchAgentServerPolicy, which allows
// logs:CreateLogGroup and logs:PutRetentionPolicy on every group (the agent could create an
// unencrypted group or shorten the audit group's retention), X-Ray writes and SSM reads. The
// Container Insights pipeline (awscontainerinsightreceiver + awsemfexporter) needs only this:
// performance events go as embedded-metric-format log events to the one group the program creates
// with retention and the logs key (O3); the agent creates a group only when it is missing,
// and the add-on waits for ours. EC2 tags and volumes label the node metrics with their Auto
// Scaling group and EBS volume IDs.
func cloudWatchAgentPolicy(s policyScope) PolicyDocument {
	performanceLogs := s.env.regionalARN("logs", "log-group:/aws/containerinsights/"+s.clusterName+"/performance")
	return PolicyDocument{Statement: []Statement{
		{
			// PutMetricData has no resource-level permissions; the namespace condition keeps the
			// agent out of every other namespace.
			Sid:       "PutContainerInsightsMetrics",
			Effect:    Allow,
			Action:    StringList{"cloudwatch:PutMetricData"},
			Resource:  StringList{"*"},
			Condition: Condition{"StringEquals": {"cloudwatch:namespace": {containerInsightsNamespace}}},
		},
		{
			Sid:      "WritePerformanceLogEvents",
			Effect:   Allow,
			Action:   StringList{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: StringList{performanceLogs, performanceLogs + ":log-stream:*"},
		},
		{
			Sid:      "DescribeLogGroups",
			Effect:   Allow,
			Action:   StringList{"logs:DescribeLogGroups"},
			Resource: StringList{s.env.regionalARN("logs", "log-group:*")},
		},
		{
			// Read-only EC2 actions without resource-level permissions.
			Sid:      "DescribeNodeInstancesAndVolumes",
			Effect:   Allow,
			Action:   StringList{"ec2:DescribeVolumes", "ec2:DescribeTags", "ec2:DescribeInstances"},
			Resource: StringList{"*"},
		},
	}}
}
