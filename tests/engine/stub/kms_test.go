package stub

import (
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
	}
	t.Setenv(CallerRoleVariable, deploy)
	for _, c := range cases {
		err := checkKeyPolicy(kmsKeyType, c.inputs)
		if c.refused && (err == nil || err.Error() != lockoutError) {
			t.Errorf("%s: error %v, want KMS's lockout refusal", c.name, err)
		}
		if !c.refused && err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
		}
	}
	if err := checkKeyPolicy("aws:sns/topic:Topic", policy(useOnly)); err != nil {
		t.Errorf("a topic's policy judged as a key policy: %v", err)
	}
	t.Setenv(CallerRoleVariable, "")
	if err := checkKeyPolicy(kmsKeyType, policy(useOnly)); err != nil {
		t.Errorf("with no caller role the model must be off: %v", err)
	}
}
