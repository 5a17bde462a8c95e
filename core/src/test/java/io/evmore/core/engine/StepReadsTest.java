package io.evmore.core.engine;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.port.SwapTracing;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A step's independent chain reads are made side by side — confirming: both clocks and the source lock; the look-again
 * before paying: the destination's clock and the source lock at depth — inside the step's tracing context, and every
 * answer is still checked. Each gated read waits until all the reads of its group have started: made one after
 * another, the first would wait alone and fail the step.
 */
class StepReadsTest {
    private static final BigInteger AMOUNT = BigInteger.valueOf(10_000);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private SimWorld w;
    private SimWorld.User user;

    @BeforeEach
    void aDetectedSwapWithItsConfirmations() {
        w = new SimWorld(11);
        w.restart(); // the engine is only the followers' listener here: its steps never run
        user = w.user(ETH, AMOUNT, w.now() + 3_600);
        user.lock();
        for (int i = 0; i < 4; i++) {
            w.clock.advance(Duration.ofSeconds(SimWorld.BLOCK_SECONDS));
            w.mineAll();
            w.follow();
        }
        assertThat(swap().state()).isEqualTo(SwapState.DETECTED);
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void confirmingReadsBothClocksAndTheSourceLockSideBySideInTheStepsContext() {
        CountDownLatch allStarted = new CountDownLatch(3);
        Recording tracing = new Recording();
        Map<ChainId, HtlcChain> chains = TracedChains.wrap(Map.of(ETH, gated(w.eth, Set.of("latestBlockTime", "query"), allStarted, h -> h),
                DEVNET, gated(w.devnet, Set.of("latestBlockTime"), allStarted, h -> h)), () -> tracing);
        SwapBook book = book();
        book.tracing = tracing;
        Confirmation c = new Confirmation(chains, book, w.clock, w.settings, heights(), new FlowClock(w.clock, chains),
                new StepReads(executor, book));

        tracing.inStep("step-1", () -> c.decideBatch(List.of(c.prepare(swap()))));

        assertThat(swap().state()).isEqualTo(SwapState.CONFIRMED);
        assertThat(tracing.readsOutsideTheStep).as("every read ran in the step's tracing context").isEmpty();
        assertThat(tracing.carried).as("the reads on other threads carried it").isPositive();
    }

    @Test
    void aSourceLockReadSideBySideIsStillChecked() {
        CountDownLatch allStarted = new CountDownLatch(3);
        Map<ChainId, HtlcChain> chains = Map.of(ETH, gated(w.eth, Set.of("latestBlockTime", "query"), allStarted, h ->
                        new HtlcRecord(h.chain(), h.id(), h.sender(), h.receiver(), h.asset(), h.amount().add(BigInteger.ONE),
                                h.hashlock(), h.timelock(), h.targetChain(), h.targetAddress(), h.status(), h.refundAddress())),
                DEVNET, gated(w.devnet, Set.of("latestBlockTime"), allStarted, h -> h));
        SwapBook book = book();
        Confirmation c = new Confirmation(chains, book, w.clock, w.settings, heights(), new FlowClock(w.clock, chains),
                new StepReads(executor, book));

        c.decideBatch(List.of(c.prepare(swap())));

        assertThat(swap().state()).isEqualTo(SwapState.REJECTED);
        assertThat(swap().lastError()).contains("amount on chain differs");
    }

    @Test
    void theLookAgainBeforePayingReadsTheDestinationClockAndTheSourceLockSideBySide() {
        confirm();
        CountDownLatch allStarted = new CountDownLatch(2);
        Map<ChainId, HtlcChain> chains = Map.of(ETH, gated(w.eth, Set.of("queryConfirmed"), allStarted, h -> h),
                DEVNET, gated(w.devnet, Set.of("latestBlockTime"), allStarted, h -> h));
        SwapBook book = book();
        SwapFlow flow = new SwapFlow(chains, Map.of(), book, w.clock, w.settings, heights(), () -> true, executor);

        flow.step(swap());

        assertThat(swap().state()).isIn(SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED);
        assertThat(w.devnet.relayerReceipts()).hasSize(1);
    }

    @Test
    void theLookAgainStillRefusesASourceLockThatIsNoLongerOpen() {
        confirm();
        CountDownLatch allStarted = new CountDownLatch(2);
        Map<ChainId, HtlcChain> chains = Map.of(ETH, gated(w.eth, Set.of("queryConfirmed"), allStarted, h ->
                        new HtlcRecord(h.chain(), h.id(), h.sender(), h.receiver(), h.asset(), h.amount(), h.hashlock(),
                                h.timelock(), h.targetChain(), h.targetAddress(), HtlcRecord.Status.REFUNDED, h.refundAddress())),
                DEVNET, gated(w.devnet, Set.of("latestBlockTime"), allStarted, h -> h));
        SwapFlow flow = new SwapFlow(chains, Map.of(), book(), w.clock, w.settings, heights(), () -> true, executor);

        flow.step(swap());

        assertThat(swap().state()).isEqualTo(SwapState.REJECTED);
        assertThat(swap().lastError()).contains("not open");
        assertThat(w.devnet.relayerReceipts()).isEmpty();
    }

    @Test
    void theSourceClaimsFeeClockIsReadWhileItsIntentIsWritten() {
        confirm();
        new SwapFlow(Map.of(ETH, w.eth, DEVNET, w.devnet), Map.of(), book(), w.clock, w.settings, heights(), () -> true,
                executor).step(swap());
        user.claim(); // the user reveals the secret on devnet-a; the follower reports it
        w.mineAll();
        w.follow();
        assertThat(swap().state()).isEqualTo(SwapState.SECRET_REVEALED);

        // The write of the claim's intent waits (up to 5 s) until the source's clock is being read: asked one after the
        // other (the clock once the intent is written), the write waits alone and "apart" is set.
        CountDownLatch clockAsked = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean apart = new java.util.concurrent.atomic.AtomicBoolean();
        HtlcChain eth = (HtlcChain) Proxy.newProxyInstance(HtlcChain.class.getClassLoader(), new Class<?>[] {HtlcChain.class},
                (p, m, args) -> {
                    if (m.getName().equals("latestBlockTime")) clockAsked.countDown();
                    try {
                        return m.invoke(w.eth, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        io.evmore.core.port.SwapStore store = new io.evmore.core.port.SwapStore() {
            @Override
            public <T> T inTransaction(java.util.function.Function<Tx, T> work) {
                try {
                    if (!clockAsked.await(5, TimeUnit.SECONDS)) apart.set(true);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return w.memory.inTransaction(work);
            }

            @Override
            public <T> T read(java.util.function.Function<Tx, T> work) {
                return w.memory.read(work);
            }

            @Override
            public int deleteTerminalBefore(java.time.Instant cutoff) {
                return w.memory.deleteTerminalBefore(cutoff);
            }

            @Override
            public Map<SwapState, Long> countByState() {
                return w.memory.countByState();
            }
        };
        SwapFlow flow = new SwapFlow(Map.of(ETH, eth, DEVNET, w.devnet), Map.of(),
                new SwapBook(store, w.clock, io.evmore.core.port.RelayMetrics.NONE), w.clock, w.settings, heights(),
                () -> true, executor);
        int claimsBefore = w.eth.relayerReceipts().size();

        flow.step(swap());

        assertThat(w.eth.relayerReceipts()).as("the source was claimed").hasSize(claimsBefore + 1);
        assertThat(swap().state()).isIn(SwapState.SOURCE_CLAIM_PENDING, SwapState.COMPLETED, SwapState.SOURCE_CLAIMED);
        assertThat(apart).as("the clock was asked while the intent was written, not after").isFalse();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private void confirm() {
        Map<ChainId, HtlcChain> chains = Map.of(ETH, w.eth, DEVNET, w.devnet);
        Confirmation c = new Confirmation(chains, book(), w.clock, w.settings, heights(), new FlowClock(w.clock, chains));
        c.decideBatch(List.of(c.prepare(swap())));
        assertThat(swap().state()).isEqualTo(SwapState.CONFIRMED);
    }

    /**
     * {@code chain}, whose {@code methods} each wait (up to 5 s) until {@code allStarted} counted every gated read, and
     * whose records of HTLCs pass through {@code record}.
     */
    private static HtlcChain gated(HtlcChain chain, Set<String> methods, CountDownLatch allStarted, UnaryOperator<HtlcRecord> record) {
        return (HtlcChain) Proxy.newProxyInstance(HtlcChain.class.getClassLoader(), new Class<?>[] {HtlcChain.class}, (p, m, args) -> {
            if (methods.contains(m.getName())) {
                allStarted.countDown();
                if (!allStarted.await(5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(m.getName() + " on " + chain.chain() + " waited alone: the reads ran one after another");
                }
            }
            Object out;
            try {
                out = m.invoke(chain, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (out instanceof java.util.Optional<?> o && o.isPresent() && o.get() instanceof HtlcRecord h) {
                return java.util.Optional.of(record.apply(h));
            }
            return out;
        });
    }

    /** A tracing port whose current step is a thread-local: a chain call on a thread that did not carry it is outside. */
    static final class Recording implements SwapTracing {
        final ThreadLocal<String> current = new ThreadLocal<>();
        final Set<String> readsOutsideTheStep = ConcurrentHashMap.newKeySet();
        volatile int carried;

        void inStep(String step, Runnable r) {
            current.set(step);
            try {
                r.run();
            } finally {
                current.remove();
            }
        }

        @Override
        public Step step(Swap swap) {
            return Step.NONE;
        }

        @Override
        public <T> Supplier<T> inCurrentStep(Supplier<T> call) {
            String step = current.get();
            return () -> {
                String before = current.get();
                current.set(step);
                carried++;
                try {
                    return call.get();
                } finally {
                    current.set(before);
                }
            };
        }

        @Override
        public <T> T chainCall(ChainId chain, String operation, Map<String, String> attributes, Supplier<T> call) {
            if (current.get() == null) readsOutsideTheStep.add(chain + " " + operation);
            return call.get();
        }

        @Override
        public void swapFinished(Swap swap, String outcome) {}
    }

    private Swap swap() {
        return user.swap().orElseThrow();
    }

    private SwapBook book() {
        return OnSimWorld.book(w);
    }

    private ChainHeights heights() {
        return OnSimWorld.heights(w);
    }
}
