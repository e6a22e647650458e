package engine_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
)

// Every AWS type the engine holds after up, pulumi-eks' children included, has its entry in the
// bootstrap's deploy permissions (issue 19, A4), and every child the offline plans cannot show
// is declared engine-only there.
func TestDeployPermissionsCoverTheEngineTypes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "bootstrap", "account", "permissions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var perms struct {
		EngineOnlyTypes map[string]string `json:"engineOnlyTypes"`
		Types           map[string]any    `json:"types"`
	}
	if err := json.Unmarshal(data, &perms); err != nil {
		t.Fatal(err)
	}
	// The types any committed stack's offline plan registers.
	offlineTypes := map[string]bool{}
	for _, stack := range stackNames(t) {
		offlineResult, _ := offlinePlan(t, stack)
		for _, r := range offlineResult.Resources {
			offlineTypes[r.Type] = true
		}
	}
	forEachStack(t, func(t *testing.T, _ string, _ *config.Config, plan *offline.Plan) {
		for _, r := range plan.Resources {
			if !strings.HasPrefix(r.Type, "aws:") {
				continue
			}
			if _, ok := perms.Types[r.Type]; !ok {
				t.Errorf("%s (%s) has no entry in bootstrap/account/permissions.json", r.Type, r.Name)
			}
			if !offlineTypes[r.Type] && perms.EngineOnlyTypes[r.Type] == "" {
				t.Errorf("%s (%s) is in no offline plan (pulumi-eks creates it), but is not in engineOnlyTypes", r.Type, r.Name)
			}
		}
	})
}
