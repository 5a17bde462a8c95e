package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's sense of time when it decides a swap's next step: timelocks are judged by block time, never by a chain
 * clock that lags the wall clock, and a step that waits for a chain's clock looks again at least every
 * {@link #TIMELOCK_RECHECK}.
 *
 * <p>Concurrent steps that ask one chain's clock at once share a read ({@link LatestBlockTime}): with a thousand swaps in
 * flight they no longer send a thousand {@code latest block} queries to the node, each still gets a block time read
 * after it asked.
 */
final class FlowClock {
    static final Duration TIMELOCK_RECHECK = Duration.ofSeconds(10);

    private final Clock clock;
    private final Map<ChainId, HtlcChain> chains;
    private final Map<HtlcChain, LatestBlockTime> reads = new ConcurrentHashMap<>();

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
        return Math.max(clock.nowEpochSeconds(), reads.computeIfAbsent(chain, c -> new LatestBlockTime(c::latestBlockTime)).get());
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

    /**
     * One chain's latest block time, read once for every caller waiting at the same moment, never older than the call:
     * a caller that arrives while a read is under way waits for the next read, which starts when that one ends and
     * serves everyone who arrived meanwhile. A caller alone reads at once, as a direct call would; a failed read fails
     * every caller it serves.
     */
    static final class LatestBlockTime {
        /** A read, and who leads it. */
        private static final class Round {
            final CompletableFuture<Long> result = new CompletableFuture<>();
        }

        private final java.util.function.LongSupplier read;
        private final ReentrantLock lock = new ReentrantLock(); // not a monitor: callers are virtual threads
        private Round running; // the read under way
        private Round next; // the read that starts when it ends; callers arriving now join it

        LatestBlockTime(java.util.function.LongSupplier read) {
            this.read = read;
        }

        long get() {
            Round mine;
            Round before = null;
            boolean lead = false;
            lock.lock();
            try {
                if (next != null) {
                    mine = next; // its leader is waiting for the read under way
                } else if (running == null) {
                    mine = running = new Round();
                    lead = true;
                } else {
                    before = running;
                    mine = next = new Round();
                    lead = true;
                }
            } finally {
                lock.unlock();
            }
            if (lead) {
                if (before != null) {
                    before.result.handle((v, e) -> null).join(); // a read sent before this call is not fresh enough
                    lock.lock();
                    try {
                        running = mine;
                        next = null;
                    } finally {
                        lock.unlock();
                    }
                }
                try {
                    mine.result.complete(read.getAsLong());
                } catch (RuntimeException | Error e) {
                    mine.result.completeExceptionally(e);
                } finally {
                    lock.lock();
                    try {
                        if (running == mine) running = null;
                    } finally {
                        lock.unlock();
                    }
                }
            }
            try {
                return mine.result.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error r) throw r;
                throw e;
            }
        }
    }
}
