package io.evmore.core.policy;

import io.evmore.core.chain.ChainId;
import java.util.Map;

/**
 * SPEC §3 timelock safety. With {@code F_dst} the destination's time to finality, {@code P} the event
 * polling/subscription delay, {@code G_src} the worst-case time to get a claim included on the source (fee escalation
 * included), {@code H} the IBC route's hop timeouts × (retries + 1) (0 for a direct swap) and {@code M} the safety
 * margin, the relayer locks with
 * <pre>  T_dst = T_src − (F_dst + P + G_src + M)</pre>
 * (the latest it may be; it never chooses later) and takes a swap only if {@code T_dst − now ≥ W_user + H}.
 *
 * @param chains     per chain: finality {@code F} and claim-inclusion bound {@code G}, seconds
 * @param pollDelay  {@code P}, seconds
 * @param margin     {@code M}, seconds
 * @param userWindow {@code W_user}, the least time the user gets to claim, seconds
 * @param routes     per destination reached over IBC: {@code H}, seconds (absent = direct, H = 0)
 */
public record TimelockPolicy(Map<ChainId, ChainTiming> chains, long pollDelay, long margin, long userWindow,
        Map<ChainId, Long> routes) {

    /** @param finality {@code F}: confirmations × block time; @param claimInclusion {@code G} */
    public record ChainTiming(long finality, long claimInclusion) {
        public ChainTiming {
            if (finality < 0 || claimInclusion < 0) throw new IllegalArgumentException("chain timings must be >= 0");
        }
    }

    /** Direct destinations only. */
    public TimelockPolicy(Map<ChainId, ChainTiming> chains, long pollDelay, long margin, long userWindow) {
        this(chains, pollDelay, margin, userWindow, Map.of());
    }

    public TimelockPolicy {
        chains = Map.copyOf(chains);
        routes = Map.copyOf(routes);
        routes.forEach((c, h) -> {
            if (h < 0) throw new IllegalArgumentException("route H to " + c + " must be >= 0");
        });
        if (pollDelay < 0 || margin < 0) throw new IllegalArgumentException("timelock P and M must be >= 0");
        if (userWindow <= 0) throw new IllegalArgumentException("timelock W_user must be > 0");
    }

    /** Seconds {@code T_dst} stays below {@code T_src}: {@code F_dst + P + G_src + M}. */
    public long gap(ChainId from, ChainId to) {
        return timing(to).finality() + pollDelay + timing(from).claimInclusion() + margin;
    }

    /** {@code T_dst} for a source lock ending at {@code sourceTimelock}. */
    public long destTimelock(long sourceTimelock, ChainId from, ChainId to) {
        return sourceTimelock - gap(from, to);
    }

    /**
     * Why {@code destTimelock} leaves too little time at {@code now}, or null when it is acceptable.
     *
     * @param routeSeconds {@code H} (0 for a direct swap)
     */
    public String tooLittleTime(long destTimelock, long now, long routeSeconds) {
        long left = destTimelock - now;
        long needed = userWindow + routeSeconds;
        if (left >= needed) return null;
        return "too little time left: the relayer's lock would expire in " + left + " s, but the user must get at least "
                + needed + " s (W_user " + userWindow + (routeSeconds > 0 ? " + H " + routeSeconds : "") + ")";
    }

    /** {@code H} of the route to {@code destination}: 0 for a direct destination. */
    public long routeSeconds(ChainId destination) {
        return routes.getOrDefault(destination, 0L);
    }

    /** {@link #tooLittleTime(long, long, long)} with the destination's own {@code H}. */
    public String tooLittleTime(ChainId destination, long destTimelock, long now) {
        return tooLittleTime(destTimelock, now, routeSeconds(destination));
    }

    public ChainTiming timing(ChainId chain) {
        ChainTiming t = chains.get(chain);
        if (t == null) throw new IllegalArgumentException("no timelock timings for chain " + chain);
        return t;
    }
}
