package io.evmore.store;

import java.io.IOException;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A process-wide lease on one database: while it is held, no other relayer process can acquire the same name on
 * the same database, so only one process drives its swaps (and uses its keys). Get one with
 * {@link JdbcSwapStore#acquireLease(String)}; {@link #close()} releases it, and so does the death of the process
 * (the operating system drops the file lock; PostgreSQL drops the session's advisory lock).
 *
 * <ul>
 *   <li>PostgreSQL: a session-level {@code pg_try_advisory_lock(key)} (key: 64 bits of SHA-256 of the name) on a
 *       dedicated connection opened outside the pool, kept open for the lease's life. If that connection dies
 *       (server restart, network cut) the lock is gone: {@link #isHeld()} then answers false and the holder must
 *       stop driving swaps.</li>
 *   <li>SQLite: an exclusive OS lock ({@link FileChannel#tryLock}) on one byte (chosen by the name) of the sibling
 *       file {@code <db file>.lock}, created owner-only. File locks are per process, so within this JVM a registry
 *       decides (and a lease held here is reported as held); all leases on one lock file share one channel,
 *       because closing any channel of a file drops every lock this process has on it.</li>
 * </ul>
 */
public final class DatabaseLease implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** SQLite lock files opened by this JVM (real path → shared channel and the names locked through it). */
    private static final Map<Path, LockFile> LOCK_FILES = new HashMap<>();

    private final String name;
    private final String mechanism;
    private final Held held;
    private Runnable onClose;
    private boolean closed;

    private DatabaseLease(String name, String mechanism, Held held) {
        this.name = name;
        this.mechanism = mechanism;
        this.held = held;
    }

    /** What holds the lease; released exactly once. */
    private interface Held {
        boolean isHeld();

        void release();
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lease name must be 1-64 characters of A-Z a-z 0-9 . _ : -");
        }
    }

    /** The advisory-lock key of a lease name: the first 8 bytes of SHA-256("evmore-lease:" + name). */
    static long key(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(("evmore-lease:" + name).getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) k = (k << 8) | (d[i] & 0xff);
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The SQLite lock file of a database file: {@code <db file>.lock} beside it. */
    static Path lockFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    }

    /**
     * Takes the advisory lock on {@code connection}, which becomes the lease's (closed on release or failure).
     *
     * @param target redacted database description, for the message
     */
    static DatabaseLease postgres(String name, String target, Connection connection) throws SQLException {
        checkName(name);
        long key = key(name);
        String mechanism = "PostgreSQL advisory lock " + key + " on " + target;
        boolean ok = false;
        try {
            connection.setAutoCommit(true); // session-level lock, independent of any transaction
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) throw new LeaseHeldException(name, mechanism);
                }
            }
            ok = true;
        } finally {
            if (!ok) closeQuietly(connection);
        }
        return new DatabaseLease(name, mechanism, new Held() {
            @Override
            public boolean isHeld() {
                // The lock lives exactly as long as this session: ask the server whether it still has it.
                try (PreparedStatement ps = connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks"
                        + " WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
                        + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1)")) {
                    ps.setQueryTimeout(5);
                    ps.setLong(1, key >>> 32);
                    ps.setLong(2, key & 0xffff_ffffL);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() && rs.getBoolean(1);
                    }
                } catch (SQLException e) {
                    return false;
                }
            }

            @Override
            public void release() {
                try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setQueryTimeout(5);
                    ps.setLong(1, key);
                    ps.execute();
                } catch (SQLException e) {
                    // Closing the session below releases it anyway.
                } finally {
                    closeQuietly(connection);
                }
            }
        });
    }

    /** Locks this name's byte of {@code <dbFile>.lock}. */
    static DatabaseLease sqlite(String name, Path dbFile) throws IOException {
        checkName(name);
        Path lockFile = lockFileOf(dbFile);
        String mechanism = "SQLite lock file " + lockFile;
        long position = key(name) & 0x7fff_ffffL;
        synchronized (LOCK_FILES) {
            createOwnerOnly(lockFile);
            // Real path: the same file reached by two spellings must share one channel (see the class comment).
            Path real = lockFile.toRealPath();
            LockFile file = LOCK_FILES.get(real);
            if (file != null && file.locks.containsKey(name)) throw new LeaseHeldException(name, mechanism);
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
                file.closeIfUnused(real);
                throw new LeaseHeldException(name, mechanism);
            }
            file.locks.put(name, lock);
            LockFile owner = file;
            FileLock mine = lock;
            return new DatabaseLease(name, mechanism, new Held() {
                @Override
                public boolean isHeld() {
                    return mine.isValid();
                }

                @Override
                public void release() {
                    synchronized (LOCK_FILES) {
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
        }
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

    synchronized void onClose(Runnable action) {
        this.onClose = action;
    }

    public String name() {
        return name;
    }

    /**
     * True while this process still holds the lease. False after {@link #close()} and, on PostgreSQL, once the
     * lease's session is gone (the lock went with it and another process may now hold it): the holder must then
     * stop driving swaps. May query the database; never throws.
     */
    public synchronized boolean isHeld() {
        return !closed && held.isHeld();
    }

    /** Releases the lease; idempotent. */
    @Override
    public void close() {
        Runnable action;
        synchronized (this) {
            if (closed) return;
            closed = true;
            action = onClose;
        }
        held.release();
        if (action != null) action.run();
    }

    @Override
    public String toString() {
        return "DatabaseLease['" + name + "' " + mechanism + (closed ? ", released" : "") + "]";
    }
}
