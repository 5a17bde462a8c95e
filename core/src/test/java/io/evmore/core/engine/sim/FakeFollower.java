package io.evmore.core.engine.sim;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.port.SwapStore;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Follows a {@link FakeHtlcChain} the way the real followers do: from the cursor persisted in the store (never "head
 * minus N"), block by block; a cursor whose block left the canonical chain is a reorg, reported as a rollback to the
 * common ancestor. Stateless, so a restarted relayer simply gets a new listener.
 *
 * <p>Faults: an event may be lost for good ({@link #dropEvent}: a missed log, a websocket gap nobody backfilled — the
 * block and its cursor are still delivered), and a poll may deliver nothing ({@link #stall}: the follower lags and
 * catches up later, so events arrive late).
 */
public final class FakeFollower {
    private final FakeHtlcChain chain;
    private final SwapStore store;
    private final Random random;
    /** Probability that one event of a delivered block is lost for good. */
    public double dropEvent;
    /** Probability that a poll delivers nothing. */
    public double stall;
    /** Events this follower never delivers (a test's missed event), whatever the probabilities. */
    public java.util.function.Predicate<ChainEvent> lose = e -> false;
    private int dropped;

    public FakeFollower(FakeHtlcChain chain, SwapStore store) {
        this(chain, store, null);
    }

    public FakeFollower(FakeHtlcChain chain, SwapStore store, Random random) {
        this.chain = chain;
        this.store = store;
        this.random = random;
    }

    public int dropped() {
        return dropped;
    }

    /** Delivers up to {@code maxBlocks} new blocks (after a rollback if the cursor was reorged away). */
    public void poll(ChainEvents.Listener listener, int maxBlocks) {
        if (random != null && stall > 0 && random.nextDouble() < stall) return;
        Optional<ChainCursor> cursor = store.cursor(chain.chain());
        long next = 1;
        if (cursor.isPresent()) {
            ChainCursor c = cursor.get();
            if (!chain.isCanonical(c.height(), c.blockHash())) {
                ChainCursor ancestor = chain.commonAncestor(c.blockHash());
                listener.onRollback(ancestor);
                next = ancestor.height() + 1;
            } else {
                next = c.height() + 1;
            }
        }
        for (long h = next; h <= chain.height() && h < next + maxBlocks; h++) {
            List<ChainEvent> events = chain.eventsAt(h);
            int all = events.size();
            events = events.stream().filter(e -> !lose.test(e)).toList();
            dropped += all - events.size();
            if (random != null && dropEvent > 0 && !events.isEmpty()) {
                List<ChainEvent> kept = events.stream().filter(e -> random.nextDouble() >= dropEvent).toList();
                dropped += events.size() - kept.size();
                events = kept;
            }
            listener.onBlock(chain.cursorAt(h), events);
        }
    }
}
