package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.TxIntent;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secret, from wherever it shows up: the safety net under the followers' claim events, which can be missed. For every
 * swap whose counter-lock exists or may exist, the destination chain is asked by query — at most every
 * {@link EngineSettings#secretWatch()} — whether a preimage of the swap's hashlock was revealed there: by a claim of the
 * counter-lock, or of any HTLC with the hashlock (a look-alike the user claimed, an HTLC a route created that the engine
 * could not prove its own). A preimage found is stored on the swap ({@link SwapBook#secretFound}). How often depends on
 * how far the claim deadline is ({@link #interval}).
 */
final class SecretWatch {
    private static final System.Logger log = System.getLogger(SecretWatch.class.getName());

    private final Map<ChainId, HtlcChain> chains;
    private final SwapBook book;
    private final Clock clock;
    private final EngineSettings settings;
    private final Deadlines deadlines;
    /** When each swap's destination was last asked (in memory: after a restart every swap is asked at once). */
    private final Map<String, Instant> asked = new ConcurrentHashMap<>();
    /** The longest pause between two questions, however far the claim deadline (many swaps in flight cost few queries). */
    static final java.time.Duration MAX_INTERVAL = java.time.Duration.ofMinutes(10);

    SecretWatch(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings, Deadlines deadlines) {
        this.chains = chains;
        this.book = book;
        this.clock = clock;
        this.settings = settings;
        this.deadlines = deadlines;
    }

    /**
     * How long until the destination is asked again: a tenth of the time left to the claim deadline, between
     * {@link EngineSettings#secretWatch()} and {@link #MAX_INTERVAL} — rarely while the deadline is far (the claim event
     * is the fast path), every {@code secretWatch} as it nears.
     */
    java.time.Duration interval(Swap s) {
        long tenth = Math.max(0, (deadlines.claimDeadline(s) - clock.nowEpochSeconds()) / 10);
        long seconds = Math.max(settings.secretWatch().toSeconds(), Math.min(MAX_INTERVAL.toSeconds(), tenth));
        return java.time.Duration.ofSeconds(seconds);
    }

    /** Asks the destination if it is time to; returns the swap as stored afterwards. */
    Swap watch(Swap s) {
        if (s.secret() != null || !counterLockMayExist(s)) return s;
        Instant now = clock.now();
        Instant last = asked.get(s.id());
        if (last != null && now.isBefore(last.plus(interval(s)))) return s;
        asked.put(s.id(), now);
        HtlcChain dst = chains.get(s.toChain());
        if (dst == null) return s;
        Optional<Secret> found;
        try {
            found = dst.revealedSecret(s.hashlock(), s.destHtlcId(), s.destHeight());
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": could not ask " + s.toChain() + " for its secret: " + e.getMessage());
            return s;
        }
        if (found.isEmpty()) return s;
        if (!found.get().opens(s.hashlock())) {
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": " + s.toChain() + " answered a secret that does not open its hashlock; ignored");
            return s;
        }
        return book.secretFound(s, found.get(), "secret found on " + s.toChain() + " by query (its claim event was not seen)");
    }

    /** Whether a counter-lock of the relayer's with this swap's hashlock exists or may exist (then its claim reveals the secret). */
    boolean counterLockMayExist(Swap s) {
        return switch (s.state()) {
            case COUNTER_LOCKED, DEST_REFUND_PENDING -> true;
            case COUNTER_PENDING -> s.counterPacket() != null || s.destHtlcId() != null || anyMayHaveBeenBroadcast(s);
            case COUNTER_FAILED -> clock.nowEpochSeconds() < s.sourceTimelock()
                    && (s.counterPacket() != null || anyMayHaveBeenBroadcast(s));
            default -> false;
        };
    }

    private boolean anyMayHaveBeenBroadcast(Swap s) {
        return book.intents(s.id()).stream().anyMatch(i -> i.action().equals(SwapFlow.COUNTER_LOCK) && i.mayHaveBeenBroadcast()
                && i.status() != TxIntent.Status.FAILED);
    }

    void forget(String swapId) {
        asked.remove(swapId);
    }
}
