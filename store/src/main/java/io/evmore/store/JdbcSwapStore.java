package io.evmore.store;

import com.zaxxer.hikari.HikariDataSource;
import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.PacketId;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.IllegalTransitionException;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SwapStore} over JDBC for the embedded SQLite database and PostgreSQL, sharing one schema (Flyway
 * migrations in {@code db/migration}). Open it with {@link SwapStores#open}.
 *
 * <p>Transactions: a nested {@link #inTransaction} on the same thread joins the outer one. On SQLite every
 * transaction holds a fair in-process lock, because SQLite has a single writer: threads queue here instead of
 * failing with SQLITE_BUSY. Times are kept at millisecond precision in both databases.
 */
public final class JdbcSwapStore implements SwapStore, AutoCloseable {
    static final String TERMINAL_STATES_SQL = Arrays.stream(SwapState.values())
            .filter(SwapState::isTerminal)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(",", "(", ")"));
    /** States in which a swap holds its hashlock (the unique index ux_swaps_hashlock_holder covers exactly these). */
    static final String HASHLOCK_HOLDER_STATES_SQL = Arrays.stream(SwapState.values())
            .filter(SwapState::holdsHashlock)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(",", "(", ")"));
    private static final String SWAP_COLUMNS = "id, from_chain, to_chain, source_htlc_id, dest_htlc_id, hashlock,"
            + " sender, receiver, source_asset, source_amount, dest_asset, dest_amount, source_timelock,"
            + " dest_timelock, status, created_at, updated_at, source_height, source_block_hash, source_tx_hash,"
            + " fee_amount, secret, last_error, counter_packet, dest_height";
    private static final String INTENT_COLUMNS = "id, swap_id, chain, action, nonce, tx_hash, status, created_at,"
            + " updated_at, hashes, raw_tx, timeout_height";
    /** Column limits, checked in code so both databases reject the same values with the same message. */
    static final int MAX_ID = 255;
    static final int MAX_CHAIN = 64;
    static final int MAX_AMOUNT_DIGITS = 78; // 2^256 - 1 has 78 digits
    static final int MAX_ACTION = 64;
    /** {@code last_error} is cut to this many characters when written (it is a diagnostic, not a log). */
    static final int MAX_ERROR = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSwapStore.class);
    /** application_name of a lease's own PostgreSQL session (pg_stat_activity): which process holds it. */
    static final String LEASE_APPLICATION_NAME = "evmore-relayer-lease pid " + ProcessHandle.current().pid();

    private final HikariDataSource dataSource;
    private final SqlDialect dialect;
    private final String target;
    private final String secret;
    /** Serialises SQLite transactions; null for PostgreSQL. */
    private final ReentrantLock writerLock;
    private final ThreadLocal<SqlTx> current = new ThreadLocal<>();
    /** The SQLite database file (its lease lives beside it); null for PostgreSQL. */
    private final Path sqliteFile;
    /** Leases handed out and not yet released; released when the store closes. */
    private final Set<DatabaseLease> leases = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    JdbcSwapStore(HikariDataSource dataSource, SqlDialect dialect, String target, String secret, Path sqliteFile) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.target = target;
        this.secret = secret;
        this.sqliteFile = sqliteFile;
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
                        + ": cannot lock " + DatabaseLease.lockFileOf(sqliteFile) + ": " + e, e);
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
        long epoch = inTransaction(tx -> ((SqlTx) tx).startSqliteTerm(lease, now));
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
                if (dialect == SqlDialect.POSTGRES) return DatabaseLease.readPostgres(c, name, false);
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
        return inTransaction(tx -> ((SqlTx) tx).boundAddresses());
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
            SqlTx t = (SqlTx) tx;
            t.fence(lease);
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
            SqlTx t = (SqlTx) tx;
            t.fence(lease);
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
        return inTransaction(tx -> ((SqlTx) tx).intakeGate());
    }

    /**
     * Records the operator's pause ({@code paused}) or resume of intake, fenced by {@code lease}: only the lease holder
     * decides, and a restart or a standby's takeover finds it ({@link #intakeGate}).
     */
    public IntakeGate recordIntakeGate(DatabaseLease lease, IntakeGate gate) {
        Objects.requireNonNull(gate, "gate");
        IntakeGate stored = new IntakeGate(gate.paused(), bounded(gate.reason(), 512), gate.at().truncatedTo(ChronoUnit.MILLIS),
                bounded(gate.by(), 255));
        inTransaction(tx -> {
            SqlTx t = (SqlTx) tx;
            t.fence(lease);
            t.recordIntakeGate(stored);
            return null;
        });
        return stored;
    }

    private static String bounded(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
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
            Objects.requireNonNull(work, "work");
            return JdbcSwapStore.this.inTransaction(tx -> {
                ((SqlTx) tx).fence(lease);
                return work.apply(tx);
            });
        }

        @Override
        public int deleteTerminalBefore(Instant cutoff) {
            Objects.requireNonNull(cutoff, "cutoff");
            Instant at = cutoff.truncatedTo(ChronoUnit.MILLIS);
            return inTransaction(tx -> ((SqlTx) tx).deleteTerminalBefore(at));
        }

        @Override
        public Map<SwapState, Long> countByState() {
            return inTransaction(tx -> ((SqlTx) tx).countByState());
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
            return runTransaction(work);
        } finally {
            if (writerLock != null) writerLock.unlock();
        }
    }

    private <T> T runTransaction(Function<Tx, T> work) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw dialect.translate(e, "get a connection", target, secret);
        }
        boolean reusable = true;
        try {
            try {
                dialect.begin(c);
            } catch (SQLException e) {
                reusable = false;
                throw dialect.translate(e, "begin a transaction", target, secret);
            }
            SqlTx tx = new SqlTx(c);
            current.set(tx);
            T result;
            try {
                result = work.apply(tx);
            } catch (RuntimeException | Error e) {
                reusable = rollbackQuietly(c, e);
                throw e;
            } finally {
                tx.open = false;
                current.remove();
            }
            if (tx.failure != null) {
                // PostgreSQL has already aborted this transaction; SQLite would commit a half. Same rule for both.
                RelayerException swallowed = tx.failure;
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
                dataSource.evictConnection(c);
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
        Objects.requireNonNull(cutoff, "cutoff");
        Instant at = cutoff.truncatedTo(ChronoUnit.MILLIS);
        return inTransaction(tx -> ((SqlTx) tx).deleteTerminalBefore(at));
    }

    @Override
    public Map<SwapState, Long> countByState() {
        return inTransaction(tx -> ((SqlTx) tx).countByState());
    }

    @Override
    public void close() {
        closed = true;
        for (DatabaseLease lease : List.copyOf(leases)) lease.close();
        dataSource.close();
    }

    @Override
    public String toString() {
        return "JdbcSwapStore[" + target + "]";
    }

    private final class SqlTx implements Tx {
        private final Connection c;
        private boolean open = true;
        /** First database error inside this transaction, even if the work caught it. */
        private RelayerException failure;

        SqlTx(Connection c) {
            this.c = c;
        }

        private void checkOpen() {
            if (!open) throw new IllegalStateException("store transaction already ended; use Tx only inside its work");
        }

        /** Epoch this transaction was checked against (0 = not yet). */
        private long fencedEpoch;

        /** See {@link JdbcSwapStore#fencedBy}. Once per transaction. */
        void fence(DatabaseLease lease) {
            checkOpen();
            if (fencedEpoch == lease.epoch() && fencedEpoch != 0) return;
            String what = "lease '" + lease.name() + "' (epoch " + lease.epoch() + ")";
            if (lease.isSqlite() && !lease.isHeld()) {
                throw new io.evmore.core.error.LeaseLostException(what + ": the lock file lock is no longer held by this"
                        + " process; nothing written");
            }
            boolean pg = dialect == SqlDialect.POSTGRES;
            try (PreparedStatement ps = c.prepareStatement("SELECT epoch, holder_id, holder_host, holder_pid"
                    + (pg ? ", expires_at > clock_timestamp(), expires_at" : "")
                    + " FROM relayer_lease WHERE name = ?" + dialect.forShare())) {
                ps.setString(1, lease.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new io.evmore.core.error.LeaseLostException(what + ": the database has no such lease;"
                                + " nothing written");
                    }
                    long epoch = rs.getLong(1);
                    String holderId = rs.getString(2);
                    if (epoch != lease.epoch() || !lease.holder().id().equals(holderId)) {
                        throw new io.evmore.core.error.LeaseLostException(what + ": deposed, the database's epoch is "
                                + epoch + (holderId == null ? " (released)" : " held by " + rs.getString(3) + "/"
                                + rs.getLong(4)) + "; nothing written");
                    }
                    if (pg && !rs.getBoolean(5)) {
                        throw new io.evmore.core.error.LeaseLostException(what + ": expired at " + rs.getObject(6)
                                + " by the database's clock and not renewed since; nothing written");
                    }
                }
            } catch (SQLException e) {
                throw fail(e, "check " + what);
            }
            fencedEpoch = lease.epoch();
        }

        long startSqliteTerm(DatabaseLease lease, Instant now) {
            try {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO relayer_lease (name, epoch) VALUES (?, 0) ON CONFLICT (name) DO NOTHING")) {
                    ps.setString(1, lease.name());
                    ps.executeUpdate();
                }
                long epoch;
                try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM relayer_lease WHERE name = ?")) {
                    ps.setString(1, lease.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        epoch = rs.getLong(1) + 1;
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE relayer_lease SET epoch = ?, holder_id = ?,"
                        + " holder_host = ?, holder_pid = ?, holder_started = ?, acquired_at = ?, renewed_at = NULL,"
                        + " expires_at = NULL WHERE name = ?")) {
                    ps.setLong(1, epoch);
                    ps.setString(2, lease.holder().id());
                    ps.setString(3, lease.holder().host());
                    ps.setLong(4, lease.holder().pid());
                    dialect.setInstant(ps, 5, ms(lease.holder().processStarted()));
                    dialect.setInstant(ps, 6, now);
                    ps.setString(7, lease.name());
                    ps.executeUpdate();
                }
                return epoch;
            } catch (SQLException e) {
                throw fail(e, "start the term of lease '" + lease.name() + "'");
            }
        }

        Map<String, String> boundAddresses() {
            checkOpen();
            Map<String, String> out = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT chain, address FROM relayer_addresses");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                return out;
            } catch (SQLException e) {
                throw fail(e, "read the relayer's recorded addresses");
            }
        }

        Optional<IntakeGate> intakeGate() {
            checkOpen();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT paused, reason, changed_at, changed_by FROM relayer_intake WHERE name = 'intake'");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new IntakeGate(rs.getBoolean(1), rs.getString(2), dialect.getInstant(rs, "changed_at"),
                        rs.getString(4)));
            } catch (SQLException e) {
                throw fail(e, "read the intake pause");
            }
        }

        void recordIntakeGate(IntakeGate gate) {
            checkOpen();
            try (PreparedStatement del = c.prepareStatement("DELETE FROM relayer_intake WHERE name = 'intake'");
                    PreparedStatement ins = c.prepareStatement("INSERT INTO relayer_intake (name, paused, reason, changed_at,"
                            + " changed_by) VALUES ('intake',?,?,?,?)")) {
                del.executeUpdate();
                ins.setBoolean(1, gate.paused());
                ins.setString(2, gate.reason());
                dialect.setInstant(ins, 3, gate.at());
                ins.setString(4, gate.by());
                ins.executeUpdate();
            } catch (SQLException e) {
                throw fail(e, (gate.paused() ? "record the intake pause" : "record the intake resume"));
            }
        }

        void forgetAddress(String chain) {
            checkOpen();
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM relayer_addresses WHERE chain = ?")) {
                ps.setString(1, chain);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw fail(e, "forget the relayer's address on " + chain);
            }
        }

        void recordAddress(String chain, String address, Instant at) {
            checkOpen();
            checkLength(chain, MAX_CHAIN, "chain", "relayer address");
            checkLength(address, MAX_ID, "address", "relayer address on " + chain);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO relayer_addresses (chain, address, recorded_at) VALUES (?,?,?)")) {
                ps.setString(1, chain);
                ps.setString(2, address);
                dialect.setInstant(ps, 3, at);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw fail(e, "record the relayer's address on " + chain);
            }
        }

        private RelayerException fail(SQLException e, String operation) {
            RelayerException translated = dialect.translate(e, operation, target, secret);
            if (failure == null) failure = translated;
            return translated;
        }

        @Override
        public void insert(Swap swap, String cause) {
            checkOpen();
            Objects.requireNonNull(swap, "swap");
            requireCause(cause);
            validate(swap);
            String op = "insert swap " + swap.id();
            Instant created = ms(swap.createdAt());
            Instant updated = ms(swap.updatedAt());
            try {
                if (exists("SELECT 1 FROM swaps WHERE id = ?", swap.id())) {
                    throw new PermanentException("store: " + op + ": a swap with this id already exists");
                }
                if (swap.state().holdsHashlock() && exists("SELECT 1 FROM swaps WHERE hashlock = ? AND status IN "
                        + HASHLOCK_HOLDER_STATES_SQL, swap.hashlock().hex())) {
                    throw new PermanentException("store: " + op + ": hashlock " + swap.hashlock().hex()
                            + " is already held by another swap");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO swaps (" + SWAP_COLUMNS
                        + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    ps.setString(1, swap.id());
                    ps.setString(2, swap.fromChain().value());
                    ps.setString(3, swap.toChain().value());
                    ps.setString(4, swap.sourceHtlcId());
                    ps.setString(5, swap.destHtlcId());
                    ps.setString(6, swap.hashlock().hex());
                    ps.setString(7, swap.sender());
                    ps.setString(8, swap.receiver());
                    ps.setString(9, swap.sourceAsset());
                    ps.setString(10, swap.sourceAmount().toString());
                    ps.setString(11, swap.destAsset());
                    ps.setString(12, swap.destAmount() == null ? null : swap.destAmount().toString());
                    ps.setLong(13, swap.sourceTimelock());
                    ps.setLong(14, swap.destTimelock());
                    ps.setString(15, swap.state().name());
                    dialect.setInstant(ps, 16, created);
                    dialect.setInstant(ps, 17, updated);
                    ps.setLong(18, swap.sourceHeight());
                    ps.setString(19, swap.sourceBlockHash());
                    ps.setString(20, swap.sourceTxHash());
                    ps.setString(21, swap.feeAmount() == null ? null : swap.feeAmount().toString());
                    ps.setString(22, swap.secret() == null ? null : swap.secret().hex());
                    ps.setString(23, truncateError(swap.lastError()));
                    ps.setString(24, swap.counterPacket() == null ? null : swap.counterPacket().text());
                    ps.setLong(25, swap.destHeight());
                    ps.executeUpdate();
                }
                writeTransition(swap.id(), null, swap.state(), cause, null, updated);
            } catch (SQLException e) {
                throw fail(e, op);
            }
        }

        @Override
        public Optional<Swap> find(String swapId) {
            checkOpen();
            Objects.requireNonNull(swapId, "swapId");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE id = ?")) {
                ps.setString(1, swapId);
                List<Swap> found = readSwaps(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            } catch (SQLException e) {
                throw fail(e, "find swap " + swapId);
            }
        }

        @Override
        public List<Swap> findAllByHashlock(Hashlock hashlock) {
            checkOpen();
            Objects.requireNonNull(hashlock, "hashlock");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE hashlock = ?"
                    + " ORDER BY created_at, id")) {
                ps.setString(1, hashlock.hex());
                return readSwaps(ps);
            } catch (SQLException e) {
                throw fail(e, "find swaps by hashlock " + hashlock.hex());
            }
        }

        /** Prefers the active swap; otherwise the most recently created one with this destination lock. */
        @Override
        public Optional<Swap> findByDestHtlcId(ChainId chain, String destHtlcId) {
            checkOpen();
            Objects.requireNonNull(chain, "chain");
            Objects.requireNonNull(destHtlcId, "destHtlcId");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE to_chain = ?"
                    + " AND dest_htlc_id = ? ORDER BY CASE WHEN status IN " + TERMINAL_STATES_SQL + " THEN 1 ELSE 0"
                    + " END, created_at DESC, id LIMIT 1")) {
                ps.setString(1, chain.value());
                ps.setString(2, destHtlcId);
                List<Swap> found = readSwaps(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            } catch (SQLException e) {
                throw fail(e, "find swap by destination lock " + destHtlcId + " on " + chain);
            }
        }

        @Override
        public Optional<Swap> findByCounterPacket(PacketId packet) {
            checkOpen();
            Objects.requireNonNull(packet, "packet");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE counter_packet = ?"
                    + " ORDER BY created_at DESC, id LIMIT 1")) {
                ps.setString(1, packet.text());
                List<Swap> found = readSwaps(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            } catch (SQLException e) {
                throw fail(e, "find swap by counter-lock packet " + packet);
            }
        }

        @Override
        public List<Swap> pending(int limit, int offset) {
            checkOpen();
            if (limit < 1) throw new IllegalArgumentException("pending limit must be >= 1, got " + limit);
            if (offset < 0) throw new IllegalArgumentException("pending offset must be >= 0, got " + offset);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE status NOT IN "
                    + TERMINAL_STATES_SQL + " ORDER BY created_at, id LIMIT ? OFFSET ?")) {
                ps.setInt(1, limit);
                ps.setInt(2, offset);
                return readSwaps(ps);
            } catch (SQLException e) {
                throw fail(e, "list pending swaps");
            }
        }

        /** Lowest source height first (then created_at, id). Swaps with an unknown height (0) are never above. */
        @Override
        public List<Swap> sourcesAbove(ChainId chain, long height) {
            checkOpen();
            Objects.requireNonNull(chain, "chain");
            if (height < 0) throw new IllegalArgumentException("height must be >= 0, got " + height);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE from_chain = ?"
                    + " AND source_height > ? AND status NOT IN " + TERMINAL_STATES_SQL
                    + " ORDER BY source_height, created_at, id")) {
                ps.setString(1, chain.value());
                ps.setLong(2, height);
                return readSwaps(ps);
            } catch (SQLException e) {
                throw fail(e, "list swaps from " + chain + " above height " + height);
            }
        }

        @Override
        public Swap transition(Swap updated, SwapState expected, SwapState next, String cause, String txHash,
                Instant at) {
            checkOpen();
            Objects.requireNonNull(updated, "updated");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(at, "at");
            requireCause(cause);
            checkLength(txHash, MAX_ID, "txHash", updated.id());
            String id = updated.id();
            String op = "transition swap " + id + " " + expected + " -> " + next;
            if (!expected.canMoveTo(next)) {
                throw new IllegalTransitionException(id, expected, next);
            }
            validate(updated);
            Instant when = ms(at);
            try {
                Swap stored = lockForChange(id, op);
                if (stored.state() != expected) {
                    throw new IllegalTransitionException("swap " + id + ": expected state " + expected
                            + " but the stored state is " + stored.state() + " (moved by someone else); not moving to "
                            + next);
                }
                requireSameIdentity(stored, updated, "a transition");
                Swap result = merge(stored, updated, next, when);
                if (!writeFields(result, expected)) {
                    // Compare-and-set lost: another transaction moved the swap after our read.
                    throw new IllegalTransitionException("swap " + id + ": state is no longer " + expected
                            + " (moved concurrently); not moving to " + next);
                }
                writeTransition(id, expected, next, cause, txHash, when);
                return result;
            } catch (SQLException e) {
                throw fail(e, op);
            }
        }

        /** Field changes without a state change; updated_at becomes {@code updated.updatedAt()} unless that is older. */
        @Override
        public Swap update(Swap updated, SwapState expected) {
            checkOpen();
            Objects.requireNonNull(updated, "updated");
            Objects.requireNonNull(expected, "expected");
            String id = updated.id();
            String op = "update swap " + id + " in " + expected;
            validate(updated);
            try {
                Swap stored = lockForChange(id, op);
                if (stored.state() != expected) {
                    throw new IllegalTransitionException("swap " + id + ": expected state " + expected
                            + " but the stored state is " + stored.state() + " (moved by someone else); not updating");
                }
                requireSameIdentity(stored, updated, "an update");
                // A stale copy must not move updated_at backwards (retention of terminal swaps reads it).
                Instant at = ms(updated.updatedAt());
                if (at.isBefore(stored.updatedAt())) at = stored.updatedAt();
                Swap result = merge(stored, updated, expected, at);
                if (!writeFields(result, expected)) {
                    throw new IllegalTransitionException("swap " + id + ": state is no longer " + expected
                            + " (moved concurrently); not updating");
                }
                return result;
            } catch (SQLException e) {
                throw fail(e, op);
            }
        }

        @Override
        public void deleteDetected(String swapId, String cause) {
            checkOpen();
            Objects.requireNonNull(swapId, "swapId");
            requireCause(cause);
            String op = "delete detected swap " + swapId;
            try {
                Swap stored = lockForChange(swapId, op);
                if (stored.state() != SwapState.DETECTED) {
                    throw new IllegalTransitionException("swap " + swapId + ": only a DETECTED swap can be deleted,"
                            + " the stored state is " + stored.state());
                }
                // Nothing may have been sent for a DETECTED swap; if something was, its record must stay.
                for (TxIntent i : intentsOf(swapId)) {
                    if (i.mayHaveBeenBroadcast()) {
                        throw new PermanentException("store: " + op + ": its intent " + i.id()
                                + " may have been broadcast; keeping the swap");
                    }
                }
                List<String> ids = List.of(swapId);
                deleteByIds("DELETE FROM tx_intents WHERE swap_id = ?", ids);
                deleteByIds("DELETE FROM swap_transitions WHERE swap_id = ?", ids);
                deleteByIds("DELETE FROM swaps WHERE id = ?", ids);
                LOG.info("store: deleted detected swap {} ({})", swapId, cause);
            } catch (SQLException e) {
                throw fail(e, op);
            }
        }

        /** Reads the swap for a change, locking its row (PostgreSQL) or under the database write lock (SQLite). */
        private Swap lockForChange(String id, String op) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + SWAP_COLUMNS + " FROM swaps WHERE id = ?" + dialect.forUpdate())) {
                ps.setString(1, id);
                List<Swap> found = readSwaps(ps);
                if (found.isEmpty()) throw new PermanentException("store: " + op + ": no such swap");
                return found.get(0);
            }
        }

        /** Writes every changeable field and the state of {@code s} if the stored state is still {@code expected}. */
        private boolean writeFields(Swap s, SwapState expected) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("UPDATE swaps SET dest_htlc_id = ?, dest_asset = ?,"
                    + " dest_amount = ?, dest_timelock = ?, source_height = ?, source_block_hash = ?,"
                    + " source_tx_hash = ?, fee_amount = ?, secret = ?, last_error = ?, status = ?, updated_at = ?,"
                    + " counter_packet = ?, dest_height = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, s.destHtlcId());
                ps.setString(2, s.destAsset());
                ps.setString(3, s.destAmount() == null ? null : s.destAmount().toString());
                ps.setLong(4, s.destTimelock());
                ps.setLong(5, s.sourceHeight());
                ps.setString(6, s.sourceBlockHash());
                ps.setString(7, s.sourceTxHash());
                ps.setString(8, s.feeAmount() == null ? null : s.feeAmount().toString());
                ps.setString(9, s.secret() == null ? null : s.secret().hex());
                ps.setString(10, s.lastError());
                ps.setString(11, s.state().name());
                dialect.setInstant(ps, 12, s.updatedAt());
                ps.setString(13, s.counterPacket() == null ? null : s.counterPacket().text());
                ps.setLong(14, s.destHeight());
                ps.setString(15, s.id());
                ps.setString(16, expected.name());
                return ps.executeUpdate() == 1;
            }
        }

        @Override
        public List<SwapTransition> transitions(String swapId) {
            checkOpen();
            Objects.requireNonNull(swapId, "swapId");
            try (PreparedStatement ps = c.prepareStatement("SELECT swap_id, from_status, to_status, cause, tx_hash,"
                    + " occurred_at FROM swap_transitions WHERE swap_id = ? ORDER BY seq")) {
                ps.setString(1, swapId);
                List<SwapTransition> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String from = rs.getString("from_status");
                        out.add(new SwapTransition(rs.getString("swap_id"),
                                from == null ? null : state(from, swapId), state(rs.getString("to_status"), swapId),
                                rs.getString("cause"), rs.getString("tx_hash"),
                                dialect.getInstant(rs, "occurred_at")));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw fail(e, "read transitions of swap " + swapId);
            }
        }

        @Override
        public Optional<ChainCursor> cursor(ChainId chain) {
            checkOpen();
            Objects.requireNonNull(chain, "chain");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT chain, height, block_hash FROM chain_cursors WHERE chain = ?")) {
                ps.setString(1, chain.value());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new ChainCursor(chain, rs.getLong("height"), rs.getString("block_hash")));
                }
            } catch (SQLException e) {
                throw fail(e, "load cursor of " + chain);
            }
        }

        @Override
        public void saveCursor(ChainCursor cursor, Instant at) {
            checkOpen();
            Objects.requireNonNull(cursor, "cursor");
            Objects.requireNonNull(at, "at");
            checkLength(cursor.chain().value(), MAX_CHAIN, "chain", cursor.chain().value());
            checkLength(cursor.blockHash(), MAX_ID, "blockHash", "cursor of " + cursor.chain());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO chain_cursors (chain, height, block_hash,"
                    + " updated_at) VALUES (?,?,?,?) ON CONFLICT (chain) DO UPDATE SET height = excluded.height,"
                    + " block_hash = excluded.block_hash, updated_at = excluded.updated_at")) {
                ps.setString(1, cursor.chain().value());
                ps.setLong(2, cursor.height());
                ps.setString(3, cursor.blockHash());
                dialect.setInstant(ps, 4, ms(at));
                ps.executeUpdate();
            } catch (SQLException e) {
                throw fail(e, "save cursor of " + cursor.chain());
            }
        }

        /**
         * Inserts or updates the intent. Its swap, chain and action cannot change. Hashes are never forgotten: the
         * stored list is kept and the intent's new hashes are appended, so a stale copy of an intent cannot erase a
         * broadcast that reconciliation must look for.
         */
        @Override
        public void saveIntent(TxIntent intent) {
            checkOpen();
            Objects.requireNonNull(intent, "intent");
            checkLength(intent.id(), MAX_ID, "id", "intent");
            checkLength(intent.swapId(), MAX_ID, "swapId", "intent " + intent.id());
            checkLength(intent.chain().value(), MAX_CHAIN, "chain", "intent " + intent.id());
            checkLength(intent.action(), MAX_ACTION, "action", "intent " + intent.id());
            checkLength(intent.txHash(), MAX_ID, "txHash", "intent " + intent.id());
            for (String h : intent.hashes()) checkHash(h, intent.id());
            String op = "save intent " + intent.id();
            try {
                Optional<TxIntent> existing = intent(intent.id());
                if (existing.isPresent()) {
                    TxIntent old = existing.get();
                    if (!Objects.equals(old.swapId(), intent.swapId()) || !old.chain().equals(intent.chain())
                            || !old.action().equals(intent.action())) {
                        throw new PermanentException("store: " + op + ": swap, chain and action of an intent cannot"
                                + " change (stored " + old.swapId() + "/" + old.chain() + "/" + old.action() + ")");
                    }
                    List<String> hashes = new ArrayList<>(old.hashes());
                    for (String h : intent.hashes()) if (!hashes.contains(h)) hashes.add(h);
                    try (PreparedStatement ps = c.prepareStatement("UPDATE tx_intents SET nonce = ?, tx_hash = ?,"
                            + " status = ?, updated_at = ?, hashes = ?, raw_tx = ?, timeout_height = ? WHERE id = ?")) {
                        ps.setLong(1, intent.nonce());
                        ps.setString(2, intent.txHash());
                        ps.setString(3, intent.status().name());
                        dialect.setInstant(ps, 4, ms(intent.updatedAt()));
                        ps.setString(5, joinHashes(hashes));
                        ps.setString(6, intent.rawTx());
                        ps.setLong(7, intent.timeoutHeight());
                        ps.setString(8, intent.id());
                        ps.executeUpdate();
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO tx_intents (" + INTENT_COLUMNS
                            + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                        ps.setString(1, intent.id());
                        if (intent.swapId() == null) ps.setNull(2, Types.VARCHAR);
                        else ps.setString(2, intent.swapId());
                        ps.setString(3, intent.chain().value());
                        ps.setString(4, intent.action());
                        ps.setLong(5, intent.nonce());
                        ps.setString(6, intent.txHash());
                        ps.setString(7, intent.status().name());
                        dialect.setInstant(ps, 8, ms(intent.createdAt()));
                        dialect.setInstant(ps, 9, ms(intent.updatedAt()));
                        ps.setString(10, joinHashes(intent.hashes()));
                        ps.setString(11, intent.rawTx());
                        ps.setLong(12, intent.timeoutHeight());
                        ps.executeUpdate();
                    }
                }
            } catch (SQLException e) {
                throw fail(e, op);
            }
        }

        @Override
        public Optional<TxIntent> intent(String intentId) {
            checkOpen();
            Objects.requireNonNull(intentId, "intentId");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + INTENT_COLUMNS + " FROM tx_intents WHERE id = ?")) {
                ps.setString(1, intentId);
                List<TxIntent> found = readIntents(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            } catch (SQLException e) {
                throw fail(e, "load intent " + intentId);
            }
        }

        @Override
        public List<TxIntent> intentsOf(String swapId) {
            checkOpen();
            Objects.requireNonNull(swapId, "swapId");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + INTENT_COLUMNS + " FROM tx_intents"
                    + " WHERE swap_id = ? ORDER BY created_at, id")) {
                ps.setString(1, swapId);
                return readIntents(ps);
            } catch (SQLException e) {
                throw fail(e, "list intents of swap " + swapId);
            }
        }

        @Override
        public List<TxIntent> openIntents(ChainId chain) {
            checkOpen();
            Objects.requireNonNull(chain, "chain");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + INTENT_COLUMNS + " FROM tx_intents"
                    + " WHERE chain = ? AND status IN (?, ?) ORDER BY created_at, id")) {
                ps.setString(1, chain.value());
                ps.setString(2, TxIntent.Status.PENDING.name());
                ps.setString(3, TxIntent.Status.BROADCAST.name());
                return readIntents(ps);
            } catch (SQLException e) {
                throw fail(e, "list open intents of " + chain);
            }
        }

        int deleteTerminalBefore(Instant cutoff) {
            checkOpen();
            try {
                List<String> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM swaps WHERE status IN "
                        + TERMINAL_STATES_SQL + " AND updated_at < ? ORDER BY id" + dialect.forUpdate())) {
                    dialect.setInstant(ps, 1, cutoff);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) ids.add(rs.getString(1));
                    }
                }
                if (ids.isEmpty()) return 0;
                // Children first, so this works whether or not the database enforces ON DELETE CASCADE.
                for (String table : List.of("tx_intents", "swap_transitions")) {
                    deleteByIds("DELETE FROM " + table + " WHERE swap_id = ?", ids);
                }
                deleteByIds("DELETE FROM swaps WHERE id = ?", ids);
                return ids.size();
            } catch (SQLException e) {
                throw fail(e, "delete terminal swaps updated before " + cutoff);
            }
        }

        Map<SwapState, Long> countByState() {
            checkOpen();
            Map<SwapState, Long> counts = new EnumMap<>(SwapState.class);
            for (SwapState s : SwapState.values()) counts.put(s, 0L);
            try (PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM swaps GROUP BY status");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(state(rs.getString(1), "(count)"), rs.getLong(2));
                }
                return counts;
            } catch (SQLException e) {
                throw fail(e, "count swaps by state");
            }
        }

        private void deleteByIds(String sql, List<String> ids) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (String id : ids) {
                    ps.setString(1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }

        private void writeTransition(String swapId, SwapState from, SwapState to, String cause, String txHash,
                Instant at) throws SQLException {
            // seq orders the trail exactly; it is computed under the swap row's lock (PostgreSQL: the UPDATE /
            // INSERT above; SQLite: the database write lock), so it cannot race.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO swap_transitions (swap_id, seq, from_status,"
                    + " to_status, cause, tx_hash, occurred_at) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?"
                    + " FROM swap_transitions WHERE swap_id = ?")) {
                ps.setString(1, swapId);
                ps.setString(2, from == null ? null : from.name());
                ps.setString(3, to.name());
                ps.setString(4, cause);
                ps.setString(5, txHash);
                dialect.setInstant(ps, 6, at);
                ps.setString(7, swapId);
                ps.executeUpdate();
            }
        }

        private boolean exists(String sql, String... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }

        private List<Swap> readSwaps(PreparedStatement ps) throws SQLException {
            List<Swap> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(readSwap(rs));
            }
            return out;
        }

        private Swap readSwap(ResultSet rs) throws SQLException {
            String id = rs.getString("id");
            try {
                return new Swap(id, ChainId.of(rs.getString("from_chain")), ChainId.of(rs.getString("to_chain")),
                        rs.getString("source_htlc_id"), rs.getString("dest_htlc_id"),
                        Hashlock.fromHex(rs.getString("hashlock")), rs.getString("sender"), rs.getString("receiver"),
                        rs.getString("source_asset"), amount(rs.getString("source_amount"), "source_amount", id),
                        rs.getString("dest_asset"), amount(rs.getString("dest_amount"), "dest_amount", id),
                        rs.getLong("source_timelock"), rs.getLong("dest_timelock"), state(rs.getString("status"), id),
                        dialect.getInstant(rs, "created_at"), dialect.getInstant(rs, "updated_at"),
                        rs.getLong("source_height"), rs.getString("source_block_hash"), rs.getString("source_tx_hash"),
                        amount(rs.getString("fee_amount"), "fee_amount", id), secret(rs.getString("secret"), id),
                        rs.getString("last_error"),
                        rs.getString("counter_packet") == null ? null : PacketId.parse(rs.getString("counter_packet")),
                        rs.getLong("dest_height"));
            } catch (IllegalArgumentException e) {
                throw new PermanentException("store: swap " + id + " in " + target + " has an invalid stored value: "
                        + e.getMessage(), e);
            }
        }

        private List<TxIntent> readIntents(PreparedStatement ps) throws SQLException {
            List<TxIntent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString("id");
                    TxIntent.Status status;
                    try {
                        status = TxIntent.Status.valueOf(rs.getString("status"));
                        out.add(new TxIntent(id, rs.getString("swap_id"), ChainId.of(rs.getString("chain")),
                                rs.getString("action"), rs.getLong("nonce"), rs.getString("tx_hash"), status,
                                dialect.getInstant(rs, "created_at"), dialect.getInstant(rs, "updated_at"),
                                splitHashes(rs.getString("hashes")), rs.getString("raw_tx"),
                                rs.getLong("timeout_height")));
                    } catch (IllegalArgumentException e) {
                        throw new PermanentException("store: intent " + id + " in " + target
                                + " has an invalid stored value: " + e.getMessage(), e);
                    }
                }
            }
            return out;
        }
    }

    private static SwapState state(String name, String swapId) {
        try {
            return SwapState.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PermanentException("store: swap " + swapId + " has an unknown stored state '" + name + "'");
        }
    }

    private static BigInteger amount(String text, String column, String swapId) {
        if (text == null) return null;
        if (!text.matches("[0-9]{1," + MAX_AMOUNT_DIGITS + "}")) {
            throw new PermanentException("store: swap " + swapId + " has an invalid stored " + column);
        }
        return new BigInteger(text);
    }

    /** Stored as lowercase hex; a row that does not decode or open its hashlock is refused by the record. */
    private static Secret secret(String hex, String swapId) {
        if (hex == null) return null;
        if (!hex.matches("[0-9a-f]{" + (2 * Secret.LENGTH) + "}")) {
            throw new PermanentException("store: swap " + swapId + " has an invalid stored secret");
        }
        return Secret.fromHex(hex);
    }

    /** Comma-separated: transaction hashes are hex (checked on write), so a comma never occurs in one. */
    private static String joinHashes(List<String> hashes) {
        return hashes.isEmpty() ? null : String.join(",", hashes);
    }

    private static List<String> splitHashes(String text) {
        if (text == null || text.isEmpty()) return List.of();
        return List.of(text.split(",", -1));
    }

    private static void checkHash(String hash, String intentId) {
        checkLength(hash, MAX_ID, "hash", "intent " + intentId);
        if (hash.isBlank() || hash.indexOf(',') >= 0 || !hash.strip().equals(hash)) {
            throw new IllegalArgumentException("intent " + intentId + ": a transaction hash must be non-blank,"
                    + " without commas or surrounding spaces");
        }
    }

    /** Bounds last_error; cuts on a character boundary and marks the cut. */
    static String truncateError(String error) {
        if (error == null || error.length() <= MAX_ERROR) return error;
        int end = MAX_ERROR - 3;
        if (Character.isHighSurrogate(error.charAt(end - 1))) end--;
        return error.substring(0, end) + "...";
    }

    /**
     * The stored swap with the changeable fields of {@code updated}: the counter-lock and quote, the source
     * location, the last error, the secret, the counter-lock packet and its height. The secret, the packet and the
     * height are write-once: a stored one is kept when {@code updated} has none (a stale copy must not lose the claim,
     * nor the packet an acknowledgement is matched by); a different secret cannot open the same hashlock (the record
     * checks that).
     */
    private static Swap merge(Swap stored, Swap updated, SwapState state, Instant at) {
        Secret secret = updated.secret() != null ? updated.secret() : stored.secret();
        return new Swap(stored.id(), stored.fromChain(), stored.toChain(), stored.sourceHtlcId(),
                updated.destHtlcId(), stored.hashlock(), stored.sender(), stored.receiver(), stored.sourceAsset(),
                stored.sourceAmount(), updated.destAsset(), updated.destAmount(), stored.sourceTimelock(),
                updated.destTimelock(), state, stored.createdAt(), at, updated.sourceHeight(),
                updated.sourceBlockHash(), updated.sourceTxHash(), updated.feeAmount(), secret,
                truncateError(updated.lastError()),
                updated.counterPacket() != null ? updated.counterPacket() : stored.counterPacket(),
                updated.destHeight() != 0 ? updated.destHeight() : stored.destHeight());
    }

    private static Instant ms(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS);
    }

    private static void requireCause(String cause) {
        if (cause == null || cause.isBlank()) throw new IllegalArgumentException("transition cause is missing");
    }

    /** Checks what the record does not: column limits, and that amounts fit the uint256 text column. */
    private static void validate(Swap s) {
        String id = s.id();
        checkLength(id, MAX_ID, "id", id);
        checkLength(s.fromChain().value(), MAX_CHAIN, "fromChain", id);
        checkLength(s.toChain().value(), MAX_CHAIN, "toChain", id);
        checkLength(s.sourceHtlcId(), MAX_ID, "sourceHtlcId", id);
        checkLength(s.destHtlcId(), MAX_ID, "destHtlcId", id);
        checkLength(s.sender(), MAX_ID, "sender", id);
        checkLength(s.receiver(), MAX_ID, "receiver", id);
        checkLength(s.sourceAsset(), MAX_ID, "sourceAsset", id);
        checkLength(s.destAsset(), MAX_ID, "destAsset", id);
        checkLength(s.sourceBlockHash(), MAX_ID, "sourceBlockHash", id);
        checkLength(s.sourceTxHash(), MAX_ID, "sourceTxHash", id);
        checkAmount(s.sourceAmount(), "sourceAmount", id);
        checkAmount(s.destAmount(), "destAmount", id);
        checkAmount(s.feeAmount(), "feeAmount", id);
    }

    private static void checkAmount(BigInteger amount, String field, String swapId) {
        if (amount != null && amount.bitLength() > 256) {
            throw new IllegalArgumentException("swap " + swapId + ": " + field + " exceeds uint256");
        }
    }

    private static void checkLength(String value, int max, String field, String owner) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(
                    owner + ": " + field + " is " + value.length() + " characters, at most " + max + " allowed");
        }
    }

    private static void requireSameIdentity(Swap stored, Swap updated, String in) {
        String id = stored.id();
        same(stored.fromChain(), updated.fromChain(), "fromChain", id, in);
        same(stored.toChain(), updated.toChain(), "toChain", id, in);
        same(stored.sourceHtlcId(), updated.sourceHtlcId(), "sourceHtlcId", id, in);
        same(stored.hashlock(), updated.hashlock(), "hashlock", id, in);
        same(stored.sender(), updated.sender(), "sender", id, in);
        same(stored.receiver(), updated.receiver(), "receiver", id, in);
        same(stored.sourceAsset(), updated.sourceAsset(), "sourceAsset", id, in);
        same(stored.sourceAmount(), updated.sourceAmount(), "sourceAmount", id, in);
        same(stored.sourceTimelock(), updated.sourceTimelock(), "sourceTimelock", id, in);
    }

    private static void same(Object stored, Object updated, String field, String id, String in) {
        if (!Objects.equals(stored, updated)) {
            throw new PermanentException("store: swap " + id + ": " + field
                    + " is fixed when the swap is detected and cannot change in " + in);
        }
    }
}
