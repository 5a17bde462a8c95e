#!/usr/bin/env bash
# Builds the deployable contract wasm, reproducibly (the sha256 is recorded in README.md and checked by
# scripts/wasmd.sh, hence by CI). Uses Debian's rustc-web 1.96 toolchain (apt packages rustc-web cargo-web
# rust-web-src rust-web-llvm lld-22; scripts/wasmd.sh installs them), never rustup's:
#  - target-cpu=mvp with std rebuilt (-Zbuild-std, allowed on a stable compiler by RUSTC_BOOTSTRAP=1): Rust
#    1.82+ emits reference-types and 1.87+ bulk-memory instructions by default, and wasmvm 2.2 (wasmd 0.54)
#    refuses such code at store time ("bulk memory support is not enabled"); a prebuilt std has them too.
#  - --allow-undefined: since Rust 1.96 wasm-ld no longer accepts the host imports (db_read, …) silently.
#  - --remap-path-prefix: panic locations embed source paths; remapped, the bytes do not depend on where
#    the clone or the cargo registry lives.
# Output: $CARGO_TARGET_DIR (default contracts/cosmwasm/target)/wasm32-unknown-unknown/release/evmore_htlc.wasm
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
here=$(pwd)
for tool in /usr/bin/rustc /usr/bin/cargo; do
  [ -x "$tool" ] || { echo "build-wasm.sh: $tool missing: run scripts/wasmd.sh (installs rustc-web cargo-web rust-web-src rust-web-llvm lld-22)" >&2; exit 1; }
done
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
RUSTFLAGS="-C target-cpu=mvp -C link-arg=-s -C link-arg=--allow-undefined --remap-path-prefix=$here=/evmore --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo" \
  /usr/bin/cargo build --release --locked --lib --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort
out="${CARGO_TARGET_DIR:-$here/target}/wasm32-unknown-unknown/release/evmore_htlc.wasm"
if command -v wasm-validate >/dev/null; then
  wasm-validate --disable-bulk-memory --disable-reference-types --disable-simd "$out"
  echo "wasm-validate: no bulk-memory, reference-types or SIMD instructions"
fi
if command -v cosmwasm-check >/dev/null; then
  cosmwasm-check "$out"
fi
sha256sum "$out"
