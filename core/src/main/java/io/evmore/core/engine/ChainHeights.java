package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The latest block each chain's follower has processed: how many confirmations a lock has. */
final class ChainHeights {
    private final Map<ChainId, Long> heights = new ConcurrentHashMap<>();

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
