package io.evmore.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.PacketId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.engine.sim.SimulatedCrash;
import io.evmore.core.error.TransientException;
import io.evmore.core.policy.Confirmations;
import io.evmore.core.policy.Pair;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.TimelockPolicy;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.testing.InMemorySwapStore;
import io.evmore.core.testing.ManualClock;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's multi-hop path on table-backed fake chains: Ethereum (source), the home chain the transfer leaves from
 * and the final chain its HTLC is created on. Followers are played by the test (the engine's listeners get the
 * events a real follower would report), so each case can put the events exactly where it wants them.
 */
class MultiHopEngineTest {
    static final ChainId ETH = ChainId.of("eip155:31337");
    static final ChainId HOME = ChainId.of("home-1");
    static final ChainId FINAL = ChainId.of("final-1");
    static final String ETH_RELAYER = "0x00000000000000000000000000000000000000aa";
    static final String HOME_RELAYER = "home1relayer";
    static final String FINAL_RELAYER = "final1relayer";
    static final String HOOKS_CREATOR = "final1hooksintermediary";
    static final String VOUCHER = "ibc/ABC";
    static final String USER_ON_FINAL = "final1user";
    static final long H = 120;
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    final ManualClock clock = new ManualClock(START);
    final InMemorySwapStore store = new InMemorySwapStore();
    final TableChain eth = new TableChain(ETH, ETH_RELAYER, "0xhtlc");
    final TableChain home = new TableChain(HOME, HOME_RELAYER, "home1htlc");
    final TableChain fin = new TableChain(FINAL, FINAL_RELAYER, "final1htlc");
    final FakeRoute route = new FakeRoute();
    final Secret secret = Secret.random();
    RelayEngine engine;
    long heights;

    @BeforeEach
    void start() {
        home.balances.put("uhome", BigInteger.valueOf(1_000_000));
        engine = newEngine();
    }

    RelayEngine newEngine() {
        TimelockPolicy policy = new TimelockPolicy(Map.of(ETH, new TimelockPolicy.ChainTiming(2, 20),
                HOME, new TimelockPolicy.ChainTiming(1, 10), FINAL, new TimelockPolicy.ChainTiming(1, 10)), 2, 30, 60, Map.of(FINAL, H));
        Pair pair = new Pair(ETH, "0x0000000000000000000000000000000000000000", FINAL, VOUCHER, BigDecimal.ONE, 0,
                BigInteger.ONE, BigInteger.valueOf(1_000_000));
        SwapValidator validator = new SwapValidator(List.of(pair), policy,
                new Confirmations(Map.of(ETH, new Confirmations.Rule(1, List.of()))), Map.of(FINAL, a -> a.startsWith("final1")));
        return new RelayEngine(clock, RelayMetrics.NONE, store, Map.of(ETH, eth, HOME, home, FINAL, fin), List.of(route),
                EngineSettings.defaults(validator), Runnable::run);
    }

    // ---- the story -----------------------------------------------------------------------------------------------

    @Test
    void deliveredOverTheRouteClaimedAndCompleted() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        assertThat(s.state()).isEqualTo(SwapState.COUNTER_PENDING);
        assertThat(s.counterPacket()).isEqualTo(route.sent.getFirst());
        assertThat(home.balances.get("uhome")).as("the transfer left the home chain").isEqualTo(BigInteger.valueOf(995_000));
        assertThat(engine.inventory()).anySatisfy(i -> {
            assertThat(i.chain()).isEqualTo(HOME);
            assertThat(i.reserved()).as("a sent transfer is no longer in the balance, so not reserved twice").isZero();
        });

        HtlcRecord delivered = route.deliver(s, fin);
        event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), delivered, fin.contract()));
        event(HOME, new ChainEvent.TransferAcknowledged(origin(HOME), s.counterPacket().channel(), s.counterPacket().sequence()));
        engine.runOnce();
        s = swap(s);
        assertThat(s.state()).isEqualTo(SwapState.COUNTER_LOCKED);
        assertThat(s.destHtlcId()).isEqualTo(delivered.id());

        fin.userClaims(delivered.id(), secret);
        event(FINAL, new ChainEvent.HtlcClaimed(origin(FINAL), delivered.id(), secret));
        engine.runOnce();
        engine.runOnce();
        assertThat(swap(s).state()).isEqualTo(SwapState.COMPLETED);
        assertThat(route.sent).as("exactly one transfer").hasSize(1);
    }

    @Test
    void aLookAlikeFromAnotherCreatorIsIgnoredAndTheRealOneTaken() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        // a third party copies every term the user sees, even the refund address
        HtlcRecord lookAlike = fin.create("final1bob", USER_ON_FINAL, VOUCHER, s.destAmount(), s.hashlock(), s.destTimelock(), FINAL_RELAYER);
        event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), lookAlike, fin.contract()));
        engine.runOnce();
        assertThat(swap(s).state()).isEqualTo(SwapState.COUNTER_PENDING);
        assertThat(swap(s).destHtlcId()).isNull();

        HtlcRecord real = route.deliver(s, fin);
        event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), real, fin.contract()));
        engine.runOnce();
        assertThat(swap(s).state()).isEqualTo(SwapState.COUNTER_LOCKED);
        assertThat(swap(s).destHtlcId()).isEqualTo(real.id());
    }

    @Test
    void theChainsRecordMustRefundToTheRelayerEvenWhenTheEventLooksRight() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        // what the event shows matches, but the chain's record refunds to someone else: not the relayer's lock
        HtlcRecord wrongRefund = fin.create(HOOKS_CREATOR, USER_ON_FINAL, VOUCHER, s.destAmount(), s.hashlock(), s.destTimelock(), "final1mallory");
        event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), wrongRefund, fin.contract()));
        assertThat(swap(s).destHtlcId()).as("a candidate by the event alone").isEqualTo(wrongRefund.id());
        engine.runOnce();
        Swap after = swap(s);
        assertThat(after.state()).isEqualTo(SwapState.COUNTER_PENDING);
        assertThat(after.destHtlcId()).as("dropped after reading the chain's record").isNull();
        assertThat(after.lastError()).contains("refunds to final1mallory");
    }

    @Test
    void anHtlcSeenWhileTheTransferIsStillBeingRecordedIsKept() {
        // a fast route: the final chain's follower reports the HTLC before the step that sent the transfer records it
        route.duringSend = (packet, request) -> {
            HtlcRecord early = fin.create(HOOKS_CREATOR, request.receiver(), VOUCHER, request.amount(), request.hashlock(),
                    request.timelock(), FINAL_RELAYER, request.targetChain(), request.targetAddress());
            event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), early, fin.contract()));
        };
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        assertThat(s.counterPacket()).isNotNull();
        assertThat(s.destHtlcId()).as("the follower's candidate survives the step's write").isNotNull();
        engine.runOnce();
        assertThat(swap(s).state()).isEqualTo(SwapState.COUNTER_LOCKED);
    }

    @Test
    void anErrorAcknowledgementFailsTheCounterLockAndTheSourceIsRefundedAfterItsTimelock() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        route.fail(s); // the funds come back to the relayer on the home chain
        event(HOME, new ChainEvent.TransferFailed(origin(HOME), s.counterPacket().channel(), s.counterPacket().sequence(),
                "error acknowledgement: ABCI code: 6: error handling packet"));
        Swap failed = swap(s);
        assertThat(failed.state()).isEqualTo(SwapState.COUNTER_FAILED);
        assertThat(failed.lastError()).contains("error acknowledgement").contains(s.counterPacket().text());
        assertThat(home.balances.get("uhome")).isEqualTo(BigInteger.valueOf(1_000_000));
        engine.runOnce();
        assertThat(eth.records.get(s.sourceHtlcId()).status()).as("nothing before T_src").isEqualTo(HtlcRecord.Status.OPEN);
        clock.advance(Duration.ofSeconds(1_001));
        engine.runOnce();
        assertThat(eth.records.get(s.sourceHtlcId()).status()).isEqualTo(HtlcRecord.Status.REFUNDED);
        assertThat(swap(s).state()).isEqualTo(SwapState.EXPIRED);
        assertThat(route.sent).as("never sent again after a failure on the route").hasSize(1);
    }

    /**
     * Issue 17: a route derived wrongly (here: the HTLC's creator is not the one the relayer computes) leaves the real
     * counter-lock unproven, so the swap stays COUNTER_PENDING — and the user claims it. The claim event stores the
     * secret; the engine must then claim the source, not wait (it waited forever: found at T_src + 1000 s).
     */
    @Test
    void aCounterLockTheEngineCouldNotProveButTheUserClaimedStillGetsTheSourceClaimed() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        LockRequest r = route.requests.get(s.counterPacket());
        HtlcRecord unproven = fin.create("final1wrongderivation", r.receiver(), VOUCHER, r.amount(), r.hashlock(), r.timelock(),
                FINAL_RELAYER, r.targetChain(), r.targetAddress());
        event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), unproven, fin.contract()));
        event(HOME, new ChainEvent.TransferAcknowledged(origin(HOME), s.counterPacket().channel(), s.counterPacket().sequence()));
        engine.runOnce();
        assertThat(swap(s).state()).as("not proven: no counter-lock recorded").isEqualTo(SwapState.COUNTER_PENDING);

        fin.userClaims(unproven.id(), secret);
        event(FINAL, new ChainEvent.HtlcClaimed(origin(FINAL), unproven.id(), secret));
        engine.runOnce();
        engine.runOnce();
        assertThat(eth.records.get(s.sourceHtlcId()).status()).as("the user's source lock, claimed for the relayer")
                .isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(swap(s).state()).isIn(SwapState.COMPLETED, SwapState.SOURCE_CLAIMED);
    }

    /** The same, but the final chain's follower never reports the claim: the secret is found by a search by hashlock. */
    @Test
    void anUnprovenCounterLockClaimedWithoutAnyEventIsFoundByHashlockAndTheSourceClaimed() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        LockRequest r = route.requests.get(s.counterPacket());
        HtlcRecord unproven = fin.create("final1wrongderivation", r.receiver(), VOUCHER, r.amount(), r.hashlock(), r.timelock(),
                FINAL_RELAYER, r.targetChain(), r.targetAddress());
        fin.userClaims(unproven.id(), secret); // no event at all reaches the engine
        engine.runOnce();
        assertThat(eth.records.get(s.sourceHtlcId()).status()).as("nothing happens before the watch asks").isEqualTo(HtlcRecord.Status.OPEN);
        clock.advance(Duration.ofSeconds(31)); // the default secret watch: every 30 s
        engine.runOnce();
        engine.runOnce();
        assertThat(eth.records.get(s.sourceHtlcId()).status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(clock.nowEpochSeconds()).isLessThan(eth.records.get(s.sourceHtlcId()).timelock());
    }

    @Test
    void anAckForAPacketNoSwapSentChangesNothing() {
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        event(HOME, new ChainEvent.TransferFailed(origin(HOME), s.counterPacket().channel(), s.counterPacket().sequence() + 1, "timeout"));
        assertThat(swap(s).state()).isEqualTo(SwapState.COUNTER_PENDING);
    }

    @Test
    void nothingGoesOverAHeldRouteUntilItsChannelsAreConfirmed() {
        route.held = "its channels have not been confirmed by home-1 and final-1 yet";
        Swap s = userLocks(BigInteger.valueOf(5_000), 1_000);
        assertThat(s.state()).isEqualTo(SwapState.CONFIRMED);
        assertThat(s.lastError()).contains("the route to final-1 is held").contains("not been confirmed");
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(10));
            engine.runOnce();
        }
        assertThat(route.sent).as("nothing over a held route").isEmpty();
        assertThat(home.balances.get("uhome")).isEqualTo(BigInteger.valueOf(1_000_000));

        route.held = null; // the chains answered and the channels match
        clock.advance(Duration.ofSeconds(10));
        engine.runOnce();
        assertThat(swap(s).state()).isEqualTo(SwapState.COUNTER_PENDING);
        assertThat(route.sent).as("sent once the route is confirmed").hasSize(1);
    }

    @Test
    void aSwapWaitingOnAHeldRouteIsRefusedOnceTooLittleTimeIsLeft() {
        route.held = "on home-1, channel transfer/channel-0 (the first hop to mid-1) is STATE_CLOSED, expected STATE_OPEN.";
        Swap s = userLocks(BigInteger.valueOf(5_000), 400);
        assertThat(s.state()).isEqualTo(SwapState.CONFIRMED);
        for (int i = 0; i < 30 && swap(s).state() == SwapState.CONFIRMED; i++) {
            clock.advance(Duration.ofSeconds(10));
            engine.runOnce();
        }
        assertThat(swap(s).state()).isEqualTo(SwapState.REJECTED);
        assertThat(swap(s).lastError()).contains("W_user 60 + H 120");
        assertThat(route.sent).isEmpty();
    }

    @Test
    void theUserWindowMustCoverHToo() {
        // T_src in 215 s: T_dst - now = 215 - 53 = 162 s, enough for W_user (60) alone, not for W_user + H (180)
        Swap tight = userLocks(BigInteger.valueOf(5_000), 215);
        assertThat(tight.state()).isEqualTo(SwapState.REJECTED);
        assertThat(tight.lastError()).contains("W_user 60 + H 120");
        assertThat(route.sent).isEmpty();
    }

    @Test
    void aCrashAfterTheTransferWasJournaledIsReconciledNotSentAgain() {
        route.crashAfterJournal = true;
        Swap s = lockOnEthereum(BigInteger.valueOf(5_000), 1_000);
        assertThatThrownBy(engine::runOnce).isInstanceOf(SimulatedCrash.class);
        route.crashAfterJournal = false;
        assertThat(route.sent).as("it was broadcast and included before the crash").hasSize(1);
        engine = newEngine(); // restart: recovery reconciles the journaled transfer with the home chain
        engine.recover();
        Swap recovered = swap(s);
        assertThat(recovered.counterPacket()).isEqualTo(route.sent.getFirst());
        engine.runOnce();
        assertThat(route.sent).hasSize(1);
        event(FINAL, new ChainEvent.HtlcLocked(origin(FINAL), route.deliver(recovered, fin), fin.contract()));
        engine.runOnce();
        assertThat(swap(s).state()).isEqualTo(SwapState.COUNTER_LOCKED);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    Swap userLocks(BigInteger amount, long timelockIn) {
        Swap s = lockOnEthereum(amount, timelockIn);
        engine.runOnce();
        engine.runOnce();
        return swap(s);
    }

    Swap lockOnEthereum(BigInteger amount, long timelockIn) {
        HtlcRecord lock = eth.create("0xuser", ETH_RELAYER, "0x0000000000000000000000000000000000000000", amount, secret.hashlock(),
                clock.nowEpochSeconds() + timelockIn, null, FINAL.value(), USER_ON_FINAL);
        event(ETH, new ChainEvent.HtlcLocked(origin(ETH), lock, eth.contract()));
        event(ETH); // one more block: confirmed
        return store.find(Swap.idFor(ETH, lock.id())).orElseThrow();
    }

    Swap swap(Swap s) {
        return store.find(s.id()).orElseThrow();
    }

    void event(ChainId chain, ChainEvent... events) {
        heights++;
        engine.listener(chain).onBlock(new ChainCursor(chain, heights, "b" + heights), List.of(events));
    }

    ChainEvent.Origin origin(ChainId chain) {
        return new ChainEvent.Origin(chain, heights + 1, "b" + (heights + 1), "tx" + (heights + 1), 0);
    }

    /** One chain's HTLC contract as a table; every call lands at once. */
    final class TableChain implements HtlcChain {
        final ChainId chain;
        final String relayer;
        final String contract;
        final Map<String, HtlcRecord> records = new LinkedHashMap<>();
        final Map<String, BigInteger> balances = new LinkedHashMap<>();
        final Map<String, TxResult> landed = new LinkedHashMap<>();
        int n;

        TableChain(ChainId chain, String relayer, String contract) {
            this.chain = chain;
            this.relayer = relayer;
            this.contract = contract;
        }

        HtlcRecord create(String sender, String receiver, String asset, BigInteger amount, io.evmore.core.swap.Hashlock hashlock,
                long timelock, String refundAddress) {
            return create(sender, receiver, asset, amount, hashlock, timelock, refundAddress, "", "");
        }

        HtlcRecord create(String sender, String receiver, String asset, BigInteger amount, io.evmore.core.swap.Hashlock hashlock,
                long timelock, String refundAddress, String targetChain, String targetAddress) {
            HtlcRecord h = new HtlcRecord(chain, "htlc_" + (++n), sender, receiver, asset, amount, hashlock, timelock, targetChain,
                    targetAddress, HtlcRecord.Status.OPEN, refundAddress);
            records.put(h.id(), h);
            return h;
        }

        private TxResult tx(TxJournal journal, String htlcId) {
            String hash = chain.value() + "-tx-" + (++n);
            journal.beforeBroadcast(new SignedTx(n, hash, "raw", 0));
            TxResult r = new TxResult(chain, hash, n, htlcId);
            landed.put(hash, r);
            return r;
        }

        private void set(String id, HtlcRecord.Status status) {
            HtlcRecord h = records.get(id);
            records.put(id, new HtlcRecord(h.chain(), h.id(), h.sender(), h.receiver(), h.asset(), h.amount(), h.hashlock(), h.timelock(),
                    h.targetChain(), h.targetAddress(), status, h.refundAddress()));
        }

        /** The user's withdraw: the record keeps the preimage, as CosmWasm's get_htlc does. */
        void userClaims(String id, Secret secret) {
            HtlcRecord h = records.get(id);
            records.put(id, new HtlcRecord(h.chain(), h.id(), h.sender(), h.receiver(), h.asset(), h.amount(), h.hashlock(), h.timelock(),
                    h.targetChain(), h.targetAddress(), HtlcRecord.Status.CLAIMED, h.refundAddress(), secret));
        }

        @Override public ChainId chain() { return chain; }
        @Override public String relayerAddress() { return relayer; }
        @Override public String contract() { return contract; }

        @Override
        public TxResult lock(LockRequest r, TxJournal journal) {
            throw new AssertionError("a multi-hop counter-lock must not be a direct lock on " + chain);
        }

        @Override
        public TxResult claim(String htlcId, Secret s, TxJournal journal) {
            set(htlcId, HtlcRecord.Status.CLAIMED);
            return tx(journal, htlcId);
        }

        @Override
        public TxResult refund(String htlcId, TxJournal journal) {
            if (clock.nowEpochSeconds() < records.get(htlcId).timelock()) throw new TransientException("not expired");
            set(htlcId, HtlcRecord.Status.REFUNDED);
            return tx(journal, htlcId);
        }

        @Override
        public Reconciliation reconcile(TxIntent intent) {
            for (String h : intent.hashes()) {
                if (landed.containsKey(h)) return new Reconciliation.Landed(landed.get(h));
            }
            return new Reconciliation.NeverLanded("unknown");
        }

        @Override public Optional<HtlcRecord> query(String id) { return Optional.ofNullable(records.get(id)); }

        /** By id, else any claimed HTLC with the hashlock (as the CosmWasm adapter's tx_search does). */
        @Override
        public Optional<Secret> revealedSecret(io.evmore.core.swap.Hashlock hashlock, String htlcId, long fromHeight) {
            if (htlcId != null && records.containsKey(htlcId) && records.get(htlcId).secret() != null) {
                return Optional.of(records.get(htlcId).secret());
            }
            return records.values().stream().filter(h -> h.hashlock().equals(hashlock) && h.secret() != null)
                    .map(HtlcRecord::secret).findFirst();
        }
        @Override public BigInteger balance(String asset) { return balances.getOrDefault(asset, BigInteger.ZERO); }
        @Override public long latestBlockTime() { return clock.nowEpochSeconds(); }
    }

    /** The route: a transfer debits the home chain; the test decides whether it is delivered or fails. */
    final class FakeRoute implements IbcCounterLock {
        final List<PacketId> sent = new ArrayList<>();
        final Map<String, TxResult> included = new LinkedHashMap<>();
        final Map<PacketId, LockRequest> requests = new LinkedHashMap<>();
        boolean crashAfterJournal;
        /** Why the route is held (its channels unconfirmed or contradicted); null = usable. */
        String held;
        /** Runs after the transfer is included, before send returns (what a fast follower does meanwhile). */
        java.util.function.BiConsumer<PacketId, LockRequest> duringSend = (p, r) -> {};

        @Override public ChainId homeChain() { return HOME; }
        @Override public ChainId finalChain() { return FINAL; }
        @Override public String homeAsset() { return "uhome"; }
        @Override public String finalAsset() { return VOUCHER; }
        @Override public long worstCaseDeliverySeconds() { return H; }
        @Override public String finalCreator() { return HOOKS_CREATOR; }
        @Override public String refundAddress() { return FINAL_RELAYER; }
        @Override public java.util.Optional<String> heldBecause() { return java.util.Optional.ofNullable(held); }

        @Override
        public TxResult send(LockRequest r, TxJournal journal) {
            PacketId packet = new PacketId(HOME, "channel-0", sent.size() + 1L);
            String hash = "transfer-" + packet.sequence();
            journal.beforeBroadcast(new SignedTx(packet.sequence(), hash, "raw", 0));
            sent.add(packet);
            requests.put(packet, r);
            home.balances.merge("uhome", r.amount().negate(), BigInteger::add);
            TxResult result = new TxResult(HOME, hash, packet.sequence(), null, packet);
            included.put(hash, result);
            if (crashAfterJournal) throw new SimulatedCrash("after the transfer was journaled and included");
            duringSend.accept(packet, r);
            return result;
        }

        @Override
        public Reconciliation reconcile(TxIntent intent) {
            for (String h : intent.hashes()) {
                if (included.containsKey(h)) return new Reconciliation.Landed(included.get(h));
            }
            return new Reconciliation.NeverLanded("unknown");
        }

        /** The hooks create the HTLC on the final chain as the request said, refundable to the relayer. */
        HtlcRecord deliver(Swap s, TableChain onFinal) {
            LockRequest r = requests.get(s.counterPacket());
            return onFinal.create(HOOKS_CREATOR, r.receiver(), VOUCHER, r.amount(), r.hashlock(), r.timelock(), FINAL_RELAYER,
                    r.targetChain(), r.targetAddress());
        }

        void fail(Swap s) {
            home.balances.merge("uhome", requests.get(s.counterPacket()).amount(), BigInteger::add);
        }
    }
}
