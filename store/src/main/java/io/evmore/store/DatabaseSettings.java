package io.evmore.store;

import java.nio.file.Path;

/**
 * Where the store lives.
 *
 * @param url        DATABASE_URL: null or blank selects the embedded SQLite database at {@code sqlitePath};
 *                   otherwise a PostgreSQL URL (see {@link PostgresUrl})
 * @param sqlitePath file of the embedded database (default {@code data/evmore.db}); parent folders are created
 * @param user       PostgreSQL user; overrides the one in the URL when set
 * @param password   PostgreSQL password (the {@code database-password} secret); overrides the one in the URL when
 *                   set. Never shown by {@link #toString()}.
 * @param poolSize   PostgreSQL connection pool size (1..100)
 */
public record DatabaseSettings(String url, Path sqlitePath, String user, String password, int poolSize) {
    public static final Path DEFAULT_SQLITE_PATH = Path.of("data", "evmore.db");
    public static final int DEFAULT_POOL_SIZE = 10;

    public DatabaseSettings {
        if (sqlitePath == null) sqlitePath = DEFAULT_SQLITE_PATH;
        if (url != null && url.isBlank()) url = null;
        if (user != null && user.isBlank()) user = null;
        if (password != null && password.isEmpty()) password = null;
        if (poolSize < 1 || poolSize > 100) {
            throw new IllegalArgumentException("database pool size must be 1..100, got " + poolSize);
        }
    }

    /** The embedded database at the default path. */
    public static DatabaseSettings defaults() {
        return new DatabaseSettings(null, DEFAULT_SQLITE_PATH, null, null, DEFAULT_POOL_SIZE);
    }

    public static DatabaseSettings sqlite(Path file) {
        return new DatabaseSettings(null, file, null, null, DEFAULT_POOL_SIZE);
    }

    /** From DATABASE_URL (null/blank = embedded SQLite at the default path). */
    public static DatabaseSettings fromUrl(String databaseUrl) {
        return new DatabaseSettings(databaseUrl, DEFAULT_SQLITE_PATH, null, null, DEFAULT_POOL_SIZE);
    }

    public DatabaseSettings withPassword(String newPassword) {
        return new DatabaseSettings(url, sqlitePath, user, newPassword, poolSize);
    }

    public DatabaseSettings withUser(String newUser) {
        return new DatabaseSettings(url, sqlitePath, newUser, password, poolSize);
    }

    public DatabaseSettings withPoolSize(int size) {
        return new DatabaseSettings(url, sqlitePath, user, password, size);
    }

    public DatabaseSettings withSqlitePath(Path path) {
        return new DatabaseSettings(url, path, user, password, poolSize);
    }

    public boolean isSqlite() {
        return url == null;
    }

    /** Redacted target: {@code sqlite:data/evmore.db} or {@code postgresql://user@host:5432/db}. */
    public String describe() {
        if (isSqlite()) return "sqlite:" + sqlitePath;
        try {
            return postgresUrl().redacted();
        } catch (IllegalArgumentException e) {
            return "postgresql (invalid DATABASE_URL)";
        }
    }

    /** The PostgreSQL location with the explicit user/password applied; only when {@link #isSqlite()} is false. */
    public PostgresUrl postgresUrl() {
        if (isSqlite()) throw new IllegalStateException("the embedded SQLite database has no PostgreSQL URL");
        return PostgresUrl.parse(url).withCredentials(user, password);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + describe() + ", password=" + (password == null ? "none" : "***")
                + ", poolSize=" + poolSize + "]";
    }
}
