package stub

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/eks-platform/internal/fakecloud"
)

// AccountVariable names the environment variable that says which AWS account the stub's
// credentials belong to: what sts:GetCallerIdentity would answer. scripts/engine.sh sets it to
// the stack's own account (eks-platform:awsAccountId), and to another one to show the guard;
// unset, it is the fixed account of internal/fakecloud.
const AccountVariable = "EKS_PLATFORM_STUB_ACCOUNT_ID"

// callerAccount is the account the stub's credentials belong to.
func callerAccount() string {
	if account := os.Getenv(AccountVariable); account != "" {
		return account
	}
	return fakecloud.AccountID
}

// checkAccount models the AWS provider's account guard, as terraform-provider-aws runs it when
// the provider is configured (internal/conns: it asks sts:GetCallerIdentity, unless
// skipRequestingAccountId): an account outside allowedAccountIds, or inside
// forbiddenAccountIds, fails the provider's configuration, so no resource of that provider is
// created or read. The error text is the real provider's. It checks only these two lists against
// the one caller account; the ARNs the stub computes stay in fakecloud's fixed account.
func checkAccount(args resource.PropertyMap, variables map[string]string) error {
	allowed := accountList(args, variables, "allowedAccountIds")
	forbidden := accountList(args, variables, "forbiddenAccountIds")
	if len(allowed) == 0 && len(forbidden) == 0 {
		return nil
	}
	if skip := args["skipRequestingAccountId"]; skip.IsBool() && skip.BoolValue() {
		return nil
	}
	account := callerAccount()
	if len(allowed) > 0 && !slices.Contains(allowed, account) {
		return fmt.Errorf("AWS account ID not allowed: %s", account)
	}
	if slices.Contains(forbidden, account) {
		return fmt.Errorf("AWS account ID not allowed: %s", account)
	}
	return nil
}

// accountList reads a list of account IDs from the provider's arguments (an explicit provider,
// as a list or as JSON text) or from the stack configuration the engine passes a default provider (JSON text).
func accountList(args resource.PropertyMap, variables map[string]string, key string) []string {
	var ids []string
	if value := args[resource.PropertyKey(key)]; value.IsArray() {
		for _, id := range value.ArrayValue() {
			if id.IsString() {
				ids = append(ids, id.StringValue())
			}
		}
		return ids
	}
	// The engine may hand a provider's non-string inputs over as JSON text.
	if value := args[resource.PropertyKey(key)]; value.IsString() {
		_ = json.Unmarshal([]byte(value.StringValue()), &ids)
		return ids
	}
	if text, ok := variables["aws:config:"+key]; ok {
		_ = json.Unmarshal([]byte(text), &ids)
	}
	return ids
}
