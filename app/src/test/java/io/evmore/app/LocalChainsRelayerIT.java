package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.testing.RelayerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relayer on its embedded defaults: local chains (Hardhat + Cosmos devnet) started by the relayer itself,
 * one pool per chain, and the pool admin endpoints acting on those pools; a second relayer on the same SQLite database
 * refused before it binds its port or touches a file.
 */
class LocalChainsRelayerIT {
    private static final String TOKEN = "local-chains-it-token-4d2e";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void poolsForEveryLocalChainAreHealthyAndDrainRefreshActOnThem() throws Exception {
        int port = RelayerProcess.freePort();
        Path cfg = dir.resolve("relayer.yaml");
        Files.writeString(cfg, """
                environment: test
                http: {host: 127.0.0.1, port: %d}
                localChains: {enabled: true, blockIntervalMs: 500}
                """.formatted(port));
        Path root = Path.of("").toAbsolutePath().getParent();
        try (RelayerProcess relayer = RelayerProcess.start(dir, port, Map.of("ADMIN_TOKEN", TOKEN, "EVMORE_ROOT", root.toString()),
                "run", "--config", cfg.toString())) {
            assertThat(relayer.awaitHealthy(Duration.ofSeconds(120))).as(relayer.output()).isTrue();

            JsonNode health = JSON.readTree(relayer.get("/health", null).body());
            assertThat(health.get("components").get("pools").get("detail").asText()).isEqualTo("4 pool(s) ready");

            JsonNode pools = JSON.readTree(relayer.get("/admin/pools/status", TOKEN).body()).get("pools");
            List<String> names = new ArrayList<>();
            pools.forEach(p -> names.add(p.get("pool").asText()));
            assertThat(names).containsExactly("ethereum", "cosmos:devnet-a", "cosmos:devnet-b", "cosmos:devnet-c");
            pools.forEach(p -> assertThat(p.get("endpoints").get(0).get("state").asText()).as(p.toString()).isEqualTo("HEALTHY"));

            JsonNode config = JSON.readTree(relayer.get("/admin/config", TOKEN).body());
            assertThat(config.get("chains").get("ethereum").get("chainId").asText()).isEqualTo("eip155:31337");
            assertThat(config.get("chains").get("ethereum").get("htlcContract").asText()).startsWith("0x");
            assertThat(config.get("chains").get("cosmos")).hasSize(3);
            assertThat(dir.resolve("data/devnet/devnet.json")).exists();

            String metrics = relayer.get("/metrics", null).body();
            assertThat(metrics).contains("evmore_pool_connections_total{pool=\"ethereum\"}", "evmore_pool_connections_active{pool=\"cosmos:devnet-a\"}",
                    "evmore_pool_connections_idle{pool=\"ethereum\"}", "evmore_pool_acquire_duration_seconds");

            JsonNode drained = JSON.readTree(relayer.post("/admin/pools/drain", TOKEN).body()).get("drained");
            assertThat(drained).hasSize(4);
            drained.forEach(d -> assertThat(d.get("drained").asBoolean()).as(d.toString()).isTrue());
            var down = relayer.get("/health", null);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(down.body()).get("components").get("pools").get("detail").asText()).contains("ethereum is drained");

            JsonNode refreshed = JSON.readTree(relayer.post("/admin/pools/refresh", TOKEN).body()).get("refreshed");
            assertThat(refreshed).hasSize(4);
            assertThat(relayer.awaitHealthy(Duration.ofSeconds(30))).as(relayer.output()).isTrue();

            // A second relayer on the same database (same configuration, another port) is refused before it binds its port
            // or touches a file, naming the holder. The first is stopped meanwhile (SIGSTOP: it keeps its lock) so that
            // nothing it writes can blur the comparison.
            int port2 = RelayerProcess.freePort();
            Path cfg2 = dir.resolve("relayer-second.yaml");
            Files.writeString(cfg2, Files.readString(cfg).replace("port: " + port + "}", "port: " + port2 + "}"));
            Map<String, String> env = Map.of("ADMIN_TOKEN", TOKEN, "EVMORE_ROOT", root.toString());
            relayer.signal("STOP");
            try {
                Map<String, String> before = snapshot(dir.resolve("data"));
                assertThat(before).containsKeys("evmore.db", "evmore.db.lock", "devnet/devnet.json");
                int bound = 0;
                try (RelayerProcess second = RelayerProcess.start(dir, port2, env, "run", "--config", cfg2.toString())) {
                    while (second.isAlive()) {
                        if (listening(port2)) bound++;
                        Thread.sleep(10);
                    }
                    assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.output()).isEqualTo(1);
                    assertThat(second.output()).contains("start failed: another relayer is already running on this database"
                            + " (lease 'relayer' held by ").contains("/" + relayer.pid() + " since ").doesNotContain("HTTP listening");
                }
                assertThat(bound).as("times port " + port2 + " accepted a connection").isZero();
                assertThat(snapshot(dir.resolve("data"))).as("no file in data/ created, changed or removed").isEqualTo(before);
            } finally {
                relayer.signal("CONT");
            }

            assertThat(relayer.terminate(Duration.ofSeconds(30))).isZero();
            assertThat(relayer.output()).contains("service local-chains stopped").doesNotContain(TOKEN);

            // The control: with the lease free, the very same command binds its port and writes its files.
            Map<String, String> before = snapshot(dir.resolve("data"));
            try (RelayerProcess second = RelayerProcess.start(dir, port2, env, "run", "--config", cfg2.toString())) {
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!listening(port2) && second.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(listening(port2)).as(second.output()).isTrue();
                assertThat(second.awaitHealthy(Duration.ofSeconds(120))).as(second.output()).isTrue();
                assertThat(snapshot(dir.resolve("data"))).isNotEqualTo(before);
                assertThat(second.terminate(Duration.ofSeconds(30))).isZero();
            }
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Every file under {@code folder} (relative path): size, modification time and content hash. */
    private static Map<String, String> snapshot(Path folder) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var files = Files.walk(folder)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                out.put(folder.relativize(p).toString(), bytes.length + " " + Files.getLastModifiedTime(p).toMillis() + " "
                        + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
        }
        return out;
    }
}
