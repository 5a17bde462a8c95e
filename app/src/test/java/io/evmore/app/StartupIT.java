package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.http.NotReadyException;
import io.evmore.app.testing.RelayerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up against RPC endpoints that accept connections and never answer: HTTP is served first (/health/live
 * 200, /health 503 "starting"), the pools are probed in parallel with each other and with the database's opening,
 * and the whole start is bounded.
 */
class StartupIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    /** Accepts TCP connections on 127.0.0.1 and never reads or writes: a hung RPC endpoint. */
    static final class HungServer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) held.add(server.accept());
            } catch (IOException closed) {
                // closed by close()
            }
        });

        HungServer() throws IOException {}

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket s : held) s.close();
            acceptor.join(5_000);
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A well-formed contract address (none answers behind a hung endpoint anyway). */
    private static final String CONTRACT = "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";

    /** The relayer's keys as owner-only files: Hardhat's public development key 1 and the BIP-39 test mnemonic. */
    private Path secrets() throws IOException {
        Path d = Files.createDirectories(dir.resolve("secrets"));
        var ownerOnly = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        Files.writeString(d.resolve("ethereum-private-key"), "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        Files.writeString(d.resolve("cosmos-mnemonic"), "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
        Files.setPosixFilePermissions(d.resolve("ethereum-private-key"), ownerOnly);
        Files.setPosixFilePermissions(d.resolve("cosmos-mnemonic"), ownerOnly);
        return d;
    }

    @Test
    void hungEndpointsDelayReadinessOnceAndHttpAnswersMeanwhile() throws Exception {
        try (HungServer hung = new HungServer()) {
            int port = RelayerProcess.freePort();
            Path cfg = dir.resolve("relayer.yaml");
            Files.writeString(cfg, """
                    environment: test
                    http: {host: 127.0.0.1, port: %d}
                    admin: {token: startup-it-token-29c1d8e4}
                    database: {path: "%s"}
                    secrets: {provider: file, dir: "%s"}
                    chains:
                      ethereum:
                        chainId: eip155:1
                        htlcContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3"
                        rpcUrls: ["%s"]
                      cosmos:
                        - {chainId: hung-a, prefix: cosmos, denom: stake, rpcUrls: ["%s"], htlcContract: %s}
                        - {chainId: hung-b, prefix: cosmos, denom: stake, rpcUrls: ["%s"], htlcContract: %s}
                    """.formatted(port, dir.resolve("data/evmore.db"), secrets(), hung.url(), hung.url(), CONTRACT, hung.url(), CONTRACT));
            RelayerApp app = new RelayerApp(cfg, ConfigLoader.load(cfg, Map.of()));
            // HTTP now answers before the database is open: an admin call needing the store is "not ready" (503), not an NPE (500).
            assertThatThrownBy(() -> app.pendingSwaps(10)).isInstanceOf(NotReadyException.class).hasMessageContaining("database is not open yet");
            // A database with its schema already, whose write lock another connection holds: the start stops at the
            // database (counting the lease's epoch waits up to SQLite's 30 s busy timeout) until this test lets go.
            io.evmore.store.SwapStores.open(io.evmore.store.DatabaseSettings.sqlite(dir.resolve("data/evmore.db"))).close();
            java.sql.Connection dbHolder = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/evmore.db"));
            try (var st = dbHolder.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
            }
            long t0 = System.nanoTime();
            CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> {
                try {
                    app.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            try {
                // The pools' first probes do not wait for the database (nor for HTTP): they reach the endpoints while this
                // test still holds the database's write lock, i.e. before the database service can finish. One after
                // another (pools after the database), nothing connected here until the database opened.
                long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // < the 30 s busy timeout
                while (hung.held.isEmpty() && System.nanoTime() < probeDeadline && !starting.isDone()) Thread.sleep(20);
                assertThat(hung.held).as("the pools' first probes connected while the database was still opening").isNotEmpty();
                assertThat(starting).as("start waiting for the database").isNotDone();
                try (var st = dbHolder.createStatement()) {
                    st.execute("COMMIT");
                }
                dbHolder.close();
                // Liveness answers within seconds although every pool's first probe hangs for its 10 s timeout.
                HttpResponse<String> live = null;
                long liveDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < liveDeadline && !starting.isDone()) {
                    try {
                        live = get(port, "/health/live");
                        break;
                    } catch (IOException notYet) {
                        Thread.sleep(50);
                    }
                }
                assertThat(live).as("/health/live answered while the pools were still connecting").isNotNull();
                assertThat(live.statusCode()).isEqualTo(200);
                assertThat(starting).as("start still in progress").isNotDone();
                var health = get(port, "/health");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(health.body()).get("components").get("lifecycle").get("detail").asText()).isEqualTo("starting");

                starting.get(60, TimeUnit.SECONDS);
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                // One probe timeout (10 s) for all three pools, within the start bound; one after another it was >= 30 s.
                assertThat(seconds).as("start took %d s", seconds).isLessThan(25);
                JsonNode after = JSON.readTree(get(port, "/health").body()).get("components");
                assertThat(after.get("lifecycle").get("status").asText()).isEqualTo("UP");
                assertThat(after.get("pools").get("detail").asText()).contains("ethereum has no healthy endpoint", "cosmos:hung-a has no healthy endpoint");
            } finally {
                if (!dbHolder.isClosed()) dbHolder.close();
                starting.handle((v, e) -> null).get(60, TimeUnit.SECONDS);
                app.close();
            }
        }
    }
}
