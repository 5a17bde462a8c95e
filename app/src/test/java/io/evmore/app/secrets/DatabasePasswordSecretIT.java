package io.evmore.app.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.testing.RelayerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code database-password} secret reaches the connection settings: a real PostgreSQL that demands a password
 * (scram-sha-256 over TCP), DATABASE_URL without one, and the password only as the secret. A wrong one is refused by
 * the server (the control that the password is checked at all); a missing one stops the start naming the secret.
 */
class DatabasePasswordSecretIT {
    static final String PASSWORD = "pg-from-secret-4e1f9a";
    static final String TOKEN = "db-secret-it-admin-token-55aa";

    @TempDir
    Path dir;

    @Test
    void theSecretIsThePasswordPostgresChecks() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'");
                String hba;
                try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
                    rs.next();
                    hba = rs.getString(1);
                }
                Files.writeString(Path.of(hba), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
                st.execute("SELECT pg_reload_conf()");
            }
            String url = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";

            RelayerProcess wrong = start(url, "not-the-password-0000");
            try (wrong) {
                assertThat(wrong.awaitExit(Duration.ofSeconds(60))).as(wrong.output()).isEqualTo(1);
                assertThat(wrong.output()).contains("password authentication failed").doesNotContain("not-the-password-0000");
            }
            RelayerProcess missing = start(url, null);
            try (missing) {
                assertThat(missing.awaitExit(Duration.ofSeconds(60))).as(missing.output()).isEqualTo(1);
                // one line says why (at DEBUG the JDK logs its own Runtime.exit afterwards)
                assertThat(missing.output().lines().filter(l -> l.startsWith("start failed:")).toList()).as(missing.output()).containsExactly("start failed: secrets provider env: database-password: not found at environment "
                        + "variable DATABASE_PASSWORD (required: PostgreSQL (DATABASE_URL) without a password)");
            }
            RelayerProcess right = start(url, PASSWORD);
            try (right) {
                assertThat(right.awaitHealthy(Duration.ofSeconds(60))).as(right.output()).isTrue();
                assertThat(right.get("/admin/swaps/pending", TOKEN).statusCode()).isEqualTo(200);
                assertThat(right.get("/admin/config", TOKEN).body()).doesNotContain(PASSWORD);
                assertThat(right.terminate(Duration.ofSeconds(30))).isZero();
                assertThat(right.output()).contains("secret database-password: environment variable DATABASE_PASSWORD").doesNotContain(PASSWORD);
            }
        }
    }

    RelayerProcess start(String url, String password) throws Exception {
        int port = RelayerProcess.freePort();
        Path cfg = Files.createTempFile(dir, "relayer", ".yaml");
        Files.writeString(cfg, "http: {host: 127.0.0.1, port: " + port + "}\nlogLevel: debug\n");
        Map<String, String> env = password == null ? Map.of("DATABASE_URL", url, "ADMIN_TOKEN", TOKEN)
                : Map.of("DATABASE_URL", url, "ADMIN_TOKEN", TOKEN, "DATABASE_PASSWORD", password);
        return RelayerProcess.start(dir, port, env, "run", "--config", cfg.toString());
    }
}
