package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Computed outputs of the KMS key (package security), shaped as AWS returns them: the key ID is a
// UUID, and the resource ID and ARN are built from it.
func init() {
	registerOutputs("aws:kms/key:Key",
		func(r Resource, state resource.PropertyMap) {
			sum := sha256.Sum256([]byte(r.Type + "/" + r.Name))
			h := hex.EncodeToString(sum[:16])
			keyID := fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
			state["id"] = resource.NewStringProperty(keyID)
			state["keyId"] = resource.NewStringProperty(keyID)
			state["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", r.Region, AccountID, keyID))
		})
}
