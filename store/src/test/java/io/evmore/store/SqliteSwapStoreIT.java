package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.attribute.PosixFilePermissions;
import org.flywaydb.core.Flyway;
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

    @Override
    protected void createDatabaseAtVersion(String version) {
        file = dir.resolve("db" + (counter++)).resolve("evmore.db");
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Flyway.configure().dataSource("jdbc:sqlite:" + file, null, null).locations("classpath:db/migration")
                .target(version).load().migrate();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.SQLITE;
    }

    @Override
    protected String leaseFromAnotherProcess(String name) throws Exception {
        return LeaseProbe.tryFromAnotherProcess(file, name);
    }

    @Override
    protected String expectedLeaseMechanism() {
        return "SQLite lock file " + file + ".lock";
    }

    /**
     * Reads do not queue behind the single writer: with a write transaction open (holding the writer lock, its change not
     * committed), a read completes, and sees the state before that write. Before readers had their own connections, every
     * read took the writer lock and this read waited for the writer (the test's 10 s bound fails it).
     */
    @Test
    void aReadCompletesWhileAWriteTransactionIsOpenAndSeesTheCommittedState() throws Exception {
        Swap s = swap("0xwriter", SwapState.DETECTED, T0);
        store.run(tx -> tx.insert(s, "source lock seen"));
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> store.run(tx -> {
            tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "confirmed", null, T0.plusSeconds(1));
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            var read = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.find(s.id()).orElseThrow().state());
            assertThat(read.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(SwapState.DETECTED);
            var listed = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.read(tx -> tx.pending(10)).size());
            assertThat(listed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            release.countDown();
            writer.join();
        }
        assertThat(store.find(s.id())).map(Swap::state).contains(SwapState.CONFIRMED);
    }

    /** A fenced read checks the lease on a reader connection too, and fails once the lock file is no longer held. */
    @Test
    void aFencedReadChecksTheLeaseOnAReaderConnection() {
        Swap s = swap("0xfenced", SwapState.DETECTED, T0);
        DatabaseLease lease = store.acquireLease("relayer");
        io.evmore.core.port.SwapStore fenced = store.fencedBy(lease);
        fenced.run(tx -> tx.insert(s, "source lock seen"));
        assertThat(fenced.find(s.id())).isPresent();
        lease.close();
        assertThatThrownBy(() -> fenced.find(s.id())).isInstanceOf(io.evmore.core.error.LeaseLostException.class);
    }

    /** A write through a read (which bypasses the writer lock) is refused by the database and leaves nothing behind. */
    @Test
    void aWriteInsideAReadFailsAndChangesNothing() {
        Swap s = swap("0xreadonly", SwapState.DETECTED, T0);
        assertThatThrownBy(() -> store.read(tx -> {
            tx.insert(s, "source lock seen");
            return null;
        })).isInstanceOf(io.evmore.core.error.RelayerException.class).hasMessageContaining("readonly");
        assertThat(store.find(s.id())).isEmpty();
        store.run(tx -> tx.insert(s, "source lock seen")); // the writer still can
        assertThat(store.find(s.id())).isPresent();
    }

    @Test
    void leaseLockFileIsOwnerOnlyAndBesideTheDatabase() throws Exception {
        try (DatabaseLease lease = store.acquireLease("relayer")) {
            Path lockFile = file.resolveSibling("evmore.db.lock");
            assertThat(Files.isRegularFile(lockFile)).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lockFile))).isEqualTo("rw-------");
            assertThat(lease.toString()).contains(lockFile.toString());
        }
    }

    @Test
    void leaseHeldByAnotherProcessIsRefusedHereAndFreedByThatProcessDying() throws Exception {
        Process holder = LeaseProbe.holdInAnotherProcess(file, "relayer");
        try {
            // The real OS lock, not this JVM's registry, refuses us.
            assertThatThrownBy(() -> store.acquireLease("relayer"))
                    .isInstanceOf(LeaseHeldException.class)
                    .hasMessageStartingWith("another relayer is already running on this database (lease 'relayer' held"
                            + " by " + LeaseHolder.hostName() + "/" + holder.pid() + " since ")
                    .hasMessageContaining("; SQLite lock file " + file + ".lock); stop that process first");
            try (DatabaseLease other = store.acquireLease("indexer")) {
                assertThat(other.isHeld()).isTrue();
            }
        } finally {
            holder.destroyForcibly(); // a crash: no close(), no cleanup
            holder.waitFor();
        }
        try (DatabaseLease lease = store.acquireLease("relayer")) {
            assertThat(lease.isHeld()).isTrue();
        }
    }

    @Test
    void aProcessThatLocksFirstIsRefusedNamingTheHolderHavingChangedNoFile() throws Exception {
        try (DatabaseLease lease = store.acquireLease("relayer")) {
            store.run(tx -> tx.insert(swap("0x01", SwapState.DETECTED, T0), "seen"));
            java.util.Map<String, String> before = snapshot(file.getParent());
            String refused = LeaseProbe.lockFirstFromAnotherProcess(file, "relayer");
            assertThat(refused).startsWith("another relayer is already running on this database (lease 'relayer' held by "
                    + LeaseHolder.thisProcess().describe() + " since ").contains("(epoch " + lease.epoch() + ")");
            assertThat(snapshot(file.getParent())).as("no file created, changed or touched").isEqualTo(before);
        }
        // Control: with the lease free the same probe takes it, and that does change the database (a new epoch).
        java.util.Map<String, String> before = snapshot(file.getParent());
        assertThat(LeaseProbe.lockFirstFromAnotherProcess(file, "relayer")).isEqualTo("ACQUIRED");
        assertThat(snapshot(file.getParent())).isNotEqualTo(before);
        try (DatabaseLease again = store.acquireLease("relayer")) {
            assertThat(again.epoch()).as("this start, the probe's, now this one").isEqualTo(3);
        }
    }

    /**
     * Every file of a folder: size, modification time and content hash. The lock file only by its size and time: opening
     * (and closing) it here would drop this process's own locks on it.
     */
    private static java.util.Map<String, String> snapshot(Path folder) throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        try (var files = Files.list(folder)) {
            for (Path p : files.toList()) {
                String stat = Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
                if (p.getFileName().toString().endsWith(".lock")) {
                    out.put(p.getFileName().toString(), stat);
                    continue;
                }
                byte[] bytes = Files.readAllBytes(p);
                out.put(p.getFileName().toString(), stat + " "
                        + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
        }
        return out;
    }

    @Test
    void aLeaseOfAnotherStoreOnTheSameFileInThisProcessIsHeldToo() {
        try (JdbcSwapStore second = reopen(); DatabaseLease lease = store.acquireLease("relayer")) {
            assertThatThrownBy(() -> second.acquireLease("relayer")).isInstanceOf(LeaseHeldException.class);
            // Releasing another name on the same lock file must not drop this one (one channel per file).
            second.acquireLease("indexer").close();
            assertThat(lease.isHeld()).isTrue();
            assertThatThrownBy(() -> second.acquireLease("relayer")).isInstanceOf(LeaseHeldException.class);
        }
    }

    @Test
    void theDatabaseAndItsWalFilesAreReadableByTheOwnerOnly() throws Exception {
        var ownerOnly = PosixFilePermissions.fromString("rw-------");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(ownerOnly);
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        Path shm = file.resolveSibling(file.getFileName() + "-shm");
        assertThat(wal).exists();
        assertThat(Files.getPosixFilePermissions(wal)).isEqualTo(ownerOnly);
        assertThat(Files.getPosixFilePermissions(shm)).isEqualTo(ownerOnly);

        // A file left world-readable by an earlier version is tightened when opened.
        Path old = dir.resolve("old").resolve("evmore.db");
        Files.createDirectories(old.getParent());
        Files.createFile(old, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try (JdbcSwapStore reopened = SwapStores.open(DatabaseSettings.sqlite(old))) {
            assertThat(reopened.ping()).isTrue();
            assertThat(Files.getPosixFilePermissions(old)).isEqualTo(ownerOnly);
        }
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
                    "ux_swaps_hashlock_holder");
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
