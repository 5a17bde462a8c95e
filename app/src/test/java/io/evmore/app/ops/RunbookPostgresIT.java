package io.evmore.app.ops;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.testing.RelayerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runbook's PostgreSQL commands (every {@code bash} block of docs/RUNBOOK.md that uses {@code $DATABASE_URL}; the
 * others run in ObservabilityIT), run as written with Debian's {@code pg_dump} and {@code psql} against a relayer on a
 * real PostgreSQL: the backup while the relayer runs and is paused, the lock and connection queries while it runs, the
 * restore into an empty database with the relayer stopped, and a relayer started on the restored database — which
 * takes the next lease epoch and is still paused, as the backup said.
 *
 * <p>The server is PostgreSQL 15 (target/postgres-15, copied by app/pom.xml) because Debian's client is 15 and
 * {@code pg_dump} refuses a newer server.
 */
class RunbookPostgresIT {
    private static final String TOKEN = "runbook-pg-admin-token-3e5f7a9c";
    private static final String DB_PASSWORD = "runbook-pg-pass-8d2b";
    private static final Path PG15_JAR = ROOT.resolve("app/target/postgres-15/postgres-15-linux-amd64.jar");

    @TempDir
    Path dir;

    @Test
    void backupRestoreAndLockQueriesWorkAsWritten() throws Exception {
        List<String> blocks = postgresBlocks();
        String backup = only(blocks, "pg_dump");
        String restore = only(blocks, "ON_ERROR_STOP");
        String locks = only(blocks, "pg_stat_activity");
        assertThat(blocks).as("every PostgreSQL block of the runbook is tried here").containsExactlyInAnyOrder(backup, restore, locks);

        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPgBinaryResolver((system, arch) -> postgres15()).start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER USER postgres PASSWORD '" + DB_PASSWORD + "'");
                s.execute("CREATE DATABASE relayer");
                s.execute("CREATE DATABASE restored");
            }
            String base = "postgresql://postgres:" + DB_PASSWORD + "@127.0.0.1:" + pg.getPort() + "/";
            Path work = Files.createDirectories(dir.resolve("operator"));

            long epochBefore;
            try (RelayerProcess relayer = start(base + "relayer")) {
                JsonNode paused = json(relayer.post("/admin/services/pause", TOKEN).body());
                assertThat(paused.path("keptInDatabase").asBoolean()).as(paused.toString()).isTrue();
                epochBefore = leaseEpoch(pg, "relayer");
                assertThat(epochBefore).isPositive();

                String dumped = run(backup, work, base + "relayer");
                assertThat(dumped.strip()).as("tables in the dump").matches("\\d+");
                assertThat(Integer.parseInt(dumped.strip())).isGreaterThanOrEqualTo(5);
                String activity = run(locks, work, base + "relayer");
                Matcher count = Pattern.compile("(?s)count\\s*\n-+\n\\s*(\\d+)").matcher(activity);
                assertThat(count.find()).as(activity).isTrue();
                assertThat(Integer.parseInt(count.group(1))).as("the relayer's sessions, its lease's among them").isGreaterThanOrEqualTo(1);
                assertThat(activity).contains("running");
                assertThat(relayer.terminate(Duration.ofSeconds(30))).isZero();
                assertThat(relayer.output()).doesNotContain(DB_PASSWORD).doesNotContain(TOKEN);
            }

            assertThat(leaseEpoch(pg, "restored")).as("the restore target starts empty").isEqualTo(-1);
            String restored = run(restore, work, base + "restored");
            assertThat(restored).contains("swaps").contains("0");
            assertThat(leaseEpoch(pg, "restored")).as("the lease row came back").isEqualTo(epochBefore);

            try (RelayerProcess relayer = start(base + "restored")) {
                JsonNode engine = json(relayer.get("/admin/services/status", TOKEN).body()).path("engine");
                assertThat(engine.path("intake").asText()).as("the pause in the backup holds: " + engine).isEqualTo("PAUSED");
                assertThat(leaseEpoch(pg, "restored")).as("a new term on the restored database").isGreaterThan(epochBefore);
                assertThat(relayer.terminate(Duration.ofSeconds(30))).isZero();
            }
        }
    }

    private RelayerProcess start(String url) throws Exception {
        int port = RelayerProcess.freePort();
        Path home = Files.createDirectories(dir.resolve("relayer-" + port));
        Path cfg = home.resolve("relayer.yaml");
        Files.writeString(cfg, "http: {host: 127.0.0.1, port: " + port + "}\nlogLevel: info\n");
        RelayerProcess relayer = RelayerProcess.start(home, port, Map.of("DATABASE_URL", url, "ADMIN_TOKEN", TOKEN, "FUSION_ENV", "production"),
                "run", "--config", cfg.toString());
        assertThat(relayer.awaitHealthy(Duration.ofSeconds(60))).as(relayer.output()).isTrue();
        return relayer;
    }

    /** The lease row's epoch, -1 when the database has no lease table yet. */
    private static long leaseEpoch(EmbeddedPostgres pg, String database) throws Exception {
        try (Connection c = pg.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement()) {
            try (ResultSet t = c.getMetaData().getTables(null, null, "relayer_lease", null)) {
                if (!t.next()) return -1;
            }
            try (ResultSet rs = s.executeQuery("SELECT max(epoch) FROM relayer_lease")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String run(String block, Path work, String databaseUrl) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("DATABASE_URL", databaseUrl);
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("runbook block finishes: " + block).isTrue();
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.exitValue()).as("runbook block:\n" + block + "\noutput:\n" + out).isZero();
        assertThat(out).doesNotContain(DB_PASSWORD);
        return out;
    }

    static List<String> postgresBlocks() throws IOException {
        Matcher m = Pattern.compile("(?ms)^ *```bash\n(.*?)^ *```").matcher(Files.readString(ROOT.resolve("docs/RUNBOOK.md")));
        List<String> out = new ArrayList<>();
        while (m.find()) if (m.group(1).contains("DATABASE_URL")) out.add(m.group(1));
        return out;
    }

    private static String only(List<String> blocks, String marker) {
        List<String> found = blocks.stream().filter(b -> b.contains(marker)).toList();
        assertThat(found).as("runbook blocks with " + marker).hasSize(1);
        return found.get(0);
    }

    private static InputStream postgres15() throws IOException {
        assertThat(PG15_JAR).as("copied by app/pom.xml (generate-test-resources)").exists();
        try (ZipFile zip = new ZipFile(PG15_JAR.toFile())) {
            ZipEntry txz = zip.getEntry("postgres-linux-x86_64.txz");
            if (txz == null) throw new IOException(PG15_JAR + " has no postgres-linux-x86_64.txz");
            try (InputStream in = zip.getInputStream(txz)) {
                return new ByteArrayInputStream(in.readAllBytes());
            }
        }
    }

    private static JsonNode json(String body) throws IOException {
        return new ObjectMapper().readTree(body);
    }
}
