package io.evmore.pool;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every pool of the process, for the admin API: {@code GET /admin/pools/status} → {@link #status()},
 * {@code POST /admin/pools/drain} → {@link #drain(Duration)}, {@code POST /admin/pools/refresh} →
 * {@link #refresh()}. Owns the shared {@link PoolMetrics}; build pools with {@link #metrics()} and
 * {@link #register} them.
 */
public final class PoolRegistry implements AutoCloseable {
    private final PoolMetrics metrics;
    private final Map<String, EndpointPool<?>> pools = new ConcurrentHashMap<>();
    private final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

    public PoolRegistry(PrometheusRegistry registry) {
        this.metrics = PoolMetrics.on(registry);
    }

    public PoolMetrics metrics() {
        return metrics;
    }

    public <C> EndpointPool<C> register(EndpointPool<C> pool) {
        if (pools.putIfAbsent(pool.name(), pool) != null) {
            throw new IllegalArgumentException("a pool named '" + pool.name() + "' is already registered");
        }
        order.add(pool.name());
        return pool;
    }

    public Optional<EndpointPool<?>> get(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    public List<PoolStatus> status() {
        return ordered().stream().map(EndpointPool::status).toList();
    }

    /** Drains every pool in parallel, each waiting at most {@code timeout} for its borrowed connections. */
    public List<PoolStatus.DrainReport> drain(Duration timeout) {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PoolStatus.DrainReport>> fs = new ArrayList<>();
            for (EndpointPool<?> p : ordered()) {
                fs.add(ex.submit(() -> p.drain(timeout)));
            }
            List<PoolStatus.DrainReport> out = new ArrayList<>();
            for (Future<PoolStatus.DrainReport> f : fs) {
                out.add(join(f));
            }
            return out;
        }
    }

    public List<PoolStatus.RefreshReport> refresh() {
        return ordered().stream().map(EndpointPool::refresh).toList();
    }

    @Override
    public void close() {
        ordered().forEach(EndpointPool::close);
    }

    private List<EndpointPool<?>> ordered() {
        return order.stream().map(pools::get).toList();
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining pools", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
