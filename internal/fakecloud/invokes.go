package fakecloud

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The data sources every part of the stack may ask for, answered as a fresh account in the
// configured region would answer them.
func init() {
	registerInvoke("aws:index/getCallerIdentity:getCallerIdentity",
		func(_ resource.PropertyMap, _ string) (resource.PropertyMap, error) {
			return resource.NewPropertyMapFromMap(map[string]any{
				"accountId": AccountID,
				"arn":       fmt.Sprintf("arn:aws:iam::%s:user/offline-plan", AccountID),
				"userId":    "AIDAOFFLINEPLAN",
				"id":        AccountID,
			}), nil
		})
	registerInvoke("aws:index/getRegion:getRegion",
		func(_ resource.PropertyMap, region string) (resource.PropertyMap, error) {
			return resource.NewPropertyMapFromMap(map[string]any{
				"name": region, "id": region, "endpoint": fmt.Sprintf("ec2.%s.amazonaws.com", region),
				"description": region,
			}), nil
		})
	registerInvoke("aws:index/getPartition:getPartition",
		func(_ resource.PropertyMap, _ string) (resource.PropertyMap, error) {
			return resource.NewPropertyMapFromMap(map[string]any{
				"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
				"reverseDnsPrefix": "com.amazonaws",
			}), nil
		})
	registerInvoke("aws:index/getAvailabilityZones:getAvailabilityZones",
		func(_ resource.PropertyMap, region string) (resource.PropertyMap, error) {
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
