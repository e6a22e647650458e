package stack_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden offline plans in testdata/")

// The offline plan of every committed stack is kept in testdata/plan-<stack>.json, like eksctl's
// golden CloudFormation templates: a change to the program or a stack file shows in the pull
// request as a diff of the infrastructure it produces. After an intended change, run
//
//	go test ./tests/stack -run TestGoldenPlans -update
//
// and commit the new files with the change.
func TestGoldenPlans(t *testing.T) {
	for _, s := range stackNames(t) {
		t.Run(s, func(t *testing.T) {
			got, err := json.MarshalIndent(planFor(t, s).out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "plan-"+s+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the offline plan of %s differs from %s; review the difference (go run ./cmd/plan --stack %s --json) and run with -update if it is intended", s, path, s)
			}
		})
	}
}
