#!/usr/bin/env bash
# The one entry point for stack operations, for CI and people alike (STACK_SPEC X3). Everything
# runs non-interactively. Before touching any backend or cloud resource it checks, in this order,
# and stops with one line on stderr and a non-zero exit at the first failure:
#   the stack file Pulumi.<stack>.yaml exists; the stack's aws:region is well formed and equals
#   AWS_REGION / AWS_DEFAULT_REGION when those are set (C2, seed 000 #7); destroy is confirmed;
#   the pulumi CLI is present; the aws CLI (v2 >= 2.7.0 or v1 >= 1.24.0) and kubectl (>= 1.24.0)
#   are on PATH, because pulumi-eks v2 refuses to run the program without them, on preview too;
#   the stack file names its AWS account (eks-platform:awsAccountId) and the AWS credentials
#   resolve to exactly that account; this machine can reach the cluster's API by a declared path
#   (scripts/reach.sh, issue 19); the Pulumi backend is logged in.
# Then it selects the stack (check, preview and up create it when missing) and runs the command.
#
# Usage: scripts/stack.sh <command> <stack> [file | --cleanup | target-minor]
#   check          the pre-flight checks and stack selection only
#   preview [plan-file]
#                  pulumi preview --refresh --diff; with a file, also saves the update plan there
#                  (--save-plan), the plan an approver reads and the deploy applies (issue 18)
#   up [plan-file] pulumi up --refresh --yes (preview, then apply); with a file, applies exactly
#                  that saved plan (--plan) and fails if the program or the stack moved on since.
#                  Update plans are experimental in the pinned CLI (PULUMI_EXPERIMENTAL=true is
#                  set for that run). Both after checking that EKS offers
#                  every add-on build of the stack's Kubernetes minor in its region (scripts/day2.sh)
#                  Every preview and up (refresh-check's preview too) runs the platform's CrossGuard
#                  policy pack, built from guardrails/ (README "Guardrails in the engine", issue 22):
#                  a violation stops the run before any change.
# --refresh reads the live state first: the node groups' desiredSize is owned by the cluster
# autoscaler and ignored by the program, but an update of a group's scaling config sends the
# desired size stored in the state; refreshed, that is the live size, not a stale one.
#   destroy        pulumi destroy --yes; needs EKS_PLATFORM_CONFIRM_DESTROY=<stack>. It first lists
#                  what the cluster's controllers created outside Pulumi (load balancers, target
#                  groups and security groups of the load balancer controller, stray ENIs in the
#                  VPC, EBS volumes of Delete PersistentVolumes) and stops, deleting nothing, if
#                  anything is left. Retained volumes and snapshots (backups) are only listed.
#   destroy <stack> --cleanup
#                  deletes the Kubernetes objects that own those leftovers (Ingresses, Services
#                  of type LoadBalancer, claims of Delete volumes and the pods that mount them)
#                  outside the platform's namespaces, waits until AWS has removed what they owned
#                  (EKS_PLATFORM_CLEANUP_TIMEOUT_SECONDS, default 1200), then destroys. On a prod
#                  stack it also needs EKS_PLATFORM_LIFT_PROTECTION=<stack> and a state without
#                  protected resources (pulumi state unprotect --all, in a reviewed change).
#   upgrade-check <stack> <target-minor>
#                  go/no-go for upgrading the cluster to <target-minor> (the next minor, e.g. 1.37): EKS upgrade
#                  insights, add-on builds of catalogue/versions.json, node group version skew,
#                  standard support on today's date (EKS_PLATFORM_TODAY overrides it). Exits 1 on
#                  any blocker; a WARNING insight blocks unless its ID is in
#                  EKS_PLATFORM_ACK_INSIGHTS (comma-separated).
#   refresh-check  drift check without writing state: fails when the real resources differ from
#                  the state (refresh --preview-only --expect-no-changes) or the program differs
#                  from the state (preview --expect-no-changes)
#   outputs        writes `pulumi stack output --json` (secrets masked) to [file], default
#                  outputs/<stack>.json, the input of tests/integration; needs no AWS access
#   region         prints the stack's aws:region and exits (CI configures AWS credentials with it)
#   engine-check   the real Pulumi engine and pulumi-eks with stub aws/kubernetes providers, no
#                  cloud: preview, up, a preview that must show no changes, destroy to an empty
#                  stack, on a throwaway backend; [file] receives the engine plan (scripts/engine.sh)
#   engine-plan    up on a throwaway backend, then the engine's resources as plan JSON on stdout
#   engine-guards  no cloud: the deploy path's guards through the real engine (scripts/engine.sh
#                  guards): typos and a wrong account refused before any resource, a saved plan
#                  applied, a stale one refused
#   engine-faults  no cloud: faults survived (scripts/engine.sh faults, issue 23): a node group's
#                  create fails midway, a transient IAM error, an up cancelled while the cluster is
#                  creating (then this script's advice, followed), a delete refused during destroy;
#                  each next run must converge, and prod's protected resources are never deleted
#   adopt <stack> <urn> <id> [<urn> <id>]...
#                  after an interrupted run: makes each pending create that exists in AWS a
#                  resource of the state with its ID and refreshes it (scripts/recover.sh); any
#                  other pending operation is cleared. The advice below prints the exact command
#   engine-check-bootstrap
#                  the same as engine-check for the bootstrap project (bootstrap/Pulumi.<stack>.yaml,
#                  one stack per AWS account) with the stub aws provider: preview, up, no-change
#                  preview, destroy (its protected buckets and keys refused first)
# After a failed or cancelled up, stack.sh says what to do next (scripts/recover.sh), and every
# command that runs the engine stops first while the state holds pending operations.
# engine-check, engine-plan, engine-guards, engine-faults and engine-check-bootstrap need no AWS credentials, aws CLI, kubectl or backend login: they
# skip those pre-flight checks.
#
# Environment:
#   PULUMI_BACKEND_URL            state backend (s3://bucket/prefix, https://api.pulumi.com, ...)
#   EKS_PLATFORM_LOCAL_BACKEND=1  when PULUMI_BACKEND_URL is unset: a file backend in .pulumi-local/
#                                 (needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)
#   EKS_PLATFORM_SECRETS_PROVIDER secrets provider of a stack created here (e.g. awskms://alias/x)
#   PULUMI                        pulumi CLI to use; default bin/pulumi (scripts/toolchain.sh),
#                                 then pulumi on PATH
#   EKS_PLATFORM_POLICY_PACK      the policy pack binary preview and up run; default: built from
#                                 guardrails/ (scripts/lib.sh build_guardrails)
#   EKS_PLATFORM_CONFIRM_DESTROY  must name the stack for destroy
#   EKS_PLATFORM_LIFT_PROTECTION  must name a prod stack for destroy --cleanup
#   EKS_PLATFORM_CLEANUP_TIMEOUT_SECONDS, EKS_PLATFORM_CLEANUP_POLL_SECONDS
#                                 destroy --cleanup's wait (default 1200) and interval (default 15)
#   EKS_PLATFORM_ACK_INSIGHTS     EKS insight IDs whose WARNING upgrade-check accepts (comma-separated)
#   EKS_PLATFORM_TODAY            the date upgrade-check judges support on (default: today, UTC)
#   EKS_PLATFORM_DEPLOYER_ADDRESS the address(es) this machine reaches the API from, when
#                                 hostname -I and checkip.amazonaws.com do not tell (scripts/reach.sh)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/day2.sh
. "$(dirname "${BASH_SOURCE[0]}")/day2.sh"
# shellcheck source=scripts/reach.sh
. "$(dirname "${BASH_SOURCE[0]}")/reach.sh"
# shellcheck source=scripts/recover.sh
. "$(dirname "${BASH_SOURCE[0]}")/recover.sh"
root=$(repo_root)
caller_dir=$PWD

usage="usage: scripts/stack.sh <check|preview|up|destroy|refresh-check|outputs|region|upgrade-check|engine-check|engine-plan|engine-guards|engine-faults|engine-check-bootstrap> <stack> [file | --cleanup | target-minor] | scripts/stack.sh adopt <stack> <urn> <id> [<urn> <id>]..."
if [ $# -lt 2 ]; then die "$usage"; fi
command=$1
stack=$2
if [ "$command" = adopt ]; then
  if [ $# -lt 4 ] || [ $(($# % 2)) != 0 ]; then die "adopt needs the stack and one or more pairs of URN and ID, as the advice after an interrupted run prints them; $usage"; fi
elif [ $# -gt 3 ]; then
  die "$usage"
fi
cleanup=false
case "$command" in
  adopt) ;;
  check | refresh-check | region | engine-plan | engine-guards | engine-faults | engine-check-bootstrap) [ $# -eq 2 ] || die "$usage" ;;
  preview) ;;
  up)
    if [ $# -eq 3 ] && [ ! -f "$3" ]; then
      die "update plan $3 not found: up applies only a plan saved by scripts/stack.sh preview $2 <plan-file>"
    fi
    ;;
  destroy)
    if [ $# -eq 3 ]; then
      [ "$3" = --cleanup ] || die "destroy takes only --cleanup after the stack, not '$3'; $usage"
      cleanup=true
    fi
    ;;
  upgrade-check)
    [ $# -eq 3 ] || die "upgrade-check needs the target Kubernetes minor version, e.g. scripts/stack.sh upgrade-check $stack 1.37 (the minor after the cluster's)"
    [[ "$3" =~ ^[0-9]+\.[0-9]+$ ]] || die "invalid target version '$3': a Kubernetes minor version such as 1.37"
    ;;
  outputs | engine-check) ;;
  *) die "unknown command '$command'; $usage" ;;
esac
[[ "$stack" =~ ^[A-Za-z0-9_.-]+$ ]] || die "invalid stack name '$stack': letters, digits, '_', '.', '-' only"
# The bootstrap project has its own stack files (bootstrap/Pulumi.<stack>.yaml); engine.sh checks them.
if [ "$command" = engine-check-bootstrap ]; then exec "$root/scripts/engine.sh" check-bootstrap "$stack"; fi

stack_file="$root/Pulumi.$stack.yaml"
if [ ! -f "$stack_file" ]; then
  known=()
  for file in "$root"/Pulumi.*.yaml; do
    name=${file##*/Pulumi.}
    [ -f "$file" ] && known+=("${name%.yaml}")
  done
  die "stack file Pulumi.$stack.yaml not found in $root (stacks: ${known[*]:-none})"
fi

# yaml_region prints aws:region from the config block of a Pulumi YAML file, in either the stack
# file form `aws:region: x` or the project file form `aws:region:` + `value: x` (or `default:`).
yaml_region() {
  awk '
    /^config:/ { in_config = 1; next }
    /^[^[:space:]#]/ { in_config = 0 }
    !in_config { next }
    nested && /^  [^ ]/ { nested = 0 }
    nested && ($1 == "value:" || $1 == "default:") { value = $2; exit }
    $1 == "aws:region:" {
      if (NF >= 2 && $2 !~ /^#/) { value = $2; exit }
      nested = 1
    }
    END { gsub(/["\047]/, "", value); if (value != "") print value }
  ' "$1"
}

region=$(yaml_region "$stack_file")
region_source="aws:region in Pulumi.$stack.yaml"
if [ -z "$region" ] && [ -f "$root/Pulumi.yaml" ]; then
  region=$(yaml_region "$root/Pulumi.yaml")
  region_source="aws:region in Pulumi.yaml (Pulumi.$stack.yaml sets none)"
fi
if [ -z "$region" ]; then
  region=us-east-1
  region_source="the default aws:region"
fi
[[ "$region" =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$ ]] ||
  die "invalid region '$region' from $region_source: must match ^[a-z]{2}(-gov)?-[a-z]+-[0-9]\$ (e.g. us-east-1)"

if [ "$command" = region ]; then
  echo "$region"
  exit 0
fi
# The engine runs touch no cloud and no real backend: none of the checks below applies.
case "$command" in
  engine-check) exec "$root/scripts/engine.sh" check "$stack" ${3:+"$3"} ;;
  engine-plan) exec "$root/scripts/engine.sh" plan "$stack" ;;
  engine-guards) exec "$root/scripts/engine.sh" guards "$stack" ;;
  engine-faults) exec "$root/scripts/engine.sh" faults "$stack" ;;
esac
# A real preview or deployment judges the Kubernetes lifecycle on today's date, never a pinned one
# (the program reads EKS_PLATFORM_TODAY only for the engine check; upgrade-check reads its own).
case "$command" in
  check | preview | up | refresh-check)
    [ -z "${EKS_PLATFORM_TODAY:-}" ] ||
      die "EKS_PLATFORM_TODAY=$EKS_PLATFORM_TODAY is set: it pins the day the program judges Kubernetes support on, for the engine check only; unset it for $command"
    ;;
esac

for variable in AWS_REGION AWS_DEFAULT_REGION; do
  if [ -n "${!variable:-}" ] && [ "${!variable}" != "$region" ]; then
    die "$variable=${!variable} but stack $stack deploys to $region ($region_source): unset $variable or set it to $region"
  fi
done

if [ "$command" = destroy ] && [ "${EKS_PLATFORM_CONFIRM_DESTROY:-}" != "$stack" ]; then
  die "destroy deletes every resource of stack $stack: set EKS_PLATFORM_CONFIRM_DESTROY=$stack to confirm"
fi
environment=$(stack_config_value environment)
if [ "$cleanup" = true ] && [ "$environment" = prod ] && [ "${EKS_PLATFORM_LIFT_PROTECTION:-}" != "$stack" ]; then
  die "stack $stack is prod: --cleanup deletes its load balancers and volumes only once its protection is lifted: run pulumi state unprotect --all --stack $stack in a reviewed change, then set EKS_PLATFORM_LIFT_PROTECTION=$stack"
fi

pinned_version=$(pinned_pulumi_version "$root")
if [ -n "${PULUMI:-}" ]; then
  [ -x "$PULUMI" ] || die "PULUMI=$PULUMI is not an executable file"
  pulumi=$PULUMI
elif [ -x "$root/bin/pulumi" ]; then
  pulumi="$root/bin/pulumi"
  # The CLI finds its Go language host on PATH.
  export PATH="$root/bin:$PATH"
elif command -v pulumi >/dev/null 2>&1; then
  pulumi=$(command -v pulumi)
else
  die "pulumi CLI not found: run scripts/toolchain.sh (builds bin/pulumi $pinned_version) or install Pulumi $pinned_version"
fi
export PULUMI_SKIP_UPDATE_CHECK=true
# The policy pack runs in every preview and up (issue 22): a violation stops the run in the engine.
case "$command" in
  preview | up | refresh-check)
    if [ -n "${EKS_PLATFORM_POLICY_PACK:-}" ]; then
      [ -x "$EKS_PLATFORM_POLICY_PACK" ] || die "EKS_PLATFORM_POLICY_PACK=$EKS_PLATFORM_POLICY_PACK is not an executable file"
      guardrails=(--policy-pack "$EKS_PLATFORM_POLICY_PACK")
    else
      guardrails=(--policy-pack "$(build_guardrails "$root")")
    fi
    ;;
esac
installed_version=$("$pulumi" version 2>/dev/null || true)
if [ "$installed_version" != "$pinned_version" ]; then
  echo "warning: $pulumi is version '${installed_version}', CI pins $pinned_version (tools/pulumi/go.mod)" >&2
fi

# version_at_least <version> <minimum> succeeds when the version's leading MAJOR.MINOR.PATCH
# (after an optional "v"; suffixes such as "-eks-1" are ignored) is at least <minimum>, and fails
# for anything that does not start with MAJOR.MINOR.PATCH.
version_at_least() {
  local have want i
  [[ "$1" =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+) ]] || return 1
  have=("${BASH_REMATCH[@]:1}")
  [[ "$2" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || return 1
  want=("${BASH_REMATCH[@]:1}")
  for i in 0 1 2; do
    if ((10#${have[i]} != 10#${want[i]})); then
      ((10#${have[i]} > 10#${want[i]}))
      return
    fi
  done
  return 0
}

# Every command but outputs and upgrade-check runs the program. pulumi-eks v2 checks the aws CLI
# (it runs `aws eks get-token` for the kubeconfig) and kubectl when it creates the cluster's core,
# on preview as well as up, with these minimums (nodejs/eks/dependencies.ts); checking here fails
# in one line instead of deep in a Pulumi diagnostic. upgrade-check needs the aws CLI only.
case "$command" in
  destroy | upgrade-check)
    command -v jq >/dev/null 2>&1 || die "jq not found on PATH: $command reads the AWS CLI's JSON answers with it; install jq"
    ;;
  preview | up | refresh-check | adopt)
    command -v jq >/dev/null 2>&1 || die "jq not found on PATH: $command reads the stack's state for interrupted operations with it; install jq"
    ;;
esac
if [ "$command" != outputs ]; then
  command -v aws >/dev/null 2>&1 ||
    die "aws CLI not found on PATH: pulumi-eks runs 'aws eks get-token' for the cluster kubeconfig; install AWS CLI v2 (>= 2.7.0)"
  # Older AWS CLI v1 releases print their version on stderr.
  aws_version=$(aws --version 2>&1 | awk '{ sub("^aws-cli/", "", $1); print $1; exit }') || true
  case "$aws_version" in
    1.*) aws_minimum=1.24.0 ;;
    *) aws_minimum=2.7.0 ;;
  esac
  version_at_least "$aws_version" "$aws_minimum" ||
    die "aws CLI version '$aws_version' is too old or unreadable: pulumi-eks needs AWS CLI v2 >= 2.7.0 (or v1 >= 1.24.0)"
fi
if [ "$command" != outputs ] && [ "$command" != upgrade-check ]; then
  command -v kubectl >/dev/null 2>&1 ||
    die "kubectl not found on PATH: pulumi-eks v2 refuses to run the program without kubectl >= 1.24.0, even for preview; install it (CI pins KUBECTL_VERSION in .github/workflows)"
  kubectl_version=$(kubectl version --client=true --output=json 2>/dev/null | awk -F'"' '$2 == "gitVersion" { print $4; exit }') || true
  version_at_least "$kubectl_version" 1.24.0 ||
    die "kubectl version '$kubectl_version' is too old or unreadable: pulumi-eks v2 needs kubectl >= 1.24.0"
fi
# The account guard (issue 18): the credentials must belong to the account the stack file names,
# checked before any backend or other cloud call. The program's AWS provider refuses any other
# account too (allowedAccountIds), but only once the engine runs.
if [ "$command" != outputs ]; then
  account=$(stack_config_value awsAccountId)
  [[ "$account" =~ ^[0-9]{12}$ ]] ||
    die "Pulumi.$stack.yaml names no AWS account: set eks-platform:awsAccountId to the 12-digit ID of the account stack $stack deploys to (found '$account')"
  if ! identity=$(aws sts get-caller-identity --region "$region" --output text --query Account 2>&1); then
    die "AWS credentials do not resolve (aws sts get-caller-identity in $region: $(printf '%s\n' "$identity" | awk 'NF { line = $0 } END { print line }'))"
  fi
  caller_account=$(printf '%s\n' "$identity" | awk 'NF { line = $0 } END { print line }')
  [ "$caller_account" = "$account" ] ||
    die "the AWS credentials belong to account $caller_account, but stack $stack deploys to account $account (eks-platform:awsAccountId in Pulumi.$stack.yaml): use credentials of account $account"
fi

# The deployer check (issue 19): every command that runs the program talks to the cluster's API
# (refresh reads the Kubernetes objects, up creates them); upgrade-check and outputs do not.
case "$command" in
  check | preview | up | refresh-check | destroy) check_deployer_reach ;;
esac

if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ "${EKS_PLATFORM_LOCAL_BACKEND:-}" = 1 ]; then
  [ -n "${PULUMI_CONFIG_PASSPHRASE:-}${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] ||
    die "the local backend encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
  mkdir -p "$root/.pulumi-local"
  export PULUMI_BACKEND_URL="file://$root/.pulumi-local"
fi
if ! "$pulumi" whoami --non-interactive >/dev/null 2>&1; then
  die "not logged in to a Pulumi backend: set PULUMI_BACKEND_URL (e.g. s3://bucket/prefix) or PULUMI_ACCESS_TOKEN, or EKS_PLATFORM_LOCAL_BACKEND=1 for a local file backend"
fi

cd "$root"
# Only the commands that deploy create a missing stack; the others report it missing.
case "$command" in
  check | preview | up)
    select_args=(stack select --create --non-interactive "$stack")
    if [ -n "${EKS_PLATFORM_SECRETS_PROVIDER:-}" ]; then
      select_args+=(--secrets-provider "$EKS_PLATFORM_SECRETS_PROVIDER")
    fi
    ;;
  *) select_args=(stack select --non-interactive "$stack") ;;
esac
"$pulumi" "${select_args[@]}"

on_stack=(--stack "$stack" --non-interactive)
# with_state <function> [args]: runs recover.sh's <function> <stack> <export-file> [args] on the
# stack's state.
with_state() {
  local export_file status=0
  export_file=$(mktemp "${TMPDIR:-/tmp}/eks-platform-state.XXXXXX")
  "$pulumi" stack export "${on_stack[@]}" >"$export_file" && "$1" "$stack" "$export_file" "${@:2}" || status=$?
  rm -f "$export_file"
  return "$status"
}
# A run that was killed (a cancelled CI job) leaves pending operations in the state (issue 23):
# they are resolved first, as the README's runbook says, so that no run creates those resources
# a second time or fails on them obscurely.
case "$command" in
  preview | up | refresh-check | destroy)
    advice=$(with_state recovery_advice) || die "could not read the state of stack $stack (pulumi stack export failed)"
    if [ -n "$advice" ]; then
      printf '%s\n' "$advice" >&2
      die "stack $stack has pending operations from an interrupted run: resolve them as above (README \"Runbook: a failed or cancelled deploy\"), then run $command again"
    fi
    ;;
esac
# after_failed_up says what to do next, from the state the failed or cancelled up left.
after_failed_up() { with_state failed_up_advice "$@" >&2 || true; }
case "$command" in
  check) echo "stack $stack ready: region $region, backend $("$pulumi" whoami --verbose --non-interactive 2>/dev/null | awk '/Backend URL/ { print $3 }')" ;;
  preview)
    if [ -n "${3:-}" ]; then
      plan_file=$3
      [[ "$plan_file" = /* ]] || plan_file="$caller_dir/$plan_file"
      "$pulumi" preview "${on_stack[@]}" "${guardrails[@]}" --refresh --diff --save-plan "$plan_file"
    else
      "$pulumi" preview "${on_stack[@]}" "${guardrails[@]}" --refresh --diff
    fi
    ;;
  up)
    check_addon_builds
    if [ -n "${3:-}" ]; then
      plan_file=$3
      [[ "$plan_file" = /* ]] || plan_file="$caller_dir/$plan_file"
      if ! PULUMI_EXPERIMENTAL=true "$pulumi" up "${on_stack[@]}" "${guardrails[@]}" --refresh --yes --diff --plan "$plan_file"; then
        after_failed_up "$plan_file"
        die "up of stack $stack with the saved plan $plan_file failed; if the engine reports 'violates plan', the program or the stack changed since the plan was saved: preview again, approve the new plan"
      fi
    elif ! "$pulumi" up "${on_stack[@]}" "${guardrails[@]}" --refresh --yes --diff; then
      after_failed_up
      die "up of stack $stack failed (what to do next: above, and README \"Runbook: a failed or cancelled deploy\")"
    fi
    ;;
  destroy) destroy_stack "$cleanup" ;;
  adopt)
    shift 2
    adopt_pending_creates "$stack" "$@"
    echo "adopted; now run scripts/stack.sh up $stack: it creates only what is missing"
    ;;
  upgrade-check) upgrade_check "$3" ;;
  refresh-check)
    status=0
    "$pulumi" refresh "${on_stack[@]}" --preview-only --expect-no-changes --diff ||
      { echo "drift: the real resources of stack $stack differ from its state (pulumi refresh would change it)" >&2; status=1; }
    "$pulumi" preview "${on_stack[@]}" "${guardrails[@]}" --expect-no-changes --diff ||
      { echo "pending: the program differs from the state of stack $stack (pulumi up would change it)" >&2; status=1; }
    exit "$status"
    ;;
  outputs)
    target=${3:-"$root/outputs/$stack.json"}
    [[ "$target" = /* ]] || target="$caller_dir/$target"
    mkdir -p "$(dirname "$target")"
    "$pulumi" stack output "${on_stack[@]}" --json --show-secrets=false >"$target.partial"
    mv -f "$target.partial" "$target"
    echo "outputs of stack $stack written to $target"
    ;;
esac
