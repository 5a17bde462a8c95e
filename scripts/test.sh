#!/usr/bin/env bash
# Runs every test: the CosmWasm contract (cargo test), then the Java build with unit and integration
# tests (mvn verify). Installs the pinned Node.js tools first. Real chains and databases are started by
# the tests themselves on 127.0.0.1.
set -euo pipefail
EVMORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EVMORE_ROOT
. "$EVMORE_ROOT/scripts/lib.sh"
evmore_find_jdk
evmore_node_tools

if [ -f "$EVMORE_ROOT/contracts/cosmwasm/Cargo.toml" ]; then
  echo "== cargo test (contracts/cosmwasm)"
  (cd "$EVMORE_ROOT/contracts/cosmwasm" && cargo test --locked)
fi

echo "== mvn verify"
cd "$EVMORE_ROOT"
exec mvn -B -ntp verify "$@"
