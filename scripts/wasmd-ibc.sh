#!/usr/bin/env bash
# Builds what the multi-hop real-chain tests need on top of scripts/wasmd.sh (which calls this script):
#   1. a PATCHED wasmd: wasmd with packet-forward-middleware and ibc-hooks wired into its transfer stack
#      (hooks over PFM over transfer). The wiring is the project's own patch, scripts/wasmd-ibc/app.go.patch,
#      applied to wasmd's app/app.go; the modules come from the Go module proxy at pinned versions.
#   2. Hermes (the IBC relayer) from the Rust crate registry (`cargo install ibc-relayer-cli`).
# Outputs live outside the checkout, keyed by version (and for wasmd by the patch's hash), so every clone reuses them:
# ${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/
#   wasmd/wasmd-ibc-<key>/bin/wasmd, …/lib/libwasmvm.x86_64.so    the patched node (about 6 minutes cold on 2 cores)
#   hermes-<version>/bin/hermes                                    Hermes (about 7.5 minutes cold on 2 cores)
# and appends WASMD_IBC_BIN=, WASMD_IBC_LIB=, HERMES_BIN= to tools/wasmd/env (written by scripts/wasmd.sh).
# Prints each tool's set-up time. Usage: scripts/wasmd-ibc.sh [--check-only]
set -euo pipefail
EVMORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}"
CACHE="$CACHE_ROOT/wasmd"
ENV_FILE="$EVMORE_ROOT/tools/wasmd/env"
WASMD_VERSION="${WASMD_VERSION:-v0.54.9}"
WASMD_SONIC="${WASMD_SONIC-v1.15.5}"   # see scripts/wasmd.sh: Go 1.26 needs this sonic
PFM_VERSION=v8.2.0      # github.com/cosmos/ibc-apps/middleware/packet-forward-middleware/v8 (served, but not listed)
HOOKS_VERSION=v8.0.0    # github.com/cosmos/ibc-apps/modules/ibc-hooks/v8
HERMES_VERSION=1.10.5   # 1.11+ cannot be built offline-ish (a build script downloads files); 1.10 speaks SDK 0.50
PATCH="$EVMORE_ROOT/scripts/wasmd-ibc/app.go.patch"
check_only=false
[ "${1:-}" = "--check-only" ] && check_only=true
log() { echo "wasmd-ibc.sh: $*" >&2; }
now() { date +%s; }
mkdir -p "$CACHE"

# ---------------------------------------------------------------------------------------------------
# 1. the patched wasmd
# ---------------------------------------------------------------------------------------------------
t0=$(now)
key=$( { echo "$WASMD_VERSION $WASMD_SONIC $PFM_VERSION $HOOKS_VERSION"; cat "$PATCH"; } | sha256sum | cut -c1-16)
IBC_HOME="$CACHE/wasmd-ibc-$key"
IBC_BIN="$IBC_HOME/bin/wasmd"
if [ -x "$IBC_BIN" ] && [ -f "$IBC_HOME/lib/libwasmvm.x86_64.so" ] && \
   LD_LIBRARY_PATH="$IBC_HOME/lib" "$IBC_BIN" version >/dev/null 2>&1; then
  log "patched wasmd up to date ($IBC_BIN)"
else
  $check_only && { log "patched wasmd missing: run scripts/wasmd.sh (or ./evmore wasmd-setup)"; exit 1; }
  command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
  command -v go >/dev/null 2>&1 || { log "Go not found (needs Go 1.23+ with the module proxy reachable)"; exit 1; }
  log "building wasmd $WASMD_VERSION + PFM $PFM_VERSION + ibc-hooks $HOOKS_VERSION (about 6 minutes cold on 2 cores)"
  mod_dir=$(go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod_dir" ] || { log "go mod download gave no module directory"; exit 1; }
  rm -rf "$IBC_HOME"
  mkdir -p "$IBC_HOME/bin" "$IBC_HOME/lib"
  cp -r "$mod_dir" "$IBC_HOME/src"
  chmod -R u+w "$IBC_HOME/src"
  (
    cd "$IBC_HOME/src"
    export GOFLAGS="-mod=mod -buildvcs=false"
    patch -p1 --no-backup-if-mismatch < "$PATCH" >&2
    if [ -n "$WASMD_SONIC" ]; then go get "github.com/bytedance/sonic@$WASMD_SONIC"; fi
    go get "github.com/cosmos/ibc-apps/middleware/packet-forward-middleware/v8@$PFM_VERSION" \
           "github.com/cosmos/ibc-apps/modules/ibc-hooks/v8@$HOOKS_VERSION"
    go build -o "$IBC_HOME/bin/wasmd.tmp" ./cmd/wasmd
  )
  vm_dir=$(cd "$IBC_HOME/src" && go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v2)
  cp "$vm_dir/internal/api/libwasmvm.x86_64.so" "$IBC_HOME/lib/"
  mv "$IBC_HOME/bin/wasmd.tmp" "$IBC_BIN"
  LD_LIBRARY_PATH="$IBC_HOME/lib" "$IBC_BIN" version >/dev/null
fi
t_wasmd=$(now)
log "patched wasmd ready in $((t_wasmd - t0)) s"

# ---------------------------------------------------------------------------------------------------
# 2. Hermes
# ---------------------------------------------------------------------------------------------------
HERMES_HOME="$CACHE_ROOT/hermes-$HERMES_VERSION"
HERMES_BIN="$HERMES_HOME/bin/hermes"
if [ -x "$HERMES_BIN" ] && "$HERMES_BIN" version 2>/dev/null | grep -q "$HERMES_VERSION"; then
  log "hermes up to date ($HERMES_BIN)"
else
  $check_only && { log "hermes missing: run scripts/wasmd.sh (or ./evmore wasmd-setup)"; exit 1; }
  command -v cargo >/dev/null 2>&1 || { [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"; }
  command -v cargo >/dev/null 2>&1 || { log "cargo not found (rustup's toolchain is needed to build hermes)"; exit 1; }
  log "building hermes $HERMES_VERSION with cargo install (about 7.5 minutes cold on 2 cores)"
  mkdir -p "$HERMES_HOME"
  # --locked: the crate's own Cargo.lock, so the build is the one released
  cargo install "ibc-relayer-cli@$HERMES_VERSION" --locked --bin hermes --root "$HERMES_HOME" >&2
  "$HERMES_BIN" version >/dev/null
fi
t_hermes=$(now)
log "hermes ready in $((t_hermes - t_wasmd)) s"

if [ -f "$ENV_FILE" ]; then
  grep -v '^WASMD_IBC_BIN=\|^WASMD_IBC_LIB=\|^HERMES_BIN=' "$ENV_FILE" > "$ENV_FILE.tmp" || true
  cat >> "$ENV_FILE.tmp" <<ENV
WASMD_IBC_BIN=$IBC_BIN
WASMD_IBC_LIB=$IBC_HOME/lib
HERMES_BIN=$HERMES_BIN
ENV
  mv "$ENV_FILE.tmp" "$ENV_FILE"
fi
