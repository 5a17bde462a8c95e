package io.evmore.pool;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The pools' metrics, registered once per {@link PrometheusRegistry} and shared by every pool on it (a metric
 * name can be registered only once). Names follow the operations guide; labels are pool and endpoint names,
 * which come from configuration (bounded), never urls. Get it with {@link #on(PrometheusRegistry)}.
 */
public final class PoolMetrics {
    private static final Map<PrometheusRegistry, PoolMetrics> BY_REGISTRY = new WeakHashMap<>();
    private final List<EndpointPool<?>> pools = new CopyOnWriteArrayList<>();
    final Histogram acquireDuration;
    final Counter rpcErrors;
    final Counter rpcRequests;
    final Counter failovers;
    final Counter acquireTimeouts;

    /** The pool metrics registered on {@code registry}, registering them on first use. */
    public static PoolMetrics on(PrometheusRegistry registry) {
        synchronized (BY_REGISTRY) {
            return BY_REGISTRY.computeIfAbsent(registry, PoolMetrics::new);
        }
    }

    private PoolMetrics(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("evmore_pool_connections_total")
                .help("Connections the pool holds (borrowed + idle)").labelNames("pool")
                .callback(cb -> pools.forEach(p -> cb.call(p.totals()[0], p.name()))).register(registry);
        GaugeWithCallback.builder().name("evmore_pool_connections_active")
                .help("Connections currently borrowed").labelNames("pool")
                .callback(cb -> pools.forEach(p -> cb.call(p.totals()[1], p.name()))).register(registry);
        GaugeWithCallback.builder().name("evmore_pool_connections_idle")
                .help("Connections open and free").labelNames("pool")
                .callback(cb -> pools.forEach(p -> cb.call(p.totals()[2], p.name()))).register(registry);
        acquireDuration = Histogram.builder().name("evmore_pool_acquire_duration_seconds")
                .help("Time to acquire a connection from the pool").labelNames("pool")
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60)
                .register(registry);
        GaugeWithCallback.builder().name("evmore_pool_endpoint_healthy")
                .help("1 if the endpoint is HEALTHY, else 0").labelNames("pool", "endpoint")
                .callback(cb -> pools.forEach(p -> p.endpointSnapshot().forEach(
                        e -> cb.call(e.state() == EndpointState.HEALTHY ? 1 : 0, p.name(), e.name()))))
                .register(registry);
        GaugeWithCallback.builder().name("evmore_pool_endpoint_health_score")
                .help("Endpoint health score 0-100").labelNames("pool", "endpoint")
                .callback(cb -> pools.forEach(p -> p.endpointSnapshot().forEach(
                        e -> cb.call(e.healthScore(), p.name(), e.name()))))
                .register(registry);
        GaugeWithCallback.builder().name("evmore_pool_endpoint_height")
                .help("Last height the endpoint reported").labelNames("pool", "endpoint")
                .callback(cb -> pools.forEach(p -> p.endpointSnapshot().forEach(
                        e -> cb.call(e.height(), p.name(), e.name()))))
                .register(registry);
        GaugeWithCallback.builder().name("evmore_pool_endpoint_latency_seconds")
                .help("Last health probe round trip").labelNames("pool", "endpoint")
                .callback(cb -> pools.forEach(p -> p.endpointSnapshot().forEach(
                        e -> cb.call(e.latencyMillis() / 1000.0, p.name(), e.name()))))
                .register(registry);
        GaugeWithCallback.builder().name("evmore_pool_endpoint_circuit_open")
                .help("1 if the endpoint's circuit breaker rejects calls (open), 0.5 half-open, 0 closed")
                .labelNames("pool", "endpoint")
                .callback(cb -> pools.forEach(p -> p.endpointSnapshot().forEach(e -> cb.call(
                        switch (e.circuit()) { case OPEN -> 1.0; case HALF_OPEN -> 0.5; case CLOSED -> 0.0; },
                        p.name(), e.name()))))
                .register(registry);
        rpcErrors = Counter.builder().name("evmore_rpc_errors_total")
                .help("Failed calls and health probes per endpoint").labelNames("pool", "endpoint")
                .register(registry);
        rpcRequests = Counter.builder().name("evmore_rpc_requests_total")
                .help("Calls and health probes sent per endpoint (evmore_rpc_errors_total counts the failed ones)")
                .labelNames("pool", "endpoint")
                .register(registry);
        failovers = Counter.builder().name("evmore_pool_failovers_total")
                .help("Calls retried on another endpoint after a failure").labelNames("pool")
                .register(registry);
        acquireTimeouts = Counter.builder().name("evmore_pool_acquire_timeouts_total")
                .help("Acquires that failed because no connection was free in time").labelNames("pool")
                .register(registry);
    }

    /** Metrics on a private registry, for pools nobody scrapes (tests, tools). */
    public static PoolMetrics unregistered() {
        return new PoolMetrics(new PrometheusRegistry());
    }

    void track(EndpointPool<?> pool) {
        pools.add(pool);
        // Create the pool's series at zero so dashboards and rate() see them before the first acquire or failure.
        acquireDuration.labelValues(pool.name());
        acquireTimeouts.labelValues(pool.name());
        failovers.labelValues(pool.name());
        pool.endpointSnapshot().forEach(e -> {
            rpcRequests.labelValues(pool.name(), e.name());
            rpcErrors.labelValues(pool.name(), e.name());
        });
    }

    void untrack(EndpointPool<?> pool) {
        pools.remove(pool);
    }
}
