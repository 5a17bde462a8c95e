# syntax=docker/dockerfile:1
# EVMore relayer image: built from this repository in a JDK stage, run as a non-root user on a JRE, with a read-only
# root filesystem (docker-compose.yml: read_only, a tmpfs at /tmp, the only writable place). The relayer keeps no state
# of its own in the container: swaps live in PostgreSQL (DATABASE_URL). Checked by DeploymentFilesTest (the rules
# below) and EntrypointIT (this ENTRYPOINT and CMD, with docker-compose.yml's environment, run against PostgreSQL).

# ---- build: the shaded jar (tests run in CI, not here) -----------------------------------------------------------------
FROM maven:3.9.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl app -am package \
    && cp app/target/evmore.jar /evmore.jar

# ---- run ----------------------------------------------------------------------------------------------------------------
FROM eclipse-temurin:21.0.5_11-jre-noble
RUN groupadd --system --gid 10001 evmore \
    && useradd --system --uid 10001 --gid evmore --home-dir /app --no-create-home --shell /usr/sbin/nologin evmore \
    && mkdir -p /app/config \
    && chmod -R 555 /app
WORKDIR /app
# root-owned and read-only for the relayer user; the configuration is mounted over /app/config (read-only)
COPY --from=build --chmod=0444 /evmore.jar /app/evmore.jar
COPY --chmod=0444 config/production.yaml /app/config/production.yaml
# /tmp: the JVM's and SQLite's native-library scratch space; a tmpfs in docker-compose.yml (the root is read-only).
# The heap ceiling is ./evmore run's (256m: RSS under 512 MB with 10,000 swaps in flight, docs/BENCHMARKS.md) and sits
# here, not in the ENTRYPOINT, so that JAVA_TOOL_OPTIONS="-Xmx1g …" at `docker run` raises it (the command line
# would win over JAVA_TOOL_OPTIONS).
ENV FUSION_ENV=production \
    JAVA_TOOL_OPTIONS="-Xmx256m -Djava.io.tmpdir=/tmp"
VOLUME ["/tmp"]
EXPOSE 3000
USER 10001:10001
# Liveness (the process answers), not readiness: a chain outage makes /health 503 and must not get the relayer
# restarted in the middle of its swaps; alerts watch readiness (EvmoreRelayerNotReady).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3000/health/live"]
# The rest of ./evmore run's JVM options (its relayer_jvm_opts; RelayerJvmOptionsTest holds them equal)
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=60000", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=128m", "-jar", "/app/evmore.jar"]
CMD ["run", "--config", "/app/config/production.yaml"]
