package io.evmore.cosmos.ibc;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.PacketId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.TxIntent;
import io.evmore.cosmos.IntentReconciler;
import io.evmore.cosmos.key.Bech32Address;

/**
 * The counter-lock over IBC from the relayer's home Cosmos chain (SPEC §3 step 3, multi-hop): one ICS-20 transfer
 * whose memo forwards it through each middle chain (packet-forward) and creates the HTLC on the final chain (IBC
 * hooks {@code create_htlc}, refund address = the relayer's own address there). Intent-first like the direct HTLC
 * adapter: every signed transaction goes to the journal before its broadcast, and {@link #reconcile} decides from
 * the home chain what became of it, with the same rules as {@link io.evmore.cosmos.CosmWasmHtlcChain#reconcile}.
 */
public final class CosmosIbcCounterLock implements IbcCounterLock {
    private static final String DENOM = "[a-zA-Z][a-zA-Z0-9/:._-]{2,127}";
    private final ChainId home;
    private final ChainId fin;
    private final IbcRoute route;
    private final String homeDenom;
    private final String finalDenom;
    private final String finalContract;
    private final String refundAddress;
    private final String finalCreator;
    private final IbcTransferSender sender;
    private final IntentReconciler reconciler;
    /** The home chain's record of each packet's acknowledgement or timeout, by query; null: not asked (tests). */
    private final PacketOutcomes outcomes;
    /** Why nothing may be sent over the route now (see {@link #hold}); null = usable. */
    private volatile String held;

    /**
     * @param homeChain     the home chain's id (the route must start there)
     * @param homeRelayer   the relayer's address on the home chain (the transfer's sender)
     * @param sender        sends the transfer with the home chain's submitter and records its packet
     * @param reconciler    the home chain's intent reconciler
     * @param finalContract the HTLC contract on the final chain
     * @param relayerOnFinal the relayer's address on the final chain: refund address of the HTLCs
     * @throws IllegalArgumentException for a route, denom or address that does not fit (a configuration error)
     */
    public CosmosIbcCounterLock(ChainId homeChain, String homeRelayer, IbcTransferSender sender,
            IntentReconciler reconciler, IbcRoute route, String homeDenom, String finalContract, String relayerOnFinal) {
        this(homeChain, homeRelayer, sender, reconciler, null, route, homeDenom, finalContract, relayerOnFinal);
    }

    /** @param outcomes finds a packet's acknowledgement or timeout on the home chain by query */
    public CosmosIbcCounterLock(ChainId homeChain, String homeRelayer, IbcTransferSender sender,
            IntentReconciler reconciler, PacketOutcomes outcomes, IbcRoute route, String homeDenom, String finalContract,
            String relayerOnFinal) {
        if (!route.homeChainId().equals(homeChain.value())) {
            throw new IllegalArgumentException("route to " + route.finalChainId() + " starts at " + route.homeChainId()
                    + ", not at the home chain " + homeChain);
        }
        String finalPrefix = route.hops().getLast().prefix();
        requireAddress(finalContract, finalPrefix, "final HTLC contract");
        requireAddress(relayerOnFinal, finalPrefix, "relayer's address on " + route.finalChainId());
        this.home = homeChain;
        this.fin = ChainId.of(route.finalChainId());
        this.route = route;
        this.homeDenom = homeDenom;
        this.finalDenom = route.finalDenom(homeDenom); // validates the denom and the route's prefixing
        this.finalContract = finalContract;
        this.refundAddress = relayerOnFinal;
        this.finalCreator = route.finalCreator(homeRelayer);
        this.sender = sender;
        this.reconciler = reconciler;
        this.outcomes = outcomes;
    }

    private static void requireAddress(String a, String prefix, String what) {
        try {
            Bech32Address.parse(a, prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    public IbcRoute route() {
        return route;
    }

    public String finalContract() {
        return finalContract;
    }

    @Override
    public ChainId homeChain() {
        return home;
    }

    @Override
    public ChainId finalChain() {
        return fin;
    }

    @Override
    public String homeAsset() {
        return homeDenom;
    }

    @Override
    public String finalAsset() {
        return finalDenom;
    }

    @Override
    public long worstCaseDeliverySeconds() {
        return route.worstCaseDelivery().toSeconds();
    }

    @Override
    public String finalCreator() {
        return finalCreator;
    }

    @Override
    public String refundAddress() {
        return refundAddress;
    }

    /**
     * Holds the route: the engine sends no counter-lock over it until {@link #release()} (whoever checks the route's
     * channels against the chains decides; a new route is usable until held).
     */
    public void hold(String why) {
        held = java.util.Objects.requireNonNull(why, "why");
    }

    /** The route's channels were confirmed by the chains: counter-locks may go over it. */
    public void release() {
        held = null;
    }

    @Override
    public java.util.Optional<String> heldBecause() {
        return java.util.Optional.ofNullable(held);
    }

    /**
     * Sends {@code homeAsset} over the route with the {@code create_htlc} memo. The request's asset names the funds
     * either as they leave ({@link #homeAsset()}) or as the HTLC will hold them ({@link #finalAsset()}); anything
     * else, or a receiver that is not an address of the final chain, is refused before signing
     * ({@link PermanentException}). Included but failed → {@link io.evmore.core.chain.TxRevertedException}; outcome
     * unknown → {@link io.evmore.core.error.TransientException} (reconcile, never send again).
     */
    @Override
    public TxResult send(LockRequest r, TxJournal journal) {
        return send(r, journal, FeeBid.NORMAL);
    }

    /** The packet's acknowledgement or timeout as the home chain's tx index records it ({@link PacketOutcomes}). */
    @Override
    public Outcome outcome(PacketId packet) {
        if (outcomes == null) return new Outcome.InFlight("this route is not set up to ask the home chain");
        return outcomes.find(packet);
    }

    /**
     * {@link #send(LockRequest, TxJournal)} at the gas price of {@code fee}'s level (as the HTLC adapter's sends:
     * {@code min(gasPrice × 1.5^level, maxGasPrice)}). No replace-by-fee on Cosmos: a stuck transfer is sent anew once
     * reconcile proves it NeverLanded.
     */
    @Override
    public TxResult send(LockRequest r, TxJournal journal, FeeBid fee) {
        if (!r.asset().equals(homeDenom) && !r.asset().equals(finalDenom)) {
            throw new PermanentException("counter-lock over IBC to " + fin + " sends " + homeDenom + " (arriving as "
                    + finalDenom + "), not '" + r.asset() + "'");
        }
        if (!r.asset().matches(DENOM)) throw new PermanentException("invalid denom '" + r.asset() + "'");
        try {
            Bech32Address.parse(r.receiver(), route.hops().getLast().prefix());
        } catch (IllegalArgumentException e) {
            throw new PermanentException("invalid receiver for an HTLC on " + fin + ": " + e.getMessage());
        }
        IbcTransferSender.SentTransfer s = sender.lockOverRoute(route, finalContract, refundAddress, homeDenom, r,
                journal == null ? TxJournal.NONE : journal, fee == null ? 0 : fee.level());
        return new TxResult(home, s.txHash(), s.height(), null, new PacketId(home, s.sourceChannel(), s.sequence()));
    }

    /**
     * The decisions of {@link IntentReconciler}; a landed transfer names its packet (read from the included tx:
     * {@code MsgTransferResponse} sequence, else its {@code send_packet} event) and is recorded again so that its
     * acknowledgement is matched.
     */
    @Override
    public Reconciliation reconcile(TxIntent intent) {
        return reconciler.reconcile(intent, out -> {
            IbcTransferSender.SentTransfer s = sender.sentBy(out);
            return new TxResult(home, s.txHash(), s.height(), null, new PacketId(home, s.sourceChannel(), s.sequence()));
        });
    }
}
