package io.evmore.app.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A relayer the bench starts as in production: a separate JVM ({@code run --config}) on the embedded database. */
final class RelayerProcess {
    private final Process process;
    private final Path log;
    private final int port;
    private final long spawnedAt;
    private final boolean jvmCacheUsed;

    private RelayerProcess(Process process, Path log, int port, long spawnedAt, boolean jvmCacheUsed) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.spawnedAt = spawnedAt;
        this.jvmCacheUsed = jvmCacheUsed;
    }

    static RelayerProcess start(Path dir, Path config, int port, String heap, Path jfr, String name) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // absolute: the relayer runs in its own folder
        List<String> classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).toList();
        Path cache = jvmCache(System.getenv(), heap, classPath);
        cmd.addAll(jvmOptions(System.getenv(), heap));
        if (cache != null) cmd.add("-XX:AOTCache=" + cache);
        if (jfr != null) cmd.add("-XX:StartFlightRecording=filename=" + jfr.toAbsolutePath() + ",settings=profile");
        if (cache != null) {
            cmd.addAll(List.of("-jar", classPath.getFirst())); // as ./evmore run starts it (the cache was recorded so)
        } else {
            cmd.add("-cp");
            cmd.add(String.join(java.io.File.pathSeparator, classPath));
            cmd.add("io.evmore.app.cli.EvmoreCli");
        }
        cmd.addAll(List.of("run", "--config", config.toString()));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        for (String k : List.of("FUSION_ENV", "LOG_LEVEL", "ENABLE_TRACING", "DATABASE_URL", "ADMIN_TOKEN", "ETHEREUM_RPC_URL",
                "COSMOS_RPC_URL", "ETHEREUM_PRIVATE_KEY", "COSMOS_MNEMONIC")) {
            pb.environment().remove(k);
        }
        long at = System.nanoTime();
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new RelayerProcess(p, log, port, at, cache != null);
    }

    /**
     * The JVM options of a default {@code ./evmore run} (the launcher's {@code relayer_jvm_opts}), for when the bench is
     * not started by the launcher; {@code RelayerProcessJvmCacheTest} holds them equal to the launcher's.
     */
    static final List<String> RUN_JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseG1GC",
            "-XX:G1PeriodicGCInterval=60000", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=128m");

    /**
     * The relayer's JVM options: those a default {@code ./evmore run} starts it with (the launcher passes them to the
     * bench as {@code EVMORE_RELAYER_JVM_OPTS}; without the launcher, {@link #RUN_JVM_OPTIONS}), with {@code -Xmx}
     * set to {@code heap} ({@code --relayer-heap}).
     */
    static List<String> jvmOptions(Map<String, String> env, String heap) {
        String given = env.getOrDefault("EVMORE_RELAYER_JVM_OPTS", "").trim();
        List<String> options = given.isEmpty() ? RUN_JVM_OPTIONS : List.of(given.split("\\s+"));
        return options.stream().map(o -> o.startsWith("-Xmx") ? "-Xmx" + heap : o).toList();
    }

    /**
     * The launcher's JVM start-up cache for this relayer, or null: {@code ./evmore bench} passes the file a default
     * {@code ./evmore run} uses ({@code EVMORE_RELAYER_JVM_CACHE}, when recorded) and that run's JVM options
     * ({@code EVMORE_RELAYER_JVM_OPTS}); it is used only when it exists, this relayer's options are the same and it
     * runs from the one jar the cache was recorded with (not from a build's class folders).
     */
    static Path jvmCache(Map<String, String> env, String heap, List<String> classPath) {
        String file = env.getOrDefault("EVMORE_RELAYER_JVM_CACHE", "");
        if (file.isBlank() || classPath.size() != 1 || !classPath.getFirst().endsWith(".jar")) return null;
        if (!String.join(" ", jvmOptions(env, heap)).equals(env.getOrDefault("EVMORE_RELAYER_JVM_OPTS", "").trim())) return null;
        Path cache = Path.of(file);
        try {
            return Files.isRegularFile(cache) && Files.size(cache) > 0 ? cache : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether this relayer was started with the launcher's JVM start-up cache. */
    boolean jvmCacheUsed() {
        return jvmCacheUsed;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Seconds from spawn to the first {@code /health} 200. */
    double awaitReady(Duration timeout, HttpClient http) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("the relayer exited with " + process.exitValue() + "; see " + log);
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return (System.nanoTime() - spawnedAt) / 1e9;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the relayer was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    String metrics(HttpClient http) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The heap in use right after a full GC the bench asks for (jcmd GC.run): the live set. */
    double liveHeapMib(HttpClient http) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return new PromText(metrics(http)).sum("jvm_memory_used_bytes", Map.of("area", "heap")) / (1 << 20);
    }

    double rssMib() {
        return status("VmRSS:");
    }

    double rssPeakMib() {
        return status("VmHWM:");
    }

    private double status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }
}
