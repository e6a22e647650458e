package offline

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Computed outputs of the platform package's resources, shaped as the providers return them: a
// Helm release reports its status after a successful install, and an S3 bucket's ID is its name
// and its ARN has neither region nor account.
func init() {
	RegisterOutputs("kubernetes:helm.sh/v3:Release",
		func(args pulumi.MockResourceArgs, _ string, state resource.PropertyMap) {
			name := eksMockString(args.Inputs, "name")
			if name == "" {
				name = args.Name
			}
			namespace := eksMockString(args.Inputs, "namespace")
			if namespace == "" {
				namespace = "default"
			}
			state["status"] = resource.NewObjectProperty(resource.NewPropertyMapFromMap(map[string]any{
				"name":      name,
				"namespace": namespace,
				"chart":     eksMockString(args.Inputs, "chart"),
				"version":   eksMockString(args.Inputs, "version"),
				"revision":  1,
				"status":    "deployed",
			}))
		})
	RegisterOutputs("aws:s3/bucketV2:BucketV2",
		func(args pulumi.MockResourceArgs, _ string, state resource.PropertyMap) {
			bucket := eksMockString(args.Inputs, "bucket")
			if bucket == "" {
				bucket = args.Name
			}
			state["id"] = resource.NewStringProperty(bucket)
			state["bucket"] = resource.NewStringProperty(bucket)
			state["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:s3:::%s", bucket))
		})
}
