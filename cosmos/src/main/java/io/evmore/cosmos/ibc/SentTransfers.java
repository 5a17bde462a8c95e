package io.evmore.cosmos.ibc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ICS-20 packets the relayer sent, by (source channel, sequence), so that acknowledgements and timeouts can be
 * matched to them. Kept in memory; after a restart the follower still matches by the packet's sender (the
 * relayer's address), which the ack/timeout events carry.
 */
public final class SentTransfers {
    public record Key(String sourceChannel, long sequence) {}

    private final Set<Key> sent = ConcurrentHashMap.newKeySet();

    public void record(String sourceChannel, long sequence) {
        sent.add(new Key(sourceChannel, sequence));
    }

    public boolean contains(String sourceChannel, long sequence) {
        return sent.contains(new Key(sourceChannel, sequence));
    }

    /** Forgets a settled transfer. */
    public void settle(String sourceChannel, long sequence) {
        sent.remove(new Key(sourceChannel, sequence));
    }
}
