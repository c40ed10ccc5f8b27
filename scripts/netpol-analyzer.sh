#!/usr/bin/env bash
# Builds np-guard's netpol-analyzer (the reference the reachability analyser is checked
# against) from the Go module proxy, at the version pinned in
# test/tools/netpol-analyzer/go.mod, into .toolchain/bin/netpol-analyzer.
# Idempotent: does nothing when the binary of that version is already there.
# Usage: scripts/netpol-analyzer.sh   (prints the binary's path)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/tools/netpol-analyzer"
bin_dir="$root/.toolchain/bin"
bin="$bin_dir/netpol-analyzer"
stamp="$bin.version"

if ! command -v go >/dev/null 2>&1; then
  echo "netpol-analyzer.sh: Go is not installed (needed to build netpol-analyzer)" >&2
  exit 1
fi

# go.sum pins every module's hash; np-guard's own modules are not all in the public
# checksum database, so don't ask it about them (go.sum still verifies them).
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/np-guard"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

version="$(cd "$mod" && go list -m -f '{{.Version}}' github.com/np-guard/netpol-analyzer)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
echo "netpol-analyzer.sh: building github.com/np-guard/netpol-analyzer $version (takes a few minutes)" >&2
(cd "$mod" && go build -trimpath -o "$bin.tmp" github.com/np-guard/netpol-analyzer/cmd/netpolicy)
mv "$bin.tmp" "$bin"
echo "$version" >"$stamp"
echo "$bin"
