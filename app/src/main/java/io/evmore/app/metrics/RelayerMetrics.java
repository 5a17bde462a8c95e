package io.evmore.app.metrics;

import io.evmore.app.health.HealthRegistry;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.SwapState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The relayer's Prometheus metrics with the operations guide's names, on one registry (no global singleton).
 * Label values come from bounded sets: swap outcomes, swap states, service names.
 */
public final class RelayerMetrics implements RelayMetrics {
    /** Outcomes counted in evmore_relay_swaps_total{status}; pre-created so rate() works from the first scrape. */
    public static final List<String> SWAP_OUTCOMES = List.of("completed", "failed", "rejected", "refunded", "expired");
    /** Services reported in evmore_health_status{service}. */
    public static final List<String> HEALTH_SERVICES = List.of("relayer", "monitor");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter swaps;
    private final Histogram duration;
    private final Gauge queueSize;
    private final Gauge inventory;
    private final Gauge inventoryReserved;
    private final Counter claimMissed;
    private final Gauge atRisk;
    /** Kinds counted in evmore_swaps_at_risk{kind}; pre-created at 0 so an alert's expression has data from the start. */
    public static final List<String> AT_RISK_KINDS = List.of("claim_deadline", "refund_overdue");
    private final AtomicReference<Map<SwapState, Long>> byState = new AtomicReference<>(Map.of());
    /** Kinds of evmore_relay_reaction_seconds{kind}. */
    public static final List<String> REACTION_KINDS = List.of("counter_lock", "source_claim");
    private final Histogram reaction;
    private final AtomicReference<SwapGauges.Snapshot> swapGauges = new AtomicReference<>(
            new SwapGauges.Snapshot(Map.of(), Map.of()));
    /** Configured chain ids (a bounded set): the follower-lag gauge and the per-chain counters created at 0. */
    private final java.util.concurrent.CopyOnWriteArrayList<String> chains = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RelayerMetrics() {
        JvmMetrics.builder().register(registry);
        swaps = Counter.builder()
                .name("evmore_relay_swaps_total")
                .help("Swaps that reached an outcome, by outcome")
                .labelNames("status")
                .register(registry);
        SWAP_OUTCOMES.forEach(s -> swaps.labelValues(s));
        duration = Histogram.builder()
                .name("evmore_relay_duration_seconds")
                .help("Time from detecting a swap to its outcome")
                .classicUpperBounds(5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)
                .register(registry);
        queueSize = Gauge.builder()
                .name("evmore_relay_queue_size")
                .help("Relay work items waiting for a worker")
                .register(registry);
        queueSize.set(0);
        // chain and asset come from the configured pair table: a bounded set
        inventory = Gauge.builder()
                .name("evmore_inventory_balance")
                .help("The relayer's balance per chain and asset, base units (refreshed every 15 s)")
                .labelNames("chain", "asset")
                .register(registry);
        inventoryReserved = Gauge.builder()
                .name("evmore_inventory_reserved")
                .help("What accepted swaps reserved of the relayer's balance but have not locked yet, base units")
                .labelNames("chain", "asset")
                .register(registry);
        claimMissed = Counter.builder()
                .name("evmore_claim_missed_total")
                .help("Swaps whose source claim became impossible after the secret was known (the only losing case): alert on any")
                .labelNames("chain")
                .register(registry);
        atRisk = Gauge.builder()
                .name("evmore_swaps_at_risk")
                .help("Swaps AT RISK now, by kind: claim_deadline (secret known, source unclaimed, T_src - G_src near or past),"
                        + " refund_overdue (the relayer's own expired counter-lock not refunded): alert on any")
                .labelNames("kind")
                .register(registry);
        AT_RISK_KINDS.forEach(k -> atRisk.labelValues(k).set(0));
        reaction = Histogram.builder()
                .name("evmore_relay_reaction_seconds")
                .help("How fast the relayer reacts: counter_lock from the follower's first sight of the block that confirmed"
                        + " a lock to the counter-lock's broadcast; source_claim from learning the secret to the source claim's"
                        + " broadcast (first attempts)")
                .labelNames("kind")
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)
                .register(registry);
        REACTION_KINDS.forEach(k -> reaction.labelValues(k));
        GaugeWithCallback.builder()
                .name("evmore_swaps_deadline_headroom_seconds")
                .help("Fewest seconds any in-flight swap has left before its next deadline, by kind: counter_lock, source_claim"
                        + " (the one that can lose money), user_claim, source_refund; NaN when no swap works towards it")
                .labelNames("deadline")
                .callback(cb -> {
                    Map<String, Double> h = swapGauges.get().headroomSeconds();
                    for (String k : SwapGauges.DEADLINES) cb.call(h.getOrDefault(k, Double.NaN), k);
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("evmore_swaps_oldest_in_state_seconds")
                .help("How long the oldest swap has been in each non-terminal state (0 when none is)")
                .labelNames("state")
                .callback(cb -> {
                    Map<String, Double> o = swapGauges.get().oldestInStateSeconds();
                    for (SwapState s : SwapState.values()) {
                        if (!s.isTerminal()) cb.call(o.getOrDefault(s.name().toLowerCase(Locale.ROOT), 0.0), s.name().toLowerCase(Locale.ROOT));
                    }
                })
                .register(registry);
        io.evmore.pool.ChainMetrics chainMetrics = io.evmore.pool.ChainMetrics.on(registry);
        GaugeWithCallback.builder()
                .name("evmore_chain_follower_lag_blocks")
                .help("Blocks between the chain's head and the last block the relayer's follower fully processed")
                .labelNames("chain")
                .callback(cb -> {
                    for (String c : chains) {
                        double head = chainMetrics.headHeight.labelValues(c).get();
                        double cursor = chainMetrics.cursorHeight.labelValues(c).get();
                        cb.call(Math.max(0, head - cursor), c);
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("evmore_swaps_by_state")
                .help("Swaps currently in each state (from the store)")
                .labelNames("state")
                .callback(cb -> {
                    Map<SwapState, Long> counts = byState.get();
                    for (SwapState s : SwapState.values()) {
                        cb.call(counts.getOrDefault(s, 0L), s.name().toLowerCase(Locale.ROOT));
                    }
                })
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * evmore_health_status{service}: 1 when healthy. "relayer" is the whole service's readiness; "monitor" is
     * whether the health monitor itself can run its checks.
     */
    public void registerHealth(Supplier<HealthRegistry.Report> report) {
        GaugeWithCallback.builder()
                .name("evmore_health_status")
                .help("1 when the service is healthy, 0 otherwise")
                .labelNames("service")
                .callback(cb -> {
                    double relayer;
                    double monitor = 1;
                    try {
                        relayer = report.get().up() ? 1 : 0;
                    } catch (RuntimeException e) {
                        relayer = 0;
                        monitor = 0;
                    }
                    cb.call(relayer, "relayer");
                    cb.call(monitor, "monitor");
                })
                .register(registry);
    }

    public void swapsByState(Map<SwapState, Long> counts) {
        byState.set(Map.copyOf(counts));
    }

    /** The deadline-headroom and time-in-state gauges' values (see {@link SwapGauges}). */
    public void swapGauges(SwapGauges.Snapshot snapshot) {
        swapGauges.set(snapshot);
    }

    /**
     * The configured chains: their per-chain series are created at 0 now, so that rate() and alerts have data before the
     * first transaction, escalation, reorg or missed claim (a series that appears later makes its first increase invisible).
     */
    public void chains(java.util.Collection<String> chainIds) {
        io.evmore.pool.ChainMetrics m = io.evmore.pool.ChainMetrics.on(registry);
        for (String c : chainIds) {
            if (chains.addIfAbsent(c)) {
                m.txSubmitted.labelValues(c);
                m.txEscalations.labelValues(c);
                m.reorgs.labelValues(c);
                m.nonceResyncs.labelValues(c);
                m.headHeight.labelValues(c);
                m.cursorHeight.labelValues(c);
                claimMissed.labelValues(c);
            }
        }
    }

    @Override
    public void reactionTime(String kind, Duration took) {
        if (REACTION_KINDS.contains(kind)) reaction.labelValues(kind).observe(took.toMillis() / 1000.0);
    }

    @Override
    public void swapFinished(String status, Duration d) {
        String s = SWAP_OUTCOMES.contains(status) ? status : "failed";
        swaps.labelValues(s).inc();
        duration.observe(d.toMillis() / 1000.0);
    }

    @Override
    public void queueSize(int size) {
        queueSize.set(size);
    }

    @Override
    public void inventory(io.evmore.core.chain.ChainId chain, String asset, java.math.BigInteger balance,
            java.math.BigInteger reserved) {
        // Base units as a double: exact enough for a gauge (dashboards, low-balance alerts), never used for accounting.
        inventory.labelValues(chain.value(), asset).set(balance.doubleValue());
        inventoryReserved.labelValues(chain.value(), asset).set(reserved.doubleValue());
    }

    @Override
    public void atRisk(String kind, int count) {
        if (AT_RISK_KINDS.contains(kind)) atRisk.labelValues(kind).set(count); // bounded: the engine's two kinds only
    }

    @Override
    public void claimMissed(io.evmore.core.chain.ChainId chain) {
        claimMissed.labelValues(chain.value()).inc();
    }
}
