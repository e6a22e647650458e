# shellcheck shell=bash
# What to do after a failed or cancelled deploy (issue 23, README "Runbook: a failed or cancelled
# deploy"). Sourced by scripts/stack.sh, which gives this advice, and by scripts/engine.sh, whose
# fault scenarios check it against the real engine's state and then follow it.
#
# The engine writes a pending operation into the state before it asks a provider to create,
# update or delete a resource, and clears it when the provider answers. A run that is killed
# (a CI runner cancelled: SIGINT, then SIGTERM) leaves them behind, and only a person can say what
# AWS did meanwhile: a create may have finished after the CLI died.

# pending_operations <export-file> prints one line per pending operation of a `pulumi stack
# export`: "<kind> <urn> <name>", kind being creating, updating, deleting, reading or importing,
# name the resource's name input ("-" when it has none).
pending_operations() {
  jq -r '(.deployment.pending_operations // [])[] | "\(.type) \(.resource.urn) \(.resource.inputs.name // "-")"' "$1"
}

# recovery_advice <stack> <export-file> prints the runbook's steps for the pending operations of
# the stack's state, with its own URNs and names, one command per line starting with "    $ ";
# nothing when nothing is pending.
recovery_advice() {
  local stack=$1 ops kind urn name refresh verb
  ops=$(pending_operations "$2")
  [ -n "$ops" ] || return 0
  refresh="pulumi refresh --stack $stack --non-interactive --yes"
  echo "stack $stack holds pending operations: a run was interrupted while AWS worked on these resources,"
  echo "so the state does not know how they ended. Resolve each one before the next up:"
  while read -r kind urn name; do
    case "$kind" in
      creating)
        echo "  - the create of $urn may have finished in AWS after the run died."
        if [[ "$urn" == *"\$aws:eks/cluster:Cluster::"* ]]; then
          echo "    Look for it: aws eks describe-cluster --name $name. If it exists, adopt it (an EKS cluster's ID is its name):"
          echo "    \$ scripts/stack.sh adopt $stack '$urn' '$name'"
        else
          echo "    Look for it in AWS (name: $name). If it exists, adopt it by its ID (the ID formats of pulumi import's docs):"
          echo "    \$ scripts/stack.sh adopt $stack '$urn' <id>"
        fi
        echo "    If it does not exist, forget the create:"
        echo "    \$ $refresh --clear-pending-creates"
        ;;
      *)
        verb=${kind%ing}
        case "$verb" in updat | delet) verb+=e ;; esac
        echo "  - the $verb of $urn was interrupted; a refresh reads the resource as it is and clears the operation:"
        echo "    \$ $refresh"
        ;;
    esac
  done <<<"$ops"
  echo "Then run scripts/stack.sh up $stack: it creates only what is missing. Do not skip these steps: up"
  echo "would create the resource a second time, which AWS refuses for a taken name (ResourceInUseException)"
  echo "and, for a resource without a fixed name, leaks the first copy. Do not use pulumi refresh"
  echo "--import-pending-creates: in the pinned CLI it drops the operation without adopting anything."
}

# adopt_pending_creates <stack> [<urn> <id>]... adopts resources whose create was interrupted and
# that exist in AWS: each becomes a resource of the state with its ID, read from AWS by a refresh
# of it. Pulumi's `refresh --import-pending-creates` does not do this in the pinned CLI (it marks
# the operation "importing", and the next snapshot keeps only "creating" ones: the engine fault
# scenario showed the cluster dropped and the next up refused with ResourceInUseException), so
# the state is edited as Pulumi's troubleshooting guide describes: export, move, import.
# `pulumi stack import` drops every other pending operation: a create not named here is cleared.
adopt_pending_creates() {
  local stack=$1 cli=${pulumi:-pulumi} before after urn
  shift
  if [ $# -eq 0 ] || [ $(($# % 2)) != 0 ]; then die "adopt needs one or more pairs of URN and ID"; fi
  before=$(mktemp "${TMPDIR:-/tmp}/eks-platform-adopt.XXXXXX")
  after="$before.edited"
  "$cli" stack export --stack "$stack" >"$before"
  local targets=()
  while [ $# -gt 0 ]; do
    urn=$1
    jq -e --arg urn "$urn" '(.deployment.pending_operations // []) | any(.type == "creating" and .resource.urn == $urn)' \
      "$before" >/dev/null || { rm -f "$before"; die "stack $stack has no pending create of $urn"; }
    jq --arg urn "$urn" --arg id "$2" '
      ([.deployment.pending_operations[] | select(.type == "creating" and .resource.urn == $urn)][0].resource) as $created
      | .deployment.resources += [$created + {id: $id}]
      | .deployment.pending_operations |= map(select(.resource.urn != $urn))' "$before" >"$after"
    mv -f "$after" "$before"
    targets+=(--target "$urn")
    shift 2
  done
  "$cli" stack import --stack "$stack" --file "$before" || { rm -f "$before"; die "pulumi stack import of the edited state of stack $stack failed"; }
  rm -f "$before"
  "$cli" refresh --stack "$stack" --non-interactive --yes "${targets[@]}"
}

# failed_up_advice <stack> <export-file> [plan-file] is what scripts/stack.sh says after an up
# (of that saved plan) that failed or was cancelled: the runbook's steps when operations are
# pending, else that a rerun converges.
failed_up_advice() {
  local advice
  advice=$(recovery_advice "$1" "$2")
  if [ -n "$advice" ]; then
    printf '%s\n' "$advice"
    return
  fi
  echo "up of stack $1 failed; nothing is pending: the state holds exactly what was created before the failure."
  echo "Fix the cause the engine reported above (a transient AWS error, such as an IAM role not yet usable"
  if [ -n "${3:-}" ]; then
    echo "or a throttled API, needs no fix), then run scripts/stack.sh up $1 $3 again: the approved plan"
    echo "applies what is left. If the engine reports 'violates plan', preview again and approve the new plan."
  else
    echo "or a throttled API, needs no fix), then run scripts/stack.sh up $1 again: it creates only what is missing."
  fi
}
