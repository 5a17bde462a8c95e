package io.evmore.core.engine.sim;

import io.evmore.core.error.LeaseLostException;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.SwapState;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The store as one term of the lease sees it (the simulation's model of the fenced store, issue 18): every transaction
 * first compares the lease's epoch with the term's own and is refused with {@link LeaseLostException} once another
 * process took the lease, so a deposed engine that keeps running reads and writes nothing.
 */
final class FencedStore implements SwapStore {
    private final SwapStore delegate;
    private final int term;
    private final IntSupplier epoch;
    private final Runnable onRefusal;

    FencedStore(SwapStore delegate, int term, IntSupplier epoch, Runnable onRefusal) {
        this.delegate = delegate;
        this.term = term;
        this.epoch = epoch;
        this.onRefusal = onRefusal;
    }

    private void check() {
        int now = epoch.getAsInt();
        if (now != term) {
            onRefusal.run();
            throw new LeaseLostException("deposed: the lease's epoch is " + now + ", this term holds " + term);
        }
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        check();
        return delegate.inTransaction(work);
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        check();
        return delegate.deleteTerminalBefore(cutoff);
    }

    @Override
    public Map<SwapState, Long> countByState() {
        return delegate.countByState();
    }
}
