package io.evmore.store;

import static io.evmore.store.SwapRecordRules.MAX_CHAIN;
import static io.evmore.store.SwapRecordRules.MAX_ID;
import static io.evmore.store.SwapRecordRules.checkLength;
import static io.evmore.store.SwapRecordRules.ms;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The rows the database keeps about the relayer itself rather than its swaps, read and written inside one
 * {@link SqlTx}: the SQLite lease's term ({@code relayer_lease}), the signing addresses the database belongs to
 * ({@code relayer_addresses}) and the operator's intake pause ({@code relayer_intake}).
 */
final class RelayerRecords {
    private final SqlTx tx;
    private final Connection c;
    private final SqlDialect dialect;

    RelayerRecords(SqlTx tx) {
        this.tx = tx;
        this.c = tx.connection();
        this.dialect = tx.dialect();
    }

    /** SQLite: gives lease {@code lease.name()} the next epoch and {@code lease}'s holder; returns the epoch. */
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
            throw tx.fail(e, "start the term of lease '" + lease.name() + "'");
        }
    }

    Map<String, String> boundAddresses() {
        tx.checkOpen();
        Map<String, String> out = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT chain, address FROM relayer_addresses");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            return out;
        } catch (SQLException e) {
            throw tx.fail(e, "read the relayer's recorded addresses");
        }
    }

    void forgetAddress(String chain) {
        tx.checkOpen();
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM relayer_addresses WHERE chain = ?")) {
            ps.setString(1, chain);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw tx.fail(e, "forget the relayer's address on " + chain);
        }
    }

    void recordAddress(String chain, String address, Instant at) {
        tx.checkOpen();
        checkLength(chain, MAX_CHAIN, "chain", "relayer address");
        checkLength(address, MAX_ID, "address", "relayer address on " + chain);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO relayer_addresses (chain, address, recorded_at) VALUES (?,?,?)")) {
            ps.setString(1, chain);
            ps.setString(2, address);
            dialect.setInstant(ps, 3, at);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw tx.fail(e, "record the relayer's address on " + chain);
        }
    }

    Optional<IntakeGate> intakeGate() {
        tx.checkOpen();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT paused, reason, changed_at, changed_by FROM relayer_intake WHERE name = 'intake'");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new IntakeGate(rs.getBoolean(1), rs.getString(2), dialect.getInstant(rs, "changed_at"),
                    rs.getString(4)));
        } catch (SQLException e) {
            throw tx.fail(e, "read the intake pause");
        }
    }

    void recordIntakeGate(IntakeGate gate) {
        tx.checkOpen();
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
            throw tx.fail(e, (gate.paused() ? "record the intake pause" : "record the intake resume"));
        }
    }
}
