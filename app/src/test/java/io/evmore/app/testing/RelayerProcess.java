package io.evmore.app.testing;

import java.io.IOException;
import java.net.ServerSocket;
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

/**
 * The relayer as a real child process (same classpath as the tests), with its output captured to a file.
 * Destroyed on close and, as a last resort, when the test JVM exits.
 */
public final class RelayerProcess implements AutoCloseable {
    private final Process process;
    private final Path output;
    public final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RelayerProcess(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code evmore <args>} in {@code workDir} with extra environment variables (others removed: see below). */
    public static RelayerProcess start(Path workDir, int port, Map<String, String> env, String... args) throws IOException {
        return start(workDir, port, env, false, args);
    }

    /**
     * Starts {@code evmore <args>} with exactly {@code env} as its environment, nothing inherited from the test JVM (an
     * operator's relayer whose only secret is, say, VAULT_TOKEN).
     */
    public static RelayerProcess startWithOnly(Path workDir, int port, Map<String, String> env, String... args) throws IOException {
        return start(workDir, port, env, true, args);
    }

    private static RelayerProcess start(Path workDir, int port, Map<String, String> env, boolean only, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.evmore.app.cli.EvmoreCli");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "relayer", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        // Keep the developer's own overrides out of the test.
        for (String k : List.of("FUSION_ENV", "LOG_LEVEL", "ENABLE_TRACING", "DATABASE_URL", "ADMIN_TOKEN", "ETHEREUM_RPC_URL", "COSMOS_RPC_URL",
                "VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_ROLE_ID", "VAULT_SECRET_ID", "AWS_REGION", "OP_CONNECT_HOST",
                "OP_CONNECT_TOKEN", "OP_SERVICE_ACCOUNT_TOKEN", "DATABASE_PASSWORD")) {
            pb.environment().remove(k);
        }
        if (only) pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new RelayerProcess(p, out, port);
    }

    public boolean awaitHealthy(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) return false;
            try {
                if (get("/health", null).statusCode() == 200) return true;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    public HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return send("GET", path, token);
    }

    public HttpResponse<String> post(String path, String token) throws IOException, InterruptedException {
        return send("POST", path, token);
    }

    public HttpResponse<String> send(String method, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends SIGTERM and waits; returns the exit code, or -1 if it did not exit in time. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** {@code kill -9 PID} from outside, as an operator or the OOM killer would; waits for the exit code. */
    public int killMinus9(Duration timeout) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -9 " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
        return awaitExit(timeout);
    }

    /** {@code kill -SIGNAL PID} from outside, e.g. {@code STOP} and {@code CONT} to pause and wake the whole process. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The process id (to read its command line and environment from /proc). */
    public long pid() {
        return process.pid();
    }

    public String output() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
