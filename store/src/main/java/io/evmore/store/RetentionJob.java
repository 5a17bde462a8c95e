package io.evmore.store;

import io.evmore.core.port.Clock;
import io.evmore.core.port.SwapStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodically deletes terminal swaps (with their audit rows and intents) last updated more than
 * {@code retention} ago. Runs on its own daemon thread; a failed run is logged and retried at the next interval.
 */
public final class RetentionJob implements AutoCloseable {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final SwapStore store;
    private final Clock clock;
    private final Duration retention;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    public RetentionJob(SwapStore store, Clock clock, Duration retention, Duration interval) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention period must be positive, got " + retention);
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("retention interval must be positive, got " + interval);
        }
        this.retention = retention;
        this.interval = interval;
    }

    public RetentionJob(SwapStore store, Clock clock) {
        this(store, clock, DEFAULT_RETENTION, DEFAULT_INTERVAL);
    }

    /** Runs the cleanup now (first run right away, after a downtime there may be a backlog), then every interval. */
    public synchronized void start() {
        if (scheduler != null) throw new IllegalStateException("retention job already started");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "evmore-store-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One cleanup pass; returns how many swaps were deleted. */
    public int runOnce() {
        Instant cutoff = clock.now().minus(retention);
        int deleted = store.deleteTerminalBefore(cutoff);
        if (deleted > 0) {
            LOG.info("retention: deleted {} terminal swap(s) last updated before {} (and their transitions and"
                    + " intents)", deleted, cutoff);
        } else {
            LOG.debug("retention: no terminal swaps last updated before {}", cutoff);
        }
        return deleted;
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule; the next run may well succeed.
            LOG.warn("retention: cleanup failed, retrying in {}: {}", interval, e.toString());
        }
    }

    public Duration retention() {
        return retention;
    }

    public Duration interval() {
        return interval;
    }

    /** Stops the schedule, waiting briefly for a running pass; idempotent. */
    @Override
    public synchronized void close() {
        if (scheduler == null) return;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
