package io.evmore.pool;

import java.time.Duration;

/**
 * Settings of one chain's pool. The first five carry the operations guide's names; the rest tune failover.
 *
 * @param maxConnections           connections (concurrent borrowers) per endpoint
 * @param minConnections           connections kept warm per usable endpoint
 * @param acquireTimeout           how long {@code acquire} waits for a free connection before failing
 * @param healthCheckInterval      period of the background health probe of every endpoint
 * @param retryDelay               pause before retrying a failed call on another endpoint
 * @param maxAttempts              attempts per {@code execute} call (1 = no retry)
 * @param probeTimeout             a health probe slower than this counts as failed (stalled endpoint)
 * @param breakerFailureThreshold  consecutive failures that open an endpoint's circuit breaker
 * @param breakerCoolDown          how long an open breaker rejects calls before letting one trial through
 * @param maxHeightLag             blocks an endpoint may trail the best endpoint before it is unhealthy
 * @param stallTimeout             an endpoint whose height does not advance for this long is unhealthy
 *                                 ({@link Duration#ZERO} disables: for chains that only make blocks on demand)
 * @param slowLatency              probe latency above this degrades the endpoint's score
 */
public record PoolSettings(
        int maxConnections,
        int minConnections,
        Duration acquireTimeout,
        Duration healthCheckInterval,
        Duration retryDelay,
        int maxAttempts,
        Duration probeTimeout,
        int breakerFailureThreshold,
        Duration breakerCoolDown,
        long maxHeightLag,
        Duration stallTimeout,
        Duration slowLatency) {

    public PoolSettings {
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
        if (minConnections < 0 || minConnections > maxConnections) {
            throw new IllegalArgumentException("minConnections must be between 0 and maxConnections (" + maxConnections
                    + "), got " + minConnections);
        }
        positive(acquireTimeout, "acquireTimeout");
        positive(healthCheckInterval, "healthCheckInterval");
        notNegative(retryDelay, "retryDelay");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        positive(probeTimeout, "probeTimeout");
        if (breakerFailureThreshold < 1) {
            throw new IllegalArgumentException("breakerFailureThreshold must be >= 1, got " + breakerFailureThreshold);
        }
        positive(breakerCoolDown, "breakerCoolDown");
        if (maxHeightLag < 0) throw new IllegalArgumentException("maxHeightLag must be >= 0, got " + maxHeightLag);
        notNegative(stallTimeout, "stallTimeout");
        positive(slowLatency, "slowLatency");
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }

    private static void notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) throw new IllegalArgumentException(name + " must be >= 0, got " + d);
    }

    /** The guide's production values for Ethereum: max 50, min 10, acquire 30 s, health 60 s, retry 1 s. */
    public static PoolSettings ethereumDefaults() {
        return new PoolSettings(50, 10, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(1), 3,
                Duration.ofSeconds(10), 5, Duration.ofSeconds(30), 5, Duration.ofMinutes(3), Duration.ofSeconds(2));
    }

    /** The guide's production values for Cosmos: max 20, min 5, acquire 15 s, health 60 s (retry 1 s). */
    public static PoolSettings cosmosDefaults() {
        return new PoolSettings(20, 5, Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofSeconds(1), 3,
                Duration.ofSeconds(10), 5, Duration.ofSeconds(30), 5, Duration.ofMinutes(3), Duration.ofSeconds(2));
    }

    public PoolSettings withConnections(int max, int min) {
        return new PoolSettings(max, min, acquireTimeout, healthCheckInterval, retryDelay, maxAttempts, probeTimeout,
                breakerFailureThreshold, breakerCoolDown, maxHeightLag, stallTimeout, slowLatency);
    }

    public PoolSettings withAcquireTimeout(Duration d) {
        return new PoolSettings(maxConnections, minConnections, d, healthCheckInterval, retryDelay, maxAttempts,
                probeTimeout, breakerFailureThreshold, breakerCoolDown, maxHeightLag, stallTimeout, slowLatency);
    }

    public PoolSettings withHealthCheckInterval(Duration d) {
        return new PoolSettings(maxConnections, minConnections, acquireTimeout, d, retryDelay, maxAttempts,
                probeTimeout, breakerFailureThreshold, breakerCoolDown, maxHeightLag, stallTimeout, slowLatency);
    }

    public PoolSettings withRetry(Duration delay, int attempts) {
        return new PoolSettings(maxConnections, minConnections, acquireTimeout, healthCheckInterval, delay, attempts,
                probeTimeout, breakerFailureThreshold, breakerCoolDown, maxHeightLag, stallTimeout, slowLatency);
    }

    public PoolSettings withProbeTimeout(Duration d) {
        return new PoolSettings(maxConnections, minConnections, acquireTimeout, healthCheckInterval, retryDelay,
                maxAttempts, d, breakerFailureThreshold, breakerCoolDown, maxHeightLag, stallTimeout, slowLatency);
    }

    public PoolSettings withBreaker(int failureThreshold, Duration coolDown) {
        return new PoolSettings(maxConnections, minConnections, acquireTimeout, healthCheckInterval, retryDelay,
                maxAttempts, probeTimeout, failureThreshold, coolDown, maxHeightLag, stallTimeout, slowLatency);
    }

    public PoolSettings withHeightChecks(long maxLag, Duration stall) {
        return new PoolSettings(maxConnections, minConnections, acquireTimeout, healthCheckInterval, retryDelay,
                maxAttempts, probeTimeout, breakerFailureThreshold, breakerCoolDown, maxLag, stall, slowLatency);
    }

    public PoolSettings withSlowLatency(Duration d) {
        return new PoolSettings(maxConnections, minConnections, acquireTimeout, healthCheckInterval, retryDelay,
                maxAttempts, probeTimeout, breakerFailureThreshold, breakerCoolDown, maxHeightLag, stallTimeout, d);
    }
}
