# shellcheck shell=bash disable=SC2154 # root, stack, region, pulumi, ... are set by scripts/stack.sh
# Day-two commands of scripts/stack.sh (sourced by it after its pre-flight checks, not run):
# destroy's check for what the cluster's controllers created outside Pulumi, its --cleanup, and
# upgrade-check (issue 14). They read the globals stack.sh sets: root, stack, stack_file, region,
# pulumi, on_stack. Every AWS answer is read as the CLI's JSON (--output json) with jq.

# Namespaces whose objects --cleanup never deletes: Kubernetes' own and the platform's, i.e.
# config.ReservedNamespaces without "default", where teams may run workloads too. The load
# balancer controller and the EBS CSI driver, which do the cleanup, run in kube-system; velero
# holds the backups; Pulumi removes the platform's own objects itself. scripts/stack_test.go
# checks this list against config.ReservedNamespaces.
protected_namespaces=(kube-system kube-public kube-node-lease amazon-cloudwatch logging external-secrets velero)

# protected_namespaces_json prints that list as a JSON array, for the jq filters that skip them.
protected_namespaces_json() {
  jq -cn '$ARGS.positional' --args "${protected_namespaces[@]}"
}

# The EKS add-ons the program installs, with the Pulumi config key that overrides each pin.
addon_config_keys=(
  vpc-cni=vpcCniVersion
  kube-proxy=kubeProxyVersion
  coredns=corednsVersion
  aws-ebs-csi-driver=ebsCsiDriverVersion
  snapshot-controller=snapshotControllerVersion
  amazon-cloudwatch-observability=cloudwatchObservabilityVersion
)

# work_dir creates the commands' scratch directory (kubeconfig, error output, lists), removed on exit.
work_dir() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}

# last_error_line is the AWS CLI's last non-empty line of error output (its actual message).
last_error_line() {
  awk 'NF { line = $0 } END { print line }' "$work/aws.err"
}

# aws_json runs an AWS CLI call in the stack's region and prints its JSON answer; on failure the
# command stops with the call and the CLI's last error line.
aws_json() {
  local answer
  if ! answer=$(aws "$@" --region "$region" --output json 2>"$work/aws.err"); then
    die "aws $1 $2 failed: $(last_error_line)"
  fi
  printf '%s\n' "$answer"
}

# kube runs kubectl against this stack's cluster only: a kubeconfig written for it by
# `aws eks update-kubeconfig`, never the caller's current context.
kube() {
  KUBECONFIG="$work/kubeconfig" kubectl "$@"
}

# read_outputs sets cluster_name and vpc_id from the stack's outputs (README "Outputs").
read_outputs() {
  local outputs
  outputs=$("$pulumi" stack output "${on_stack[@]}" --json --show-secrets=false) ||
    die "cannot read the outputs of stack $stack (pulumi stack output)"
  cluster_name=$(jq -r '.clusterName // empty' <<<"$outputs")
  vpc_id=$(jq -r '.vpcId // empty' <<<"$outputs")
  [ -n "$cluster_name" ] ||
    die "stack $stack has no clusterName output: it was never fully deployed, so nothing can be checked; inspect it and run pulumi destroy --stack $stack yourself"
}

# stack_config_value prints eks-platform:<key> as the stack file sets it (empty when it does not).
stack_config_value() {
  awk -v key="eks-platform:$1:" '
    /^config:/ { in_config = 1; next }
    /^[^[:space:]#]/ { in_config = 0 }
    in_config && $1 == key { value = $2; exit }
    END { gsub(/["\047]/, "", value); if (value !~ /^#/) print value }
  ' "$stack_file"
}

# --- destroy ------------------------------------------------------------------------------------

# scan_leftovers lists what the cluster's controllers created outside Pulumi, one line each, in
# three files of $work:
#   removable  blocks the destroy (or outlives it, billed) and goes away when --cleanup deletes the
#              Kubernetes objects that own it: load balancers, target groups and security groups
#              of the load balancer controller, EBS volumes of PersistentVolumes with reclaim
#              policy Delete whose claim is outside the protected namespaces;
#   manual     blocks the destroy, but no Kubernetes object --cleanup may delete owns it: ENIs,
#              Delete volumes claimed in a protected namespace or by nobody;
#   kept       never deleted here, and billed after the stack is gone: volumes of Retain (or
#              deleted) PersistentVolumes and every EBS snapshot of the cluster (backups).
scan_leftovers() {
  local lbs tgs arns tagged i enis pvs volumes protected
  protected=$(protected_namespaces_json)

  # The load balancer controller tags every load balancer, target group and security group it
  # creates with elbv2.k8s.aws/cluster=<cluster>. Its Service webhook (on by default) gives every
  # Service of type LoadBalancer the controller's loadBalancerClass, so the in-tree controller
  # creates no classic ELBs. describe-load-balancers and
  # describe-target-groups cannot filter by tag, so those of the VPC are looked up with
  # describe-tags, 20 ARNs per call (its limit).
  lbs=$(aws_json elbv2 describe-load-balancers | jq -c --arg vpc "$vpc_id" \
    '[.LoadBalancers[] | select(.VpcId == $vpc) | {arn: .LoadBalancerArn, line: "load balancer \(.LoadBalancerName) (\(.Type), \(.LoadBalancerArn))"}]')
  tgs=$(aws_json elbv2 describe-target-groups | jq -c --arg vpc "$vpc_id" \
    '[.TargetGroups[] | select(.VpcId == $vpc) | {arn: .TargetGroupArn, line: "target group \(.TargetGroupName) (\(.TargetGroupArn))"}]')
  mapfile -t arns < <(jq -rn --argjson lbs "$lbs" --argjson tgs "$tgs" '($lbs + $tgs)[].arn')
  tagged='[]'
  for ((i = 0; i < ${#arns[@]}; i += 20)); do
    tagged=$(aws_json elbv2 describe-tags --resource-arns "${arns[@]:i:20}" | jq -c --argjson seen "$tagged" --arg cluster "$cluster_name" \
      '$seen + [.TagDescriptions[] | select(any(.Tags[]; .Key == "elbv2.k8s.aws/cluster" and .Value == $cluster)) | .ResourceArn] | unique')
  done
  jq -rn --argjson all "$lbs" --argjson more "$tgs" --argjson tagged "$tagged" \
    '($all + $more)[] | select(.arn | IN($tagged[])) | .line' >"$work/removable"

  aws_json ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpc_id" "Name=tag:elbv2.k8s.aws/cluster,Values=$cluster_name" |
    jq -r '.SecurityGroups[] | "security group \(.GroupId) (\(.GroupName)) of the load balancer controller"' >>"$work/removable"

  # ENIs. Pulumi owns the NAT gateways and the VPC endpoints, and AWS deletes their ENIs with them:
  # those interface types never count. Any other ENI that is detached ("available") blocks the
  # deletion of its subnet and nothing deletes it. vpc-cni's ENIs (description aws-K8S-<instance>,
  # tag cluster.k8s.amazonaws.com/name) that are attached go with their node when the node group is
  # deleted, because vpc-cni attaches them with DeleteOnTermination; one attached without it
  # survives its node. Attached ENIs of load balancers go with the load balancer, listed above.
  enis=$(aws_json ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$vpc_id")
  jq -r --arg cluster "$cluster_name" '
    .NetworkInterfaces[]
    | select((.InterfaceType // "interface") | IN("nat_gateway", "vpc_endpoint", "gateway_load_balancer_endpoint") | not)
    | ((.Description // "" | startswith("aws-K8S-"))
       or any(.TagSet[]?; .Key == "cluster.k8s.amazonaws.com/name" and .Value == $cluster)) as $cni
    | select(.Status == "available" or ($cni and .Attachment.DeleteOnTermination == false))
    | "network interface \(.NetworkInterfaceId) (\(.Status), subnet \(.SubnetId), \"\(.Description // "")\")"
      + (if .Status == "available" then ": detached, blocks its subnet" else ": survives its node" end)
  ' <<<"$enis" >"$work/manual"

  # EBS. The PersistentVolumes say which volumes the CSI driver deletes with their claim (reclaim
  # policy Delete) and which it keeps (Retain); the cluster tag the driver puts on what it creates
  # (KubernetesCluster=<cluster> through extraVolumeTags, cluster/addons.go) finds the volumes no PersistentVolume refers to any more
  # and the snapshots.
  pvs=$(kube get persistentvolumes -o json) || die "cannot list the PersistentVolumes of cluster $cluster_name (kubectl get persistentvolumes)"
  pvs=$(jq -c '[.items[] | select(.spec.csi.driver == "ebs.csi.aws.com")
    | {volume: .spec.csi.volumeHandle, pv: .metadata.name, policy: .spec.persistentVolumeReclaimPolicy,
       claim: (if .spec.claimRef then "\(.spec.claimRef.namespace)/\(.spec.claimRef.name)" else null end),
       claimNamespace: .spec.claimRef.namespace}]' <<<"$pvs")
  jq -r --argjson protected "$protected" '.[] | select(.policy == "Delete")
    | select(.claimNamespace != null and (.claimNamespace | IN($protected[]) | not))
    | "EBS volume \(.volume) (PersistentVolume \(.pv), claim \(.claim), reclaim policy Delete)"' <<<"$pvs" >>"$work/removable"
  jq -r --argjson protected "$protected" '.[] | select(.policy == "Delete")
    | select(.claimNamespace == null or (.claimNamespace | IN($protected[])))
    | "EBS volume \(.volume) (PersistentVolume \(.pv), reclaim policy Delete): "
      + (if .claim then "claim \(.claim) is in a protected namespace" else "no claim" end)' <<<"$pvs" >>"$work/manual"

  volumes=$(aws_json ec2 describe-volumes --filters "Name=tag:KubernetesCluster,Values=$cluster_name")
  jq -rn --argjson pvs "$pvs" --argjson volumes "$volumes" '
    ($pvs | map(select(.policy == "Delete") | .volume)) as $deleted
    | ([$volumes.Volumes[].VolumeId] + [$pvs[] | select(.policy != "Delete") | .volume] | unique)[]
    | select(IN($deleted[]) | not) as $id
    | ($pvs | map(select(.volume == $id)) | first) as $pv
    | "EBS volume \($id): " + (if $pv then "PersistentVolume \($pv.pv) has reclaim policy \($pv.policy)" else "no PersistentVolume refers to it" end)
  ' >"$work/kept"
  aws_json ec2 describe-snapshots --owner-ids self --filters "Name=tag:KubernetesCluster,Values=$cluster_name" |
    jq -r '.Snapshots[] | "EBS snapshot \(.SnapshotId) of \(.VolumeId) (\(first(.Tags[]? | select(.Key == "CSIVolumeSnapshotName") | .Value) // "no VolumeSnapshotContent")): a backup"' >>"$work/kept"
}

# print_list prints a heading and the lines of a file, indented; nothing for an empty file.
print_list() {
  [ -s "$2" ] || return 0
  echo "$1"
  sed 's/^/  - /' "$2"
}

# cleanup_objects lists the Kubernetes objects --cleanup deletes, in the order it deletes them,
# as "<kind> <namespace> <name>": Ingresses and Services of type LoadBalancer (the load balancer
# controller then deletes their load balancers, target groups and security groups); the claims
# of Delete PersistentVolumes (the CSI driver then deletes their volumes), preceded by the
# StatefulSets whose pods mount them, which would otherwise create the claims again; and the other
# pods that mount them, since a claim in use is not released (kubernetes.io/pvc-protection).
# Nothing in the protected namespaces.
cleanup_objects() {
  local protected services ingresses claims pods delete_pvs
  protected=$(protected_namespaces_json)
  ingresses=$(kube get ingresses --all-namespaces -o json)
  services=$(kube get services --all-namespaces -o json)
  claims=$(kube get persistentvolumeclaims --all-namespaces -o json)
  pods=$(kube get pods --all-namespaces -o json)
  delete_pvs=$(kube get persistentvolumes -o json | jq -c '[.items[] | select(.spec.persistentVolumeReclaimPolicy == "Delete") | .metadata.name]')
  jq -rn --argjson protected "$protected" --argjson ingresses "$ingresses" --argjson services "$services" \
    --argjson claims "$claims" --argjson pods "$pods" --argjson deletePVs "$delete_pvs" '
    def outside: select(.metadata.namespace | IN($protected[]) | not);
    def id: "\(.metadata.namespace) \(.metadata.name)";
    ([$claims.items[] | outside | select(.spec.volumeName != null and (.spec.volumeName | IN($deletePVs[]))) | id]) as $claimIds
    | ([$pods.items[] | outside | . as $pod
        | select(any(.spec.volumes[]?; .persistentVolumeClaim.claimName != null
            and ("\($pod.metadata.namespace) \(.persistentVolumeClaim.claimName)" | IN($claimIds[]))))]) as $mounting
    | ([$ingresses.items[] | outside | "ingress \(id)"]
       + [$services.items[] | outside | select(.spec.type == "LoadBalancer") | "service \(id)"]
       + ([$mounting[] | . as $pod | .metadata.ownerReferences[]? | select(.kind == "StatefulSet") | "statefulset \($pod.metadata.namespace) \(.name)"] | unique)
       + [$claimIds[] | "persistentvolumeclaim \(.)"]
       + [$mounting[] | select(any(.metadata.ownerReferences[]?; .kind == "StatefulSet") | not) | "pod \(id)"])[]
  '
}

# prod_protection_lifted stops --cleanup on a prod stack unless the protection is lifted: the
# operator says so (EKS_PLATFORM_LIFT_PROTECTION=<stack>), and the state holds no protected
# resource any more (`pulumi state unprotect --all`). Otherwise --cleanup would delete prod's
# load balancers and volumes, and then pulumi destroy would refuse the protected resources and
# leave the stack half gone. Resources with retainOnDelete (the Velero bucket) stay retained.
prod_protection_lifted() {
  local protected_count
  protected_count=$("$pulumi" stack export "${on_stack[@]}" | jq '[.deployment.resources[]? | select(.protect == true)] | length') ||
    die "cannot read the state of stack $stack (pulumi stack export)"
  if [ "$protected_count" != 0 ]; then
    die "stack $stack still protects $protected_count resources: --cleanup runs only after the protection is lifted (pulumi state unprotect --all --stack $stack, in a reviewed change)"
  fi
}

# destroy_stack checks for leftovers, optionally cleans them up, and destroys the stack.
destroy_stack() {
  local cleanup=$1 deadline kind namespace name
  work_dir
  read_outputs
  [ -n "$vpc_id" ] || die "stack $stack has no vpcId output: cannot check the VPC for leftovers"
  if [ "$cleanup" = true ] && [ "$environment" = prod ]; then
    prod_protection_lifted
  fi
  aws eks update-kubeconfig --region "$region" --name "$cluster_name" --kubeconfig "$work/kubeconfig" >/dev/null 2>"$work/aws.err" ||
    die "cannot write a kubeconfig for cluster $cluster_name: $(last_error_line)"

  scan_leftovers
  print_list "kept, never deleted here (billed until you delete them yourself):" "$work/kept"
  if [ -s "$work/removable" ] || [ -s "$work/manual" ]; then
    if [ "$cleanup" != true ]; then
      {
        echo "error: stack $stack: the cluster's controllers left resources that Pulumi does not own; nothing was deleted"
        print_list "deleted by --cleanup (through the Kubernetes objects that own them):" "$work/removable"
        print_list "delete yourself (no Kubernetes object outside the protected namespaces owns them):" "$work/manual"
        if [ -s "$work/removable" ]; then
          echo "delete their Ingresses, LoadBalancer Services and claims, or rerun: scripts/stack.sh destroy $stack --cleanup"
        fi
      } >&2
      exit 1
    fi
    if [ -s "$work/manual" ]; then
      {
        echo "error: stack $stack: --cleanup cannot remove these, so it deleted nothing:"
        sed 's/^/  - /' "$work/manual"
      } >&2
      exit 1
    fi
    cleanup_objects >"$work/objects"
    while read -r kind namespace name; do
      echo "deleting $kind $namespace/$name"
      kube delete "$kind" "$name" --namespace "$namespace" --wait=false >/dev/null
    done <"$work/objects"
    deadline=$((SECONDS + ${EKS_PLATFORM_CLEANUP_TIMEOUT_SECONDS:-1200}))
    while :; do
      scan_leftovers
      if [ ! -s "$work/removable" ] && [ ! -s "$work/manual" ]; then break; fi
      if ((SECONDS >= deadline)); then
        {
          echo "error: stack $stack: after ${EKS_PLATFORM_CLEANUP_TIMEOUT_SECONDS:-1200}s these still exist; nothing of the stack was destroyed:"
          sed 's/^/  - /' "$work/removable" "$work/manual"
        } >&2
        exit 1
      fi
      sleep "${EKS_PLATFORM_CLEANUP_POLL_SECONDS:-15}"
    done
    echo "the cluster's controllers removed what they had created"
  fi
  "$pulumi" destroy "${on_stack[@]}" --yes
}

# --- add-on builds before up --------------------------------------------------------------------

# check_addon_builds stops `up` before Pulumi touches anything when EKS does not offer one of the
# stack's add-on builds (the catalogue's pin for its kubernetesVersion, or the stack file's
# override) for that minor in the stack's region. The catalogue's builds come from public sources
# (confirmed: false); without this, the first deploy would learn it from CreateAddon, after the
# control plane exists. A stack file without kubernetesVersion is left to the program, which
# refuses it by name.
check_addon_builds() {
  local catalogue="$root/catalogue/versions.json" minor addon key pin source listed missing=()
  minor=$(stack_config_value kubernetesVersion)
  [ -n "$minor" ] || return 0
  [ -f "$catalogue" ] || die "catalogue/versions.json not found in $root: it holds the add-on pins per Kubernetes version"
  command -v jq >/dev/null 2>&1 || die "jq not found on PATH: up reads the catalogue and the AWS CLI's JSON answers with it; install jq"
  work_dir
  for addon in "${addon_config_keys[@]}"; do
    key=${addon#*=}
    addon=${addon%%=*}
    pin=$(stack_config_value "$key")
    source="Pulumi.$stack.yaml $key"
    if [ -z "$pin" ]; then
      pin=$(jq -r --arg m "$minor" --arg a "$addon" '.kubernetes[$m].addons[$a].value // empty' "$catalogue")
      source="catalogue/versions.json"
    fi
    [ -n "$pin" ] || continue # a minor without pins is refused by the program, naming the key
    listed=$(aws_json eks describe-addon-versions --addon-name "$addon" --kubernetes-version "$minor" |
      jq -r --arg pin "$pin" '[.addons[].addonVersions[].addonVersion] | index($pin) != null')
    [ "$listed" = true ] || missing+=("$addon $pin ($source)")
  done
  if ((${#missing[@]} > 0)); then
    {
      echo "error: stack $stack: EKS offers no such build for Kubernetes $minor in $region (aws eks describe-addon-versions); nothing was changed:"
      printf '  - %s\n' "${missing[@]}"
      echo "Pin a build it lists, in catalogue/versions.json (with source and date) or in the stack file (README \"Add-on versions\")."
    } >&2
    exit 1
  fi
  echo "add-on builds for Kubernetes $minor: all six offered by EKS in $region"
}

# --- upgrade-check ------------------------------------------------------------------------------

# upgrade_check prints a go/no-go for moving the stack's cluster to Kubernetes <target>: every
# check runs and prints "ok:", "BLOCKER:" or "note:" lines; any blocker makes it exit 1.
upgrade_check() {
  local target=$1 catalogue="$root/catalogue/versions.json" today blockers=0
  local entry cluster current status nodegroups group version addon key pin override available
  local insights id acknowledged groups_json
  block() { echo "BLOCKER: $*"; blockers=$((blockers + 1)); }
  work_dir
  [ -f "$catalogue" ] || die "catalogue/versions.json not found in $root: it holds the add-on pins and support dates per Kubernetes version"
  today=${EKS_PLATFORM_TODAY:-$(date -u +%F)}
  [[ "$today" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "EKS_PLATFORM_TODAY=$today: must be a date YYYY-MM-DD"
  read_outputs
  echo "upgrade-check: stack $stack, cluster $cluster_name, target Kubernetes $target, date $today"

  # The catalogue's entry for the target: support window and add-on pins.
  entry=$(jq -c --arg t "$target" '.kubernetes[$t] // empty' "$catalogue")
  if [ -z "$entry" ]; then
    block "Kubernetes $target is not in catalogue/versions.json: add its release and support dates and its add-on pins first"
    entry='{}'
  else
    local released end_standard
    released=$(jq -r '.released.value // empty' <<<"$entry")
    end_standard=$(jq -r '.endOfStandardSupport.value // empty' <<<"$entry")
    if [ -z "$released" ] || [ -z "$end_standard" ]; then
      block "catalogue/versions.json has no released/endOfStandardSupport date for Kubernetes $target"
    elif [[ "$today" < "$released" ]]; then
      block "Kubernetes $target is not released on EKS until $released"
    elif [[ "$today" < "$end_standard" ]]; then
      echo "ok: Kubernetes $target is in standard support until $end_standard"
    else
      # EKS moves one minor at a time: a target past standard support is still the right step
      # when a later minor in standard support, and not blocked, follows it (1.33 -> 1.34 -> ...).
      local later
      later=$(jq -r --arg t "$target" --arg today "$today" '
        .kubernetes | to_entries
        | map(select((.key | split(".") | map(tonumber)) > ($t | split(".") | map(tonumber))
                     and .value.released.value <= $today and .value.endOfStandardSupport.value > $today
                     and ((.value.blocked // []) | length) == 0))
        | sort_by(.key | split(".") | map(tonumber)) | first | .key // empty' "$catalogue")
      if [ -n "$later" ]; then
        echo "note: Kubernetes $target left standard support on $end_standard; it is an intermediate step: continue to $later without stopping"
      else
        block "Kubernetes $target left standard support on $end_standard and no later minor in the catalogue is in standard support: add one to catalogue/versions.json"
      fi
    fi
  fi

  # Control plane and node groups. EKS updates the control plane one minor version at a time,
  # and only when the managed and Fargate nodes already run the control plane's current minor
  # (EKS User Guide, "Update existing cluster to new Kubernetes version",
  # docs.aws.amazon.com/eks/latest/userguide/update-cluster.html).
  # Upstream's skew policy lets a kubelet lag kube-apiserver by up to three minors and never lead
  # it (kubernetes.io/releases/version-skew-policy/#kubelet); EKS's rule is the stricter one.
  cluster=$(aws_json eks describe-cluster --name "$cluster_name")
  current=$(jq -r '.cluster.version' <<<"$cluster")
  status=$(jq -r '.cluster.status' <<<"$cluster")
  [ "$status" = ACTIVE ] || block "cluster $cluster_name is $status, not ACTIVE: wait for the running operation to finish"
  if [ "${target%%.*}" != "${current%%.*}" ] || ((10#${target#*.} != 10#${current#*.} + 1)); then
    block "the control plane runs $current: EKS upgrades one minor version at a time, so the next target is ${current%%.*}.$((10#${current#*.} + 1)), not $target"
  else
    echo "ok: the control plane runs $current, one minor below $target"
  fi
  # Not a process substitution: a failed listing must stop the check, not look like no groups.
  groups_json=$(aws_json eks list-nodegroups --cluster-name "$cluster_name")
  mapfile -t nodegroups < <(jq -r '.nodegroups[]' <<<"$groups_json")
  for group in "${nodegroups[@]}"; do
    version=$(aws_json eks describe-nodegroup --cluster-name "$cluster_name" --nodegroup-name "$group" | jq -r '.nodegroup.version')
    if [ "$version" = "$current" ]; then
      echo "ok: node group $group runs $version"
    else
      block "node group $group runs $version, the control plane $current: bring the node groups to $current (scripts/stack.sh up) before the control plane moves"
    fi
  done

  # A pin the target needs that does not exist yet (issue 21): the catalogue names it, with what
  # is missing and where that was read; each one blocks.
  local blocker blocked_pins=" "
  while IFS=$'\t' read -r pin blocker; do
    [ -n "$pin" ] || continue
    block "Kubernetes $target needs a $pin pin that does not exist yet: $blocker (catalogue/versions.json \"blocked\")"
    blocked_pins+="$pin "
  done < <(jq -r '.blocked[]? | [.pin, "\(.missing) (\(.source), read \(.readOn))"] | @tsv' <<<"$entry")

  # Every add-on pin of the catalogue for the target has an EKS build for it, and no stack file
  # overrides a pin with another version.
  for addon in "${addon_config_keys[@]}"; do
    key=${addon#*=}
    addon=${addon%%=*}
    pin=$(jq -r --arg a "$addon" '.addons[$a].value // empty' <<<"$entry")
    if [ "$entry" = '{}' ] || [[ "$blocked_pins" == *" $addon "* ]]; then
      : # the missing catalogue entry, or the blocked pin, is one blocker already
    elif [ -z "$pin" ]; then
      block "catalogue/versions.json pins no $addon version for Kubernetes $target"
    else
      available=$(aws_json eks describe-addon-versions --addon-name "$addon" --kubernetes-version "$target" |
        jq -r --arg pin "$pin" '[.addons[].addonVersions[].addonVersion] | index($pin) != null')
      if [ "$available" = true ]; then
        echo "ok: add-on $addon $pin is built for Kubernetes $target"
      else
        block "add-on $addon $pin (catalogue pin for $target) is not listed by aws eks describe-addon-versions --kubernetes-version $target"
      fi
    fi
    override=$(stack_config_value "$key")
    if [ -n "$override" ] && [ "$override" != "$pin" ]; then
      block "Pulumi.$stack.yaml sets eks-platform:$key: $override: update it to ${pin:-a build for $target} or remove it"
    fi
  done

  # EKS upgrade insights for the target. ERROR blocks. WARNING (and UNKNOWN, not yet evaluated)
  # blocks too unless acknowledged by ID in EKS_PLATFORM_ACK_INSIGHTS: a regulated change needs a
  # deliberate, recorded decision to upgrade over a known warning.
  insights=$(aws_json eks list-insights --cluster-name "$cluster_name" \
    --filter "{\"categories\":[\"UPGRADE_READINESS\"],\"kubernetesVersions\":[\"$target\"]}")
  if [ "$(jq '.insights | length' <<<"$insights")" = 0 ]; then
    echo "note: EKS reports no upgrade insights for $target"
  fi
  while IFS=$'\t' read -r id status; do
    acknowledged=false
    case ",${EKS_PLATFORM_ACK_INSIGHTS:-}," in *",$id,"*) acknowledged=true ;; esac
    aws_json eks describe-insight --cluster-name "$cluster_name" --id "$id" >"$work/insight.json"
    local summary
    summary=$(jq -r '.insight | "insight \(.name) (\(.id)): \(.insightStatus.status): \(.insightStatus.reason // "")"' "$work/insight.json")
    if [ "$status" = ERROR ] || [ "$acknowledged" = false ]; then
      block "$summary"
    else
      echo "note: acknowledged (EKS_PLATFORM_ACK_INSIGHTS) $summary"
    fi
    jq -r '.insight | (.recommendation // empty | "  recommendation: \(.)"),
      (.categorySpecificSummary.deprecationDetails[]?
        | "  \(.usage) stops being served in \(.stopServingVersion); use \(.replacedWith // "nothing")"
          + ([.clientStats[]? | "\(.userAgent) (\(.numberOfRequestsLast30Days) requests in 30 days)"] | if length > 0 then "; called by " + join(", ") else "" end)),
      (.resources[]? | "  resource \(.kubernetesResourceUri // .arn): \(.insightStatus.status)")' "$work/insight.json"
  done < <(jq -r '.insights[] | select(.insightStatus.status != "PASSING") | [.id, .insightStatus.status] | @tsv' <<<"$insights")

  if ((blockers > 0)); then
    echo "NO-GO: $blockers blocker(s) for upgrading stack $stack to Kubernetes $target"
    exit 1
  fi
  echo "GO: stack $stack can be upgraded to Kubernetes $target"
}
