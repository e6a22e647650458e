// Command broken-stack is a Pulumi program that breaks the guardrails (issue 22): the platform's
// config validation refuses such input, so this program registers the resources directly, by
// type token, to show the policy pack refusing them in the real engine.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type raw struct{ pulumi.CustomResourceState }

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		broken := []struct {
			resourceType, name string
			inputs             pulumi.Map
		}{
			{"aws:ec2/securityGroup:SecurityGroup", "open-to-the-internet", pulumi.Map{
				"ingress": pulumi.Array{pulumi.Map{"protocol": pulumi.String("tcp"), "fromPort": pulumi.Int(443), "toPort": pulumi.Int(443),
					"cidrBlocks": pulumi.StringArray{pulumi.String("0.0.0.0/0")}}}}},
			{"aws:cloudwatch/logGroup:LogGroup", "unencrypted-logs", pulumi.Map{"retentionInDays": pulumi.Int(7)}},
			{"aws:ec2/launchTemplate:LaunchTemplate", "imdsv1-nodes", pulumi.Map{
				"metadataOptions": pulumi.Map{"httpTokens": pulumi.String("optional")},
				"blockDeviceMappings": pulumi.Array{pulumi.Map{"deviceName": pulumi.String("/dev/xvdb"),
					"ebs": pulumi.Map{"encrypted": pulumi.String("true"), "kmsKeyId": pulumi.String("arn:aws:kms:us-east-1:111122223333:key/k")}}}}},
			{"aws:eks/cluster:Cluster", "public-config-map-cluster", pulumi.Map{
				"roleArn":      pulumi.String("arn:aws:iam::111122223333:role/cluster"),
				"vpcConfig":    pulumi.Map{"subnetIds": pulumi.StringArray{pulumi.String("subnet-1")}, "endpointPrivateAccess": pulumi.Bool(false)},
				"accessConfig": pulumi.Map{"authenticationMode": pulumi.String("CONFIG_MAP")},
			}},
			{"kubernetes:core/v1:Namespace", "unlabelled-namespace", pulumi.Map{"metadata": pulumi.Map{"name": pulumi.String("payments")}}},
			{"kubernetes:apps/v1:Deployment", "latest-image", pulumi.Map{"spec": pulumi.Map{"template": pulumi.Map{"spec": pulumi.Map{
				"containers": pulumi.Array{pulumi.Map{"name": pulumi.String("app"), "image": pulumi.String("nginx:latest")}}}}}}},
			{"aws:s3/bucketV2:BucketV2", "bucket-without-encryption", pulumi.Map{"bucket": pulumi.String("broken-bucket-111122223333")}},
		}
		for _, r := range broken {
			var resource raw
			if err := ctx.RegisterResource(r.resourceType, r.name, r.inputs, &resource); err != nil {
				return err
			}
		}
		return nil
	})
}
