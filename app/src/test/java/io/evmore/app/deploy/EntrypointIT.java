package io.evmore.app.deploy;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.evmore.app.testing.RelayerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the container runs, run directly: the Dockerfile's CMD arguments after its ENTRYPOINT's main class (the shaded
 * jar's, checked by DeploymentFilesIT), the configuration the image ships (config/production.yaml), and the relayer
 * environment of docker-compose.yml with its variables filled in, against a real PostgreSQL (embedded). Only the listen
 * address changes (127.0.0.1 and a free port instead of 0.0.0.0:3000) and the chains' RPC URLs point at nothing (no
 * real chain here): the relayer starts in production on PostgreSQL, runs the migrations, serves /health/live, names the
 * unreachable chains in /health, keeps every secret out of its output and stops on SIGTERM with exit 0.
 */
class EntrypointIT {
    static final String TOKEN = "compose-admin-token-7d1e4f0a9b";
    static final String DB_PASSWORD = "compose-db-pw-5c8a";
    static final String KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcad5c9ff2ec57a9f8";
    static final String MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    @TempDir
    Path dir;

    @Test
    void theImagesCommandRunsInProductionOnPostgres() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        List<String> cmd = jsonArray(dockerfile, "CMD");
        assertThat(cmd).containsExactly("run", "--config", "/app/config/production.yaml");
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        List<String> composeCmd = new ArrayList<>();
        compose.path("services").path("relayer").path("command").forEach(c -> composeCmd.add(c.asText()));
        assertThat(composeCmd).isEqualTo(cmd);

        int port = RelayerProcess.freePort();
        String config = Files.readString(ROOT.resolve("config/production.yaml"));
        for (String needed : List.of("  host: 0.0.0.0", "  port: 3000\n")) assertThat(config).contains(needed);
        Path mounted = Files.createDirectories(dir.resolve("app/config"));
        Files.writeString(mounted.resolve("production.yaml"), config.replace("  host: 0.0.0.0", "  host: 127.0.0.1")
                .replace("  port: 3000\n", "  port: " + port + "\n"));
        List<String> args = new ArrayList<>(cmd);
        args.set(2, mounted.resolve("production.yaml").toString());

        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Map<String, String> values = Map.of("ETHEREUM_RPC_URL", "http://127.0.0.1:1", "COSMOS_RPC_URL", "http://127.0.0.1:1",
                    "POSTGRES_PASSWORD", DB_PASSWORD, "ADMIN_TOKEN", TOKEN, "ETHEREUM_PRIVATE_KEY", KEY, "COSMOS_MNEMONIC", MNEMONIC);
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode e : compose.path("services").path("relayer").path("environment")) {
                String kv = interpolate(e.asText(), values);
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            assertThat(env).containsEntry("FUSION_ENV", "production").containsEntry("LOG_LEVEL", "info").containsEntry("ENABLE_TRACING", "false");
            // the compose file's database host is the postgres service; here it is the embedded server
            env.put("DATABASE_URL", env.get("DATABASE_URL").replace("@postgres:5432/evmore", "@127.0.0.1:" + pg.getPort() + "/postgres")
                    .replace("postgresql://evmore:", "postgresql://postgres:"));

            try (RelayerProcess relayer = RelayerProcess.start(dir, port, env, args.toArray(String[]::new))) {
                awaitLive(relayer);
                JsonNode health = awaitRunning(relayer);
                assertThat(health.path("components").path("database").path("status").asText()).isEqualTo("UP");
                assertThat(health.path("components").path("database").path("detail").asText())
                        .isEqualTo("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres");
                assertThat(health.path("components").path("pools").path("status").asText()).as("no chain is reachable here").isEqualTo("DOWN");
                assertThat(relayer.get("/metrics", null).body()).contains("evmore_health_status{service=\"relayer\"} 0.0");
                try (Connection c = pg.getPostgresDatabase().getConnection(); ResultSet rs = c.getMetaData().getTables(null, null, "swaps", null)) {
                    assertThat(rs.next()).as("the migrations ran on PostgreSQL").isTrue();
                }
                assertThat(relayer.terminate(Duration.ofSeconds(60))).as(relayer.output()).isZero();
                String out = relayer.output();
                for (String secret : List.of(TOKEN, DB_PASSWORD, KEY.substring(2), "abandon abandon")) assertThat(out).doesNotContain(secret);
            }
        }
    }

    private static void awaitLive(RelayerProcess r) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (r.get("/health/live", null).statusCode() == 200) return;
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no /health/live in 60 s:\n" + r.output());
    }

    /** /health once every service has started (lifecycle running), which it does with the chains unreachable. */
    private static JsonNode awaitRunning(RelayerProcess r) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode h = null;
        while (System.nanoTime() < deadline) {
            h = new ObjectMapper().readTree(r.get("/health", null).body());
            if (h.path("components").path("lifecycle").path("status").asText().equals("UP")) return h;
            Thread.sleep(500);
        }
        throw new AssertionError("not running after 90 s: " + h + "\n" + r.output());
    }

    static List<String> jsonArray(String dockerfile, String instruction) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + instruction + " (\\[.*])$").matcher(dockerfile);
        assertThat(m.find()).as(instruction + " in exec form").isTrue();
        List<String> out = new ArrayList<>();
        new ObjectMapper().readTree(m.group(1)).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, from {@code values}. */
    static String interpolate(String s, Map<String, String> values) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)(?::([-?])([^}]*))?}").matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null && "-".equals(m.group(2))) v = m.group(3);
            if (v == null) throw new AssertionError("compose variable " + m.group(1) + " has no value in the test");
            m.appendReplacement(b, Matcher.quoteReplacement(v));
        }
        m.appendTail(b);
        return b.toString();
    }
}
