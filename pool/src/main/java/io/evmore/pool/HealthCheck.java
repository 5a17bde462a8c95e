package io.evmore.pool;

import io.evmore.core.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health rounds of an {@link EndpointPool}: every endpoint probed in parallel on a probe connection of its own
 * (each bounded by {@code probeTimeout}), scored by {@link HealthScorer} against the best height of the right chain,
 * a half-open breaker closed on a good answer, state changes logged, then {@code minConnections} warmed on every usable
 * endpoint. One round at a time.
 */
final class HealthCheck<C> {
    private static final Logger log = LoggerFactory.getLogger(EndpointPool.class);

    private final EndpointPool<C> pool;
    private final String name;
    private final PoolSettings settings;
    private final ConnectionFactory<C> factory;
    private final HealthProbe<C> probe;
    private final HealthScorer scorer;
    private final Clock clock;
    private final PoolMetrics metrics;
    private final ExecutorService probeExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final ReentrantLock roundLock = new ReentrantLock();

    HealthCheck(EndpointPool<C> pool, ConnectionFactory<C> factory, HealthProbe<C> probe, HealthScorer scorer,
            Clock clock, PoolMetrics metrics) {
        this.pool = pool;
        this.name = pool.name();
        this.settings = pool.settings();
        this.factory = factory;
        this.probe = probe;
        this.scorer = scorer;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** See {@link EndpointPool#checkHealthNow()}. */
    void runRound() {
        roundLock.lock();
        try {
            List<EndpointSlot<C>> slots = pool.slots();
            List<Future<ProbeResult<C>>> futures = new ArrayList<>();
            for (EndpointSlot<C> s : slots) {
                futures.add(probeExecutor.submit(() -> probeOne(s)));
            }
            List<ProbeResult<C>> results = new ArrayList<>();
            for (int i = 0; i < slots.size(); i++) {
                results.add(awaitProbe(slots.get(i), futures.get(i)));
            }
            if (Thread.currentThread().isInterrupted()) {
                // The round was cut short (the pool is being closed or replaced, e.g. during start-up): it learnt nothing
                // about the endpoints, so nothing is rescored — and nothing is reported UNHEALTHY that is not.
                futures.forEach(f -> f.cancel(true));
                log.debug("pool '{}': health round interrupted; endpoint states kept", name);
                return;
            }
            applyProbeResults(results);
            warm();
        } finally {
            roundLock.unlock();
        }
    }

    /** Stops the probes in flight; no round runs after. */
    void close() {
        probeExecutor.shutdownNow();
    }

    private record ProbeResult<C>(EndpointSlot<C> slot, HealthProbe.Sample sample, Duration latency, String error) {}

    private ProbeResult<C> probeOne(EndpointSlot<C> s) {
        metrics.rpcRequests.labelValues(name, s.endpoint.name()).inc();
        C conn;
        pool.lock.lock();
        try {
            conn = s.probeConnection;
        } finally {
            pool.lock.unlock();
        }
        try {
            if (conn == null) {
                conn = factory.create(s.endpoint);
                pool.lock.lock();
                try {
                    s.probeConnection = conn;
                } finally {
                    pool.lock.unlock();
                }
            }
            long t0 = System.nanoTime();
            HealthProbe.Sample sample = probe.probe(conn);
            return new ProbeResult<>(s, Objects.requireNonNull(sample, "probe returned null"),
                    Duration.ofNanos(System.nanoTime() - t0), null);
        } catch (Exception e) {
            return new ProbeResult<>(s, null, null, String.valueOf(e.getMessage()));
        }
    }

    private ProbeResult<C> awaitProbe(EndpointSlot<C> s, Future<ProbeResult<C>> f) {
        try {
            return f.get(settings.probeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            dropProbeConnection(s); // it may be stuck on a stalled socket
            return new ProbeResult<>(s, null, null, "no answer within " + settings.probeTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return new ProbeResult<>(s, null, null, "interrupted");
        } catch (ExecutionException e) {
            return new ProbeResult<>(s, null, null, String.valueOf(e.getCause()));
        }
    }

    private void applyProbeResults(List<ProbeResult<C>> results) {
        List<EndpointSlot<C>> dropProbe = new ArrayList<>();
        pool.lock.lock();
        try {
            Instant now = clock.now();
            for (ProbeResult<C> r : results) {
                EndpointSlot<C> s = r.slot;
                s.lastCheckedAt = now;
                if (r.sample != null && r.sample.height() != s.height) {
                    s.height = r.sample.height();
                    s.heightChangedAt = now;
                }
                if (r.sample != null) {
                    s.latencyMillis = r.latency.toMillis();
                    s.lastChainId = r.sample.chainId();
                }
            }
            long best = pool.slots().stream().filter(s -> s.lastSampleRightChain(scorer))
                    .mapToLong(s -> s.height).max().orElse(0);
            for (ProbeResult<C> r : results) {
                EndpointSlot<C> s = r.slot;
                EndpointState before = s.state;
                HealthScorer.Assessment a;
                if (r.sample == null) {
                    a = scorer.probeFailed(EndpointPool.truncate(s.endpoint.redact(r.error)));
                    pool.recordFailure(s, "health probe: " + r.error);
                    dropProbe.add(s);
                } else {
                    Duration stalled = s.heightChangedAt == null ? Duration.ZERO : Duration.between(s.heightChangedAt, now);
                    a = scorer.assess(r.sample, r.latency, best, stalled, s.errorRate());
                    if (a.state() != EndpointState.UNHEALTHY && s.breaker.state() == CircuitBreaker.State.HALF_OPEN) {
                        s.breaker.onSuccess(); // cool-down over and the endpoint answers properly: close the breaker
                    }
                }
                s.state = a.state();
                s.score = a.score();
                s.reason = a.reason();
                if (before != s.state) {
                    if (s.state == EndpointState.HEALTHY) {
                        log.info("pool '{}': endpoint '{}' is {} ({})", name, s.endpoint.name(), s.state, s.reason);
                    } else {
                        log.warn("pool '{}': endpoint '{}' is {} ({})", name, s.endpoint.name(), s.state, s.reason);
                    }
                }
            }
            pool.changed.signalAll();
        } finally {
            pool.lock.unlock();
        }
        dropProbe.forEach(this::dropProbeConnection);
    }

    private void dropProbeConnection(EndpointSlot<C> s) {
        C conn;
        pool.lock.lock();
        try {
            conn = s.probeConnection;
            s.probeConnection = null;
        } finally {
            pool.lock.unlock();
        }
        if (conn != null) {
            pool.closeQuietly(conn);
        }
    }

    /** Opens connections up to {@code minConnections} on every endpoint that is usable. */
    private int warm() {
        int opened = 0;
        for (EndpointSlot<C> s : pool.slots()) {
            while (true) {
                long generation;
                pool.lock.lock();
                try {
                    if (!pool.lendingLocked() || s.state == EndpointState.UNHEALTHY
                            || !s.breaker.wouldAllow() || s.total() >= settings.minConnections()) {
                        break;
                    }
                    s.active++; // reserve the place while creating outside the lock
                    generation = s.generation;
                } finally {
                    pool.lock.unlock();
                }
                C c = null;
                try {
                    c = factory.create(s.endpoint);
                } catch (Exception e) {
                    log.warn("pool '{}': cannot open a connection to endpoint '{}': {}", name, s.endpoint.name(),
                            EndpointPool.truncate(s.endpoint.redact(String.valueOf(e.getMessage()))));
                }
                boolean keep;
                pool.lock.lock();
                try {
                    s.active--;
                    keep = c != null && s.generation == generation && pool.lendingLocked();
                    if (keep) {
                        s.idle.addLast(c);
                        opened++;
                    } else if (c == null) {
                        pool.recordFailure(s, "connect failed");
                    }
                    pool.changed.signalAll();
                } finally {
                    pool.lock.unlock();
                }
                if (!keep) {
                    if (c != null) pool.closeQuietly(c);
                    break;
                }
            }
        }
        return opened;
    }
}
