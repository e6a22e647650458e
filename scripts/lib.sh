# shellcheck shell=bash
# Shared helpers for the delivery scripts (sourced, not run).

# repo_root prints the directory of this repository's go.mod, found by walking up from the
# sourcing script's own directory, so scripts work from any working directory and paths are
# never built by counting parent directories (STACK_SPEC X4, seed 000 #9).
repo_root() {
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd -P)
  while [ "$dir" != "/" ]; do
    if [ -f "$dir/go.mod" ] && grep -qx 'module github.com/acme/eks-platform' "$dir/go.mod"; then
      echo "$dir"
      return 0
    fi
    dir=$(dirname "$dir")
  done
  echo "error: no go.mod of module github.com/acme/eks-platform above $(dirname "${BASH_SOURCE[1]}")" >&2
  return 1
}

# die prints one line on stderr and exits non-zero: every pre-flight failure is one clear line.
die() {
  echo "error: $*" >&2
  exit 1
}

# pinned_pulumi_version prints the Pulumi CLI version pinned in tools/pulumi/go.mod, the single
# source of truth for the toolchain script, the stack script's version warning and the workflows.
pinned_pulumi_version() {
  awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$1/tools/pulumi/go.mod"
}

# build_guardrails <root> builds the platform's CrossGuard policy pack (guardrails/, issue 22) into
# <root>/bin/eks-platform-guardrails and prints its path. Every preview and up passes it to the
# engine (--policy-pack), so it is built from the checkout being deployed; the Go build cache
# makes a rebuild of unchanged sources a link of a few seconds.
build_guardrails() {
  local binary="$1/bin/eks-platform-guardrails"
  mkdir -p "$1/bin"
  go build -C "$1/guardrails" -mod=readonly -o "$binary" ./cmd/eks-platform-guardrails >&2 ||
    die "the policy pack (guardrails/) does not build; no preview or up runs without it"
  echo "$binary"
}
