package io.evmore.app;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JVM start-up cache for {@code ./evmore run} (docs/BENCHMARKS.md "Start-up"): its {@code jvm_cache_file}
 * and {@code run_relayer} functions, taken from the script as written, run by bash with a stand-in {@code java} that
 * records its arguments. The first run records the cache and keeps it only after a normal stop; later runs use it;
 * a failed start, {@code --help}, a JDK before 25 or {@code EVMORE_JVM_CACHE=off} neither make nor use one; SIGTERM to
 * the launcher reaches the recording relayer.
 */
class LauncherJvmCacheTest {
    @TempDir
    Path dir;

    /** A JDK whose java writes its arguments to args.txt, "creates" the AOT cache asked for, then exits FAKE_EXIT. */
    private Path jdk(String runtimeVersion) throws Exception {
        Path home = Files.createDirectories(dir.resolve("jdk-" + runtimeVersion));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"x\"\nJAVA_RUNTIME_VERSION=\"" + runtimeVersion + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, """
                #!/usr/bin/env bash
                printf '%s\\n' "$@" > "$FAKE_DIR/args.txt"
                if [ -n "${FAKE_WAIT_FOR_TERM:-}" ]; then
                  trap 'echo TERM > "$FAKE_DIR/got-term"; stop=1' TERM
                  stop=""
                  while [ -z "$stop" ]; do sleep 0.05; done
                fi
                for a in "$@"; do
                  case "$a" in -XX:AOTCacheOutput=*) echo cache > "${a#-XX:AOTCacheOutput=}"; echo config > "${a#-XX:AOTCacheOutput=}.config" ;; esac
                done
                exit "${FAKE_EXIT:-0}"
                """);
        java.toFile().setExecutable(true);
        return home;
    }

    private record Run(int exit, List<String> javaArgs, String out) {}

    private Process start(Path javaHome, Map<String, String> env, String... args) throws Exception {
        String script = Files.readString(ROOT.resolve("evmore"));
        StringBuilder program = new StringBuilder("set -euo pipefail\n");
        for (String fn : List.of("relayer_jvm_opts", "jvm_cache_file", "run_relayer")) {
            Matcher m = Pattern.compile("(?ms)^" + fn + "\\(\\) \\{\n.*?^}\n").matcher(script);
            assertThat(m.find()).as("the launcher defines %s()", fn).isTrue();
            program.append(m.group());
        }
        program.append("JVM_OPTS=(--enable-native-access=ALL-UNNAMED -Xmx768m)\nrun_relayer \"$@\"\n");
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of("bash", "-c", program.toString(), "evmore"), Stream.of(args)).toList())
                .redirectErrorStream(true);
        Path jar = dir.resolve("evmore.jar");
        if (!Files.exists(jar)) Files.writeString(jar, "not really a jar");
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("JAR", jar.toString());
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().put("FAKE_DIR", dir.toString());
        pb.environment().remove("EVMORE_JAVA_OPTS");
        pb.environment().remove("EVMORE_HEAP_MAX");
        pb.environment().remove("EVMORE_JVM_CACHE");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Files.deleteIfExists(dir.resolve("args.txt"));
        return pb.start();
    }

    private Run finish(Process p) throws Exception {
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Path args = dir.resolve("args.txt");
        return new Run(p.exitValue(), Files.exists(args) ? Files.readAllLines(args) : List.of(), out);
    }

    private Run run(Path javaHome, Map<String, String> env, String... args) throws Exception {
        return finish(start(javaHome, env, args));
    }

    private List<Path> cacheFiles() throws Exception {
        Path d = dir.resolve("cache/evmore/jvm-cache");
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theFirstRunRecordsTheCacheKeptOnlyAfterANormalStopAndLaterRunsUseIt() throws Exception {
        Path jdk25 = jdk("25.0.3+9-LTS");

        Run failed = run(jdk25, Map.of("FAKE_EXIT", "2"), "run", "--config", "x.yaml");
        assertThat(failed.exit()).as(failed.out()).isEqualTo(2);
        assertThat(failed.javaArgs()).anyMatch(a -> a.startsWith("-XX:AOTCacheOutput="));
        assertThat(cacheFiles()).as("a failed start is not kept as the cache").isEmpty();

        Run help = run(jdk25, Map.of(), "run", "--help");
        assertThat(help.javaArgs()).noneMatch(a -> a.startsWith("-XX:AOT")).contains("-jar", "run", "--help");
        assertThat(cacheFiles()).isEmpty();

        Run first = run(jdk25, Map.of(), "run", "--config", "x.yaml");
        assertThat(first.exit()).as(first.out()).isZero();
        assertThat(first.javaArgs()).startsWith("--enable-native-access=ALL-UNNAMED", "-Xmx768m")
                .anyMatch(a -> a.startsWith("-XX:AOTCacheOutput=")).endsWith("-jar", dir.resolve("evmore.jar").toString(), "run", "--config", "x.yaml");
        assertThat(cacheFiles()).as("only the published cache, no recording left").singleElement()
                .satisfies(f -> assertThat(f.getFileName().toString()).matches("relayer-25\\.0\\.3_9-LTS-[0-9a-f]{16}-[0-9]+\\.aot"));
        Path cache = cacheFiles().getFirst();

        Run second = run(jdk25, Map.of(), "run", "--config", "x.yaml");
        assertThat(second.javaArgs()).contains("-XX:AOTCache=" + cache).noneMatch(a -> a.startsWith("-XX:AOTCacheOutput="));

        Run otherOptions = run(jdk25, Map.of("EVMORE_JAVA_OPTS", "-XX:+UseZGC"), "run", "--config", "x.yaml");
        assertThat(otherOptions.javaArgs()).as("other JVM options: another cache").noneMatch(a -> a.equals("-XX:AOTCache=" + cache))
                .anyMatch(a -> a.startsWith("-XX:AOTCacheOutput="));

        Files.writeString(dir.resolve("evmore.jar"), "another jar");
        Run newJar = run(jdk25, Map.of(), "run", "--config", "x.yaml");
        assertThat(newJar.javaArgs()).as("a rebuilt jar: a new cache").noneMatch(a -> a.startsWith("-XX:AOTCache="))
                .anyMatch(a -> a.startsWith("-XX:AOTCacheOutput="));

        for (int i = 0; i < 4; i++) {
            Files.writeString(dir.resolve("evmore.jar"), "rebuilt " + i);
            run(jdk25, Map.of(), "run", "--config", "x.yaml");
            Thread.sleep(1_100); // the files' times order them (1 s resolution on some file systems)
        }
        assertThat(cacheFiles()).as("every rebuilt jar records a new cache: the 4 most recently used stay").hasSize(4)
                .noneMatch(f -> f.equals(cache));

        Run off = run(jdk25, Map.of("EVMORE_JVM_CACHE", "off"), "run", "--config", "x.yaml");
        assertThat(off.javaArgs()).noneMatch(a -> a.startsWith("-XX:AOT"));
        Run jdk21 = run(jdk("21.0.5+11-LTS"), Map.of(), "run", "--config", "x.yaml");
        assertThat(jdk21.javaArgs()).as("no AOT cache before JDK 25").noneMatch(a -> a.startsWith("-XX:AOT"));
    }

    @Test
    void sigtermToTheLauncherStopsTheRecordingRelayerWhichKeepsTheCache() throws Exception {
        Process p = start(jdk("25.0.3+9-LTS"), Map.of("FAKE_WAIT_FOR_TERM", "1"), "run", "--config", "x.yaml");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(dir.resolve("args.txt")) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(dir.resolve("args.txt")).as("the relayer started").exists();
        Thread.sleep(200); // its TERM trap is set right after it wrote its arguments
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        Run r = finish(p);
        assertThat(dir.resolve("got-term")).as("SIGTERM passed on to the relayer").exists();
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(cacheFiles()).singleElement().satisfies(f -> assertThat(f.toString()).endsWith(".aot").doesNotContain("recording"));
    }
}
