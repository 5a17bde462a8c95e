package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.port.SwapStore;
import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.PacketId;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.IllegalTransitionException;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.testing.ManualClock;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JdbcSwapStore} backend must show. Subclasses give a fresh empty database per test,
 * a way to reopen it, and a raw JDBC connection to check the schema itself.
 */
abstract class SwapStoreContract {
    static final ChainId ETH = ChainId.of("eip155:31337");
    static final ChainId OSMO = ChainId.of("osmosis-1");
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123Z");
    static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    protected JdbcSwapStore store;

    /** Opens a store on a new, empty database. */
    protected abstract JdbcSwapStore openFresh();

    /** Opens another store on the database of the last {@link #openFresh()} (as a restart would). */
    protected abstract JdbcSwapStore reopen();

    /** A connection to the same database that bypasses the store (auto-commit on). */
    protected abstract Connection rawConnection() throws SQLException;

    /** Creates a new database migrated only up to {@code version}; the next {@link #reopen()} opens it. */
    protected abstract void createDatabaseAtVersion(String version);

    protected abstract SqlDialect dialect();

    /**
     * Tries to acquire lease {@code name} on the current database the way a second relayer would (SQLite: from
     * another JVM process, since file locks are per process; PostgreSQL: from another store, i.e. another
     * session). Returns "ACQUIRED" (and releases it again) or the message of the {@link LeaseHeldException}.
     */
    protected abstract String leaseFromAnotherProcess(String name) throws Exception;

    /** How the lease message names the mechanism, e.g. "SQLite lock file /…/evmore.db.lock". */
    protected abstract String expectedLeaseMechanism();

    @BeforeEach
    void openStore() {
        store = openFresh();
    }

    @AfterEach
    void closeStore() {
        if (store != null) store.close();
    }

    static Swap swap(String htlc, Hashlock hashlock, SwapState state, Instant created) {
        return new Swap(Swap.idFor(ETH, htlc), ETH, OSMO, htlc, null, hashlock,
                "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "osmo1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du",
                "0x5fbdb2315678afecb367f032d93f642f64180aa3", new BigInteger("1000000000000000000"), null, null,
                1_900_000_000L, 0L, state, created, created);
    }

    static Swap swap(String htlc, SwapState state, Instant created) {
        return swap(htlc, Secret.random().hashlock(), state, created);
    }

    private Swap insert(Swap s) {
        store.run(tx -> tx.insert(s, "source lock seen"));
        return s;
    }

    private java.util.Optional<Swap> byHashlock(Hashlock h) {
        return store.inTransaction(tx -> tx.findByHashlock(h));
    }

    @org.junit.jupiter.api.Test
    void aReadSeesWhatWasCommittedBeforeItAndInsideATransactionJoinsIt() {
        Swap s = insert(swap("0xread", SwapState.DETECTED, T0));
        java.util.Optional<Swap> read = store.read(tx -> tx.find(s.id()));
        org.assertj.core.api.Assertions.assertThat(read).map(Swap::state).contains(SwapState.DETECTED);
        store.run(tx -> tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "confirmed", null, T0.plusSeconds(1)));
        org.assertj.core.api.Assertions.assertThat(store.find(s.id())).map(Swap::state).contains(SwapState.CONFIRMED);
        // inside a transaction a read joins it: it sees that transaction's own change before the commit
        SwapState seen = store.inTransaction(tx -> {
            tx.transition(s, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, "sending", null, T0.plusSeconds(2));
            return store.read(inner -> inner.find(s.id())).orElseThrow().state();
        });
        org.assertj.core.api.Assertions.assertThat(seen).isEqualTo(SwapState.COUNTER_PENDING);
    }

    @org.junit.jupiter.api.Test
    void aRejectedLookAlikeReusingAHashlockDoesNotHideTheSwapThatTookIt() {
        Hashlock h = Secret.random().hashlock();
        Swap taken = insert(swap("0xtaken", h, SwapState.COMPLETED, T0));
        insert(swap("0xlater", h, SwapState.REJECTED, T0.plusSeconds(60)));
        org.assertj.core.api.Assertions.assertThat(byHashlock(h)).map(Swap::id).contains(taken.id());
        Swap active = insert(swap("0xactive", h, SwapState.DETECTED, T0.plusSeconds(120)));
        org.assertj.core.api.Assertions.assertThat(byHashlock(h)).map(Swap::id).contains(active.id());
    }

    private List<TxIntent> openIntents(ChainId chain) {
        return store.inTransaction(tx -> tx.openIntents(chain));
    }

    private java.util.Optional<TxIntent> intent(String id) {
        return store.inTransaction(tx -> tx.intent(id));
    }

    private List<SwapTransition> transitions(String id) {
        return store.inTransaction(tx -> tx.transitions(id));
    }

    /** Walks a stored swap along the given states, one transaction each. */
    private Swap walk(Swap s, Instant at, SwapState... states) {
        Swap cur = s;
        for (SwapState next : states) {
            Swap from = cur;
            cur = store.inTransaction(tx -> tx.transition(from, from.state(), next, "to " + next, null, at));
        }
        return cur;
    }

    @Test
    void insertedSwapIsFoundByIdAndHashlockWithEveryField() {
        Hashlock h = Secret.random().hashlock();
        Swap s = new Swap("eip155:31337/0xabc", ETH, OSMO, "0xabc", "htlc_7", h, "0xsender", "osmo1receiver",
                "0xtoken", new BigInteger("123456789"), "uosmo", new BigInteger("987"), 1_900_000_000L,
                1_899_990_000L, SwapState.DETECTED, T0, T0.plusSeconds(5));
        insert(s);

        assertThat(store.find(s.id())).contains(s);
        assertThat(byHashlock((h))).contains(s);
        assertThat(store.find("eip155:31337/0xnothing")).isEmpty();
        assertThat(byHashlock((Secret.random().hashlock()))).isEmpty();
    }

    @Test
    void insertWritesTheFirstTransitionWithoutAFromState() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));

        assertThat(transitions(s.id())).containsExactly(
                new SwapTransition(s.id(), null, SwapState.DETECTED, "source lock seen", null, T0));
    }

    @Test
    void duplicateIdIsRejected() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));

        assertThatThrownBy(() -> insert(swap("0x01", SwapState.DETECTED, T0.plusSeconds(1))))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("insert swap " + s.id())
                .hasMessageContaining("already exists");
        assertThat(transitions(s.id())).hasSize(1);
    }

    @Test
    void onlyOneSwapHoldsAHashlockButSwapsThatDoNotHoldItCoexist() {
        Hashlock h = Secret.random().hashlock();
        // Two locks with one hashlock still waiting for their confirmations: neither holds it yet.
        Swap first = insert(swap("0x01", h, SwapState.DETECTED, T0));
        Swap second = insert(swap("0x02", h, SwapState.DETECTED, T0.plusSeconds(1)));
        List<Swap> both = store.inTransaction(tx -> tx.findAllByHashlock(h));
        assertThat(both.stream().map(Swap::id).toList()).containsExactly(first.id(), second.id());

        // The first accepted one holds it; the other cannot be accepted beside it, nor inserted as a holder.
        Swap held = walk(second, T0.plusSeconds(2), SwapState.CONFIRMED);
        assertThat(byHashlock(h)).contains(held);
        assertThatThrownBy(() -> walk(first, T0.plusSeconds(3), SwapState.CONFIRMED)).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> insert(swap("0x03", h, SwapState.CONFIRMED, T0.plusSeconds(4))))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("already held by another swap");
        assertThat(store.find(Swap.idFor(ETH, "0x03"))).isEmpty();

        // Once the holder ends without a live counter-lock, the hashlock is free again.
        walk(store.find(held.id()).orElseThrow(), T0.plusSeconds(5), SwapState.REJECTED);
        Swap now = walk(store.find(first.id()).orElseThrow(), T0.plusSeconds(6), SwapState.CONFIRMED);
        assertThat(byHashlock(h)).contains(now);
    }

    @Test
    void schemaItselfRefusesTwoSwapsHoldingOneHashlock() throws SQLException {
        Hashlock h = Secret.random().hashlock();
        insert(swap("0x01", h, SwapState.COUNTER_LOCKED, T0));
        try (Connection c = rawConnection()) {
            // Rows that do not hold the hashlock are fine beside the holder; a second holder is not (partial unique index).
            rawInsert(c, "eip155:31337/0x02", "0x02", h, SwapState.COMPLETED);
            rawInsert(c, "eip155:31337/0x04", "0x04", h, SwapState.DETECTED);
            assertThatThrownBy(() -> rawInsert(c, "eip155:31337/0x03", "0x03", h, SwapState.CONFIRMED))
                    .isInstanceOf(SQLException.class);
        }
    }

    private static void rawInsert(Connection c, String id, String htlc, Hashlock h, SwapState state)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO swaps (id, from_chain, to_chain, source_htlc_id,"
                + " hashlock, sender, receiver, source_asset, source_amount, source_timelock, dest_timelock, status,"
                + " created_at, updated_at) SELECT ?, from_chain, to_chain, ?, hashlock, sender, receiver,"
                + " source_asset, source_amount, source_timelock, dest_timelock, ?, created_at, updated_at"
                + " FROM swaps WHERE hashlock = ? AND id = 'eip155:31337/0x01'")) {
            ps.setString(1, id);
            ps.setString(2, htlc);
            ps.setString(3, state.name());
            ps.setString(4, h.hex());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void happyPathTransitionsPersistChangesAndWriteTheAuditTrailInOrder() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Instant t1 = T0.plusSeconds(10);
        Instant t2 = T0.plusSeconds(20);

        Swap confirmed = store.inTransaction(
                tx -> tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "12 confirmations", null, t1));
        Swap quoted = confirmed.withCounterLock(null, "uosmo", new BigInteger("5000000"), 1_899_000_000L, t2);
        Swap pending = store.inTransaction(tx -> tx.transition(quoted, SwapState.CONFIRMED,
                SwapState.COUNTER_PENDING, "counter-lock intent persisted", null, t2));
        Swap locked = store.inTransaction(tx -> tx.transition(
                pending.withCounterLock("htlc_42", "uosmo", new BigInteger("5000000"), 1_899_000_000L, t2),
                SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED, "counter-lock observed", "ABCDEF01", t2));

        assertThat(locked.state()).isEqualTo(SwapState.COUNTER_LOCKED);
        assertThat(locked.destHtlcId()).isEqualTo("htlc_42");
        assertThat(locked.updatedAt()).isEqualTo(t2);
        assertThat(locked.createdAt()).isEqualTo(T0);
        assertThat(store.find(s.id())).contains(locked);
        assertThat(transitions(s.id())).containsExactly(
                new SwapTransition(s.id(), null, SwapState.DETECTED, "source lock seen", null, T0),
                new SwapTransition(s.id(), SwapState.DETECTED, SwapState.CONFIRMED, "12 confirmations", null, t1),
                new SwapTransition(s.id(), SwapState.CONFIRMED, SwapState.COUNTER_PENDING,
                        "counter-lock intent persisted", null, t2),
                new SwapTransition(s.id(), SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED,
                        "counter-lock observed", "ABCDEF01", t2));
    }

    @Test
    void transitionNotInTheStateTableIsRejectedAndNothingIsWritten() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));

        assertThatThrownBy(() -> store.run(tx -> tx.transition(s, SwapState.DETECTED, SwapState.COMPLETED, "skip",
                null, T0.plusSeconds(1))))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining(s.id())
                .hasMessageContaining("DETECTED -> COMPLETED");
        assertThat(store.find(s.id())).contains(s);
        assertThat(transitions(s.id())).hasSize(1);
    }

    @Test
    void staleExpectedStateIsRejectedAndNothingIsWritten() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap confirmed = walk(s, T0.plusSeconds(1), SwapState.CONFIRMED);

        // A second actor still believes the swap is DETECTED.
        assertThatThrownBy(() -> store.run(tx -> tx.transition(s, SwapState.DETECTED, SwapState.REJECTED, "late",
                null, T0.plusSeconds(2))))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("stored state is CONFIRMED");
        assertThat(store.find(s.id())).contains(confirmed);
        assertThat(transitions(s.id())).extracting(SwapTransition::to)
                .containsExactly(SwapState.DETECTED, SwapState.CONFIRMED);
    }

    @Test
    void transitionOfAnUnknownSwapIsRejected() {
        Swap ghost = swap("0x404", SwapState.DETECTED, T0);
        assertThatThrownBy(() -> store.run(tx -> tx.transition(ghost, SwapState.DETECTED, SwapState.CONFIRMED, "x",
                null, T0)))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("no such swap");
    }

    @Test
    void transitionCannotChangeFieldsFixedAtDetection() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap tampered = new Swap(s.id(), s.fromChain(), s.toChain(), s.sourceHtlcId(), null, s.hashlock(),
                s.sender(), "osmo1attacker", s.sourceAsset(), s.sourceAmount(), null, null, s.sourceTimelock(), 0,
                s.state(), s.createdAt(), s.updatedAt());

        assertThatThrownBy(() -> store.run(tx -> tx.transition(tampered, SwapState.DETECTED, SwapState.CONFIRMED,
                "x", null, T0.plusSeconds(1))))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("receiver");
        assertThat(store.find(s.id())).contains(s);
    }

    @Test
    void failureAfterTransitionAndCursorSaveRollsBothBackAndRethrows() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        ChainCursor before = new ChainCursor(ETH, 100, "0xaa");
        store.run(tx -> tx.saveCursor(before, T0));
        RuntimeException boom = new RuntimeException("boom after the writes");

        assertThatThrownBy(() -> store.run(tx -> {
            tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "confirmed", null, T0.plusSeconds(1));
            tx.saveCursor(new ChainCursor(ETH, 112, "0xbb"), T0.plusSeconds(1));
            tx.saveCursor(new ChainCursor(OSMO, 7, "CC"), T0.plusSeconds(1));
            throw boom;
        })).isSameAs(boom);

        assertThat(store.find(s.id())).contains(s);
        assertThat(transitions(s.id())).hasSize(1);
        assertThat(store.cursor(ETH)).contains(before);
        assertThat(store.cursor(OSMO)).isEmpty();
    }

    @Test
    void transactionWithAFailedStatementIsRolledBackEvenIfTheWorkCaughtTheError() {
        Swap s = swap("0x01", SwapState.DETECTED, T0);
        TxIntent orphan = new TxIntent("orphan", "eip155:31337/0xnone", ETH, "SOURCE_CLAIM", 1, null,
                TxIntent.Status.PENDING, T0, T0);

        assertThatThrownBy(() -> store.run(tx -> {
            tx.insert(s, "seen");
            try {
                tx.saveIntent(orphan); // foreign key violation: no such swap
            } catch (PermanentException expected) {
                // swallowed on purpose
            }
        })).isInstanceOf(PermanentException.class).hasMessageContaining("rolled back")
                .hasMessageContaining("save intent orphan");

        assertThat(store.find(s.id())).isEmpty();
        assertThat(intent("orphan")).isEmpty();
        // The store is still usable afterwards.
        insert(s);
        assertThat(store.find(s.id())).contains(s);
    }

    @Test
    void illegalTransitionCaughtInsideATransactionDoesNotSpoilIt() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        store.run(tx -> {
            try {
                tx.transition(s, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, "stale", null, T0);
            } catch (IllegalTransitionException expected) {
                // a lost race is normal; carry on with the right move
            }
            tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "confirmed", null, T0.plusSeconds(1));
        });
        assertThat(store.find(s.id()).orElseThrow().state()).isEqualTo(SwapState.CONFIRMED);
    }

    @Test
    void nestedTransactionJoinsTheOuterOneAndRollsBackWithIt() {
        Swap s = swap("0x01", SwapState.DETECTED, T0);
        assertThatThrownBy(() -> store.run(outer -> {
            store.run(inner -> inner.insert(s, "nested"));
            assertThat(outer.find(s.id())).contains(s);
            throw new IllegalStateException("outer fails");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(store.find(s.id())).isEmpty();
    }

    @Test
    void txCannotBeUsedAfterItsTransactionEnded() {
        SwapStoreTxHolder holder = new SwapStoreTxHolder();
        store.run(tx -> holder.tx = tx);
        assertThatThrownBy(() -> holder.tx.find("x")).isInstanceOf(IllegalStateException.class);
    }

    private static final class SwapStoreTxHolder {
        io.evmore.core.port.SwapStore.Tx tx;
    }

    @Test
    void cursorIsSavedLoadedAndOverwritten() {
        assertThat(store.cursor(ETH)).isEmpty();
        store.run(tx -> tx.saveCursor(new ChainCursor(ETH, 10, "0x0a"), T0));
        store.run(tx -> tx.saveCursor(new ChainCursor(OSMO, 5, "ABCD"), T0));
        assertThat(store.cursor(ETH)).contains(new ChainCursor(ETH, 10, "0x0a"));

        store.run(tx -> tx.saveCursor(new ChainCursor(ETH, 11, "0x0b"), T0.plusSeconds(12)));

        assertThat(store.cursor(ETH)).contains(new ChainCursor(ETH, 11, "0x0b"));
        assertThat(store.cursor(OSMO)).contains(new ChainCursor(OSMO, 5, "ABCD"));
    }

    @Test
    void intentsAreSavedUpdatedAndOpenOnesListedOldestFirstPerChain() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        TxIntent lock = new TxIntent(s.id() + "/COUNTER_LOCK", s.id(), OSMO, "COUNTER_LOCK", -1, null,
                TxIntent.Status.PENDING, T0.plusSeconds(2), T0.plusSeconds(2));
        TxIntent claim = new TxIntent(s.id() + "/SOURCE_CLAIM", s.id(), ETH, "SOURCE_CLAIM", 4, "0xfeed",
                TxIntent.Status.BROADCAST, T0.plusSeconds(3), T0.plusSeconds(3));
        TxIntent housekeeping = new TxIntent("osmosis-1/IBC_TRANSFER/1", null, OSMO, "IBC_TRANSFER", 9, "DD",
                TxIntent.Status.BROADCAST, T0.plusSeconds(1), T0.plusSeconds(1));
        TxIntent done = new TxIntent("osmosis-1/IBC_TRANSFER/0", null, OSMO, "IBC_TRANSFER", 8, "CC",
                TxIntent.Status.CONFIRMED, T0, T0);
        store.run(tx -> {
            tx.saveIntent(lock);
            tx.saveIntent(claim);
            tx.saveIntent(housekeeping);
            tx.saveIntent(done);
        });

        assertThat(openIntents((OSMO))).containsExactly(housekeeping, lock);
        assertThat(openIntents((ETH))).containsExactly(claim);

        TxIntent broadcast = lock.with(17, "0123ABCD", TxIntent.Status.BROADCAST, T0.plusSeconds(4));
        store.run(tx -> tx.saveIntent(broadcast));
        assertThat(intent((lock.id()))).contains(broadcast);

        store.run(tx -> tx.saveIntent(broadcast.with(17, "0123ABCD", TxIntent.Status.FAILED, T0.plusSeconds(9))));
        assertThat(openIntents((OSMO))).containsExactly(housekeeping);
        assertThat(intent(("nope"))).isEmpty();
    }

    @Test
    void intentCannotMoveToAnotherChainOrAction() {
        TxIntent i = new TxIntent("i1", null, OSMO, "IBC_TRANSFER", 1, null, TxIntent.Status.PENDING, T0, T0);
        store.run(tx -> tx.saveIntent(i));
        TxIntent moved = new TxIntent("i1", null, ETH, "IBC_TRANSFER", 1, null, TxIntent.Status.PENDING, T0, T0);

        assertThatThrownBy(() -> store.run(tx -> tx.saveIntent(moved)))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("save intent i1");
        assertThat(intent(("i1"))).contains(i);
    }

    @Test
    void inStatesListsOnlyThoseStatesOldestFirst() {
        Swap detected = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap pendingLater = walk(insert(swap("0x04", SwapState.DETECTED, T0.plusSeconds(30))), T0.plusSeconds(31),
                SwapState.CONFIRMED, SwapState.COUNTER_PENDING);
        Swap confirmed = walk(insert(swap("0x02", SwapState.DETECTED, T0.plusSeconds(10))), T0.plusSeconds(11), SwapState.CONFIRMED);
        walk(insert(swap("0x03", SwapState.DETECTED, T0.plusSeconds(20))), T0.plusSeconds(21), SwapState.REJECTED);

        var reserving = java.util.EnumSet.of(SwapState.CONFIRMED, SwapState.COUNTER_PENDING);
        List<Swap> inReserving = store.inTransaction(tx -> tx.inStates(reserving));
        List<Swap> inDetected = store.inTransaction(tx -> tx.inStates(java.util.EnumSet.of(SwapState.DETECTED)));
        List<Swap> inNone = store.inTransaction(tx -> tx.inStates(java.util.EnumSet.noneOf(SwapState.class)));
        // the same answer as the default that pages through every pending swap
        List<Swap> byDefault = store.inTransaction(tx -> new DefaultInStates(tx).inStates(reserving));
        assertThat(inReserving).containsExactly(confirmed, pendingLater);
        assertThat(inDetected).containsExactly(detected);
        assertThat(inNone).isEmpty();
        assertThat(byDefault).containsExactly(confirmed, pendingLater);
    }

    /** The port's default inStates over this store's pending pages. */
    private record DefaultInStates(SwapStore.Tx tx) {
        List<Swap> inStates(java.util.Set<SwapState> states) {
            List<Swap> out = new java.util.ArrayList<>();
            for (Swap s : tx.pending(1000, 0)) if (states.contains(s.state())) out.add(s);
            return out;
        }
    }

    @Test
    void pendingListsNonTerminalSwapsOldestFirstUpToTheLimit() {
        Swap newest = insert(swap("0x03", SwapState.DETECTED, T0.plusSeconds(30)));
        Swap oldest = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap middle = insert(swap("0x02", SwapState.DETECTED, T0.plusSeconds(10)));
        insert(swap("0x00", SwapState.DETECTED, T0.minusSeconds(10)));
        walk(store.find(Swap.idFor(ETH, "0x00")).orElseThrow(), T0.plusSeconds(40), SwapState.REJECTED);
        Swap inFlight = walk(middle, T0.plusSeconds(50), SwapState.CONFIRMED, SwapState.COUNTER_PENDING);

        assertThat(store.pending(10)).containsExactly(oldest, inFlight, newest);
        assertThat(store.pending(2)).containsExactly(oldest, inFlight);
        assertThatThrownBy(() -> store.pending(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countByStateCountsEveryStateIncludingZeros() {
        insert(swap("0x01", SwapState.DETECTED, T0));
        insert(swap("0x02", SwapState.DETECTED, T0));
        walk(insert(swap("0x03", SwapState.DETECTED, T0)), T0, SwapState.REJECTED);

        Map<SwapState, Long> counts = store.countByState();
        assertThat(counts).hasSize(SwapState.values().length);
        assertThat(counts.get(SwapState.DETECTED)).isEqualTo(2L);
        assertThat(counts.get(SwapState.REJECTED)).isEqualTo(1L);
        assertThat(counts.get(SwapState.COMPLETED)).isZero();
    }

    @Test
    void retentionDeletesOnlyOldTerminalSwapsWithTheirTransitionsAndIntents() {
        Instant cutoff = T0.plus(Duration.ofDays(30));
        Swap oldDone = walk(insert(swap("0x01", SwapState.DETECTED, T0)), T0.plusSeconds(60), SwapState.REJECTED);
        Swap recentDone = walk(insert(swap("0x02", SwapState.DETECTED, T0)), cutoff.plusSeconds(1),
                SwapState.EXPIRED);
        Swap oldActive = insert(swap("0x03", SwapState.DETECTED, T0));
        TxIntent oldIntent = new TxIntent(oldDone.id() + "/X", oldDone.id(), ETH, "X", 1, "0x1",
                TxIntent.Status.CONFIRMED, T0, T0);
        TxIntent keptIntent = new TxIntent(oldActive.id() + "/X", oldActive.id(), ETH, "X", 2, "0x2",
                TxIntent.Status.CONFIRMED, T0, T0);
        store.run(tx -> {
            tx.saveIntent(oldIntent);
            tx.saveIntent(keptIntent);
        });

        assertThat(store.deleteTerminalBefore(cutoff)).isEqualTo(1);

        assertThat(store.find(oldDone.id())).isEmpty();
        assertThat(transitions(oldDone.id())).isEmpty();
        assertThat(intent((oldIntent.id()))).isEmpty();
        assertThat(store.find(recentDone.id())).contains(recentDone);
        assertThat(transitions(recentDone.id())).hasSize(2);
        assertThat(store.find(oldActive.id())).contains(oldActive);
        assertThat(intent((keptIntent.id()))).contains(keptIntent);
        assertThat(store.deleteTerminalBefore(cutoff)).isZero();
    }

    @Test
    void retentionJobUsesTheInjectedClockAndPeriod() {
        walk(insert(swap("0x01", SwapState.DETECTED, T0)), T0, SwapState.REJECTED);
        ManualClock clock = new ManualClock(T0.plus(Duration.ofDays(30)));
        RetentionJob job = new RetentionJob(store, clock, Duration.ofDays(30), Duration.ofHours(1));

        assertThat(job.runOnce()).isZero(); // exactly 30 days old: not yet before the cutoff
        clock.advance(Duration.ofMillis(1));
        assertThat(job.runOnce()).isEqualTo(1);
        assertThat(store.find(Swap.idFor(ETH, "0x01"))).isEmpty();
    }

    @Test
    void amountsBeyondSixtyFourBitsRoundTripExactly() {
        BigInteger big = BigInteger.TWO.pow(64).add(BigInteger.ONE).multiply(BigInteger.valueOf(1_000_003));
        Swap s = new Swap(Swap.idFor(ETH, "0xbig"), ETH, OSMO, "0xbig", null, Secret.random().hashlock(), "a", "b",
                "0xtoken", UINT256_MAX, "uosmo", big, 1_900_000_000L, 0, SwapState.DETECTED, T0, T0);
        insert(s);

        Swap back = store.find(s.id()).orElseThrow();
        assertThat(back.sourceAmount()).isEqualTo(UINT256_MAX);
        assertThat(back.destAmount()).isEqualTo(big);
    }

    @Test
    void amountAboveUint256IsRejectedNamingTheField() {
        Swap s = new Swap(Swap.idFor(ETH, "0xhuge"), ETH, OSMO, "0xhuge", null, Secret.random().hashlock(), "a", "b",
                "0xtoken", UINT256_MAX.add(BigInteger.ONE), null, null, 1_900_000_000L, 0, SwapState.DETECTED, T0,
                T0);
        assertThatThrownBy(() -> insert(s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sourceAmount exceeds uint256");
        assertThat(store.find(s.id())).isEmpty();
    }

    @Test
    void timesAreKeptToTheMillisecond() {
        Instant fine = Instant.parse("2026-03-01T12:00:00.123456789Z");
        Swap s = insert(swap("0x01", SwapState.DETECTED, fine));
        assertThat(store.find(s.id()).orElseThrow().createdAt()).isEqualTo(Instant.parse("2026-03-01T12:00:00.123Z"));
    }

    @Test
    void reopeningAppliesNoMigrationTwiceAndKeepsTheData() throws SQLException {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        store.run(tx -> tx.saveCursor(new ChainCursor(ETH, 5, "0x05"), T0));
        store.close();

        store = reopen();
        JdbcSwapStore again = reopen();
        again.close();

        assertThat(store.find(s.id())).contains(s);
        assertThat(store.cursor(ETH)).contains(new ChainCursor(ETH, 5, "0x05"));
        try (Connection c = rawConnection();
                var rs = c.createStatement().executeQuery(
                        "SELECT COUNT(*), SUM(CASE WHEN success THEN 1 ELSE 0 END) FROM flyway_schema_history")) {
            rs.next();
            int files = migrationFileCount();
            assertThat(rs.getInt(1)).isEqualTo(files);
            assertThat(rs.getInt(2)).isEqualTo(files);
        }
    }

    static int migrationFileCount() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(SwapStoreContract.class.getResource(
                "/db/migration").toURI()))) {
            return (int) files.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void onlyOneOfManyConcurrentTransitionsOfOneSwapWins() throws Exception {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        int threads = 6;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        runConcurrently(threads, i -> {
            go.await();
            try {
                store.run(tx -> tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "actor " + i, null,
                        T0.plusSeconds(1)));
                won.incrementAndGet();
            } catch (IllegalTransitionException e) {
                lost.incrementAndGet();
            }
            return null;
        }, go);

        assertThat(won.get()).isEqualTo(1);
        assertThat(lost.get()).isEqualTo(threads - 1);
        assertThat(transitions(s.id())).hasSize(2);
    }

    @Test
    void concurrentAcceptancesOfOneHashlockLetExactlyOneSwapHoldIt() throws Exception {
        Hashlock h = Secret.random().hashlock();
        int threads = 6;
        // every lock with the hashlock is recorded (none holds it yet) ...
        for (int i = 0; i < threads; i++) insert(swap("0x" + i, h, SwapState.DETECTED, T0.plusMillis(i)));
        assertThat(store.pending(10)).as("waiting for confirmations, side by side").hasSize(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        runConcurrently(threads, i -> {
            go.await();
            try {
                store.run(tx -> tx.transition(tx.find(Swap.idFor(ETH, "0x" + i)).orElseThrow(), SwapState.DETECTED,
                        SwapState.CONFIRMED, "accepted", null, T0.plusSeconds(1)));
                won.incrementAndGet();
            } catch (RuntimeException e) {
                // the unique index (or the in-memory twin) refused a second holder
            }
            return null;
        }, go);

        // ... and exactly one of them can be accepted for a counter-lock at a time
        assertThat(won.get()).isEqualTo(1);
        assertThat(store.pending(10).stream().filter(x -> x.state() == SwapState.CONFIRMED)).hasSize(1);
    }

    @Test
    void concurrentTransactionsFromManyThreadsAllCommit() throws Exception {
        int threads = 8;
        int perThread = 15;
        CountDownLatch go = new CountDownLatch(1);
        runConcurrently(threads, i -> {
            go.await();
            for (int n = 0; n < perThread; n++) {
                Swap s = swap("0x" + i + "x" + n, SwapState.DETECTED, T0.plusMillis(n));
                store.run(tx -> {
                    tx.insert(s, "seen");
                    tx.transition(s, SwapState.DETECTED, SwapState.CONFIRMED, "final", null, T0.plusSeconds(1));
                    tx.saveCursor(new ChainCursor(ETH, s.createdAt().toEpochMilli(), "0x" + s.sourceHtlcId()),
                            T0);
                });
            }
            return null;
        }, go);

        assertThat(store.countByState().get(SwapState.CONFIRMED)).isEqualTo((long) threads * perThread);
        assertThat(store.cursor(ETH)).isPresent();
    }

    interface Job {
        Void run(int index) throws Exception;
    }

    private static void runConcurrently(int threads, Job job, CountDownLatch go) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit((Callable<Void>) () -> job.run(index)));
            }
            go.countDown();
            for (Future<Void> f : futures) f.get(60, TimeUnit.SECONDS); // rethrows any failure
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void poolStatsShowTheConnectionHeldByARunningTransaction() {
        assertThat(store.poolStats().active()).isZero();
        JdbcSwapStore.PoolStats inside = store.inTransaction(tx -> store.poolStats());
        assertThat(inside.active()).isEqualTo(1);
        assertThat(inside.total()).isGreaterThanOrEqualTo(1);
        assertThat(store.poolStats().active()).isZero();
    }

    @Test
    void pingAnswersWhileOpenAndNotAfterClose() {
        assertThat(store.ping()).isTrue();
        store.close();
        assertThat(store.ping()).isFalse();
        assertThatThrownBy(() -> store.find("x")).isInstanceOf(PermanentException.class).hasMessageContaining("closed");
        store = null;
    }
    // ---- recovery fields, new lookups, update/deleteDetected, intent history (core port of 3e33d6c) ----

    static final Secret SECRET = Secret.fromHex("11".repeat(32));

    /** A swap with every field set, including the recovery fields. */
    static Swap full(String htlc, SwapState state, Instant created) {
        return new Swap(Swap.idFor(ETH, htlc), ETH, OSMO, htlc, "htlc_" + htlc, SECRET.hashlock(), "0xsender",
                "osmo1receiver", "0xtoken", new BigInteger("123456789"), "uosmo", UINT256_MAX, 1_900_000_000L,
                1_899_990_000L, state, created, created.plusSeconds(5), 4_242L,
                "0x" + "ab".repeat(32), "0x" + "cd".repeat(32), new BigInteger("1000"), SECRET,
                "rpc timeout on https://node");
    }

    private List<Swap> pendingPage(int limit, int offset) {
        return store.inTransaction(tx -> tx.pending(limit, offset));
    }

    private List<Swap> above(ChainId chain, long height) {
        return store.inTransaction(tx -> tx.sourcesAbove(chain, height));
    }

    private java.util.Optional<Swap> byDest(ChainId chain, String id) {
        return store.inTransaction(tx -> tx.findByDestHtlcId(chain, id));
    }

    private List<TxIntent> intentsOf(String swapId) {
        return store.inTransaction(tx -> tx.intentsOf(swapId));
    }

    private Swap update(Swap s, SwapState expected) {
        return store.inTransaction(tx -> tx.update(s, expected));
    }

    @Test
    void everyRecoveryFieldRoundTripsIncludingTheSecret() {
        Swap s = insert(full("0x01", SwapState.DETECTED, T0));

        Swap back = store.find(s.id()).orElseThrow();
        assertThat(back).isEqualTo(s);
        assertThat(back.secret()).isEqualTo(SECRET);
        assertThat(back.sourceHeight()).isEqualTo(4_242L);
        assertThat(back.feeAmount()).isEqualTo(new BigInteger("1000"));
        assertThat(back.lastError()).isEqualTo("rpc timeout on https://node");
        // Stored as lowercase hex, not some other encoding.
        assertThat(rawString("SELECT secret FROM swaps WHERE id = '" + s.id() + "'")).isEqualTo("11".repeat(32));
    }

    @Test
    void transitionPersistsEveryFieldChangedWithIt() {
        Secret secret = Secret.random();
        Swap s = insert(new Swap(Swap.idFor(ETH, "0x01"), ETH, OSMO, "0x01", null, secret.hashlock(), "0xsender",
                "osmo1receiver", "0xtoken", BigInteger.TEN, null, null, 1_900_000_000L, 0, SwapState.DETECTED, T0,
                T0));
        Instant t1 = T0.plusSeconds(1);
        Swap changed = s.withSource(77, "0xblock", "0xtx", t1)
                .withQuote("uosmo", BigInteger.valueOf(9), BigInteger.ONE, 1_899_000_000L, t1)
                .withLastError("node behind", t1);
        Swap confirmed = store.inTransaction(tx -> tx.transition(changed, SwapState.DETECTED, SwapState.CONFIRMED,
                "final", null, t1));
        assertThat(store.find(s.id())).contains(confirmed);
        assertThat(confirmed.sourceHeight()).isEqualTo(77);
        assertThat(confirmed.feeAmount()).isEqualTo(BigInteger.ONE);
        assertThat(confirmed.lastError()).isEqualTo("node behind");

        Swap locked = walk(confirmed.withDestHtlcId("htlc_9", t1).withLastError(null, t1), t1,
                SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED);
        Instant t2 = T0.plusSeconds(2);
        Swap revealed = store.inTransaction(tx -> tx.transition(locked.withSecret(secret, t2),
                SwapState.COUNTER_LOCKED, SwapState.SECRET_REVEALED, "user withdrew", "0xw", t2));

        Swap back = store.find(s.id()).orElseThrow();
        assertThat(back).isEqualTo(revealed);
        assertThat(back.secret()).isEqualTo(secret);
        assertThat(back.destHtlcId()).isEqualTo("htlc_9");
        assertThat(back.lastError()).isNull();
        assertThat(back.state()).isEqualTo(SwapState.SECRET_REVEALED);
    }

    @Test
    void lastErrorIsBoundedWhenWritten() {
        String huge = "x".repeat(5000);
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0).withLastError(huge, T0));
        String stored = store.find(s.id()).orElseThrow().lastError();
        assertThat(stored).hasSize(SwapRecordRules.MAX_ERROR).endsWith("...");

        Swap back = update(s.withLastError(huge + "y", T0.plusSeconds(1)), SwapState.DETECTED);
        assertThat(back.lastError()).hasSize(SwapRecordRules.MAX_ERROR);
        assertThat(store.find(s.id())).contains(back);
    }

    @Test
    void updateSavesFieldChangesWithoutAStateChangeOrAuditRow() {
        Secret secret = Secret.random();
        Swap s = insert(new Swap(Swap.idFor(ETH, "0x01"), ETH, OSMO, "0x01", null, secret.hashlock(), "a", "b",
                "0xtoken", BigInteger.TEN, null, null, 1_900_000_000L, 0, SwapState.DETECTED, T0, T0));
        Swap locked = walk(s, T0, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED);
        int trail = transitions(s.id()).size();
        Instant t = T0.plusSeconds(30);

        Swap saved = update(locked.withSecret(secret, t).withDestHtlcId("htlc_5", t), SwapState.COUNTER_LOCKED);

        assertThat(saved.state()).isEqualTo(SwapState.COUNTER_LOCKED);
        assertThat(saved.updatedAt()).isEqualTo(t);
        assertThat(store.find(s.id())).contains(saved);
        assertThat(store.find(s.id()).orElseThrow().secret()).isEqualTo(secret);
        assertThat(transitions(s.id())).hasSize(trail);

        // A stale copy (older updatedAt) does not move updated_at backwards.
        Swap again = update(locked.withLastError("retrying", T0), SwapState.COUNTER_LOCKED);
        assertThat(again.updatedAt()).isEqualTo(t);
        assertThat(store.find(s.id())).contains(again);
    }

    @Test
    void updateRefusesAStaleStateAndWritesNothing() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap confirmed = walk(s, T0.plusSeconds(1), SwapState.CONFIRMED);

        assertThatThrownBy(() -> update(s.withLastError("late", T0.plusSeconds(2)), SwapState.DETECTED))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("stored state is CONFIRMED");
        assertThat(store.find(s.id())).contains(confirmed);
    }

    @Test
    void updateRefusesIdentityChangesAndUnknownSwaps() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap tampered = new Swap(s.id(), s.fromChain(), s.toChain(), s.sourceHtlcId(), null, s.hashlock(),
                s.sender(), s.receiver(), s.sourceAsset(), s.sourceAmount().add(BigInteger.ONE), null, null,
                s.sourceTimelock(), 0, s.state(), s.createdAt(), s.updatedAt());

        assertThatThrownBy(() -> update(tampered, SwapState.DETECTED))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("sourceAmount")
                .hasMessageContaining("update");
        assertThat(store.find(s.id())).contains(s);
        assertThatThrownBy(() -> update(swap("0x404", SwapState.DETECTED, T0), SwapState.DETECTED))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("no such swap");
    }

    @Test
    void aStoredSecretIsNeverClearedByAStaleCopy() {
        Secret secret = Secret.random();
        Swap s = insert(new Swap(Swap.idFor(ETH, "0x01"), ETH, OSMO, "0x01", null, secret.hashlock(), "a", "b",
                "0xtoken", BigInteger.TEN, null, null, 1_900_000_000L, 0, SwapState.DETECTED, T0, T0));
        Swap locked = walk(s, T0, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED);
        update(locked.withSecret(secret, T0.plusSeconds(1)), SwapState.COUNTER_LOCKED);

        // The engine moves on with its older copy (no secret): the claim must not be lost.
        Swap revealed = store.inTransaction(tx -> tx.transition(locked, SwapState.COUNTER_LOCKED,
                SwapState.SECRET_REVEALED, "withdraw seen", null, T0.plusSeconds(2)));
        assertThat(revealed.secret()).isEqualTo(secret);
        update(locked.withLastError("x", T0.plusSeconds(3)), SwapState.SECRET_REVEALED);
        assertThat(store.find(s.id()).orElseThrow().secret()).isEqualTo(secret);
    }

    @Test
    void deleteDetectedRemovesTheSwapItsTrailAndIntents() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap other = insert(swap("0x02", SwapState.DETECTED, T0));
        store.run(tx -> tx.saveIntent(TxIntent.pending(s.id() + "/COUNTER_LOCK", s.id(), OSMO, "COUNTER_LOCK", T0)));

        store.run(tx -> tx.deleteDetected(s.id(), "reorg on eip155:31337 at 100 removed the source lock"));

        assertThat(store.find(s.id())).isEmpty();
        assertThat(transitions(s.id())).isEmpty();
        assertThat(intent(s.id() + "/COUNTER_LOCK")).isEmpty();
        assertThat(store.find(other.id())).contains(other);
        // The source lock may come back in the new canonical chain: the same id can be inserted again.
        insert(swap("0x01", SwapState.DETECTED, T0.plusSeconds(9)));
    }

    @Test
    void deleteDetectedRefusesAnyOtherStateAndABroadcastIntent() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap confirmed = walk(s, T0, SwapState.CONFIRMED);
        assertThatThrownBy(() -> store.run(tx -> tx.deleteDetected(s.id(), "reorg")))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("CONFIRMED");
        assertThat(store.find(s.id())).contains(confirmed);

        Swap d = insert(swap("0x02", SwapState.DETECTED, T0));
        TxIntent sent = new TxIntent(d.id() + "/X", d.id(), OSMO, "X", 3, "AB", TxIntent.Status.BROADCAST, T0, T0);
        store.run(tx -> tx.saveIntent(sent));
        assertThatThrownBy(() -> store.run(tx -> tx.deleteDetected(d.id(), "reorg")))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("may have been broadcast");
        assertThat(store.find(d.id())).contains(d);
        assertThatThrownBy(() -> store.run(tx -> tx.deleteDetected("eip155:31337/0x404", "reorg")))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("no such swap");
    }

    @Test
    void pendingPagesThroughNonTerminalSwapsInOrder() {
        List<Swap> active = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Swap s = insert(swap("0x" + i, SwapState.DETECTED, T0.plusSeconds(i % 3))); // ties on created_at
            if (i == 3) walk(s, T0, SwapState.REJECTED);
            else active.add(s);
        }
        active.sort(java.util.Comparator.comparing(Swap::createdAt).thenComparing(Swap::id));

        List<Swap> paged = new ArrayList<>();
        for (int offset = 0; ; offset += 2) {
            int o = offset;
            List<Swap> page = pendingPage(2, o);
            if (page.isEmpty()) break;
            paged.addAll(page);
        }
        assertThat(paged).containsExactlyElementsOf(active);
        assertThat(pendingPage(100, 5)).containsExactly(active.get(5));
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.pending(0, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.pending(1, -1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sourcesAboveListsActiveSwapsOfThatChainAboveTheHeight() {
        Swap at100 = insert(swap("0x01", SwapState.DETECTED, T0).withSource(100, "0xb100", "0xt1", T0));
        Swap at101 = insert(swap("0x02", SwapState.DETECTED, T0).withSource(101, "0xb101", "0xt2", T0));
        Swap at105 = insert(swap("0x03", SwapState.DETECTED, T0).withSource(105, "0xb105", "0xt3", T0));
        walk(insert(swap("0x04", SwapState.DETECTED, T0).withSource(103, "0xb103", "0xt4", T0)), T0,
                SwapState.REJECTED);
        insert(swap("0x05", SwapState.DETECTED, T0)); // height unknown (0)
        Swap fromOsmo = new Swap(Swap.idFor(OSMO, "htlc_1"), OSMO, ETH, "htlc_1", null, Secret.random().hashlock(),
                "osmo1x", "0xy", "uosmo", BigInteger.TEN, null, null, 1_900_000_000L, 0, SwapState.DETECTED, T0, T0)
                .withSource(500, "B500", "T500", T0);
        insert(fromOsmo);

        assertThat(above(ETH, 100)).containsExactly(at101, at105);
        assertThat(above(ETH, 99)).containsExactly(at100, at101, at105);
        assertThat(above(ETH, 105)).isEmpty();
        assertThat(above(OSMO, 0)).containsExactly(fromOsmo);
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.sourcesAbove(ETH, -1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void findByDestHtlcIdMatchesTheDestinationChainAndLockId() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0).withDestHtlcId("htlc_1", T0));
        insert(swap("0x02", SwapState.DETECTED, T0).withDestHtlcId("htlc_2", T0));
        // Same lock id on another chain (its own contract): a different swap.
        Swap toEth = insert(new Swap(Swap.idFor(OSMO, "htlc_9"), OSMO, ETH, "htlc_9", "htlc_1",
                Secret.random().hashlock(), "osmo1x", "0xy", "uosmo", BigInteger.TEN, null, null, 1_900_000_000L, 0,
                SwapState.DETECTED, T0, T0));

        assertThat(byDest(OSMO, "htlc_1")).contains(s);
        assertThat(byDest(ETH, "htlc_1")).contains(toEth);
        assertThat(byDest(OSMO, "htlc_3")).isEmpty();
        assertThat(byDest(ETH, "htlc_2")).isEmpty();
    }

    private java.util.Optional<Swap> byPacket(PacketId packet) {
        return store.inTransaction(tx -> tx.findByCounterPacket(packet));
    }

    @Test
    void counterPacketRoundTripsAndFindsItsSwap() {
        Swap s = insert(swap("0x01", SwapState.CONFIRMED, T0));
        insert(swap("0x02", SwapState.CONFIRMED, T0));
        PacketId packet = new PacketId(OSMO, "channel-3", 17);
        Swap sent = store.<Swap>inTransaction(tx -> tx.update(s.withCounterPacket(packet, T0.plusSeconds(1)), SwapState.CONFIRMED));

        assertThat(store.find(s.id())).get().extracting(Swap::counterPacket).isEqualTo(packet);
        assertThat(byPacket(packet)).contains(sent);
        // Same channel and sequence from another chain, or another sequence: not this swap's packet.
        assertThat(byPacket(new PacketId(ETH, "channel-3", 17))).isEmpty();
        assertThat(byPacket(new PacketId(OSMO, "channel-3", 18))).isEmpty();
    }

    @Test
    void intentHistoryRawTransactionAndTimeoutRoundTrip() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        TxIntent first = new TxIntent(s.id() + "/COUNTER_LOCK", s.id(), OSMO, "COUNTER_LOCK", 7, "AA01",
                TxIntent.Status.BROADCAST, T0, T0, List.of("AA00", "AA01"), "0a0b0c", 1234);
        store.run(tx -> tx.saveIntent(first));
        assertThat(intent(first.id())).contains(first);

        TxIntent bumped = new TxIntent(first.id(), s.id(), OSMO, "COUNTER_LOCK", 7, "AA02",
                TxIntent.Status.BROADCAST, T0, T0.plusSeconds(1), List.of("AA00", "AA01", "AA02"), "0d0e", 1300);
        store.run(tx -> tx.saveIntent(bumped));
        assertThat(intent(first.id())).contains(bumped);
        assertThat(openIntents(OSMO)).containsExactly(bumped);
    }

    @Test
    void savingAStaleIntentNeverForgetsAStoredHash() {
        TxIntent i = new TxIntent("i1", null, ETH, "SOURCE_CLAIM", 4, "0x02", TxIntent.Status.BROADCAST, T0, T0,
                List.of("0x01", "0x02"), "f86b", 0);
        store.run(tx -> tx.saveIntent(i));
        // A copy from before the fee bump knows only the first hash.
        TxIntent stale = new TxIntent("i1", null, ETH, "SOURCE_CLAIM", 4, "0x01", TxIntent.Status.CONFIRMED, T0,
                T0.plusSeconds(5), List.of("0x01"), null, 0);
        store.run(tx -> tx.saveIntent(stale));

        TxIntent back = intent("i1").orElseThrow();
        assertThat(back.hashes()).containsExactly("0x01", "0x02");
        assertThat(back.txHash()).isEqualTo("0x01");
        assertThat(back.status()).isEqualTo(TxIntent.Status.CONFIRMED);
    }

    @Test
    void aHashThatCannotBeStoredUnambiguouslyIsRefused() {
        TxIntent bad = new TxIntent("i1", null, ETH, "X", 1, null, TxIntent.Status.PENDING, T0, T0,
                List.of("0x01,0x02"), null, 0);
        assertThatThrownBy(() -> store.run(tx -> tx.saveIntent(bad))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("comma");
        assertThat(intent("i1")).isEmpty();
    }

    @Test
    void intentsOfListsASwapsIntentsOldestFirst() {
        Swap s = insert(swap("0x01", SwapState.DETECTED, T0));
        Swap other = insert(swap("0x02", SwapState.DETECTED, T0));
        TxIntent b = new TxIntent(s.id() + "/B", s.id(), ETH, "B", 2, "0x2", TxIntent.Status.CONFIRMED,
                T0.plusSeconds(2), T0.plusSeconds(2));
        TxIntent a = new TxIntent(s.id() + "/A", s.id(), OSMO, "A", 1, null, TxIntent.Status.PENDING,
                T0.plusSeconds(1), T0.plusSeconds(1));
        TxIntent foreign = TxIntent.pending(other.id() + "/A", other.id(), OSMO, "A", T0);
        store.run(tx -> {
            tx.saveIntent(b);
            tx.saveIntent(a);
            tx.saveIntent(foreign);
        });
        assertThat(intentsOf(s.id())).containsExactly(a, b);
        assertThat(intentsOf("nope")).isEmpty();
    }

    /**
     * An existing V1 database with rows is upgraded at open, and its rows read back with the defaults: height 0,
     * no block/tx hash, fee, secret or error; an intent's history is its one tx hash. Fails without V2 (the new
     * columns do not exist) and with a V2 that gives old rows no usable value.
     */
    @Test
    void aVersion1DatabaseWithRowsIsUpgradedAndOldRowsReadBackWithDefaults() throws SQLException {
        store.close();
        store = null;
        createDatabaseAtVersion("1");
        Hashlock h = Secret.random().hashlock();
        Swap old = new Swap(Swap.idFor(ETH, "0xold"), ETH, OSMO, "0xold", "htlc_3", h, "0xs", "osmo1r", "0xtoken",
                UINT256_MAX, "uosmo", BigInteger.TWO, 1_900_000_000L, 1_899_000_000L, SwapState.COUNTER_LOCKED, T0,
                T0.plusSeconds(1));
        TxIntent oldIntent = new TxIntent(old.id() + "/COUNTER_LOCK", old.id(), OSMO, "COUNTER_LOCK", 5, "ABCD",
                TxIntent.Status.BROADCAST, T0, T0);
        try (Connection c = rawConnection()) {
            assertThat(columnsOf(c, "swaps")).doesNotContain("secret");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO swaps (id, from_chain, to_chain,"
                    + " source_htlc_id, dest_htlc_id, hashlock, sender, receiver, source_asset, source_amount,"
                    + " dest_asset, dest_amount, source_timelock, dest_timelock, status, created_at, updated_at)"
                    + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, old.id());
                ps.setString(2, ETH.value());
                ps.setString(3, OSMO.value());
                ps.setString(4, "0xold");
                ps.setString(5, "htlc_3");
                ps.setString(6, h.hex());
                ps.setString(7, "0xs");
                ps.setString(8, "osmo1r");
                ps.setString(9, "0xtoken");
                ps.setString(10, UINT256_MAX.toString());
                ps.setString(11, "uosmo");
                ps.setString(12, "2");
                ps.setLong(13, 1_900_000_000L);
                ps.setLong(14, 1_899_000_000L);
                ps.setString(15, "COUNTER_LOCKED");
                dialect().setInstant(ps, 16, T0);
                dialect().setInstant(ps, 17, T0.plusSeconds(1));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tx_intents (id, swap_id, chain, action, nonce,"
                    + " tx_hash, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, oldIntent.id());
                ps.setString(2, old.id());
                ps.setString(3, OSMO.value());
                ps.setString(4, "COUNTER_LOCK");
                ps.setLong(5, 5);
                ps.setString(6, "ABCD");
                ps.setString(7, "BROADCAST");
                dialect().setInstant(ps, 8, T0);
                dialect().setInstant(ps, 9, T0);
                ps.executeUpdate();
            }
        }

        store = reopen();

        Swap back = store.find(old.id()).orElseThrow();
        assertThat(back).isEqualTo(old);
        assertThat(back.sourceHeight()).isZero();
        assertThat(back.secret()).isNull();
        assertThat(back.feeAmount()).isNull();
        assertThat(back.lastError()).isNull();
        TxIntent intentBack = intent(oldIntent.id()).orElseThrow();
        assertThat(intentBack).isEqualTo(oldIntent);
        assertThat(intentBack.hashes()).containsExactly("ABCD");
        assertThat(intentBack.rawTx()).isNull();
        assertThat(intentBack.timeoutHeight()).isZero();
        assertThat(byDest(OSMO, "htlc_3")).contains(old);
        assertThat(store.pending(10)).containsExactly(old);
        // And the old row takes the new fields from now on.
        update(old.withSource(12, "0xb", "0xt", T0.plusSeconds(2)), SwapState.COUNTER_LOCKED);
        assertThat(above(ETH, 11)).extracting(Swap::id).containsExactly(old.id());
    }

    private static List<String> columnsOf(Connection c, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (var rs = c.getMetaData().getColumns(null, null, table, null)) {
            while (rs.next()) names.add(rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
        }
        return names;
    }

    private String rawString(String sql) {
        try (Connection c = rawConnection(); var rs = c.createStatement().executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void newLookupIndexesExist() throws SQLException {
        try (Connection c = rawConnection()) {
            List<String> names = new ArrayList<>();
            try (var rs = c.getMetaData().getIndexInfo(null, null, "swaps", false, false)) {
                while (rs.next()) names.add(String.valueOf(rs.getString("INDEX_NAME")).toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(names).contains("idx_swaps_dest_htlc", "idx_swaps_source_height");
        }
    }

    // ---- process lease ----

    @Test
    void leaseIsExclusiveWhileHeldAndFreeAfterClose() throws Exception {
        DatabaseLease lease = store.acquireLease("relayer");
        try {
            assertThat(lease.isHeld()).isTrue();
            String refused = leaseFromAnotherProcess("relayer");
            // The refusal names the holder (this process: host/pid since when, epoch) and how the lease is held.
            assertThat(refused)
                    .startsWith("another relayer is already running on this database (lease 'relayer' held by "
                            + LeaseHolder.thisProcess().describe() + " since ")
                    .contains("(epoch " + lease.epoch() + "); " + expectedLeaseMechanism() + ")");
            assertThat(refused).doesNotContain("s3cr").doesNotContain("password");
            // In this process too, a second holder is refused.
            assertThatThrownBy(() -> store.acquireLease("relayer")).isInstanceOf(LeaseHeldException.class)
                    .hasMessageContaining("lease 'relayer' held");
            // Names are independent.
            assertThat(leaseFromAnotherProcess("indexer")).isEqualTo("ACQUIRED");
        } finally {
            lease.close();
        }
        assertThat(lease.isHeld()).isFalse();
        lease.close(); // idempotent
        assertThat(leaseFromAnotherProcess("relayer")).isEqualTo("ACQUIRED");
        try (DatabaseLease again = store.acquireLease("relayer")) {
            assertThat(again.isHeld()).isTrue();
        }
    }

    @Test
    void closingTheStoreReleasesItsLeases() throws Exception {
        DatabaseLease lease = store.acquireLease("relayer");
        store.close();
        store = null;
        assertThat(lease.isHeld()).isFalse();
        assertThat(leaseFromAnotherProcess("relayer")).isEqualTo("ACQUIRED");
    }

    // ---- the operator's intake pause ----

    @Test
    void theOperatorsPauseOutlivesTheProcessAndOnlyTheLeaseHolderChangesIt() {
        assertThat(store.intakeGate()).as("nobody paused yet").isEmpty();
        IntakeGate pause = new IntakeGate(true, "admin API from 10.1.2.3", T0, "relayer-1/4242");
        try (DatabaseLease lease = store.acquireLease("relayer")) {
            assertThat(store.recordIntakeGate(lease, pause)).isEqualTo(pause);
        }
        store.close();
        store = reopen(); // a restart, or another process on the same database
        assertThat(store.intakeGate()).contains(pause);

        DatabaseLease lease = store.acquireLease("relayer");
        IntakeGate resume = new IntakeGate(false, "admin API", T0.plusSeconds(90), "relayer-2/77");
        store.recordIntakeGate(lease, resume);
        assertThat(store.intakeGate()).contains(resume);
        lease.close();
        // A process that no longer holds the lease changes nothing.
        assertThatThrownBy(() -> store.recordIntakeGate(lease, pause)).isInstanceOf(io.evmore.core.error.LeaseLostException.class);
        assertThat(store.intakeGate()).contains(resume);
        // Long reasons are kept bounded, not refused (a pause must never fail for its wording).
        try (DatabaseLease again = store.acquireLease("relayer")) {
            IntakeGate stored = store.recordIntakeGate(again, new IntakeGate(true, "r".repeat(2_000), T0, "h/1"));
            assertThat(store.intakeGate()).contains(stored);
            assertThat(stored.reason()).hasSize(512).endsWith("…");
        }
    }

    @Test
    void leaseNamesAreValidated() {
        assertThatThrownBy(() -> store.acquireLease("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acquireLease("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.acquireLease("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
    }
}
