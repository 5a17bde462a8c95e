package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a multi-hop counter-lock became, and whether an HTLC on the final chain is it. The followers report a transfer's
 * acknowledgement or timeout (home chain) and the HTLC its hooks created (final chain), but events can be missed; so the
 * chains are also asked by query ({@link #ask}). Only an HTLC made by the route's own creator, refundable to the relayer,
 * with the swap's exact terms, is the relayer's ({@link #notOurCounterLock}).
 */
final class RouteWatch {
    private static final System.Logger log = System.getLogger(RouteWatch.class.getName());

    private final Map<ChainId, HtlcChain> chains;
    private final SwapBook book;
    private final Clock clock;
    private final EngineSettings settings;
    /** When each routed swap's chains were last asked about its transfer (in memory, like the secret watch). */
    private final Map<String, Instant> asked = new ConcurrentHashMap<>();

    RouteWatch(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings) {
        this.chains = chains;
        this.book = book;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * The followers' events about a transfer (its acknowledgement or timeout on the home chain, the HTLC its hooks created
     * on the final chain) can be missed; so, at most every {@link EngineSettings#secretWatch()}, the chains are asked:
     * the home chain for the packet's acknowledgement or timeout ({@link IbcCounterLock#outcome}), the final chain for
     * HTLCs with the swap's hashlock made by the route's creator ({@link HtlcChain#htlcsWithHashlock}). A failure moves
     * the swap to COUNTER_FAILED (null is returned: the caller steps again); a candidate is recorded for the proof.
     * Returns the swap as stored afterwards.
     */
    Swap ask(Swap s, IbcCounterLock route) {
        Instant now = clock.now();
        Instant last = asked.get(s.id());
        if (last != null && now.isBefore(last.plus(settings.secretWatch()))) return s;
        asked.put(s.id(), now);
        IbcCounterLock.Outcome outcome;
        try {
            outcome = route.outcome(s.counterPacket());
        } catch (RuntimeException e) {
            outcome = new IbcCounterLock.Outcome.InFlight(e.getMessage());
        }
        if (outcome instanceof IbcCounterLock.Outcome.Failed f && s.state() == SwapState.COUNTER_PENDING) {
            String cause = "counter-lock transfer " + s.counterPacket() + " failed: " + f.reason() + " (tx " + f.txHash()
                    + ", found by query: its event was not seen); the funds went back to the relayer on " + route.homeChain();
            book.move(s, SwapState.COUNTER_FAILED, cause, f.txHash(), x -> x.withLastError(cause, clock.now()));
            return null;
        }
        if (outcome instanceof IbcCounterLock.Outcome.Failed f && s.state() == SwapState.SOURCE_CLAIMED) {
            book.move(s, SwapState.COMPLETED, "counter-lock transfer " + s.counterPacket() + " failed (" + f.reason()
                    + "); its funds went back to the relayer", f.txHash(), x -> x);
            return null;
        }
        HtlcChain fin = chains.get(s.toChain());
        if (fin == null) return s;
        java.util.List<HtlcRecord> found;
        try {
            found = fin.htlcsWithHashlock(s.hashlock());
        } catch (RuntimeException e) {
            return s;
        }
        for (HtlcRecord h : found) {
            if (notOurCounterLock(s, h, route.finalCreator(), route.refundAddress()) != null) continue;
            Swap cur = book.reload(s);
            if (cur.destHtlcId() != null) return cur;
            log.log(System.Logger.Level.INFO, "swap " + s.id() + ": found its counter-lock " + h.id() + " on " + s.toChain()
                    + " by query (its event was not seen)");
            return book.store().inTransaction(tx -> tx.update(cur.withDestHtlcId(h.id(), clock.now()), cur.state()));
        }
        return s;
    }

    /**
     * Why {@code h} is not the HTLC the swap's transfer created, or null if it is. Only the route's creator (the
     * IBC-hooks intermediary of the relayer's own transfers) can have made it, and it must refund to the relayer.
     *
     * @param refundAddress the relayer's address on the final chain; null when the record has no refund address
     *                      (an event) and it is checked later from the chain's record
     */
    static String notOurCounterLock(Swap s, HtlcRecord h, String creator, String refundAddress) {
        if (!h.sender().equals(creator)) {
            return "created by " + h.sender() + ", not by the relayer's transfers (" + creator + ")";
        }
        if (refundAddress != null && !h.refundAddress().equals(refundAddress)) {
            return "refunds to " + h.refundAddress() + ", not to the relayer's " + refundAddress;
        }
        if (!h.hashlock().equals(s.hashlock())) return "another hashlock";
        if (!h.receiver().equals(s.receiver())) return "receiver " + h.receiver() + ", not " + s.receiver();
        if (s.destAmount() == null || h.amount().compareTo(s.destAmount()) != 0) return "amount " + h.amount() + ", not " + s.destAmount();
        if (!h.asset().equals(s.destAsset())) return "denom " + h.asset() + ", not " + s.destAsset();
        if (h.timelock() != s.destTimelock()) return "timelock " + h.timelock() + ", not " + s.destTimelock();
        return null;
    }

    void forget(String swapId) {
        asked.remove(swapId);
    }
}
