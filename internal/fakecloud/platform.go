package fakecloud

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Computed outputs of the platform package's resources, shaped as the providers return them: a
// Helm release reports its status after a successful install, and an S3 bucket's ID is its name
// and its ARN has neither region nor account.
func init() {
	registerOutputs("kubernetes:helm.sh/v3:Release",
		func(r Resource, state resource.PropertyMap) {
			name := String(r.Inputs, "name")
			if name == "" {
				name = r.Name
			}
			namespace := String(r.Inputs, "namespace")
			if namespace == "" {
				namespace = "default"
			}
			state["status"] = resource.NewObjectProperty(resource.NewPropertyMapFromMap(map[string]any{
				"name":      name,
				"namespace": namespace,
				"chart":     String(r.Inputs, "chart"),
				"version":   String(r.Inputs, "version"),
				"revision":  1,
				"status":    "deployed",
			}))
		})
	registerOutputs("aws:s3/bucketV2:BucketV2",
		func(r Resource, state resource.PropertyMap) {
			bucket := String(r.Inputs, "bucket")
			if bucket == "" {
				bucket = r.Name
			}
			state["id"] = resource.NewStringProperty(bucket)
			state["bucket"] = resource.NewStringProperty(bucket)
			state["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:s3:::%s", bucket))
		})
}
