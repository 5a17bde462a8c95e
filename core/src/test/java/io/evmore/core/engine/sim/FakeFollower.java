package io.evmore.core.engine.sim;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.port.SwapStore;
import java.util.Optional;

/**
 * Follows a {@link FakeHtlcChain} the way the real followers do: from the cursor persisted in the store (never "head
 * minus N"), block by block; a cursor whose block left the canonical chain is a reorg, reported as a rollback to the
 * common ancestor. Stateless, so a restarted relayer simply gets a new listener.
 */
public final class FakeFollower {
    private final FakeHtlcChain chain;
    private final SwapStore store;

    public FakeFollower(FakeHtlcChain chain, SwapStore store) {
        this.chain = chain;
        this.store = store;
    }

    /** Delivers up to {@code maxBlocks} new blocks (after a rollback if the cursor was reorged away). */
    public void poll(ChainEvents.Listener listener, int maxBlocks) {
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
            listener.onBlock(chain.cursorAt(h), chain.eventsAt(h));
        }
    }
}
