package account

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme/eks-platform/internal/fakecloud"
)

// planTypes are the aws: resource types of every committed offline plan
// (tests/stack/testdata/plan-*.json, found by glob), with the plans that use each.
func planTypes(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "tests", "stack", "testdata", "plan-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no offline plans: %v", err)
	}
	types := map[string][]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var plan struct {
			Resources []struct {
				Type string `json:"type"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(data, &plan); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range plan.Resources {
			if strings.HasPrefix(r.Type, "aws:") && !slices.Contains(types[r.Type], filepath.Base(f)) {
				types[r.Type] = append(types[r.Type], filepath.Base(f))
			}
		}
	}
	return types
}

// missingAndStale compares the permission entries with the types the plans use.
func missingAndStale(p *Permissions, used map[string][]string) (missing, stale []string) {
	for _, typ := range sortedKeys(used) {
		if _, ok := p.Types[typ]; !ok {
			missing = append(missing, typ+" (in "+strings.Join(used[typ], ", ")+")")
		}
	}
	for _, typ := range sortedKeys(p.Types) {
		if _, inPlan := used[typ]; !inPlan && p.EngineOnlyTypes[typ] == "" {
			stale = append(stale, typ)
		}
	}
	return missing, stale
}

// Every AWS type a plan registers has its permissions, and every entry is used by a plan or by
// pulumi-eks (A4): the deploy role can build the platform and holds nothing else.
func TestEveryPlannedTypeHasPermissionsAndNoneIsStale(t *testing.T) {
	perms, err := LoadPermissions()
	if err != nil {
		t.Fatal(err)
	}
	if perms.Read != "2026-12-06" || !strings.Contains(perms.Source, "Service Authorization Reference") {
		t.Errorf("permissions.json: source %q read %q", perms.Source, perms.Read)
	}
	used := planTypes(t)
	missing, stale := missingAndStale(perms, used)
	for _, typ := range missing {
		t.Errorf("no permission entry for %s: add it to bootstrap/account/permissions.json", typ)
	}
	for _, typ := range stale {
		t.Errorf("stale permission entry %s: no plan uses it and it is not an engineOnlyTypes child of pulumi-eks", typ)
	}
	for _, typ := range sortedKeys(perms.EngineOnlyTypes) {
		if _, ok := perms.Types[typ]; !ok {
			t.Errorf("engine-only type %s has no permission entry", typ)
		}
		if _, ok := used[typ]; ok {
			t.Errorf("%s is listed as engine-only but the offline plans register it", typ)
		}
	}
	// The comparison itself finds both kinds.
	broken := *perms
	broken.Types = map[string]TypePermissions{"aws:sqs/queue:Queue": {}}
	if m, s := missingAndStale(&broken, used); len(m) != len(used) || !slices.Equal(s, []string{"aws:sqs/queue:Queue"}) {
		t.Errorf("missing %v, stale %v", m, s)
	}
}

// Every AWS data source the fake cloud answers (what the program may call) has its actions.
func TestEveryDataSourceHasPermissions(t *testing.T) {
	perms, err := LoadPermissions()
	if err != nil {
		t.Fatal(err)
	}
	var answered []string
	for _, token := range fakecloud.Invokes() {
		if strings.HasPrefix(token, "aws:") {
			answered = append(answered, token)
		}
	}
	if got := sortedKeys(perms.Invokes); !slices.Equal(got, answered) {
		t.Errorf("permissions.json invokes %v, the program's data sources %v", got, answered)
	}
}

func TestPermissionsFileIsChecked(t *testing.T) {
	for _, bad := range []struct{ json, want string }{
		{`{`, "permissions.json"},
		{`{"types": {"aws:a/b:B": {"read": ["ec2:CreateVpc"], "write": {"x": ["ec2:CreateVpc"]}}}, "scopes": {"x": {}}}`, "does not start with"},
		{`{"types": {"aws:a/b:B": {"read": [], "write": {"y": ["ec2:CreateVpc"]}}}, "scopes": {}}`, `scope "y"`},
		{`{"types": {"aws:a/b:B": {"read": [], "write": {}}}}`, "no write actions"},
		{`{"types": {"aws:a/b:B": {"read": [], "write": {"x": ["CreateVpc"]}}}, "scopes": {"x": {}}}`, "not service:Action"},
		{`{"invokes": {"aws:index/x:x": ["ec2:RunInstances"]}}`, "does not start with"},
	} {
		if _, err := parsePermissions([]byte(bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err = %v, want %q", bad.json, err, bad.want)
		}
	}
}
