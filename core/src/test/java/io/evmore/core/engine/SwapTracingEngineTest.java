package io.evmore.core.engine;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.port.SwapTracing;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The engine reports its work to the tracing port: a step span per step of a swap, every chain call the step makes as a
 * child of that step, the end of the swap once; never the secret. And the reaction-time metrics of a swap's first
 * counter-lock and source claim.
 */
class SwapTracingEngineTest {

    record StepSpan(String swapId, SwapState state, List<Call> calls) {}

    record Call(ChainId chain, String operation, Map<String, String> attributes) {}

    static final class Recording implements SwapTracing {
        final List<StepSpan> steps = new ArrayList<>();
        final List<Call> outsideSteps = new ArrayList<>();
        final List<String> finished = new ArrayList<>();
        final ThreadLocal<StepSpan> current = new ThreadLocal<>();

        @Override
        public Step step(Swap swap) {
            StepSpan s = new StepSpan(swap.id(), swap.state(), new ArrayList<>());
            steps.add(s);
            current.set(s);
            return new Step() {
                @Override
                public void failed(Throwable error) {}

                @Override
                public void close() {
                    current.remove();
                }
            };
        }

        @Override
        public <T> T chainCall(ChainId chain, String operation, Map<String, String> attributes, Supplier<T> call) {
            StepSpan s = current.get();
            (s == null ? outsideSteps : s.calls()).add(new Call(chain, operation, Map.copyOf(attributes)));
            return call.get();
        }

        @Override
        public void swapFinished(Swap swap, String outcome) {
            finished.add(swap.id() + " " + outcome);
        }
    }

    static final class Reactions implements RelayMetrics {
        final List<String> observed = new ArrayList<>();

        @Override
        public void swapFinished(String status, Duration duration) {}

        @Override
        public void queueSize(int size) {}

        @Override
        public void reactionTime(String kind, Duration took) {
            observed.add(kind);
            assertThat(took.isNegative()).isFalse();
            assertThat(took).isLessThan(Duration.ofMinutes(5));
        }
    }

    @Test
    void aSwapIsTracedStepByStepWithItsChainCallsAndNeverTheSecret() {
        SimWorld world = new SimWorld(7);
        Reactions reactions = new Reactions();
        world.metrics = reactions;
        world.restart();
        Recording tracing = new Recording();
        world.engine.tracing(tracing);

        SimWorld.User user = world.user(ETH, BigInteger.valueOf(10_000), world.now() + 1_200);
        user.lock();
        for (int i = 0; i < 100 && user.swap().map(Swap::state).orElse(null) != SwapState.COUNTER_LOCKED; i++) world.tick();
        user.claim();
        for (int i = 0; i < 100 && user.swap().map(Swap::state).orElse(null) != SwapState.COMPLETED; i++) world.tick();
        String id = user.swap().orElseThrow().id();
        assertThat(user.swap().orElseThrow().state()).isEqualTo(SwapState.COMPLETED);

        List<StepSpan> ofSwap = tracing.steps.stream().filter(s -> s.swapId().equals(id)).toList();
        assertThat(ofSwap).extracting(StepSpan::state).contains(SwapState.DETECTED, SwapState.SECRET_REVEALED);
        List<Call> calls = ofSwap.stream().flatMap(s -> s.calls().stream()).toList();
        assertThat(calls).as("the counter-lock on devnet-a and the claim on Ethereum are chain calls inside steps")
                .anySatisfy(c -> {
                    assertThat(c.chain()).isEqualTo(DEVNET);
                    assertThat(c.operation()).isEqualTo("lock");
                    assertThat(c.attributes()).containsEntry("htlc.hashlock", user.hashlock.hex());
                })
                .anySatisfy(c -> {
                    assertThat(c.chain()).isEqualTo(ETH);
                    assertThat(c.operation()).isEqualTo("claim");
                });
        assertThat(tracing.finished).containsExactly(id + " completed");
        String secret = user.secret.hex();
        assertThat(tracing.steps.stream().flatMap(s -> s.calls().stream()).flatMap(c -> c.attributes().values().stream()))
                .as("no attribute carries the secret").noneMatch(v -> v.toLowerCase().contains(secret.toLowerCase()));
        assertThat(reactions.observed).containsExactly("counter_lock", "source_claim");
    }
}
