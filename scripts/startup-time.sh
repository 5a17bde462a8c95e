#!/usr/bin/env bash
# Start-up time of the relayer: spawn to the first `/health` 200, N times, median (docs/BENCHMARKS.md, "Start-up").
#
#   ./evmore devnet --out /tmp/w &                       # the chains, once (or any running chains and their relayer.yaml)
#   scripts/startup-time.sh /tmp/w/relayer.yaml [N]      # N starts (default 7), each on a fresh embedded database
#
# Each start runs `./evmore run --config COPY` (the launcher, with its JVM options) where COPY is the given relayer.yaml
# with database.path moved to a fresh folder (so every start also creates the database and runs its migrations, as the
# bench's relayer does), and is stopped with SIGTERM once /health answered 200. EVMORE_STARTUP_CMD replaces the
# launcher (e.g. "java -jar app/target/evmore.jar" to leave the launcher's own time and options out).
# EVMORE_STARTUP_SAME_DB=1 measures restarts instead: one database for every start, created by an extra start that is
# not counted, so the counted starts open an existing database (no migrations to run), as every start after an
# operator's first does. (With localChains.enabled the relayer sets a previous run's database aside on every start,
# so there it measures the same as without.)
# Prints one line per start, then the median, minimum and maximum, and `uptime` before and after (the machine's load).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:?usage: scripts/startup-time.sh RELAYER_YAML [N]}"
runs="${2:-7}"
case "$runs" in ''|*[!0-9]*|0) echo "startup-time: N must be a positive number, got '$runs'" >&2; exit 2 ;; esac
[ -f "$config" ] || { echo "startup-time: no such file: $config" >&2; exit 2; }
launcher="${EVMORE_STARTUP_CMD:-$ROOT/evmore}"
port=$(sed -n '/^http:/,/^[^ ]/s/^  port: *\([0-9]*\).*/\1/p' "$config" | head -1)
[ -n "$port" ] || { echo "startup-time: no http.port in $config" >&2; exit 2; }
if curl -s -o /dev/null "http://127.0.0.1:$port/health/live"; then
  echo "startup-time: something already answers on port $port; stop it first" >&2; exit 1
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/evmore-startup.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
echo "load before: $(uptime)"
# The launcher builds on first use: not part of any start-up.
[ -n "${EVMORE_STARTUP_CMD:-}" ] || "$ROOT/evmore" --version >/dev/null
same_db="${EVMORE_STARTUP_SAME_DB:-}"
first=1
if [ -n "$same_db" ]; then
  first=0
  echo "one database for every start: start 0 creates it and is not counted"
fi
times=()
for i in $(seq "$first" "$runs"); do
  dir="$work/run-$i"
  data="$dir/data"
  [ -z "$same_db" ] || data="$work/data"
  mkdir -p "$dir" "$data"
  sed "s#^\(  path: \).*#\1\"$data/evmore.db\"#" "$config" > "$dir/relayer.yaml"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  $launcher run --config "$dir/relayer.yaml" > "$dir/relayer.log" 2>&1 &
  pid=$!
  ready=""
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" 2>/dev/null)" = "200" ]; then
      ready=$(date +%s%N)
      break
    fi
    sleep 0.01
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  if [ -z "$ready" ]; then
    echo "startup-time: start $i exited before /health was 200; its log:" >&2
    tail -20 "$dir/relayer.log" >&2
    exit 1
  fi
  ms=$(( (ready - start) / 1000000 ))
  [ "$i" = 0 ] || times+=("$ms")
  echo "start $i: ${ms} ms$([ "$i" != 0 ] || echo ' (not counted)')"
  [ -z "${EVMORE_STARTUP_KEEP_LOGS:-}" ] || cp "$dir/relayer.log" "${EVMORE_STARTUP_KEEP_LOGS}/relayer-$i.log"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(printf '%s\n' "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}')
echo "median of $runs: ${median} ms (min $(printf '%s\n' "$sorted" | head -1) ms, max $(printf '%s\n' "$sorted" | tail -1) ms)"
echo "load after: $(uptime)"
