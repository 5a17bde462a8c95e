package io.evmore.pool;

import java.util.List;

/** JSON-friendly snapshot of one pool for {@code GET /admin/pools/status}. */
public record PoolStatus(String pool, Lifecycle state, int connectionsTotal, int connectionsActive, int connectionsIdle,
        int waiting, List<EndpointStatus> endpoints) {

    public enum Lifecycle { ACTIVE, DRAINING, DRAINED, CLOSED }

    /** One endpoint: health, height, latency, breaker and its connections. Never the url (it may hold secrets). */
    public record EndpointStatus(String name, String address, EndpointState state, int healthScore, String reason,
            long height, long latencyMillis, CircuitBreaker.State circuit, long errors, String lastError,
            String lastCheckedAt, int connectionsTotal, int connectionsActive, int connectionsIdle) {}

    /** Result of {@code POST /admin/pools/drain} for one pool. */
    public record DrainReport(String pool, boolean drained, int stillBorrowed, int closedConnections, long waitedMillis) {}

    /** Result of {@code POST /admin/pools/refresh} for one pool. */
    public record RefreshReport(String pool, int closedConnections, int openedConnections, List<EndpointStatus> endpoints) {}
}
