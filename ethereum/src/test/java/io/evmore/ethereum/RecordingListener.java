package io.evmore.ethereum;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.port.CursorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what a follower reports and keeps the effective event list like a real listener would: events after a
 * rollback's ancestor are removed, and the cursor is saved with each block.
 */
final class RecordingListener implements ChainEvents.Listener {
    private final CursorStore store;
    final List<ChainEvent> delivered = new CopyOnWriteArrayList<>();
    final List<ChainCursor> rollbacks = new CopyOnWriteArrayList<>();
    private final List<ChainEvent> current = new ArrayList<>();

    RecordingListener(CursorStore store) {
        this.store = store;
    }

    @Override
    public synchronized void onBlock(ChainCursor cursor, List<ChainEvent> events) {
        delivered.addAll(events);
        current.addAll(events);
        store.save(cursor);
    }

    @Override
    public synchronized void onRollback(ChainCursor ancestor) {
        rollbacks.add(ancestor);
        current.removeIf(e -> e.origin().height() > ancestor.height());
        store.save(ancestor);
    }

    synchronized List<ChainEvent> current() {
        return List.copyOf(current);
    }

    synchronized List<String> lockedIds() {
        return current.stream().filter(e -> e instanceof ChainEvent.HtlcLocked)
                .map(e -> ((ChainEvent.HtlcLocked) e).htlc().id()).toList();
    }
}
