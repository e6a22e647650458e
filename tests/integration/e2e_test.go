package integration

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/pkg/v3/testing/integration"
)

// e2eVariable opts in to the ephemeral-stack test: it deploys a real platform, so it never runs
// by accident.
const e2eVariable = "EKS_PLATFORM_E2E"

// notStaged are the repository's top-level entries that are not part of the Pulumi program.
var notStaged = map[string]bool{
	".git": true, ".github": true, ".ci": true, ".pulumi-local": true,
	"bin": true, "outputs": true, "scripts": true, "tests": true, "tools": true,
}

// TestEphemeralStack deploys the program as a throwaway stack with the dev shape, checks it like
// TestDeployedStack, proves a second preview is empty and a refresh finds no drift, then
// destroys it (also when the test fails).
//
//	EKS_PLATFORM_E2E=1            required
//	EKS_PLATFORM_E2E_SUFFIX       resource-name suffix and stack name part (default "e2e")
//	AWS_REGION                    region (default us-east-1)
//	PULUMI_BACKEND_URL            where the state lives while the test runs (default: a temporary
//	                              local backend, lost if the test process dies mid-way)
func TestEphemeralStack(t *testing.T) {
	if os.Getenv(e2eVariable) != "1" {
		t.Skip(e2eVariable + " is not 1: the ephemeral-stack test deploys and destroys a real EKS platform " +
			"(about 45 minutes, billed to the AWS account), so it only runs when asked for")
	}
	root := repositoryRoot(t)
	suffix := environmentOr("EKS_PLATFORM_E2E_SUFFIX", "e2e")
	stackName := "eks-platform-" + suffix
	options := &integration.ProgramTestOptions{
		Dir:       stageProgram(t, root, stackName),
		StackName: stackName,
		CloudURL:  os.Getenv("PULUMI_BACKEND_URL"),
		Config: map[string]string{
			"aws:region":                     environmentOr("AWS_REGION", "us-east-1"),
			"eks-platform:environmentSuffix": suffix,
		},
		DestroyOnCleanup: true,
		NoParallel:       true,
		ExtraRuntimeValidation: func(t *testing.T, stack integration.RuntimeValidationStackInfo) {
			data, err := json.Marshal(stack.Outputs)
			if err != nil {
				t.Fatal(err)
			}
			outputs, err := ParseOutputs(data)
			if err != nil {
				t.Fatal(err)
			}
			checkDeployment(t, connect(t, outputs))
		},
	}
	// The pinned CLI from scripts/toolchain.sh, with its Go language host beside it.
	if pinned := filepath.Join(root, "bin", "pulumi"); isExecutable(pinned) {
		options.Bin = pinned
		options.Env = append(options.Env, "PATH="+filepath.Join(root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	integration.ProgramTest(t, options)
}

// stageProgram copies the Pulumi program (not the delivery tooling) into a temporary directory
// and gives the ephemeral stack the dev stack's settings.
func stageProgram(t *testing.T, root, stackName string) string {
	t.Helper()
	stage := t.TempDir()
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		relative, err := filepath.Rel(root, path)
		if err != nil || relative == "." {
			return err
		}
		top := strings.Split(relative, string(filepath.Separator))[0]
		if notStaged[top] || strings.HasPrefix(filepath.Base(path), "Pulumi.") && filepath.Dir(relative) == "." && relative != "Pulumi.yaml" {
			if entry.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if entry.IsDir() {
			return os.MkdirAll(filepath.Join(stage, relative), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(stage, relative), data, 0o644)
	})
	if err != nil {
		t.Fatalf("staging the program: %v", err)
	}
	devStack, err := os.ReadFile(filepath.Join(root, "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stage, "Pulumi."+stackName+".yaml"), devStack, 0o644); err != nil {
		t.Fatal(err)
	}
	return stage
}

// repositoryRoot finds the program's go.mod upward from the test's directory, never by
// counting parent directories (STACK_SPEC X4, seed 000 #9).
func repositoryRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(data), "module github.com/acme/eks-platform\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of module github.com/acme/eks-platform above the test's directory")
		}
		dir = parent
	}
}

func environmentOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// TestStageProgram: the ephemeral stack gets the program and the dev settings, not the delivery
// tooling, built binaries or the other stacks' files.
func TestStageProgram(t *testing.T) {
	root := t.TempDir()
	for _, file := range []string{
		"go.mod", "go.sum", "main.go", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "network/network.go",
		"bin/pulumi", "tools/pulumi/go.mod", "tests/integration/go.mod", "scripts/stack.sh", ".git/HEAD", "outputs/dev.json",
	} {
		path := filepath.Join(root, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stage := stageProgram(t, root, "eks-platform-e2e")
	var staged []string
	err := filepath.WalkDir(stage, func(path string, entry fs.DirEntry, err error) error {
		if err == nil && !entry.IsDir() {
			relative, _ := filepath.Rel(stage, path)
			staged = append(staged, filepath.ToSlash(relative))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Pulumi.eks-platform-e2e.yaml", "Pulumi.yaml", "go.mod", "go.sum", "main.go", "network/network.go"}
	if strings.Join(staged, " ") != strings.Join(want, " ") {
		t.Fatalf("staged %v, want %v", staged, want)
	}
	if data, _ := os.ReadFile(filepath.Join(stage, "Pulumi.eks-platform-e2e.yaml")); string(data) != "Pulumi.dev.yaml" {
		t.Fatalf("ephemeral stack file holds %q, want the dev stack's settings", data)
	}
}

func TestRepositoryRootIsTheProgramModule(t *testing.T) {
	root := repositoryRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(data), "module github.com/acme/eks-platform\n") {
		t.Fatalf("%s/go.mod: %q, %v", root, data, err)
	}
	if _, err := os.Stat(filepath.Join(root, "tests", "integration", "e2e_test.go")); err != nil {
		t.Fatalf("root %s does not hold this test: %v", root, err)
	}
}
