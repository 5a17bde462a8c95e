package io.evmore.cosmos;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.port.CursorStore;
import java.util.ArrayList;
import java.util.List;

/** Records what a follower delivers and persists the cursor, as the engine's listener would. */
public final class RecordingListener implements ChainEvents.Listener {
    private final CursorStore store;
    private final List<ChainEvent> events = new ArrayList<>();
    private final List<ChainCursor> cursors = new ArrayList<>();

    public RecordingListener(CursorStore store) {
        this.store = store;
    }

    @Override
    public synchronized void onBlock(ChainCursor cursor, List<ChainEvent> blockEvents) {
        events.addAll(blockEvents);
        cursors.add(cursor);
        store.save(cursor);
    }

    @Override
    public void onRollback(ChainCursor commonAncestor) {
        throw new AssertionError("CometBFT has no reorgs, yet a rollback to " + commonAncestor + " was reported");
    }

    public synchronized List<ChainEvent> events() {
        return List.copyOf(events);
    }

    public synchronized <T extends ChainEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public synchronized List<ChainCursor> cursors() {
        return List.copyOf(cursors);
    }
}
