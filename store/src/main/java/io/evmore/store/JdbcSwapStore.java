package io.evmore.store;

import com.zaxxer.hikari.HikariDataSource;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.SwapState;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SwapStore} over JDBC for the embedded SQLite database and PostgreSQL, sharing one schema (Flyway
 * migrations in {@code db/migration}). Open it with {@link SwapStores#open}.
 *
 * <p>Transactions: a nested {@link #inTransaction} on the same thread joins the outer one. On SQLite every
 * transaction holds a fair in-process lock, because SQLite has a single writer: threads queue here instead of
 * failing with SQLITE_BUSY. Times are kept at millisecond precision in both databases.
 *
 * <p>This class holds the store's life (transactions, leases, fencing, the pool); one transaction's statements are
 * {@link SqlTx}, the tables' columns and rows {@link SwapRows}, the checks before a write {@link SwapRecordRules}, and
 * the rows about the relayer itself (lease term, addresses, intake pause) {@link RelayerRecords}.
 */
public final class JdbcSwapStore implements SwapStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSwapStore.class);
    /** application_name of a lease's own PostgreSQL session (pg_stat_activity): which process holds it. */
    static final String LEASE_APPLICATION_NAME = "evmore-relayer-lease pid " + ProcessHandle.current().pid();

    private final HikariDataSource dataSource;
    /** SQLite: connections that only read (query_only), used by {@link #read} without the writer lock; null for PostgreSQL. */
    private final HikariDataSource readers;
    private final SqlDialect dialect;
    private final String target;
    private final String secret;
    private final SwapRows rows;
    /** Serialises SQLite transactions; null for PostgreSQL. */
    private final ReentrantLock writerLock;
    private final ThreadLocal<SqlTx> current = new ThreadLocal<>();
    /** The SQLite database file (its lease lives beside it); null for PostgreSQL. */
    private final Path sqliteFile;
    /** Leases handed out and not yet released; released when the store closes. */
    private final Set<DatabaseLease> leases = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    JdbcSwapStore(HikariDataSource dataSource, SqlDialect dialect, String target, String secret, Path sqliteFile) {
        this(dataSource, null, dialect, target, secret, sqliteFile);
    }

    JdbcSwapStore(HikariDataSource dataSource, HikariDataSource readers, SqlDialect dialect, String target, String secret,
            Path sqliteFile) {
        this.dataSource = dataSource;
        this.readers = readers;
        this.dialect = dialect;
        this.target = target;
        this.secret = secret;
        this.sqliteFile = sqliteFile;
        this.rows = new SwapRows(dialect, target);
        this.writerLock = dialect == SqlDialect.SQLITE ? new ReentrantLock(true) : null;
        if ((dialect == SqlDialect.SQLITE) != (sqliteFile != null)) {
            throw new IllegalArgumentException("a SQLite store needs its file, a PostgreSQL store none");
        }
    }

    /**
     * Acquires the process lease {@code name} on this database for this process, with the default timings (see
     * {@link DatabaseLease}): call it once at start, before driving any swap, and keep it until shutdown. Closing the
     * store releases leases still held.
     *
     * @param name e.g. {@code "relayer"}; 1-64 characters of A-Z a-z 0-9 . _ : -
     * @throws LeaseHeldException if another process (or another lease in this one) holds it, naming the holder
     * @throws TransientException if the database cannot be reached now
     * @throws PermanentException otherwise (e.g. the lock file cannot be created)
     */
    public DatabaseLease acquireLease(String name) {
        return acquireLease(name, LeaseSettings.DEFAULT, LeaseHolder.thisProcess());
    }

    /**
     * Acquires lease {@code name} for {@code holder}. PostgreSQL: one takeover attempt (see {@link LeaseCandidate});
     * SQLite: the lock file, then a new epoch in the database ({@link #startTerm}).
     */
    public DatabaseLease acquireLease(String name, LeaseSettings settings, LeaseHolder holder) {
        DatabaseLease.checkName(name);
        if (closed) throw new PermanentException("store: " + target + " is closed");
        if (sqliteFile != null) {
            DatabaseLease lease;
            try {
                lease = DatabaseLease.sqlite(name, sqliteFile, holder);
            } catch (IOException e) {
                throw new PermanentException("store: acquire lease '" + name + "' failed on " + target
                        + ": cannot lock " + SqliteLockFile.lockFileOf(sqliteFile) + ": " + e, e);
            }
            try {
                return startTerm(lease);
            } catch (RuntimeException e) {
                lease.close();
                throw e;
            }
        }
        try (LeaseCandidate candidate = leaseCandidate(name, settings, holder)) {
            return candidate.tryAcquire();
        }
    }

    /**
     * A process that wants lease {@code name} on this PostgreSQL database and asks for it again and again (a standby)
     * on one session of its own, which becomes the lease's session when it wins.
     */
    public LeaseCandidate leaseCandidate(String name, LeaseSettings settings, LeaseHolder holder) {
        DatabaseLease.checkName(name);
        if (sqliteFile != null) {
            throw new PermanentException("store: " + target + " is an embedded SQLite database: one process on one machine,"
                    + " no standby (use PostgreSQL)");
        }
        return new LeaseCandidate(this, name, settings, holder);
    }

    /** Adopts a lease taken on this database: released when the store closes. */
    DatabaseLease adopt(DatabaseLease lease) {
        leases.add(lease);
        lease.onClose(() -> leases.remove(lease));
        LOG.info("store: lease '{}' acquired on {} (epoch {}, {})", lease.name(), target, lease.epoch(),
                lease.holder().describe());
        return lease;
    }

    /**
     * SQLite: starts the term of a lease whose lock file this process holds ({@link SwapStores#lockSqlite}, taken before
     * the database was opened): the database's {@code relayer_lease} row gets the next epoch and this holder. From then
     * on the lease fences this store ({@link #fencedBy}).
     */
    public DatabaseLease startTerm(DatabaseLease lease) {
        if (sqliteFile == null || !lease.isSqlite()) {
            throw new IllegalArgumentException("startTerm is for a SQLite lock file lease on this store's database");
        }
        if (!lease.target().equals(leaseTarget())) {
            throw new IllegalArgumentException("lease " + lease + " is for another database than " + target);
        }
        if (!lease.isHeld()) throw new PermanentException("store: " + lease + " is not held");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long epoch = inTransaction(tx -> records(tx).startSqliteTerm(lease, now));
        lease.began(epoch, now);
        return adopt(lease);
    }

    /** A PostgreSQL connection outside the pool (the pool may retire its connections, and a lease with them). */
    Connection openDedicatedConnection() throws SQLException {
        Properties props = new Properties();
        props.putAll(dataSource.getDataSourceProperties());
        if (dataSource.getUsername() != null) props.setProperty("user", dataSource.getUsername());
        if (dataSource.getPassword() != null) props.setProperty("password", dataSource.getPassword());
        props.setProperty("ApplicationName", LEASE_APPLICATION_NAME);
        return DriverManager.getConnection(dataSource.getJdbcUrl(), props);
    }

    /** How leases on this database name it (see {@link DatabaseLease#sqliteTarget}). */
    private String leaseTarget() {
        return sqliteFile != null ? DatabaseLease.sqliteTarget(sqliteFile) : target;
    }

    private static RelayerRecords records(Tx tx) {
        return new RelayerRecords((SqlTx) tx);
    }

    RelayerException translate(SQLException e, String operation) {
        return dialect.translate(e, operation, target, secret);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * The lease {@code name} as recorded: holder, epoch, expiry (PostgreSQL: and whether the holder's session is
     * connected). Empty if it was never taken. Read-only.
     */
    public Optional<LeaseInfo> leaseInfo(String name) {
        DatabaseLease.checkName(name);
        if (closed) throw new PermanentException("store: " + target + " is closed");
        try (Connection c = dataSource.getConnection()) {
            try {
                if (dialect == SqlDialect.POSTGRES) return PostgresLeaseRow.read(c, name, false);
                try (PreparedStatement ps = c.prepareStatement("SELECT epoch, holder_id, holder_host, holder_pid,"
                        + " holder_started, acquired_at FROM relayer_lease WHERE name = ?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) return Optional.empty();
                        return Optional.of(new LeaseInfo(name, rs.getLong(1), rs.getString(2), rs.getString(3),
                                rs.getLong(4), optionalInstant(rs, "holder_started"), optionalInstant(rs, "acquired_at"),
                                null, null, null, false));
                    }
                }
            } finally {
                if (!c.getAutoCommit()) c.rollback();
            }
        } catch (SQLException e) {
            throw dialect.translate(e, "read lease '" + name + "'", target, secret);
        }
    }

    private Instant optionalInstant(ResultSet rs, String column) throws SQLException {
        rs.getObject(column);
        return rs.wasNull() ? null : dialect.getInstant(rs, column);
    }

    /** The relayer addresses this database belongs to (chain id → address), as recorded by the first lease holder. */
    public Map<String, String> boundAddresses() {
        return inTransaction(tx -> records(tx).boundAddresses());
    }

    /**
     * Checks this process's signing addresses against the ones the database belongs to and records those of chains
     * not recorded yet — fenced by {@code lease}, in one transaction.
     *
     * @return every recorded address afterwards
     * @throws AddressMismatchException naming both addresses of each chain that differs (nothing is recorded then)
     */
    public Map<String, String> bindAddresses(DatabaseLease lease, Map<String, String> mine) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return inTransaction(tx -> {
            ((SqlTx) tx).fence(lease);
            RelayerRecords t = records(tx);
            Map<String, String> recorded = t.boundAddresses();
            AddressMismatchException.check(target, recorded, mine);
            Map<String, String> all = new java.util.TreeMap<>(recorded);
            for (var e : mine.entrySet()) {
                if (!recorded.containsKey(e.getKey())) {
                    t.recordAddress(e.getKey(), e.getValue(), now);
                    all.put(e.getKey(), e.getValue());
                    LOG.info("store: {} belongs to relayer address {} on {} (recorded)", target, e.getValue(), e.getKey());
                }
            }
            return Map.copyOf(all);
        });
    }

    /**
     * A deliberate change of the relayer's keys (rotation, with no swap in flight: the caller checks that): the recorded
     * addresses of {@code addresses}' chains are replaced, fenced by {@code lease}, in one transaction.
     *
     * @return every recorded address afterwards
     */
    public Map<String, String> rebindAddresses(DatabaseLease lease, Map<String, String> addresses) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return inTransaction(tx -> {
            ((SqlTx) tx).fence(lease);
            RelayerRecords t = records(tx);
            Map<String, String> before = t.boundAddresses();
            for (var e : addresses.entrySet()) {
                t.forgetAddress(e.getKey());
                t.recordAddress(e.getKey(), e.getValue(), now);
                if (!e.getValue().equals(before.get(e.getKey()))) {
                    LOG.warn("store: {} now belongs to relayer address {} on {} (was {})", target, e.getValue(), e.getKey(),
                            before.get(e.getKey()));
                }
            }
            return Map.copyOf(t.boundAddresses());
        });
    }

    /** The operator's last pause or resume of intake kept in this database; empty if nobody ever paused here. */
    public Optional<IntakeGate> intakeGate() {
        return inTransaction(tx -> records(tx).intakeGate());
    }

    /**
     * Records the operator's pause ({@code paused}) or resume of intake, fenced by {@code lease}: only the lease holder
     * decides, and a restart or a standby's takeover finds it ({@link #intakeGate}).
     */
    public IntakeGate recordIntakeGate(DatabaseLease lease, IntakeGate gate) {
        Objects.requireNonNull(gate, "gate");
        IntakeGate stored = new IntakeGate(gate.paused(), SwapRecordRules.bounded(gate.reason(), 512), gate.at().truncatedTo(ChronoUnit.MILLIS),
                SwapRecordRules.bounded(gate.by(), 255));
        inTransaction(tx -> {
            ((SqlTx) tx).fence(lease);
            records(tx).recordIntakeGate(stored);
            return null;
        });
        return stored;
    }

    /**
     * This store as seen by the holder of {@code lease}: every transaction first checks, in the same database
     * transaction, that the lease's epoch is still the database's (PostgreSQL: reading the lease row FOR SHARE, so a
     * takeover waits for it, and that it has not expired by the database's clock; SQLite: and that the lock file is
     * still locked) and throws {@link io.evmore.core.error.LeaseLostException} otherwise: a deposed process can write
     * nothing (nor act on what it reads).
     */
    public SwapStore fencedBy(DatabaseLease lease) {
        if (!lease.target().equals(leaseTarget())) {
            throw new IllegalArgumentException("lease " + lease + " is for another database than " + target);
        }
        return new Fenced(lease);
    }

    private final class Fenced implements SwapStore {
        private final DatabaseLease lease;

        Fenced(DatabaseLease lease) {
            this.lease = lease;
        }

        @Override
        public <T> T inTransaction(Function<Tx, T> work) {
            return JdbcSwapStore.this.inTransaction(fenced(work));
        }

        /** Reads fenced too: a deposed process must not act on what it reads. */
        @Override
        public <T> T read(Function<Tx, T> work) {
            return JdbcSwapStore.this.read(fenced(work));
        }

        /** {@code work} after the lease check, in the same transaction. */
        private <T> Function<Tx, T> fenced(Function<Tx, T> work) {
            Objects.requireNonNull(work, "work");
            return tx -> {
                ((SqlTx) tx).fence(lease);
                return work.apply(tx);
            };
        }

        @Override
        public int deleteTerminalBefore(Instant cutoff) {
            return JdbcSwapStore.deleteTerminalBefore(this, cutoff);
        }

        @Override
        public Map<SwapState, Long> countByState() {
            return JdbcSwapStore.countByState(this);
        }

        @Override
        public String toString() {
            return JdbcSwapStore.this + " fenced by epoch " + lease.epoch();
        }
    }

    /** Redacted target, e.g. {@code sqlite:data/evmore.db} or {@code postgresql://app@127.0.0.1:5432/evmore}. */
    public String describe() {
        return target;
    }

    /** True if the database answers a trivial query within a few seconds; never throws (for health checks). */
    public boolean ping() {
        if (closed) return false;
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(3);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Connection counts of the store's pool, e.g. for {@code evmore_pool_connections_*{pool="database"}}. */
    public record PoolStats(int active, int idle, int total) {}

    public PoolStats poolStats() {
        var bean = dataSource.getHikariPoolMXBean();
        if (bean == null || closed) return new PoolStats(0, 0, 0);
        return new PoolStats(bean.getActiveConnections(), bean.getIdleConnections(), bean.getTotalConnections());
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        Objects.requireNonNull(work, "work");
        SqlTx outer = current.get();
        if (outer != null) {
            return work.apply(outer);
        }
        if (closed) throw new PermanentException("store: " + target + " is closed");
        if (writerLock != null) {
            try {
                writerLock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientException("store: interrupted while waiting for the database write lock");
            }
        }
        try {
            return runTransaction(dataSource, false, work);
        } finally {
            if (writerLock != null) writerLock.unlock();
        }
    }

    /**
     * SQLite: on a reader connection (query_only: a write fails), in a deferred transaction that reads one snapshot
     * (WAL), without the writer lock — it waits for no write and no write waits for it. Inside a transaction of this
     * thread it joins that one. PostgreSQL: {@link #inTransaction}.
     */
    @Override
    public <T> T read(Function<Tx, T> work) {
        Objects.requireNonNull(work, "work");
        SqlTx outer = current.get();
        if (outer != null) {
            return work.apply(outer);
        }
        if (readers == null) return inTransaction(work);
        if (closed) throw new PermanentException("store: " + target + " is closed");
        return runTransaction(readers, true, work);
    }

    private <T> T runTransaction(HikariDataSource source, boolean readOnly, Function<Tx, T> work) {
        Connection c;
        try {
            c = source.getConnection();
        } catch (SQLException e) {
            throw dialect.translate(e, "get a connection", target, secret);
        }
        boolean reusable = true;
        try {
            try {
                if (readOnly) {
                    dialect.beginRead(c);
                } else {
                    dialect.begin(c);
                }
            } catch (SQLException e) {
                reusable = false;
                throw dialect.translate(e, "begin a transaction", target, secret);
            }
            SqlTx tx = new SqlTx(this, c, dialect, rows);
            current.set(tx);
            T result;
            try {
                result = work.apply(tx);
            } catch (RuntimeException | Error e) {
                reusable = rollbackQuietly(c, e);
                throw e;
            } finally {
                tx.end();
                current.remove();
            }
            if (tx.failure() != null) {
                // PostgreSQL has already aborted this transaction; SQLite would commit a half. Same rule for both.
                RelayerException swallowed = tx.failure();
                String msg = "store: transaction rolled back because a statement in it failed (the caller caught the"
                        + " error): " + swallowed.getMessage();
                RelayerException e = swallowed.isRetryable() ? new TransientException(msg, swallowed)
                        : new PermanentException(msg, swallowed);
                reusable = rollbackQuietly(c, e);
                throw e;
            }
            try {
                dialect.commit(c);
            } catch (SQLException e) {
                RelayerException translated = dialect.translate(e, "commit", target, secret);
                reusable = rollbackQuietly(c, translated);
                throw translated;
            }
            return result;
        } finally {
            if (!reusable) {
                // It may still hold an open transaction (SQLite: and the write lock); never hand it out again.
                source.evictConnection(c);
            }
            try {
                c.close();
            } catch (SQLException e) {
                // Returning the connection failed; the pool evicts it. Nothing the caller can do.
            }
        }
    }

    /** Returns false if the rollback failed (the failure is attached to {@code failure}). */
    private boolean rollbackQuietly(Connection c, Throwable failure) {
        try {
            dialect.rollback(c);
            return true;
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(dialect.translate(
                    e instanceof SQLException se ? se : new SQLException(e.getMessage(), e), "rollback", target,
                    secret));
            return false;
        }
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        return deleteTerminalBefore(this, cutoff);
    }

    @Override
    public Map<SwapState, Long> countByState() {
        return countByState(this);
    }

    /** Retention in one transaction of {@code store} (this store or its fenced view). */
    private static int deleteTerminalBefore(SwapStore store, Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        Instant at = cutoff.truncatedTo(ChronoUnit.MILLIS);
        return store.inTransaction(tx -> ((SqlTx) tx).deleteTerminalBefore(at));
    }

    private static Map<SwapState, Long> countByState(SwapStore store) {
        return store.inTransaction(tx -> ((SqlTx) tx).countByState());
    }

    @Override
    public void close() {
        closed = true;
        for (DatabaseLease lease : List.copyOf(leases)) lease.close();
        if (readers != null) readers.close();
        dataSource.close();
    }

    @Override
    public String toString() {
        return "JdbcSwapStore[" + target + "]";
    }
}
