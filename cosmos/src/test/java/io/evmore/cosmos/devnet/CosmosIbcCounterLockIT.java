package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.PacketId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.ibc.CosmosIbcCounterLock;
import io.evmore.cosmos.ibc.IbcRoute;
import io.evmore.cosmos.ibc.IbcRouteCheck;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.AbciEvent;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.pool.PoolSettings;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The multi-hop counter-lock on the devnet's A ↔ B ↔ C (A channel-0 ↔ B channel-0, B channel-1 ↔ C channel-0):
 * one transfer from A forwarded by B's packet-forward and turned into an HTLC on C by IBC hooks; its ack, error
 * ack and timeout as A's follower reports them; reconciliation of its intent; the route checked against the chains.
 */
class CosmosIbcCounterLockIT extends ThreeChainDevnet {
    static final BigInteger AMOUNT = BigInteger.valueOf(700);
    /** The devnet's real route A → B → C. */
    static IbcRoute route(Duration firstHopTimeout) {
        return new IbcRoute("devnet-a", "devnet-c", List.of(
                new IbcRoute.Hop("devnet-b", "osmo", "transfer", "channel-0", "channel-0", firstHopTimeout, 0),
                new IbcRoute.Hop("devnet-c", "juno", "transfer", "channel-1", "channel-0", Duration.ofMinutes(10), 2)));
    }

    CosmosIbcCounterLock lockOn(CosmosAdapter home, Duration firstHopTimeout) {
        return home.counterLockOver(route(firstHopTimeout), "stake", c.htlcContractAddress(), relayerOn("juno"));
    }

    String relayerOn(String prefix) {
        return relayer.address(prefix).toString();
    }

    LockRequest request(CosmosIbcCounterLock lock, Secret secret) {
        return new LockRequest(devnet.account("carol").address("juno"), lock.finalAsset(), AMOUNT, secret.hashlock(),
                c.state().now().getEpochSecond() + 3600, "eip155:1", "0xabc");
    }

    /** The fee the included tx paid on A (its {@code tx} event), in stake. */
    BigInteger feeOf(CosmosAdapter home, String txHash) {
        AbciEvent fee = home.rpc().tx(txHash).orElseThrow().result().events().stream()
                .filter(e -> e.type().equals("tx") && e.attr("fee").isPresent()).findFirst().orElseThrow();
        String text = fee.attr("fee").orElseThrow();
        assertThat(text).endsWith("stake");
        return new BigInteger(text.substring(0, text.length() - "stake".length()));
    }

    /** PFM's account on B for the relayer's packets from A: where the funds wait between the hops. */
    String pfmOnB() {
        return Bech32Address.encode("osmo", AddressDerivation.pfmReceiver("channel-0", relayerOn("cosmos")));
    }

    static String voucherOnB() {
        return TransferModule.voucherDenom("transfer/channel-0/stake");
    }

    static String voucherOnC() {
        return TransferModule.voucherDenom("transfer/channel-0/transfer/channel-0/stake");
    }

    static TxIntent intentOf(List<SignedTx> journaled) {
        TxIntent i = TxIntent.pending("swap-9/COUNTER_LOCK", "swap-9", ChainId.of("devnet-a"), "COUNTER_LOCK", Instant.now());
        for (SignedTx t : journaled) i = i.broadcasting(t, Instant.now());
        return i;
    }

    @Test
    void aTwoHopCounterLockCreatesTheRelayersHtlcOnCAndIsAcknowledgedOnA() {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(a, home, 50);
        CosmosAdapter onC = adapter(c, null, 50);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofMinutes(10));
        assertThat(lock.homeChain()).isEqualTo(ChainId.of("devnet-a"));
        assertThat(lock.finalChain()).isEqualTo(ChainId.of("devnet-c"));
        assertThat(lock.homeAsset()).isEqualTo("stake");
        assertThat(lock.finalAsset()).isEqualTo(voucherOnC());
        assertThat(lock.refundAddress()).isEqualTo(relayerOn("juno"));
        assertThat(lock.finalCreator()).isEqualTo(Bech32Address.encode("juno",
                AddressDerivation.hooksSender("channel-0", pfmOnB())));
        assertThat(lock.worstCaseDeliverySeconds()).isEqualTo(600 + 3 * 600);

        BigInteger before = a.balance(relayerOn("cosmos"), "stake");
        Secret secret = Secret.random();
        List<SignedTx> journaled = new ArrayList<>();
        assertThat(onC.htlcChain().htlcsWithHashlock(secret.hashlock())).as("control: nothing on C before the transfer").isEmpty();
        TxResult r = lock.send(request(lock, secret), journaled::add);
        assertThat(journaled).extracting(SignedTx::txHash).containsExactly(r.txHash());
        assertThat(r.chain()).isEqualTo(ChainId.of("devnet-a"));
        assertThat(r.htlcId()).isNull();
        assertThat(r.packet().chain()).isEqualTo(ChainId.of("devnet-a"));
        assertThat(r.packet().channel()).isEqualTo("channel-0");
        assertThat(onA.sentTransfers().contains("channel-0", r.packet().sequence())).isTrue();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferAcknowledged.class)).singleElement().satisfies(e -> {
                    assertThat(new PacketId(ChainId.of("devnet-a"), e.sourceChannel(), e.sequence())).isEqualTo(r.packet());
                }));
        assertThat(home[0].events(ChainEvent.TransferFailed.class)).isEmpty();
        // The same, asked of the chains by query (what the engine does when the follower's events were missed).
        assertThat(lock.outcome(r.packet())).isInstanceOf(IbcCounterLock.Outcome.Delivered.class);
        assertThat(onC.htlcChain().htlcsWithHashlock(secret.hashlock())).as("the HTLC the hooks created, found by hashlock")
                .singleElement().satisfies(found -> {
                    assertThat(found.sender()).isEqualTo(lock.finalCreator());
                    assertThat(found.refundAddress()).isEqualTo(relayerOn("juno"));
                });
        assertThat(onC.htlcChain().htlcsWithHashlock(Secret.random().hashlock())).isEmpty();

        List<HtlcRecord> onCHtlcs = onC.htlcChain().list(null, 30);
        assertThat(onCHtlcs).singleElement().satisfies(h -> assertThat(h.hashlock()).isEqualTo(secret.hashlock()));
        HtlcRecord h = onC.htlcChain().query(onCHtlcs.getFirst().id()).orElseThrow();
        assertThat(h.sender()).isEqualTo(lock.finalCreator());
        assertThat(h.refundAddress()).isEqualTo(relayerOn("juno"));
        assertThat(h.receiver()).isEqualTo(devnet.account("carol").address("juno"));
        assertThat(h.amount()).isEqualTo(AMOUNT);
        assertThat(h.asset()).isEqualTo(lock.finalAsset());
        assertThat(h.status()).isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(c.balance(c.htlcContractAddress(), lock.finalAsset())).isEqualTo(AMOUNT);

        assertThat(b.balance(pfmOnB(), voucherOnB())).as("PFM forwarded everything it received").isZero();
        assertThat(a.balance(relayerOn("cosmos"), "stake")).isEqualTo(before.subtract(AMOUNT).subtract(feeOf(onA, r.txHash())));
    }

    /**
     * The default topology has channel-0 at both ends of A ↔ B, which would hide a derivation that used the sending
     * channel instead of the receiving one. Here no hop has the same id at both ends: A channel-1 → B channel-0,
     * B channel-1 → C channel-2.
     */
    @Test
    void onATopologyWhereChannelIdsDifferTheHtlcIsStillTheRelayers() {
        try (Devnet skewed = Devnet.builder()
                .chain(new io.evmore.devnet.chain.ChainSpec("skew-a", "cosmos", "stake"))
                .chain(new io.evmore.devnet.chain.ChainSpec("skew-b", "osmo", "uosmo"))
                .chain(new io.evmore.devnet.chain.ChainSpec("skew-c", "juno", "ujuno"))
                .chain(new io.evmore.devnet.chain.ChainSpec("skew-d", "evmos", "aevmos"))
                .channel("skew-a", "skew-c").channel("skew-c", "skew-d").channel("skew-a", "skew-b")
                .channel("skew-b", "skew-c").blockInterval(Duration.ofMillis(200)).start()) {
            DevnetChain sa = skewed.chain("skew-a");
            DevnetChain sc = skewed.chain("skew-c");
            assertThat(sa.channelTo("skew-b").orElseThrow().channelId()).isEqualTo("channel-1");
            assertThat(sa.channelTo("skew-b").orElseThrow().counterpartyChannelId()).isEqualTo("channel-0");
            assertThat(skewed.chain("skew-b").channelTo("skew-c").orElseThrow().channelId()).isEqualTo("channel-1");
            assertThat(skewed.chain("skew-b").channelTo("skew-c").orElseThrow().counterpartyChannelId()).isEqualTo("channel-2");
            IbcRoute route = new IbcRoute("skew-a", "skew-c", List.of(
                    new IbcRoute.Hop("skew-b", "osmo", "transfer", "channel-1", "channel-0", Duration.ofMinutes(10), 0),
                    new IbcRoute.Hop("skew-c", "juno", "transfer", "channel-1", "channel-2", Duration.ofMinutes(10), 0)));
            CosmosSigner key = CosmosSigner.fromMnemonic(skewed.account("relayer").mnemonic());
            RecordingListener[] home = new RecordingListener[1];
            try (CosmosAdapter onA = adapterOn(sa, key, home); CosmosAdapter onC = adapterOn(sc, key, null)) {
                assertThat(IbcRouteCheck.check(route, onA.queries(), onC.queries())).isEmpty();
                CosmosIbcCounterLock lock = onA.counterLockOver(route, "stake", sc.htlcContractAddress(),
                        key.address("juno").toString());
                Secret secret = Secret.random();
                TxResult r = lock.send(new LockRequest(skewed.account("carol").address("juno"), lock.finalAsset(), AMOUNT,
                        secret.hashlock(), sc.state().now().getEpochSecond() + 3600, "eip155:1", "0xabc"), TxJournal.NONE);
                assertThat(r.packet().channel()).isEqualTo("channel-1");
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        home[0].events(ChainEvent.TransferAcknowledged.class)).singleElement()
                        .satisfies(e -> assertThat(e.sequence()).isEqualTo(r.packet().sequence())));
                HtlcRecord h = onC.htlcChain().list(null, 30).getFirst();
                assertThat(h.hashlock()).isEqualTo(secret.hashlock());
                assertThat(h.sender()).isEqualTo(lock.finalCreator());
                assertThat(h.asset()).isEqualTo(lock.finalAsset())
                        .isEqualTo(TransferModule.voucherDenom("transfer/channel-2/transfer/channel-0/stake"));
                assertThat(h.refundAddress()).isEqualTo(key.address("juno").toString());
            }
        }
    }

    /** An adapter the caller closes (before its devnet). */
    CosmosAdapter adapterOn(DevnetChain chain, CosmosSigner key, RecordingListener[] listenerOut) {
        CosmosSettings s = CosmosSettings.of(ChainId.of(chain.chainId()), chain.prefix(), chain.denom(),
                List.of(chain.rpcUrl()), new BigDecimal("0.025"), chain.htlcContractAddress())
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20));
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        CosmosAdapter adapter = new CosmosAdapter(s, key, PoolSettings.cosmosDefaults().withConnections(4, 0)
                .withHeightChecks(50, Duration.ZERO), registry, cursors, Clock.system());
        if (listenerOut != null) {
            listenerOut[0] = new RecordingListener(cursors);
            adapter.follower().start(listenerOut[0]);
        }
        return adapter;
    }

    @Test
    void anErrorAckOnTheLastHopIsATransferFailureAndTheAmountComesBack() {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(a, home, 50);
        CosmosAdapter onC = adapter(c, null, 50);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofMinutes(10));
        c.failIbcHooks("hooks switched off by the test");
        BigInteger before = a.balance(relayerOn("cosmos"), "stake");
        TxResult r = lock.send(request(lock, Secret.random()), TxJournal.NONE);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class)).singleElement().satisfies(e -> {
                    assertThat(e.sourceChannel()).isEqualTo(r.packet().channel());
                    assertThat(e.sequence()).isEqualTo(r.packet().sequence());
                    assertThat(e.reason()).startsWith("error acknowledgement: ABCI code: 6");
                }));
        assertThat(home[0].events(ChainEvent.TransferAcknowledged.class)).isEmpty();
        assertThat(lock.outcome(r.packet())).as("by query too").isInstanceOfSatisfying(IbcCounterLock.Outcome.Failed.class,
                f -> assertThat(f.reason()).startsWith("error acknowledgement: ABCI code: 6"));
        assertThat(onC.htlcChain().list(null, 30)).isEmpty();
        assertThat(c.balance(c.htlcContractAddress(), lock.finalAsset())).isZero();
        assertThat(b.balance(pfmOnB(), voucherOnB())).isZero();
        assertThat(a.balance(relayerOn("cosmos"), "stake")).as("only the fee is gone")
                .isEqualTo(before.subtract(feeOf(onA, r.txHash())));
        // The hooks error is on C, where the contract would have run.
        assertThat(c.state().indexedTxs().stream().flatMap(t -> t.result().events().stream())
                .filter(ev -> ev.type().equals("ibc-acknowledgement-error"))
                .flatMap(ev -> ev.attributes().stream()).map(io.evmore.devnet.chain.Event.Attribute::value).toList())
                .anySatisfy(s -> assertThat(s).contains("hooks switched off by the test"));
    }

    @Test
    void aTimeoutOnTheFirstHopIsATransferFailureAndTheAmountComesBack() {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(a, home, 50);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofSeconds(30));
        BigInteger before = a.balance(relayerOn("cosmos"), "stake");
        devnet.relayer().pause();
        TxResult r = lock.send(request(lock, Secret.random()), TxJournal.NONE);
        assertThat(lock.outcome(r.packet())).as("in flight while the IBC relayer is paused").isInstanceOf(IbcCounterLock.Outcome.InFlight.class);
        assertThat(a.balance(relayerOn("cosmos"), "stake")).as("sent, not yet refunded")
                .isEqualTo(before.subtract(AMOUNT).subtract(feeOf(onA, r.txHash())));
        b.advanceTime(Duration.ofMinutes(5)); // B is past the first packet's timeout when the relayer comes back
        long h = b.height();
        await().atMost(Duration.ofSeconds(30)).until(() -> b.height() > h);
        devnet.relayer().resume();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class)).singleElement().satisfies(e -> {
                    assertThat(e.sourceChannel()).isEqualTo(r.packet().channel());
                    assertThat(e.sequence()).isEqualTo(r.packet().sequence());
                    assertThat(e.reason()).isEqualTo("timeout");
                }));
        assertThat(home[0].events(ChainEvent.TransferAcknowledged.class)).isEmpty();
        assertThat(lock.outcome(r.packet())).as("by query too").isInstanceOfSatisfying(IbcCounterLock.Outcome.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("timeout"));
        assertThat(a.balance(relayerOn("cosmos"), "stake")).isEqualTo(before.subtract(feeOf(onA, r.txHash())));
        assertThat(b.balance(pfmOnB(), voucherOnB())).isZero();
        assertThat(c.balance(c.htlcContractAddress(), lock.finalAsset())).isZero();
    }

    @Test
    void reconcileSaysNeverLandedForAJournaledUnsentTransferAndLandedWithTheSamePacketForASentOne() {
        CosmosAdapter onA = adapter(a, null, 3);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofMinutes(10));
        List<SignedTx> unsent = new ArrayList<>();
        assertThatThrownBy(() -> lock.send(request(lock, Secret.random()), tx -> {
            unsent.add(tx);
            throw new IllegalStateException("crash between persisting the intent and broadcasting");
        })).hasMessageContaining("crash between");
        SignedTx tx = unsent.getFirst();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.height() > tx.timeoutHeight() + 2);
        assertThat(lock.reconcile(intentOf(unsent))).isInstanceOfSatisfying(Reconciliation.NeverLanded.class,
                n -> assertThat(n.reason()).contains("timeout height " + tx.timeoutHeight()));
        assertThat(a.state().tx(java.util.HexFormat.of().parseHex(tx.txHash()))).isNull();

        List<SignedTx> journaled = new ArrayList<>();
        TxResult sent = lock.send(request(lock, Secret.random()), journaled::add);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.height() > sent.height() + 1);
        // A restarted relayer: a fresh adapter knows nothing of the packet until reconcile reads it from the tx.
        CosmosAdapter restarted = adapter(a, null, 3);
        CosmosIbcCounterLock again = lockOn(restarted, Duration.ofMinutes(10));
        assertThat(restarted.sentTransfers().contains("channel-0", sent.packet().sequence())).isFalse();
        assertThat(again.reconcile(intentOf(journaled))).isEqualTo(new Reconciliation.Landed(sent));
        assertThat(restarted.sentTransfers().contains("channel-0", sent.packet().sequence())).isTrue();
        assertThat(again.reconcile(intentOf(List.of()))).isEqualTo(new Reconciliation.NeverLanded("never signed"));
    }

    /**
     * The transfer is in a block of the home chain but the node's indexer lags past its timeout height: the pre-fix
     * reconciler called that NeverLanded (the engine would then send the counter-lock over IBC a second time). It is
     * Landed, with the packet read from the block's result.
     */
    @Test
    void aTransferTheIndexDoesNotShowYetIsLandedWithItsPacketFromItsBlock() throws Exception {
        CosmosAdapter onA = adapter(a, null, 3);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofMinutes(10));
        a.halt();
        a.indexLag(20);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<SignedTx> journaled = new java.util.concurrent.CopyOnWriteArrayList<>();
            var sending = pool.submit(() -> lock.send(request(lock, Secret.random()), journaled::add));
            await().atMost(Duration.ofSeconds(20)).until(() -> a.state().mempoolSize() == 1);
            long included = a.produceBlock().height();
            SignedTx tx = journaled.getFirst();
            while (a.height() <= tx.timeoutHeight() + 1) a.produceBlock();
            assertThat(onA.rpc().tx(tx.txHash())).as("hidden from the index").isEmpty();
            assertThat(onA.rpc().block(included).txHashes()).as("in its block").contains(tx.txHash());
            // A restarted relayer: only the chain can say where the packet went.
            CosmosAdapter restarted = adapter(a, null, 3);
            Reconciliation r = lockOn(restarted, Duration.ofMinutes(10)).reconcile(intentOf(journaled));
            assertThat(r).isInstanceOfSatisfying(Reconciliation.Landed.class, l -> {
                assertThat(l.result().txHash()).isEqualTo(tx.txHash());
                assertThat(l.result().height()).isEqualTo(included);
                assertThat(l.result().packet()).isNotNull();
                assertThat(l.result().packet().channel()).isEqualTo("channel-0");
            });
            a.indexLag(0);
            a.resume();
            assertThat(sending.get()).isEqualTo(((Reconciliation.Landed) r).result());
        } finally {
            a.indexLag(0);
            a.resume();
        }
    }

    /** The counter-lock over IBC bids fee levels like the HTLC adapter (gas limit × 0.025 × 1.5^2 at level 2). */
    @Test
    void aTransferAtFeeLevelTwoPaysTwoAndAQuarterTimesTheGasPrice() {
        CosmosAdapter onA = adapter(a, null, 50);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofMinutes(10));
        TxResult normal = lock.send(request(lock, Secret.random()), TxJournal.NONE);
        TxResult raised = lock.send(request(lock, Secret.random()), TxJournal.NONE, io.evmore.core.chain.FeeBid.level(2));
        long normalGas = onA.rpc().tx(normal.txHash()).orElseThrow().result().gasWanted();
        long raisedGas = onA.rpc().tx(raised.txHash()).orElseThrow().result().gasWanted();
        assertThat(feeOf(onA, normal.txHash())).isEqualTo(new BigDecimal(normalGas).multiply(new BigDecimal("0.025"))
                .setScale(0, java.math.RoundingMode.CEILING).toBigIntegerExact());
        assertThat(feeOf(onA, raised.txHash())).isEqualTo(new BigDecimal(raisedGas).multiply(new BigDecimal("0.05625"))
                .setScale(0, java.math.RoundingMode.CEILING).toBigIntegerExact());
        assertThat(raised.packet()).isNotNull();
    }

    @Test
    void requestsThatDoNotFitTheRouteAreRefusedBeforeSigning() {
        CosmosAdapter onA = adapter(a, null, 50);
        CosmosIbcCounterLock lock = lockOn(onA, Duration.ofMinutes(10));
        List<SignedTx> journaled = new ArrayList<>();
        LockRequest ok = request(lock, Secret.random());
        assertThatThrownBy(() -> lock.send(new LockRequest(ok.receiver(), "uosmo", AMOUNT, ok.hashlock(), ok.timelock(),
                "", ""), journaled::add)).isInstanceOf(PermanentException.class).hasMessageContaining("'uosmo'");
        assertThatThrownBy(() -> lock.send(new LockRequest(relayerOn("osmo"), "stake", AMOUNT, ok.hashlock(),
                ok.timelock(), "", ""), journaled::add)).isInstanceOf(PermanentException.class)
                .hasMessageContaining("receiver");
        assertThat(journaled).isEmpty();
        assertThatThrownBy(() -> onA.counterLockOver(new IbcRoute("devnet-b", "devnet-c",
                List.of(route(Duration.ofMinutes(1)).hops().getLast())), "stake", c.htlcContractAddress(), relayerOn("juno")))
                .hasMessageContaining("starts at devnet-b");
        assertThatThrownBy(() -> onA.counterLockOver(route(Duration.ofMinutes(1)), "stake", c.htlcContractAddress(),
                relayerOn("osmo"))).hasMessageContaining("relayer's address on devnet-c");
    }

    @Test
    void theRouteCheckAcceptsTheDevnetsRouteAndNamesMisconfiguredChannels() {
        CosmosAdapter onA = adapter(a, null, 50);
        CosmosAdapter onC = adapter(c, null, 50);
        assertThat(IbcRouteCheck.check(route(Duration.ofMinutes(1)), onA.queries(), onC.queries())).isEmpty();

        Duration t = Duration.ofMinutes(1);
        IbcRoute wrong = new IbcRoute("devnet-a", "devnet-c", List.of(
                new IbcRoute.Hop("devnet-b", "osmo", "transfer", "channel-0", "channel-5", t, 0),
                new IbcRoute.Hop("devnet-c", "juno", "transfer", "channel-2", "channel-0", t, 0)));
        assertThat(IbcRouteCheck.check(wrong, onA.queries(), onC.queries())).containsExactly(
                "On devnet-a, channel transfer/channel-0 (the first hop to devnet-b) has counterparty channel channel-0,"
                        + " but the route expects channel-5.",
                "On devnet-c, channel transfer/channel-0 (the last hop from devnet-b) has counterparty channel channel-1,"
                        + " but the route expects channel-2.");

        IbcRoute missing = new IbcRoute("devnet-a", "devnet-c", List.of(
                new IbcRoute.Hop("devnet-b", "osmo", "transfer", "channel-3", "channel-0", t, 0),
                new IbcRoute.Hop("devnet-c", "juno", "transfer", "channel-1", "channel-7", t, 0)));
        assertThat(IbcRouteCheck.check(missing, onA.queries(), onC.queries())).containsExactly(
                "On devnet-a, channel transfer/channel-3 (the first hop to devnet-b) does not exist.",
                "On devnet-c, channel transfer/channel-7 (the last hop from devnet-b) does not exist.");
        assertThat(onA.queries().channel("transfer", "channel-0")).hasValueSatisfying(ch -> {
            assertThat(ch.getCounterparty().getPortId()).isEqualTo("transfer");
            assertThat(ch.getConnectionHopsList()).containsExactly("connection-0");
            assertThat(ch.getVersion()).isEqualTo("ics20-1");
        });
    }
}
