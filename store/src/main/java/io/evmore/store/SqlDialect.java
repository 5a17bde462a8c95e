package io.evmore.store;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;

/** What differs between the two databases; the SQL itself is shared. */
enum SqlDialect {
    /**
     * Connections stay in auto-commit and transactions are opened with {@code BEGIN IMMEDIATE}: the write lock is
     * taken up front (waiting up to the busy timeout) instead of failing with SQLITE_BUSY on the first write.
     * Times are stored as epoch milliseconds (the driver has no timestamptz mapping).
     */
    SQLITE {
        @Override
        void begin(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
        }

        /** A deferred transaction takes no lock until it reads, and then only a snapshot (WAL): writers go on. */
        @Override
        void beginRead(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN DEFERRED");
            }
        }

        @Override
        void commit(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
        }

        @Override
        void rollback(Connection c) throws SQLException {
            if (c.getAutoCommit()) {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK");
                }
            }
        }

        @Override
        void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
            ps.setLong(index, at.toEpochMilli());
        }

        @Override
        Instant getInstant(ResultSet rs, String column) throws SQLException {
            long millis = rs.getLong(column);
            if (rs.wasNull()) throw new SQLException("column " + column + " is null", "22004");
            return Instant.ofEpochMilli(millis);
        }

        @Override
        String forUpdate() {
            return ""; // the whole database is locked by BEGIN IMMEDIATE
        }

        @Override
        String forShare() {
            return "";
        }

        @Override
        boolean isTransient(SQLException e) {
            // Primary result code is the low byte of the (possibly extended) code the driver reports.
            int primary = e.getErrorCode() & 0xff;
            return primary == 5 /* BUSY */ || primary == 6 /* LOCKED */ || primary == 7 /* NOMEM */
                    || primary == 10 /* IOERR */ || primary == 13 /* FULL */ || primary == 14 /* CANTOPEN */
                    || primary == 15 /* PROTOCOL */;
        }
    },

    /** Ordinary JDBC transactions (auto-commit off, READ COMMITTED); times as timestamptz. */
    POSTGRES {
        private static final Set<String> TRANSIENT_STATES = Set.of(
                "40001", // serialization_failure
                "40P01", // deadlock_detected
                "55P03", // lock_not_available
                "57014", // query_canceled (statement timeout)
                "57P01", "57P02", "57P03"); // admin/crash shutdown, cannot connect now

        @Override
        void begin(Connection c) {
            // The pool hands out connections with auto-commit off: the transaction starts with the first statement.
        }

        @Override
        void commit(Connection c) throws SQLException {
            c.commit();
        }

        @Override
        void rollback(Connection c) throws SQLException {
            c.rollback();
        }

        @Override
        void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
            ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        }

        @Override
        Instant getInstant(ResultSet rs, String column) throws SQLException {
            OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
            if (t == null) throw new SQLException("column " + column + " is null", "22004");
            return t.toInstant();
        }

        @Override
        String forUpdate() {
            return " FOR UPDATE";
        }

        @Override
        String forShare() {
            return " FOR SHARE";
        }

        @Override
        boolean isTransient(SQLException e) {
            String state = e.getSQLState();
            if (state == null) return false;
            return state.startsWith("08") // connection exceptions
                    || state.startsWith("53") // insufficient resources (disk full, too many connections)
                    || state.startsWith("58") // system / I/O error
                    || TRANSIENT_STATES.contains(state);
        }
    };

    /** True if any message in the cause chain contains {@code secret}. */
    static boolean mentions(Throwable e, String secret) {
        if (secret == null || secret.isEmpty()) return false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(secret)) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    abstract void begin(Connection c) throws SQLException;

    /** Opens a transaction that only reads ({@link JdbcSwapStore#read}); the same as {@link #begin} unless overridden. */
    void beginRead(Connection c) throws SQLException {
        begin(c);
    }

    abstract void commit(Connection c) throws SQLException;

    abstract void rollback(Connection c) throws SQLException;

    abstract void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException;

    abstract Instant getInstant(ResultSet rs, String column) throws SQLException;

    /** Row-lock suffix for a SELECT whose rows the transaction will change. */
    abstract String forUpdate();

    /** Row-lock suffix for a SELECT whose rows must not change until the transaction ends (a takeover waits for it). */
    abstract String forShare();

    abstract boolean isTransient(SQLException e);

    /**
     * Converts a driver error into the relayer's error kinds, naming the operation and the (redacted) database.
     * {@code secret} (the password, may be null) is scrubbed from the message as a last line of defence.
     */
    RelayerException translate(SQLException e, String operation, String target, String secret) {
        boolean retry = e instanceof SQLTransientException || e instanceof SQLRecoverableException || isTransient(e);
        String msg = "store: " + operation + " failed on " + target + ": "
                + (retry ? "transient database error" : "database error")
                + (e.getSQLState() != null ? " [SQLState " + e.getSQLState() + "]" : "")
                + ": " + e.getMessage();
        Throwable cause = e;
        if (secret != null && !secret.isEmpty()) {
            msg = msg.replace(secret, "***");
            if (mentions(e, secret)) cause = null; // the driver's own text carries it: keep only the scrubbed message
        }
        return retry ? new TransientException(msg, cause) : new PermanentException(msg, cause);
    }
}
