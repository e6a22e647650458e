# shellcheck shell=bash disable=SC2154 # root, stack and stack_file are set by scripts/stack.sh
# The deployer check of scripts/stack.sh (issue 19): before any backend or cloud call, the machine
# it runs on must be able to reach the stack's Kubernetes API, or `up` would stall about 15
# minutes in, at the first Kubernetes object. Reachable means, as config validation and the
# engine stub's model define it (README "The deployer's path to the API"):
#   - an address inside one of eks-platform:deployerCidrs (config guarantees those are routed to
#     the VPC, or are inside it, or, with a public endpoint, inside publicAccessCidrs); or
#   - eks-platform:endpointPublicAccess true and an address inside eks-platform:publicAccessCidrs.
# The addresses are EKS_PLATFORM_DEPLOYER_ADDRESS (space- or comma-separated) when set; else this
# machine's own (hostname -I) and, for a public endpoint, the address AWS sees it from
# (https://checkip.amazonaws.com). Expects stack, stack_file and root from stack.sh.

# stack_config_text prints the text of eks-platform:<key> in the stack file, or else the default
# of that key in Pulumi.yaml, without quotes or a trailing comment; lists stay in their inline form
# [a, b].
stack_config_text() {
  local value
  value=$(awk -v key="eks-platform:$1:" '
    /^config:/ { in_config = 1; next }
    /^[^[:space:]#]/ { in_config = 0 }
    in_config && $1 == key { sub(/^[^:]*:[^:]*:[[:space:]]*/, ""); sub(/[[:space:]]+#.*$/, ""); print; exit }
  ' "$stack_file")
  if [ -z "$value" ] && [ -f "$root/Pulumi.yaml" ]; then
    value=$(awk -v key="eks-platform:$1:" '
      /^config:/ { in_config = 1; next }
      /^[^[:space:]#]/ { in_config = 0 }
      in_config && $1 == key { found = 1; next }
      found && /^  [^ ]/ { exit }
      found && $1 == "default:" { sub(/^[[:space:]]*default:[[:space:]]*/, ""); print; exit }
    ' "$root/Pulumi.yaml")
  fi
  value=${value//\"/}
  printf '%s\n' "${value//\'/}"
}

# stack_config_list prints the items of an inline list key, one per line.
stack_config_list() {
  local text
  text=$(stack_config_text "$1")
  text=${text#[}
  text=${text%]}
  printf '%s\n' "$text" | awk -F, '{ for (i = 1; i <= NF; i++) { gsub(/[[:space:]]/, "", $i); if ($i != "") print $i } }'
}

# ipv4_number prints a dotted IPv4 address as a number; fails for anything else.
ipv4_number() {
  local IFS=. octets
  # shellcheck disable=SC2206
  octets=($1)
  [[ "$1" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  for octet in "${octets[@]}"; do ((10#$octet <= 255)) || return 1; done
  echo $(((10#${octets[0]} << 24) + (10#${octets[1]} << 16) + (10#${octets[2]} << 8) + 10#${octets[3]}))
}

# cidr_contains <cidr> <address> succeeds when the IPv4 address lies inside the CIDR.
cidr_contains() {
  local network bits address mask
  network=$(ipv4_number "${1%/*}") || return 1
  bits=${1#*/}
  [[ "$bits" =~ ^[0-9]+$ ]] && ((bits <= 32)) || return 1
  address=$(ipv4_number "$2") || return 1
  mask=$(((0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF))
  (((network & mask) == (address & mask)))
}

# deployer_addresses prints the addresses the check judges, one per line.
deployer_addresses() {
  local public=$1
  if [ -n "${EKS_PLATFORM_DEPLOYER_ADDRESS:-}" ]; then
    printf '%s\n' "${EKS_PLATFORM_DEPLOYER_ADDRESS//,/ }" | awk '{ for (i = 1; i <= NF; i++) print $i }'
    return
  fi
  if command -v hostname >/dev/null 2>&1; then
    hostname -I 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) print $i }'
  fi
  if [ "$public" = true ] && command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 https://checkip.amazonaws.com 2>/dev/null | awk '/^[0-9.]+$/ { print }'
  fi
}

check_deployer_reach() {
  local public cidrs=() deployer=() addresses=() address cidr allowed
  public=$(stack_config_text endpointPublicAccess)
  mapfile -t deployer < <(stack_config_list deployerCidrs)
  if [ "$public" = true ]; then
    mapfile -t cidrs < <(stack_config_list publicAccessCidrs)
  fi
  mapfile -t addresses < <(deployer_addresses "$public")
  if [ ${#addresses[@]} -eq 0 ]; then
    local tried="no address from hostname -I"
    [ "$public" != true ] || tried="$tried, no answer from https://checkip.amazonaws.com"
    die "cannot tell where this machine reaches stack $stack's Kubernetes API from ($tried): set EKS_PLATFORM_DEPLOYER_ADDRESS to its address"
  fi
  for address in "${addresses[@]}"; do
    for cidr in "${deployer[@]}" "${cidrs[@]}"; do
      if cidr_contains "$cidr" "$address"; then return 0; fi
    done
  done
  if [ "$public" = true ]; then
    allowed="the public endpoint admits [$(IFS=,; echo "${cidrs[*]}")] (eks-platform:publicAccessCidrs) and the private path [$(IFS=,; echo "${deployer[*]}")] (eks-platform:deployerCidrs)"
  else
    allowed="the API endpoint is private-only and admits only the deployer networks [$(IFS=,; echo "${deployer[*]}")] (eks-platform:deployerCidrs)"
  fi
  die "this machine ($(IFS=,; echo "${addresses[*]}")) cannot reach stack $stack's Kubernetes API: $allowed in Pulumi.$stack.yaml; run from a declared deployer network, or declare this one"
}
