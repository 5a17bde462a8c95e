package io.evmore.core.engine;

import io.evmore.core.port.Clock;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reaction times for {@link RelayMetrics#reactionTime}: when the first transaction of a swap's first counter-lock or
 * source-claim attempt is journaled for broadcast, how long after its trigger — the follower's first sight of the block
 * that gave the source lock its confirmations, or the moment the relayer learnt the secret (its SECRET_REVEALED
 * transition). Retries and fee replacements are not reactions and are not counted; a trigger this process did not see
 * (a restart in between) is skipped. Metrics only: nothing here decides anything.
 */
final class Reactions {
    private static final System.Logger log = System.getLogger(Reactions.class.getName());

    private final SwapBook book;
    private final ChainHeights heights;
    private final EngineSettings settings;
    private final Clock clock;
    private final RelayMetrics metrics;

    Reactions(SwapBook book, ChainHeights heights, EngineSettings settings, Clock clock, RelayMetrics metrics) {
        this.book = book;
        this.heights = heights;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
    }

    void firstBroadcast(TxIntent intent) {
        if (intent.swapId() == null || !intent.id().endsWith("/" + intent.action() + "/1")) return; // a retry
        try {
            Optional<Swap> s = book.store().find(intent.swapId());
            if (s.isEmpty()) return;
            Instant trigger = switch (intent.action()) {
                case SwapFlow.COUNTER_LOCK -> confirmingBlockSeen(s.get());
                case SwapFlow.SOURCE_CLAIM -> secretLearnt(s.get());
                default -> null;
            };
            if (trigger == null) return;
            Duration took = Duration.between(trigger, clock.now());
            if (took.isNegative()) took = Duration.ZERO;
            metrics.reactionTime(SwapFlow.COUNTER_LOCK.equals(intent.action()) ? "counter_lock" : "source_claim", took);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.DEBUG, "reaction time of " + intent.id() + " not recorded: " + e.getMessage());
        }
    }

    private Instant confirmingBlockSeen(Swap s) {
        if (s.sourceHeight() <= 0) return null;
        int depth = settings.validator().requiredConfirmations(s.fromChain(), s.sourceAsset(), s.sourceAmount());
        return heights.seenAt(s.fromChain(), s.sourceHeight() + depth - 1);
    }

    private Instant secretLearnt(Swap s) {
        List<SwapTransition> all = book.store().read(tx -> tx.transitions(s.id()));
        Instant at = null;
        for (SwapTransition t : all) if (t.to() == SwapState.SECRET_REVEALED) at = t.at();
        return at;
    }
}
