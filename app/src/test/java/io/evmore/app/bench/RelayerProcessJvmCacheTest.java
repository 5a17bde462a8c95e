package io.evmore.app.bench;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's relayer starts with the JVM start-up cache a default {@code ./evmore run} uses (docs/BENCHMARKS.md
 * "Start-up"), so {@code startup_seconds} measures what operators run: the launcher's {@code bench_relayer_cache} names
 * the file {@code run_relayer} records (also when the bench's own JVM has other options) and {@link RelayerProcess#jvmCache}
 * uses it only when it exists and the relayer's options and jar are those it was recorded with. The launcher's
 * functions are taken from the script as written and run by bash with a stand-in {@code java}.
 */
class RelayerProcessJvmCacheTest {
    @TempDir
    Path dir;

    private String bash(Map<String, String> env, String call, String... args) throws Exception {
        String script = Files.readString(ROOT.resolve("evmore"));
        StringBuilder program = new StringBuilder("set -euo pipefail\n");
        for (String fn : List.of("relayer_jvm_opts", "command_jvm_opts", "jvm_cache_file", "run_relayer", "bench_relayer_cache")) {
            Matcher m = Pattern.compile("(?ms)^" + fn + "\\(\\) \\{\n.*?^}\n").matcher(script);
            assertThat(m.find()).as("the launcher defines %s()", fn).isTrue();
            program.append(m.group());
        }
        program.append("mapfile -t JVM_OPTS < <(command_jvm_opts \"${1:-}\")\n").append(call).append('\n');
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of("bash", "-c", program.toString(), "evmore"), Stream.of(args)).toList())
                .redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        for (String k : List.of("EVMORE_JAVA_OPTS", "EVMORE_HEAP_MAX", "EVMORE_JVM_CACHE", "JAVA_TOOL_OPTIONS")) e.remove(k);
        e.put("JAVA_HOME", dir.resolve("jdk").toString());
        e.put("JAR", dir.resolve("evmore.jar").toString());
        e.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        e.putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theBenchsRelayerUsesTheCacheADefaultRunRecordedWhenItsOptionsMatch() throws Exception {
        Path home = Files.createDirectories(dir.resolve("jdk/bin"));
        Files.writeString(dir.resolve("jdk/release"), "JAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\n");
        Path java = home.resolve("java"); // "records" the AOT cache it is asked for
        Files.writeString(java, """
                #!/usr/bin/env bash
                for a in "$@"; do case "$a" in -XX:AOTCacheOutput=*) echo cache > "${a#-XX:AOTCacheOutput=}" ;; esac; done
                """);
        java.toFile().setExecutable(true);
        Path jar = Files.writeString(dir.resolve("evmore.jar"), "not really a jar");
        Map<String, String> benchEnv = Map.of("EVMORE_HEAP_MAX", "3g", "EVMORE_JAVA_OPTS", "-XX:+UseParallelGC");

        Map<String, String> none = env(bash(benchEnv, "bench_relayer_cache; env"));
        assertThat(RelayerProcess.jvmCache(none, "256m", List.of(jar.toString()))).as("no ./evmore run recorded a cache yet").isNull();

        bash(Map.of(), "run_relayer \"$@\"", "run", "--config", "x.yaml");
        Path recorded;
        try (Stream<Path> s = Files.list(dir.resolve("cache/evmore/jvm-cache"))) {
            recorded = s.filter(f -> f.toString().endsWith(".aot")).findFirst().orElseThrow();
        }

        Map<String, String> env = env(bash(benchEnv, "bench_relayer_cache; env"));
        assertThat(RelayerProcess.jvmCache(env, "256m", List.of(jar.toString())))
                .as("the bench's own JVM options do not matter: the relayer's are those of a default run").isEqualTo(recorded);
        assertThat(RelayerProcess.jvmCache(env, "512m", List.of(jar.toString()))).as("another --relayer-heap").isNull();
        assertThat(RelayerProcess.jvmCache(env, "256m", List.of("/x/classes", "/x/lib.jar"))).as("not the jar it was recorded with").isNull();
        assertThat(RelayerProcess.jvmCache(Map.of(), "256m", List.of(jar.toString()))).as("not started by the launcher").isNull();
    }

    private static Map<String, String> env(String out) {
        Map<String, String> env = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return env;
    }
}
