#!/usr/bin/env bash
# Builds the Pod Security Standards reference checker (test/tools/pod-security-checker:
# k8s.io/pod-security-admission's policy evaluator behind a small JSON CLI, the
# reference the pack's PSS rules are checked against) into
# .toolchain/bin/pod-security-checker, at the versions pinned in its go.mod.
# Idempotent: does nothing when the binary of these sources is already there.
# Usage: scripts/pod-security-checker.sh   (prints the binary's path)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/tools/pod-security-checker"
bin_dir="$root/.toolchain/bin"
bin="$bin_dir/pod-security-checker"
stamp="$bin.version"

if ! command -v go >/dev/null 2>&1; then
  echo "pod-security-checker.sh: Go is not installed (needed to build pod-security-checker)" >&2
  exit 1
fi

export GOFLAGS="${GOFLAGS:-} -mod=readonly"

# The stamp is the library version plus a hash of the checker's own sources, so an edit
# to main.go rebuilds too.
version="$(cd "$mod" && go list -m -f '{{.Version}}' k8s.io/pod-security-admission)"
sources="$(cat "$mod/go.mod" "$mod/go.sum" "$mod"/*.go | sha256sum | cut -c1-16)"
want="$version $sources"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
echo "pod-security-checker.sh: building k8s.io/pod-security-admission $version checker" >&2
(cd "$mod" && go build -trimpath -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
echo "$want" >"$stamp"
echo "$bin"
