package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.core.util.SharedRead;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's sense of time when it decides a swap's next step: timelocks are judged by block time, never by a chain
 * clock that lags the wall clock, and a step that waits for a chain's clock looks again at least every
 * {@link #TIMELOCK_RECHECK}.
 *
 * <p>Concurrent steps that ask one chain's clock at once share a read ({@link SharedRead}): with a thousand swaps in
 * flight they no longer send a thousand {@code latest block} queries to the node, each still gets a block time read
 * after it asked.
 */
final class FlowClock {
    static final Duration TIMELOCK_RECHECK = Duration.ofSeconds(10);

    private final Clock clock;
    private final Map<ChainId, HtlcChain> chains;
    private final Map<HtlcChain, SharedRead<Long>> reads = new ConcurrentHashMap<>();

    FlowClock(Clock clock, Map<ChainId, HtlcChain> chains) {
        this.clock = clock;
        this.chains = chains;
    }

    /** Look again after {@code d}. */
    SwapFlow.Next later(Duration d) {
        return new SwapFlow.Next(clock.now().plus(d));
    }

    /**
     * Look again when a chain's clock reaches {@code timelock} (from {@code chainNow}), but at least every
     * {@link #TIMELOCK_RECHECK}: a chain's clock may run ahead of ours (block time decides, not the wall clock).
     */
    SwapFlow.Next until(long timelock, long chainNow) {
        long seconds = Math.max(0, timelock - chainNow);
        return later(Duration.ofSeconds(Math.min(seconds, TIMELOCK_RECHECK.toSeconds())));
    }

    /** Timelocks are compared with block time; the engine never trusts a chain clock that lags the wall clock. */
    long now(HtlcChain chain) {
        return Math.max(clock.nowEpochSeconds(), reads.computeIfAbsent(chain, c -> new SharedRead<>(c::latestBlockTime)).get());
    }

    /** The time on the chain that judges {@code action}'s deadline (the wall clock if that chain cannot answer). */
    long chainTime(Swap s, String action) {
        HtlcChain c = chains.get(Deadlines.clockOf(s, action));
        try {
            return c == null ? clock.nowEpochSeconds() : now(c);
        } catch (RuntimeException e) {
            return clock.nowEpochSeconds();
        }
    }
}
