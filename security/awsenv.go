package security

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// awsEnv is where the stack runs. Every ARN and service principal is built from it, never from a
// hard-coded "arn:aws:" or "amazonaws.com", which are wrong in GovCloud and China.
type awsEnv struct {
	Partition string // aws, aws-us-gov, aws-cn
	DNSSuffix string // amazonaws.com, amazonaws.com.cn
	Region    string
	AccountID string
}

// lookupAWSEnv asks the provider the component inherits (through parent) for partition, region and
// account. The output's element is an awsEnv.
func lookupAWSEnv(ctx *pulumi.Context, parent pulumi.Resource) pulumi.AnyOutput {
	inherit := pulumi.Parent(parent)
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, inherit)
	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, inherit)
	identity := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, inherit)
	return pulumi.All(partition.Partition(), partition.DnsSuffix(), region.Name(), identity.AccountId()).
		ApplyT(func(v []any) awsEnv {
			return awsEnv{Partition: v[0].(string), DNSSuffix: v[1].(string), Region: v[2].(string), AccountID: v[3].(string)}
		}).(pulumi.AnyOutput)
}

// regionalARN is the ARN of a resource of service in this region and account.
func (e awsEnv) regionalARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, e.Region, e.AccountID, resource)
}

// globalARN is the ARN of a resource of a global service (IAM, Shield) in this account.
func (e awsEnv) globalARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s::%s:%s", e.Partition, service, e.AccountID, resource)
}

// regionalEndpoint is a service's regional name ("logs.us-east-1.amazonaws.com"), used both as its
// service principal and as the value of kms:ViaService.
func (e awsEnv) regionalEndpoint(service string) string {
	return fmt.Sprintf("%s.%s.%s", service, e.Region, e.DNSSuffix)
}

// awsManagedPolicyARN is the ARN of an AWS-managed IAM policy in this partition.
func awsManagedPolicyARN(partition, policyName string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition, policyName)
}
