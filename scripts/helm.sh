#!/usr/bin/env bash
# Builds the Helm v3 CLI (a test tool: the tests render the real charts with
# `helm template`, without Pulumi) into .toolchain/bin/helm, from the wrapper module
# test/tools/helm, whose requirements copy toolchain/kubernetes/go.mod (the Kubernetes
# provider embeds the same Helm), so the build reuses the provider's compiled packages
# from the Go build cache.
# Idempotent: does nothing when the binary of that version is already there.
# Usage: scripts/helm.sh   (prints the binary's path)
# Env:   HELM_BUILD_JOBS (go build -p; default: Go's own)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/tools/helm"
bin_dir="$root/.toolchain/bin"
bin="$bin_dir/helm"
stamp="$bin.version"

if ! command -v go >/dev/null 2>&1; then
  echo "helm.sh: Go is not installed (needed to build the helm CLI)" >&2
  exit 1
fi
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

version="$(cd "$mod" && go list -m -f '{{.Version}}' helm.sh/helm/v3)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
echo "helm.sh: building helm.sh/helm/v3 $version (minutes on a cold Go cache)" >&2
jobs=()
[[ -n "${HELM_BUILD_JOBS:-}" ]] && jobs=(-p "$HELM_BUILD_JOBS")
# -trimpath as scripts/toolchain.sh builds the provider, so both share cached packages.
# The version variable is what `helm version` prints (Helm's Makefile sets it the same way).
(cd "$mod" && go build "${jobs[@]}" -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
  -o "$bin.tmp" helm.sh/helm/v3/cmd/helm)
mv "$bin.tmp" "$bin"
echo "$version" >"$stamp"
echo "$bin"
