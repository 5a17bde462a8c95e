package io.evmore.cosmos.events;

import io.evmore.core.chain.ChainId;
import io.evmore.pool.ChainMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bad chain input that was dropped: logged at WARN with the reason and counted in
 * {@code evmore_chain_events_dropped_total{chain,reason}} (registered once per registry by {@link ChainMetrics}).
 */
public final class DroppedEvents {
    private static final Logger log = LoggerFactory.getLogger(DroppedEvents.class);

    /** Bounded label values. */
    public enum Reason {
        UNKNOWN_CONTRACT("unknown_contract"),
        UNKNOWN_METHOD("unknown_method"),
        MISSING_ATTRIBUTE("missing_attribute"),
        DUPLICATE_ATTRIBUTE("duplicate_attribute"),
        MALFORMED_ATTRIBUTE("malformed_attribute"),
        BAD_SECRET("bad_secret"),
        ABSURD_VALUE("absurd_value"),
        MALFORMED_IBC_EVENT("malformed_ibc_event");

        final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** WARN lines per chain and reason per minute; the rest go to DEBUG (the metric counts every drop). */
    public static final int WARNINGS_PER_MINUTE = 10;
    private static final long WINDOW_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    private final Counter counter;
    private final java.util.Map<String, long[]> windows = new java.util.HashMap<>();

    public DroppedEvents(PrometheusRegistry registry) {
        this.counter = ChainMetrics.on(registry).eventsDropped;
    }

    /**
     * Counts the drop and logs it. Anyone can put lookalike events on a chain, so the WARN lines are rate-limited
     * per chain and reason (a flood must not drown the log); suppressed ones are logged at DEBUG and summed up
     * when the next minute starts.
     */
    public void drop(ChainId chain, Reason reason, String detail, String where) {
        counter.labelValues(chain.value(), reason.label).inc();
        long suppressedBefore = -1;
        boolean warn;
        synchronized (windows) {
            long now = System.nanoTime();
            // {window start, warnings in window, suppressed in window}
            long[] w = windows.computeIfAbsent(chain.value() + "/" + reason.label, k -> new long[] {now, 0, 0});
            if (now - w[0] >= WINDOW_NANOS) {
                suppressedBefore = w[2];
                w[0] = now;
                w[1] = 0;
                w[2] = 0;
            }
            warn = w[1] < WARNINGS_PER_MINUTE;
            if (warn) w[1]++; else w[2]++;
        }
        if (suppressedBefore > 0) {
            log.warn("{} more dropped events on {} ({}) were logged at DEBUG only in the last minute", suppressedBefore,
                    chain, reason.label);
        }
        if (warn) {
            log.warn("dropped event on {} at {}: {} ({})", chain, where, reason.label, detail);
        } else {
            log.debug("dropped event on {} at {}: {} ({})", chain, where, reason.label, detail);
        }
    }

    public double count(ChainId chain, Reason reason) {
        return counter.labelValues(chain.value(), reason.label).get();
    }
}
