package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.testing.RelayerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DATABASE_URL selects a real PostgreSQL: migrations run at start, health names it, the password never shows. */
class PostgresRelayerIT {
    private static final String DB_PASSWORD = "pg-secret-pass-7c1d";
    private static final String TOKEN = "pg-it-admin-token-0a9b8c7d";

    @TempDir
    Path dir;

    @Test
    void relayerRunsOnPostgresFromDatabaseUrl() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            int port = RelayerProcess.freePort();
            Path cfg = dir.resolve("relayer.yaml");
            Files.writeString(cfg, "environment: test\nhttp: {host: 127.0.0.1, port: " + port + "}\n");
            String url = "postgresql://postgres:" + DB_PASSWORD + "@127.0.0.1:" + pg.getPort() + "/postgres";
            try (RelayerProcess relayer = RelayerProcess.start(dir, port, Map.of("DATABASE_URL", url, "ADMIN_TOKEN", TOKEN),
                    "run", "--config", cfg.toString())) {
                assertThat(relayer.awaitHealthy(Duration.ofSeconds(60))).as(relayer.output()).isTrue();
                JsonNode health = new ObjectMapper().readTree(relayer.get("/health", null).body());
                assertThat(health.get("components").get("database").get("detail").asText())
                        .isEqualTo("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres");
                assertThat(relayer.get("/admin/swaps/pending", TOKEN).statusCode()).isEqualTo(200);
                String config = relayer.get("/admin/config", TOKEN).body();
                assertThat(config).doesNotContain(DB_PASSWORD).contains("***redacted***");

                try (Connection c = pg.getPostgresDatabase().getConnection();
                        ResultSet rs = c.getMetaData().getTables(null, null, "swaps", null)) {
                    assertThat(rs.next()).as("swaps table created by the migrations").isTrue();
                }
                assertThat(relayer.terminate(Duration.ofSeconds(30))).isZero();
                assertThat(relayer.output()).doesNotContain(DB_PASSWORD).doesNotContain(TOKEN);
            }
        }
    }
}
