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

    private final Counter counter;

    public DroppedEvents(PrometheusRegistry registry) {
        this.counter = ChainMetrics.on(registry).eventsDropped;
    }

    public void drop(ChainId chain, Reason reason, String detail, String where) {
        counter.labelValues(chain.value(), reason.label).inc();
        log.warn("dropped event on {} at {}: {} ({})", chain, where, reason.label, detail);
    }

    public double count(ChainId chain, Reason reason) {
        return counter.labelValues(chain.value(), reason.label).get();
    }
}
