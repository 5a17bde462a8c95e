package io.evmore.store;

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
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite side of a {@link DatabaseLease}: an exclusive OS lock ({@link FileChannel#tryLock}) on one byte (chosen by
 * the lease's name) of the sibling file {@code <db file>.lock}, created owner-only, and the holder's record in that
 * file (host, pid, since, epoch) so a refused process can name the holder without opening the database. File locks are
 * per process, so within this JVM a registry decides; all leases on one lock file share one channel, because closing
 * any channel of a file drops every lock this process has on it.
 */
final class SqliteLockFile {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseLease.class);
    /** SQLite lock files opened by this JVM (real path → shared channel and the names locked through it). */
    private static final Map<Path, SqliteLockFile> LOCK_FILES = new HashMap<>();
    /** Size of a holder record in a SQLite lock file; records sit at {@code SLOT * (key & 0xff)}. */
    static final int SLOT = 256;

    private final FileChannel channel;
    private final Map<String, FileLock> locks = new LinkedHashMap<>();

    private SqliteLockFile(FileChannel channel) {
        this.channel = channel;
    }

    /** The SQLite lock file of a database file: {@code <db file>.lock} beside it. */
    static Path lockFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    }

    /** One name's lock on a lock file, held until {@link #release}. */
    static final class Held {
        private final SqliteLockFile file;
        private final Path real;
        private final String name;
        private final FileLock lock;
        private final String mechanism;

        private Held(SqliteLockFile file, Path real, String name, FileLock lock, String mechanism) {
            this.file = file;
            this.real = real;
            this.name = name;
            this.lock = lock;
            this.mechanism = mechanism;
        }

        /** E.g. {@code SQLite lock file /data/evmore.db.lock}. */
        String mechanism() {
            return mechanism;
        }

        /** No I/O. */
        boolean valid() {
            return lock.isValid();
        }

        /** Records the holder of a new epoch in the file; a failure is only logged (the lock is what counts). */
        void record(LeaseInfo info) {
            synchronized (LOCK_FILES) {
                try {
                    writeSlot(file.channel, name, info);
                } catch (IOException e) {
                    LOG.warn("lease '{}': could not record epoch {} in the lock file: {}", name, info.epoch(),
                            e.getMessage());
                }
            }
        }

        /** Clears the record and drops the lock (closing the channel when no other name holds it). Once. */
        void release() {
            synchronized (LOCK_FILES) {
                try {
                    writeSlot(file.channel, name, null);
                } catch (IOException e) {
                    // a stale record is only ever read while someone holds the lock, who rewrote it
                }
                file.locks.remove(name);
                try {
                    lock.release();
                } catch (IOException e) {
                    // closing the channel below (if unused) releases it anyway
                }
                file.closeIfUnused(real);
            }
        }
    }

    /**
     * Locks this name's byte of {@code <dbFile>.lock}, makes the lease with {@code make} and records it in the file
     * (its record by {@code recordOf}) before anyone in this JVM can look.
     *
     * @throws LeaseHeldException naming the recorded holder if the byte is locked (by another process or this one)
     */
    static <L> L lock(String name, Path dbFile, Function<Held, L> make, Function<L, LeaseInfo> recordOf)
            throws IOException {
        Path lockFile = lockFileOf(dbFile);
        String mechanism = "SQLite lock file " + lockFile;
        long position = DatabaseLease.key(name) & 0x7fff_ffffL;
        synchronized (LOCK_FILES) {
            createOwnerOnly(lockFile);
            // Real path: the same file reached by two spellings must share one channel (see the class comment).
            Path real = lockFile.toRealPath();
            SqliteLockFile file = LOCK_FILES.get(real);
            if (file != null && file.locks.containsKey(name)) {
                throw new LeaseHeldException(name, mechanism, readSlot(file.channel, name));
            }
            if (file == null) {
                file = new SqliteLockFile(FileChannel.open(real, StandardOpenOption.READ, StandardOpenOption.WRITE));
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
            L lease = make.apply(new Held(file, real, name, lock, mechanism));
            try {
                writeSlot(file.channel, name, recordOf.apply(lease));
            } catch (IOException e) {
                LOG.warn("lease '{}': could not record this process in {} ({}); a refused process will not name it", name,
                        lockFile, e.getMessage());
            }
            return lease;
        }
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
        return (long) SLOT * (DatabaseLease.key(name) & 0xff);
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

    private void closeIfUnused(Path real) {
        if (!locks.isEmpty()) return;
        LOCK_FILES.remove(real);
        try {
            channel.close();
        } catch (IOException e) {
            // nothing held through it
        }
    }
}
