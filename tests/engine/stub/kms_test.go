package stub

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestKeyPolicyLockoutCheck(t *testing.T) {
	const deploy = "arn:aws:iam::777788889999:role/eks-platform-deploy-prod"
	policy := func(statements string) resource.PropertyMap {
		return resource.PropertyMap{"policy": resource.NewStringProperty(`{"Version":"2012-10-17","Statement":[` + statements + `]}`)}
	}
	const useOnly = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777788889999:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`
	cases := []struct {
		name    string
		inputs  resource.PropertyMap
		refused bool
	}{
		{"the caller among the administrators", policy(useOnly + `,{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::777788889999:role/Admin","` + deploy + `"]},"Action":["kms:Create*","kms:Put*"],"Resource":"*"}`), false},
		{"the account with kms:*, IAM decides", policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777788889999:root"},"Action":"kms:*","Resource":"*"}`), false},
		{"the account by its ID", policy(`{"Effect":"Allow","Principal":{"AWS":"777788889999"},"Action":"kms:PutKeyPolicy","Resource":"*"}`), false},
		{"no policy: KMS's default names the account", resource.PropertyMap{}, false},
		{"the account may only use the key", policy(useOnly), true},
		{"another role administers", policy(useOnly + `,{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777788889999:role/Admin"},"Action":"kms:*","Resource":"*"}`), true},
		{"the caller may administer, but not put the policy", policy(`{"Effect":"Allow","Principal":{"AWS":"` + deploy + `"},"Action":["kms:Describe*","kms:ScheduleKeyDeletion"],"Resource":"*"}`), true},
		{"a Deny naming the caller", policy(`{"Effect":"Deny","Principal":{"AWS":"` + deploy + `"},"Action":"kms:*","Resource":"*"}`), true},
		{"another account's root", policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`), true},
		{"everyone", policy(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`), false},
		{"everyone in AWS", policy(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:PutKeyPolicy","Resource":"*"}`), false},
	}
	t.Setenv(CallerRoleVariable, deploy)
	for _, c := range cases {
		err := checkKeyPolicy(kmsKeyType, c.inputs, nil)
		if c.refused && (err == nil || err.Error() != lockoutError) {
			t.Errorf("%s: error %v, want KMS's lockout refusal", c.name, err)
		}
		if !c.refused && err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
		}
	}
	// An update may change the policy only if the policy in force lets the caller put one.
	admin := policy(`{"Effect":"Allow","Principal":{"AWS":"` + deploy + `"},"Action":"kms:Put*","Resource":"*"}`)
	other := policy(useOnly + `,{"Effect":"Allow","Principal":{"AWS":"` + deploy + `"},"Action":"kms:*","Resource":"*"}`)
	if err := checkKeyPolicy(kmsKeyType, other, admin); err != nil {
		t.Errorf("a change allowed by the policy in force refused: %v", err)
	}
	if err := checkKeyPolicy(kmsKeyType, admin, policy(useOnly)); err == nil || !strings.HasPrefix(err.Error(), "AccessDeniedException") {
		t.Errorf("a change the policy in force does not allow: %v, want AccessDeniedException", err)
	}
	if err := checkKeyPolicy(kmsKeyType, policy(useOnly), policy(useOnly)); err != nil {
		t.Errorf("an update that keeps the policy (no PutKeyPolicy) refused: %v", err)
	}
	if err := checkKeyPolicy("aws:sns/topic:Topic", policy(useOnly), nil); err != nil {
		t.Errorf("a topic's policy judged as a key policy: %v", err)
	}
	t.Setenv(CallerRoleVariable, "")
	if err := checkKeyPolicy(kmsKeyType, policy(useOnly), nil); err != nil {
		t.Errorf("with no caller role the model must be off: %v", err)
	}
}
