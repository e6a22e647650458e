#!/usr/bin/env bash
# Writes fluent-bit-properties.json: the configuration properties Fluent Bit accepts in each
# section the platform's fluent-bit.conf uses, read from the Fluent Bit sources at the given tags
# (issue 21: aws-for-fluent-bit 3.x ships Fluent Bit 4.x). A plugin's properties are its
# config_map entries plus the ones every input, filter or output takes (src/flb_input.c,
# flb_filter.c, flb_output.c: their config maps and the keys flb_*_set_property checks by name);
# the service's are the FLB_CONF_* names of include/fluent-bit/flb_config.h. Multiline parsers
# are the built-in ones of src/multiline.
#
# Usage: fluent-bit-properties.sh <fluent-bit git directory> <tag>... > fluent-bit-properties.json
set -euo pipefail
repo=$1
shift
names() { # <tag> <file>...: the property names the files declare, lower-case, one per line
  local tag=$1
  shift
  for f in "$@"; do
    git -C "$repo" show "$tag:$f" |
      grep -oE 'FLB_CONFIG_MAP_[A-Z_]+[[:space:]]*,[[:space:]]*"[^"]+"|prop_key_check\("[^"]+"' |
      sed -E 's/.*"([^"]+)"$/\1/; s/.*"([^"]+)"/\1/'
  done | tr 'A-Z' 'a-z' | sort -u
}
list() { paste -sd, - | sed 's/\([^,]*\)/"\1"/g'; }
echo "{"
first=1
for tag in "$@"; do
  commit=$(git -C "$repo" rev-list -n 1 "$tag")
  [ "$first" = 1 ] || echo ","
  first=0
  service=$(git -C "$repo" show "$tag:include/fluent-bit/flb_config.h" |
    sed -nE 's/^#define FLB_CONF_(STR|STORAGE)_[A-Z_]+[[:space:]]+"([^"]+)".*/\2/p' | tr 'A-Z' 'a-z' | sort -u | list)
  parsers=$(git -C "$repo" ls-tree --name-only "$tag" src/multiline/ |
    sed -nE 's|src/multiline/flb_ml_parser_([a-z0-9_]+)\.c|\1|p' | sort -u | list)
  printf '  "%s": {\n    "source": "fluent/fluent-bit %s (commit %s)",\n' "$tag" "$tag" "${commit:0:12}"
  printf '    "SERVICE": [%s],\n' "$service"
  printf '    "multilineParsers": [%s],\n' "$parsers"
  printf '    "INPUT tail": [%s],\n' "$(names "$tag" plugins/in_tail/tail.c src/flb_input.c | list)"
  printf '    "INPUT systemd": [%s],\n' "$(names "$tag" plugins/in_systemd/systemd.c src/flb_input.c | list)"
  printf '    "FILTER kubernetes": [%s],\n' "$(names "$tag" plugins/filter_kubernetes/kubernetes.c src/flb_filter.c | list)"
  printf '    "OUTPUT cloudwatch_logs": [%s]\n  }' "$(names "$tag" plugins/out_cloudwatch_logs/cloudwatch_logs.c src/flb_output.c | list)"
done
echo
echo "}"
