#!/usr/bin/env bash
# Builds Prometheus' promtool (`promtool check rules` and `promtool test rules`, which the
# alert suites run against the PrometheusRules the program generates) from the Go module
# proxy, at the version pinned in test/tools/promtool/go.mod, into .toolchain/bin/promtool.
# Idempotent: does nothing when the binary of that version is already there.
# Usage: scripts/promtool.sh   (prints the binary's path)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/tools/promtool"
bin_dir="$root/.toolchain/bin"
bin="$bin_dir/promtool"
stamp="$bin.version"

if ! command -v go >/dev/null 2>&1; then
  echo "promtool.sh: Go is not installed (needed to build promtool)" >&2
  exit 1
fi
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

# The stamp is the Prometheus version plus a hash of the wrapper's go.mod and go.sum, so a
# changed dependency pin rebuilds too.
version="$(cd "$mod" && go list -m -f '{{.Version}}' github.com/prometheus/prometheus)"
want="$version $(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
echo "promtool.sh: building github.com/prometheus/prometheus/cmd/promtool $version (takes several minutes)" >&2
(cd "$mod" && go build -trimpath -o "$bin.tmp" github.com/prometheus/prometheus/cmd/promtool)
mv "$bin.tmp" "$bin"
echo "$want" >"$stamp"
echo "$bin"
