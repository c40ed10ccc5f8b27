# shellcheck shell=bash
# Source me (bash or zsh):   source scripts/pulumi-env.sh
# Puts the toolchain built by scripts/toolchain.sh first on PATH and sets the
# Pulumi environment for offline use. Returns non-zero (without exiting your
# shell) and says what to run if something is missing.

_pe_root="$(cd "$(dirname "${BASH_SOURCE[0]:-${(%):-%x}}")/.." && pwd)"
_pe_tc="$_pe_root/.toolchain"

case ":$PATH:" in
  *":$_pe_tc/bin:"*) ;;
  *) export PATH="$_pe_tc/bin:$PATH" ;;
esac
export PULUMI_HOME="${PULUMI_HOME:-$_pe_tc/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

_pe_missing=()
command -v pulumi >/dev/null 2>&1 || _pe_missing+=("pulumi (CLI, expected at $_pe_tc/bin/pulumi)")
command -v pulumi-language-nodejs >/dev/null 2>&1 ||
  _pe_missing+=("pulumi-language-nodejs (Node.js language host, expected at $_pe_tc/bin/pulumi-language-nodejs)")
_pe_k8s="$(node -p "require('$_pe_root/package.json').dependencies['@pulumi/kubernetes']" 2>/dev/null)"
[ -x "$PULUMI_HOME/plugins/resource-kubernetes-v$_pe_k8s/pulumi-resource-kubernetes" ] ||
  _pe_missing+=("pulumi-resource-kubernetes v$_pe_k8s (provider plugin, expected in $PULUMI_HOME/plugins/resource-kubernetes-v$_pe_k8s/)")

if [ "${#_pe_missing[@]}" -gt 0 ]; then
  for _pe_m in "${_pe_missing[@]}"; do
    echo "pulumi-env: missing $_pe_m" >&2
  done
  echo "pulumi-env: install it with:  bash scripts/toolchain.sh   (from $_pe_root)" >&2
  unset _pe_root _pe_tc _pe_missing _pe_m _pe_k8s
  return 1 2>/dev/null || exit 1
fi
unset _pe_root _pe_tc _pe_missing _pe_m _pe_k8s
