package io.evmore.core.port;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import java.util.Optional;

/** Narrow view of the store for chain followers that only need their cursor. */
public interface CursorStore {
    Optional<ChainCursor> load(ChainId chain);

    void save(ChainCursor cursor);

    static CursorStore of(SwapStore store, Clock clock) {
        return new CursorStore() {
            @Override
            public Optional<ChainCursor> load(ChainId chain) {
                return store.cursor(chain);
            }

            @Override
            public void save(ChainCursor cursor) {
                store.run(tx -> tx.saveCursor(cursor, clock.now()));
            }
        };
    }
}
