package io.evmore.app.metrics;

import io.evmore.core.engine.RelayEngine;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the swaps in flight mean for an operator, computed from the store's pending swaps at each gauge refresh:
 * <ul>
 * <li>the <b>deadline headroom</b>: per kind of deadline, the fewest seconds any in-flight swap has left before it
 *     ({@link #DEADLINES}; the engine's {@link RelayEngine#deadline}); {@code source_claim} is the one that can lose
 *     money (the relayer must claim the user's source lock before {@code T_src − G_src});</li>
 * <li>the <b>time in state</b>: per non-terminal state, how long the oldest swap has been in it (as seen by this
 *     process: a swap first seen after a restart counts from its last update).</li>
 * </ul>
 * Labels are these fixed kinds and state names, never a swap id.
 */
public final class SwapGauges {
    /**
     * Kinds of deadline: {@code counter_lock} (the relayer must counter-lock before T_dst − W_user − H),
     * {@code source_claim} (the secret is known: claim the source before T_src − G_src), {@code user_claim} (the user may
     * claim the counter-lock until T_dst; the relayer refunds it after), {@code source_refund} (a failed counter-lock:
     * the user's source lock becomes refundable at T_src).
     */
    public static final List<String> DEADLINES = List.of("counter_lock", "source_claim", "user_claim", "source_refund");

    private final Map<String, Seen> inState = new HashMap<>();

    private record Seen(SwapState state, Instant since) {}

    /** The result of one refresh. */
    public record Snapshot(Map<String, Double> headroomSeconds, Map<String, Double> oldestInStateSeconds) {}

    /** The deadline kind a swap in its current state is working towards (null: none). */
    static String kind(Swap s) {
        return switch (s.state()) {
            case DETECTED, CONFIRMED, COUNTER_PENDING -> s.secret() != null ? "source_claim" : "counter_lock";
            case SECRET_REVEALED, SOURCE_CLAIM_PENDING -> "source_claim";
            case COUNTER_LOCKED, DEST_REFUND_PENDING -> s.secret() != null ? "source_claim" : "user_claim";
            case SOURCE_CLAIMED -> "user_claim";
            case COUNTER_FAILED -> s.secret() != null ? "source_claim" : "source_refund";
            default -> null;
        };
    }

    public synchronized Snapshot refresh(List<Swap> pending, RelayEngine engine, Instant now) {
        Map<String, Double> headroom = new LinkedHashMap<>();
        DEADLINES.forEach(k -> headroom.put(k, Double.NaN)); // no swap working towards it: no value (alerts stay quiet)
        Map<SwapState, Double> oldest = new EnumMap<>(SwapState.class);
        Map<String, Seen> next = new HashMap<>();
        for (Swap s : pending) {
            if (s.state().isTerminal()) continue;
            String kind = kind(s);
            if (engine != null && kind != null) {
                engine.deadline(s).ifPresent(d -> {
                    double left = d.at() - now.getEpochSecond();
                    headroom.merge(kind, left, (a, b) -> Double.isNaN(a) ? b : Math.min(a, b));
                });
            }
            Seen was = inState.get(s.id());
            Seen seen = was != null && was.state() == s.state() ? was : new Seen(s.state(), was == null ? s.updatedAt() : now);
            next.put(s.id(), seen);
            oldest.merge(s.state(), (double) Math.max(0, now.getEpochSecond() - seen.since().getEpochSecond()), Math::max);
        }
        inState.clear();
        inState.putAll(next);
        Map<String, Double> byState = new LinkedHashMap<>();
        for (SwapState st : SwapState.values()) {
            if (!st.isTerminal()) byState.put(st.name().toLowerCase(Locale.ROOT), oldest.getOrDefault(st, 0.0));
        }
        return new Snapshot(headroom, byState);
    }
}
