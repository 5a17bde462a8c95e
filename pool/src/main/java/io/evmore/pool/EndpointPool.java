package io.evmore.pool;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.port.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of connections to several endpoints of one chain, generic over the connection type.
 *
 * <p>Endpoints are ranked by health class ({@link EndpointState}) and then by configuration order, so the first
 * configured endpoint is the primary and traffic returns to it once it is healthy again. Each endpoint lends at
 * most {@code maxConnections} connections at a time; {@code minConnections} are kept open on every usable
 * endpoint. A background health check every {@code healthCheckInterval} asks each endpoint for its chain id and
 * height and scores it ({@link HealthScorer}); calls that fail are charged to their endpoint's
 * {@link CircuitBreaker}. {@link #execute} retries a failed call on another endpoint after {@code retryDelay}.
 *
 * <p>This class lends and takes back connections and runs the admin actions; which endpoint lends is
 * {@link EndpointChoice}, the health rounds {@link HealthCheck}, one endpoint's bookkeeping {@link EndpointSlot}.
 *
 * <p>Thread-safe. {@link #start()} begins health checking; {@link #close()} stops it and closes everything.
 */
public final class EndpointPool<C> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointPool.class);

    private final String name;
    private final PoolSettings settings;
    private final ConnectionFactory<C> factory;
    private final Sleeper sleeper;
    private final PoolMetrics metrics;
    private final List<EndpointSlot<C>> slots;
    /** Guards every slot and the lifecycle; {@link #changed} is signalled whenever a connection may have come free. */
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    private final HealthCheck<C> health;
    private PoolStatus.Lifecycle lifecycle = PoolStatus.Lifecycle.ACTIVE;
    private int waiting;
    private ScheduledExecutorService scheduler;

    private EndpointPool(Builder<C> b) {
        this.name = b.name;
        this.settings = b.settings;
        this.factory = b.factory;
        this.sleeper = b.sleeper;
        this.metrics = b.metrics;
        List<EndpointSlot<C>> list = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Endpoint e : b.endpoints) {
            if (!names.add(e.name())) {
                throw new IllegalArgumentException("pool '" + name + "': endpoint name '" + e.name() + "' is used twice");
            }
            list.add(new EndpointSlot<>(e, b.clock, settings));
        }
        this.slots = List.copyOf(list);
        this.health = new HealthCheck<>(this, factory, b.probe, new HealthScorer(settings, b.expectedChainId),
                b.clock, metrics);
        metrics.track(this);
    }

    public static <C> Builder<C> builder(String name, ConnectionFactory<C> factory, HealthProbe<C> probe) {
        return new Builder<>(name, factory, probe);
    }

    public String name() {
        return name;
    }

    public PoolSettings settings() {
        return settings;
    }

    public List<Endpoint> endpoints() {
        return slots.stream().map(s -> s.endpoint).toList();
    }

    /** Starts the periodic health check (the first one runs at once, in the background). Idempotent. */
    public synchronized EndpointPool<C> start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pool-" + name + "-health");
                t.setDaemon(true);
                return t;
            });
            long period = settings.healthCheckInterval().toMillis();
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    checkHealthNow();
                } catch (RuntimeException e) {
                    log.warn("pool '{}': health check failed: {}", name, e.toString());
                }
            }, 0, period, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------- lending

    /** Borrows a connection on the best endpoint, waiting up to {@code acquireTimeout}. Close the lease to return it. */
    public Lease<C> acquire() {
        return acquire(Set.of());
    }

    /**
     * Runs {@code call} with a connection on the best endpoint. A failure that is not a
     * {@link PermanentException} is charged to the endpoint and the call is retried on another endpoint (if any)
     * after {@code retryDelay}, up to {@code maxAttempts} in all.
     */
    public <T> T execute(RpcCall<C, T> call) {
        return execute(call, true);
    }

    /**
     * As {@link #execute}, for a request that must reach at most one endpoint: a broadcast of newly signed bytes whose
     * sender re-signs when a node refuses them (a Cosmos sequence mismatch). Had the bytes reached one node that took
     * them and lost the answer, a retry on another node that refuses them would have the caller sign a second,
     * different transaction beside the first — both could land. So once the request may have left, a failure is
     * charged to the endpoint and thrown, never retried here; only a request that never left (the connection was
     * refused or could not be made) is tried on the next endpoint.
     */
    public <T> T executeOnce(RpcCall<C, T> call) {
        return execute(call, false);
    }

    private <T> T execute(RpcCall<C, T> call, boolean retryAfterSend) {
        Objects.requireNonNull(call, "call");
        Set<String> tried = new HashSet<>();
        Exception last = null;
        Endpoint lastEndpoint = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            if (attempt > 1) {
                metrics.failovers.labelValues(name).inc();
                try {
                    sleeper.sleep(settings.retryDelay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TransientException("pool '" + name + "': interrupted while waiting to retry");
                }
            }
            Lease<C> lease;
            try {
                lease = acquire(tried);
            } catch (ConnectFailedException e) {
                last = e;
                lastEndpoint = e.endpoint;
                tried.add(e.endpoint.name());
                continue;
            }
            metrics.rpcRequests.labelValues(name, lease.endpoint().name()).inc();
            // Not try-with-resources: the outcome must be recorded before the lease is returned.
            try {
                T result = call.apply(lease.connection());
                lease.succeeded();
                return result;
            } catch (PermanentException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientException("pool '" + name + "': interrupted during a call");
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted() || e instanceof java.nio.channels.ClosedByInterruptException) {
                    // our own shutdown cut the call (e.g. a follower being closed): not the endpoint's fault
                    throw new TransientException("pool '" + name + "': interrupted during a call");
                }
                lease.failed(e);
                last = e;
                lastEndpoint = lease.endpoint();
                tried.add(lease.endpoint().name());
                if (!retryAfterSend && !neverLeft(e)) {
                    String msg = truncate(lastEndpoint.redact(String.valueOf(e.getMessage())));
                    String text = "pool '" + name + "': call on endpoint '" + lastEndpoint.name()
                            + "' failed and may have reached it (not retried elsewhere): " + msg;
                    throw !lastEndpoint.hasCredentials() ? new TransientException(text, e) : new TransientException(text);
                }
                log.warn("pool '{}': call on endpoint '{}' failed (attempt {}/{}): {}", name, lease.endpoint().name(),
                        attempt, settings.maxAttempts(), truncate(lease.endpoint().redact(String.valueOf(e.getMessage()))));
            } finally {
                lease.close();
            }
        }
        String msg = lastEndpoint == null ? "unknown error" : truncate(lastEndpoint.redact(String.valueOf(last.getMessage())));
        String text = "pool '" + name + "': call failed after " + settings.maxAttempts() + " attempt(s); last error on endpoint '"
                + (lastEndpoint == null ? "?" : lastEndpoint.name()) + "': " + msg;
        // A cause may quote the url; only attach it when the url carries nothing secret.
        throw lastEndpoint != null && !lastEndpoint.hasCredentials()
                ? new TransientException(text, last) : new TransientException(text);
    }

    /** A failure before anything was sent: the connection was refused or could not be made in time. */
    private static boolean neverLeft(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestNotSentException || t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException
                    || t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    private Lease<C> acquire(Set<String> avoid) {
        long start = System.nanoTime();
        long deadline = start + settings.acquireTimeout().toNanos();
        EndpointSlot<C> slot;
        C idle;
        long generation;
        lock.lock();
        try {
            waiting++;
            try {
                while (true) {
                    if (lifecycle != PoolStatus.Lifecycle.ACTIVE) {
                        throw new PoolUnavailableException(name, "not lending: pool is " + lifecycle.name().toLowerCase()
                                + " (use refresh to resume)");
                    }
                    List<EndpointSlot<C>> allowed = slots.stream().filter(s -> s.breaker.wouldAllow()).toList();
                    if (allowed.isEmpty()) {
                        throw new PoolUnavailableException(name, "every endpoint's circuit breaker is open ("
                                + String.join(", ", slots.stream().map(s -> s.endpoint.name()).toList()) + ")");
                    }
                    slot = EndpointChoice.pick(allowed, avoid, settings.maxConnections());
                    if (slot != null && slot.breaker.tryAcquire()) {
                        break;
                    }
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        metrics.acquireTimeouts.labelValues(name).inc();
                        throw new PoolUnavailableException(name, "no connection available within "
                                + settings.acquireTimeout().toMillis() + " ms (" + slots.size() + " endpoint(s), at most "
                                + settings.maxConnections() + " connection(s) each, " + activeLocked() + " borrowed)");
                    }
                    // Re-check at least every 100 ms: a breaker's cool-down ends without anyone signalling.
                    changed.awaitNanos(Math.min(remaining, 100_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientException("pool '" + name + "': interrupted while acquiring a connection");
            } finally {
                waiting--;
            }
            slot.active++;
            idle = slot.idle.pollFirst();
            generation = slot.generation;
        } finally {
            lock.unlock();
        }
        metrics.acquireDuration.labelValues(name).observe((System.nanoTime() - start) / 1e9);
        if (idle != null) {
            return new Lease<>(this, slot, idle, generation);
        }
        try {
            C created = factory.create(slot.endpoint);
            return new Lease<>(this, slot, Objects.requireNonNull(created, "factory returned null"), generation);
        } catch (Exception e) {
            lock.lock();
            try {
                slot.active--;
                recordFailure(slot, "connect: " + e.getMessage());
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            throw new ConnectFailedException(name, slot.endpoint, e);
        }
    }

    void release(Lease<C> lease, Outcome outcome, Throwable error) {
        C toClose = null;
        lock.lock();
        try {
            EndpointSlot<C> slot = lease.slot;
            slot.active--;
            switch (outcome) {
                case SUCCESS -> {
                    slot.breaker.onSuccess();
                    slot.recordCall(false);
                }
                case FAILURE -> {
                    slot.recordCall(true);
                    recordFailure(slot, error == null ? "failed" : String.valueOf(error.getMessage()));
                }
                case NEUTRAL -> slot.breaker.release();
            }
            // A failed connection may be broken (e.g. a dropped websocket): replace it rather than lend it again.
            if (outcome == Outcome.FAILURE || slot.generation != lease.generation
                    || lifecycle == PoolStatus.Lifecycle.CLOSED) {
                toClose = lease.connection;
            } else {
                slot.idle.addFirst(lease.connection);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (toClose != null) {
            closeQuietly(toClose);
        }
    }

    /** Called under the lock. */
    void recordFailure(EndpointSlot<C> slot, String message) {
        slot.errors++;
        slot.lastError = truncate(slot.endpoint.redact(message));
        slot.breaker.onFailure();
        metrics.rpcErrors.labelValues(name, slot.endpoint.name()).inc();
    }

    // ---------------------------------------------------------------------------------------------- health

    /**
     * Probes every endpoint now (in parallel, each bounded by {@code probeTimeout}), rescoring them, closing a
     * half-open breaker on success, and warming {@code minConnections} ({@link HealthCheck}). The scheduler calls this;
     * so may tests.
     */
    public void checkHealthNow() {
        health.runRound();
    }

    // ---------------------------------------------------------------------------------------------- admin

    public PoolStatus status() {
        lock.lock();
        try {
            int[] t = totalsLocked();
            return new PoolStatus(name, lifecycle, t[0], t[1], t[2], waiting, endpointSnapshotLocked());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops lending (waiters and new acquires fail at once), waits up to {@code timeout} for borrowed connections
     * to come back, then closes the idle ones. The pool stays drained until {@link #refresh()}.
     */
    public PoolStatus.DrainReport drain(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<C> toClose = new ArrayList<>();
        int still;
        lock.lock();
        try {
            if (lifecycle == PoolStatus.Lifecycle.ACTIVE) {
                lifecycle = PoolStatus.Lifecycle.DRAINING;
            }
            changed.signalAll();
            while (activeLocked() > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) break;
                changed.awaitNanos(remaining);
            }
            still = activeLocked();
            for (EndpointSlot<C> s : slots) {
                toClose.addAll(s.idle);
                s.idle.clear();
            }
            if (lifecycle == PoolStatus.Lifecycle.DRAINING) {
                lifecycle = PoolStatus.Lifecycle.DRAINED;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            still = -1;
        } finally {
            lock.unlock();
        }
        toClose.forEach(this::closeQuietly);
        long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
        log.info("pool '{}': drained ({} still borrowed, {} closed, waited {} ms)", name, still, toClose.size(), waited);
        return new PoolStatus.DrainReport(name, still == 0, Math.max(still, 0), toClose.size(), waited);
    }

    /**
     * Closes every idle connection and the probe connections, makes borrowed ones close when returned,
     * resumes lending if drained, then probes all endpoints and re-opens {@code minConnections}.
     */
    public PoolStatus.RefreshReport refresh() {
        List<C> toClose = new ArrayList<>();
        lock.lock();
        try {
            if (lifecycle == PoolStatus.Lifecycle.CLOSED) {
                throw new PoolUnavailableException(name, "closed");
            }
            for (EndpointSlot<C> s : slots) {
                s.generation++;
                toClose.addAll(s.idle);
                s.idle.clear();
                if (s.probeConnection != null) {
                    toClose.add(s.probeConnection);
                    s.probeConnection = null;
                }
            }
            lifecycle = PoolStatus.Lifecycle.ACTIVE;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        toClose.forEach(this::closeQuietly);
        checkHealthNow();
        int opened;
        lock.lock();
        try {
            opened = slots.stream().mapToInt(s -> s.idle.size()).sum();
        } finally {
            lock.unlock();
        }
        log.info("pool '{}': refreshed ({} closed, {} opened)", name, toClose.size(), opened);
        return new PoolStatus.RefreshReport(name, toClose.size(), opened, status().endpoints());
    }

    @Override
    public void close() {
        List<C> toClose = new ArrayList<>();
        synchronized (this) {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
        }
        lock.lock();
        try {
            if (lifecycle == PoolStatus.Lifecycle.CLOSED) return;
            lifecycle = PoolStatus.Lifecycle.CLOSED;
            for (EndpointSlot<C> s : slots) {
                toClose.addAll(s.idle);
                s.idle.clear();
                if (s.probeConnection != null) toClose.add(s.probeConnection);
                s.probeConnection = null;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        health.close();
        toClose.forEach(this::closeQuietly);
        metrics.untrack(this);
    }

    // ---------------------------------------------------------------------------------------------- internals

    List<EndpointSlot<C>> slots() {
        return slots;
    }

    /** Whether the pool lends (not drained, draining or closed). Called under the lock. */
    boolean lendingLocked() {
        return lifecycle == PoolStatus.Lifecycle.ACTIVE;
    }

    /** total, active, idle over all endpoints (probe connections excluded). */
    int[] totals() {
        lock.lock();
        try {
            return totalsLocked();
        } finally {
            lock.unlock();
        }
    }

    private int[] totalsLocked() {
        int active = 0, idle = 0;
        for (EndpointSlot<C> s : slots) {
            active += s.active;
            idle += s.idle.size();
        }
        return new int[] {active + idle, active, idle};
    }

    private int activeLocked() {
        return totalsLocked()[1];
    }

    List<PoolStatus.EndpointStatus> endpointSnapshot() {
        lock.lock();
        try {
            return endpointSnapshotLocked();
        } finally {
            lock.unlock();
        }
    }

    private List<PoolStatus.EndpointStatus> endpointSnapshotLocked() {
        return slots.stream().map(EndpointSlot::snapshot).toList();
    }

    void closeQuietly(C c) {
        try {
            factory.close(c);
        } catch (RuntimeException e) {
            log.debug("pool '{}': closing a connection failed: {}", name, e.toString());
        }
    }

    /** Bounded and on one line: error texts may quote what a node sent, and they reach logs and the admin API. */
    static String truncate(String s) {
        if (s == null) return null;
        String one = s.replaceAll("\\p{Cntrl}", " ");
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }

    enum Outcome { SUCCESS, FAILURE, NEUTRAL }

    /** A borrowed connection. Report the outcome ({@link #succeeded()}/{@link #failed}) and close it. */
    public static final class Lease<C> implements AutoCloseable {
        private final EndpointPool<C> pool;
        private final EndpointSlot<C> slot;
        private final C connection;
        private final long generation;
        private Outcome outcome = Outcome.NEUTRAL;
        private Throwable error;
        private boolean closed;

        private Lease(EndpointPool<C> pool, EndpointSlot<C> slot, C connection, long generation) {
            this.pool = pool;
            this.slot = slot;
            this.connection = connection;
            this.generation = generation;
        }

        public C connection() {
            if (closed) throw new IllegalStateException("lease on pool '" + pool.name + "' already returned");
            return connection;
        }

        public Endpoint endpoint() {
            return slot.endpoint;
        }

        public void succeeded() {
            outcome = Outcome.SUCCESS;
        }

        /** Charges the endpoint with an error (breaker, error counter, health score). */
        public void failed(Throwable e) {
            outcome = Outcome.FAILURE;
            error = e;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                pool.release(this, outcome, error);
            }
        }
    }

    private static final class ConnectFailedException extends TransientException {
        final Endpoint endpoint;

        ConnectFailedException(String pool, Endpoint endpoint, Exception cause) {
            super("pool '" + pool + "': cannot connect to endpoint '" + endpoint.name() + "': "
                    + truncate(endpoint.redact(String.valueOf(cause.getMessage()))));
            this.endpoint = endpoint;
        }
    }

    /** Builds a pool; {@link #endpoints}, {@link #settings} are required. */
    public static final class Builder<C> {
        private final String name;
        private final ConnectionFactory<C> factory;
        private final HealthProbe<C> probe;
        private PoolSettings settings;
        private List<Endpoint> endpoints = List.of();
        private String expectedChainId;
        private Clock clock = Clock.system();
        private Sleeper sleeper = Sleeper.system();
        private PoolMetrics metrics;

        private Builder(String name, ConnectionFactory<C> factory, HealthProbe<C> probe) {
            if (name == null || !name.matches("[a-z0-9][a-z0-9_.:-]{0,63}")) {
                throw new IllegalArgumentException("invalid pool name '" + name + "': lowercase letters, digits, _ . : -");
            }
            this.name = name;
            this.factory = Objects.requireNonNull(factory, "factory");
            this.probe = Objects.requireNonNull(probe, "probe");
        }

        public Builder<C> settings(PoolSettings s) {
            this.settings = s;
            return this;
        }

        /** Endpoints in priority order: the first is the primary. */
        public Builder<C> endpoints(Collection<Endpoint> e) {
            this.endpoints = List.copyOf(e);
            return this;
        }

        /** The chain id every endpoint must report (as the probe returns it); null accepts any. */
        public Builder<C> expectedChainId(String chainId) {
            this.expectedChainId = chainId;
            return this;
        }

        public Builder<C> clock(Clock c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        public Builder<C> sleeper(Sleeper s) {
            this.sleeper = Objects.requireNonNull(s);
            return this;
        }

        public Builder<C> metrics(PoolMetrics m) {
            this.metrics = m;
            return this;
        }

        public EndpointPool<C> build() {
            if (settings == null) throw new IllegalArgumentException("pool '" + name + "' has no settings");
            if (endpoints.isEmpty()) throw new IllegalArgumentException("pool '" + name + "' has no endpoints");
            if (metrics == null) metrics = PoolMetrics.unregistered();
            return new EndpointPool<>(this);
        }
    }
}
