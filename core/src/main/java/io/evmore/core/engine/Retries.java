package io.evmore.core.engine;

import io.evmore.core.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Consecutive failures per swap and when a backed-off resend is due; in memory (a restart sends again at once). Sends
 * again at once after the first failure, later after growing delays ({@link EngineSettings#retryDelay()} doubling up to
 * {@link EngineSettings#maxRetryDelay()}).
 */
final class Retries {
    private final Clock clock;
    private final EngineSettings settings;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /** When a swap's backed-off resend is due (set by {@link #backoffThen}, cleared when it is sent). */
    private final Map<String, Instant> resendAt = new ConcurrentHashMap<>();

    Retries(Clock clock, EngineSettings settings) {
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Sends again at once the first time, later after growing delays (never longer than {@code cap} when given). The
     * step that comes back when the delay is over sends: it must not count as one more failure and wait again (it did,
     * so a swap whose action failed twice was never sent again until a restart).
     */
    SwapFlow.Next backoffThen(String swapId, Duration cap, Supplier<SwapFlow.Next> again) {
        Instant due = resendAt.get(swapId);
        if (due != null) {
            if (clock.now().isBefore(due)) return new SwapFlow.Next(due);
            resendAt.remove(swapId);
            return again.get();
        }
        int n = failures.merge(swapId, 1, Integer::sum);
        if (n <= 1) return again.get();
        Duration d = cap == null || delay(n).compareTo(cap) <= 0 ? delay(n) : cap;
        Instant at = clock.now().plus(d);
        resendAt.put(swapId, at);
        return new SwapFlow.Next(at);
    }

    /** One more failure: how long to wait before trying again. */
    Duration failedAgain(String swapId) {
        return delay(failures.merge(swapId, 1, Integer::sum));
    }

    void succeeded(String swapId) {
        failures.remove(swapId);
        resendAt.remove(swapId);
    }

    private Duration delay(int failuresSoFar) {
        long ms = settings.retryDelay().toMillis() << Math.min(20, Math.max(0, failuresSoFar - 1));
        return Duration.ofMillis(Math.min(ms, settings.maxRetryDelay().toMillis()));
    }
}
