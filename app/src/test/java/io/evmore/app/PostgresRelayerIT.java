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

/**
 * Production-style run: FUSION_ENV=production with a token, DATABASE_URL selecting a real PostgreSQL. Migrations
 * run at start, health names the database, logs are JSON lines, the password and token never show.
 */
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
            Files.writeString(cfg, "http: {host: 127.0.0.1, port: " + port + "}\nlogLevel: info\n");
            String url = "postgresql://postgres:" + DB_PASSWORD + "@127.0.0.1:" + pg.getPort() + "/postgres";
            try (RelayerProcess relayer = RelayerProcess.start(dir, port, Map.of("DATABASE_URL", url, "ADMIN_TOKEN", TOKEN, "FUSION_ENV", "production"),
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
                String out = relayer.output();
                assertThat(out).doesNotContain(DB_PASSWORD).doesNotContain(TOKEN);
                // Production logs are JSON lines (the embedded server's own output is not ours).
                var ours = out.lines().filter(l -> l.contains("io.evmore")).toList();
                assertThat(ours).isNotEmpty();
                for (String line : ours) {
                    JsonNode json = new ObjectMapper().readTree(line);
                    assertThat(json.has("level") && json.has("formattedMessage") && json.has("loggerName")).as(line).isTrue();
                    assertThat(json.has("arguments")).as(line).isFalse();
                }
            }
        }
    }
}
