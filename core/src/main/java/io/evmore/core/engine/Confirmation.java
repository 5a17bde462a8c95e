package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.engine.SwapFlow.Next;
import io.evmore.core.error.PermanentException;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.SwapValidator.Accept;
import io.evmore.core.policy.SwapValidator.Decision;
import io.evmore.core.policy.SwapValidator.Refuse;
import io.evmore.core.policy.SwapValidator.Wait;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * DETECTED → CONFIRMED | REJECTED | EXPIRED: a user's lock, once it has its confirmations, is checked by the
 * {@link SwapValidator} against the pairs, the time left and the inventory (balance minus what other accepted swaps
 * reserved), read again from the chain (it must be the lock the follower reported, made out to the relayer, and still
 * open), and quoted. Confirming reserves inventory, so it is serialised per funding chain.
 */
final class Confirmation {
    private final Map<ChainId, HtlcChain> chains;
    private final SwapBook book;
    private final Clock clock;
    private final EngineSettings settings;
    private final ChainHeights heights;
    private final FlowClock time;
    /** Confirming a swap reserves inventory: serialised per destination chain so two swaps cannot count the same funds. */
    private final Map<ChainId, ReentrantLock> reservationLocks = new ConcurrentHashMap<>();

    Confirmation(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings,
            ChainHeights heights, FlowClock time) {
        this.chains = chains;
        this.book = book;
        this.clock = clock;
        this.settings = settings;
        this.heights = heights;
        this.time = time;
    }

    /** One look at a DETECTED swap: confirmed with its quote, rejected with the reason, expired, or asked again later. */
    Next confirm(Swap s) {
        HtlcChain src = chain(s.fromChain());
        // W_user is counted on the destination's clock (its contract decides T_dst); never trust a clock that lags.
        long now = chains.containsKey(s.toChain()) ? Math.max(time.now(src), time.now(chain(s.toChain()))) : time.now(src);
        long seen = heights.confirmations(s.fromChain(), s.sourceHeight());
        // The chain's record of the source lock, read before the reservation lock (nothing the relayer does changes a
        // user's lock): the section that must be serialised per destination is the inventory decision alone.
        Optional<HtlcRecord> onChain = seen >= settings.validator().requiredConfirmations(s.fromChain(), s.sourceAsset(), s.sourceAmount())
                ? src.query(s.sourceHtlcId()) : null;
        // keyed by where the counter-lock is paid from (the home chain for a multi-hop destination)
        ReentrantLock lock = reservationLocks.computeIfAbsent(book.funding(s.toChain(), null).chain(), c -> new ReentrantLock());
        lock.lock();
        try {
            Decision d = decide(s, src.contract(), now, seen);
            if (d instanceof Refuse r) {
                book.move(s, SwapState.REJECTED, r.reason(), null, x -> x.withLastError(r.reason(), clock.now()));
                return Next.DONE;
            }
            if (d instanceof Wait) {
                return time.later(settings.tick());
            }
            // Final by our confirmation rule: check the chain still holds the lock as we recorded it.
            if (onChain == null) onChain = src.query(s.sourceHtlcId()); // confirmed by a rule not known above
            if (onChain.isEmpty()) {
                return time.later(settings.tick()); // a node behind the follower, or a reorg the follower has not seen yet
            }
            HtlcRecord h = onChain.get();
            if (h.status() == HtlcRecord.Status.REFUNDED) {
                book.move(s, SwapState.EXPIRED, "the user refunded the source lock before it was confirmed", null, x -> x);
                return Next.DONE;
            }
            String mismatch = mismatch(s, h, src.relayerAddress());
            if (mismatch != null || h.status() != HtlcRecord.Status.OPEN) {
                String reason = mismatch != null ? mismatch : "source lock is " + h.status().name().toLowerCase() + ", not open";
                book.move(s, SwapState.REJECTED, reason, null, x -> x.withLastError(reason, clock.now()));
                return Next.DONE;
            }
            Accept a = (Accept) d;
            book.move(s, SwapState.CONFIRMED, "source lock has " + seen + " confirmation(s); quoted " + a.quote().net() + " "
                    + a.quote().asset() + " (fee " + a.quote().fee() + "), T_dst " + a.destTimelock(), s.sourceTxHash(),
                    x -> x.withQuote(a.quote().asset(), a.quote().net(), a.quote().fee(), a.destTimelock(), clock.now())
                            .withLastError(null, clock.now()));
            return Next.now();
        } finally {
            lock.unlock();
        }
    }

    private Decision decide(Swap s, String configuredContract, long now, long confirmationsSeen) {
        boolean hashlockTaken = book.hashlockTaken(s) != null;
        BigInteger available = BigInteger.ZERO;
        Optional<io.evmore.core.policy.Pair> pair = settings.validator().pair(s.fromChain(), s.sourceAsset(), s.toChain());
        if (pair.isPresent()) {
            // multi-hop: paid from the home chain's inventory (ICS-20 moves the amount unchanged)
            SwapBook.Funds f = book.funding(s.toChain(), pair.get().toAsset());
            if (chains.containsKey(f.chain())) {
                available = chain(f.chain()).balance(f.asset()).subtract(book.reserved(f.chain(), f.asset(), s.id()));
            }
        }
        return settings.validator().decide(new SwapValidator.LockFacts(s.fromChain(), configuredContract, configuredContract,
                s.sourceAsset(), s.sourceAmount(), s.hashlock(), hashlockTaken, s.sourceTimelock(), s.toChain().value(),
                s.receiver(), confirmationsSeen, now, available));
    }

    /** The chain's record must be the lock the follower reported, made out to the relayer. */
    static String mismatch(Swap s, HtlcRecord h, String relayer) {
        if (!h.receiver().equalsIgnoreCase(relayer)) return "source lock's receiver " + h.receiver() + " is not the relayer";
        if (!h.hashlock().equals(s.hashlock())) return "source lock's hashlock on chain differs from the event's";
        if (h.amount().compareTo(s.sourceAmount()) != 0) return "source lock's amount on chain differs from the event's";
        if (h.timelock() != s.sourceTimelock()) return "source lock's timelock on chain differs from the event's";
        if (!h.asset().equalsIgnoreCase(s.sourceAsset())) return "source lock's asset on chain differs from the event's";
        return null;
    }

    private HtlcChain chain(ChainId id) {
        HtlcChain c = chains.get(id);
        if (c == null) throw new PermanentException("no chain adapter for " + id);
        return c;
    }
}
