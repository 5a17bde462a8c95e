package io.evmore.core.engine;

import io.evmore.core.policy.SwapValidator;
import java.time.Duration;

/**
 * How the engine runs.
 *
 * @param validator        pairs, timelock policy, confirmations and receiver formats
 * @param tick             how often the engine looks at every pending swap even without news
 * @param retryDelay       first delay after a transient failure (doubles per failure, up to {@code maxRetryDelay})
 * @param maxRetryDelay    longest delay between retries
 * @param reconcileDelay   how often an undecided transaction is checked again
 * @param maxCounterLockAttempts counter-lock transactions that may fail before the swap is given up (COUNTER_FAILED)
 */
public record EngineSettings(SwapValidator validator, Duration tick, Duration retryDelay, Duration maxRetryDelay,
        Duration reconcileDelay, int maxCounterLockAttempts) {

    public EngineSettings {
        if (validator == null) throw new IllegalArgumentException("engine validator is required");
        if (tick.isNegative() || tick.isZero()) throw new IllegalArgumentException("engine tick must be > 0");
        if (maxCounterLockAttempts < 1) throw new IllegalArgumentException("maxCounterLockAttempts must be >= 1");
    }

    public static EngineSettings defaults(SwapValidator validator) {
        return new EngineSettings(validator, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(2), 3);
    }
}
