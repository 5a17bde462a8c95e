package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.PacketId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.SwapTracing;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The engine's chains and IBC routes, each call reported to {@link SwapTracing#chainCall} (a child span of the step that
 * makes it; nothing outside a step). Every method of the ports is overridden and delegated as is — also the default
 * ones, so an adapter's own implementation of a default method is never bypassed ({@code TracedChainsTest} fails when a
 * port gains a method this class does not delegate). Attributes name ids, hashes and amounts, never a secret.
 */
final class TracedChains {
    private TracedChains() {}

    static Map<ChainId, HtlcChain> wrap(Map<ChainId, HtlcChain> chains, Supplier<SwapTracing> tracing) {
        Map<ChainId, HtlcChain> out = new LinkedHashMap<>();
        chains.forEach((id, c) -> out.put(id, new Chain(c, tracing)));
        return Map.copyOf(out);
    }

    static List<IbcCounterLock> wrap(List<IbcCounterLock> routes, Supplier<SwapTracing> tracing) {
        return routes.stream().map(r -> (IbcCounterLock) new Route(r, tracing)).toList();
    }

    private static Map<String, String> attrs(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, String> lockAttrs(LockRequest r, FeeBid fee) {
        return attrs("htlc.receiver", r.receiver(), "htlc.asset", r.asset(), "htlc.amount", String.valueOf(r.amount()),
                "htlc.hashlock", r.hashlock().hex(), "htlc.timelock", Long.toString(r.timelock()),
                "fee.level", fee == null ? null : Integer.toString(fee.level()));
    }

    static final class Chain implements HtlcChain {
        private final HtlcChain c;
        private final Supplier<SwapTracing> tracing;

        Chain(HtlcChain c, Supplier<SwapTracing> tracing) {
            this.c = c;
            this.tracing = tracing;
        }

        private <T> T call(String op, Map<String, String> attributes, Supplier<T> body) {
            return tracing.get().chainCall(c.chain(), op, attributes, body);
        }

        @Override
        public ChainId chain() {
            return c.chain();
        }

        @Override
        public String relayerAddress() {
            return c.relayerAddress();
        }

        @Override
        public String contract() {
            return c.contract();
        }

        @Override
        public TxResult lock(LockRequest request, TxJournal journal) {
            return call("lock", lockAttrs(request, null), () -> c.lock(request, journal));
        }

        @Override
        public TxResult claim(String htlcId, Secret secret, TxJournal journal) {
            return call("claim", attrs("htlc.id", htlcId), () -> c.claim(htlcId, secret, journal));
        }

        @Override
        public TxResult refund(String htlcId, TxJournal journal) {
            return call("refund", attrs("htlc.id", htlcId), () -> c.refund(htlcId, journal));
        }

        @Override
        public TxResult lock(LockRequest request, TxJournal journal, FeeBid fee) {
            return call("lock", lockAttrs(request, fee), () -> c.lock(request, journal, fee));
        }

        @Override
        public TxResult claim(String htlcId, Secret secret, TxJournal journal, FeeBid fee) {
            return call("claim", attrs("htlc.id", htlcId, "fee.level", Integer.toString(fee.level())),
                    () -> c.claim(htlcId, secret, journal, fee));
        }

        @Override
        public TxResult refund(String htlcId, TxJournal journal, FeeBid fee) {
            return call("refund", attrs("htlc.id", htlcId, "fee.level", Integer.toString(fee.level())),
                    () -> c.refund(htlcId, journal, fee));
        }

        @Override
        public boolean speedUp(TxIntent intent, FeeBid fee, TxJournal journal) {
            return call("speedUp", attrs("tx.intent", intent.id(), "tx.hash", intent.txHash(), "fee.level", Integer.toString(fee.level())),
                    () -> c.speedUp(intent, fee, journal));
        }

        @Override
        public List<HtlcRecord> relayerLocksWithHashlock(Hashlock hashlock, long fromHeight, long toAtLeast) {
            return call("relayerLocksWithHashlock", attrs("htlc.hashlock", hashlock.hex()),
                    () -> c.relayerLocksWithHashlock(hashlock, fromHeight, toAtLeast));
        }

        @Override
        public boolean cancel(TxIntent intent, FeeBid fee, TxJournal journal) {
            return call("cancel", attrs("tx.intent", intent.id(), "tx.hash", intent.txHash(), "fee.level", Integer.toString(fee.level())),
                    () -> c.cancel(intent, fee, journal));
        }

        @Override
        public Optional<Secret> revealedSecret(Hashlock hashlock, String htlcId, long fromHeight) {
            return call("revealedSecret", attrs("htlc.hashlock", hashlock.hex(), "htlc.id", htlcId),
                    () -> c.revealedSecret(hashlock, htlcId, fromHeight));
        }

        @Override
        public List<HtlcRecord> htlcsWithHashlock(Hashlock hashlock) {
            return call("htlcsWithHashlock", attrs("htlc.hashlock", hashlock.hex()), () -> c.htlcsWithHashlock(hashlock));
        }

        @Override
        public Optional<HtlcRecord> queryConfirmed(String htlcId, long confirmations) {
            return call("queryConfirmed", attrs("htlc.id", htlcId, "confirmations", Long.toString(confirmations)),
                    () -> c.queryConfirmed(htlcId, confirmations));
        }

        @Override
        public long confirmedBlockTime() {
            return call("confirmedBlockTime", Map.of(), c::confirmedBlockTime);
        }

        @Override
        public TxResult lock(LockRequest request) {
            return call("lock", lockAttrs(request, null), () -> c.lock(request));
        }

        @Override
        public TxResult claim(String htlcId, Secret secret) {
            return call("claim", attrs("htlc.id", htlcId), () -> c.claim(htlcId, secret));
        }

        @Override
        public TxResult refund(String htlcId) {
            return call("refund", attrs("htlc.id", htlcId), () -> c.refund(htlcId));
        }

        @Override
        public Reconciliation reconcile(TxIntent intent) {
            return call("reconcile", attrs("tx.intent", intent.id(), "tx.hash", intent.txHash()), () -> c.reconcile(intent));
        }

        @Override
        public Optional<HtlcRecord> query(String htlcId) {
            return call("query", attrs("htlc.id", htlcId), () -> c.query(htlcId));
        }

        @Override
        public BigInteger balance(String asset) {
            return call("balance", attrs("asset", asset), () -> c.balance(asset));
        }

        @Override
        public long latestBlockTime() {
            return call("latestBlockTime", Map.of(), c::latestBlockTime);
        }

        @Override
        public String toString() {
            return c.toString();
        }
    }

    static final class Route implements IbcCounterLock {
        private final IbcCounterLock r;
        private final Supplier<SwapTracing> tracing;

        Route(IbcCounterLock r, Supplier<SwapTracing> tracing) {
            this.r = r;
            this.tracing = tracing;
        }

        @Override
        public ChainId homeChain() {
            return r.homeChain();
        }

        @Override
        public ChainId finalChain() {
            return r.finalChain();
        }

        @Override
        public String homeAsset() {
            return r.homeAsset();
        }

        @Override
        public String finalAsset() {
            return r.finalAsset();
        }

        @Override
        public long worstCaseDeliverySeconds() {
            return r.worstCaseDeliverySeconds();
        }

        @Override
        public String finalCreator() {
            return r.finalCreator();
        }

        @Override
        public String refundAddress() {
            return r.refundAddress();
        }

        @Override
        public TxResult send(LockRequest request, TxJournal journal) {
            Map<String, String> a = lockAttrs(request, null);
            a.put("ibc.final_chain", r.finalChain().value());
            return tracing.get().chainCall(r.homeChain(), "ibcTransfer", a, () -> r.send(request, journal));
        }

        @Override
        public TxResult send(LockRequest request, TxJournal journal, FeeBid fee) {
            Map<String, String> a = lockAttrs(request, fee);
            a.put("ibc.final_chain", r.finalChain().value());
            return tracing.get().chainCall(r.homeChain(), "ibcTransfer", a, () -> r.send(request, journal, fee));
        }

        @Override
        public Reconciliation reconcile(TxIntent intent) {
            return tracing.get().chainCall(r.homeChain(), "reconcile", attrs("tx.intent", intent.id(), "tx.hash", intent.txHash()),
                    () -> r.reconcile(intent));
        }

        @Override
        public Optional<String> heldBecause() {
            return r.heldBecause();
        }

        @Override
        public Outcome outcome(PacketId packet) {
            return tracing.get().chainCall(r.homeChain(), "transferOutcome", attrs("ibc.packet", packet.text()), () -> r.outcome(packet));
        }

        @Override
        public String toString() {
            return r.toString();
        }
    }
}
