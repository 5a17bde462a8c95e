package io.evmore.store;

import io.evmore.core.error.LeaseLostException;
import io.evmore.core.port.LeaseGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease that lets exactly one process drive one database's swaps (and so sign with its keys). It has an
 * <em>epoch</em> that grows with every takeover; the store's {@linkplain JdbcSwapStore#fencedBy fenced view} checks in
 * every write transaction that this lease's epoch is still the database's, so a deposed process can change nothing.
 * As a {@link LeaseGuard} it answers "may this process still send?" without I/O.
 *
 * <ul>
 *   <li>PostgreSQL: a row of {@code relayer_lease} (epoch, holder, expiry by the database's clock), taken in one
 *       transaction when it is free, expired, or its holder's session is gone ({@link PostgresLeaseRow}), and renewed every
 *       {@link LeaseSettings#renewEvery()} from a dedicated session (outside the pool) that also holds the advisory lock
 *       {@link #key(String, long) key(name, epoch)}: the death of the holder's process ends that session, and the lease
 *       can then be taken at once. The holder trusts its lease only while its last successful renewal was sent less
 *       than {@link LeaseSettings#validity()} ago (monotonic clock), which is earlier than the database lets anyone take
 *       over; it is <em>lost</em> for good when a renewal finds another epoch (deposed) or the session ended.</li>
 *   <li>SQLite: an exclusive OS lock on one byte (chosen by the name) of the sibling file {@code <db file>.lock},
 *       taken before the database is opened, the holder recorded in that file ({@link SqliteLockFile}). The epoch is
 *       counted in the database's {@code relayer_lease} row once it is open ({@link JdbcSwapStore#startTerm}).</li>
 * </ul>
 *
 * <p>This class is the lease itself (its state, the renewal loop, the guard); the statements on the PostgreSQL row
 * are {@link PostgresLeaseRow}, the lock file {@link SqliteLockFile}.
 */
public final class DatabaseLease implements LeaseGuard, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseLease.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final String name;
    private final String mechanism;
    private final LeaseHolder holder;
    private final LeaseSettings settings;
    /** The store's redacted target: a lease fences only the database it was taken on. */
    private final String target;
    private final Backend backend;
    private volatile long epoch;
    private volatile Instant acquiredAt;
    /** System.nanoTime() when the last successful renewal (or the takeover) was sent. */
    private volatile long renewedNanos;
    private volatile String lostReason;
    private final List<Consumer<String>> lostListeners = new CopyOnWriteArrayList<>();
    private Runnable onClose;
    private boolean closed;
    private ScheduledExecutorService renewer;

    private DatabaseLease(String name, String mechanism, LeaseHolder holder, LeaseSettings settings, String target,
            Backend backend) {
        this.name = name;
        this.mechanism = mechanism;
        this.holder = holder;
        this.settings = settings;
        this.target = target;
        this.backend = backend;
    }

    /** What holds the lease underneath; released exactly once. */
    private interface Backend {
        /** No I/O. */
        boolean valid(DatabaseLease lease);

        void release(DatabaseLease lease);
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lease name must be 1-64 characters of A-Z a-z 0-9 . _ : -");
        }
    }

    /** The first 8 bytes of SHA-256 of {@code text}. */
    private static long hash64(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) k = (k << 8) | (d[i] & 0xff);
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The SQLite lock byte of a lease name: from the first 8 bytes of SHA-256("evmore-lease:" + name). */
    static long key(String name) {
        return hash64("evmore-lease:" + name);
    }

    /** The PostgreSQL advisory lock the holder of {@code epoch} keeps in its lease session. */
    static long key(String name, long epoch) {
        return hash64("evmore-lease:" + name + ":" + epoch);
    }

    // ---- PostgreSQL ---------------------------------------------------------------------------------------------------

    /**
     * One attempt to take the lease on {@code c} (the candidate's own session; see {@link PostgresLeaseRow#takeOver}).
     * On success the connection belongs to the lease (its session) and the renewals start; on
     * {@link LeaseHeldException} it is left open for another try.
     */
    static DatabaseLease takeOverPostgres(String name, String target, Connection c, LeaseHolder holder,
            LeaseSettings settings) throws SQLException {
        checkName(name);
        String mechanism = PostgresLeaseRow.mechanism(target);
        long sent = System.nanoTime();
        PostgresLeaseRow.Term term = PostgresLeaseRow.takeOver(c, name, mechanism, holder, settings);
        DatabaseLease lease = new DatabaseLease(name, mechanism, holder, settings, target, new Backend() {
            @Override
            public boolean valid(DatabaseLease l) {
                return System.nanoTime() - l.renewedNanos < settings.validity().toNanos();
            }

            @Override
            public void release(DatabaseLease l) {
                try {
                    if (l.lostReason == null && !c.isClosed()) PostgresLeaseRow.markReleased(c, name, l.epoch, holder);
                } catch (SQLException e) {
                    LOG.warn("lease '{}' (epoch {}): could not mark it released ({}); it expires by itself", name, l.epoch,
                            e.getMessage());
                } finally {
                    closeQuietly(c); // ends the session: its advisory lock goes with it
                }
            }
        });
        lease.epoch = term.epoch();
        lease.acquiredAt = term.acquired();
        lease.renewedNanos = sent;
        lease.session = c;
        lease.startRenewing(c);
        return lease;
    }

    /** PostgreSQL: the lease's own session (null for SQLite). */
    private Connection session;

    /** Test hook: renews now, on the calling thread. */
    void renewNow() {
        if (session != null) renewOnce(session);
    }

    /** Test hook: stops the renewals, as a paused or cut-off process would (the lease is not released). */
    void stopRenewing() {
        if (renewer != null) renewer.shutdownNow();
    }

    private void startRenewing(Connection c) {
        long every = Math.max(50, settings.renewEvery().toMillis());
        renewer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("lease-renewal-" + name).factory());
        renewer.scheduleWithFixedDelay(() -> renewOnce(c), every, every, TimeUnit.MILLISECONDS);
    }

    /** One renewal on the lease's session; a definitive failure marks the lease lost. Runs on the renewal thread. */
    void renewOnce(Connection c) {
        if (lostReason != null || isClosed()) return;
        long sent = System.nanoTime();
        try {
            if (PostgresLeaseRow.renew(c, name, epoch, holder, settings)) {
                renewedNanos = sent;
                return;
            }
            String now;
            try {
                now = PostgresLeaseRow.read(c, name, false).map(LeaseInfo::describeHolder).orElse("nobody");
            } catch (SQLException e) {
                now = "another process";
            }
            markLost("deposed: the lease is now held by " + now);
        } catch (SQLException e) {
            boolean sessionGone;
            try {
                sessionGone = c.isClosed() || !c.isValid(2);
            } catch (SQLException ex) {
                sessionGone = true;
            }
            if (sessionGone) {
                markLost("its database session ended (" + e.getMessage() + "); the lease went with it");
            } else {
                LOG.warn("lease '{}' (epoch {}): renewal failed ({}); trusted for {} ms more", name, epoch, e.getMessage(),
                        Math.max(0, settings.validity().toMillis() - sinceLastRenewal().toMillis()));
            }
        } catch (RuntimeException e) {
            LOG.warn("lease '{}' (epoch {}): renewal failed: {}", name, epoch, e.toString());
        }
    }

    /** The lease is gone for good: record why, stop renewing, tell the listeners. Idempotent (first reason wins). */
    void markLost(String reason) {
        synchronized (this) {
            if (lostReason != null || closed) return;
            lostReason = reason;
        }
        LOG.error("lease '{}' (epoch {}) LOST: {}; this process stops sending at once", name, epoch, reason);
        if (renewer != null) renewer.shutdown();
        for (Consumer<String> l : lostListeners) {
            try {
                l.accept(reason);
            } catch (RuntimeException e) {
                LOG.warn("lease '{}': a lost-lease listener failed: {}", name, e.toString());
            }
        }
    }

    // ---- SQLite -------------------------------------------------------------------------------------------------------

    /** Locks this name's byte of {@code <dbFile>.lock} and records {@code holder} in the file ({@link SqliteLockFile}). */
    static DatabaseLease sqlite(String name, Path dbFile, LeaseHolder holder) throws IOException {
        checkName(name);
        return SqliteLockFile.lock(name, dbFile, held -> {
            DatabaseLease lease = new DatabaseLease(name, held.mechanism(), holder, null, sqliteTarget(dbFile),
                    new Backend() {
                        @Override
                        public boolean valid(DatabaseLease l) {
                            return held.valid();
                        }

                        @Override
                        public void release(DatabaseLease l) {
                            held.release();
                        }
                    });
            lease.acquiredAt = Instant.now();
            lease.sqliteLock = held;
            return lease;
        }, DatabaseLease::record);
    }

    /** How a SQLite lease names its database, whatever spelling of the path was used. */
    static String sqliteTarget(Path dbFile) {
        return "sqlite:" + dbFile.toAbsolutePath().normalize();
    }

    /** SQLite: the lock on the lock file, for the holder record (null on PostgreSQL). */
    private SqliteLockFile.Held sqliteLock;

    private LeaseInfo record() {
        return new LeaseInfo(name, epoch, holder.id(), holder.host(), holder.pid(), holder.processStarted(), acquiredAt,
                null, null, null, true);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the session ends either way
        }
    }

    // ---- the lease ----------------------------------------------------------------------------------------------------

    boolean isSqlite() {
        return settings == null;
    }

    /** SQLite: the term's epoch, once the database's row counted it ({@link JdbcSwapStore#startTerm}). */
    void began(long newEpoch, Instant at) {
        this.epoch = newEpoch;
        this.acquiredAt = at;
        if (sqliteLock != null) sqliteLock.record(record());
    }

    synchronized void onClose(Runnable action) {
        this.onClose = action;
    }

    /** Called once with the reason when the lease is lost for good (deposed, or its session ended). */
    public void onLost(Consumer<String> listener) {
        lostListeners.add(listener);
    }

    public String name() {
        return name;
    }

    /** The epoch of this holder's term (0 for a SQLite lock whose database is not open yet). */
    public long epoch() {
        return epoch;
    }

    public LeaseHolder holder() {
        return holder;
    }

    /** When this term began (database clock on PostgreSQL). */
    public Instant acquiredAt() {
        return acquiredAt;
    }

    /** How the lease is held, e.g. {@code PostgreSQL lease row relayer_lease on postgresql://…}. */
    public String mechanism() {
        return mechanism;
    }

    String target() {
        return target;
    }

    /** The timings (null for SQLite, whose lock needs no renewal). */
    public LeaseSettings settings() {
        return settings;
    }

    /** Since the last successful renewal was sent (PostgreSQL); zero for SQLite. Monotonic clock. */
    public Duration sinceLastRenewal() {
        return isSqlite() ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - renewedNanos);
    }

    /** Why the lease was lost for good, or null while it is not. */
    public String lostReason() {
        return lostReason;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /**
     * True while this process may act as the holder: not released, not lost, and (PostgreSQL) renewed recently
     * enough ({@link LeaseSettings#validity()}); SQLite: the file lock is valid. No I/O, never throws.
     */
    public boolean isHeld() {
        return !isClosed() && lostReason == null && backend.valid(this);
    }

    /**
     * {@link LeaseGuard}: returns only if this process may still send.
     *
     * @throws LeaseLostException saying why not
     */
    @Override
    public void checkHeld() {
        String what = "lease '" + name + "' (epoch " + epoch + ")";
        if (isClosed()) throw new LeaseLostException(what + " was released: this process no longer sends");
        String lost = lostReason;
        if (lost != null) throw new LeaseLostException(what + " lost: " + lost);
        if (!backend.valid(this)) {
            throw new LeaseLostException(what + (isSqlite() ? ": the lock file lock is no longer valid"
                    : " not renewed for " + sinceLastRenewal().toMillis() + " ms, longer than this process may trust it ("
                            + settings.validity().toMillis() + " ms): nothing is sent until a renewal proves it is still"
                            + " held"));
        }
    }

    /** Releases the lease (a standby may take it at once); idempotent. */
    @Override
    public void close() {
        Runnable action;
        synchronized (this) {
            if (closed) return;
            closed = true;
            action = onClose;
        }
        if (renewer != null) {
            renewer.shutdownNow();
            try {
                renewer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        backend.release(this);
        if (action != null) action.run();
    }

    @Override
    public String toString() {
        return "DatabaseLease['" + name + "' epoch " + epoch + ", " + mechanism + (isClosed() ? ", released"
                : lostReason != null ? ", lost" : "") + "]";
    }
}
