#!/usr/bin/env bash
# Builds the deployable contract wasm with Rust 1.81: newer compilers emit reference-types (1.82+) and
# bulk-memory (1.87+) instructions, which wasmvm 2.2 (wasmd 0.54, our chains) refuses at store time with
# "bulk memory support is not enabled". Cargo.lock is kept resolvable by Rust 1.81 for this reason.
# Optional checks when the tools are installed: wasm-validate (Debian package wabt) and cosmwasm-check 2.2.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
TOOLCHAIN=1.81.0
rustup toolchain install "$TOOLCHAIN" --profile minimal --target wasm32-unknown-unknown
RUSTFLAGS='-C link-arg=-s' cargo +"$TOOLCHAIN" build --release --locked --target wasm32-unknown-unknown --lib
out=target/wasm32-unknown-unknown/release/evmore_htlc.wasm
if command -v wasm-validate >/dev/null; then
  wasm-validate --disable-bulk-memory --disable-reference-types --disable-simd "$out"
  echo "wasm-validate: no bulk-memory, reference-types or SIMD instructions"
fi
if command -v cosmwasm-check >/dev/null; then
  cosmwasm-check "$out"
fi
sha256sum "$out"
