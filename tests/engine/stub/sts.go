package stub

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strings"
)

// IAMPlansVariable names the IAM the stub's STS knows beyond the caller's own account: the
// offline plans (cmd/plan --project bootstrap --json), space-separated, of the bootstrap stacks
// whose roles a provider may assume. scripts/engine.sh sets it, for a stack that copies its
// backups to another account, to the plans of that account's bootstrap stacks.
const IAMPlansVariable = "EKS_PLATFORM_STUB_IAM_PLANS"

const callerIdentityToken = "aws:index/getCallerIdentity:getCallerIdentity"

// cannotAssumeError is the AWS provider's answer when its assumeRole fails (aws-sdk-go-base,
// which terraform-provider-aws configures its credentials with), with STS's AccessDenied text.
const cannotAssumeError = "IAM Role (%s) cannot be assumed: operation error STS: AssumeRole, https response error StatusCode: 403, api error AccessDenied: User: %s is not authorized to perform: sts:AssumeRole on resource: %s"

// assumeRole models sts:AssumeRole of role by the caller's role, as the AWS provider calls it
// when it is configured with assumeRole: the role must exist in one of the IAMPlansVariable plans
// and its trust policy must let the caller in. It reads the trust policy's Allow statements:
// their actions, their AWS principals (the caller's ARN, "*", or the caller's account, as root
// or ID) and their conditions on aws:PrincipalArn (ArnEquals, ArnLike, StringEquals,
// StringLike); a statement with any other condition key is taken not to apply. It does not read
// Deny statements, and it does not evaluate the caller's own IAM policies (the bootstrap's
// sts:AssumeRole grant, tested in bootstrap/account). With no caller role known the model is off.
func assumeRole(caller, role string) error {
	if caller == "" {
		return nil
	}
	trusts, err := knownRoles()
	if err != nil {
		return err
	}
	trust, ok := trusts[role]
	if ok {
		allowed, err := trustAllows(trust, caller)
		if err != nil {
			return fmt.Errorf("role %s: trust policy: %w", role, err)
		}
		ok = allowed
	}
	if !ok {
		return fmt.Errorf(cannotAssumeError, role, sessionArn(caller), role)
	}
	return nil
}

// sessionArn is how STS names a session of a role: arn:<partition>:sts::<account>:assumed-role/
// <name>/<session>, the role's path left out.
func sessionArn(role string) string {
	fields := strings.SplitN(role, ":", 6)
	if len(fields) != 6 {
		return role
	}
	name := fields[5][strings.LastIndex(fields[5], "/")+1:]
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/eks-platform-stub", fields[1], fields[4], name)
}

// knownRoles reads the roles of the IAMPlansVariable plans: ARN (the plan's provider's one
// allowed account and the role's name) to trust policy.
func knownRoles() (map[string]string, error) {
	roles := map[string]string{}
	for _, file := range strings.Fields(os.Getenv(IAMPlansVariable)) {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", IAMPlansVariable, err)
		}
		var plan struct {
			Resources []struct {
				URN, Type, Provider string
				Inputs              map[string]any
			}
		}
		if err := json.Unmarshal(data, &plan); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", IAMPlansVariable, file, err)
		}
		accounts := map[string]string{}
		for _, r := range plan.Resources {
			if ids, _ := r.Inputs["allowedAccountIds"].([]any); r.Type == "pulumi:providers:aws" && len(ids) == 1 {
				accounts[r.URN], _ = ids[0].(string)
			}
		}
		for _, r := range plan.Resources {
			name, _ := r.Inputs["name"].(string)
			trust, _ := r.Inputs["assumeRolePolicy"].(string)
			if r.Type != "aws:iam/role:Role" || name == "" {
				continue
			}
			account := accounts[r.Provider]
			if account == "" {
				return nil, fmt.Errorf("%s: %s: role %s has no provider with one allowed account", IAMPlansVariable, file, name)
			}
			roles[fmt.Sprintf("arn:aws:iam::%s:role/%s", account, name)] = trust
		}
	}
	return roles, nil
}

// trustStatement is what the model reads of a trust policy statement.
type trustStatement struct {
	Effect    string                                `json:"Effect"`
	Principal json.RawMessage                       `json:"Principal"`
	Action    json.RawMessage                       `json:"Action"`
	Condition map[string]map[string]json.RawMessage `json:"Condition"`
}

func trustAllows(policy, caller string) (bool, error) {
	var doc struct {
		Statement []trustStatement `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return false, err
	}
	fields := strings.SplitN(caller, ":", 6)
	if len(fields) != 6 {
		return false, fmt.Errorf("%q is not an IAM role ARN", caller)
	}
	account := map[string]bool{fields[4]: true, "arn:" + fields[1] + ":iam::" + fields[4] + ":root": true}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || !matchesAny(stringsOf(s.Action), "sts:AssumeRole") {
			continue
		}
		named := false
		for _, principal := range awsPrincipals(s.Principal) {
			named = named || principal == "*" || principal == caller || account[principal]
		}
		if named && conditionsHold(s.Condition, caller) {
			return true, nil
		}
	}
	return false, nil
}

// conditionsHold checks a statement's conditions on aws:PrincipalArn; any other key fails it.
func conditionsHold(conditions map[string]map[string]json.RawMessage, caller string) bool {
	for op, keys := range conditions {
		for key, raw := range keys {
			if key != "aws:PrincipalArn" {
				return false
			}
			like := op == "ArnLike" || op == "StringLike"
			if !like && op != "ArnEquals" && op != "StringEquals" {
				return false
			}
			matched := false
			for _, value := range stringsOf(raw) {
				ok := value == caller
				if like {
					ok, _ = path.Match(value, caller)
				}
				matched = matched || ok
			}
			if !matched {
				return false
			}
		}
	}
	return true
}
