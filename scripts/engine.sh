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
#   faults <stack>             faults survived (issue 23), each scenario on a fresh backend with
#                              the stubs' fault plan (tests/engine/stub/faults.go): (1) a node
#                              group's create fails: up exits non-zero, the state holds exactly
#                              what the cloud created, the next up creates only what is missing
#                              and a preview after it changes nothing; (2) a transient IAM error
#                              fails the cluster's create once, and the rerun converges; (2b) an
#                              approved plan's up --plan fails halfway (Throttling), and the same
#                              plan applies what is left; (3) up is
#                              cancelled (SIGINT, then SIGTERM) while the cluster is creating: the
#                              state holds its pending create, an up that skips the runbook fails
#                              (ResourceInUseException), and the runbook stack.sh prints (adopt)
#                              followed by up converges; (4) a security group's delete fails
#                              during destroy: what it needs stays in the state, and the next
#                              destroy empties the stack (prod: stops at the protected resources).
#                              After every run, (5) no protected resource has left the state or
#                              been deleted in the cloud, and the state is whole
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

usage="usage: scripts/engine.sh check <stack> [plan-file] | scripts/engine.sh plan|guards|faults|check-bootstrap <stack>"
[ $# -ge 2 ] || die "$usage"
mode=$1
stack=$2
plan_file=${3:-}
case "$mode" in
  check) [ $# -le 3 ] || die "$usage" ;;
  plan | guards | faults | check-bootstrap) [ $# -eq 2 ] || die "$usage" ;;
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
# The platform is deployed by the bootstrap's deploy role, whose sessions the stub's KMS model
# checks each key policy against (tests/engine/stub/kms.go, issue 22); the bootstrap is run by an
# account admin under KMS's default key policy, so the model stays off for it.
if [ "$program" = eks-platform ]; then
  export EKS_PLATFORM_STUB_CALLER_ROLE_ARN="arn:aws:iam::$account:role/eks-platform-deploy-$stack"
fi
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
# Every preview and up runs the platform's policy pack, as scripts/stack.sh's do (issue 22): the
# engine judges every resource it registers, pulumi-eks' children included, and a violation fails
# the check. experimental runs a command with the CLI's update plans switched on (up --plan).
guardrails_pack=$(build_guardrails "$root")
pulumi() {
  case "$1" in
    preview | up) command pulumi "$@" --policy-pack "$guardrails_pack" ;;
    *) command pulumi "$@" ;;
  esac
}
experimental() { PULUMI_EXPERIMENTAL=true "$@"; }
cd "$work/project"
on_stack=(--stack "$stack" --non-interactive)
run init.log pulumi stack init "$stack" --non-interactive

# plan_to <file> writes the engine plan of the current state.
plan_to() {
  pulumi stack export "${on_stack[@]}" >"$work/export.json"
  engine-stub plan "$stack" <"$work/export.json" >"$1"
}

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

if [ "$mode" = plan ]; then
  step "pulumi up"
  run up.log pulumi up "${on_stack[@]}" --yes --skip-preview
  took
  plan_to "$work/plan.json"
  cat "$work/plan.json"
  exit 0
fi

if [ "$mode" = faults ]; then
  command -v jq >/dev/null 2>&1 || die "jq not found on PATH: the fault scenarios read the engine's state with it"
  # shellcheck source=scripts/recover.sh
  . "$root/scripts/recover.sh"
  environment=$(awk '$1 == "eks-platform:environment:" { gsub(/["\047]/, "", $2); print $2; exit }' "$root/Pulumi.$stack.yaml")
  # The stub's fault plan and its ledgers (tests/engine/stub/faults.go).
  export EKS_PLATFORM_STUB_FAULT_DIR="$work/faults"
  fault_dir=$EKS_PLATFORM_STUB_FAULT_DIR
  fail() { die "engine $stack: $step_name: $*"; }
  faults() { printf '%s\n' "$1" >"$fault_dir/faults.json"; rm -f "$fault_dir/stalled"; }
  # scenario <title> <slug>: a fresh backend, stack and cloud (network records, fault directory).
  scenario() {
    step "$1"
    export PULUMI_BACKEND_URL="file://$work/state-$2"
    rm -rf "$fault_dir" "$EKS_PLATFORM_STUB_NETWORK_DIR"
    mkdir -p "$work/state-$2" "$fault_dir" "$EKS_PLATFORM_STUB_NETWORK_DIR"
    cp "$root/Pulumi.$stack.yaml" "$work/project/"
    : >"$work/protected-seen"
    run "init-$2.log" pulumi stack init "$stack" --non-interactive
  }
  # snapshot <file> exports the state and checks what must hold after any run, failed or not:
  # every protected resource seen in the scenario is still in the state and was never deleted in
  # the cloud (scenario 5), and the state is whole (every dependency and parent is in it).
  snapshot() {
    local lost
    pulumi stack export "${on_stack[@]}" >"$work/$1"
    jq -r '.deployment.resources[]? | select(.protect) | .urn' "$work/$1" |
      LC_ALL=C sort -u - "$work/protected-seen" >"$work/protected-seen.new"
    mv "$work/protected-seen.new" "$work/protected-seen"
    lost=$(LC_ALL=C comm -23 "$work/protected-seen" <(jq -r '.deployment.resources[]?.urn' "$work/$1" | LC_ALL=C sort -u))
    [ -z "$lost" ] || fail "protected resources are gone from the state: $lost"
    lost=$(LC_ALL=C comm -12 "$work/protected-seen" <(LC_ALL=C sort -u "$fault_dir/deleted.log" 2>/dev/null || true))
    [ -z "$lost" ] || fail "protected resources were deleted in the cloud: $lost"
    lost=$(jq -r '(reduce .deployment.resources[]?.urn as $u ({}; .[$u] = true)) as $held
      | .deployment.resources[]? | ((.dependencies // [])[], (.parent // empty)) | select($held[.] | not)' "$work/$1" | sort -u)
    [ -z "$lost" ] || fail "resources in the state depend on resources no longer in it: $lost"
  }
  # cloud_urns <export>: the cloud resources the state holds (custom, not providers), sorted.
  cloud_urns() { jq -r '.deployment.resources[]? | select(.custom and (.type | startswith("pulumi:providers:") | not)) | .urn' "$work/$1" | LC_ALL=C sort; }
  created_urns() { LC_ALL=C sort "$fault_dir/created.log" 2>/dev/null || true; }
  # converges <log> <held-file>: an up from where the last run stopped creates only what is
  # missing (what the state held stays: nothing created again, replaced or deleted), and a preview
  # after it changes nothing.
  converges() {
    local again gone
    : >"$fault_dir/created.log"
    run "$1" pulumi up "${on_stack[@]}" --yes --skip-preview
    if grep -qE '^ +([-+~]+ )?[0-9]+ (replaced|deleted)$' "$work/$1"; then tail -n 8 "$work/$1" >&2; fail "the up replaced or deleted resources"; fi
    snapshot "export-$1.json"
    again=$(LC_ALL=C comm -12 "$2" <(created_urns))
    [ -z "$again" ] || fail "the up created again what the state held: $again"
    gone=$(LC_ALL=C comm -23 "$2" <(cloud_urns "export-$1.json"))
    [ -z "$gone" ] || fail "resources the state held are gone: $gone"
    run "preview-$1" pulumi preview "${on_stack[@]}" --expect-no-changes --diff
  }

  nodegroup="aws:eks/nodeGroup:NodeGroup::system-nodes-$environment"
  scenario "scenario 1: the create of $nodegroup fails (NodeCreationFailure); the next up creates only what is missing" create-fails
  faults "[{\"resource\": \"$nodegroup\", \"op\": \"create\", \"mode\": \"fail-always\", \"error\": \"NodeCreationFailure\"}]"
  refused up-create-fails.log "NodeCreationFailure: Instances failed to join the kubernetes cluster" \
    pulumi up "${on_stack[@]}" --yes --skip-preview
  snapshot export-create-fails.json
  cloud_urns export-create-fails.json >"$work/held"
  # Exactly what was created: every resource the cloud created is in the state, and nothing else.
  if ! cmp -s "$work/held" <(created_urns); then
    diff <(created_urns) "$work/held" >&2 || true
    fail "the state does not hold exactly what the cloud created (<: created only, >: held only)"
  fi
  [ -s "$work/held" ] || fail "the failed up created nothing before the node group"
  ! grep -q ":NodeGroup::system-nodes-$environment\$" "$work/held" || fail "the node group whose create failed is in the state"
  failed_up_advice "$stack" "$work/export-create-fails.json" >"$work/advice-create-fails.txt"
  grep -q "nothing is pending" "$work/advice-create-fails.txt" || fail "stack.sh's advice after the failure: $(cat "$work/advice-create-fails.txt")"
  # The cause is fixed (the plan no longer fails the group): the next up converges.
  rm -f "$fault_dir/faults.json"
  converges up-after-create-fails.log "$work/held"
  echo "engine $stack: $(wc -l <"$work/held") resources kept from the failed up, $(created_urns | wc -l) created by the next" >&2
  took

  scenario "scenario 2: IAM's eventual consistency fails the cluster's create once (RoleNotAssumable); the rerun succeeds" transient
  faults '[{"resource": "aws:eks/cluster:Cluster", "op": "create", "mode": "fail-once", "error": "RoleNotAssumable"}]'
  refused up-transient.log "could not be assumed because it does not exist or the trusted entity is not correct" \
    pulumi up "${on_stack[@]}" --yes --skip-preview
  snapshot export-transient.json
  failed_up_advice "$stack" "$work/export-transient.json" >"$work/advice-transient.txt"
  grep -q "scripts/stack.sh up $stack" "$work/advice-transient.txt" || fail "stack.sh's advice after the failure: $(cat "$work/advice-transient.txt")"
  cloud_urns export-transient.json >"$work/held"
  converges up-after-transient.log "$work/held"
  took

  # The deploy applies the plan an approver read (issue 18). After a transient fault halfway
  # through it, the same approved plan applies what is left: nothing needs approving again.
  step "scenario 2b: up --plan of an approved change fails halfway (Throttling); the same plan then applies the rest"
  stack_copy="$work/project/Pulumi.$stack.yaml"
  cp "$stack_copy" "$work/stack-file.unchanged"
  awk '{ print } $0 == "config:" { print "  eks-platform:nodeCpuAlarmPercent: 70"; print "  eks-platform:nodeMemoryAlarmPercent: 70" }' \
    "$work/stack-file.unchanged" >"$stack_copy"
  run save-plan-approved.log pulumi preview "${on_stack[@]}" --refresh --diff --save-plan "$work/plan-approved.json"
  faults "[{\"resource\": \"aws:cloudwatch/metricAlarm:MetricAlarm::eks-node-memory-high-$environment\", \"op\": \"update\", \"mode\": \"fail-once\", \"error\": \"Throttling\"}]"
  # The flags of scripts/stack.sh up <stack> <plan-file>.
  refused up-plan-throttled.log "api error Throttling: Rate exceeded" \
    experimental pulumi up "${on_stack[@]}" --refresh --yes --diff --plan "$work/plan-approved.json"
  snapshot export-plan-throttled.json
  failed_up_advice "$stack" "$work/export-plan-throttled.json" "$work/plan-approved.json" >"$work/advice-plan.txt"
  grep -qF "scripts/stack.sh up $stack $work/plan-approved.json" "$work/advice-plan.txt" || fail "stack.sh's advice after the failure: $(cat "$work/advice-plan.txt")"
  # The engine starts no new step after the failure, so whether the CPU alarm's update ran before
  # it depends on timing: the rerun must update exactly the alarms the failure left at their old
  # threshold, the throttled one among them.
  left=$(jq '[.deployment.resources[] | select(.type == "aws:cloudwatch/metricAlarm:MetricAlarm" and (.urn | test("eks-node-(cpu|memory)-high")) and ((.outputs.threshold | tostring) != "70"))] | length' "$work/export-plan-throttled.json")
  [ "$left" -ge 1 ] || fail "the failed up left no alarm at its old threshold, although the memory alarm's update failed"
  run up-plan-again.log experimental pulumi up "${on_stack[@]}" --refresh --yes --diff --plan "$work/plan-approved.json"
  grep -qE "^ +~ $left updated\$" "$work/up-plan-again.log" || { tail -n 8 "$work/up-plan-again.log" >&2; fail "the rerun of the approved plan did more or less than the $left updates the failure left"; }
  snapshot export-plan-applied.json
  thresholds=$(jq -r '[.deployment.resources[] | select(.type == "aws:cloudwatch/metricAlarm:MetricAlarm" and (.urn | test("eks-node-(cpu|memory)-high"))) | .outputs.threshold] | map(tostring) | join(" ")' "$work/export-plan-applied.json")
  [ "$thresholds" = "70 70" ] || fail "the approved change is not in the state: thresholds $thresholds, want 70 70"
  run preview-plan-applied.log pulumi preview "${on_stack[@]}" --expect-no-changes --diff
  took

  scenario "scenario 3: up is cancelled (SIGINT, then SIGTERM) while the cluster is creating; the runbook's adopt, then up, converge" cancelled
  faults '[{"resource": "aws:eks/cluster:Cluster", "op": "create", "mode": "stall"}]'
  # `command`: in the background the pulumi function would run in a subshell, and the signals below
  # must reach the CLI itself.
  command pulumi up "${on_stack[@]}" --policy-pack "$guardrails_pack" --yes --skip-preview >"$work/up-cancelled.log" 2>&1 &
  up_pid=$!
  waited=0
  until [ -e "$fault_dir/stalled" ]; do
    kill -0 "$up_pid" 2>/dev/null || { tail -n 40 "$work/up-cancelled.log" >&2; fail "up ended before the cluster's create began"; }
    waited=$((waited + 1))
    [ "$waited" -lt 1200 ] || fail "the cluster's create did not begin within 10 minutes"
    sleep 0.5
  done
  # What a GitHub Actions runner does to a cancelled job: SIGINT, 7.5 s later SIGTERM, and at the
  # job's end it kills every process left (the plugins, the program).
  kill -INT "$up_pid"
  sleep 7.5
  kill -TERM "$up_pid" 2>/dev/null || true
  if wait "$up_pid"; then fail "the cancelled up exited 0"; fi
  pkill -f "$work/" || true
  snapshot export-cancelled.json
  pending_operations "$work/export-cancelled.json" >"$work/pending"
  grep -q "^creating .*\\\$aws:eks/cluster:Cluster::" "$work/pending" || fail "no pending create of the cluster after the cancel: $(cat "$work/pending")"
  cloud_urns export-cancelled.json >"$work/held"
  # Skipping the runbook fails: up creates the cluster a second time and AWS refuses the name.
  refused up-skipping-recovery.log "ResourceInUseException: Cluster already exists with name" \
    pulumi up "${on_stack[@]}" --yes --skip-preview
  snapshot export-skipped.json
  # The runbook, as stack.sh prints it from this state: adopt the cluster the cloud holds, with
  # the command the advice gives (scripts/stack.sh adopt runs adopt_pending_creates after its
  # pre-flight checks, which need an AWS account).
  failed_up_advice "$stack" "$work/export-skipped.json" >"$work/advice-cancelled.txt"
  adopt=$(sed -n "s/^    \\$ scripts\/stack.sh adopt $stack '\([^']*\)' '\([^']*\)'\$/\1 \2/p" "$work/advice-cancelled.txt")
  [ -n "$adopt" ] || fail "the advice gives no adopt command: $(cat "$work/advice-cancelled.txt")"
  read -r adopt_urn adopt_id <<<"$adopt"
  run adopt.log adopt_pending_creates "$stack" "$adopt_urn" "$adopt_id"
  snapshot export-imported.json
  [ -z "$(pending_operations "$work/export-imported.json")" ] || fail "operations still pending after the runbook's refresh"
  cloud_urns export-imported.json >"$work/held"
  grep -q ':Cluster::' "$work/held" || fail "the runbook's adopt did not put the cluster in the state"
  converges up-after-cancel.log "$work/held"
  took

  group="aws:ec2/securityGroup:SecurityGroup::sg-vpc-endpoints-$environment"
  step "scenario 4: the delete of $group fails during destroy (DependencyViolation); a second destroy, once it clears, empties the stack"
  faults "[{\"resource\": \"$group\", \"op\": \"delete\", \"mode\": \"fail-once\", \"error\": \"DependencyViolation\"}]"
  refused destroy-blocked.log "api error DependencyViolation: resource" pulumi destroy "${on_stack[@]}" --yes --skip-preview
  snapshot export-destroy-blocked.json
  cloud_urns export-destroy-blocked.json >"$work/held"
  grep -q ":SecurityGroup::sg-vpc-endpoints-$environment\$" "$work/held" || fail "the security group whose delete failed left the state"
  grep -q ':Vpc::' "$work/held" || fail "the VPC the security group needs left the state"
  if [ -s "$work/protected-seen" ]; then
    # prod: what is protected stops every destroy, before and after the fault clears (scenario 5).
    refused destroy-again.log "protected" pulumi destroy "${on_stack[@]}" --yes --skip-preview
    snapshot export-destroy-again.json
    ! grep -q ":SecurityGroup::sg-vpc-endpoints-$environment\$" <(cloud_urns export-destroy-again.json) ||
      fail "the second destroy did not delete the security group once its fault cleared"
    echo "engine $stack: $(wc -l <"$work/protected-seen") protected resources kept through every scenario" >&2
  else
    run destroy-again.log pulumi destroy "${on_stack[@]}" --yes --skip-preview
    snapshot export-destroyed.json
    left=$(engine-stub count <"$work/export-destroyed.json")
    [ "$left" = 0 ] || fail "the second destroy left $left resources in the stack"
  fi
  took
  echo "engine $stack: every fault scenario converged" >&2
  exit 0
fi

if [ "$mode" = guards ]; then
  stack_copy="$work/project/Pulumi.$stack.yaml"
  cp "$stack_copy" "$work/stack-file.committed"
  # with_line <line> writes the stack file plus one line at the top of its config block (after
  # stack init the file also holds the backend's encryptionsalt, after the block).
  with_line() { awk -v line="  $1" '{ print } $0 == "config:" { print line }' "$work/stack-file.committed" >"$stack_copy"; }
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

  # Issue 22: only keyAdminRoleArns administer the keys, so KMS refuses to create a key for any
  # other role (its lockout safety check); no key reaches the state.
  stranger="arn:aws:iam::$account:role/platform-engineer"
  step "a deploy by $stranger, outside keyAdminRoleArns, is refused by KMS"
  EKS_PLATFORM_STUB_CALLER_ROLE_ARN=$stranger refused up-key-admin.log \
    "MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future." \
    pulumi up "${on_stack[@]}" --yes --skip-preview
  pulumi stack export "${on_stack[@]}" >"$work/export-key-admin.json"
  if grep -q '"type": "aws:kms/key:Key"' "$work/export-key-admin.json"; then
    die "engine $stack: $step_name: a KMS key is in the state although KMS refused its policy"
  fi
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
  run up-plan.log experimental pulumi up "${on_stack[@]}" --refresh --yes --diff --plan "$work/update-plan.json"
  grep -q "updated" "$work/up-plan.log" || { tail -n 40 "$work/up-plan.log" >&2; die "engine $stack: $step_name: the plan updated nothing"; }
  took

  step "a plan saved before a change to the stack file is refused"
  run save-stale.log pulumi preview "${on_stack[@]}" --refresh --diff --save-plan "$work/stale-plan.json"
  with_line "eks-platform:nodeCpuAlarmPercent: 75"
  refused up-stale.log "violates plan: properties changed" experimental pulumi up "${on_stack[@]}" --refresh --yes --diff --plan "$work/stale-plan.json"
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
if ! pulumi preview "${on_stack[@]}" --json >"$work/preview.log" 2>&1; then
  # The JSON of a failed preview says only "preview failed": the policy pack's violations and
  # the program's errors are printed by a plain preview alone, so show that one.
  pulumi preview "${on_stack[@]}" >"$work/preview-text.log" 2>&1 || true
  # Its Diagnostics and Policies sections, without the outputs and resources that follow them.
  awk '/^(Diagnostics|Policies):/ { show = 1 } /^(Outputs|Resources):/ { show = 0 } show' "$work/preview-text.log" >&2
  die "engine $stack: $step_name failed (the plain preview's diagnostics and policy violations above; EKS_PLATFORM_ENGINE_KEEP=1 keeps $work)"
fi
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
