#!/usr/bin/env bash
# Exports the pinned Helm charts that fixtures.json records into a fixture root, and prints each
# one's digest, so the chart tests of this module can run (issue 13). The chart sources are never
# committed here: a steering session places them as data in the steering repo's shared/charts/,
# which CI finds at <clone>/../shared/charts; locally, point EKS_PLATFORM_CHART_FIXTURES at the
# output directory.
#
# usage: tests/charts/fixtures.sh REPOS_DIR OUT_DIR
#   REPOS_DIR holds one git directory per source repository, as the fetch tool lays them out:
#             REPOS_DIR/<owner>+<name>/repo (bare is fine); the release tags must be present.
#   OUT_DIR   receives OUT_DIR/<chart>-<version>/, the chart directory at its release tag.
#
# The digest is the SHA-256 of the `sha256sum` listing of the chart's files sorted by path
# (charts.DirDigest). The script fails when a tag does not point at the recorded commit or an
# exported directory's digest differs from fixtures.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repos="${1:?usage: fixtures.sh REPOS_DIR OUT_DIR}"
out="${2:?usage: fixtures.sh REPOS_DIR OUT_DIR}"
mkdir -p "$out"

digest() {
  (cd "$1" && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | awk '{print "sha256:" $1}')
}

# export_checked writes directory $3 of commit $2 in git directory $1 to $4, prints its digest
# under the label $5 and compares it with the recorded digest $6.
export_checked() {
  local git=$1 commit=$2 path=$3 dir=$4 label=$5 want=$6 got
  rm -rf "$dir" && mkdir -p "$dir"
  git -C "$git" archive --format=tar "$commit:$path" | tar -x -C "$dir"
  got=$(digest "$dir")
  echo "$label $got"
  if [ "$got" != "$want" ]; then
    echo "$label: digest $got, fixtures.json records $want" >&2
    status=1
  fi
}

status=0
while IFS=$'\t' read -r name version repository tag commit path want crd_path crd_want; do
  git="$repos/${repository/\//+}/repo"
  dir="$out/$name-$version"
  got_commit=$(git -C "$git" rev-parse "$tag^{commit}")
  if [ "$got_commit" != "$commit" ]; then
    echo "$name $version: tag $tag of $repository is $got_commit, fixtures.json records $commit" >&2
    status=1
    continue
  fi
  export_checked "$git" "$commit" "$path" "$dir" "$name $version" "$want"
  if [ -n "$crd_path" ]; then
    # The chart's packaging generates its CRD templates from this directory (Fixture.CRDPath).
    export_checked "$git" "$commit" "$crd_path" "$dir-crds" "$name $version CRDs" "$crd_want"
  fi
done < <(jq -r '.charts[] | [.name, .version, .repository, .tag, .commit, .path, .digest, (.crdPath // ""), (.crdDigest // "")] | @tsv' "$here/fixtures.json")
exit "$status"
