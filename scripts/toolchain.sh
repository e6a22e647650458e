#!/usr/bin/env bash
# Builds the pinned delivery toolchain from the Go module proxy into the git-ignored bin/:
#   bin/pulumi              the Pulumi CLI                       (tools/pulumi/go.mod)
#   bin/pulumi-language-go  the Go language host the CLI runs    (tools/language-go/go.mod)
#   bin/actionlint          the GitHub Actions workflow linter   (tools/actionlint/go.mod)
# Versions live only in those tools modules (Go `tool` directives), so the program's go.mod stays
# lean. Every module's go.sum is committed: builds run with -mod=readonly and never need the
# checksum database (which has no entry for some Pulumi versions; see tools/README.md).
#
# Binaries are built once per content of tools/*/go.{mod,sum}, this script and the Go version,
# kept in ${XDG_CACHE_HOME:-$HOME/.cache}/eks-platform/toolchain/<key>/ and symlinked into bin/,
# so later runs on the same machine (CI included) restore them in a second.
#
# Usage: scripts/toolchain.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(repo_root)

pulumi_version=$(pinned_pulumi_version "$root")
# The language host is a pseudo-version of the pulumi repository built against sdk/v3 at this
# version; it reports that version to the CLI.
language_host_version=$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { print $2; exit }' \
  "$root/tools/language-go/go.mod")
# Without this the CLI reports an empty version (and the language host an invalid one).
version_var=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

# binary | tools module | package | linker flags
tools=(
  "pulumi|tools/pulumi|github.com/pulumi/pulumi/pkg/v3/cmd/pulumi|-X $version_var=$pulumi_version"
  "pulumi-language-go|tools/language-go|github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3|-X $version_var=$language_host_version"
  "actionlint|tools/actionlint|github.com/rhysd/actionlint/cmd/actionlint|"
)

cache_key=$(
  cd "$root"
  {
    go env GOVERSION GOOS GOARCH
    cat scripts/toolchain.sh tools/*/go.mod tools/*/go.sum
  } | sha256sum | cut -c1-16
)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/eks-platform/toolchain"
cache_dir="$cache_root/$cache_key"
mkdir -p "$cache_dir" "$root/bin"
touch "$cache_dir"
# Toolchains of other pins (about 300 MB each) go when unused for 30 days.
find "$cache_root" -mindepth 1 -maxdepth 1 -type d -mtime +30 ! -name "$cache_key" -exec rm -rf {} +

for entry in "${tools[@]}"; do
  IFS='|' read -r binary module package ldflags <<<"$entry"
  if [ -x "$cache_dir/$binary" ]; then
    echo "toolchain: $binary restored from $cache_dir"
  else
    echo "toolchain: building $binary from $module (cold: the Pulumi CLI takes 10-20 min on 2 cores)"
    started=$SECONDS
    partial="$cache_dir/.$binary.$$"
    # nice: the build must not starve other work on a shared machine.
    (cd "$root/$module" && nice -n 19 go build -mod=readonly -ldflags "$ldflags" -o "$partial" "$package")
    mv -f "$partial" "$cache_dir/$binary"
    echo "toolchain: built $binary in $((SECONDS - started))s"
  fi
  ln -sfn "$cache_dir/$binary" "$root/bin/$binary"
done

"$root/bin/pulumi" version
"$root/bin/actionlint" -version | head -n 1
