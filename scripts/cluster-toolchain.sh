#!/usr/bin/env bash
# Builds the local control plane's binaries from Go modules (no release downloads are
# reachable here) into .toolchain/cluster/bin:
#   kube-apiserver, kube-controller-manager, kube-scheduler   k8s.io/kubernetes (toolchain/cluster)
#   etcd                                                      go.etcd.io/etcd/server/v3 (toolchain/etcd)
#   kwok                                                      sigs.k8s.io/kwok  (toolchain/kwok)
# etcd is the release k8s.io/kubernetes itself pins (v3.6.4 for v1.34.4): Debian's
# etcd 3.4 lacks RequestWatchProgress, so the API server refuses watch-list streams
# (kwok's client asks for them) and its watch cache loses guarantees (docs/local-cluster.md).
#
# Idempotent: a stamp records the module versions, the Go version and a hash of the two
# go.mod/go.sum pairs; when it matches and the binaries exist, nothing is rebuilt. Go's
# module and build caches are the default ones, shared with scripts/toolchain.sh.
#
# Usage: bash scripts/cluster-toolchain.sh [--force]
# Env:   TOOLCHAIN_JOBS (go build -p, default: nproc)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.toolchain/cluster"
BIN="$OUT/bin"
STAMP="$OUT/toolchain.stamp"
JOBS="${TOOLCHAIN_JOBS:-$(nproc 2>/dev/null || echo 2)}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[cluster-toolchain] %s\n' "$*" >&2; }
die() { printf '[cluster-toolchain] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || die "go is not on PATH (need Go >= 1.26; /usr/local/go/bin?)"

# The version every client sees: read from the wrapper module, never typed twice.
mod_version() { (cd "$ROOT/toolchain/$1" && go list -m -f '{{.Version}}' "$2"); }
K8S_VERSION="$(mod_version cluster k8s.io/kubernetes)"
KWOK_VERSION="$(mod_version kwok sigs.k8s.io/kwok)"
ETCD_VERSION="$(mod_version etcd go.etcd.io/etcd/server/v3)"
[[ "$K8S_VERSION" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] ||
  die "toolchain/cluster/go.mod must pin a release of k8s.io/kubernetes (got '$K8S_VERSION')"
K8S_MAJOR="${BASH_REMATCH[1]}"
K8S_MINOR="${BASH_REMATCH[2]}"

src_hash() {
  (cd "$ROOT/toolchain" && sha256sum cluster/go.mod cluster/go.sum cluster/tools.go kwok/go.mod kwok/go.sum kwok/tools.go \
    etcd/go.mod etcd/go.sum etcd/cmd/etcd/main.go |
    sha256sum | cut -d' ' -f1)
}
WANT_STAMP="kubernetes=$K8S_VERSION
kwok=$KWOK_VERSION
etcd=$ETCD_VERSION
$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)
sources=$(src_hash)"

have_binaries() {
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kwok etcd; do [[ -x "$BIN/$b" ]] || return 1; done
}

if [[ $FORCE == 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT_STAMP" ]] && have_binaries; then
  log "up to date ($K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION); nothing to build"
  exit 0
fi

rm -f "$STAMP"
mkdir -p "$BIN"
start=$(now)
GOBUILD=(go build -p "$JOBS" -trimpath -buildvcs=false)

# Without these the binaries report v0.0.0: clients then see no version, and the API
# server's emulation version (which gates its APIs) is derived from it.
vpkg=k8s.io/component-base/version
LDFLAGS="-s -w -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=$K8S_MAJOR -X $vpkg.gitMinor=$K8S_MINOR"
LDFLAGS+=" -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"
log "building kube-apiserver, kube-controller-manager, kube-scheduler $K8S_VERSION (cold caches: ~15-25 min on 2 cores)"
t0=$(now)
(cd "$ROOT/toolchain/cluster" && "${GOBUILD[@]}" -ldflags "$LDFLAGS" -o "$BIN/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
log "  done in $(since "$t0")"

log "building kwok $KWOK_VERSION"
t0=$(now)
(cd "$ROOT/toolchain/kwok" && "${GOBUILD[@]}" \
  -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" -o "$BIN/kwok" sigs.k8s.io/kwok/cmd/kwok)
log "  done in $(since "$t0")"

log "building etcd $ETCD_VERSION"
t0=$(now)
(cd "$ROOT/toolchain/etcd" && "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/etcd" ./cmd/etcd)
log "  done in $(since "$t0")"

printf '%s\n' "$WANT_STAMP" >"$STAMP"
log "cluster toolchain build wall time: $(since "$start")"
