package io.evmore.store;

import io.evmore.core.error.LeaseLostException;
import io.evmore.core.port.LeaseGuard;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *       transaction when it is free, expired, or its holder's session is gone, and renewed every
 *       {@link LeaseSettings#renewEvery()} from a dedicated session (outside the pool) that also holds the advisory lock
 *       {@link #key(String, long) key(name, epoch)}: the death of the holder's process ends that session, and the lease
 *       can then be taken at once. The holder trusts its lease only while its last successful renewal was sent less
 *       than {@link LeaseSettings#validity()} ago (monotonic clock), which is earlier than the database lets anyone take
 *       over; it is <em>lost</em> for good when a renewal finds another epoch (deposed) or the session ended.</li>
 *   <li>SQLite: an exclusive OS lock ({@link FileChannel#tryLock}) on one byte (chosen by the name) of the sibling file
 *       {@code <db file>.lock}, created owner-only, taken before the database is opened. The holder records itself in
 *       that file (host, pid, since), so a refused process can name it without opening the database. File locks are
 *       per process, so within this JVM a registry decides; all leases on one lock file share one channel, because
 *       closing any channel of a file drops every lock this process has on it. The epoch is counted in the database's
 *       {@code relayer_lease} row once it is open ({@link JdbcSwapStore#startTerm}).</li>
 * </ul>
 */
public final class DatabaseLease implements LeaseGuard, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseLease.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** SQLite lock files opened by this JVM (real path → shared channel and the names locked through it). */
    private static final Map<Path, LockFile> LOCK_FILES = new HashMap<>();
    /** Size of a holder record in a SQLite lock file; records sit at {@code SLOT * (key & 0xff)}. */
    static final int SLOT = 256;

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

    /** The SQLite lock file of a database file: {@code <db file>.lock} beside it. */
    static Path lockFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    }

    // ---- PostgreSQL ---------------------------------------------------------------------------------------------------

    static String postgresMechanism(String target) {
        return "PostgreSQL lease row relayer_lease on " + target;
    }

    /**
     * Reads the lease row (locking it for the caller's transaction when {@code forUpdate}) and whether its holder's
     * session still holds its advisory lock. Empty when there is no row.
     */
    static java.util.Optional<LeaseInfo> readPostgres(Connection c, String name, boolean forUpdate) throws SQLException {
        LeaseInfo row;
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, holder_id, holder_host, holder_pid, holder_started,"
                + " acquired_at, renewed_at, expires_at, clock_timestamp() AS db_now FROM relayer_lease WHERE name = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return java.util.Optional.empty();
                row = new LeaseInfo(name, rs.getLong("epoch"), rs.getString("holder_id"), rs.getString("holder_host"),
                        rs.getLong("holder_pid"), instant(rs, "holder_started"), instant(rs, "acquired_at"),
                        instant(rs, "renewed_at"), instant(rs, "expires_at"), instant(rs, "db_now"), false);
            }
        }
        if (row.holderId() == null) return java.util.Optional.of(row);
        long k = key(name, row.epoch());
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                + " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1)")) {
            ps.setLong(1, k >>> 32);
            ps.setLong(2, k & 0xffff_ffffL);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean alive = rs.getBoolean(1);
                return java.util.Optional.of(new LeaseInfo(name, row.epoch(), row.holderId(), row.host(), row.pid(),
                        row.processStarted(), row.acquiredAt(), row.renewedAt(), row.expiresAt(), row.databaseNow(), alive));
            }
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String interval(Duration d) {
        return d.toMillis() + " milliseconds";
    }

    /**
     * One attempt to take the lease on {@code c} (the candidate's own session): in one transaction the row is locked,
     * and taken — epoch + 1 — only if it is free, expired by the database's clock, or its holder's session is gone; the
     * new epoch's advisory lock is taken on this session before the commit makes the new row visible. On success the
     * connection belongs to the lease (its session); on {@link LeaseHeldException} it is left open for another try.
     */
    static DatabaseLease takeOverPostgres(String name, String target, Connection c, LeaseHolder holder,
            LeaseSettings settings) throws SQLException {
        checkName(name);
        String mechanism = postgresMechanism(target);
        long sent = System.nanoTime();
        long epoch;
        Instant acquired;
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO relayer_lease (name, epoch) VALUES (?, 0) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            LeaseInfo current = readPostgres(c, name, true).orElseThrow(() -> new SQLException("lease row vanished"));
            boolean unexpired = current.expiresAt() != null && current.expiresAt().isAfter(current.databaseNow());
            if (current.held() && unexpired && current.holderSession()) {
                c.rollback();
                c.setAutoCommit(true);
                throw new LeaseHeldException(name, mechanism, current);
            }
            epoch = current.epoch() + 1;
            try (PreparedStatement ps = c.prepareStatement("UPDATE relayer_lease SET epoch = ?, holder_id = ?, holder_host = ?,"
                    + " holder_pid = ?, holder_started = ?, acquired_at = clock_timestamp(), renewed_at = clock_timestamp(),"
                    + " expires_at = clock_timestamp() + ?::interval WHERE name = ? AND epoch = ?"
                    + " RETURNING acquired_at")) {
                ps.setLong(1, epoch);
                ps.setString(2, holder.id());
                ps.setString(3, holder.host());
                ps.setLong(4, holder.pid());
                ps.setTimestamp(5, Timestamp.from(holder.processStarted()));
                ps.setString(6, interval(settings.duration()));
                ps.setString(7, name);
                ps.setLong(8, current.epoch());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new SQLException("lease row changed under its row lock");
                    acquired = instant(rs, "acquired_at");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, key(name, epoch));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) throw new SQLException("the advisory lock of epoch " + epoch + " is taken");
                }
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            if (!(e instanceof LeaseHeldException)) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the caller closes the connection, which ends the transaction and the session's locks
                }
            }
            throw e;
        }
        DatabaseLease lease = new DatabaseLease(name, mechanism, holder, settings, target, new Backend() {
            @Override
            public boolean valid(DatabaseLease l) {
                return System.nanoTime() - l.renewedNanos < settings.validity().toNanos();
            }

            @Override
            public void release(DatabaseLease l) {
                try {
                    if (l.lostReason == null && !c.isClosed()) {
                        try (PreparedStatement ps = c.prepareStatement("UPDATE relayer_lease SET holder_id = NULL,"
                                + " expires_at = clock_timestamp() WHERE name = ? AND epoch = ? AND holder_id = ?")) {
                            ps.setQueryTimeout(5);
                            ps.setString(1, name);
                            ps.setLong(2, l.epoch);
                            ps.setString(3, holder.id());
                            ps.executeUpdate();
                        }
                    }
                } catch (SQLException e) {
                    LOG.warn("lease '{}' (epoch {}): could not mark it released ({}); it expires by itself", name, l.epoch,
                            e.getMessage());
                } finally {
                    closeQuietly(c); // ends the session: its advisory lock goes with it
                }
            }
        });
        lease.epoch = epoch;
        lease.acquiredAt = acquired;
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
        try (PreparedStatement ps = c.prepareStatement("UPDATE relayer_lease SET renewed_at = clock_timestamp(),"
                + " expires_at = clock_timestamp() + ?::interval WHERE name = ? AND epoch = ? AND holder_id = ?")) {
            ps.setQueryTimeout((int) Math.max(1, settings.validity().toSeconds()));
            ps.setString(1, interval(settings.duration()));
            ps.setString(2, name);
            ps.setLong(3, epoch);
            ps.setString(4, holder.id());
            if (ps.executeUpdate() == 1) {
                renewedNanos = sent;
                return;
            }
            String now;
            try {
                now = readPostgres(c, name, false).map(LeaseInfo::describeHolder).orElse("nobody");
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

    /** Locks this name's byte of {@code <dbFile>.lock} and records {@code holder} in the file. */
    static DatabaseLease sqlite(String name, Path dbFile, LeaseHolder holder) throws IOException {
        checkName(name);
        Path lockFile = lockFileOf(dbFile);
        String mechanism = "SQLite lock file " + lockFile;
        long position = key(name) & 0x7fff_ffffL;
        synchronized (LOCK_FILES) {
            createOwnerOnly(lockFile);
            // Real path: the same file reached by two spellings must share one channel (see the class comment).
            Path real = lockFile.toRealPath();
            LockFile file = LOCK_FILES.get(real);
            if (file != null && file.locks.containsKey(name)) {
                throw new LeaseHeldException(name, mechanism, readSlot(file.channel, name));
            }
            if (file == null) {
                file = new LockFile(FileChannel.open(real, StandardOpenOption.READ, StandardOpenOption.WRITE));
                LOCK_FILES.put(real, file);
            }
            FileLock lock;
            try {
                lock = file.channel.tryLock(position, 1, false);
            } catch (OverlappingFileLockException e) {
                lock = null; // some other code in this JVM locked it: as held as can be
            } catch (IOException | RuntimeException e) {
                file.closeIfUnused(real);
                throw e;
            }
            if (lock == null) {
                LeaseInfo who = readSlot(file.channel, name);
                file.closeIfUnused(real);
                throw new LeaseHeldException(name, mechanism, who);
            }
            file.locks.put(name, lock);
            LockFile owner = file;
            FileLock mine = lock;
            DatabaseLease lease = new DatabaseLease(name, mechanism, holder, null, sqliteTarget(dbFile), new Backend() {
                @Override
                public boolean valid(DatabaseLease l) {
                    return mine.isValid();
                }

                @Override
                public void release(DatabaseLease l) {
                    synchronized (LOCK_FILES) {
                        try {
                            writeSlot(owner.channel, name, null);
                        } catch (IOException e) {
                            // a stale record is only ever read while someone holds the lock, who rewrote it
                        }
                        owner.locks.remove(name);
                        try {
                            mine.release();
                        } catch (IOException e) {
                            // closing the channel below (if unused) releases it anyway
                        }
                        owner.closeIfUnused(real);
                    }
                }
            });
            lease.acquiredAt = Instant.now();
            lease.sqliteChannel = owner.channel;
            try {
                writeSlot(owner.channel, name, lease.record());
            } catch (IOException e) {
                LOG.warn("lease '{}': could not record this process in {} ({}); a refused process will not name it", name,
                        lockFile, e.getMessage());
            }
            return lease;
        }
    }

    /** How a SQLite lease names its database, whatever spelling of the path was used. */
    static String sqliteTarget(Path dbFile) {
        return "sqlite:" + dbFile.toAbsolutePath().normalize();
    }

    /** SQLite: the lock file's channel, for the holder record (null on PostgreSQL). */
    private FileChannel sqliteChannel;

    private LeaseInfo record() {
        return new LeaseInfo(name, epoch, holder.id(), holder.host(), holder.pid(), holder.processStarted(), acquiredAt,
                null, null, null, true);
    }

    /** Writes this name's holder record (null: clears it). */
    private static void writeSlot(FileChannel channel, String name, LeaseInfo info) throws IOException {
        byte[] slot = new byte[SLOT];
        if (info != null) {
            String text = String.join("\t", "evmore-lease", name, info.holderId(), info.host().replace('\t', ' '),
                    Long.toString(info.pid()), Long.toString(info.processStarted().toEpochMilli()),
                    Long.toString(info.acquiredAt().toEpochMilli()), Long.toString(info.epoch())) + "\n";
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, slot, 0, Math.min(b.length, SLOT));
        }
        channel.write(ByteBuffer.wrap(slot), slotOffset(name));
        channel.force(false);
    }

    /** The holder record of {@code name} in a lock file, or null when none is recorded (or it is another name's). */
    static LeaseInfo readSlot(FileChannel channel, String name) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(SLOT);
            long at = slotOffset(name);
            while (buf.hasRemaining()) {
                int n = channel.read(buf, at + buf.position());
                if (n < 0) break;
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            if (nl < 0) return null;
            String[] f = text.substring(0, nl).split("\t", -1);
            if (f.length != 8 || !f[0].equals("evmore-lease") || !f[1].equals(name)) return null;
            return new LeaseInfo(name, Long.parseLong(f[7]), f[2], f[3], Long.parseLong(f[4]),
                    Instant.ofEpochMilli(Long.parseLong(f[5])), Instant.ofEpochMilli(Long.parseLong(f[6])), null, null,
                    null, true);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long slotOffset(String name) {
        return (long) SLOT * (key(name) & 0xff);
    }

    private static void createOwnerOnly(Path lockFile) throws IOException {
        if (Files.exists(lockFile)) return; // opening (and closing) a new descriptor here would drop our locks
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(lockFile,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(lockFile);
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it in between: fine
        }
    }

    private static final class LockFile {
        final FileChannel channel;
        final Map<String, FileLock> locks = new LinkedHashMap<>();

        LockFile(FileChannel channel) {
            this.channel = channel;
        }

        void closeIfUnused(Path real) {
            if (!locks.isEmpty()) return;
            LOCK_FILES.remove(real);
            try {
                channel.close();
            } catch (IOException e) {
                // nothing held through it
            }
        }
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
        if (sqliteChannel != null) {
            synchronized (LOCK_FILES) {
                try {
                    writeSlot(sqliteChannel, name, record());
                } catch (IOException e) {
                    LOG.warn("lease '{}': could not record epoch {} in the lock file: {}", name, newEpoch, e.getMessage());
                }
            }
        }
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
