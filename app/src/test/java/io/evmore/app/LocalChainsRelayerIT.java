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
 * one pool per chain, and the pool admin endpoints acting on those pools.
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

            assertThat(relayer.terminate(Duration.ofSeconds(30))).isZero();
            assertThat(relayer.output()).contains("service local-chains stopped").doesNotContain(TOKEN);
        }
    }
}
