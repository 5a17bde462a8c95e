package io.evmore.store;

import static io.evmore.store.SwapRecordRules.MAX_ACTION;
import static io.evmore.store.SwapRecordRules.MAX_CHAIN;
import static io.evmore.store.SwapRecordRules.MAX_ID;
import static io.evmore.store.SwapRecordRules.checkHash;
import static io.evmore.store.SwapRecordRules.checkLength;
import static io.evmore.store.SwapRecordRules.merge;
import static io.evmore.store.SwapRecordRules.ms;
import static io.evmore.store.SwapRecordRules.requireCause;
import static io.evmore.store.SwapRecordRules.requireSameIdentity;
import static io.evmore.store.SwapRecordRules.validate;
import static io.evmore.store.SwapRows.HASHLOCK_HOLDER_STATES_SQL;
import static io.evmore.store.SwapRows.INTENT_COLUMNS;
import static io.evmore.store.SwapRows.SWAP_COLUMNS;
import static io.evmore.store.SwapRows.TERMINAL_STATES_SQL;
import static io.evmore.store.SwapRows.TRANSITION_COLUMNS;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.PacketId;
import io.evmore.core.error.LeaseLostException;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.IllegalTransitionException;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database transaction of a {@link JdbcSwapStore} on its connection: the swap, transition, cursor and intent
 * statements of {@link SwapStore.Tx}, and the lease fence. Usable only inside the work it was handed to; the first
 * database error is remembered even if the work catches it, so the store rolls the transaction back.
 */
final class SqlTx implements SwapStore.Tx {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSwapStore.class);

    private final JdbcSwapStore store;
    private final Connection c;
    private final SqlDialect dialect;
    private final SwapRows rows;
    private boolean open = true;
    /** First database error inside this transaction, even if the work caught it. */
    private RelayerException failure;
    /** Epoch this transaction was checked against (0 = not yet). */
    private long fencedEpoch;

    SqlTx(JdbcSwapStore store, Connection c, SqlDialect dialect, SwapRows rows) {
        this.store = store;
        this.c = c;
        this.dialect = dialect;
        this.rows = rows;
    }

    Connection connection() {
        return c;
    }

    SqlDialect dialect() {
        return dialect;
    }

    /** Ends the transaction's use: any later call fails. */
    void end() {
        open = false;
    }

    /** The first database error inside this transaction, or null. */
    RelayerException failure() {
        return failure;
    }

    void checkOpen() {
        if (!open) throw new IllegalStateException("store transaction already ended; use Tx only inside its work");
    }

    /** Translates {@code e} and remembers it as this transaction's failure if it is the first. */
    RelayerException fail(SQLException e, String operation) {
        RelayerException translated = store.translate(e, operation);
        if (failure == null) failure = translated;
        return translated;
    }

    /** See {@link JdbcSwapStore#fencedBy}. Once per transaction. */
    void fence(DatabaseLease lease) {
        checkOpen();
        if (fencedEpoch == lease.epoch() && fencedEpoch != 0) return;
        String what = "lease '" + lease.name() + "' (epoch " + lease.epoch() + ")";
        if (lease.isSqlite() && !lease.isHeld()) {
            throw new LeaseLostException(what + ": the lock file lock is no longer held by this process; nothing written");
        }
        boolean pg = dialect == SqlDialect.POSTGRES;
        // PostgreSQL: the row lock (FOR SHARE) makes a takeover wait for this transaction. A holder frozen inside it
        // (SIGSTOP, a paused VM, a stalled thread) would make every takeover wait as long as it is frozen, since its
        // session stays connected: the server ends this transaction once it idles longer than the lease, and with it the
        // lock. Nothing of a transaction ended that way is committed, so nothing it journaled can have been broadcast.
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, holder_id, holder_host, holder_pid"
                + (pg ? ", expires_at > clock_timestamp(), expires_at,"
                        + " set_config('idle_in_transaction_session_timeout', ?, true)" : "")
                + " FROM relayer_lease WHERE name = ?" + dialect.forShare())) {
            int i = 1;
            if (pg) ps.setString(i++, Long.toString(lease.settings().duration().toMillis()));
            ps.setString(i, lease.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new LeaseLostException(what + ": the database has no such lease; nothing written");
                }
                long epoch = rs.getLong(1);
                String holderId = rs.getString(2);
                if (epoch != lease.epoch() || !lease.holder().id().equals(holderId)) {
                    throw new LeaseLostException(what + ": deposed, the database's epoch is " + epoch
                            + (holderId == null ? " (released)" : " held by " + rs.getString(3) + "/" + rs.getLong(4))
                            + "; nothing written");
                }
                if (pg && !rs.getBoolean(5)) {
                    throw new LeaseLostException(what + ": expired at " + rs.getObject(6)
                            + " by the database's clock and not renewed since; nothing written");
                }
            }
        } catch (SQLException e) {
            throw fail(e, "check " + what);
        }
        fencedEpoch = lease.epoch();
    }

    // ---- the query helper every finder shares ----

    /** The rows {@code sql} selects with {@code args} bound in order (String, Long or Integer), each read by {@code row}. */
    private <T> List<T> select(String sql, SwapRows.Reader<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row.read(rs));
            }
            return out;
        }
    }

    /** {@link #select}, a database error becoming this transaction's failure for {@code op}. */
    private <T> List<T> query(String op, String sql, SwapRows.Reader<T> row, Object... args) {
        try {
            return select(sql, row, args);
        } catch (SQLException e) {
            throw fail(e, op);
        }
    }

    /** The first row of {@link #query}, if any. */
    private <T> Optional<T> first(String op, String sql, SwapRows.Reader<T> row, Object... args) {
        List<T> found = query(op, sql, row, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case String s -> ps.setString(i + 1, s);
                case Long l -> ps.setLong(i + 1, l);
                case Integer n -> ps.setInt(i + 1, n);
                default -> throw new IllegalArgumentException("cannot bind " + args[i].getClass());
            }
        }
    }

    // ---- swaps ----

    @Override
    public void insert(Swap swap, String cause) {
        checkOpen();
        Objects.requireNonNull(swap, "swap");
        requireCause(cause);
        validate(swap);
        String op = "insert swap " + swap.id();
        Instant created = ms(swap.createdAt());
        Instant updated = ms(swap.updatedAt());
        try {
            if (exists("SELECT 1 FROM swaps WHERE id = ?", swap.id())) {
                throw new PermanentException("store: " + op + ": a swap with this id already exists");
            }
            if (swap.state().holdsHashlock() && exists("SELECT 1 FROM swaps WHERE hashlock = ? AND status IN "
                    + HASHLOCK_HOLDER_STATES_SQL, swap.hashlock().hex())) {
                throw new PermanentException("store: " + op + ": hashlock " + swap.hashlock().hex()
                        + " is already held by another swap");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO swaps (" + SWAP_COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                rows.bindInsert(ps, swap, created, updated);
                ps.executeUpdate();
            }
            writeTransition(swap.id(), null, swap.state(), cause, null, updated);
        } catch (SQLException e) {
            throw fail(e, op);
        }
    }

    @Override
    public Optional<Swap> find(String swapId) {
        checkOpen();
        Objects.requireNonNull(swapId, "swapId");
        return first("find swap " + swapId, "SELECT " + SWAP_COLUMNS + " FROM swaps WHERE id = ?", rows::swap, swapId);
    }

    @Override
    public List<Swap> findAllByHashlock(Hashlock hashlock) {
        checkOpen();
        Objects.requireNonNull(hashlock, "hashlock");
        return query("find swaps by hashlock " + hashlock.hex(), "SELECT " + SWAP_COLUMNS
                + " FROM swaps WHERE hashlock = ? ORDER BY created_at, id", rows::swap, hashlock.hex());
    }

    /** Prefers the active swap; otherwise the most recently created one with this destination lock. */
    @Override
    public Optional<Swap> findByDestHtlcId(ChainId chain, String destHtlcId) {
        checkOpen();
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(destHtlcId, "destHtlcId");
        return first("find swap by destination lock " + destHtlcId + " on " + chain, "SELECT " + SWAP_COLUMNS
                + " FROM swaps WHERE to_chain = ? AND dest_htlc_id = ? ORDER BY CASE WHEN status IN "
                + TERMINAL_STATES_SQL + " THEN 1 ELSE 0 END, created_at DESC, id LIMIT 1", rows::swap,
                chain.value(), destHtlcId);
    }

    @Override
    public Optional<Swap> findByCounterPacket(PacketId packet) {
        checkOpen();
        Objects.requireNonNull(packet, "packet");
        return first("find swap by counter-lock packet " + packet, "SELECT " + SWAP_COLUMNS
                + " FROM swaps WHERE counter_packet = ? ORDER BY created_at DESC, id LIMIT 1", rows::swap, packet.text());
    }

    @Override
    public List<Swap> pending(int limit, int offset) {
        checkOpen();
        if (limit < 1) throw new IllegalArgumentException("pending limit must be >= 1, got " + limit);
        if (offset < 0) throw new IllegalArgumentException("pending offset must be >= 0, got " + offset);
        return query("list pending swaps", "SELECT " + SWAP_COLUMNS + " FROM swaps WHERE status NOT IN "
                + TERMINAL_STATES_SQL + " ORDER BY created_at, id LIMIT ? OFFSET ?", rows::swap, limit, offset);
    }

    /** Just the rows in those states (idx_swaps_status), not every pending swap. */
    @Override
    public List<Swap> inStates(java.util.Set<io.evmore.core.swap.SwapState> states) {
        checkOpen();
        if (states.isEmpty()) return List.of();
        List<Object> names = new java.util.ArrayList<>();
        for (io.evmore.core.swap.SwapState st : states) names.add(st.name());
        String marks = String.join(", ", java.util.Collections.nCopies(names.size(), "?"));
        return query("list swaps in " + states, "SELECT " + SWAP_COLUMNS + " FROM swaps WHERE status IN (" + marks
                + ") ORDER BY created_at, id", rows::swap, names.toArray());
    }

    /** Lowest source height first (then created_at, id). Swaps with an unknown height (0) are never above. */
    @Override
    public List<Swap> sourcesAbove(ChainId chain, long height) {
        checkOpen();
        Objects.requireNonNull(chain, "chain");
        if (height < 0) throw new IllegalArgumentException("height must be >= 0, got " + height);
        return query("list swaps from " + chain + " above height " + height, "SELECT " + SWAP_COLUMNS
                + " FROM swaps WHERE from_chain = ? AND source_height > ? AND status NOT IN " + TERMINAL_STATES_SQL
                + " ORDER BY source_height, created_at, id", rows::swap, chain.value(), height);
    }

    @Override
    public Swap transition(Swap updated, SwapState expected, SwapState next, String cause, String txHash, Instant at) {
        checkOpen();
        Objects.requireNonNull(updated, "updated");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(at, "at");
        requireCause(cause);
        checkLength(txHash, MAX_ID, "txHash", updated.id());
        String id = updated.id();
        String op = "transition swap " + id + " " + expected + " -> " + next;
        if (!expected.canMoveTo(next)) {
            throw new IllegalTransitionException(id, expected, next);
        }
        validate(updated);
        Instant when = ms(at);
        try {
            Swap stored = lockForChange(id, op);
            if (stored.state() != expected) {
                throw new IllegalTransitionException("swap " + id + ": expected state " + expected
                        + " but the stored state is " + stored.state() + " (moved by someone else); not moving to "
                        + next);
            }
            requireSameIdentity(stored, updated, "a transition");
            Swap result = merge(stored, updated, next, when);
            if (!writeFields(result, expected)) {
                // Compare-and-set lost: another transaction moved the swap after our read.
                throw new IllegalTransitionException("swap " + id + ": state is no longer " + expected
                        + " (moved concurrently); not moving to " + next);
            }
            writeTransition(id, expected, next, cause, txHash, when);
            return result;
        } catch (SQLException e) {
            throw fail(e, op);
        }
    }

    /** Field changes without a state change; updated_at becomes {@code updated.updatedAt()} unless that is older. */
    @Override
    public Swap update(Swap updated, SwapState expected) {
        checkOpen();
        Objects.requireNonNull(updated, "updated");
        Objects.requireNonNull(expected, "expected");
        String id = updated.id();
        String op = "update swap " + id + " in " + expected;
        validate(updated);
        try {
            Swap stored = lockForChange(id, op);
            if (stored.state() != expected) {
                throw new IllegalTransitionException("swap " + id + ": expected state " + expected
                        + " but the stored state is " + stored.state() + " (moved by someone else); not updating");
            }
            requireSameIdentity(stored, updated, "an update");
            // A stale copy must not move updated_at backwards (retention of terminal swaps reads it).
            Instant at = ms(updated.updatedAt());
            if (at.isBefore(stored.updatedAt())) at = stored.updatedAt();
            Swap result = merge(stored, updated, expected, at);
            if (!writeFields(result, expected)) {
                throw new IllegalTransitionException("swap " + id + ": state is no longer " + expected
                        + " (moved concurrently); not updating");
            }
            return result;
        } catch (SQLException e) {
            throw fail(e, op);
        }
    }

    @Override
    public void deleteDetected(String swapId, String cause) {
        checkOpen();
        Objects.requireNonNull(swapId, "swapId");
        requireCause(cause);
        String op = "delete detected swap " + swapId;
        try {
            Swap stored = lockForChange(swapId, op);
            if (stored.state() != SwapState.DETECTED) {
                throw new IllegalTransitionException("swap " + swapId + ": only a DETECTED swap can be deleted,"
                        + " the stored state is " + stored.state());
            }
            // Nothing may have been sent for a DETECTED swap; if something was, its record must stay.
            for (TxIntent i : intentsOf(swapId)) {
                if (i.mayHaveBeenBroadcast()) {
                    throw new PermanentException("store: " + op + ": its intent " + i.id()
                            + " may have been broadcast; keeping the swap");
                }
            }
            List<String> ids = List.of(swapId);
            deleteByIds("DELETE FROM tx_intents WHERE swap_id = ?", ids);
            deleteByIds("DELETE FROM swap_transitions WHERE swap_id = ?", ids);
            deleteByIds("DELETE FROM swaps WHERE id = ?", ids);
            LOG.info("store: deleted detected swap {} ({})", swapId, cause);
        } catch (SQLException e) {
            throw fail(e, op);
        }
    }

    /** Reads the swap for a change, locking its row (PostgreSQL) or under the database write lock (SQLite). */
    private Swap lockForChange(String id, String op) throws SQLException {
        List<Swap> found = select("SELECT " + SWAP_COLUMNS + " FROM swaps WHERE id = ?" + dialect.forUpdate(),
                rows::swap, id);
        if (found.isEmpty()) throw new PermanentException("store: " + op + ": no such swap");
        return found.get(0);
    }

    /** Writes every changeable field and the state of {@code s} if the stored state is still {@code expected}. */
    private boolean writeFields(Swap s, SwapState expected) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SwapRows.UPDATE_FIELDS_SQL)) {
            rows.bindFields(ps, s, expected);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public List<SwapTransition> transitions(String swapId) {
        checkOpen();
        Objects.requireNonNull(swapId, "swapId");
        return query("read transitions of swap " + swapId, "SELECT " + TRANSITION_COLUMNS
                + " FROM swap_transitions WHERE swap_id = ? ORDER BY seq", rows::transition, swapId);
    }

    // ---- cursors ----

    @Override
    public Optional<ChainCursor> cursor(ChainId chain) {
        checkOpen();
        Objects.requireNonNull(chain, "chain");
        return first("load cursor of " + chain, "SELECT chain, height, block_hash FROM chain_cursors WHERE chain = ?",
                rs -> SwapRows.cursor(chain, rs), chain.value());
    }

    @Override
    public void saveCursor(ChainCursor cursor, Instant at) {
        checkOpen();
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(at, "at");
        checkLength(cursor.chain().value(), MAX_CHAIN, "chain", cursor.chain().value());
        checkLength(cursor.blockHash(), MAX_ID, "blockHash", "cursor of " + cursor.chain());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO chain_cursors (chain, height, block_hash,"
                + " updated_at) VALUES (?,?,?,?) ON CONFLICT (chain) DO UPDATE SET height = excluded.height,"
                + " block_hash = excluded.block_hash, updated_at = excluded.updated_at")) {
            ps.setString(1, cursor.chain().value());
            ps.setLong(2, cursor.height());
            ps.setString(3, cursor.blockHash());
            dialect.setInstant(ps, 4, ms(at));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw fail(e, "save cursor of " + cursor.chain());
        }
    }

    // ---- intents ----

    /**
     * Inserts or updates the intent. Its swap, chain and action cannot change. Hashes are never forgotten: the
     * stored list is kept and the intent's new hashes are appended, so a stale copy of an intent cannot erase a
     * broadcast that reconciliation must look for.
     */
    @Override
    public void saveIntent(TxIntent intent) {
        checkOpen();
        Objects.requireNonNull(intent, "intent");
        checkLength(intent.id(), MAX_ID, "id", "intent");
        checkLength(intent.swapId(), MAX_ID, "swapId", "intent " + intent.id());
        checkLength(intent.chain().value(), MAX_CHAIN, "chain", "intent " + intent.id());
        checkLength(intent.action(), MAX_ACTION, "action", "intent " + intent.id());
        checkLength(intent.txHash(), MAX_ID, "txHash", "intent " + intent.id());
        for (String h : intent.hashes()) checkHash(h, intent.id());
        String op = "save intent " + intent.id();
        try {
            Optional<TxIntent> existing = intent(intent.id());
            if (existing.isPresent()) {
                TxIntent old = existing.get();
                if (!Objects.equals(old.swapId(), intent.swapId()) || !old.chain().equals(intent.chain())
                        || !old.action().equals(intent.action())) {
                    throw new PermanentException("store: " + op + ": swap, chain and action of an intent cannot"
                            + " change (stored " + old.swapId() + "/" + old.chain() + "/" + old.action() + ")");
                }
                List<String> hashes = new ArrayList<>(old.hashes());
                for (String h : intent.hashes()) if (!hashes.contains(h)) hashes.add(h);
                try (PreparedStatement ps = c.prepareStatement("UPDATE tx_intents SET nonce = ?, tx_hash = ?,"
                        + " status = ?, updated_at = ?, hashes = ?, raw_tx = ?, timeout_height = ? WHERE id = ?")) {
                    ps.setLong(1, intent.nonce());
                    ps.setString(2, intent.txHash());
                    ps.setString(3, intent.status().name());
                    dialect.setInstant(ps, 4, ms(intent.updatedAt()));
                    ps.setString(5, SwapRows.joinHashes(hashes));
                    ps.setString(6, intent.rawTx());
                    ps.setLong(7, intent.timeoutHeight());
                    ps.setString(8, intent.id());
                    ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO tx_intents (" + INTENT_COLUMNS
                        + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    ps.setString(1, intent.id());
                    if (intent.swapId() == null) ps.setNull(2, Types.VARCHAR);
                    else ps.setString(2, intent.swapId());
                    ps.setString(3, intent.chain().value());
                    ps.setString(4, intent.action());
                    ps.setLong(5, intent.nonce());
                    ps.setString(6, intent.txHash());
                    ps.setString(7, intent.status().name());
                    dialect.setInstant(ps, 8, ms(intent.createdAt()));
                    dialect.setInstant(ps, 9, ms(intent.updatedAt()));
                    ps.setString(10, SwapRows.joinHashes(intent.hashes()));
                    ps.setString(11, intent.rawTx());
                    ps.setLong(12, intent.timeoutHeight());
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw fail(e, op);
        }
    }

    @Override
    public Optional<TxIntent> intent(String intentId) {
        checkOpen();
        Objects.requireNonNull(intentId, "intentId");
        return first("load intent " + intentId, "SELECT " + INTENT_COLUMNS + " FROM tx_intents WHERE id = ?",
                rows::intent, intentId);
    }

    @Override
    public List<TxIntent> intentsOf(String swapId) {
        checkOpen();
        Objects.requireNonNull(swapId, "swapId");
        return query("list intents of swap " + swapId, "SELECT " + INTENT_COLUMNS
                + " FROM tx_intents WHERE swap_id = ? ORDER BY created_at, id", rows::intent, swapId);
    }

    @Override
    public List<TxIntent> openIntents(ChainId chain) {
        checkOpen();
        Objects.requireNonNull(chain, "chain");
        return query("list open intents of " + chain, "SELECT " + INTENT_COLUMNS
                + " FROM tx_intents WHERE chain = ? AND status IN (?, ?) ORDER BY created_at, id", rows::intent,
                chain.value(), TxIntent.Status.PENDING.name(), TxIntent.Status.BROADCAST.name());
    }

    // ---- retention and counts ----

    int deleteTerminalBefore(Instant cutoff) {
        checkOpen();
        try {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM swaps WHERE status IN "
                    + TERMINAL_STATES_SQL + " AND updated_at < ? ORDER BY id" + dialect.forUpdate())) {
                dialect.setInstant(ps, 1, cutoff);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
            }
            if (ids.isEmpty()) return 0;
            // Children first, so this works whether or not the database enforces ON DELETE CASCADE.
            for (String table : List.of("tx_intents", "swap_transitions")) {
                deleteByIds("DELETE FROM " + table + " WHERE swap_id = ?", ids);
            }
            deleteByIds("DELETE FROM swaps WHERE id = ?", ids);
            return ids.size();
        } catch (SQLException e) {
            throw fail(e, "delete terminal swaps updated before " + cutoff);
        }
    }

    Map<SwapState, Long> countByState() {
        checkOpen();
        Map<SwapState, Long> counts = new EnumMap<>(SwapState.class);
        for (SwapState s : SwapState.values()) counts.put(s, 0L);
        try (PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM swaps GROUP BY status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(SwapRows.state(rs.getString(1), "(count)"), rs.getLong(2));
            }
            return counts;
        } catch (SQLException e) {
            throw fail(e, "count swaps by state");
        }
    }

    private void deleteByIds(String sql, List<String> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (String id : ids) {
                ps.setString(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void writeTransition(String swapId, SwapState from, SwapState to, String cause, String txHash,
            Instant at) throws SQLException {
        // seq orders the trail exactly; it is computed under the swap row's lock (PostgreSQL: the UPDATE /
        // INSERT above; SQLite: the database write lock), so it cannot race.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO swap_transitions (swap_id, seq, from_status,"
                + " to_status, cause, tx_hash, occurred_at) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?"
                + " FROM swap_transitions WHERE swap_id = ?")) {
            ps.setString(1, swapId);
            ps.setString(2, from == null ? null : from.name());
            ps.setString(3, to.name());
            ps.setString(4, cause);
            ps.setString(5, txHash);
            dialect.setInstant(ps, 6, at);
            ps.setString(7, swapId);
            ps.executeUpdate();
        }
    }

    private boolean exists(String sql, String... args) throws SQLException {
        return !select(sql, rs -> Boolean.TRUE, (Object[]) args).isEmpty();
    }
}
