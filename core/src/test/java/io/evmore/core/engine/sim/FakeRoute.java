package io.evmore.core.engine.sim;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.PacketId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.swap.TxIntent;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A two-hop IBC route from the simulation's home chain to its final chain, with the IBC relayers between them played by
 * {@link #relay()}: every transfer the relayer sends is, after a few blocks, delivered (its hooks memo creates the HTLC on
 * the final chain, sent by {@link #HOOKS_CREATOR}, refundable to the relayer) and acknowledged on the home chain — or
 * answered with an error acknowledgement, or times out after {@link #H}; failures give the escrow back. Acknowledgements
 * can come late, and the followers can lose them (their events) like any other.
 */
public final class FakeRoute implements IbcCounterLock {
    public static final String VOUCHER = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";
    public static final String HOOKS_CREATOR = "cosmos1" + "h".repeat(38);
    /** Two hops of 30 s, no retries. */
    public static final long H = 60;

    private enum Plan { DELIVER, ERROR, TIMEOUT }

    private static final class Packet {
        final long seq;
        final LockRequest homeRequest;
        final long sentAt;
        final Plan plan;
        final long deliverAt;
        boolean created;
        long ackAt;
        boolean acked;

        Packet(long seq, LockRequest homeRequest, long sentAt, Plan plan, long deliverAt) {
            this.seq = seq;
            this.homeRequest = homeRequest;
            this.sentAt = sentAt;
            this.plan = plan;
            this.deliverAt = deliverAt;
        }
    }

    private final FakeHtlcChain home;
    private final FakeHtlcChain fin;
    private final String homeAsset;
    private final Random random;
    private final Map<Long, Packet> packets = new HashMap<>();
    /** Probability that a transfer fails on the route with an error acknowledgement / by timing out. */
    public double errorAck;
    public double timeout;
    /** Up to this many blocks of 5 s before delivery, and again before the acknowledgement. */
    public int maxDelayBlocks = 3;
    private int delivered;
    private int failed;
    /** Chain time span [from, until) during which the route is held (its channels unconfirmed); none by default. */
    public long heldFrom = Long.MAX_VALUE;
    public long heldUntil = Long.MAX_VALUE;
    private final java.util.List<String> sentWhileHeld = new java.util.ArrayList<>();

    public FakeRoute(FakeHtlcChain home, FakeHtlcChain fin, String homeAsset, Random random) {
        this.home = home;
        this.fin = fin;
        this.homeAsset = homeAsset;
        this.random = random;
    }

    public int delivered() {
        return delivered;
    }

    public int failed() {
        return failed;
    }

    /** Whether every transfer sent so far has been acknowledged or failed on the home chain. */
    public boolean allAnswered() {
        return packets.values().stream().allMatch(p -> p.acked);
    }

    /** The IBC relayers' work for this block: deliveries, acknowledgements, timeouts. */
    public void relay() {
        long now = home.timeAt(home.height());
        for (FakeHtlcChain.Receipt r : home.relayerReceipts()) {
            if (r.tx().kind() != FakeHtlcChain.Kind.TRANSFER || !r.success() || packets.containsKey(r.packet())) continue;
            double x = random.nextDouble();
            Plan plan = x < errorAck ? Plan.ERROR : x < errorAck + timeout ? Plan.TIMEOUT : Plan.DELIVER;
            long deliverAt = r.time() + 5L * (1 + random.nextInt(Math.max(1, maxDelayBlocks)));
            packets.put(r.packet(), new Packet(r.packet(), r.tx().lock(), r.time(), plan, deliverAt));
        }
        for (Packet p : packets.values()) {
            if (p.acked) continue;
            switch (p.plan) {
                case DELIVER -> {
                    if (!p.created && now >= p.deliverAt) {
                        LockRequest q = p.homeRequest;
                        if (q.timelock() <= now + 5) { // the hooks call would fail on the final chain: an error ack
                            ack(p, "error acknowledgement: hooks: timelock not in the future");
                            continue;
                        }
                        fin.ibcCreate(HOOKS_CREATOR, new LockRequest(q.receiver(), VOUCHER, q.amount(), q.hashlock(), q.timelock(),
                                q.targetChain(), q.targetAddress()), fin.relayerAddress());
                        p.created = true;
                        p.ackAt = now + 5L * (1 + random.nextInt(Math.max(1, maxDelayBlocks)));
                    } else if (p.created && now >= p.ackAt) {
                        ack(p, "ok");
                    }
                }
                case ERROR -> {
                    if (now >= p.deliverAt) ack(p, "error acknowledgement: ABCI code: 6: error handling packet");
                }
                case TIMEOUT -> {
                    if (now >= p.sentAt + H) ack(p, "timeout");
                }
            }
        }
    }

    private void ack(Packet p, String outcome) {
        home.ibcAck(p.seq, p.homeRequest, outcome);
        p.acked = true;
        if ("ok".equals(outcome)) delivered++;
        else failed++;
    }

    // ---- IbcCounterLock --------------------------------------------------------------------------------------------

    @Override public ChainId homeChain() { return home.chain(); }
    @Override public ChainId finalChain() { return fin.chain(); }
    @Override public String homeAsset() { return homeAsset; }
    @Override public String finalAsset() { return VOUCHER; }
    @Override public long worstCaseDeliverySeconds() { return H; }
    @Override public String finalCreator() { return HOOKS_CREATOR; }
    @Override public String refundAddress() { return fin.relayerAddress(); }

    private boolean held() {
        long now = home.timeAt(home.height());
        return now >= heldFrom && now < heldUntil;
    }

    @Override
    public java.util.Optional<String> heldBecause() {
        return held() ? java.util.Optional.of("its channels have not been confirmed by the chains (simulated)") : java.util.Optional.empty();
    }

    /** Transfers the engine asked for while the route was held: must stay empty. */
    public java.util.List<String> sentWhileHeld() {
        return java.util.List.copyOf(sentWhileHeld);
    }

    @Override
    public TxResult send(LockRequest request, TxJournal journal) {
        if (held()) sentWhileHeld.add(request.hashlock().hex() + " at " + home.timeAt(home.height()));
        // what leaves the home chain is its own denom; the memo carries the HTLC's terms (receiver, hashlock, timelock)
        return home.transfer(new LockRequest(request.receiver(), homeAsset, request.amount(), request.hashlock(),
                request.timelock(), request.targetChain(), request.targetAddress()), journal, FeeBid.NORMAL);
    }

    @Override
    public Reconciliation reconcile(TxIntent intent) {
        return home.reconcile(intent);
    }

    @Override
    public Outcome outcome(PacketId packet) {
        return home.ackOf(packet.sequence()).<Outcome>map(r -> "ok".equals(r.tx().note())
                ? new Outcome.Delivered(r.tx().hash()) : new Outcome.Failed(r.tx().hash(), r.tx().note()))
                .orElse(new Outcome.InFlight("no acknowledgement yet"));
    }
}
