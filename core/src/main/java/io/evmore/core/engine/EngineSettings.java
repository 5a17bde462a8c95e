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
 * @param secretWatch      how often the destination chain is asked, by query, whether a swap's counter-lock (or any
 *                         HTLC with its hashlock) was claimed: the safety net under the follower's claim event
 * @param atRiskLead       a swap is AT RISK this long before its claim deadline ({@code T_src − G_src}) while the
 *                         source is not claimed, and this long after its own counter-lock expired unrefunded
 * @param feeEscalation    how long a transaction may stay pending before it is replaced at a higher fee (shorter as
 *                         its deadline nears)
 */
public record EngineSettings(SwapValidator validator, Duration tick, Duration retryDelay, Duration maxRetryDelay,
        Duration reconcileDelay, int maxCounterLockAttempts, Duration secretWatch, Duration atRiskLead,
        Duration feeEscalation) {

    public static final Duration DEFAULT_SECRET_WATCH = Duration.ofSeconds(30);
    public static final Duration DEFAULT_AT_RISK_LEAD = Duration.ofMinutes(5);
    public static final Duration DEFAULT_FEE_ESCALATION = Duration.ofSeconds(60);

    public EngineSettings {
        if (validator == null) throw new IllegalArgumentException("engine validator is required");
        if (tick.isNegative() || tick.isZero()) throw new IllegalArgumentException("engine tick must be > 0");
        if (maxCounterLockAttempts < 1) throw new IllegalArgumentException("maxCounterLockAttempts must be >= 1");
        if (secretWatch == null || secretWatch.isNegative() || secretWatch.isZero()) {
            throw new IllegalArgumentException("engine secretWatch must be > 0");
        }
        if (atRiskLead == null || atRiskLead.isNegative()) throw new IllegalArgumentException("engine atRiskLead must be >= 0");
        if (feeEscalation == null || feeEscalation.isNegative() || feeEscalation.isZero()) {
            throw new IllegalArgumentException("engine feeEscalation must be > 0");
        }
    }

    /** With the default secret watch, AT RISK lead and fee escalation. */
    public EngineSettings(SwapValidator validator, Duration tick, Duration retryDelay, Duration maxRetryDelay,
            Duration reconcileDelay, int maxCounterLockAttempts) {
        this(validator, tick, retryDelay, maxRetryDelay, reconcileDelay, maxCounterLockAttempts, DEFAULT_SECRET_WATCH,
                DEFAULT_AT_RISK_LEAD, DEFAULT_FEE_ESCALATION);
    }

    public static EngineSettings defaults(SwapValidator validator) {
        return new EngineSettings(validator, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(2), 3);
    }

    public EngineSettings withSecretWatch(Duration d) {
        return new EngineSettings(validator, tick, retryDelay, maxRetryDelay, reconcileDelay, maxCounterLockAttempts, d,
                atRiskLead, feeEscalation);
    }

    public EngineSettings withAtRiskLead(Duration d) {
        return new EngineSettings(validator, tick, retryDelay, maxRetryDelay, reconcileDelay, maxCounterLockAttempts,
                secretWatch, d, feeEscalation);
    }

    public EngineSettings withFeeEscalation(Duration d) {
        return new EngineSettings(validator, tick, retryDelay, maxRetryDelay, reconcileDelay, maxCounterLockAttempts,
                secretWatch, atRiskLead, d);
    }
}
