#!/usr/bin/env bash
# Shows the policy pack (guardrails/, issue 22) refusing a stack that breaks every rule, through the
# real engine: the pinned CLI (bin/pulumi, scripts/toolchain.sh), a local backend, the stub aws and
# kubernetes providers of tests/engine (no cloud), and guardrails/cmd/broken-stack, a program that
# registers one offending resource per rule by type token (the platform's own config validation
# would refuse such input). The preview must fail, and name every rule of the pack with the
# resource that breaks it. The committed stacks passing the same pack is shown by every engine
# check (scripts/engine.sh), which runs it on each preview and up.
#
# Usage: scripts/guardrails.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(repo_root)
[ -x "$root/bin/pulumi" ] || die "the pinned Pulumi CLI is missing from bin/: run scripts/toolchain.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/eks-platform-guardrails.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/project" "$work/state" "$work/network"
pack=$(build_guardrails "$root")
go build -C "$root/guardrails" -mod=readonly -o "$work/project/broken-stack" ./cmd/broken-stack
go build -C "$root/tests/engine" -mod=readonly -o "$work/bin/engine-stub" ./cmd/engine-stub
for plugin in aws kubernetes; do ln -s engine-stub "$work/bin/pulumi-resource-$plugin"; done
cp "$root/guardrails/testdata/broken-stack/Pulumi.yaml" "$root/guardrails/testdata/broken-stack/Pulumi.broken.yaml" "$work/project/"

unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION KUBECONFIG PULUMI_ACCESS_TOKEN
export PATH="$work/bin:$root/bin:$PATH" PULUMI_HOME="$work/pulumi-home" PULUMI_BACKEND_URL="file://$work/state" \
  PULUMI_CONFIG_PASSPHRASE=guardrails PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true \
  EKS_PLATFORM_STUB_ACCOUNT_ID=111122223333 EKS_PLATFORM_STUB_NETWORK_DIR="$work/network"
cd "$work/project"
pulumi stack init broken --non-interactive >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; die "pulumi stack init failed"; }
if pulumi preview --stack broken --non-interactive --policy-pack "$pack" >"$work/preview.log" 2>&1; then
  cat "$work/preview.log" >&2
  die "the preview of the broken stack passed the policy pack"
fi
# Each rule and the resource that breaks it (cmd/broken-stack), as the engine prints them:
# "- [mandatory]  <rule>  (<type>: <name>)".
expected=(
  "no-public-ingress  (aws:ec2:SecurityGroup: open-to-the-internet)"
  "no-public-ingress  (aws:eks:Cluster: public-config-map-cluster)"
  "encryption-at-rest  (aws:cloudwatch:LogGroup: unencrypted-logs)"
  "encryption-at-rest  (aws:eks:Cluster: public-config-map-cluster)"
  "imdsv2-required  (aws:ec2:LaunchTemplate: imdsv1-nodes)"
  "private-endpoint  (aws:eks:Cluster: public-config-map-cluster)"
  "access-mode-api  (aws:eks:Cluster: public-config-map-cluster)"
  "namespace-pod-security  (kubernetes:core/v1:Namespace: unlabelled-namespace)"
  "no-latest-images  (kubernetes:apps/v1:Deployment: latest-image)"
  "bucket-encryption  (aws:s3:BucketV2: bucket-without-encryption)"
)
missing=0
for violation in "${expected[@]}"; do
  grep -qF -- "- [mandatory]  $violation" "$work/preview.log" || { echo "not refused: $violation" >&2; missing=1; }
done
reported=$(grep -c -- '- \[mandatory\] ' "$work/preview.log" || true)
if [ "$missing" = 1 ] || [ "$reported" != "${#expected[@]}" ]; then
  sed -n '/^Policies:/,$p' "$work/preview.log" >&2
  die "the policy pack reported $reported violations, want exactly the ${#expected[@]} above"
fi
echo "guardrails: the broken stack's preview was refused by every rule (${#expected[@]} violations, each named)"
