package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The latest block each chain's follower has processed: how many confirmations a lock has. */
final class ChainHeights {
    private final Map<ChainId, Long> heights = new ConcurrentHashMap<>();
    /** When the follower first reported each recent height (reaction-time metrics only; the last {@value #SEEN_KEPT}). */
    private final Map<ChainId, NavigableMap<Long, Instant>> seen = new ConcurrentHashMap<>();
    static final int SEEN_KEPT = 1024;

    /** The follower processed {@code height} at {@code at}. */
    void seen(ChainId chain, long height, Instant at) {
        set(chain, height);
        NavigableMap<Long, Instant> m = seen.computeIfAbsent(chain, c -> new ConcurrentSkipListMap<>());
        m.putIfAbsent(height, at);
        while (m.size() > SEEN_KEPT) m.pollFirstEntry();
    }

    /** When the followed head first reached {@code height} or above (null: not seen by this process, or too long ago). */
    Instant seenAt(ChainId chain, long height) {
        NavigableMap<Long, Instant> m = seen.get(chain);
        if (m == null || m.isEmpty() || height < m.firstKey()) return null;
        Map.Entry<Long, Instant> e = m.ceilingEntry(height);
        return e == null ? null : e.getValue();
    }

    void set(ChainId chain, long height) {
        heights.put(chain, height);
    }

    long height(ChainId chain) {
        return heights.getOrDefault(chain, -1L);
    }

    /** Blocks from the lock's block to the followed head, both included; 0 when the lock's block is unknown or ahead. */
    long confirmations(ChainId chain, long lockHeight) {
        long head = height(chain);
        if (lockHeight <= 0 || head < lockHeight) return 0;
        return head - lockHeight + 1;
    }
}
