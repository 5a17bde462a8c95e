package io.evmore.pool;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Metrics every chain adapter (Ethereum and Cosmos) reports, registered once per registry and shared: both
 * adapters depend on this module, and a metric name can be registered only once. Labels: {@code chain} (the
 * configured chain name) and, for drops, a {@code reason} from each adapter's fixed list.
 */
public final class ChainMetrics {
    private static final Map<PrometheusRegistry, ChainMetrics> BY_REGISTRY = new WeakHashMap<>();

    /** Chain events dropped as invalid: {@code evmore_chain_events_dropped_total{chain,reason}}. */
    public final Counter eventsDropped;
    /** Reorgs detected by parent-hash mismatch: {@code evmore_chain_reorgs_total{chain}}. */
    public final Counter reorgs;
    /** Latest head height seen: {@code evmore_chain_head_height{chain}}. */
    public final Gauge headHeight;
    /** Height of the follower's cursor: {@code evmore_chain_cursor_height{chain}}. */
    public final Gauge cursorHeight;
    /** Transactions broadcast: {@code evmore_chain_tx_submitted_total{chain}}. */
    public final Counter txSubmitted;
    /** Fee escalations of stuck transactions: {@code evmore_chain_tx_escalations_total{chain}}. */
    public final Counter txEscalations;
    /** Nonce / sequence resyncs after a mismatch: {@code evmore_chain_nonce_resyncs_total{chain}}. */
    public final Counter nonceResyncs;

    public static ChainMetrics on(PrometheusRegistry registry) {
        synchronized (BY_REGISTRY) {
            return BY_REGISTRY.computeIfAbsent(registry, ChainMetrics::new);
        }
    }

    private ChainMetrics(PrometheusRegistry r) {
        eventsDropped = Counter.builder().name("evmore_chain_events_dropped_total")
                .help("Chain events dropped as invalid, by reason").labelNames("chain", "reason").register(r);
        reorgs = Counter.builder().name("evmore_chain_reorgs_total")
                .help("Chain reorganisations detected").labelNames("chain").register(r);
        headHeight = Gauge.builder().name("evmore_chain_head_height")
                .help("Latest block height seen").labelNames("chain").register(r);
        cursorHeight = Gauge.builder().name("evmore_chain_cursor_height")
                .help("Last block fully processed by the event follower").labelNames("chain").register(r);
        txSubmitted = Counter.builder().name("evmore_chain_tx_submitted_total")
                .help("Transactions broadcast").labelNames("chain").register(r);
        txEscalations = Counter.builder().name("evmore_chain_tx_escalations_total")
                .help("Fee escalations of stuck transactions").labelNames("chain").register(r);
        nonceResyncs = Counter.builder().name("evmore_chain_nonce_resyncs_total")
                .help("Nonce or account-sequence resyncs after a mismatch").labelNames("chain").register(r);
    }
}
