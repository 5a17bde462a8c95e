package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.port.Clock;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the swaps that are AT RISK — close to a loss — early enough for an operator to act:
 * <ul>
 * <li>{@link Kind#CLAIM_DEADLINE}: the secret is known but the source is not claimed yet, and the source chain's clock
 *     is within {@link EngineSettings#atRiskLead()} of the claim deadline {@code T_src − G_src} (or past it);</li>
 * <li>{@link Kind#REFUND_OVERDUE}: the relayer's own counter-lock expired more than the lead ago and is not refunded.</li>
 * </ul>
 * A swap becoming AT RISK is logged at ERROR once (with what is left and what to do), noted on the swap (its
 * {@code lastError}, shown by {@code /admin/swaps/pending}), and counted by kind ({@link RelayMetrics#atRisk}). Chain
 * clocks are read at most every few seconds per chain and never trusted below the wall clock: an alarm comes early
 * rather than late.
 */
final class RiskWatch {
    private static final System.Logger log = System.getLogger(RiskWatch.class.getName());
    private static final Duration CHAIN_TIME_TTL = Duration.ofSeconds(5);

    /** Why a swap is at risk; the metric label is {@link #label()} (a bounded set). */
    enum Kind {
        CLAIM_DEADLINE("claim_deadline"),
        REFUND_OVERDUE("refund_overdue");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** One swap at risk: the kind, a sentence for operators, and seconds left to the deadline (negative: past it). */
    record Risk(String swapId, Kind kind, String reason, long secondsLeft, Instant since) {}

    private record ChainTime(long seconds, Instant readAt) {}

    private final Map<ChainId, HtlcChain> chains;
    private final Deadlines deadlines;
    private final SwapBook book;
    private final Clock clock;
    private final RelayMetrics metrics;
    private final Duration lead;
    private final Map<ChainId, ChainTime> chainTimes = new ConcurrentHashMap<>();
    private volatile Map<String, Risk> current = Map.of();

    RiskWatch(Map<ChainId, HtlcChain> chains, Deadlines deadlines, SwapBook book, Clock clock, RelayMetrics metrics,
            Duration lead) {
        this.chains = chains;
        this.deadlines = deadlines;
        this.book = book;
        this.clock = clock;
        this.metrics = metrics;
        this.lead = lead;
    }

    /** The swaps at risk as of the last {@link #scan}, by swap id. */
    Map<String, Risk> current() {
        return current;
    }

    /** Looks at every pending swap; logs and notes the ones newly at risk; updates the gauge. */
    Map<String, Risk> scan(List<Swap> pending) {
        Map<String, Risk> before = current;
        Map<String, Risk> now = new LinkedHashMap<>();
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) counts.put(k, 0);
        for (Swap s : pending) {
            Risk r = assess(s, before.get(s.id()));
            if (r == null) continue;
            now.put(s.id(), r);
            counts.merge(r.kind(), 1, Integer::sum);
            Risk was = before.get(s.id());
            if (was == null || was.kind() != r.kind()) {
                log.log(System.Logger.Level.ERROR, "AT RISK: swap " + s.id() + " (" + s.state() + ", " + s.fromChain() + " -> "
                        + s.toChain() + "): " + r.reason());
                book.note(s, "AT RISK: " + r.reason());
            }
        }
        Set<String> cleared = new HashSet<>(before.keySet());
        cleared.removeAll(now.keySet());
        for (String id : cleared) log.log(System.Logger.Level.INFO, "swap " + id + " is no longer at risk");
        current = Map.copyOf(now);
        counts.forEach((k, n) -> metrics.atRisk(k.label(), n));
        return current;
    }

    private Risk assess(Swap s, Risk was) {
        Instant since = was == null ? clock.now() : was.since();
        if (s.secret() != null && claimPending(s.state())) {
            long deadline = deadlines.claimDeadline(s);
            long left = deadline - time(s.fromChain());
            if (left <= lead.toSeconds()) {
                String when = left >= 0 ? "in " + left + " s" : (-left) + " s ago";
                return new Risk(s.id(), Kind.CLAIM_DEADLINE, "the secret is known but the source lock on " + s.fromChain()
                        + " is not claimed; its claim deadline (T_src − G_src = " + deadline + ") is " + when + ", T_src "
                        + s.sourceTimelock() + " (check the source chain's endpoints and the relayer's gas/fee balance there;"
                        + " the claim can be sent by hand: anyone may claim with the secret and it pays the relayer)",
                        left, since);
            }
        }
        if (s.destHtlcId() != null && ownLockOpen(s.state())) {
            long over = time(s.toChain()) - s.destTimelock();
            if (over >= lead.toSeconds()) {
                return new Risk(s.id(), Kind.REFUND_OVERDUE, "the relayer's counter-lock " + s.destHtlcId() + " on " + s.toChain()
                        + " expired " + over + " s ago (T_dst " + s.destTimelock() + ") and is not refunded yet"
                        + " (check the destination chain's endpoints and the relayer's fee balance there)", -over, since);
            }
        }
        return null;
    }

    /** The source is still to be claimed. */
    private static boolean claimPending(SwapState s) {
        return s == SwapState.SECRET_REVEALED || s == SwapState.SOURCE_CLAIM_PENDING || s == SwapState.COUNTER_PENDING
                || s == SwapState.COUNTER_LOCKED || s == SwapState.DEST_REFUND_PENDING || s == SwapState.COUNTER_FAILED;
    }

    /** The relayer's own counter-lock is (still) expected to be open. */
    private static boolean ownLockOpen(SwapState s) {
        return s == SwapState.COUNTER_LOCKED || s == SwapState.DEST_REFUND_PENDING || s == SwapState.SOURCE_CLAIMED;
    }

    /** The chain's latest block time, cached briefly, never below the wall clock (an unreachable chain: the wall clock). */
    private long time(ChainId chain) {
        long wall = clock.nowEpochSeconds();
        HtlcChain c = chains.get(chain);
        if (c == null) return wall;
        ChainTime t = chainTimes.get(chain);
        Instant now = clock.now();
        if (t == null || now.isAfter(t.readAt().plus(CHAIN_TIME_TTL))) {
            try {
                t = new ChainTime(c.latestBlockTime(), now);
                chainTimes.put(chain, t);
            } catch (RuntimeException e) {
                return t == null ? wall : Math.max(wall, t.seconds());
            }
        }
        return Math.max(wall, t.seconds());
    }
}
