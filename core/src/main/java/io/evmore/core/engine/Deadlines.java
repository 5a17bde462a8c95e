package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.policy.TimelockPolicy;
import io.evmore.core.swap.Swap;
import java.time.Duration;

/**
 * The deadline each of a swap's transactions must meet, and how hard to bid for inclusion as it nears. Pure: the caller
 * passes the chain's time.
 *
 * <ul>
 * <li>the source claim must be included before the <em>claim deadline</em> {@code T_src − G_src} (source chain time):
 *     {@code G_src} is what the timelock rule budgeted for getting it included, fee escalation included;</li>
 * <li>the counter-lock must be included while the user still gets {@code W_user + H}: before {@code T_dst − W_user − H}
 *     (destination chain time);</li>
 * <li>refunds have no deadline (an expired lock can be refunded at any later time).</li>
 * </ul>
 *
 * <p>A transaction that stays pending is replaced at a higher fee every {@link #escalationInterval} (the configured
 * interval, shorter as the deadline nears), one fee level per replacement; near or past the deadline the bid jumps by
 * several levels at once ({@link #urgency}).
 */
final class Deadlines {
    static final long NONE = Long.MAX_VALUE;

    private final TimelockPolicy timelocks;
    private final Duration escalation;

    Deadlines(TimelockPolicy timelocks, Duration escalation) {
        this.timelocks = timelocks;
        this.escalation = escalation;
    }

    /** The chain whose clock judges {@code action}'s deadline. */
    static ChainId clockOf(Swap s, String action) {
        return SwapFlow.COUNTER_LOCK.equals(action) ? s.toChain() : s.fromChain();
    }

    /** Unix seconds by which {@code action}'s transaction must be included, or {@link #NONE}. */
    long deadline(Swap s, String action) {
        return switch (action) {
            case SwapFlow.SOURCE_CLAIM -> claimDeadline(s);
            case SwapFlow.COUNTER_LOCK -> s.destTimelock() <= 0 ? NONE
                    : s.destTimelock() - timelocks.userWindow() - timelocks.routeSeconds(s.toChain());
            default -> NONE;
        };
    }

    /** {@code T_src − G_src}: the latest time the source claim may still be in flight. */
    long claimDeadline(Swap s) {
        return s.sourceTimelock() - claimInclusion(s.fromChain());
    }

    long claimInclusion(ChainId chain) {
        try {
            return timelocks.timing(chain).claimInclusion();
        } catch (IllegalArgumentException e) {
            return 0; // a chain no longer configured: no budget known, judge by T_src alone
        }
    }

    /**
     * Extra fee levels for a transaction sent or replaced at {@code chainNow}: none while its deadline is far, more as it
     * nears, most once it passed (the source claim can still land until {@code T_src}).
     */
    int urgency(Swap s, String action, long chainNow) {
        long deadline = deadline(s, action);
        if (deadline == NONE) return 0;
        long left = deadline - chainNow;
        long budget = Math.max(1, SwapFlow.COUNTER_LOCK.equals(action) ? timelocks.userWindow() : claimInclusion(s.fromChain()));
        if (left <= 0) return 8;
        if (left < budget) return 4;
        if (left < 2 * budget) return 2;
        return 0;
    }

    /** The fee to bid for a new transaction of {@code action} after {@code failedBefore} of its transactions failed. */
    FeeBid bid(Swap s, String action, int failedBefore, long chainNow) {
        return FeeBid.level(failedBefore + urgency(s, action, chainNow));
    }

    /**
     * How long a cancel of a counter-lock past its deadline ({@link Transactions}) may wait before it is bid again one
     * level higher: the configured escalation interval. Not shortened like a deadline's: the deadline has passed, and
     * each bid adds a transaction every reconcile reads.
     */
    Duration cancelInterval() {
        return escalation.toSeconds() <= 0 ? Duration.ofSeconds(1) : escalation;
    }

    /** How long a pending transaction of {@code action} may wait before it is replaced at a higher fee. */
    Duration escalationInterval(Swap s, String action, long chainNow) {
        long deadline = deadline(s, action);
        if (deadline == NONE) return escalation;
        long quarter = Math.max(1, (deadline - chainNow) / 4);
        return Duration.ofSeconds(Math.min(escalation.toSeconds() <= 0 ? 1 : escalation.toSeconds(), quarter));
    }
}
