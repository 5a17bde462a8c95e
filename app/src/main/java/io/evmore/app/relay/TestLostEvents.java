package io.evmore.app.relay;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Missed-event injection for the end-to-end tests, only with {@code environment: test}: {@code EVMORE_TEST_LOSE_EVENTS}
 * lists event kinds a chain's follower never hands to the engine — as a missed log, a websocket gap nobody backfilled
 * or a buggy decoder would — as {@code KIND@CHAIN}, comma-separated, KIND one of {@code claims}, {@code locks},
 * {@code refunds}, {@code acks}, {@code transfer-failures}. The block and its cursor are still delivered, so the event
 * is lost for good; the engine must find what it meant another way (the secret by query).
 */
final class TestLostEvents {
    private static final Logger log = LoggerFactory.getLogger(TestLostEvents.class);
    static final String ENV = "EVMORE_TEST_LOSE_EVENTS";
    private static final Set<String> KINDS = Set.of("claims", "locks", "refunds", "acks", "transfer-failures");

    private final Set<String> specs;

    private TestLostEvents(Set<String> specs) {
        this.specs = specs;
    }

    static TestLostEvents parse(String value) {
        Set<String> out = new HashSet<>();
        for (String part : value.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            int at = p.indexOf('@');
            if (at <= 0 || !KINDS.contains(p.substring(0, at).toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(ENV + ": '" + p + "' is not KIND@CHAIN with KIND one of " + KINDS);
            }
            out.add(p.substring(0, at).toLowerCase(Locale.ROOT) + "@" + p.substring(at + 1));
        }
        return new TestLostEvents(Set.copyOf(out));
    }

    /** {@code listener}, losing this chain's listed kinds of events. */
    ChainEvents.Listener wrap(ChainId chain, ChainEvents.Listener listener) {
        Set<String> lost = new HashSet<>();
        for (String s : specs) if (s.endsWith("@" + chain.value())) lost.add(s.substring(0, s.indexOf('@')));
        if (lost.isEmpty()) return listener;
        log.warn("{} is set: the follower of {} loses every {} event", ENV, chain, lost);
        AtomicInteger dropped = new AtomicInteger();
        return new ChainEvents.Listener() {
            @Override
            public void onBlock(ChainCursor cursor, List<ChainEvent> events) {
                List<ChainEvent> kept = events.stream().filter(e -> !lost.contains(kind(e))).toList();
                if (kept.size() < events.size()) {
                    log.warn("TEST LOST {} event(s) of {} at height {} (total {})", events.size() - kept.size(), chain,
                            cursor.height(), dropped.addAndGet(events.size() - kept.size()));
                }
                listener.onBlock(cursor, kept);
            }

            @Override
            public void onRollback(ChainCursor commonAncestor) {
                listener.onRollback(commonAncestor);
            }
        };
    }

    private static String kind(ChainEvent e) {
        return switch (e) {
            case ChainEvent.HtlcClaimed c -> "claims";
            case ChainEvent.HtlcLocked l -> "locks";
            case ChainEvent.HtlcRefunded r -> "refunds";
            case ChainEvent.TransferAcknowledged a -> "acks";
            case ChainEvent.TransferFailed f -> "transfer-failures";
        };
    }
}
