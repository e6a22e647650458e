package account

import (
	"path/filepath"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/offline"
)

// Dir is the bootstrap project's folder under the repository root.
const Dir = "bootstrap"

// Plan is the offline plan of the bootstrap stack (`go run ./cmd/plan --project bootstrap
// --stack <s>`): root is the repository root; the configuration is bootstrap/Pulumi.yaml's
// defaults overridden by bootstrap/Pulumi.<stack>.yaml, run under the same mocks as the
// platform's plan.
func Plan(root, stack string) (*offline.Plan, error) {
	dir := filepath.Join(root, Dir)
	values, err := config.StackValues(filepath.Join(dir, "Pulumi.yaml"), filepath.Join(dir, "Pulumi."+stack+".yaml"))
	if err != nil {
		return nil, err
	}
	return offline.Run(offline.Options{Project: Project, Stack: stack, Config: values}, Outputs(config.SortedKeys(values)))
}
