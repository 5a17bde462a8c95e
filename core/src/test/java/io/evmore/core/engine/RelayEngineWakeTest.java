package io.evmore.core.engine;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static io.evmore.core.engine.sim.SimWorld.FINAL;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.HtlcChain;
import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.SwapState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reaction at light load: once the engine runs, an event starts its swap's step at once — no scheduler pass in
 * between ({@link RelayEngine#runOnce()} is never called here); the block that completes a lock's confirmations wakes
 * it; and an event that arrives while the swap's step runs is looked at when that step ends, not at its next due time.
 * The steps queue on an executor the test runs by hand.
 */
class RelayEngineWakeTest {
    private static final BigInteger AMOUNT = BigInteger.valueOf(10_000);
    private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
    private final Executor steps = queued::add;
    private SimWorld world;
    private RelayEngine engine;
    /** Runs once inside the next counter-lock sent on devnet-a (the last thing its step does). */
    private final AtomicReference<Runnable> duringCounterLock = new AtomicReference<>();

    @BeforeEach
    void setUp() {
        world = new SimWorld(7);
        HtlcChain devnet = (HtlcChain) Proxy.newProxyInstance(HtlcChain.class.getClassLoader(), new Class<?>[] {HtlcChain.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("lock")) {
                        Runnable r = duringCounterLock.getAndSet(null);
                        if (r != null) r.run();
                    }
                    try {
                        return m.invoke(world.devnet, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        engine = new RelayEngine(world.clock, RelayMetrics.NONE, world.memory,
                Map.of(ETH, world.eth, DEVNET, devnet, FINAL, world.fin), world.settings.withSecretWatch(Duration.ofHours(1)), steps);
        engine.recover();
        engine.wakeStepsAtOnce(); // as start() does, without the scheduler thread
    }

    /** One block on each chain, reported to the engine by the followers (no scheduler pass). */
    private void block() {
        world.clock.advance(Duration.ofSeconds(SimWorld.BLOCK_SECONDS));
        world.eth.mine();
        world.devnet.mine();
        world.ethFollower.poll(engine.listener(ETH), 50);
        world.devnetFollower.poll(engine.listener(DEVNET), 50);
    }

    private int runQueued() {
        int n = 0;
        for (Runnable r; (r = queued.poll()) != null; n++) r.run();
        return n;
    }

    @Test
    void theLockEventAndTheBlockThatConfirmsItEachStartTheStepWithoutASchedulerPass() {
        SimWorld.User user = world.user(ETH, AMOUNT, world.now() + 1_200);
        user.lock();
        block(); // the lock is in this block: 1 of its 3 confirmations
        assertThat(user.swap().orElseThrow().state()).isEqualTo(SwapState.DETECTED);
        assertThat(queued).as("the event started the swap's step").hasSize(1);
        runQueued();
        assertThat(user.swap().orElseThrow().state()).isEqualTo(SwapState.DETECTED); // waits for its confirmations

        block(); // 2 of 3: nothing for the swap to do
        assertThat(queued).isEmpty();

        block(); // 3 of 3: this block completes them and wakes the swap, however far its next due time
        assertThat(queued).as("the confirming block started the swap's step").hasSize(1);
        runQueued();
        assertThat(user.swap().orElseThrow().state()).isEqualTo(SwapState.COUNTER_LOCKED);
        assertThat(user.counterLock()).isPresent();
    }

    @Test
    void anEventWhileTheSwapsStepRunsIsLookedAtWhenTheStepEnds() {
        SimWorld.User user = world.user(ETH, AMOUNT, world.now() + 1_200);
        user.lock();
        block();
        runQueued();
        block();
        String id = user.swap().orElseThrow().id();
        // while the step sends the counter-lock, an event touches the swap: its wake finds it running
        duringCounterLock.set(() -> engine.wake(id));
        block();
        assertThat(queued).hasSize(1);
        queued.poll().run();
        assertThat(user.swap().orElseThrow().state()).isEqualTo(SwapState.COUNTER_LOCKED); // its next due time is seconds away
        assertThat(queued).as("the step looks again as soon as it ends").hasSize(1);
        runQueued();
        assertThat(queued).isEmpty(); // and only once: nothing new happened since
    }
}
