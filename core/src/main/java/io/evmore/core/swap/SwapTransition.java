package io.evmore.core.swap;

import java.time.Instant;

/** One row of a swap's audit trail: which state change happened, why, and the transaction that caused it. */
public record SwapTransition(String swapId, SwapState from, SwapState to, String cause, String txHash, Instant at) {
    public SwapTransition {
        if (swapId == null) throw new IllegalArgumentException("transition swapId is missing");
        if (to == null) throw new IllegalArgumentException("transition target state is missing");
        if (cause == null || cause.isBlank()) throw new IllegalArgumentException("transition cause is missing");
        if (at == null) throw new IllegalArgumentException("transition time is missing");
    }
}
