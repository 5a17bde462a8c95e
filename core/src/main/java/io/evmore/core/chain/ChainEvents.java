package io.evmore.core.chain;

import java.util.List;

/**
 * A follower of one chain's events from a persisted cursor. Push (websocket/new heads) where available,
 * polling otherwise; never "head minus N" after downtime.
 */
public interface ChainEvents extends AutoCloseable {

    interface Listener {
        /**
         * A block (or range ending at {@code cursor}) was processed: its events, in chain order. The listener
         * persists its effects and the cursor in one transaction; if it throws, the follower retries the block.
         */
        void onBlock(ChainCursor cursor, List<ChainEvent> events);

        /** A reorg: everything after {@code commonAncestor} is void; the listener rolls back what it produced. */
        void onRollback(ChainCursor commonAncestor);
    }

    ChainId chain();

    void start(Listener listener);

    @Override
    void close();
}
