package io.evmore.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Opens the store the settings point at and brings its schema up to date. */
public final class SwapStores {
    private static final Logger LOG = LoggerFactory.getLogger(SwapStores.class);
    /** How long a SQLite connection waits for another process's write lock before SQLITE_BUSY. */
    static final Duration SQLITE_BUSY_TIMEOUT = Duration.ofSeconds(30);
    /** Reader connections of the embedded database (JdbcSwapStore.read): reads go on beside the single writer. */
    static final int SQLITE_READERS = 4;
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private SwapStores() {}

    /**
     * Opens (creating if needed) the database and applies pending migrations.
     *
     * @throws IllegalArgumentException if DATABASE_URL is malformed (the message names the part, not the value)
     * @throws TransientException       if the database cannot be reached now
     * @throws PermanentException       if it refuses us (bad credentials, failed migration, unwritable file)
     */
    public static JdbcSwapStore open(DatabaseSettings settings) {
        if (settings == null) throw new IllegalArgumentException("database settings are missing");
        return settings.isSqlite() ? openSqlite(settings.sqlitePath()) : openPostgres(settings);
    }

    /**
     * Takes the SQLite lease {@code name} on the database file {@code file} <em>before</em> the database is opened, so
     * that a second process is refused having changed nothing (no database, WAL or migration touched; the lock file
     * already exists when someone holds it). Only the lock file (and its folder) are created when missing. Start the
     * lease's term once the store is open: {@link JdbcSwapStore#startTerm}.
     *
     * @throws LeaseHeldException naming the holder recorded in the lock file
     */
    public static DatabaseLease lockSqlite(Path file, String name, LeaseHolder holder) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null && !Files.isDirectory(parent)) Files.createDirectories(parent);
            return DatabaseLease.sqlite(name, file.toAbsolutePath(), holder);
        } catch (IOException e) {
            throw new PermanentException("store: cannot lock " + SqliteLockFile.lockFileOf(file) + " (lease '" + name
                    + "' of sqlite:" + file + "): " + e, e);
        }
    }

    private static JdbcSwapStore openSqlite(Path file) {
        String target = "sqlite:" + file;
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new PermanentException("store: cannot create the folder of " + target + ": " + e, e);
        }
        try {
            ownerOnly(file);
        } catch (IOException e) {
            throw new PermanentException("store: cannot make " + target + " readable by its owner only: " + e, e);
        }
        SqliteNativeLibrary.useCached();
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a committed swap transition survives power loss, not only a process crash.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout((int) SQLITE_BUSY_TIMEOUT.toMillis());
        config.enforceForeignKeys(true);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file.toAbsolutePath());

        HikariConfig hc = new HikariConfig();
        hc.setPoolName("evmore-store");
        hc.setDataSource(sqlite);
        // Transactions are serialised in JdbcSwapStore; the second connection keeps ping() off the writer's path.
        hc.setMaximumPoolSize(2);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(true); // JdbcSwapStore issues BEGIN IMMEDIATE / COMMIT itself
        hc.setConnectionTimeout(SQLITE_BUSY_TIMEOUT.toMillis());
        return start(hc, SqlDialect.SQLITE, target, null, file, () -> {
            // Readers (JdbcSwapStore.read): WAL lets them read a snapshot while the one writer writes; query_only makes a
            // write through them fail instead of bypassing the writer lock.
            HikariConfig rc = new HikariConfig();
            rc.setPoolName("evmore-store-readers");
            rc.setDataSource(sqlite);
            rc.setMaximumPoolSize(SQLITE_READERS);
            rc.setMinimumIdle(0);
            rc.setInitializationFailTimeout(-1); // opened on first use: nothing added to the start
            rc.setAutoCommit(true);
            rc.setConnectionInitSql("PRAGMA query_only = ON");
            rc.setConnectionTimeout(SQLITE_BUSY_TIMEOUT.toMillis());
            return new HikariDataSource(rc);
        });
    }

    /**
     * The database file is created owner-only (rw-------, like admin.token) before SQLite opens it; an existing one,
     * and its -wal/-shm/-journal files, are tightened. SQLite gives the files it creates later the database's mode.
     */
    static void ownerOnly(Path file) throws IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        var rw = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(rw));
        } catch (java.nio.file.FileAlreadyExistsException existing) {
            // tightened below
        }
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Path p = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(p)) Files.setPosixFilePermissions(p, rw);
        }
    }

    private static JdbcSwapStore openPostgres(DatabaseSettings settings) {
        PostgresUrl url = settings.postgresUrl();
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("evmore-store");
        hc.setDriverClassName("org.postgresql.Driver");
        hc.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) hc.setUsername(url.user());
        if (url.password() != null) hc.setPassword(url.password());
        hc.setMaximumPoolSize(settings.poolSize());
        hc.setMinimumIdle(Math.min(2, settings.poolSize()));
        hc.setAutoCommit(false);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hc.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        // Defaults; parameters given in DATABASE_URL take precedence in pgjdbc.
        // pg_stat_activity shows which relayer process (pid) holds which session; the lease's own session is
        // "evmore-relayer-lease pid N" (JdbcSwapStore).
        hc.addDataSourceProperty("ApplicationName", "evmore-relayer pid " + ProcessHandle.current().pid());
        hc.addDataSourceProperty("connectTimeout", "10");
        hc.addDataSourceProperty("socketTimeout", "60"); // a dead peer must not hang a transaction forever
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        return start(hc, SqlDialect.POSTGRES, url.redacted(), url.password(), null, () -> null);
    }

    private static JdbcSwapStore start(HikariConfig hc, SqlDialect dialect, String target, String secret,
            Path sqliteFile, java.util.function.Supplier<HikariDataSource> readers) {
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw failure(e, dialect, "connect", target, secret);
        }
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            LOG.info("store: opened {} (schema version {}, {} migration(s) applied)", target,
                    result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                    result.migrationsExecuted);
        } catch (RuntimeException e) {
            ds.close();
            throw failure(e, dialect, "migrate the schema", target, secret);
        }
        HikariDataSource r;
        try {
            r = readers.get(); // after the migrations: the readers cannot create anything
        } catch (RuntimeException e) {
            ds.close();
            throw failure(e, dialect, "open the readers", target, secret);
        }
        return new JdbcSwapStore(ds, r, dialect, target, secret, sqliteFile);
    }

    /** Finds the driver error under a pool or Flyway exception and classifies it; scrubs the password. */
    private static RelayerException failure(RuntimeException e, SqlDialect dialect, String operation, String target,
            String secret) {
        if (e instanceof RelayerException r) return r;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) return dialect.translate(sql, operation, target, secret);
        }
        String msg = "store: " + operation + " failed on " + target + ": " + e.getMessage();
        boolean leaks = SqlDialect.mentions(e, secret);
        if (leaks) msg = msg.replace(secret, "***");
        return new PermanentException(msg, leaks ? null : e);
    }
}
