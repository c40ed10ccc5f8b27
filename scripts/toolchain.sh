#!/usr/bin/env bash
# Builds the Pulumi toolchain this project needs from Go modules (no downloads
# from get.pulumi.com / GitHub, which are unreachable here):
#   .toolchain/bin/pulumi                     Pulumi CLI (pkg/v3 cmd/pulumi)
#   .toolchain/bin/pulumi-language-nodejs     our minimal Node.js language host
#   .toolchain/plugins/pulumi-resource-kubernetes   Kubernetes provider plugin
# and installs the provider into $PULUMI_HOME (default .toolchain/pulumi-home).
#
# Idempotent: a stamp file records the pinned versions and a hash of
# toolchain/; when it matches and the binaries exist, nothing is rebuilt.
# Go's module and build caches stay in their default locations, so a rebuild
# after a toolchain/ change is incremental.
#
# Usage: bash scripts/toolchain.sh [--force]
#   then: source scripts/pulumi-env.sh
# Env:   TOOLCHAIN_JOBS (go build -p, default: nproc), PULUMI_HOME.
# See docs/toolchain.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ---- pinned versions (must match package.json) -------------------------------
PULUMI_VERSION="3.248.0"          # @pulumi/pulumi; pulumi/pkg/v3 + sdk/v3
# The plugin version the npm SDK asks the engine for: package.json's @pulumi/kubernetes
# pin, which is the provider release toolchain/kubernetes/go.mod compiles (v4.25.0).
K8S_PLUGIN_VERSION="$(node -p "require('$ROOT/package.json').dependencies['@pulumi/kubernetes']")"
K8S_PROVIDER_MODULE="github.com/pulumi/pulumi-kubernetes/provider/v4"
# The provider source actually compiled is whatever toolchain/kubernetes/go.mod
# requires (read below); today that is the v4.25.0 release commit, the only
# provider/v4 version the Go module proxy serves. See docs/toolchain.md.

TC="$ROOT/.toolchain"
BIN="$TC/bin"
PLUGINS="$TC/plugins"
STAMP="$TC/toolchain.stamp"
export PULUMI_HOME="${PULUMI_HOME:-$TC/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
JOBS="${TOOLCHAIN_JOBS:-$(nproc 2>/dev/null || echo 2)}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "go is not on PATH (need Go >= 1.25.11; /usr/local/go/bin?)"
command -v node >/dev/null || die "node is not on PATH (needed to prepare the provider schema and to run programs)"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
start=$(now)
mkdir -p "$BIN" "$PLUGINS" "$PULUMI_HOME"

# ---- CLI: reuse one already on PATH at the right version ----------------------
EXTERNAL_PULUMI=""
while IFS= read -r candidate; do
  [[ -n "$candidate" && "$(readlink -f "$candidate")" != "$(readlink -f "$BIN/pulumi")" ]] || continue
  if [[ "$("$candidate" version 2>/dev/null || true)" == "v$PULUMI_VERSION" ]]; then
    EXTERNAL_PULUMI="$candidate"
    break
  fi
done < <(type -ap pulumi 2>/dev/null || true)

NEED_CLI=1
NEED_LANGHOST=1
if [[ -n "$EXTERNAL_PULUMI" ]]; then
  NEED_CLI=0
  log "using pulumi v$PULUMI_VERSION already on PATH: $EXTERNAL_PULUMI"
  rm -f "$BIN/pulumi" # a stale copy of ours would shadow it via pulumi-env.sh
  # A normal Pulumi install ships its own language host next to the CLI; the
  # engine prefers one on PATH, so do not shadow it with ours.
  if [[ -x "$(dirname "$(readlink -f "$EXTERNAL_PULUMI")")/pulumi-language-nodejs" ]]; then
    NEED_LANGHOST=0
    log "using the pulumi-language-nodejs bundled with it"
    # Remove a stale copy of ours so it cannot shadow the bundled one.
    rm -f "$BIN/pulumi-language-nodejs"
  fi
fi

# ---- stamp: pinned versions + hash of our sources --------------------------------
src_hash() {
  (cd "$ROOT/toolchain" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) \
     -not -path '*/gen/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
K8S_SRC_VERSION="$(awk -v m="$K8S_PROVIDER_MODULE" '$1==m {print $2} $1=="require" && $2==m {print $3}' \
  "$ROOT/toolchain/kubernetes/go.mod" | head -n1)"
[[ -n "$K8S_SRC_VERSION" ]] || die "cannot read $K8S_PROVIDER_MODULE version from toolchain/kubernetes/go.mod"

WANT_STAMP="pulumi=$PULUMI_VERSION
kubernetes-plugin=$K8S_PLUGIN_VERSION
kubernetes-provider-module=$K8S_PROVIDER_MODULE@$K8S_SRC_VERSION
cli=$([[ $NEED_CLI == 1 ]] && echo built || echo "external:$EXTERNAL_PULUMI")
langhost=$([[ $NEED_LANGHOST == 1 ]] && echo built || echo bundled)
$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)
sources=$(src_hash)"

have_binaries() {
  [[ $NEED_CLI == 0 || -x "$BIN/pulumi" ]] &&
    [[ $NEED_LANGHOST == 0 || -x "$BIN/pulumi-language-nodejs" ]] &&
    [[ -x "$PLUGINS/pulumi-resource-kubernetes" ]]
}

built_something=0
if [[ $FORCE == 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT_STAMP" ]] && have_binaries; then
  log "up to date (stamp $STAMP matches); nothing to build"
else
  rm -f "$STAMP"
  built_something=1
  # -trimpath: reproducible paths; -s -w: no symbol/DWARF tables (smaller
  # binaries, noticeably faster links on 2 cores).
  # -buildvcs=false: no git stamping (needs no git, and commits to this repo
  # do not force a relink).
  GOBUILD=(go build -p "$JOBS" -trimpath -buildvcs=false)
  log "go $(go env GOVERSION), -p $JOBS, GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE)"

  # CLI and language host share one module and one `go build`, so shared
  # packages are compiled once and the two links run in parallel.
  targets=()
  [[ $NEED_CLI == 1 ]] && targets+=(github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  [[ $NEED_LANGHOST == 1 ]] && targets+=(./cmd/pulumi-language-nodejs)
  if ((${#targets[@]})); then
    log "building ${targets[*]} (pulumi v$PULUMI_VERSION; the first build takes several minutes)"
    t0=$(now)
    (cd "$ROOT/toolchain" && "${GOBUILD[@]}" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      -o "$BIN/" "${targets[@]}")
    log "  done in $(since "$t0")"
  fi

  # Kubernetes provider: upstream's main embeds generated files that are not
  # in the module zip, so we generate them (gitignored) and build our main.
  log "building pulumi-resource-kubernetes (plugin v$K8S_PLUGIN_VERSION from $K8S_PROVIDER_MODULE@$K8S_SRC_VERSION)"
  t0=$(now)
  K8S_DIR="$(cd "$ROOT/toolchain/kubernetes" && go mod download -json "$K8S_PROVIDER_MODULE@$K8S_SRC_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -f "$K8S_DIR/cmd/pulumi-resource-kubernetes/schema.json" ]] ||
    die "schema.json not found in the module cache ($K8S_DIR)"
  GEN="$ROOT/toolchain/kubernetes/cmd/pulumi-resource-kubernetes/gen"
  mkdir -p "$GEN"
  # Same as upstream's generate.go: schema with "version" set, both minified.
  node -e '
    const fs = require("fs");
    const [dir, gen, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(dir + "/schema.json", "utf8"));
    schema.version = version;
    fs.writeFileSync(gen + "/schema.json", JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(dir + "/terraform-mapping.json", "utf8"));
    fs.writeFileSync(gen + "/terraform-mapping.json", JSON.stringify(mapping));
  ' "$K8S_DIR/cmd/pulumi-resource-kubernetes" "$GEN" "$K8S_PLUGIN_VERSION"
  (cd "$ROOT/toolchain/kubernetes" && "${GOBUILD[@]}" \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PLUGIN_VERSION -X main.sourceModuleVersion=$K8S_SRC_VERSION" \
    -o "$PLUGINS/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes)
  log "  done in $(since "$t0")"

  # cert-manager (@pulumi/kubernetes-cert-manager 0.2.0): not built, its
  # provider module is not served by the Go module proxy. See docs/toolchain.md.

  printf '%s\n' "$WANT_STAMP" >"$STAMP"
fi

# ---- install the provider into PULUMI_HOME --------------------------------------
PULUMI_CMD="$BIN/pulumi"
[[ $NEED_CLI == 0 ]] && PULUMI_CMD="$EXTERNAL_PULUMI"
installed="$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PLUGIN_VERSION/pulumi-resource-kubernetes"
if [[ -x "$installed" ]] && cmp -s "$installed" "$PLUGINS/pulumi-resource-kubernetes"; then
  log "kubernetes plugin v$K8S_PLUGIN_VERSION already installed in $PULUMI_HOME"
else
  log "installing kubernetes plugin v$K8S_PLUGIN_VERSION into $PULUMI_HOME"
  "$PULUMI_CMD" plugin install resource kubernetes "$K8S_PLUGIN_VERSION" \
    --file "$PLUGINS/pulumi-resource-kubernetes" --reinstall >&2
fi

if [[ $built_something == 1 ]]; then
  log "toolchain build wall time: $(since "$start")"
else
  log "toolchain check wall time: $(since "$start") (cached, nothing built)"
fi
cat >&2 <<EOF
[toolchain] ready. In your shell:
    source scripts/pulumi-env.sh
  or by hand:
    export PATH="$BIN:\$PATH" PULUMI_HOME="$PULUMI_HOME"
    export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
EOF
