package io.evmore.core.engine.sim;

import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.SwapState;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A store through which the relayer process may die: an outermost transaction is, with probability
 * {@link #crashProbability}, cut before it runs (nothing written) or right after it committed (written, but the
 * caller never learns it). Single-threaded use (the simulation's direct executor).
 */
public final class CrashingStore implements SwapStore {
    private final SwapStore delegate;
    private final Random random;
    private double crashProbability;
    private int depth;
    private int crashes;

    public CrashingStore(SwapStore delegate, Random random) {
        this.delegate = delegate;
        this.random = random;
    }

    public void crashProbability(double p) {
        this.crashProbability = p;
    }

    public int crashes() {
        return crashes;
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        if (depth > 0 || crashProbability <= 0) return delegate.inTransaction(work);
        boolean crash = random.nextDouble() < crashProbability;
        boolean afterCommit = crash && random.nextBoolean();
        if (crash && !afterCommit) {
            crashes++;
            throw new SimulatedCrash("before a store transaction");
        }
        depth++;
        T result;
        try {
            result = delegate.inTransaction(work);
        } finally {
            depth--;
        }
        if (afterCommit) {
            crashes++;
            throw new SimulatedCrash("right after a store transaction committed");
        }
        return result;
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        return delegate.deleteTerminalBefore(cutoff);
    }

    @Override
    public Map<SwapState, Long> countByState() {
        return delegate.countByState();
    }
}
