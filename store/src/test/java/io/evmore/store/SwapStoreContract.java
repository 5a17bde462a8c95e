package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
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
    void secondActiveSwapWithTheSameHashlockIsRejectedButATerminalOneFreesIt() {
        Hashlock h = Secret.random().hashlock();
        Swap first = insert(swap("0x01", h, SwapState.DETECTED, T0));

        assertThatThrownBy(() -> insert(swap("0x02", h, SwapState.DETECTED, T0.plusSeconds(1))))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("already used by an active swap");
        assertThat(store.find(Swap.idFor(ETH, "0x02"))).isEmpty();

        walk(first, T0.plusSeconds(2), SwapState.REJECTED);
        Swap second = insert(swap("0x02", h, SwapState.DETECTED, T0.plusSeconds(3)));
        // The active one wins over the older terminal one.
        assertThat(byHashlock((h))).contains(second);
    }

    @Test
    void schemaItselfRefusesTwoActiveSwapsWithOneHashlock() throws SQLException {
        Hashlock h = Secret.random().hashlock();
        insert(swap("0x01", h, SwapState.DETECTED, T0));
        try (Connection c = rawConnection()) {
            // A terminal row with the same hashlock is fine; an active one is not (partial unique index).
            rawInsert(c, "eip155:31337/0x02", "0x02", h, SwapState.COMPLETED);
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
    void concurrentInsertsOfOneHashlockLetExactlyOneSwapIn() throws Exception {
        Hashlock h = Secret.random().hashlock();
        int threads = 6;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        runConcurrently(threads, i -> {
            go.await();
            try {
                store.run(tx -> tx.insert(swap("0x" + i, h, SwapState.DETECTED, T0), "seen"));
                won.incrementAndGet();
            } catch (PermanentException e) {
                // the pre-check or the unique index refused it
            }
            return null;
        }, go);

        assertThat(won.get()).isEqualTo(1);
        assertThat(store.pending(10)).hasSize(1);
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
}
