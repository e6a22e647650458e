package network

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

const flowLogsServicePrincipal = "vpc-flow-logs.amazonaws.com"

// flowLogs records all VPC traffic to a KMS-encrypted log group with retention (N4) and returns
// the group's name.
func (b *builder) flowLogs(vpc *ec2.Vpc) (pulumi.StringOutput, error) {
	logGroup, err := cloudwatch.NewLogGroup(b.ctx, b.name("flow-logs"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/vpc/flow-logs/" + b.args.ClusterName),
		RetentionInDays: pulumi.Int(b.args.FlowLogRetentionDays),
		KmsKeyId:        b.args.LogKmsKeyArn,
		Tags:            nameTag(b.name("flow-logs")),
	}, pulumi.Parent(b.comp), pulumi.Protect(b.args.Protect))
	if err != nil {
		return pulumi.StringOutput{}, err
	}

	trustPolicy, err := b.flowLogsTrustPolicy()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	role, err := iam.NewRole(b.ctx, b.name("flow-logs-role"), &iam.RoleArgs{
		Name:                pulumi.String(naming.Name("vpc-flow-logs", b.args.ClusterName)),
		Description:         pulumi.String("Lets VPC Flow Logs write this VPC's flow log group"),
		AssumeRolePolicy:    pulumi.String(trustPolicy),
		PermissionsBoundary: optionalString(b.args.PermissionsBoundaryArn),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// Only the one log group and its streams ("<group ARN>:*"); the group exists already, so no
	// logs:CreateLogGroup.
	rolePolicy, err := iam.NewRolePolicy(b.ctx, b.name("flow-logs-policy"), &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: pulumi.JSONMarshal(pulumi.Map{
			"Version": pulumi.String("2012-10-17"),
			"Statement": pulumi.Array{pulumi.Map{
				"Sid":    pulumi.String("WriteFlowLogGroup"),
				"Effect": pulumi.String("Allow"),
				"Action": pulumi.ToStringArray([]string{
					"logs:CreateLogStream",
					"logs:PutLogEvents",
					"logs:DescribeLogGroups",
					"logs:DescribeLogStreams",
				}),
				"Resource": pulumi.StringArray{logGroup.Arn, pulumi.Sprintf("%s:*", logGroup.Arn)},
			}},
		}),
	}, pulumi.Parent(b.comp))
	if err != nil {
		return pulumi.StringOutput{}, err
	}

	// Depending on the role policy keeps the first deliveries from failing with an access error.
	_, err = ec2.NewFlowLog(b.ctx, b.name("flow-log"), &ec2.FlowLogArgs{
		VpcId:              vpc.ID(),
		TrafficType:        pulumi.String("ALL"),
		LogDestinationType: pulumi.String("cloud-watch-logs"),
		LogDestination:     logGroup.Arn,
		IamRoleArn:         role.Arn,
		Tags:               nameTag(b.name("flow-log")),
	}, pulumi.Parent(b.comp), pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return logGroup.Name, nil
}

// flowLogsTrustPolicy lets only the VPC Flow Logs service assume the role, and only on behalf of
// flow logs in this account and region (the confused-deputy guard AWS recommends).
func (b *builder) flowLogsTrustPolicy() (string, error) {
	caller, err := aws.GetCallerIdentity(b.ctx, nil, pulumi.Parent(b.comp))
	if err != nil {
		return "", fmt.Errorf("network: reading the account ID: %w", err)
	}
	partition, err := aws.GetPartition(b.ctx, nil, pulumi.Parent(b.comp))
	if err != nil {
		return "", fmt.Errorf("network: reading the AWS partition: %w", err)
	}
	policy, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": flowLogsServicePrincipal},
			"Action":    "sts:AssumeRole",
			"Condition": map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": caller.AccountId},
				"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*",
					partition.Partition, b.args.Region, caller.AccountId)},
			},
		}},
	})
	return string(policy), err
}

// optionalString leaves an optional input unset when the value is empty.
func optionalString(value string) pulumi.StringPtrInput {
	if value == "" {
		return nil
	}
	return pulumi.String(value)
}
