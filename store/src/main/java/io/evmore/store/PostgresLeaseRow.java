package io.evmore.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The PostgreSQL side of a {@link DatabaseLease}: the statements on its {@code relayer_lease} row (epoch, holder,
 * expiry by the database's clock) and on the advisory lock {@link DatabaseLease#key(String, long) key(name, epoch)}
 * the holder's own session keeps — taking the row over, renewing it, marking it released, and reading it.
 */
final class PostgresLeaseRow {
    private PostgresLeaseRow() {}

    static String mechanism(String target) {
        return "PostgreSQL lease row relayer_lease on " + target;
    }

    /** A won takeover: the new epoch and when it began (database clock). */
    record Term(long epoch, Instant acquired) {}

    /**
     * Reads the lease row (locking it for the caller's transaction when {@code forUpdate}) and whether its holder's
     * session still holds its advisory lock. Empty when there is no row.
     */
    static Optional<LeaseInfo> read(Connection c, String name, boolean forUpdate) throws SQLException {
        LeaseInfo row;
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, holder_id, holder_host, holder_pid, holder_started,"
                + " acquired_at, renewed_at, expires_at, clock_timestamp() AS db_now FROM relayer_lease WHERE name = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                row = new LeaseInfo(name, rs.getLong("epoch"), rs.getString("holder_id"), rs.getString("holder_host"),
                        rs.getLong("holder_pid"), instant(rs, "holder_started"), instant(rs, "acquired_at"),
                        instant(rs, "renewed_at"), instant(rs, "expires_at"), instant(rs, "db_now"), false);
            }
        }
        if (row.holderId() == null) return Optional.of(row);
        long k = DatabaseLease.key(name, row.epoch());
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                + " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1)")) {
            ps.setLong(1, k >>> 32);
            ps.setLong(2, k & 0xffff_ffffL);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean alive = rs.getBoolean(1);
                return Optional.of(new LeaseInfo(name, row.epoch(), row.holderId(), row.host(), row.pid(),
                        row.processStarted(), row.acquiredAt(), row.renewedAt(), row.expiresAt(), row.databaseNow(), alive));
            }
        }
    }

    /**
     * One attempt to take the lease on {@code c} (the candidate's own session): in one transaction the row is locked,
     * and taken — epoch + 1 — only if it is free, expired by the database's clock, or its holder's session is gone; the
     * new epoch's advisory lock is taken on this session before the commit makes the new row visible. On
     * {@link LeaseHeldException} the connection is left open, out of any transaction, for another try.
     */
    static Term takeOver(Connection c, String name, String mechanism, LeaseHolder holder, LeaseSettings settings)
            throws SQLException {
        long epoch;
        Instant acquired;
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO relayer_lease (name, epoch) VALUES (?, 0) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            LeaseInfo current = read(c, name, true).orElseThrow(() -> new SQLException("lease row vanished"));
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
                ps.setLong(1, DatabaseLease.key(name, epoch));
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
        return new Term(epoch, acquired);
    }

    /** Extends the expiry of the holder's term; false if the row is no longer this holder's epoch (deposed). */
    static boolean renew(Connection c, String name, long epoch, LeaseHolder holder, LeaseSettings settings)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE relayer_lease SET renewed_at = clock_timestamp(),"
                + " expires_at = clock_timestamp() + ?::interval WHERE name = ? AND epoch = ? AND holder_id = ?")) {
            ps.setQueryTimeout((int) Math.max(1, settings.validity().toSeconds()));
            ps.setString(1, interval(settings.duration()));
            ps.setString(2, name);
            ps.setLong(3, epoch);
            ps.setString(4, holder.id());
            return ps.executeUpdate() == 1;
        }
    }

    /** Marks the holder's term released and expired now, so a standby may take over at once. */
    static void markReleased(Connection c, String name, long epoch, LeaseHolder holder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE relayer_lease SET holder_id = NULL,"
                + " expires_at = clock_timestamp() WHERE name = ? AND epoch = ? AND holder_id = ?")) {
            ps.setQueryTimeout(5);
            ps.setString(1, name);
            ps.setLong(2, epoch);
            ps.setString(3, holder.id());
            ps.executeUpdate();
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String interval(Duration d) {
        return d.toMillis() + " milliseconds";
    }
}
