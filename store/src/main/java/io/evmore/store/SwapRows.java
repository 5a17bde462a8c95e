package io.evmore.store;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.PacketId;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How swaps, intents, transitions and cursors lie in their tables: the column lists, the state sets the queries
 * filter on, and reading one row back into its record. A stored value the record refuses is a
 * {@link PermanentException} naming the row and the database.
 */
final class SwapRows {
    static final String TERMINAL_STATES_SQL = Arrays.stream(SwapState.values())
            .filter(SwapState::isTerminal)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(",", "(", ")"));
    /** States in which a swap holds its hashlock (the unique index ux_swaps_hashlock_holder covers exactly these). */
    static final String HASHLOCK_HOLDER_STATES_SQL = Arrays.stream(SwapState.values())
            .filter(SwapState::holdsHashlock)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(",", "(", ")"));
    static final String SWAP_COLUMNS = "id, from_chain, to_chain, source_htlc_id, dest_htlc_id, hashlock,"
            + " sender, receiver, source_asset, source_amount, dest_asset, dest_amount, source_timelock,"
            + " dest_timelock, status, created_at, updated_at, source_height, source_block_hash, source_tx_hash,"
            + " fee_amount, secret, last_error, counter_packet, dest_height";
    static final String INTENT_COLUMNS = "id, swap_id, chain, action, nonce, tx_hash, status, created_at,"
            + " updated_at, hashes, raw_tx, timeout_height";
    /** Writes the changeable fields and the state if the stored state is still the expected one ({@link #bindFields}). */
    static final String UPDATE_FIELDS_SQL = "UPDATE swaps SET dest_htlc_id = ?, dest_asset = ?,"
            + " dest_amount = ?, dest_timelock = ?, source_height = ?, source_block_hash = ?,"
            + " source_tx_hash = ?, fee_amount = ?, secret = ?, last_error = ?, status = ?, updated_at = ?,"
            + " counter_packet = ?, dest_height = ? WHERE id = ? AND status = ?";
    static final String TRANSITION_COLUMNS = "swap_id, from_status, to_status, cause, tx_hash, occurred_at";

    /** Reads the current row of a result set. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final SqlDialect dialect;
    /** The redacted database, named in the message of a row that does not read. */
    private final String target;

    SwapRows(SqlDialect dialect, String target) {
        this.dialect = dialect;
        this.target = target;
    }

    /** A row of {@link #SWAP_COLUMNS}. */
    Swap swap(ResultSet rs) throws SQLException {
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

    /** A row of {@link #INTENT_COLUMNS}. */
    TxIntent intent(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            TxIntent.Status status = TxIntent.Status.valueOf(rs.getString("status"));
            return new TxIntent(id, rs.getString("swap_id"), ChainId.of(rs.getString("chain")),
                    rs.getString("action"), rs.getLong("nonce"), rs.getString("tx_hash"), status,
                    dialect.getInstant(rs, "created_at"), dialect.getInstant(rs, "updated_at"),
                    splitHashes(rs.getString("hashes")), rs.getString("raw_tx"),
                    rs.getLong("timeout_height"));
        } catch (IllegalArgumentException e) {
            throw new PermanentException("store: intent " + id + " in " + target
                    + " has an invalid stored value: " + e.getMessage(), e);
        }
    }

    /** A row of {@link #TRANSITION_COLUMNS}. */
    SwapTransition transition(ResultSet rs) throws SQLException {
        String swapId = rs.getString("swap_id");
        String from = rs.getString("from_status");
        return new SwapTransition(swapId, from == null ? null : state(from, swapId),
                state(rs.getString("to_status"), swapId), rs.getString("cause"), rs.getString("tx_hash"),
                dialect.getInstant(rs, "occurred_at"));
    }

    /** A row of {@code chain_cursors} ({@code height, block_hash}) for {@code chain}. */
    static ChainCursor cursor(ChainId chain, ResultSet rs) throws SQLException {
        return new ChainCursor(chain, rs.getLong("height"), rs.getString("block_hash"));
    }

    /** Binds every column of {@link #SWAP_COLUMNS}, in order, for the insert of {@code swap}. */
    void bindInsert(PreparedStatement ps, Swap swap, Instant created, Instant updated) throws SQLException {
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
        ps.setString(23, SwapRecordRules.truncateError(swap.lastError()));
        ps.setString(24, swap.counterPacket() == null ? null : swap.counterPacket().text());
        ps.setLong(25, swap.destHeight());
    }

    /**
     * Binds the changeable fields of {@code s} and its state, then its id and {@code expected} (the compare-and-set
     * of the {@code UPDATE swaps SET ... WHERE id = ? AND status = ?} that writes them).
     */
    void bindFields(PreparedStatement ps, Swap s, SwapState expected) throws SQLException {
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
    }

    static SwapState state(String name, String swapId) {
        try {
            return SwapState.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PermanentException("store: swap " + swapId + " has an unknown stored state '" + name + "'");
        }
    }

    private static BigInteger amount(String text, String column, String swapId) {
        if (text == null) return null;
        if (!text.matches("[0-9]{1," + SwapRecordRules.MAX_AMOUNT_DIGITS + "}")) {
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
    static String joinHashes(List<String> hashes) {
        return hashes.isEmpty() ? null : String.join(",", hashes);
    }

    static List<String> splitHashes(String text) {
        if (text == null || text.isEmpty()) return List.of();
        return List.of(text.split(",", -1));
    }
}
