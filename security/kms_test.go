package security

import (
	"path"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/offline"
)

const (
	kmsKeyType   = "aws:kms/key:Key"
	kmsAliasType = "aws:kms/alias:Alias"
)

// testKeyAdmins are a deploy role and an account admin role, as a stack file names them.
var testKeyAdmins = []string{
	"arn:aws:iam::" + offline.AccountID + ":role/eks-platform-deploy-dev",
	"arn:aws:iam::" + offline.AccountID + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
}

func planEncryption(t *testing.T, args *EncryptionArgs) (*offline.Plan, *Encryption) {
	t.Helper()
	var enc *Encryption
	plan, err := offline.RunComponent(args.Environment, nil, func(ctx *pulumi.Context) error {
		var err error
		enc, err = NewEncryption(ctx, "encryption-"+args.Environment, args)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan, enc
}

// awaitString resolves an output under the mocks.
func awaitString(t *testing.T, out pulumi.StringOutput) string {
	t.Helper()
	done := make(chan string, 1)
	out.ApplyT(func(s string) string { done <- s; return s })
	return <-done
}

func TestKeyRotatesWithConfiguredDeletionWindow_S1(t *testing.T) {
	plan, _ := planEncryption(t, &EncryptionArgs{Environment: "staging", DeletionWindowDays: 14, KeyAdminRoleArns: testKeyAdmins})
	key := offline.MustGet(t, plan, kmsKeyType, "eks-secrets-staging")
	if key.Input("enableKeyRotation") != true {
		t.Error("key rotation is not enabled")
	}
	if got := key.Input("deletionWindowInDays"); got != float64(14) {
		t.Errorf("deletion window %v, want 14", got)
	}
	if !strings.Contains(key.String("description"), "EKS secrets") || key.String("tags.Name") != "eks-secrets-staging" {
		t.Errorf("description %q / Name tag %q do not say what the key is", key.String("description"), key.String("tags.Name"))
	}
}

// Seed 003 #6: the alias carries "alias/" exactly once.
func TestAliasHasNoDoubledPrefix_S1(t *testing.T) {
	plan, enc := planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins})
	alias := offline.MustGet(t, plan, kmsAliasType, "eks-secrets-dev")
	if got := alias.String("name"); got != "alias/eks-secrets-dev" {
		t.Errorf("alias name %q, want alias/eks-secrets-dev", got)
	}
	for _, duty := range KeyDuties {
		if got := awaitString(t, enc.AliasNames[duty]); got != "alias/eks-"+string(duty)+"-dev" {
			t.Errorf("exported %s alias %q", duty, got)
		}
		if got := awaitString(t, enc.KeyArns[duty]); !strings.HasPrefix(got, "arn:aws:kms:us-east-1:"+offline.AccountID+":key/") {
			t.Errorf("exported %s key ARN %q", duty, got)
		}
	}
	if !strings.HasSuffix(awaitString(t, enc.KeyArns[DutySecrets]), "/"+alias.String("targetKeyId")) {
		t.Errorf("the secrets alias targets %q, not the secrets key", alias.String("targetKeyId"))
	}
}

func TestKeyProtectedOnlyWhenAsked_S1(t *testing.T) {
	for _, protect := range []bool{true, false} {
		plan, _ := planEncryption(t, &EncryptionArgs{Environment: "prod", DeletionWindowDays: 30, KeyAdminRoleArns: testKeyAdmins, Protect: protect})
		for _, duty := range KeyDuties {
			name := "eks-" + string(duty) + "-prod"
			if key := offline.MustGet(t, plan, kmsKeyType, name); key.Protect != protect {
				t.Errorf("Protect=%v: %s protect is %v", protect, name, key.Protect)
			}
			if alias := offline.MustGet(t, plan, kmsAliasType, name); alias.Protect {
				t.Errorf("Protect=%v: alias %s is protected too", protect, name)
			}
		}
	}
}

// issue 22: keys by duty. Each key's policy names only the services of its duty: the secrets key
// none, the logs key CloudWatch Logs and CloudWatch alarms, the data key Auto Scaling; so no
// service of one duty can use another's key.
func TestEachKeyServesOneDuty(t *testing.T) {
	plan, _ := planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins})
	want := map[KeyDuty][]string{
		DutySecrets: {"AllowKeyUseAndReadThroughIAM", "AllowGrantsForAWSResourcesThroughIAM", "AllowKeyAdministrationByAdminRoles"},
		DutyLogs: {"AllowKeyUseAndReadThroughIAM", "AllowGrantsForAWSResourcesThroughIAM", "AllowKeyAdministrationByAdminRoles",
			"AllowCloudWatchLogsForThisAccount", "AllowCloudWatchAlarmsToPublishToEncryptedTopics"},
		DutyData: {"AllowKeyUseAndReadThroughIAM", "AllowGrantsForAWSResourcesThroughIAM", "AllowKeyAdministrationByAdminRoles",
			"AllowAutoScalingToUseTheKey", "AllowAutoScalingGrantsForAWSResources"},
	}
	for duty, sids := range want {
		doc := decodePolicy(t, offline.MustGet(t, plan, kmsKeyType, "eks-"+string(duty)+"-dev").String("policy"))
		var got []string
		for _, st := range doc.Statement {
			got = append(got, st.Sid)
		}
		if strings.Join(got, ",") != strings.Join(sids, ",") {
			t.Errorf("%s key policy statements %v, want %v", duty, got, sids)
		}
	}
}

func keyPolicyStatement(t *testing.T, doc PolicyDocument, sid string) Statement {
	t.Helper()
	for _, s := range doc.Statement {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("key policy has no statement %q", sid)
	return Statement{}
}

func TestKeyPolicyLetsIAMLogsAndAutoScalingUseTheKey_S1(t *testing.T) {
	plan, _ := planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins})
	policy := func(duty KeyDuty) PolicyDocument {
		return decodePolicy(t, offline.MustGet(t, plan, kmsKeyType, "eks-"+string(duty)+"-dev").String("policy"))
	}
	doc := policy(DutyLogs)

	root := keyPolicyStatement(t, doc, "AllowKeyUseAndReadThroughIAM")
	if root.Principal["AWS"].String() != "arn:aws:iam::"+offline.AccountID+":root" ||
		!containsAll(root.Action, "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:GetKeyPolicy") {
		t.Errorf("account statement: %+v", root)
	}

	// Seed 003 #3: the logs key encrypts this account's log groups, and only those.
	logs := keyPolicyStatement(t, doc, "AllowCloudWatchLogsForThisAccount")
	if logs.Principal["Service"].String() != "logs.us-east-1.amazonaws.com" || len(logs.Principal) != 1 {
		t.Errorf("logs principal %v", logs.Principal)
	}
	if got := logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]; len(got) != 1 ||
		got[0] != "arn:aws:logs:us-east-1:"+offline.AccountID+":log-group:*" {
		t.Errorf("logs statement is not limited to this account's log groups: %v", logs.Condition)
	}
	for _, action := range logs.Action {
		if action == "kms:*" || strings.HasPrefix(action, "kms:Create") || strings.HasPrefix(action, "kms:Put") {
			t.Errorf("logs may %s", action)
		}
	}

	// O4: alarms reach the encrypted topic only if CloudWatch may use the key, and only to
	// encrypt messages (Decrypt + GenerateDataKey), nothing more.
	alarms := keyPolicyStatement(t, doc, "AllowCloudWatchAlarmsToPublishToEncryptedTopics")
	if alarms.Principal["Service"].String() != "cloudwatch.amazonaws.com" ||
		strings.Join(alarms.Action, ",") != "kms:Decrypt,kms:GenerateDataKey*" {
		t.Errorf("cloudwatch alarms statement: %+v", alarms)
	}

	doc = policy(DutyData)
	slr := "arn:aws:iam::" + offline.AccountID + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
	use := keyPolicyStatement(t, doc, "AllowAutoScalingToUseTheKey")
	if use.Principal["AWS"].String() != slr || !containsAll(use.Action, "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey") {
		t.Errorf("auto scaling use statement: %+v", use)
	}
	grant := keyPolicyStatement(t, doc, "AllowAutoScalingGrantsForAWSResources")
	if grant.Principal["AWS"].String() != slr || strings.Join(grant.Action, ",") != "kms:CreateGrant" ||
		strings.Join(grant.Condition["Bool"]["kms:GrantIsForAWSResource"], ",") != "true" {
		t.Errorf("auto scaling grant statement: %+v", grant)
	}
}

// kmsActionsThatAdminister are the changes to a key that only its administrators may make: its
// policy, its state, its deletion, its rotation, its tags (which IAM conditions may depend on).
var kmsActionsThatAdminister = []string{
	"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:DisableKey",
	"kms:EnableKey", "kms:DisableKeyRotation", "kms:UpdateKeyDescription", "kms:TagResource",
	"kms:UntagResource", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
}

// allows says whether a statement's actions cover action, with IAM's wildcard matching.
func allows(actions StringList, action string) bool {
	for _, pattern := range actions {
		if ok, _ := path.Match(strings.ToLower(pattern), strings.ToLower(action)); ok || pattern == "*" {
			return true
		}
	}
	return false
}

// issue 22: nothing broader than the admin roles administers a key. On every key, each
// administering action is allowed by exactly one statement, whose principals are exactly the
// configured admin roles; the account's statement (through which IAM policies grant) allows use
// and reads only, so no IAM policy can make its holder a key administrator. The admins get no
// cryptographic use from the key policy, nor a grant that would give it: administering a key is
// not reading what it protects.
func TestOnlyTheAdminRolesAdministerTheKeys(t *testing.T) {
	plan, _ := planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins})
	for _, duty := range KeyDuties {
		doc := decodePolicy(t, offline.MustGet(t, plan, kmsKeyType, "eks-"+string(duty)+"-dev").String("policy"))
		for _, action := range kmsActionsThatAdminister {
			var by []string
			for _, s := range doc.Statement {
				if s.Effect == Allow && allows(s.Action, action) {
					by = append(by, s.Sid)
				}
			}
			if len(by) != 1 || by[0] != "AllowKeyAdministrationByAdminRoles" {
				t.Errorf("%s key: %s is allowed by %v, want only AllowKeyAdministrationByAdminRoles", duty, action, by)
			}
		}
		// Grants through IAM only for AWS resources (EKS, EBS, Auto Scaling), as AWS's default
		// key policy allows them: a direct grant could hand the key to anyone, a revoked one cut
		// a volume or the cluster off it.
		for _, s := range doc.Statement {
			if s.Principal["AWS"].String() == "arn:aws:iam::"+offline.AccountID+":root" &&
				(allows(s.Action, "kms:CreateGrant") || allows(s.Action, "kms:RevokeGrant")) &&
				strings.Join(s.Condition["Bool"]["kms:GrantIsForAWSResource"], ",") != "true" {
				t.Errorf("%s key: the account statement %s allows grants without kms:GrantIsForAWSResource", duty, s.Sid)
			}
		}
		admin := keyPolicyStatement(t, doc, "AllowKeyAdministrationByAdminRoles")
		if len(admin.Principal) != 1 || strings.Join(admin.Principal["AWS"], " ") != strings.Join(testKeyAdmins, " ") {
			t.Errorf("%s key administrators %v, want exactly %v", duty, admin.Principal, testKeyAdmins)
		}
		for _, use := range []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"} {
			if allows(admin.Action, use) {
				t.Errorf("%s key: the administrators may %s", duty, use)
			}
		}
	}
}

func TestKeyPolicyFollowsThePartition_S1(t *testing.T) {
	env := awsEnv{Partition: "aws-cn", DNSSuffix: "amazonaws.com.cn", Region: "cn-north-1", AccountID: "210987654321"}
	rendered, err := keyPolicy(env, DutyLogs, []string{"arn:aws-cn:iam::210987654321:role/eks-platform-deploy-dev"}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rendered, "arn:aws:") || !strings.Contains(rendered, `"logs.cn-north-1.amazonaws.com.cn"`) {
		t.Errorf("key policy ignores the partition: %s", rendered)
	}
}

func TestAutoScalingServiceLinkedRoleCreatedFirstOnlyWhenAsked_S1(t *testing.T) {
	plan, _ := planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins})
	if got := plan.ByType("aws:iam/serviceLinkedRole:ServiceLinkedRole"); len(got) != 0 {
		t.Fatalf("service-linked role created without being asked: %v", got)
	}
	plan, _ = planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins, CreateAutoScalingServiceLinkedRole: true})
	slr := offline.MustGet(t, plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole", "autoscaling-service-linked-role-dev")
	if slr.String("awsServiceName") != "autoscaling.amazonaws.com" || !slr.RetainOnDelete {
		t.Errorf("service-linked role %+v: want autoscaling.amazonaws.com, retained on delete", slr)
	}
	if key := offline.MustGet(t, plan, kmsKeyType, "eks-data-dev"); !key.DependsOn(slr.URN) {
		t.Error("the data key's policy names the service-linked role but the key does not wait for it")
	}
}

func TestEncryptionChildrenAreParented(t *testing.T) {
	plan, _ := planEncryption(t, &EncryptionArgs{Environment: "dev", DeletionWindowDays: 7, KeyAdminRoleArns: testKeyAdmins})
	comp := plan.ByType(encryptionType)
	if len(comp) != 1 || len(plan.Children(comp[0])) != 2*len(KeyDuties) {
		t.Fatalf("want one component with a key and an alias per duty as children, got %v", comp)
	}
}

func TestNewEncryptionRejectsBadArgs(t *testing.T) {
	cases := map[string]*EncryptionArgs{
		"needs EncryptionArgs": nil,
		"Environment":          {DeletionWindowDays: 7},
		"allows 7 to 30":       {Environment: "dev", DeletionWindowDays: 31, KeyAdminRoleArns: testKeyAdmins},
		"is 0":                 {Environment: "dev", KeyAdminRoleArns: testKeyAdmins},
		"KeyAdminRoleArns":     {Environment: "dev", DeletionWindowDays: 7},
	}
	for want, args := range cases {
		_, err := offline.RunComponent("dev", nil, func(ctx *pulumi.Context) error {
			_, err := NewEncryption(ctx, "encryption-dev", args)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one mentioning %q", err, want)
		}
	}
}

func containsAll(list []string, want ...string) bool {
	have := map[string]bool{}
	for _, v := range list {
		have[v] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}
