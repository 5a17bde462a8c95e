package io.evmore.pool;

import io.evmore.core.port.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One endpoint's bookkeeping in an {@link EndpointPool}: its connections (lent and idle), its circuit breaker, and what
 * the last health probe and the recent calls said of it. Guarded by the pool's lock.
 */
final class EndpointSlot<C> {
    private static final double DECAY = 0.9;

    final Endpoint endpoint;
    final CircuitBreaker breaker;
    final Deque<C> idle = new ArrayDeque<>();
    int active;
    long generation;
    EndpointState state = EndpointState.UNKNOWN;
    int score = 100;
    String reason = "not checked yet";
    long height = -1;
    String lastChainId;
    Instant heightChangedAt;
    long latencyMillis = -1;
    long errors;
    String lastError;
    Instant lastCheckedAt;
    double recentCalls;
    double recentFailures;
    C probeConnection;

    EndpointSlot(Endpoint endpoint, Clock clock, PoolSettings settings) {
        this.endpoint = endpoint;
        this.breaker = new CircuitBreaker(clock, settings.breakerFailureThreshold(), settings.breakerCoolDown());
    }

    int total() {
        return active + idle.size();
    }

    void recordCall(boolean failed) {
        recentCalls = recentCalls * DECAY + 1;
        recentFailures = recentFailures * DECAY + (failed ? 1 : 0);
    }

    double errorRate() {
        return recentCalls < 1e-9 ? 0 : recentFailures / recentCalls;
    }

    boolean lastSampleRightChain(HealthScorer scorer) {
        return lastChainId != null && height >= 0 && scorer.rightChain(lastChainId);
    }

    PoolStatus.EndpointStatus snapshot() {
        return new PoolStatus.EndpointStatus(endpoint.name(), endpoint.safeUrl(), state, score, reason, height,
                latencyMillis, breaker.state(), errors, lastError, lastCheckedAt == null ? null : lastCheckedAt.toString(),
                total(), active, idle.size());
    }
}
