#!/usr/bin/env bash
# The delivery part of CI (called by .ci/run), runnable by hand too:
#   1. build or restore the pinned toolchain (scripts/toolchain.sh)
#   2. lint the GitHub workflows with bin/actionlint (and the scripts with shellcheck)
#   3. check every workflow installs the Pulumi CLI version pinned in tools/pulumi/go.mod, one
#      kubectl version that suits every supported Kubernetes version, and runs each stack on a
#      runner that can reach its API endpoint
#   4. prove the real CLI accepts Pulumi.yaml and every stack file (typed project config is
#      validated against each stack's values; a wrongly typed value must be rejected, so the
#      check cannot pass vacuously) and runs a Go program through the pinned language host
#   5. the integration tests' module: vet, unit tests of its checks, skip path of the live tests
# Nothing here needs AWS, a Pulumi account or provider plugins. Each step prints its duration.
#
# Usage: scripts/ci-delivery.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(repo_root)
cd "$root"

step_started=0
step() {
  step_started=$SECONDS
  echo
  echo "=== delivery: $* ==="
}
took() { echo "--- took $((SECONDS - step_started))s"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pinned=$(pinned_pulumi_version "$root")
stacks=()
for file in Pulumi.*.yaml; do
  name=${file#Pulumi.}
  stacks+=("${name%.yaml}")
done
[ ${#stacks[@]} -gt 0 ] || die "no Pulumi.<stack>.yaml in $root"

step "toolchain (pinned Pulumi CLI $pinned, Go language host, actionlint)"
scripts/toolchain.sh
took

# Everything below uses the pinned CLI with its language host beside it, in a throwaway Pulumi
# home and file backend with a throwaway passphrase: no account, no network.
export PATH="$root/bin:$PATH"
export PULUMI_HOME="$work/pulumi-home"
export PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_CONFIG_PASSPHRASE=throwaway
export PULUMI_SKIP_UPDATE_CHECK=true
mkdir -p "$work/state"

step "actionlint and shellcheck"
if ! command -v shellcheck >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # actionlint checks the workflows' run: scripts with shellcheck when it is installed.
  apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq shellcheck >/dev/null 2>&1; } ||
    echo "shellcheck could not be installed: workflow run: scripts are linted without it"
fi
bin/actionlint .github/workflows/*.yml
echo "actionlint: $(find .github/workflows -name '*.yml' | wc -l) workflows clean"
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck -x scripts/*.sh
  echo "shellcheck: scripts/*.sh clean"
fi
took

step "workflows pin Pulumi ${pinned#v}"
for workflow in .github/workflows/*.yml; do
  while read -r pin; do
    [ "$pin" = "${pinned#v}" ] || die "$workflow sets PULUMI_VERSION $pin, tools/pulumi/go.mod pins ${pinned#v}"
  done < <(awk '$1 == "PULUMI_VERSION:" { print $2 }' "$workflow")
done
grep -l 'pulumi-version:' .github/workflows/*.yml | while read -r workflow; do
  grep -q '^  PULUMI_VERSION: ' "$workflow" || die "$workflow installs Pulumi without the pinned PULUMI_VERSION"
done
echo "every workflow installs Pulumi ${pinned#v}"
took

step "workflows pin kubectl and run each stack on a runner that reaches its API endpoint"
# pulumi-eks v2 needs kubectl; one version everywhere, within one minor version of every stack's
# cluster version (kubectl's version skew policy).
kubectl_pin=$(awk '$1 == "KUBECTL_VERSION:" { print $2 }' .github/workflows/*.yml | sort -u)
[ "$(grep -c . <<<"$kubectl_pin")" = 1 ] || die "the workflows pin different kubectl versions or none: '${kubectl_pin//$'\n'/ }'"
grep -l 'setup-kubectl@' .github/workflows/*.yml | while read -r workflow; do
  grep -q '^  KUBECTL_VERSION: ' "$workflow" || die "$workflow installs kubectl without the pinned KUBECTL_VERSION"
done
kubectl_minor=$(awk -F. '{ print $2 }' <<<"$kubectl_pin")
cluster_versions=$(awk -F'"' '$1 ~ /^  eks-platform:kubernetesVersion: / { print $2 }' Pulumi.*.yaml | sort -u)
[ -n "$cluster_versions" ] || die "no stack file sets eks-platform:kubernetesVersion"
for version in $cluster_versions; do
  skew=$((kubectl_minor - ${version#*.}))
  [ "${skew#-}" -le 1 ] || die "kubectl $kubectl_pin is more than one minor version away from Kubernetes $version (a stack file's kubernetesVersion)"
done
echo "kubectl $kubectl_pin in every workflow, within one minor version of Kubernetes ${cluster_versions//$'\n'/ }"
# A job that runs the program talks to the cluster's API server, so its runner is chosen per
# stack (runs-on: fromJSON(...)) and never hard-coded.
grep -l -E 'scripts/stack.sh (check|preview|up|destroy|refresh-check)' .github/workflows/*.yml | while read -r workflow; do
  if grep -E '^ +runs-on:' "$workflow" | grep -v -q 'fromJSON('; then
    die "$workflow runs the program on a fixed runner: use runs-on: \${{ fromJSON(...) }} fed by vars.EKS_PLATFORM_RUNNER_<STACK>"
  fi
done
# The workflows that pick each stack's runner (reusable-stack-up.yml gets it from deploy.yml) agree
# on its default, and a stack without a public endpoint defaults to a self-hosted runner: a
# GitHub-hosted one cannot reach a private-only endpoint.
for stack in "${stacks[@]}"; do
  variable=EKS_PLATFORM_RUNNER_$(tr '[:lower:].-' '[:upper:]__' <<<"$stack")
  default=""
  for workflow in .github/workflows/{deploy,pull-request,drift}.yml; do
    found=$(grep -o "vars\.$variable || '[^']*'" "$workflow" | sed "s/^.* || '//; s/'\$//" | sort -u) || true
    [ "$(grep -c . <<<"$found")" = 1 ] ||
      die "$workflow must run stack $stack on \${{ vars.$variable || '<default labels>' }} with one default (found: '${found//$'\n'/ }')"
    [ -z "$default" ] || [ "$found" = "$default" ] || die "$workflow defaults $variable to $found, another workflow to $default"
    default=$found
  done
  if ! grep -q -E '^  eks-platform:endpointPublicAccess: true' "Pulumi.$stack.yaml" && [[ "$default" != *'"self-hosted"'* ]]; then
    die "stack $stack has a private-only API endpoint, but $variable defaults to $default, which cannot reach it: default to a self-hosted runner"
  fi
  echo "stack $stack: runner from vars.$variable, default $default"
done
took

step "workflows a regulated company can switch on (issue 18)"
# Each rule is a property a reviewer would otherwise check by eye in every workflow change.
! grep -l -E '^[[:space:]]*(- )?pull_request_target:?' .github/workflows/*.yml ||
  die "a workflow runs on pull_request_target, which gives a fork's code this repository's secrets"
grep -q 'bash .ci/run' .github/workflows/reusable-checks.yml || die "reusable-checks.yml must run .ci/run"
for workflow in pull-request deploy; do
  grep -q 'uses: ./.github/workflows/reusable-checks.yml' ".github/workflows/$workflow.yml" ||
    die "$workflow.yml must gate on reusable-checks.yml (the checks .ci/run runs)"
done
grep -q 'paths-ignore:' .github/workflows/deploy.yml ||
  die "deploy.yml has no paths filter: a documentation-only merge would ask for prod approval"
# Every job that assumes an AWS role does it in an environment, whose variables hold the role of
# that stack's account and whose name the role's trust policy requires.
for workflow in .github/workflows/*.yml; do
  if grep -q 'configure-aws-credentials@' "$workflow" && ! grep -q '^    environment: ' "$workflow"; then
    die "$workflow assumes an AWS role outside a GitHub environment"
  fi
done
grep -q -E 'scripts/stack.sh preview "[$]STACK" "[^"]+"' .github/workflows/pull-request.yml ||
  die "pull-request.yml must save the update plan of each preview"
grep -q -F -- 'PLAN_FILE:+' .github/workflows/reusable-stack-up.yml ||
  die "reusable-stack-up.yml must apply the saved update plan"
{ grep -q 'gh issue list .*--label drift' .github/workflows/drift.yml && grep -q 'gh issue close' .github/workflows/drift.yml; } ||
  die "drift.yml must keep one drift issue per stack (find it before opening one, close it when clean)"
echo "no pull_request_target; .ci/run gates pull requests and deploys; deploys skip documentation-only changes; roles assumed in environments; saved plans applied; one drift issue per stack"
took

step "the Pulumi CLI validates Pulumi.yaml and every stack file and runs a Go program"
# A stand-in program beside copies of the real project and stack files: `pulumi up` validates each
# stack's values against the typed project config, then runs the program through the pinned Go
# language host; the program registers no resources, so no provider plugin is needed. It exports
# two config values as the CLI hands them over. Copies, because `pulumi stack init` writes an
# encryption salt into the stack file.
project="$work/project"
mkdir -p "$project"
cp Pulumi.yaml Pulumi.*.yaml "$project/"
cat >"$project/main.go" <<'GO'
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		ctx.Export("environment", pulumi.String(config.Get(ctx, "eks-platform:environment")))
		ctx.Export("region", pulumi.String(config.Get(ctx, "aws:region")))
		return nil
	})
}
GO
# The program's own requirements and checksums, so the build needs nothing it does not have.
sed 's#^module .*#module eks-platform-cli-check#' go.mod >"$project/go.mod"
cp go.sum "$project/go.sum"
for stack in "${stacks[@]}"; do
  pulumi --cwd "$project" stack init "$stack" --non-interactive >/dev/null 2>&1
  pulumi --cwd "$project" up --stack "$stack" --yes --skip-preview --non-interactive >"$work/up-$stack.log" 2>&1 ||
    { cat "$work/up-$stack.log"; die "the Pulumi CLI rejected Pulumi.$stack.yaml or could not run a Go program"; }
  environment=$(pulumi --cwd "$project" stack output environment --stack "$stack" --non-interactive)
  region=$(pulumi --cwd "$project" stack output region --stack "$stack" --non-interactive)
  # The region scripts/stack.sh checks before deploying is the one the CLI gives the program.
  expected_region=$(scripts/stack.sh region "$stack")
  [ "$region" = "$expected_region" ] ||
    die "the CLI resolves aws:region of stack $stack to $region, scripts/stack.sh to $expected_region"
  echo "stack $stack: config accepted, program ran (environment $environment, region $region)"
done
# Negative control: the same check must reject a value of the wrong type for a typed key.
integer_key=$(awk 'previous ~ /^  eks-platform:/ && /^ +type: integer/ { sub(":$", "", key); print key; exit } { previous = $0; key = $1 }' Pulumi.yaml)
[ -n "$integer_key" ] || die "Pulumi.yaml declares no integer config key for the negative control"
printf 'config:\n  %s: not-a-number\n' "$integer_key" >"$project/Pulumi.negative-control.yaml"
pulumi --cwd "$project" stack init negative-control --non-interactive >/dev/null 2>&1
if pulumi --cwd "$project" preview --stack negative-control --non-interactive >"$work/negative.log" 2>&1; then
  die "the CLI accepted $integer_key: not-a-number; the stack file check proves nothing"
fi
grep -q "must be of type" "$work/negative.log" || { cat "$work/negative.log"; die "the negative control failed for another reason"; }
echo "negative control: $(grep -o "configuration key .*must be of type '[a-z]*'" "$work/negative.log")"
echo "CLI $(pulumi version), language host $(readlink -f bin/pulumi-language-go)"
took

step "integration tests (module tests/integration: vet, checks' unit tests, live tests' skip path)"
(cd tests/integration && go vet ./...)
status=0
(cd tests/integration && go test -count=1 -v ./...) >"$work/integration.log" 2>&1 || status=$?
# The skip reasons (printed just before each top-level "--- SKIP"), then go test's summary.
grep -B1 -E '^--- SKIP' "$work/integration.log" | grep -v -E '^(--|--- SKIP.*)$' || true
echo "$(grep -c -E '^\s*--- PASS' "$work/integration.log") tests and subtests passed, $(grep -c -E '^\s*--- SKIP' "$work/integration.log") skipped"
if [ "$status" -ne 0 ]; then
  cat "$work/integration.log"
  die "integration module tests failed"
fi
tail -n 1 "$work/integration.log"
took
