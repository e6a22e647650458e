package stub

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/eks-platform/internal/fakecloud"
)

// CallerRoleVariable names the IAM role the stub's credentials are a session of: the role
// `pulumi up` assumes. scripts/engine.sh sets it to the stack's deploy role
// (arn:aws:iam::<account>:role/eks-platform-deploy-<stack>), and to another role to show the
// refusal. Unset, the key-policy lockout model is off.
const CallerRoleVariable = "EKS_PLATFORM_STUB_CALLER_ROLE_ARN"

const kmsKeyType = "aws:kms/key:Key"

// lockoutError is KMS's answer to CreateKey and PutKeyPolicy when the new policy would not let
// the caller change it again (AWS KMS API reference, PutKeyPolicy: BypassPolicyLockoutSafetyCheck;
// the error terraform-provider-aws passes on).
const lockoutError = "MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future."

// checkKeyPolicy models KMS's policy lockout safety check for a key's create or update: the
// policy must allow the caller's role kms:PutKeyPolicy, either by naming the role, by "*", or by
// naming the account (arn:<partition>:iam::<account>:root or the bare ID), which hands the
// decision to the caller's IAM policies; the stub takes those to allow it, as the bootstrap's
// deploy policies do (kms:PutKeyPolicy on the environment's keys). A policy change (olds is the
// key's state before an update, nil for a create) must also be allowed by the policy in force,
// or PutKeyPolicy is denied. It reads the principals and actions of Allow statements only: not
// conditions, not Deny statements, and the caller's IAM policies are not evaluated.
func checkKeyPolicy(typ string, inputs, olds resource.PropertyMap) error {
	caller := os.Getenv(CallerRoleVariable)
	if typ != kmsKeyType || caller == "" {
		return nil
	}
	policy := inputs["policy"]
	if !policy.IsString() {
		// No policy: KMS applies its default policy, which names the account.
		return nil
	}
	if old := olds["policy"]; old.IsString() {
		if old.StringValue() == policy.StringValue() {
			return nil // the update does not call PutKeyPolicy
		}
		if allowed, err := allowsPutKeyPolicy(old.StringValue(), caller); err == nil && !allowed {
			return fmt.Errorf("AccessDeniedException: User: %s is not authorized to perform: kms:PutKeyPolicy because no resource-based policy allows the kms:PutKeyPolicy action", caller)
		}
	}
	allowed, err := allowsPutKeyPolicy(policy.StringValue(), caller)
	if err != nil {
		return fmt.Errorf("MalformedPolicyDocumentException: %v", err)
	}
	if !allowed {
		return errors.New(lockoutError)
	}
	return nil
}

// policyStatement is what the model reads of a key policy statement. Principal and Action may
// each be a string or a list of strings.
type policyStatement struct {
	Effect    string          `json:"Effect"`
	Principal json.RawMessage `json:"Principal"`
	Action    json.RawMessage `json:"Action"`
}

// awsPrincipals reads a statement's Principal: "*", or its "AWS" entry (a string or a list).
func awsPrincipals(raw json.RawMessage) []string {
	var everyone string
	if json.Unmarshal(raw, &everyone) == nil {
		return []string{everyone}
	}
	var byType map[string]json.RawMessage
	_ = json.Unmarshal(raw, &byType)
	return stringsOf(byType["AWS"])
}

func allowsPutKeyPolicy(policy, callerRole string) (bool, error) {
	var doc struct {
		Statement []policyStatement `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return false, err
	}
	fields := strings.SplitN(callerRole, ":", 6)
	if len(fields) != 6 {
		return false, fmt.Errorf("%s = %q is not an IAM role ARN", CallerRoleVariable, callerRole)
	}
	// The caller's account, by the account of its role and by the one the stub's
	// sts:GetCallerIdentity answers (internal/fakecloud's), which the program builds its ARNs from.
	account := map[string]bool{}
	for _, id := range []string{fields[4], fakecloud.AccountID} {
		account[id], account["arn:"+fields[1]+":iam::"+id+":root"] = true, true
	}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || !matchesAny(stringsOf(s.Action), "kms:PutKeyPolicy") {
			continue
		}
		for _, principal := range awsPrincipals(s.Principal) {
			if principal == "*" || principal == callerRole || account[principal] {
				return true, nil
			}
		}
	}
	return false, nil
}

// stringsOf reads a policy element that is a string or a list of strings.
func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// matchesAny applies IAM's action wildcards ("kms:*", "kms:Put*", "*"), case-insensitively.
func matchesAny(patterns []string, action string) bool {
	for _, pattern := range patterns {
		if ok, _ := path.Match(strings.ToLower(pattern), strings.ToLower(action)); ok {
			return true
		}
	}
	return false
}
