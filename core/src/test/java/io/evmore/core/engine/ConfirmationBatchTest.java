package io.evmore.core.engine;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static io.evmore.core.engine.sim.SimWorld.UATOM;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.engine.sim.FakeHtlcChain;
import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Confirmation decides the swaps waiting on one funding chain in one batch (one balance read, reservations counted in
 * memory across the batch). Two swaps of a batch must never count the same funds, and one swap failing its re-check
 * must not hold up the others.
 *
 * <p>Four ETH → devnet-a swaps of 70,000 wei each are quoted 69,790 uatom (30 bp fee); the relayer holds 250,000 uatom on
 * devnet-a, so three fit (209,370) and the fourth does not (279,160).
 */
class ConfirmationBatchTest {
    private static final BigInteger AMOUNT = BigInteger.valueOf(70_000);

    private SimWorld w;
    private final List<SimWorld.User> users = new ArrayList<>();

    @BeforeEach
    void fourDetectedSwapsWithTheirConfirmations() {
        w = new SimWorld(7);
        w.restart(); // the engine is only the followers' listener here: its steps never run
        for (int i = 0; i < 4; i++) {
            SimWorld.User u = w.user(ETH, AMOUNT, w.now() + 3_600);
            u.lock();
            users.add(u);
        }
        for (int i = 0; i < 4; i++) {
            w.clock.advance(Duration.ofSeconds(SimWorld.BLOCK_SECONDS));
            w.mineAll();
            w.follow();
        }
        assertThat(detected()).hasSize(4);
    }

    @Test
    void twoSwapsOfOneBatchNeverReserveTheSameInventory() {
        Confirmation c = confirmation(w.eth);
        List<Confirmation.Waiting> batch = detected().stream().map(c::prepare).toList();

        c.decideBatch(batch);

        assertThat(batch).allSatisfy(x -> assertThat(x.result).isDone());
        List<Swap> confirmed = inState(SwapState.CONFIRMED);
        assertThat(confirmed).as("three fit in 250,000 uatom, the fourth does not").hasSize(3);
        BigInteger reserved = confirmed.stream().map(Swap::destAmount).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(reserved).isLessThanOrEqualTo(w.devnet.balance(UATOM));
        assertThat(inState(SwapState.REJECTED)).singleElement()
                .satisfies(s -> assertThat(s.lastError()).contains("insufficient inventory"));
    }

    @Test
    void aBatchCountsWhatEarlierBatchesReserved() {
        Confirmation c = confirmation(w.eth);
        List<Swap> all = detected();
        c.decideBatch(all.subList(0, 2).stream().map(c::prepare).toList());
        c.decideBatch(all.subList(2, 4).stream().map(c::prepare).toList());

        assertThat(inState(SwapState.CONFIRMED)).hasSize(3);
        assertThat(inState(SwapState.REJECTED)).hasSize(1);
    }

    @Test
    void stepsConfirmingAtOnceShareTheInventoryToo() throws Exception {
        Confirmation c = confirmation(w.eth);
        List<Swap> all = detected();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> steps = new ArrayList<>();
        for (Swap s : all) {
            steps.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                c.confirm(s);
            }));
        }
        go.countDown();
        for (Thread t : steps) t.join();

        assertThat(inState(SwapState.CONFIRMED)).hasSize(3);
        assertThat(inState(SwapState.REJECTED)).hasSize(1);
    }

    @Test
    void oneSwapFailingItsRecheckDoesNotHoldUpTheOthers() {
        String tampered = users.get(1).sourceLockId().orElseThrow();
        // the chain's record of that one lock differs from what the follower reported
        Confirmation c = confirmation(new TamperedReads(w.eth, h -> h.id().equals(tampered)
                ? new HtlcRecord(h.chain(), h.id(), h.sender(), h.receiver(), h.asset(), h.amount().add(BigInteger.ONE), h.hashlock(),
                        h.timelock(), h.targetChain(), h.targetAddress(), h.status(), h.refundAddress())
                : h));
        List<Confirmation.Waiting> batch = detected().stream().map(c::prepare).toList();

        c.decideBatch(batch);

        Swap bad = users.get(1).swap().orElseThrow();
        assertThat(bad.state()).isEqualTo(SwapState.REJECTED);
        assertThat(bad.lastError()).contains("amount on chain differs");
        // the three others fit once the tampered one reserves nothing
        assertThat(inState(SwapState.CONFIRMED)).hasSize(3).noneMatch(s -> s.id().equals(bad.id()));
    }

    @Test
    void aFailedBalanceReadFailsEveryWaitingSwapAndConfirmsNone() {
        Confirmation c = new Confirmation(Map.of(ETH, w.eth, DEVNET, new NoBalance(w.devnet)), book(), w.clock, w.settings,
                heights(), new FlowClock(w.clock, Map.of(ETH, w.eth, DEVNET, w.devnet)));
        List<Confirmation.Waiting> batch = detected().stream().map(c::prepare).toList();

        c.decideBatch(batch);

        assertThat(batch).allSatisfy(x -> assertThat(x.result).isCompletedExceptionally());
        assertThat(detected()).as("nothing decided without the balance").hasSize(4);
    }

    @Test
    void aSwapTakenForABatchThatWasNeverDecidedIsAskedAgainInsteadOfLoopingOnTheLock() throws Exception {
        Confirmation c = confirmation(w.eth);
        Swap s = detected().get(0);
        // The funding chain's queue, its lock held here as by a step collecting a batch.
        Confirmation.Queue q = c.queues.computeIfAbsent(DEVNET, k -> new Confirmation.Queue());
        java.util.concurrent.CompletableFuture<Object> outcome = new java.util.concurrent.CompletableFuture<>();
        q.lock.lock();
        Thread step;
        try {
            step = Thread.ofVirtual().start(() -> {
                try {
                    outcome.complete(c.confirm(s));
                } catch (RuntimeException e) {
                    outcome.complete(e);
                }
            });
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (q.waiting.isEmpty() && System.nanoTime() < until) Thread.sleep(5);
            // that step takes the swap off the queue for its batch and dies before deciding it
            assertThat(q.waiting.poll().swap.id()).isEqualTo(s.id());
        } finally {
            q.lock.unlock();
        }

        Object result = outcome.get(10, java.util.concurrent.TimeUnit.SECONDS); // before the guard: a step spinning for ever
        assertThat(result).isInstanceOfSatisfying(io.evmore.core.error.TransientException.class,
                e -> assertThat(e.getMessage()).contains(s.id()).contains("never decided"));
        step.join(Duration.ofSeconds(5));
        assertThat(step.isAlive()).isFalse();
        assertThat(w.memory.find(s.id()).orElseThrow().state()).as("nothing decided for it").isEqualTo(SwapState.DETECTED);

        // asked again, it is decided as usual
        assertThat(c.confirm(s)).isNotNull();
        assertThat(w.memory.find(s.id()).orElseThrow().state()).isEqualTo(SwapState.CONFIRMED);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private Confirmation confirmation(HtlcChain eth) {
        Map<ChainId, HtlcChain> chains = Map.of(ETH, eth, DEVNET, w.devnet);
        return new Confirmation(chains, book(), w.clock, w.settings, heights(), new FlowClock(w.clock, chains));
    }

    private SwapBook book() {
        return OnSimWorld.book(w);
    }

    private ChainHeights heights() {
        return OnSimWorld.heights(w);
    }

    private List<Swap> detected() {
        return inState(SwapState.DETECTED);
    }

    private List<Swap> inState(SwapState state) {
        return w.memory.all().stream().filter(s -> s.state() == state).toList();
    }

    /** A chain whose {@code query} answers a changed record. */
    private static class TamperedReads implements HtlcChain {
        final FakeHtlcChain fake;
        final UnaryOperator<HtlcRecord> tamper;

        TamperedReads(FakeHtlcChain fake, UnaryOperator<HtlcRecord> tamper) {
            this.fake = fake;
            this.tamper = tamper;
        }

        @Override public ChainId chain() { return fake.chain(); }
        @Override public String relayerAddress() { return fake.relayerAddress(); }
        @Override public String contract() { return fake.contract(); }
        @Override public TxResult lock(LockRequest r, TxJournal j) { return fake.lock(r, j); }
        @Override public TxResult claim(String id, Secret s, TxJournal j) { return fake.claim(id, s, j); }
        @Override public TxResult refund(String id, TxJournal j) { return fake.refund(id, j); }
        @Override public Reconciliation reconcile(TxIntent i) { return fake.reconcile(i); }
        @Override public Optional<HtlcRecord> query(String id) { return fake.query(id).map(tamper); }
        @Override public Optional<HtlcRecord> queryConfirmed(String id, long c) { return fake.queryConfirmed(id, c).map(tamper); }
        @Override public BigInteger balance(String asset) { return fake.balance(asset); }
        @Override public long latestBlockTime() { return fake.latestBlockTime(); }
    }

    /** A chain whose balance cannot be read (every endpoint down). */
    private static final class NoBalance extends TamperedReads {
        NoBalance(FakeHtlcChain fake) {
            super(fake, UnaryOperator.identity());
        }

        @Override public BigInteger balance(String asset) { throw new IllegalStateException("no endpoint answered"); }
    }
}
