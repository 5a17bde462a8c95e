package io.evmore.pool;

import io.evmore.core.port.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Per-endpoint circuit breaker: CLOSED until {@code failureThreshold} consecutive failures, then OPEN (no calls)
 * for {@code coolDown}; then HALF_OPEN lets exactly one trial through: success closes it, failure re-opens it.
 * Not thread-safe by itself; the pool calls it under its lock.
 */
public final class CircuitBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final Clock clock;
    private final int failureThreshold;
    private final Duration coolDown;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt;
    private boolean trialInFlight;

    public CircuitBreaker(Clock clock, int failureThreshold, Duration coolDown) {
        this.clock = clock;
        this.failureThreshold = failureThreshold;
        this.coolDown = coolDown;
    }

    /** The state now (an open breaker whose cool-down has passed reads as HALF_OPEN). */
    public State state() {
        if (state == State.OPEN && !clock.now().isBefore(openedAt.plus(coolDown))) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        return state;
    }

    /** Whether a call may go through now, without reserving the half-open trial. */
    public boolean wouldAllow() {
        State s = state();
        return s == State.CLOSED || (s == State.HALF_OPEN && !trialInFlight);
    }

    /** Reserves permission for one call; false if the breaker rejects it. */
    public boolean tryAcquire() {
        State s = state();
        if (s == State.CLOSED) return true;
        if (s == State.HALF_OPEN && !trialInFlight) {
            trialInFlight = true;
            return true;
        }
        return false;
    }

    public void onSuccess() {
        consecutiveFailures = 0;
        trialInFlight = false;
        state = State.CLOSED;
    }

    public void onFailure() {
        consecutiveFailures++;
        State s = state();
        if (s == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openedAt = clock.now();
            trialInFlight = false;
        }
    }

    /** Gives back a half-open trial that ended without a verdict (e.g. the caller's own request was invalid). */
    public void release() {
        trialInFlight = false;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }
}
