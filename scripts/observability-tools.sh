#!/usr/bin/env bash
# Installs what the monitoring tests need, cached so a second run takes about a second:
#   1. Prometheus 2.42 with promtool and Alertmanager with amtool (Debian's packages, apt);
#   2. obscheck (tools/obscheck): grafana-foundation-sdk's strict dashboard check and compose-go's Compose-file
#      check (the Compose specification's JSON schema), built from the Go module proxy at the versions in go.mod.
# Outputs live OUTSIDE the checkout, so every clone on this machine (CI's clean clones included) reuses them:
# ${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/
#   prometheus-<version>/bin/{prometheus,promtool,alertmanager,amtool}   copies of the apt binaries
#   obscheck-<key>/obscheck                                              keyed by go.mod, go.sum and main.go
# and, in the checkout (gitignored): tools/observability/env   PROMETHEUS= PROMTOOL= ALERTMANAGER= AMTOOL= OBSCHECK=
# The tests read that file; without it they fail naming this script.
# Usage: scripts/observability-tools.sh [--check-only]
set -euo pipefail
EVMORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}"
ENV_DIR="$EVMORE_ROOT/tools/observability"
PROMETHEUS_VERSION=2.42   # Debian 12's prometheus package (2.42.0+ds); alertmanager 0.25
check_only=false
[ "${1:-}" = "--check-only" ] && check_only=true

log() { echo "observability-tools.sh: $*" >&2; }
now() { date +%s; }
t0=$(now)
mkdir -p "$CACHE" "$ENV_DIR"

# 1. Prometheus, promtool, Alertmanager, amtool -------------------------------------------------------
PROM_DIR="$CACHE/prometheus-$PROMETHEUS_VERSION/bin"
have_prom() {
  [ -x "$PROM_DIR/prometheus" ] && [ -x "$PROM_DIR/promtool" ] && [ -x "$PROM_DIR/alertmanager" ] && [ -x "$PROM_DIR/amtool" ] \
    && "$PROM_DIR/promtool" --version 2>&1 | grep -q "version $PROMETHEUS_VERSION\."
}
if ! have_prom; then
  $check_only && { log "Prometheus $PROMETHEUS_VERSION is not set up: run scripts/observability-tools.sh"; exit 1; }
  if ! { command -v promtool && command -v prometheus-alertmanager && promtool --version 2>&1 | grep -q "version $PROMETHEUS_VERSION\."; } >/dev/null 2>&1; then
    log "apt-get install prometheus prometheus-alertmanager"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    # The packages' maintainer scripts would start the daemons (9090, 9093) where an init system runs: tell
    # invoke-rc.d not to, for this install only. The tests start their own on free ports.
    policy=/usr/sbin/policy-rc.d
    made_policy=false
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && made_policy=true
    fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
    $made_policy && $SUDO rm -f "$policy"
  fi
  mkdir -p "$PROM_DIR"
  cp "$(command -v prometheus)" "$PROM_DIR/prometheus"
  cp "$(command -v promtool)" "$PROM_DIR/promtool"
  cp "$(command -v prometheus-alertmanager)" "$PROM_DIR/alertmanager"
  cp "$(command -v amtool)" "$PROM_DIR/amtool"
  have_prom || { log "promtool in $PROM_DIR is not version $PROMETHEUS_VERSION: $("$PROM_DIR/promtool" --version 2>&1 | head -n1)"; exit 1; }
fi
t_prom=$(now)

# jq and sqlite3: the runbook's commands use them (ObservabilityIT runs every bash block of docs/RUNBOOK.md)
if ! command -v jq >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
  $check_only && { log "jq or sqlite3 is missing: run scripts/observability-tools.sh"; exit 1; }
  log "apt-get install jq sqlite3"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends jq sqlite3 >/dev/null \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends jq sqlite3 >/dev/null; }
fi

# 2. obscheck -----------------------------------------------------------------------------------------
SRC="$EVMORE_ROOT/tools/obscheck"
key=$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)
OBS_DIR="$CACHE/obscheck-$key"
if [ ! -x "$OBS_DIR/obscheck" ]; then
  $check_only && { log "obscheck is not built: run scripts/observability-tools.sh"; exit 1; }
  command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null 2>&1 || { log "Go is needed to build tools/obscheck (go.mod names the version)"; exit 1; }
  log "building obscheck (grafana-foundation-sdk, compose-go) into $OBS_DIR"
  mkdir -p "$OBS_DIR"
  (cd "$SRC" && GOFLAGS=-mod=readonly go build -trimpath -o "$OBS_DIR/obscheck.tmp" .)
  mv "$OBS_DIR/obscheck.tmp" "$OBS_DIR/obscheck"
fi
t_obs=$(now)

cat > "$ENV_DIR/env.tmp" <<ENV
PROMETHEUS=$PROM_DIR/prometheus
PROMTOOL=$PROM_DIR/promtool
ALERTMANAGER=$PROM_DIR/alertmanager
AMTOOL=$PROM_DIR/amtool
OBSCHECK=$OBS_DIR/obscheck
ENV
mv "$ENV_DIR/env.tmp" "$ENV_DIR/env"
log "ready in $((t_obs - t0)) s (prometheus $((t_prom - t0)) s, obscheck $((t_obs - t_prom)) s): $ENV_DIR/env"
