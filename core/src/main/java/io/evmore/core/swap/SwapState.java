package io.evmore.core.swap;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The persisted swap state machine (SPEC §3). Happy path:
 * DETECTED → CONFIRMED → COUNTER_PENDING → COUNTER_LOCKED → SECRET_REVEALED → SOURCE_CLAIM_PENDING → COMPLETED.
 */
public enum SwapState {
    /** Source lock seen on chain, not yet final. */
    DETECTED,
    /** Source lock has the configured confirmations and passed validation. */
    CONFIRMED,
    /** Counter-lock transaction intent persisted / broadcast, not yet observed. */
    COUNTER_PENDING,
    /** Counter-lock observed on the destination chain. */
    COUNTER_LOCKED,
    /** User claimed on destination; the secret is known. */
    SECRET_REVEALED,
    /** Relayer's claim on the source chain broadcast, not yet final. */
    SOURCE_CLAIM_PENDING,
    /**
     * Relayer claimed the source funds, but its own counter-lock is still open or on its way (the secret reached the
     * relayer from elsewhere: a look-alike HTLC the user claimed, a claim the follower missed while the counter-lock was
     * still being recorded). The user may still claim it until T_dst; otherwise the relayer refunds it.
     */
    SOURCE_CLAIMED,
    /** Relayer claimed the source funds and its counter-lock is claimed, refunded, or was never made. Terminal. */
    COMPLETED,
    /** Source lock refused by validation; no funds moved. Terminal. */
    REJECTED,
    /** Counter-lock failed (IBC error ack or timeout); funds back with the relayer; waits for the user's source refund. */
    COUNTER_FAILED,
    /** User never claimed; relayer's refund of its destination lock is pending. */
    DEST_REFUND_PENDING,
    /** Relayer's destination lock refunded. Terminal. */
    REFUNDED,
    /** Source lock refunded by the user. Terminal. */
    EXPIRED,
    /** The only losing case: secret known but the source claim is impossible. Terminal, alerts. */
    CLAIM_MISSED;

    private static final Map<SwapState, Set<SwapState>> NEXT = Map.ofEntries(
            Map.entry(DETECTED, EnumSet.of(CONFIRMED, REJECTED, EXPIRED)),
            Map.entry(CONFIRMED, EnumSet.of(COUNTER_PENDING, REJECTED, EXPIRED)),
            // A secret known while the counter-lock is still pending (or after it failed) is claimed with at once.
            Map.entry(COUNTER_PENDING, EnumSet.of(COUNTER_LOCKED, COUNTER_FAILED, SECRET_REVEALED)),
            Map.entry(COUNTER_LOCKED, EnumSet.of(SECRET_REVEALED, DEST_REFUND_PENDING)),
            // DEST_REFUND_PENDING: the source can no longer be claimed but nobody claimed the relayer's own counter-lock.
            Map.entry(SECRET_REVEALED, EnumSet.of(SOURCE_CLAIM_PENDING, COMPLETED, SOURCE_CLAIMED, CLAIM_MISSED, DEST_REFUND_PENDING)),
            Map.entry(SOURCE_CLAIM_PENDING, EnumSet.of(COMPLETED, SOURCE_CLAIMED, SECRET_REVEALED, CLAIM_MISSED, DEST_REFUND_PENDING)),
            Map.entry(SOURCE_CLAIMED, EnumSet.of(COMPLETED)),
            // COUNTER_LOCKED: a counter-lock transaction the chain had not decided on landed after all.
            Map.entry(COUNTER_FAILED, EnumSet.of(EXPIRED, SECRET_REVEALED, COUNTER_LOCKED)),
            // CLAIM_MISSED: the counter-lock was claimed while being refunded after the source claim was missed.
            Map.entry(DEST_REFUND_PENDING, EnumSet.of(REFUNDED, SECRET_REVEALED, CLAIM_MISSED)),
            Map.entry(COMPLETED, EnumSet.noneOf(SwapState.class)),
            Map.entry(REJECTED, EnumSet.noneOf(SwapState.class)),
            Map.entry(REFUNDED, EnumSet.of(EXPIRED)),
            Map.entry(EXPIRED, EnumSet.noneOf(SwapState.class)),
            Map.entry(CLAIM_MISSED, EnumSet.noneOf(SwapState.class)));

    public boolean canMoveTo(SwapState next) {
        return NEXT.get(this).contains(next);
    }

    public Set<SwapState> next() {
        return EnumSet.copyOf(NEXT.get(this).isEmpty() ? EnumSet.noneOf(SwapState.class) : NEXT.get(this));
    }

    /**
     * Terminal states need no further work from the relayer. REFUNDED may still see the user's source
     * refund (→ EXPIRED) but nothing of the relayer's is at stake any more.
     */
    public boolean isTerminal() {
        return this == COMPLETED || this == REJECTED || this == REFUNDED || this == EXPIRED || this == CLAIM_MISSED;
    }

    /**
     * The swap holds its hashlock: it was accepted for a counter-lock, or a counter-lock of the relayer's with this
     * hashlock exists or may exist. At most one swap per hashlock may be in these states (the store enforces it); a
     * hashlock held only by REJECTED, EXPIRED, REFUNDED or COUNTER_FAILED swaps, or by swaps still waiting for their
     * confirmations, may be taken by another lock. The list must match the store's unique index (a test checks it).
     */
    public boolean holdsHashlock() {
        return this == CONFIRMED || this == COUNTER_PENDING || this == COUNTER_LOCKED || this == SECRET_REVEALED
                || this == SOURCE_CLAIM_PENDING || this == SOURCE_CLAIMED || this == DEST_REFUND_PENDING;
    }
}
