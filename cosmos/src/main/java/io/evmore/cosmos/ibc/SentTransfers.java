package io.evmore.cosmos.ibc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ICS-20 packets the relayer sent, by (source channel, sequence), so that acknowledgements and timeouts can be
 * matched to them. Kept in memory; after a restart the follower still matches by the packet's sender (the
 * relayer's address), which the ack/timeout events carry. Bounded: the oldest entries are forgotten beyond
 * {@link #capacity()} so a long-running relayer does not grow without limit; matching by sender still applies
 * to them.
 */
public final class SentTransfers {
    public record Key(String sourceChannel, long sequence) {}

    /** Default bound: far more packets than are ever in flight at once. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private final int capacity;
    private final Map<Key, Boolean> sent;

    public SentTransfers() {
        this(DEFAULT_CAPACITY);
    }

    public SentTransfers(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.sent = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
                return size() > SentTransfers.this.capacity;
            }
        };
    }

    public int capacity() {
        return capacity;
    }

    public synchronized void record(String sourceChannel, long sequence) {
        sent.put(new Key(sourceChannel, sequence), Boolean.TRUE);
    }

    public synchronized boolean contains(String sourceChannel, long sequence) {
        return sent.containsKey(new Key(sourceChannel, sequence));
    }

    /** Forgets a settled transfer. */
    public synchronized void settle(String sourceChannel, long sequence) {
        sent.remove(new Key(sourceChannel, sequence));
    }

    public synchronized int size() {
        return sent.size();
    }
}
