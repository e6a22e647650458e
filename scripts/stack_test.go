// Package scripts holds the delivery shell scripts; this test drives scripts/stack.sh against
// fake `pulumi`, `aws` and `kubectl` CLIs to pin down its pre-flight checks (STACK_SPEC C2, X3)
// and the exact commands it runs.
package scripts

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeAnswer is shared by the fakes: answer <name> prints the recorded answer
// $FAKE_ANSWERS/<name>.json, or $FAKE_ANSWERS/after/<name>.json once a `kubectl delete` has run
// (what AWS and the cluster answer after --cleanup), and fails when there is none. It reads the
// file with the shell alone, so the fakes need nothing on PATH.
const fakeAnswer = `answer() {
  file="$FAKE_ANSWERS/$1.json"
  if [ -e "$FAKE_ANSWERS/.deleted" ] && [ -e "$FAKE_ANSWERS/after/$1.json" ]; then
    file="$FAKE_ANSWERS/after/$1.json"
  fi
  if [ -z "${FAKE_ANSWERS:-}" ] || [ ! -e "$file" ]; then
    echo "fake: no recorded answer $1" >&2
    exit 254
  fi
  while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done < "$file"
}
`

// fakePulumi logs every call and answers the few commands whose output the script reads.
// FAKE_PULUMI_WHOAMI_RC fails `whoami`; FAKE_PULUMI_FAIL names one subcommand that fails;
// FAKE_PULUMI_OUTPUTS replaces the stack outputs; `stack export` answers the recorded state, or an
// empty one.
const fakePulumi = "#!/bin/sh\n" + fakeAnswer + `echo "pulumi $* | PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-}" >> "$FAKE_LOG"
case "$1" in
  version) echo "$FAKE_PULUMI_VERSION" ;;
  whoami) exit "${FAKE_PULUMI_WHOAMI_RC:-0}" ;;
  stack)
    if [ "$2" = output ]; then
      if [ -n "${FAKE_PULUMI_OUTPUTS:-}" ]; then echo "$FAKE_PULUMI_OUTPUTS"; else echo '{"clusterName":"eks-platform-dev"}'; fi
    fi
    if [ "$2" = export ]; then
      if [ -e "$FAKE_ANSWERS/pulumi.stack.export.json" ]; then answer pulumi.stack.export; else echo '{"version": 3, "deployment": {}}'; fi
    fi
    ;;
esac
if [ "$1" = "${FAKE_PULUMI_FAIL:-}" ]; then exit 255; fi
exit 0
`

// fakeAWS answers --version (FAKE_AWS_VERSION, a current v2 when unset) and sts
// get-caller-identity like the real CLI, including its two-line error when no credentials
// resolve (FAKE_AWS_NO_CREDENTIALS), with the account FAKE_AWS_ACCOUNT (the fixture stacks' own,
// 123456789012, when unset). Every other call prints the recorded answer
// aws.<service>.<operation>[.<name>], where <name> is the value of --addon-name,
// --nodegroup-name or --id, the arguments that select among answers of one operation.
const fakeAWS = "#!/bin/sh\n" + fakeAnswer + `echo "aws $*" >> "$FAKE_LOG"
if [ "$1" = --version ]; then
  echo "aws-cli/${FAKE_AWS_VERSION-2.27.50} Python/3.13.4 Linux/6.8.0 exe/x86_64.ubuntu.24"
  exit 0
fi
if [ -n "${FAKE_AWS_NO_CREDENTIALS:-}" ]; then
  echo >&2
  echo 'Unable to locate credentials. You can configure credentials by running "aws configure".' >&2
  exit 255
fi
case "$1 $2" in
  "sts get-caller-identity") echo "${FAKE_AWS_ACCOUNT-123456789012}"; exit 0 ;;
  "eks update-kubeconfig") echo "Added new context to the kubeconfig"; exit 0 ;;
esac
name="aws.$1.$2"
previous=""
for argument in "$@"; do
  case "$previous" in --addon-name | --nodegroup-name | --id) name="$name.$argument" ;; esac
  previous=$argument
done
answer "$name"
`

// fakeKubectl prints the client version JSON of the real `kubectl version --client=true
// --output=json`, with gitVersion FAKE_KUBECTL_VERSION (a current release when unset); `get`
// prints the recorded answer kubectl.get.<resource>; `delete` is logged and switches every fake
// to its answers after the deletion. Calls log the kubeconfig they use.
const fakeKubectl = "#!/bin/sh\n" + fakeAnswer + `echo "kubectl $* | KUBECONFIG=${KUBECONFIG:-}" >> "$FAKE_LOG"
case "$1" in
  get) answer "kubectl.get.$2" ;;
  delete) : > "$FAKE_ANSWERS/.deleted" ;;
  *) printf '{\n  "clientVersion": {\n    "major": "1",\n    "minor": "32",\n    "gitVersion": "%s",\n    "platform": "linux/amd64"\n  },\n  "kustomizeVersion": "v5.5.0"\n}\n' "${FAKE_KUBECTL_VERSION-v1.32.8}" ;;
esac
`

const projectFile = `name: eks-platform
runtime: go
config:
  aws:region:
    description: AWS region of the stack.
    value: us-east-1
  eks-platform:environment:
    type: string
    default: ""
  eks-platform:endpointPublicAccess:
    type: boolean
    default: true
  eks-platform:publicAccessCidrs:
    type: array
    items:
      type: string
    default: [203.0.113.0/24, 198.51.100.0/24]
`

// stackFiles are the fixture's stacks, named after the region case each one exercises.
var stackFiles = map[string]string{
	"dev":    "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  eks-platform:environment: dev\n",
	"west":   "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  eks-platform:environment: staging\n  aws:region: us-west-2 # comment\n",
	"gov":    "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  aws:region: us-gov-west-1\n",
	"quoted": "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  aws:region: \"eu-west-3\"\n",
	"bad":    "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  aws:region: US-East-1\n",
	"short":  "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  aws:region: useast1\n",
	"prod":   "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  eks-platform:environment: prod\n",
	// A stack file that overrides an add-on pin, which an upgrade must update.
	"pinned": "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  eks-platform:environment: dev\n  eks-platform:corednsVersion: \"v1.12.4-eksbuild.1\" # held back\n",
	// A stack file that names no AWS account (issue 18).
	"noaccount": "config:\n  eks-platform:environment: dev\n",
	// A private-only API reached from the deployer network only (issue 19).
	"private": "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  eks-platform:environment: prod\n  eks-platform:endpointPublicAccess: false\n  eks-platform:publicAccessCidrs: []\n  eks-platform:deployerCidrs: [10.100.0.0/22, \"10.200.8.0/24\"] # runners, VPN\n",
	// A stack file on a catalogue minor, whose add-on builds `up` checks first.
	"current": "config:\n  eks-platform:awsAccountId: \"123456789012\"\n  eks-platform:environment: dev\n  eks-platform:kubernetesVersion: \"1.35\"\n",
}

// systemTools are the only external commands the script may use besides pulumi, aws and kubectl.
// date is not among them: no test may depend on the real date (EKS_PLATFORM_TODAY).
var systemTools = []string{"awk", "dirname", "grep", "jq", "mkdir", "mktemp", "mv", "rm", "sed", "sleep"}

// moduleRoot finds the repository root from the test's working directory by looking for the
// module's go.mod upward, never by counting parent directories (STACK_SPEC X4, seed 000 #9).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module github.com/acme/eks-platform\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of module github.com/acme/eks-platform above the test's directory")
		}
		dir = parent
	}
}

type fixture struct {
	root    string // a throwaway repository: go.mod, project and stack files, the scripts
	pathDir string // the only directory on the script's PATH
	log     string // every pulumi, aws and kubectl invocation, one per line
	bash    string
	pinned  string // the CLI version pinned in tools/pulumi/go.mod
	answers string // the fakes' recorded answers (FAKE_ANSWERS)
}

type fixtureOptions struct {
	withoutPulumi, withoutAWS, withoutKubectl, withoutProjectRegion bool
}

func newFixture(t *testing.T, opts fixtureOptions) *fixture {
	t.Helper()
	repo := moduleRoot(t)
	f := &fixture{root: t.TempDir(), pathDir: t.TempDir()}
	f.log = filepath.Join(t.TempDir(), "calls.log")
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skipf("bash not found: %v", err)
	}
	f.bash = bash

	project := projectFile
	if opts.withoutProjectRegion {
		project = strings.Replace(project, "  aws:region:\n    description: AWS region of the stack.\n    value: us-east-1\n", "", 1)
	}
	files := map[string]string{
		"go.mod":      "module github.com/acme/eks-platform\n\ngo 1.26\n",
		"Pulumi.yaml": project,
	}
	for name, content := range stackFiles {
		files["Pulumi."+name+".yaml"] = content
	}
	for _, rel := range []string{"scripts/stack.sh", "scripts/lib.sh", "scripts/day2.sh", "scripts/reach.sh", "scripts/recover.sh", "tools/pulumi/go.mod"} {
		data, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			t.Fatal(err)
		}
		files[rel] = string(data)
	}
	for rel, content := range files {
		writeFile(t, filepath.Join(f.root, rel), content, 0o644)
	}
	f.pinned = pinnedVersion(t, files["tools/pulumi/go.mod"])
	f.answers = t.TempDir()
	catalogue, err := os.ReadFile(filepath.Join(repo, "scripts", "testdata", "catalogue.json"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(f.root, "catalogue", "versions.json"), string(catalogue), 0o644)

	for _, tool := range systemTools {
		path, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
		if err := os.Symlink(path, filepath.Join(f.pathDir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	if !opts.withoutPulumi {
		writeFile(t, filepath.Join(f.pathDir, "pulumi"), fakePulumi, 0o755)
	}
	// The policy pack preview and up pass to the fake CLI, which never starts it (issue 22).
	writeFile(t, filepath.Join(f.pathDir, "eks-platform-guardrails"), "#!/bin/sh\nexit 1\n", 0o755)
	if !opts.withoutAWS {
		writeFile(t, filepath.Join(f.pathDir, "aws"), fakeAWS, 0o755)
	}
	if !opts.withoutKubectl {
		writeFile(t, filepath.Join(f.pathDir, "kubectl"), fakeKubectl, 0o755)
	}
	return f
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func pinnedVersion(t *testing.T, goMod string) string {
	t.Helper()
	for _, line := range strings.Split(goMod, "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "github.com/pulumi/pulumi/pkg/v3" {
			return fields[1]
		}
	}
	t.Fatal("tools/pulumi/go.mod does not require github.com/pulumi/pulumi/pkg/v3")
	return ""
}

type result struct {
	dir            string // the working directory the script ran in
	code           int
	stdout, stderr string
	calls          []string
}

// run runs the stack script from an unrelated working directory (it must find its repository
// itself) with a clean environment: nothing of the host's AWS or Pulumi settings leaks in.
func (f *fixture) run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	cmd := exec.Command(f.bash, append([]string{filepath.Join(f.root, "scripts", "stack.sh")}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{
		"PATH=" + f.pathDir,
		"HOME=" + t.TempDir(),
		"FAKE_LOG=" + f.log,
		"FAKE_ANSWERS=" + f.answers,
		"FAKE_PULUMI_VERSION=" + f.pinned,
		// Inside the fixture project's publicAccessCidrs (issue 19); a case may override it.
		"EKS_PLATFORM_DEPLOYER_ADDRESS=203.0.113.10",
		"EKS_PLATFORM_POLICY_PACK=" + filepath.Join(f.pathDir, "eks-platform-guardrails"),
	}
	for key, value := range env {
		cmd.Env = append(cmd.Env, key+"="+value)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := result{dir: cmd.Dir}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatal(err)
		}
		r.code = exitErr.ExitCode()
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	if data, err := os.ReadFile(f.log); err == nil {
		// The pack's path differs per test; calls name it as <pack>.
		logged := strings.ReplaceAll(string(data), filepath.Join(f.pathDir, "eks-platform-guardrails"), "<pack>")
		r.calls = strings.Split(strings.TrimSpace(logged), "\n")
	}
	return r
}

// mutatingCalls are the invocations that touch a backend or the cloud: none may happen when a
// pre-flight check fails.
func (r result) mutatingCalls() []string {
	var touched []string
	for _, call := range r.calls {
		for _, prefix := range []string{"pulumi stack", "pulumi preview", "pulumi up", "pulumi destroy", "pulumi refresh", "kubectl delete"} {
			if strings.HasPrefix(call, prefix) {
				touched = append(touched, call)
			}
		}
	}
	return touched
}

func (r result) called(prefix string) bool {
	for _, call := range r.calls {
		if strings.HasPrefix(call, prefix) {
			return true
		}
	}
	return false
}

// TestPreflightFailures: each broken precondition stops the script before it touches anything,
// with exactly one line on stderr that names the problem (STACK_SPEC C2, X3; seed 000 #7).
func TestPreflightFailures(t *testing.T) {
	cases := []struct {
		name string
		opts fixtureOptions
		env  map[string]string
		args []string
		want string
	}{
		{name: "no arguments", args: nil, want: "usage: scripts/stack.sh"},
		{name: "unknown command", args: []string{"apply", "dev"}, want: "unknown command 'apply'"},
		{name: "extra argument", args: []string{"check", "dev", "extra"}, want: "usage: scripts/stack.sh"},
		{name: "stack name with a path", args: []string{"preview", "../dev"}, want: "invalid stack name '../dev'"},
		{name: "missing stack file", args: []string{"preview", "qa"}, want: "stack file Pulumi.qa.yaml not found in "},
		{name: "missing stack file lists the stacks", args: []string{"preview", "qa"}, want: "(stacks: bad current dev gov noaccount pinned private prod quoted short west)"},
		{name: "upper-case region (C2)", args: []string{"preview", "bad"}, want: "invalid region 'US-East-1' from aws:region in Pulumi.bad.yaml"},
		{name: "region without dashes (C2)", args: []string{"up", "short"}, want: "invalid region 'useast1'"},
		{
			name: "AWS_REGION differs from the project default region (C2, seed 000 #7)",
			env:  map[string]string{"AWS_REGION": "eu-west-3"},
			args: []string{"up", "dev"},
			want: "AWS_REGION=eu-west-3 but stack dev deploys to us-east-1 (aws:region in Pulumi.yaml",
		},
		{
			name: "AWS_DEFAULT_REGION differs from the stack file region (C2)",
			env:  map[string]string{"AWS_DEFAULT_REGION": "us-east-1"},
			args: []string{"preview", "west"},
			want: "AWS_DEFAULT_REGION=us-east-1 but stack west deploys to us-west-2 (aws:region in Pulumi.west.yaml)",
		},
		{name: "up with a plan that is not there (issue 18)", args: []string{"up", "dev", "/nonexistent/plan.json"}, want: "update plan /nonexistent/plan.json not found: up applies only a plan saved by scripts/stack.sh preview dev <plan-file>"},
		{name: "destroy not confirmed", args: []string{"destroy", "dev"}, want: "set EKS_PLATFORM_CONFIRM_DESTROY=dev to confirm"},
		{
			name: "a pinned lifecycle day is refused for a real preview (L2)",
			env:  map[string]string{"EKS_PLATFORM_TODAY": "2026-12-01"},
			args: []string{"preview", "dev"},
			want: "EKS_PLATFORM_TODAY=2026-12-01 is set: it pins the day the program judges Kubernetes support on, for the engine check only",
		},
		{
			name: "destroy confirmed for another stack",
			env:  map[string]string{"EKS_PLATFORM_CONFIRM_DESTROY": "west"},
			args: []string{"destroy", "dev"},
			want: "set EKS_PLATFORM_CONFIRM_DESTROY=dev to confirm",
		},
		{name: "missing pulumi CLI", opts: fixtureOptions{withoutPulumi: true}, args: []string{"preview", "dev"}, want: "pulumi CLI not found: run scripts/toolchain.sh"},
		{name: "PULUMI not executable", env: map[string]string{"PULUMI": "/nonexistent/pulumi"}, args: []string{"preview", "dev"}, want: "PULUMI=/nonexistent/pulumi is not an executable file"},
		{name: "policy pack not executable", env: map[string]string{"EKS_PLATFORM_POLICY_PACK": "/nonexistent/pack"}, args: []string{"preview", "dev"}, want: "EKS_PLATFORM_POLICY_PACK=/nonexistent/pack is not an executable file"},
		{name: "missing aws CLI", opts: fixtureOptions{withoutAWS: true}, args: []string{"preview", "dev"}, want: "aws CLI not found on PATH"},
		// pulumi-eks v2 refuses older CLIs: v2 below 2.7.0, v1 below 1.24.0.
		{name: "aws CLI v2 too old", env: map[string]string{"FAKE_AWS_VERSION": "2.6.4"}, args: []string{"preview", "dev"}, want: "aws CLI version '2.6.4' is too old"},
		{name: "aws CLI v1 too old", env: map[string]string{"FAKE_AWS_VERSION": "1.23.9"}, args: []string{"up", "dev"}, want: "aws CLI version '1.23.9' is too old"},
		{name: "aws CLI version unreadable", env: map[string]string{"FAKE_AWS_VERSION": "unknown"}, args: []string{"preview", "dev"}, want: "aws CLI version 'unknown' is too old or unreadable"},
		// pulumi-eks v2 checks kubectl when it creates the cluster, on preview too.
		{name: "missing kubectl", opts: fixtureOptions{withoutKubectl: true}, args: []string{"preview", "dev"}, want: "kubectl not found on PATH: pulumi-eks v2 refuses to run the program without kubectl >= 1.24.0"},
		{name: "kubectl too old", env: map[string]string{"FAKE_KUBECTL_VERSION": "v1.23.17"}, args: []string{"up", "dev"}, want: "kubectl version 'v1.23.17' is too old"},
		{name: "kubectl version unreadable", env: map[string]string{"FAKE_KUBECTL_VERSION": ""}, args: []string{"preview", "dev"}, want: "kubectl version '' is too old or unreadable"},
		{
			name: "missing AWS credentials",
			env:  map[string]string{"FAKE_AWS_NO_CREDENTIALS": "1"},
			args: []string{"up", "dev"},
			want: "AWS credentials do not resolve (aws sts get-caller-identity in us-east-1: Unable to locate credentials.",
		},
		{
			name: "credentials of another account (issue 18)",
			env:  map[string]string{"FAKE_AWS_ACCOUNT": "777788889999"},
			args: []string{"up", "dev"},
			want: "the AWS credentials belong to account 777788889999, but stack dev deploys to account 123456789012 (eks-platform:awsAccountId in Pulumi.dev.yaml)",
		},
		{
			name: "a stack file that names no account (issue 18)",
			args: []string{"preview", "noaccount"},
			want: "Pulumi.noaccount.yaml names no AWS account: set eks-platform:awsAccountId",
		},
		{
			name: "a deployer outside the public endpoint's CIDRs (issue 19)",
			env:  map[string]string{"EKS_PLATFORM_DEPLOYER_ADDRESS": "192.0.2.7"},
			args: []string{"up", "dev"},
			want: "this machine (192.0.2.7) cannot reach stack dev's Kubernetes API: the public endpoint admits [203.0.113.0/24,198.51.100.0/24] (eks-platform:publicAccessCidrs) and the private path [] (eks-platform:deployerCidrs)",
		},
		{
			name: "a private-only API from outside the deployer networks (issue 19)",
			args: []string{"preview", "private"},
			want: "this machine (203.0.113.10) cannot reach stack private's Kubernetes API: the API endpoint is private-only and admits only the deployer networks [10.100.0.0/22,10.200.8.0/24] (eks-platform:deployerCidrs)",
		},
		{
			name: "no address to judge (issue 19)",
			env:  map[string]string{"EKS_PLATFORM_DEPLOYER_ADDRESS": ""},
			args: []string{"up", "private"},
			want: "cannot tell where this machine reaches stack private's Kubernetes API from (no address from hostname -I): set EKS_PLATFORM_DEPLOYER_ADDRESS",
		},
		{
			name: "backend not logged in",
			env:  map[string]string{"FAKE_PULUMI_WHOAMI_RC": "1"},
			args: []string{"preview", "dev"},
			want: "not logged in to a Pulumi backend",
		},
		{
			name: "local backend without passphrase",
			env:  map[string]string{"EKS_PLATFORM_LOCAL_BACKEND": "1"},
			args: []string{"preview", "dev"},
			want: "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.opts)
			r := f.run(t, tc.env, tc.args...)
			if r.code == 0 {
				t.Fatalf("exit code 0, want non-zero; stdout %q", r.stdout)
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("stderr = %q, want one line 'error: ...%s...'", r.stderr, tc.want)
			}
			if touched := r.mutatingCalls(); len(touched) > 0 {
				t.Fatalf("pre-flight failure still ran %q", touched)
			}
		})
	}
}

// TestRegionResolution: the region comes from the stack file, else Pulumi.yaml's value, else
// us-east-1 (C2), and the region command prints it without touching anything.
func TestRegionResolution(t *testing.T) {
	cases := []struct {
		stack string
		opts  fixtureOptions
		want  string
	}{
		{stack: "dev", want: "us-east-1"},
		{stack: "west", want: "us-west-2"},
		{stack: "gov", want: "us-gov-west-1"},
		{stack: "quoted", want: "eu-west-3"},
		{stack: "dev", opts: fixtureOptions{withoutProjectRegion: true}, want: "us-east-1"},
	}
	for _, tc := range cases {
		t.Run(tc.stack+"="+tc.want, func(t *testing.T) {
			f := newFixture(t, tc.opts)
			// AWS_REGION does not matter for the region command: CI reads the region to set it.
			r := f.run(t, map[string]string{"AWS_REGION": "ap-south-1"}, "region", tc.stack)
			if r.code != 0 || strings.TrimSpace(r.stdout) != tc.want {
				t.Fatalf("region %s: exit %d, stdout %q, stderr %q; want %s", tc.stack, r.code, r.stdout, r.stderr, tc.want)
			}
			if len(r.calls) != 0 {
				t.Fatalf("region command called %q", r.calls)
			}
		})
	}
}

// TestCommands: with every check passing, each command selects (or creates) the stack and runs
// the non-interactive pulumi command CI relies on (X3).
func TestCommands(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"preview", "dev"}, want: "pulumi stack select --create --non-interactive dev"},
		{args: []string{"preview", "dev"}, want: "pulumi preview --stack dev --non-interactive --policy-pack <pack> --refresh --diff"},
		{args: []string{"up", "west"}, env: map[string]string{"AWS_REGION": "us-west-2"}, want: "pulumi stack select --create --non-interactive west"},
		{args: []string{"up", "west"}, env: map[string]string{"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-2"}, want: "pulumi up --stack west --non-interactive --policy-pack <pack> --refresh --yes --diff"},
		// Checking a stack never creates it (destroy: TestDestroyClean).
		{args: []string{"refresh-check", "dev"}, want: "pulumi stack select --non-interactive dev"},
		{args: []string{"refresh-check", "dev"}, want: "pulumi refresh --stack dev --non-interactive --preview-only --expect-no-changes --diff"},
		{args: []string{"refresh-check", "dev"}, want: "pulumi preview --stack dev --non-interactive --policy-pack <pack> --expect-no-changes --diff"},
		{args: []string{"check", "dev"}, want: "pulumi stack select --create --non-interactive dev"},
		// issue 18: the preview saves the plan an approver reads; up applies exactly that plan.
		{args: []string{"preview", "dev", "/tmp/update-plan-dev.json"}, want: "pulumi preview --stack dev --non-interactive --policy-pack <pack> --refresh --diff --save-plan /tmp/update-plan-dev.json"},
		{args: []string{"up", "dev", "/tmp/update-plan-dev.json"}, want: "pulumi up --stack dev --non-interactive --policy-pack <pack> --refresh --yes --diff --plan /tmp/update-plan-dev.json"},
		// issue 19: a private-only API is deployed from a declared deployer network, by any of the
		// machine's addresses; a public one from its CIDRs.
		{args: []string{"up", "private"}, env: map[string]string{"EKS_PLATFORM_DEPLOYER_ADDRESS": "10.100.3.250"}, want: "pulumi up --stack private"},
		{args: []string{"preview", "private"}, env: map[string]string{"EKS_PLATFORM_DEPLOYER_ADDRESS": "192.0.2.7, 10.200.8.9"}, want: "pulumi preview --stack private"},
		{args: []string{"up", "dev"}, env: map[string]string{"EKS_PLATFORM_DEPLOYER_ADDRESS": "198.51.100.255"}, want: "pulumi up --stack dev"},
		{
			args: []string{"preview", "dev"},
			env:  map[string]string{"EKS_PLATFORM_SECRETS_PROVIDER": "awskms://alias/pulumi-dev"},
			want: "pulumi stack select --create --non-interactive dev --secrets-provider awskms://alias/pulumi-dev",
		},
	}
	// The plan the up case applies, as a preview would have saved it.
	if err := os.WriteFile("/tmp/update-plan-dev.json", []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			r := f.run(t, tc.env, tc.args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if !r.called("aws sts get-caller-identity --region ") {
				t.Errorf("AWS credentials not checked; calls %q", r.calls)
			}
			if !r.called("kubectl version --client=true --output=json") {
				t.Errorf("kubectl version not checked; calls %q", r.calls)
			}
			if !r.called(tc.want) {
				t.Errorf("missing call %q; calls %q", tc.want, r.calls)
			}
		})
	}
}

// TestKubectlRequiredByEveryProgramCommand: every command that runs the program stops without
// kubectl, because pulumi-eks v2 would stop it anyway (destroy and drift checks included).
func TestKubectlRequiredByEveryProgramCommand(t *testing.T) {
	confirmed := map[string]string{"EKS_PLATFORM_CONFIRM_DESTROY": "dev"}
	for _, command := range []string{"check", "preview", "up", "destroy", "refresh-check"} {
		t.Run(command, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{withoutKubectl: true})
			r := f.run(t, confirmed, command, "dev")
			if r.code == 0 || !strings.Contains(r.stderr, "error: kubectl not found on PATH") {
				t.Fatalf("exit %d, stderr %q; want the missing kubectl reported", r.code, r.stderr)
			}
			if touched := r.mutatingCalls(); len(touched) > 0 {
				t.Fatalf("ran %q without kubectl", touched)
			}
		})
	}
}

// TestToolVersionsAccepted: the minimums are compared as numbers, part by part (2.10 is newer
// than 2.7), suffixes of vendor builds do not matter, and each minimum itself passes.
func TestToolVersionsAccepted(t *testing.T) {
	for _, versions := range []map[string]string{
		{"FAKE_AWS_VERSION": "2.7.0", "FAKE_KUBECTL_VERSION": "v1.24.0"},
		{"FAKE_AWS_VERSION": "2.10.0", "FAKE_KUBECTL_VERSION": "v1.33.1-eks-b9f2f03"},
		{"FAKE_AWS_VERSION": "1.24.0", "FAKE_KUBECTL_VERSION": "v1.32.4-dispatcher"},
		{"FAKE_AWS_VERSION": "3.0.0", "FAKE_KUBECTL_VERSION": "v2.0.0"},
	} {
		t.Run(versions["FAKE_AWS_VERSION"]+" "+versions["FAKE_KUBECTL_VERSION"], func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			r := f.run(t, versions, "preview", "dev")
			if r.code != 0 || !r.called("pulumi preview --stack dev") {
				t.Fatalf("exit %d, stderr %q, calls %q; want the preview to run", r.code, r.stderr, r.calls)
			}
		})
	}
}

// TestRefreshCheckReportsDrift: drift in the cloud or a pending program change fails the drift
// check with a line saying which.
func TestRefreshCheckReportsDrift(t *testing.T) {
	for failing, want := range map[string]string{
		"refresh": "drift: the real resources of stack dev differ from its state",
		"preview": "pending: the program differs from the state of stack dev",
	} {
		t.Run(failing, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			r := f.run(t, map[string]string{"FAKE_PULUMI_FAIL": failing}, "refresh-check", "dev")
			if r.code == 0 || !strings.Contains(r.stderr, want) {
				t.Fatalf("exit %d, stderr %q; want failure with %q", r.code, r.stderr, want)
			}
			// Both checks run, so one report shows everything that differs.
			if !r.called("pulumi refresh --stack dev") || !r.called("pulumi preview --stack dev") {
				t.Fatalf("calls %q, want both the refresh and the preview", r.calls)
			}
		})
	}
}

// TestOutputs: outputs writes the flat JSON the integration tests read, masks secrets, and needs
// neither the aws CLI, kubectl nor AWS credentials: it only reads the state.
func TestOutputs(t *testing.T) {
	f := newFixture(t, fixtureOptions{withoutAWS: true, withoutKubectl: true})
	r := f.run(t, nil, "outputs", "dev")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !r.called("pulumi stack select --non-interactive dev") || !r.called("pulumi stack output --stack dev --non-interactive --json --show-secrets=false") {
		t.Fatalf("calls %q", r.calls)
	}
	data, err := os.ReadFile(filepath.Join(f.root, "outputs", "dev.json"))
	if err != nil || strings.TrimSpace(string(data)) != `{"clusterName":"eks-platform-dev"}` {
		t.Fatalf("outputs/dev.json = %q, %v", data, err)
	}

	target := filepath.Join(t.TempDir(), "nested", "dev.json")
	if r := f.run(t, nil, "outputs", "dev", target); r.code != 0 {
		t.Fatalf("outputs to %s: exit %d, stderr %q", target, r.code, r.stderr)
	}
	if _, err := os.Stat(target); err != nil {
		t.Fatal(err)
	}

	// A relative path is the caller's, not the repository's.
	r = f.run(t, nil, "outputs", "dev", "relative/dev.json")
	if _, err := os.Stat(filepath.Join(r.dir, "relative", "dev.json")); r.code != 0 || err != nil {
		t.Fatalf("exit %d, stderr %q, %v", r.code, r.stderr, err)
	}
}

// TestLocalBackend: the explicit opt-in logs into a file backend inside the repository, and an
// explicit PULUMI_BACKEND_URL always wins over it.
func TestLocalBackend(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	local := map[string]string{"EKS_PLATFORM_LOCAL_BACKEND": "1", "PULUMI_CONFIG_PASSPHRASE": "test"}
	r := f.run(t, local, "preview", "dev")
	want := "pulumi preview --stack dev --non-interactive --policy-pack <pack> --refresh --diff | PULUMI_BACKEND_URL=file://" + f.root + "/.pulumi-local"
	if r.code != 0 || !r.called(want) {
		t.Fatalf("exit %d, stderr %q, calls %q; want %q", r.code, r.stderr, r.calls, want)
	}
	if info, err := os.Stat(filepath.Join(f.root, ".pulumi-local")); err != nil || !info.IsDir() {
		t.Fatalf(".pulumi-local not created: %v", err)
	}

	local["PULUMI_BACKEND_URL"] = "s3://state-bucket/eks-platform"
	r = f.run(t, local, "preview", "dev")
	if r.code != 0 || !r.called("pulumi preview --stack dev --non-interactive --policy-pack <pack> --refresh --diff | PULUMI_BACKEND_URL=s3://state-bucket/eks-platform") {
		t.Fatalf("exit %d, stderr %q, calls %q", r.code, r.stderr, r.calls)
	}
}

// TestCLISelection: the pinned bin/pulumi built by scripts/toolchain.sh wins over a pulumi on
// PATH, and a CLI of another version only earns a warning.
func TestCLISelection(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	pinned := strings.Replace(fakePulumi, `echo "pulumi $*`, `echo "bin/pulumi $*`, 1)
	writeFile(t, filepath.Join(f.root, "bin", "pulumi"), pinned, 0o755)
	r := f.run(t, nil, "preview", "dev")
	if r.code != 0 || !r.called("bin/pulumi preview --stack dev") || r.called("pulumi preview") {
		t.Fatalf("exit %d, stderr %q, calls %q; want bin/pulumi used", r.code, r.stderr, r.calls)
	}

	f = newFixture(t, fixtureOptions{})
	r = f.run(t, map[string]string{"FAKE_PULUMI_VERSION": "v3.100.0"}, "preview", "dev")
	want := "warning: " + f.pathDir + "/pulumi is version 'v3.100.0', CI pins " + f.pinned
	if r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, stderr %q; want success with %q", r.code, r.stderr, want)
	}
}

// fakeEngine stands in for scripts/engine.sh and logs how stack.sh handed over.
const fakeEngine = `#!/bin/sh
echo "engine.sh $*" >> "$FAKE_LOG"
`

// TestEngineCommands: engine-check and engine-plan run the real engine against stubs, so they hand
// over to scripts/engine.sh without any pre-flight check that needs AWS, the aws CLI, kubectl, a
// backend login, or a matching AWS_REGION (issue 11); a relative plan file is the caller's.
func TestEngineCommands(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{args: []string{"engine-check", "dev"}, want: "engine.sh check dev"},
		{args: []string{"engine-check", "dev", "plans/dev.json"}, want: "engine.sh check dev plans/dev.json"},
		{args: []string{"engine-plan", "west"}, want: "engine.sh plan west"},
		{args: []string{"engine-guards", "dev"}, want: "engine.sh guards dev"},
		{args: []string{"engine-faults", "prod"}, want: "engine.sh faults prod"},
		// The bootstrap's stacks live in bootstrap/, which engine.sh reads (issue 19).
		{args: []string{"engine-check-bootstrap", "prod"}, want: "engine.sh check-bootstrap prod"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f := newFixture(t, fixtureOptions{withoutPulumi: true, withoutAWS: true, withoutKubectl: true})
			writeFile(t, filepath.Join(f.root, "scripts", "engine.sh"), fakeEngine, 0o755)
			r := f.run(t, map[string]string{"AWS_REGION": "eu-central-1", "FAKE_AWS_NO_CREDENTIALS": "1"}, tc.args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if len(r.calls) != 1 || r.calls[0] != tc.want {
				t.Errorf("calls %q, want only %q", r.calls, tc.want)
			}
		})
	}
	f := newFixture(t, fixtureOptions{})
	if r := f.run(t, nil, "engine-plan", "dev", "extra"); r.code == 0 || !strings.Contains(r.stderr, "usage:") {
		t.Errorf("engine-plan with a file: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := f.run(t, nil, "engine-check", "nosuch"); r.code == 0 || !strings.Contains(r.stderr, "Pulumi.nosuch.yaml not found") {
		t.Errorf("engine-check of a missing stack: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := f.run(t, nil, "engine-check-bootstrap", "dev", "extra"); r.code == 0 || !strings.Contains(r.stderr, "usage:") {
		t.Errorf("engine-check-bootstrap with a file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// interruptedState is what a cancelled up leaves (issue 23): the engine wrote pending operations
// for the calls that were under way, here a create whose outcome only AWS knows and an update.
const interruptedState = `{"version": 3, "deployment": {"resources": [], "pending_operations": [
  {"resource": {"urn": "urn:pulumi:dev::eks-platform::eks:index:Cluster$aws:eks/cluster:Cluster::eks-platform-dev-eksCluster",
    "custom": true, "type": "aws:eks/cluster:Cluster", "inputs": {"name": "eks-platform-dev"}}, "type": "creating"},
  {"resource": {"urn": "urn:pulumi:dev::eks-platform::aws:eks/nodeGroup:NodeGroup::app-nodes-dev",
    "custom": true, "type": "aws:eks/nodeGroup:NodeGroup", "inputs": {"nodeGroupName": "app-nodes-dev"}}, "type": "updating"}
]}}`

// TestInterruptedRunIsResolvedFirst: after a cancelled run, every command that runs the engine
// stops before it, naming each pending operation and the runbook's exact commands for it (issue
// 23), instead of creating the cluster a second time. scripts/engine.sh faults follows these
// commands against the real engine's state.
func TestInterruptedRunIsResolvedFirst(t *testing.T) {
	for _, command := range []string{"preview", "up", "refresh-check", "destroy"} {
		t.Run(command, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			writeFile(t, filepath.Join(f.answers, "pulumi.stack.export.json"), interruptedState, 0o644)
			r := f.run(t, map[string]string{"EKS_PLATFORM_CONFIRM_DESTROY": "dev"}, command, "dev")
			if r.code == 0 {
				t.Fatalf("exit 0 with pending operations; calls %q", r.calls)
			}
			for _, want := range []string{
				"aws eks describe-cluster --name eks-platform-dev",
				"$ scripts/stack.sh adopt dev " +
					"'urn:pulumi:dev::eks-platform::eks:index:Cluster$aws:eks/cluster:Cluster::eks-platform-dev-eksCluster' 'eks-platform-dev'",
				"$ pulumi refresh --stack dev --non-interactive --yes --clear-pending-creates",
				"the update of urn:pulumi:dev::eks-platform::aws:eks/nodeGroup:NodeGroup::app-nodes-dev was interrupted",
				"error: stack dev has pending operations from an interrupted run",
			} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			for _, call := range r.mutatingCalls() {
				if !strings.HasPrefix(call, "pulumi stack select") && !strings.HasPrefix(call, "pulumi stack export") {
					t.Errorf("ran %q before the pending operations were resolved", call)
				}
			}
		})
	}
}

// TestFailedUpSaysWhatToDoNext: after an up that failed with nothing pending, stack.sh says that
// the state holds what was created and that a rerun creates only what is missing, or, for an
// approved plan, that the same plan applies what is left (issue 23; engine-faults scenario 2b).
func TestFailedUpSaysWhatToDoNext(t *testing.T) {
	plan := filepath.Join(t.TempDir(), "update-plan-dev.json")
	writeFile(t, plan, "{}", 0o600)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{args: []string{"up", "dev"}, want: []string{"nothing is pending", "run scripts/stack.sh up dev again: it creates only what is missing",
			`error: up of stack dev failed (what to do next: above, and README "Runbook: a failed or cancelled deploy")`}},
		{args: []string{"up", "dev", plan}, want: []string{"nothing is pending", "run scripts/stack.sh up dev " + plan + " again: the approved plan",
			"applies what is left", "error: up of stack dev with the saved plan " + plan + " failed"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			r := f.run(t, map[string]string{"FAKE_PULUMI_FAIL": "up"}, tc.args...)
			if r.code == 0 {
				t.Fatal("a failed up exited 0")
			}
			for _, want := range tc.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}
