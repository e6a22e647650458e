#!/usr/bin/env bash
# Runs the program through the real Pulumi engine with no cloud (issue 11), for
# `scripts/stack.sh engine-check|engine-plan <stack>`. Real: the pinned Pulumi CLI and Go language
# host (scripts/toolchain.sh), the program, the engine, a local file backend, and pulumi-eks
# v2.8.1 from npm (tests/engine/eks-provider, pinned by its package-lock.json) under the
# machine's Node.js. Stubs: the aws and kubernetes provider plugins (tests/engine/stub, computed
# outputs from internal/fakecloud), and aws/kubectl executables that only answer the version
# checks pulumi-eks makes (tests/engine/fakebin). Plugins are found on PATH; nothing is
# downloaded; no AWS credentials are read.
#
#   check <stack> [plan-file]  on a fresh backend: preview --json; up; preview, which must report
#                              no changes; the engine plan (to plan-file when given); destroy,
#                              which must leave an empty stack (prod: its protected resources
#                              must stop the first destroy, then they are unprotected)
#   plan <stack>               up on a fresh backend, then the engine plan on stdout: every
#                              resource the engine holds, pulumi-eks' children included, in the
#                              offline plan's JSON schema plus each resource's outputs
#   guards <stack>             the deploy path's guards (issue 18), on a fresh backend: a misspelt
#                              key, a misspelt namespace and a misspelt aws: key are each refused
#                              by preview and by up, naming the key, with no cloud resource
#                              created; credentials of another account are refused by up with no
#                              cloud resource; a saved update plan (preview --save-plan) applies
#                              with up --plan; a plan saved before a change to the stack file is
#                              refused; a deployer outside every declared path fails at the
#                              first Kubernetes object with the cloud resources before it kept,
#                              and the next up creates only what is missing and converges
#                              (issues 19, 23);
#                              then destroy empties the stack
#   check-bootstrap <stack>    check for the bootstrap project (bootstrap/, issue 19): its
#                              Pulumi.yaml and bootstrap/Pulumi.<stack>.yaml, the stub aws
#                              provider only (no pulumi-eks, no npm)
#
# Every step prints its duration on stderr; any failure stops the run with the step's log.
# EKS_PLATFORM_ENGINE_KEEP=1 keeps the work directory (backend, logs, project) for inspection.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(repo_root)

usage="usage: scripts/engine.sh check <stack> [plan-file] | scripts/engine.sh plan|guards|check-bootstrap <stack>"
[ $# -ge 2 ] || die "$usage"
mode=$1
stack=$2
plan_file=${3:-}
case "$mode" in
  check) [ $# -le 3 ] || die "$usage" ;;
  plan | guards | check-bootstrap) [ $# -eq 2 ] || die "$usage" ;;
  *) die "$usage" ;;
esac
# The project run: the platform (the repository root, binary eks-platform, account in
# eks-platform:awsAccountId) or the bootstrap (bootstrap/, binary bootstrap, bootstrap:awsAccountId).
project_dir=$root
program=eks-platform
program_pkg=.
account_key=eks-platform:awsAccountId
if [ "$mode" = check-bootstrap ]; then
  project_dir=$root/bootstrap
  program=bootstrap
  program_pkg=./bootstrap
  account_key=bootstrap:awsAccountId
  mode=check
fi
[ -f "$project_dir/Pulumi.$stack.yaml" ] || die "stack file Pulumi.$stack.yaml not found in $project_dir"
if [ -n "$plan_file" ] && [[ "$plan_file" != /* ]]; then plan_file="$PWD/$plan_file"; fi

if [ ! -x "$root/bin/pulumi" ] || [ ! -x "$root/bin/pulumi-language-go" ]; then
  die "the pinned Pulumi CLI and Go language host are missing from bin/: run scripts/toolchain.sh"
fi
if [ "$program" = eks-platform ]; then
  command -v node >/dev/null 2>&1 || die "node not found on PATH: pulumi-eks' provider is JavaScript (Node.js >= 18)"
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH: it installs the pinned pulumi-eks (tests/engine/eks-provider)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/eks-platform-engine-$stack.XXXXXX")
cleanup() {
  if [ "${EKS_PLATFORM_ENGINE_KEEP:-}" = 1 ]; then
    echo "engine: work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

step_name=""
step_started=0
step() {
  step_name=$1
  step_started=$SECONDS
  echo "engine $stack: $step_name" >&2
}
took() { echo "engine $stack: $step_name took $((SECONDS - step_started))s" >&2; }
# run <log> <command...> runs a command with its output in <log>; on failure it shows the log's end.
run() {
  local log="$work/$1"
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    die "engine $stack: $step_name failed: $* (log above; EKS_PLATFORM_ENGINE_KEEP=1 keeps $work)"
  fi
}

provider_dir="$root/tests/engine/eks-provider"
if [ "$program" = eks-platform ]; then
  step "pulumi-eks 2.8.1 from npm (tests/engine/eks-provider)"
  stamp="$provider_dir/node_modules/.engine-check-lock"
  if ! cmp -s "$provider_dir/package-lock.json" "$stamp" 2>/dev/null; then
    # --ignore-scripts: @pulumi/kubernetes' install script downloads a provider plugin.
    run npm.log npm ci --prefix "$provider_dir" --ignore-scripts --no-audit --no-fund
    cp "$provider_dir/package-lock.json" "$stamp"
  fi
  took
fi

step "build the program and the stubs"
mkdir -p "$work/bin" "$work/project"
# Linking the program takes one to two minutes on 2 cores; the binaries are kept per content of
# every Go source, go.mod and go.sum, every file the program embeds (the version catalogue and the
# prices) and the Go version, so the next stack reuses them and a changed pin is never missed.
build_key=$(
  cd "$root"
  { go env GOVERSION GOOS GOARCH; git ls-files -co --exclude-standard -- '*.go' '*.mod' '*.sum' 'catalogue/*.json' 'cost/*.json' 'bootstrap/account/*.json' ':!:*_test.go' | LC_ALL=C sort | xargs sha256sum; } |
    sha256sum | cut -c1-16
)
build_cache="${XDG_CACHE_HOME:-$HOME/.cache}/eks-platform/engine/$build_key"
if [ ! -x "$build_cache/$program" ] || [ ! -x "$build_cache/engine-stub" ]; then
  mkdir -p "$build_cache"
  run build-program.log go build -C "$root" -o "$build_cache/.$program.$$" "$program_pkg"
  mv -f "$build_cache/.$program.$$" "$build_cache/$program"
  if [ ! -x "$build_cache/engine-stub" ]; then
    run build-stub.log go build -C "$root/tests/engine" -o "$build_cache/.engine-stub.$$" ./cmd/engine-stub
    mv -f "$build_cache/.engine-stub.$$" "$build_cache/engine-stub"
  fi
else
  echo "engine $stack: program and stubs restored from $build_cache" >&2
fi
# Builds of other sources (about 230 MB each): the three used last stay, and so does any build used
# in the last six hours, which another checkout's engine run on this machine may still be using.
touch "$build_cache"
find "$(dirname "$build_cache")" -mindepth 1 -maxdepth 1 -type d -mmin +360 -printf '%T@ %p\n' | sort -rn |
  tail -n +4 | cut -d' ' -f2- | while read -r old; do rm -rf "$old"; done
ln -s "$build_cache/$program" "$work/project/$program"
ln -s "$build_cache/engine-stub" "$work/bin/engine-stub"
for plugin in aws kubernetes eks; do
  ln -s engine-stub "$work/bin/pulumi-resource-$plugin"
done
took

# The project is a copy, so `pulumi stack init` writes its encryption salt there and not into the
# committed stack file; it runs the binary built above instead of compiling the program again for
# every command.
awk -v binary="$program" '$0 == "runtime: go" { print "runtime:\n  name: go\n  options:\n    binary: ./" binary; next } { print }' \
  "$project_dir/Pulumi.yaml" >"$work/project/Pulumi.yaml"
grep -q "binary: ./$program" "$work/project/Pulumi.yaml" || die "Pulumi.yaml has no 'runtime: go' line to point at the built program"
cp "$project_dir/Pulumi.$stack.yaml" "$work/project/"
# The stub's credentials belong to the stack's own account, as a deployer's must (scripts/stack.sh
# checks that before any real run); the guards mode also tries another account.
account=$(awk -v key="$account_key:" '$1 == key { gsub(/["\047]/, "", $2); print $2; exit }' "$project_dir/Pulumi.$stack.yaml")
[[ "$account" =~ ^[0-9]{12}$ ]] || die "Pulumi.$stack.yaml names no AWS account ($account_key)"
export EKS_PLATFORM_STUB_ACCOUNT_ID=$account
# The reachability model (tests/engine/stub/network.go, issue 19): the aws stub records the VPC,
# the cluster's endpoint access, the 443 rules, transit routes and attachments it creates; the
# kubernetes stub refuses, as the real provider does ("cluster unreachable"), every operation the
# deployer could not make. The harness's deployer is a CI runner of the shared deployer network
# (10.100.0.10, README "Address plan") whose traffic to the internet leaves from 203.0.113.10
# (inside dev's publicAccessCidrs); EKS_PLATFORM_DEPLOYER_ADDRESS replaces both.
export EKS_PLATFORM_STUB_NETWORK_DIR="$work/network"
export EKS_PLATFORM_DEPLOYER_ADDRESS=${EKS_PLATFORM_DEPLOYER_ADDRESS:-10.100.0.10 203.0.113.10}
mkdir -p "$EKS_PLATFORM_STUB_NETWORK_DIR"

# Nothing from the caller's cloud or cluster configuration may leak in (pulumi-eks reads
# AWS_PROFILE into the kubeconfig); everything Pulumi writes stays in the work directory.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION \
  KUBECONFIG PULUMI_ACCESS_TOKEN PULUMI_CONFIG_PASSPHRASE_FILE
export PATH="$work/bin:$root/tests/engine/fakebin:$root/bin:$PATH"
export PULUMI_HOME="$work/pulumi-home"
export PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_CONFIG_PASSPHRASE=engine-check
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
# The program judges the Kubernetes lifecycle on this day, the one tests/engine compares with
# (planDay): the engine check proves the engine and pulumi-eks, and must not start failing when a
# catalogue date passes; the lifecycle rules are tested on pinned days elsewhere.
export EKS_PLATFORM_TODAY=2026-12-01
export EKS_PLATFORM_EKS_PROVIDER_DIR="$provider_dir"
mkdir -p "$work/state"
cd "$work/project"
on_stack=(--stack "$stack" --non-interactive)
run init.log pulumi stack init "$stack" --non-interactive

# plan_to <file> writes the engine plan of the current state.
plan_to() {
  pulumi stack export "${on_stack[@]}" >"$work/export.json"
  engine-stub plan "$stack" <"$work/export.json" >"$1"
}

if [ "$mode" = plan ]; then
  step "pulumi up"
  run up.log pulumi up "${on_stack[@]}" --yes --skip-preview
  took
  plan_to "$work/plan.json"
  cat "$work/plan.json"
  exit 0
fi

if [ "$mode" = guards ]; then
  stack_copy="$work/project/Pulumi.$stack.yaml"
  cp "$stack_copy" "$work/stack-file.committed"
  # with_line <line> writes the stack file plus one line at the top of its config block (after
  # stack init the file also holds the backend's encryptionsalt, after the block).
  with_line() { awk -v line="  $1" '{ print } $0 == "config:" { print line }' "$work/stack-file.committed" >"$stack_copy"; }
  # refused <log> <expected text> <command...>: the command must fail and say the expected text.
  refused() {
    local log="$work/$1" expected=$2
    shift 2
    if "$@" >"$log" 2>&1; then
      tail -n 40 "$log" >&2
      die "engine $stack: $step_name: '$*' succeeded, but must be refused"
    fi
    grep -qF -- "$expected" "$log" ||
      { tail -n 40 "$log" >&2; die "engine $stack: $step_name: '$*' failed without saying '$expected'"; }
  }
  # no_cloud_resources: the refused run left nothing a cloud would hold.
  no_cloud_resources() {
    pulumi stack export "${on_stack[@]}" >"$work/export.json"
    local created
    created=$(engine-stub cloud-count <"$work/export.json")
    [ "$created" = 0 ] || die "engine $stack: $step_name: $created cloud resources were created before the refusal"
  }
  for typo in "eks-platform:natGatwayCount: 1" "eks-platfrom:natGatewayCount: 1" "aws:regoin: eu-west-1"; do
    key=${typo%%:[[:space:]]*}
    step "a typo is refused by preview and up before any resource ($typo)"
    with_line "$typo"
    refused preview-typo.log "$key is set but" pulumi preview "${on_stack[@]}"
    refused up-typo.log "$key is set but" pulumi up "${on_stack[@]}" --yes --skip-preview
    no_cloud_resources
    took
  done
  cp "$work/stack-file.committed" "$stack_copy"

  other_account=999999999999
  step "credentials of account $other_account are refused before any resource (allowedAccountIds $account)"
  EKS_PLATFORM_STUB_ACCOUNT_ID=$other_account refused up-account.log "AWS account ID not allowed: $other_account" \
    pulumi up "${on_stack[@]}" --yes --skip-preview
  no_cloud_resources
  took

  # Issue 19: from outside every declared path the first Kubernetes object fails the way the real
  # provider fails; the cloud resources before it exist, and the next up from a declared deployer
  # converges (that up is the first up below).
  outsider=192.0.2.7
  step "a deployer at $outsider, outside every declared path, cannot reach the API"
  EKS_PLATFORM_DEPLOYER_ADDRESS=$outsider refused up-outsider.log "configured Kubernetes cluster is unreachable" \
    pulumi up "${on_stack[@]}" --yes --skip-preview
  # The state holds what was created before the failure (the cloud resources up to the cluster)
  # and no Kubernetes object, which the API never accepted.
  pulumi stack export "${on_stack[@]}" >"$work/export-halfway.json"
  halfway=$(engine-stub cloud-count <"$work/export-halfway.json")
  [ "$halfway" -gt 0 ] || die "engine $stack: $step_name: the failed up left no cloud resource in the state"
  if grep -q '"type": "kubernetes:' "$work/export-halfway.json"; then
    die "engine $stack: $step_name: a Kubernetes object is in the state although the API was unreachable"
  fi
  took

  step "the first up from a declared deployer converges ($halfway cloud resources kept, then a no-change preview)"
  run up-first.log pulumi up "${on_stack[@]}" --yes --skip-preview
  # It creates only what is missing: what the failed run created stays, nothing is replaced or deleted.
  unchanged=$(awk '$2 == "unchanged" { print $1 }' "$work/up-first.log")
  if [ "${unchanged:-0}" -lt "$halfway" ] || grep -qE '^ +([-+~]+ )?[0-9]+ (replaced|deleted)$' "$work/up-first.log"; then
    tail -n 8 "$work/up-first.log" >&2
    die "engine $stack: $step_name: the second up did more than create what was missing"
  fi
  run preview-converged.log pulumi preview "${on_stack[@]}" --expect-no-changes --diff
  took

  # Update plans are experimental in the pinned CLI: --save-plan is marked [PREVIEW], and up's
  # --plan is shown only with PULUMI_EXPERIMENTAL=true. A change to the deployed stack: the plan
  # saved by the preview is what up applies.
  step "a saved update plan applies (preview --save-plan, up --plan)"
  with_line "eks-platform:nodeCpuAlarmPercent: 70"
  # The flags of scripts/stack.sh preview <stack> <plan-file> and up <stack> <plan-file>.
  run save-plan.log pulumi preview "${on_stack[@]}" --refresh --diff --save-plan "$work/update-plan.json"
  grep -q '"nodeCpuAlarmPercent"\|"threshold"' "$work/update-plan.json" || die "engine $stack: $step_name: the saved plan does not hold the change"
  run up-plan.log env PULUMI_EXPERIMENTAL=true pulumi up "${on_stack[@]}" --refresh --yes --diff --plan "$work/update-plan.json"
  grep -q "updated" "$work/up-plan.log" || { tail -n 40 "$work/up-plan.log" >&2; die "engine $stack: $step_name: the plan updated nothing"; }
  took

  step "a plan saved before a change to the stack file is refused"
  run save-stale.log pulumi preview "${on_stack[@]}" --refresh --diff --save-plan "$work/stale-plan.json"
  with_line "eks-platform:nodeCpuAlarmPercent: 75"
  refused up-stale.log "violates plan: properties changed" env PULUMI_EXPERIMENTAL=true pulumi up "${on_stack[@]}" --refresh --yes --diff --plan "$work/stale-plan.json"
  pulumi stack export "${on_stack[@]}" >"$work/export.json"
  if grep -q '"threshold": 75' "$work/export.json"; then
    die "engine $stack: $step_name: the refused plan still changed the alarm"
  fi
  took

  step "pulumi destroy"
  run destroy.log pulumi destroy "${on_stack[@]}" --yes --skip-preview
  pulumi stack export "${on_stack[@]}" >"$work/export-after-destroy.json"
  left=$(engine-stub count <"$work/export-after-destroy.json")
  [ "$left" = 0 ] || die "engine $stack: destroy left $left resources in the stack"
  took
  echo "engine $stack: every guard refused what it must, and the saved plan applied" >&2
  exit 0
fi

step "pulumi preview --json"
run preview.log pulumi preview "${on_stack[@]}" --json
creates=$(grep -c '"op": "create"' "$work/preview.log" || true)
echo "engine $stack: the preview creates $creates resources" >&2
took

step "pulumi up"
run up.log pulumi up "${on_stack[@]}" --yes --skip-preview
took

step "pulumi preview --expect-no-changes (a second run changes nothing)"
run preview-again.log pulumi preview "${on_stack[@]}" --expect-no-changes --diff
took

plan_to "$work/plan.json"
resources=$(engine-stub count <"$work/export.json")
echo "engine $stack: $resources resources in the state after up" >&2
if [ -n "$plan_file" ]; then
  mkdir -p "$(dirname "$plan_file")"
  cp "$work/plan.json" "$plan_file"
  echo "engine $stack: engine plan written to $plan_file" >&2
fi

step "pulumi destroy"
protected=$(grep -c '"protect": true' "$work/plan.json" || true)
if [ "$protected" -gt 0 ]; then
  # The program protects prod's data-holding resources: the engine must refuse to delete them.
  if pulumi destroy "${on_stack[@]}" --yes --skip-preview >"$work/destroy-protected.log" 2>&1; then
    die "engine $stack: destroy succeeded although $protected resources are protected"
  fi
  grep -q "protected" "$work/destroy-protected.log" ||
    { tail -n 40 "$work/destroy-protected.log" >&2; die "engine $stack: the first destroy failed for another reason than protection"; }
  echo "engine $stack: destroy refused the $protected protected resources, as it must; unprotecting them" >&2
  run unprotect.log pulumi state unprotect "${on_stack[@]}" --all --yes
fi
run destroy.log pulumi destroy "${on_stack[@]}" --yes --skip-preview
pulumi stack export "${on_stack[@]}" >"$work/export-after-destroy.json"
left=$(engine-stub count <"$work/export-after-destroy.json")
[ "$left" = 0 ] || die "engine $stack: destroy left $left resources in the stack"
took
echo "engine $stack: preview, up, no-change preview and destroy passed ($resources resources)" >&2
