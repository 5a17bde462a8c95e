package io.evmore.core.chain;

import io.evmore.core.swap.TxIntent;

/**
 * A destination the relayer reaches over IBC from its home Cosmos chain (SPEC §3 step 3, multi-hop): the counter-lock
 * is one ICS-20 transfer sent from the home chain whose memo forwards it hop by hop (packet-forward middleware) and,
 * on the final chain, creates the HTLC through IBC hooks. The engine sees only this port; the Cosmos adapter
 * implements it.
 *
 * <p>What happens after the transfer is included is reported by followers, not by this port: the home chain's
 * follower reports the first hop's acknowledgement or timeout ({@link ChainEvent.TransferAcknowledged},
 * {@link ChainEvent.TransferFailed}; packet-forward holds the first acknowledgement until the last hop answered, so it
 * speaks for the whole route), and the final chain's follower reports the HTLC the hooks created
 * ({@link ChainEvent.HtlcLocked}). Such an HTLC is the relayer's only if {@link #finalCreator()} created it and its
 * refund address is {@link #refundAddress()}; anyone can create an HTLC with the same hashlock, receiver and amount.
 */
public interface IbcCounterLock {
    /** The chain the transfer is sent from (where the relayer's inventory for this destination is). */
    ChainId homeChain();

    /** The chain the HTLC is created on. */
    ChainId finalChain();

    /** Denom the transfer sends from the home chain. */
    String homeAsset();

    /** Denom the funds arrive as on the final chain ({@code ibc/…}): what the user's HTLC holds. */
    String finalAsset();

    /** {@code H} of the timelock rule: the sum over hops of timeout × (retries + 1), seconds. */
    long worstCaseDeliverySeconds();

    /**
     * The sender the final chain's contract sees for the relayer's transfers: the IBC-hooks intermediary derived from
     * the last hop's channel and the packet's sender there. Nobody holds its key; only the relayer's own transfers
     * over this route arrive as it.
     */
    String finalCreator();

    /** The relayer's address on the final chain: the refund address of every HTLC it creates there. */
    String refundAddress();

    /**
     * Sends the transfer creating {@code request}'s HTLC on the final chain. Every signed transaction goes to the
     * journal before it is broadcast. Blocks until included on the home chain; the result names the packet
     * ({@link TxResult#packet()}). Errors as {@link HtlcChain#lock}.
     */
    TxResult send(LockRequest request, TxJournal journal);

    /** {@link #send(LockRequest, TxJournal)} bidding {@code fee} for inclusion (a route without a fee policy ignores it). */
    default TxResult send(LockRequest request, TxJournal journal, FeeBid fee) {
        return send(request, journal);
    }

    /**
     * Why no counter-lock may be sent over this route now — its channels not yet confirmed by the chains at its ends
     * (unreachable when the relayer started), or contradicted by them (a channel closed or facing another) — or empty
     * when one may. A wrong channel sends the relayer's funds somewhere else, so the engine sends nothing over a held
     * route: the swap waits, and is refused once too little time is left. Transactions already on their way are
     * unaffected (their outcome is followed as always).
     */
    default java.util.Optional<String> heldBecause() {
        return java.util.Optional.empty();
    }

    /** What became of the intent's transfer on the home chain; a landed one names its packet. */
    Reconciliation reconcile(TxIntent intent);

    /** What the home chain says became of a transfer the relayer sent, by query (not by the follower's events). */
    sealed interface Outcome {
        /** No acknowledgement or timeout is recorded yet (or the chain cannot say now). */
        record InFlight(String detail) implements Outcome {}

        /** Acknowledged with success: the route delivered it (the HTLC on the final chain is to be found). */
        record Delivered(String txHash) implements Outcome {}

        /** An error acknowledgement or a timeout: the funds went back to the relayer on the home chain. */
        record Failed(String txHash, String reason) implements Outcome {}
    }

    /**
     * The acknowledgement or timeout of {@code packet} as the home chain recorded it, found by query — the safety net
     * under the follower's {@link ChainEvent.TransferAcknowledged}/{@link ChainEvent.TransferFailed}, which can be
     * missed. Never throws for an unreachable chain ({@link Outcome.InFlight}).
     */
    default Outcome outcome(PacketId packet) {
        return new Outcome.InFlight("this route cannot be asked");
    }
}
