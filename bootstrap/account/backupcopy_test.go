package account

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme/eks-platform/internal/offline"
	"github.com/acme/eks-platform/security"
)

// issue 22: the backup account's two roles of prod are counterparts of the source account's: the
// copy role trusts only the deploy role of prod and may write only the copy's types, in the copy
// region and account; the copy preview role trusts only the preview role of prod and reads only;
// and the source roles may assume exactly their counterpart.
func TestBackupCopyRolesAreCounterparts(t *testing.T) {
	const source, backup = "777788889999", "999988887777"
	plan := planOf(t, "prod-backup")
	if roles := plan.ByType("aws:iam/role:Role"); len(roles) != 2 {
		t.Fatalf("backup account has %d roles, want the two copy roles of prod", len(roles))
	}
	for copyRole, assumedBy := range map[string]string{
		"eks-platform-backup-copy-prod":         "eks-platform-deploy-prod",
		"eks-platform-backup-copy-preview-prod": "eks-platform-preview-prod",
	} {
		role := offline.MustGet(t, plan, "aws:iam/role:Role", copyRole+"-prod-backup")
		trust := decodePolicy(t, role.String("assumeRolePolicy"))
		if len(trust.Statement) != 1 {
			t.Fatalf("%s: %d trust statements", copyRole, len(trust.Statement))
		}
		s := trust.Statement[0]
		if s.Principal["AWS"].String() != "arn:aws:iam::"+source+":root" || !slices.Equal(s.Action, security.StringList{"sts:AssumeRole"}) ||
			len(s.Condition) != 1 || s.Condition["ArnEquals"]["aws:PrincipalArn"].String() != "arn:aws:iam::"+source+":role/"+assumedBy {
			t.Errorf("%s: trust %s, want only %s of account %s", copyRole, role.String("assumeRolePolicy"), assumedBy, source)
		}
		policy := decodePolicy(t, offline.MustGet(t, plan, "aws:iam/rolePolicy:RolePolicy", copyRole+"-permissions-prod-backup").String("policy"))
		for _, st := range policy.Statement {
			for _, a := range st.Action {
				service, _, _ := strings.Cut(a, ":")
				if service != "kms" && service != "s3" {
					t.Errorf("%s: %s grants %s, want KMS and S3 only", copyRole, st.Sid, a)
				}
				if strings.Contains(copyRole, "preview") && !IsReadAction(a) {
					t.Errorf("%s: %s grants the write %s", copyRole, st.Sid, a)
				}
			}
			if st.Sid == "ReadThePlatform" {
				continue
			}
			// Every write names the backup account, or is bound to the copy region.
			for _, r := range st.Resource {
				regions := st.Condition["StringEquals"]["aws:RequestedRegion"]
				if !strings.Contains(r, ":"+backup+":") && !strings.Contains(r, "-"+backup) && !(r == "*" && slices.Equal(regions, security.StringList{"us-west-2"})) {
					t.Errorf("%s: %s writes %s (regions %v), want the backup account's or us-west-2 only", copyRole, st.Sid, r, regions)
				}
			}
		}
	}
	// The source side: each role may assume its counterpart, and nothing else there.
	sourcePlan := planOf(t, "prod")
	for roleName, copyRole := range map[string]string{
		"eks-platform-deploy-prod": "eks-platform-backup-copy-prod", "eks-platform-preview-prod": "eks-platform-backup-copy-preview-prod",
	} {
		doc := decodePolicy(t, offline.MustGet(t, sourcePlan, "aws:iam/rolePolicy:RolePolicy", roleName+"-backup-copy-prod").String("policy"))
		if len(doc.Statement) != 1 || doc.Statement[0].Resource.String() != "arn:aws:iam::"+backup+":role/"+copyRole ||
			!slices.Equal(doc.Statement[0].Action, security.StringList{"sts:AssumeRole"}) {
			t.Errorf("%s may assume %+v, want %s only", roleName, doc.Statement, copyRole)
		}
	}
	// With the copy in another account, the source's deploy role gets no grant in the copy region.
	policies := sourcePlan.ByType("aws:iam/policy:Policy")
	for _, p := range policies {
		if strings.Contains(p.String("policy"), "us-west-2") {
			t.Errorf("%s names the copy region: %s", p.Name, p.String("policy"))
		}
	}
	if len(policies) == 0 {
		t.Fatal("no deploy policies")
	}
}

// backupCopyTypes are exactly the types of what the platform's copy provider creates in the
// committed plans: the copy roles can make the copy, and nothing more.
func TestBackupCopyTypesAreWhatTheCopyProviderCreates(t *testing.T) {
	perms, err := LoadPermissions()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "tests", "stack", "testdata", "plan-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no offline plans: %v", err)
	}
	var created []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var plan struct {
			Resources []struct {
				Type     string `json:"type"`
				Provider string `json:"provider"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(data, &plan); err != nil {
			t.Fatal(err)
		}
		for _, r := range plan.Resources {
			if strings.Contains(r.Provider, "::aws-backup-copy-") && !slices.Contains(created, r.Type) {
				created = append(created, r.Type)
			}
		}
	}
	slices.Sort(created)
	want := slices.Sorted(slices.Values(perms.BackupCopyTypes.Types))
	if len(created) == 0 || !slices.Equal(created, want) {
		t.Errorf("the copy provider creates %v, backupCopyTypes lists %v", created, want)
	}
}

// The engine stub's STS knows the backup account's roles from a fixture of this plan
// (tests/engine/stub/testdata/bootstrap-prod-backup.json): it must be this plan's roles and
// provider, as committed.
func TestStubFixtureIsTheBackupAccountsPlan(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "tests", "engine", "stub", "testdata", "bootstrap-prod-backup.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Resources []offline.Resource `json:"resources"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	plan := planOf(t, "prod-backup")
	var want []offline.Resource
	for _, r := range plan.Resources {
		if r.Type == "aws:iam/role:Role" || r.Type == "pulumi:providers:aws" {
			want = append(want, r)
		}
	}
	if len(fixture.Resources) != len(want) {
		t.Fatalf("fixture has %d roles and providers, the plan %d: regenerate it from the plan", len(fixture.Resources), len(want))
	}
	for i, r := range want {
		got := fixture.Resources[i]
		gotJSON, _ := json.Marshal(got.Inputs)
		wantJSON, _ := json.Marshal(r.Inputs)
		if got.URN != r.URN || got.Provider != r.Provider || string(gotJSON) != string(wantJSON) {
			t.Errorf("fixture %s differs from the plan's %s: regenerate it (go run ./cmd/plan --project bootstrap --stack prod-backup --json)", got.URN, r.URN)
		}
	}
}
