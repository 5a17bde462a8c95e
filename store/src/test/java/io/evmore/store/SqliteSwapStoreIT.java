package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.SwapState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite database, plus what is specific to a file database. */
class SqliteSwapStoreIT extends SwapStoreContract {
    @TempDir
    Path dir;
    private Path file;
    private int counter;

    @Override
    protected JdbcSwapStore openFresh() {
        file = dir.resolve("db" + (counter++)).resolve("nested").resolve("evmore.db");
        return SwapStores.open(DatabaseSettings.sqlite(file));
    }

    @Override
    protected JdbcSwapStore reopen() {
        return SwapStores.open(DatabaseSettings.sqlite(file));
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    @Test
    void createsParentFoldersAndUsesWriteAheadLogging() throws SQLException {
        assertThat(Files.isRegularFile(file)).isTrue();
        assertThat(store.describe()).isEqualTo("sqlite:" + file);
        try (Connection c = rawConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void guideIndexesExist() throws SQLException {
        try (Connection c = rawConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index'"
                        + " AND tbl_name = 'swaps'")) {
            java.util.List<String> names = new java.util.ArrayList<>();
            while (rs.next()) names.add(rs.getString(1));
            assertThat(names).contains("idx_swaps_status", "idx_swaps_created_at", "idx_swaps_chain",
                    "ux_swaps_active_hashlock");
        }
    }

    @Test
    void anotherProcessHoldingTheWriteLockMakesUsWaitNotFail() throws Exception {
        var s = swap("0x01", SwapState.DETECTED, T0);
        try (Connection other = rawConnection(); Statement st = other.createStatement();
                var ex = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            st.execute("BEGIN IMMEDIATE");
            var insert = ex.submit(() -> store.run(tx -> tx.insert(s, "seen")));
            // The insert has borrowed the writer connection and is inside BEGIN IMMEDIATE, on the busy timeout.
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (store.poolStats().active() < 1 && !insert.isDone() && System.nanoTime() < until) Thread.sleep(5);
            assertThat(store.poolStats().active()).as("insert holds a connection").isEqualTo(1);
            // Control in the same window: the store answers on its other connection, so it is not stuck as a whole;
            // the insert alone waits for the other writer (it neither failed with SQLITE_BUSY nor went through).
            assertThat(store.ping()).isTrue();
            assertThat(insert.isDone()).as("insert finished while another process held the write lock").isFalse();
            st.execute("COMMIT");
            insert.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(store.find(s.id())).contains(s);
    }

    @Test
    void unwritableLocationFailsNamingTheDatabase() throws Exception {
        Path blocker = dir.resolve("not-a-folder");
        Files.writeString(blocker, "x");
        Path bad = blocker.resolve("evmore.db");
        assertThatThrownBy(() -> SwapStores.open(DatabaseSettings.sqlite(bad)))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("sqlite:" + bad);
    }
}
