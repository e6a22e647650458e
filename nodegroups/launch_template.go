package nodegroups

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Bottlerocket boots from an OS volume and keeps images, containers and logs on a separate data
// volume (G2); both need our size, gp3 and encryption with the data key.
const (
	osDeviceName   = "/dev/xvda"
	dataDeviceName = "/dev/xvdb"
)

// launchTemplateTaggedResources are the resource types launched from the template. The provider's
// default tags (C5) do not reach instances the node group's Auto Scaling group launches, so the cost
// tags travel in the template's tag specifications.
var launchTemplateTaggedResources = []string{"instance", "volume", "network-interface"}

// newLaunchTemplate creates the launch template of one node group (G2). It has no image ID: the
// node group's Bottlerocket amiType picks the current AMI for the Kubernetes version and injects the
// cluster bootstrap settings, which EKS only does when the template names no image.
func newLaunchTemplate(ctx *pulumi.Context, parent pulumi.Resource, args *Args, spec GroupSpec, name string) (*ec2.LaunchTemplate, error) {
	instanceTags := pulumi.StringMap{"Name": pulumi.String(name)}
	for key, value := range args.Tags {
		instanceTags[key] = pulumi.String(value)
	}
	var tagSpecifications ec2.LaunchTemplateTagSpecificationArray
	for _, resourceType := range launchTemplateTaggedResources {
		tagSpecifications = append(tagSpecifications, ec2.LaunchTemplateTagSpecificationArgs{
			ResourceType: pulumi.String(resourceType),
			Tags:         instanceTags,
		})
	}

	return ec2.NewLaunchTemplate(ctx, name, &ec2.LaunchTemplateArgs{
		Name:        pulumi.String(name),
		Description: pulumi.Sprintf("EKS managed node group %s of %s (Bottlerocket)", spec.Name, args.ClusterName),
		// Every change becomes the default version, and the node group follows the latest version,
		// so a template change rolls the group instead of waiting for a manual version bump.
		UpdateDefaultVersion: pulumi.Bool(true),
		UserData:             pulumi.String(bottlerocketUserData()),
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{
			encryptedVolume(osDeviceName, spec.OsVolumeGiB, args.VolumeKmsKeyArn),
			encryptedVolume(dataDeviceName, spec.DataVolumeGiB, args.VolumeKmsKeyArn),
		},
		// IMDSv2 only, and a hop limit of 1 so the token response cannot reach a pod's network
		// namespace: pods get AWS credentials from their IRSA roles (S3), never from the node role.
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String("required"),
			HttpPutResponseHopLimit: pulumi.Int(1),
		},
		// EKS attaches the cluster security group to nodes only when the template sets none; naming
		// it here keeps node <-> control plane traffic working and makes the choice visible.
		VpcSecurityGroupIds: pulumi.StringArray{args.ClusterSecurityGroupId},
		// Detailed (1-minute) EC2 monitoring is billed per instance; Container Insights (O1) already
		// reports node CPU and memory per minute.
		Monitoring:        &ec2.LaunchTemplateMonitoringArgs{Enabled: pulumi.Bool(false)},
		TagSpecifications: tagSpecifications,
		Tags:              pulumi.StringMap{"Name": pulumi.String(name)},
	}, pulumi.Parent(parent))
}

// encryptedVolume is one gp3 EBS volume encrypted with the data key, deleted with its instance.
func encryptedVolume(deviceName string, sizeGiB int, kmsKeyArn pulumi.StringInput) ec2.LaunchTemplateBlockDeviceMappingArgs {
	return ec2.LaunchTemplateBlockDeviceMappingArgs{
		DeviceName: pulumi.String(deviceName),
		Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
			VolumeSize:          pulumi.Int(sizeGiB),
			VolumeType:          pulumi.String("gp3"),
			Encrypted:           pulumi.String("true"),
			KmsKeyId:            kmsKeyArn,
			DeleteOnTermination: pulumi.String("true"),
		},
	}
}
