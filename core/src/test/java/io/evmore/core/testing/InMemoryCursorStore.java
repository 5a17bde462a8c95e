package io.evmore.core.testing;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.CursorStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A cursor store that really works, in memory: for chain-follower tests that need no database. */
public final class InMemoryCursorStore implements CursorStore {
    private final Map<ChainId, ChainCursor> cursors = new ConcurrentHashMap<>();

    @Override
    public Optional<ChainCursor> load(ChainId chain) {
        return Optional.ofNullable(cursors.get(chain));
    }

    @Override
    public void save(ChainCursor cursor) {
        cursors.put(cursor.chain(), cursor);
    }
}
