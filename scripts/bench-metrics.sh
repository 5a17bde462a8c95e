#!/usr/bin/env bash
# Benchmark of one /metrics scrape (not part of the tests): bytes the relayer allocates per scrape and
# scrapes/s with N concurrent scrapers. Usage: scripts/bench-metrics.sh [clients=20] [scrapesPerClient=500]
# Builds the app module's test classes, then runs io.evmore.app.bench.MetricsScrapeBench with the heap
# ceiling the ./evmore launcher uses by default (override with BENCH_JAVA_OPTS).
set -euo pipefail
EVMORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EVMORE_ROOT
# shellcheck source=scripts/lib.sh
. "$EVMORE_ROOT/scripts/lib.sh"
evmore_find_jdk
cp_file="$EVMORE_ROOT/app/target/bench.classpath"
(cd "$EVMORE_ROOT" && mvn -q -B -pl app -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file" -Dsurefire.failIfNoSpecifiedTests=false) >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${BENCH_JAVA_OPTS:--Xmx768m} \
  -cp "$EVMORE_ROOT/app/target/test-classes:$EVMORE_ROOT/app/target/classes:$(cat "$cp_file")" \
  io.evmore.app.bench.MetricsScrapeBench "$@"
