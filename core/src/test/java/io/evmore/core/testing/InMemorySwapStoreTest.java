package io.evmore.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.IllegalTransitionException;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The in-memory store keeps the SQL store's rules, and its transactions are all-or-nothing. */
class InMemorySwapStoreTest {
    private static final ChainId EVM = ChainId.of("eip155:31337");
    private static final ChainId COSMOS = ChainId.of("devnet-a");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final InMemorySwapStore store = new InMemorySwapStore();

    static Swap swap(String htlcId, Secret secret, SwapState state, Instant at) {
        return new Swap(Swap.idFor(EVM, htlcId), EVM, COSMOS, htlcId, null, secret.hashlock(), "0xuser", "cosmos1user",
                "0x0", BigInteger.TEN, null, null, 10_000, 0, state, at, at);
    }

    @Test
    void aFailedOrCrashedTransactionLeavesNothingBehind() {
        Secret secret = Secret.random();
        assertThatThrownBy(() -> store.run(tx -> {
            tx.insert(swap("a", secret, SwapState.DETECTED, T0), "seen");
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThatThrownBy(() -> store.run(tx -> {
            tx.insert(swap("a", secret, SwapState.DETECTED, T0), "seen");
            tx.saveCursor(new ChainCursor(EVM, 5, "0xabc"), T0);
            throw new AssertionError("simulated crash");
        })).isInstanceOf(AssertionError.class);
        assertThat(store.find(Swap.idFor(EVM, "a"))).isEmpty();
        assertThat(store.cursor(EVM)).isEmpty();
        assertThat(store.commits()).isZero();
    }

    @Test
    void aCaughtStoreErrorStillRollsTheTransactionBack() {
        Secret secret = Secret.random();
        store.run(tx -> tx.insert(swap("a", secret, SwapState.DETECTED, T0), "seen"));
        assertThatThrownBy(() -> store.run(tx -> {
            tx.saveCursor(new ChainCursor(EVM, 5, "0xabc"), T0);
            try {
                tx.insert(swap("a", secret, SwapState.DETECTED, T0), "again");
            } catch (PermanentException ignored) {
                // the caller swallows it: the transaction is rolled back anyway
            }
        })).isInstanceOf(PermanentException.class).hasMessageContaining("rolled back");
        assertThat(store.cursor(EVM)).isEmpty();
    }

    @Test
    void insertRefusesDuplicateIdSourceLockAndASecondHashlockHolder() {
        Secret secret = Secret.random();
        store.run(tx -> tx.insert(swap("a", secret, SwapState.DETECTED, T0), "seen"));
        assertThatThrownBy(() -> store.run(tx -> tx.insert(swap("a", Secret.random(), SwapState.DETECTED, T0), "x")))
                .hasMessageContaining("already exists");
        // A second lock with the hashlock may wait for its confirmations beside the first; it may not hold it beside a holder.
        store.run(tx -> tx.insert(swap("b", secret, SwapState.DETECTED, T0.plusSeconds(1)), "x"));
        store.run(tx -> tx.transition(tx.find(Swap.idFor(EVM, "b")).orElseThrow(), SwapState.DETECTED, SwapState.CONFIRMED,
                "accepted", null, T0.plusSeconds(2)));
        assertThatThrownBy(() -> store.run(tx -> tx.transition(tx.find(Swap.idFor(EVM, "a")).orElseThrow(), SwapState.DETECTED,
                SwapState.CONFIRMED, "accepted", null, T0.plusSeconds(3)))).hasMessageContaining("already held by another swap");
        assertThat(store.inTransaction(tx -> tx.findByHashlock(secret.hashlock())).orElseThrow().sourceHtlcId()).isEqualTo("b");
        store.run(tx -> tx.transition(tx.find(Swap.idFor(EVM, "b")).orElseThrow(), SwapState.CONFIRMED, SwapState.REJECTED,
                "test", null, T0.plusSeconds(4)));
        // A rejected (terminal) swap with the same hashlock is allowed, and the active one is still preferred.
        store.run(tx -> tx.insert(swap("c", secret, SwapState.REJECTED, T0.plusSeconds(5)), "reused hashlock"));
        assertThat(store.inTransaction(tx -> tx.findByHashlock(secret.hashlock())).orElseThrow().sourceHtlcId()).isEqualTo("a");
        store.run(tx -> tx.transition(tx.find(Swap.idFor(EVM, "a")).orElseThrow(), SwapState.DETECTED, SwapState.REJECTED,
                "test", null, T0));
        // All terminal: the most recently created one.
        assertThat(store.inTransaction(tx -> tx.findByHashlock(secret.hashlock())).orElseThrow().sourceHtlcId()).isEqualTo("c");
    }

    @Test
    void transitionsFollowTheTableAndTheExpectedStateAndKeepIdentity() {
        Secret secret = Secret.random();
        Swap s = swap("a", secret, SwapState.DETECTED, T0);
        store.run(tx -> tx.insert(s, "seen"));
        assertThatThrownBy(() -> store.run(tx -> tx.transition(s, SwapState.DETECTED, SwapState.COMPLETED, "x", null, T0)))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> store.run(tx -> tx.transition(s, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, "x", null, T0)))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("stored state is DETECTED");
        Swap otherReceiver = new Swap(s.id(), EVM, COSMOS, "a", null, secret.hashlock(), "0xuser", "cosmos1evil", "0x0",
                BigInteger.TEN, null, null, 10_000, 0, SwapState.DETECTED, T0, T0);
        assertThatThrownBy(() -> store.run(tx -> tx.transition(otherReceiver, SwapState.DETECTED, SwapState.CONFIRMED, "x", null, T0)))
                .hasMessageContaining("receiver is fixed");
        Swap moved = store.inTransaction(tx -> tx.transition(
                s.withQuote("uatom", BigInteger.valueOf(9), BigInteger.ONE, 9_000, T0), SwapState.DETECTED,
                SwapState.CONFIRMED, "confirmed", "0xtx", T0.plusSeconds(1)));
        assertThat(moved.state()).isEqualTo(SwapState.CONFIRMED);
        assertThat(moved.destAmount()).isEqualTo(9);
        assertThat(moved.createdAt()).isEqualTo(T0);
        Swap withSecret = store.inTransaction(tx -> tx.update(moved.withSecret(secret, T0.plusSeconds(2)), SwapState.CONFIRMED));
        assertThat(store.find(s.id()).orElseThrow().secret()).isEqualTo(secret);
        assertThat(withSecret.state()).isEqualTo(SwapState.CONFIRMED);
        assertThat(trail(s.id())).extracting(t -> t.to())
                .containsExactly(SwapState.DETECTED, SwapState.CONFIRMED);
        assertThatThrownBy(() -> store.run(tx -> tx.deleteDetected(s.id(), "reorg")))
                .isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void intentsKeepTheirOwnerAndOpenOnesAreListed() {
        Secret secret = Secret.random();
        Swap s = swap("a", secret, SwapState.DETECTED, T0);
        store.run(tx -> tx.insert(s, "seen"));
        TxIntent i = TxIntent.pending(s.id() + "/COUNTER_LOCK/1", s.id(), COSMOS, "COUNTER_LOCK", T0);
        store.run(tx -> tx.saveIntent(i));
        store.run(tx -> tx.saveIntent(i.with(3, "0xhash", TxIntent.Status.BROADCAST, T0.plusSeconds(1))));
        assertThat(open(COSMOS)).singleElement()
                .satisfies(x -> assertThat(x.hashes()).containsExactly("0xhash"));
        assertThatThrownBy(() -> store.run(tx -> tx.saveIntent(new TxIntent(i.id(), s.id(), COSMOS, "SOURCE_CLAIM", 1, null,
                TxIntent.Status.PENDING, T0, T0)))).hasMessageContaining("cannot change");
        store.run(tx -> tx.saveIntent(i.withStatus(TxIntent.Status.CONFIRMED, T0.plusSeconds(2))));
        assertThat(open(COSMOS)).isEmpty();
        store.run(tx -> tx.deleteDetected(s.id(), "reorg"));
        assertThat(store.allIntents()).isEmpty();
        assertThat(trail(s.id())).isEmpty();
    }

    private java.util.List<io.evmore.core.swap.SwapTransition> trail(String id) {
        return store.inTransaction(tx -> tx.transitions(id));
    }

    private java.util.List<TxIntent> open(ChainId chain) {
        return store.inTransaction(tx -> tx.openIntents(chain));
    }
}
