#!/usr/bin/env bash
# Runs every test: the CosmWasm contract (cargo test), then the Java build with unit and integration
# tests (mvn verify, which also runs the direct-swap end-to-end tests against a real wasmd chain). Installs what the tests
# need first: the pinned Node.js tools, wasmd with the contract's wasm (scripts/wasmd.sh, cached outside the checkout in
# ~/.cache/evmore/wasmd), and OpenBao and moto for the secrets tests (scripts/secrets-servers.sh, cached by version).
# Real chains and databases are started by the tests themselves on 127.0.0.1.
set -euo pipefail
EVMORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EVMORE_ROOT
. "$EVMORE_ROOT/scripts/lib.sh"
evmore_find_jdk
evmore_node_tools

# The real wasmd chain, the patched wasmd (packet-forward, IBC hooks) and Hermes for the multi-hop tests, and the
# contract's wasm (its sha256 is checked against contracts/cosmwasm/README.md). Seconds when cached; the tests fail,
# never skip, without them.
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
echo "== wasmd and the contract's wasm (scripts/wasmd.sh)"
"$EVMORE_ROOT/scripts/wasmd.sh"

# The real secret servers the secrets tests start (OpenBao's bao, moto_server), cached outside the checkout by version.
# Seconds when cached; the tests fail, never skip, without them.
echo "== OpenBao and moto (scripts/secrets-servers.sh)"
"$EVMORE_ROOT/scripts/secrets-servers.sh"

# Prometheus, promtool, Alertmanager (apt) and obscheck (strict Grafana dashboard and Compose-file checks, Go), cached
# outside the checkout. Seconds when cached; the monitoring tests fail, never skip, without them.
echo "== Prometheus, Alertmanager and obscheck (scripts/observability-tools.sh)"
"$EVMORE_ROOT/scripts/observability-tools.sh"

if [ -f "$EVMORE_ROOT/contracts/cosmwasm/Cargo.toml" ]; then
  echo "== cargo test (contracts/cosmwasm)"
  # The build directory lives outside the checkout (like the other tools), so a clean clone on a machine that ran the
  # tests before compiles only what changed instead of every dependency.
  (cd "$EVMORE_ROOT/contracts/cosmwasm" && \
    CARGO_TARGET_DIR="${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}/cargo-test-target" cargo test --locked)
fi

echo "== mvn verify"
cd "$EVMORE_ROOT"
# The real-chain tests (CosmosWasmdIT, DevnetConformanceIT, …) need scripts/wasmd.sh's outputs; without them
# they fail naming the script (never skip).
# The same build also runs DirectSwapIT's first two swaps again with a real wasmd chain in devnet-a's place
# (app's profile direct-swaps-on-wasmd, active unless -Dtest picks tests).
mvn -B -ntp verify "$@"
