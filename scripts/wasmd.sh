#!/usr/bin/env bash
# Installs and builds what the real-chain tests need, caching every output so a second run takes seconds:
#   1. Debian's rustc-web toolchain (apt) for the wasm build;
#   2. the contract's wasm (contracts/cosmwasm), built reproducibly and checked against the sha256 in
#      contracts/cosmwasm/README.md;
#   3. the wasmd binary, built from the Go module proxy;
#   4. (scripts/wasmd-ibc.sh) wasmd with packet-forward middleware and IBC hooks, and the Hermes IBC relayer.
# Outputs live OUTSIDE the checkout, so every clone on this machine (CI's clean clones included) reuses them:
# ${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/wasmd/
#   wasmd-<version>/bin/wasmd, wasmd-<version>/lib/libwasmvm.x86_64.so   the node and the VM library it loads
#   wasmd-<version>/src                                                 writable copy of the module (build dir)
#   wasm-<key>/evmore_htlc.wasm, wasm-<key>/evmore_htlc.wasm.sha256     the contract, keyed by its inputs
#   wasm-target/                                                        cargo target dir of the wasm build
# and, in the checkout (gitignored): tools/wasmd/env   WASMD_BIN= / WASMD_WASM= for the tests
# Usage: scripts/wasmd.sh [--check-only]   (--check-only: fail unless everything is already built)
set -euo pipefail
EVMORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/wasmd"
ENV_DIR="$EVMORE_ROOT/tools/wasmd"
WASMD_VERSION="${WASMD_VERSION:-v0.54.9}"
# wasmd 0.54.9's go.sum pins github.com/bytedance/sonic v1.14.0 (an indirect dependency of the SDK), which
# does not build with Go 1.26 (sonic reaches into runtime internals per Go release); v1.15.5 does. We bump only
# that module (go get also moves sonic/loader 0.3.0 => 0.5.3, cloudwego/base64x 0.1.5 => 0.1.6 and adds
# bytedance/gopkg 0.1.3) rather than download and run a second, older Go toolchain (GOTOOLCHAIN=go1.23.x, ~70 MB
# more and its own cold build cache): sonic is a JSON codec none of the paths the tests use (CometBFT RPC, ABCI,
# wasmvm) depend on, and this node is a test fixture, never a validator. With a Go 1.23-1.25 toolchain, set
# WASMD_SONIC= (empty) to build the release's go.sum unchanged.
WASMD_SONIC="${WASMD_SONIC-v1.15.5}"
APT_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
check_only=false
[ "${1:-}" = "--check-only" ] && check_only=true

log() { echo "wasmd.sh: $*" >&2; }
now() { date +%s; }
t0=$(now)
mkdir -p "$CACHE" "$ENV_DIR"

# ---------------------------------------------------------------------------------------------------
# 1. Debian's Rust toolchain for wasm (replaces Debian's `rustc`, leaves rustup's ~/.cargo/bin alone)
# ---------------------------------------------------------------------------------------------------
DEB_RUSTC=/usr/bin/rustc
apt_missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || apt_missing+=("$p")
done
if [ ${#apt_missing[@]} -gt 0 ]; then
  $check_only && { log "missing apt packages ${apt_missing[*]}: run scripts/wasmd.sh (or ./evmore wasmd-setup)"; exit 1; }
  log "apt-get install ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi
t_apt=$(now)

# ---------------------------------------------------------------------------------------------------
# 2. The contract's wasm
# ---------------------------------------------------------------------------------------------------
CONTRACT="$EVMORE_ROOT/contracts/cosmwasm"
expected_sha=$(sed -n 's/^.*wasm sha256: `\([0-9a-f]\{64\}\)`.*$/\1/p' "$CONTRACT/README.md" | head -n1)
# Key = every input of the build: sources, manifest, lock file, compiler version, flags.
rustc_version=$("$DEB_RUSTC" --version 2>/dev/null || echo none)
# The recipe (flags and why) is contracts/cosmwasm/build-wasm.sh; it is part of the key.
wasm_key=$( { echo "$rustc_version"; cd "$CONTRACT" && find build-wasm.sh Cargo.toml Cargo.lock src -type f | LC_ALL=C sort | xargs sha256sum; } \
  | sha256sum | cut -c1-16)
WASM_DIR="$CACHE/wasm-$wasm_key"
WASM="$WASM_DIR/evmore_htlc.wasm"
if [ -f "$WASM" ] && [ "$(cat "$WASM_DIR/key" 2>/dev/null)" = "$wasm_key" ]; then
  log "wasm up to date ($WASM)"
else
  $check_only && { log "contract wasm missing or stale: run scripts/wasmd.sh (or ./evmore wasmd-setup)"; exit 1; }
  log "building the contract wasm with $rustc_version (about 2 minutes cold)"
  mkdir -p "$WASM_DIR"
  CARGO_TARGET_DIR="$CACHE/wasm-target" "$CONTRACT/build-wasm.sh" >&2
  cp "$CACHE/wasm-target/wasm32-unknown-unknown/release/evmore_htlc.wasm" "$WASM.tmp"
  mv "$WASM.tmp" "$WASM"
  echo "$wasm_key" > "$WASM_DIR/key"
fi
actual_sha=$(sha256sum "$WASM" | cut -d' ' -f1)
echo "$actual_sha" > "$WASM.sha256"
# A mismatch fails the script, but only at the end, so one run still builds everything.
sha_error=""
if [ -z "$expected_sha" ]; then
  sha_error="no 'wasm sha256: \`…\`' line in contracts/cosmwasm/README.md; built $actual_sha"
elif [ "$actual_sha" != "$expected_sha" ]; then
  sha_error="the wasm is not the one contracts/cosmwasm/README.md records: built $actual_sha, README says $expected_sha (a changed contract or compiler: update the README line after reviewing why)"
else
  log "wasm sha256 $actual_sha matches the README"
fi
t_wasm=$(now)

# ---------------------------------------------------------------------------------------------------
# 3. wasmd from the Go module proxy
# ---------------------------------------------------------------------------------------------------
WASMD_HOME="$CACHE/wasmd-$WASMD_VERSION${WASMD_SONIC:+-sonic-$WASMD_SONIC}"
WASMD_BIN="$WASMD_HOME/bin/wasmd"
if [ -x "$WASMD_BIN" ] && [ -f "$WASMD_HOME/lib/libwasmvm.x86_64.so" ] && \
   LD_LIBRARY_PATH="$WASMD_HOME/lib" "$WASMD_BIN" version >/dev/null 2>&1; then
  log "wasmd up to date ($WASMD_BIN)"
else
  $check_only && { log "wasmd missing: run scripts/wasmd.sh (or ./evmore wasmd-setup)"; exit 1; }
  command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
  command -v go >/dev/null 2>&1 || { log "Go not found (needs Go 1.23+ with the module proxy reachable)"; exit 1; }
  log "building wasmd $WASMD_VERSION with $(go version) (about 5 minutes cold on 2 cores)"
  # `go install …@version` is refused (wasmd's go.mod has replace directives) and its root command is in
  # package main, so: download the module, build in a writable copy of it.
  mod_dir=$(go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod_dir" ] || { log "go mod download gave no module directory"; exit 1; }
  rm -rf "$WASMD_HOME/src" "$WASMD_HOME/bin" "$WASMD_HOME/lib"
  mkdir -p "$WASMD_HOME/bin" "$WASMD_HOME/lib"
  cp -r "$mod_dir" "$WASMD_HOME/src"
  chmod -R u+w "$WASMD_HOME/src"
  (
    cd "$WASMD_HOME/src"
    export GOFLAGS="-mod=mod -buildvcs=false"
    if [ -n "$WASMD_SONIC" ]; then go get "github.com/bytedance/sonic@$WASMD_SONIC"; fi
    go build -o "$WASMD_HOME/bin/wasmd.tmp" ./cmd/wasmd
  )
  # The binary loads libwasmvm from the wasmvm module directory (cgo rpath); keep a copy next to it so the
  # tests can point LD_LIBRARY_PATH there even if the module cache is cleaned.
  vm_dir=$(cd "$WASMD_HOME/src" && go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v2)
  cp "$vm_dir/internal/api/libwasmvm.x86_64.so" "$WASMD_HOME/lib/"
  mv "$WASMD_HOME/bin/wasmd.tmp" "$WASMD_BIN"
  LD_LIBRARY_PATH="$WASMD_HOME/lib" "$WASMD_BIN" version >/dev/null
fi
t_wasmd=$(now)

cat > "$ENV_DIR/env.tmp" <<EOF
WASMD_BIN=$WASMD_BIN
WASMD_LIB=$WASMD_HOME/lib
WASMD_WASM=$WASM
WASMD_WASM_SHA256=$actual_sha
EOF
mv "$ENV_DIR/env.tmp" "$ENV_DIR/env"
log "ready in $((t_wasmd - t0)) s (apt $((t_apt - t0)) s, wasm $((t_wasm - t_apt)) s, wasmd $((t_wasmd - t_wasm)) s): $ENV_DIR/env -> $CACHE"
# 4. the multi-hop tools: wasmd with packet-forward and IBC hooks (the project's patch), and Hermes; they append
#    WASMD_IBC_BIN=, WASMD_IBC_LIB=, HERMES_BIN= to tools/wasmd/env and print their own times.
if $check_only; then "$EVMORE_ROOT/scripts/wasmd-ibc.sh" --check-only; else "$EVMORE_ROOT/scripts/wasmd-ibc.sh"; fi
if [ -n "$sha_error" ]; then log "$sha_error"; exit 1; fi
