package offline

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The data sources every part of the stack may ask for, answered as a fresh account in the
// configured region would answer them.
func init() {
	RegisterCall("aws:index/getCallerIdentity:getCallerIdentity",
		func(_ pulumi.MockCallArgs, _ string) (resource.PropertyMap, error) {
			return resource.NewPropertyMapFromMap(map[string]any{
				"accountId": AccountID,
				"arn":       fmt.Sprintf("arn:aws:iam::%s:user/offline-plan", AccountID),
				"userId":    "AIDAOFFLINEPLAN",
				"id":        AccountID,
			}), nil
		})
	RegisterCall("aws:index/getRegion:getRegion",
		func(_ pulumi.MockCallArgs, region string) (resource.PropertyMap, error) {
			return resource.NewPropertyMapFromMap(map[string]any{
				"name": region, "id": region, "endpoint": fmt.Sprintf("ec2.%s.amazonaws.com", region),
				"description": region,
			}), nil
		})
	RegisterCall("aws:index/getPartition:getPartition",
		func(_ pulumi.MockCallArgs, _ string) (resource.PropertyMap, error) {
			return resource.NewPropertyMapFromMap(map[string]any{
				"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
				"reverseDnsPrefix": "com.amazonaws",
			}), nil
		})
	RegisterCall("aws:index/getAvailabilityZones:getAvailabilityZones",
		func(_ pulumi.MockCallArgs, region string) (resource.PropertyMap, error) {
			names, ids := []any{}, []any{}
			for i, letter := range "abcdef" {
				names = append(names, region+string(letter))
				ids = append(ids, fmt.Sprintf("use1-az%d", i+1))
			}
			return resource.NewPropertyMapFromMap(map[string]any{
				"names": names, "zoneIds": ids, "id": region, "state": "available",
			}), nil
		})
}
