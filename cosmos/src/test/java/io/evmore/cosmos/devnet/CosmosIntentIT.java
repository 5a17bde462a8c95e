package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.pool.PoolSettings;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Intent-first sending on the devnet: what the journal sees and when, what a refusing journal leaves behind, and
 * what {@code reconcile(intent)} says for every fate of a journaled transaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosmosIntentIT {
    static final String CHAIN = "devnet-a";
    Devnet devnet;
    DevnetChain chain;
    CosmosSigner relayerKey;
    String bob;

    @BeforeAll
    void startDevnet() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).blockInterval(Duration.ofMillis(200))
                .start();
        chain = devnet.chain(CHAIN);
        relayerKey = CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic());
        bob = devnet.account("bob").address("cosmos");
    }

    @AfterAll
    void stopDevnet() {
        if (devnet != null) devnet.close();
    }

    @AfterEach
    void chainRunsAgain() {
        chain.indexLag(0);
        chain.dropNextBroadcasts(0);
        chain.endpoint(0).pruneBlocksBelow(1);
        chain.resume();
        // txs a test left hidden from the index become visible
        for (int i = 0; i < 20 && chain.state().notYetIndexed() > 0; i++) chain.produceBlock();
    }

    CosmosAdapter adapter(long timeoutBlocks) {
        return adapter(timeoutBlocks, Duration.ofSeconds(20));
    }

    CosmosAdapter adapter(long timeoutBlocks, Duration inclusionTimeout) {
        CosmosSettings s = CosmosSettings.of(ChainId.of(CHAIN), "cosmos", "stake", List.of(chain.rpcUrl()),
                new BigDecimal("0.025"), chain.htlcContractAddress())
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), inclusionTimeout)
                .withTimeoutBlocks(timeoutBlocks);
        PoolSettings pool = PoolSettings.cosmosDefaults().withConnections(4, 0).withHeightChecks(50, Duration.ZERO);
        return new CosmosAdapter(s, relayerKey, pool, new PrometheusRegistry(), new InMemoryCursorStore(),
                Clock.system());
    }

    long chainNow() {
        return chain.state().now().getEpochSecond();
    }

    long chainSequence(CosmosAdapter a) {
        return chain.state().account(a.htlcChain().relayerAddress()).getSequence();
    }

    LockRequest lock(long amount, Hashlock hashlock) {
        return new LockRequest(bob, "stake", BigInteger.valueOf(amount), hashlock, chainNow() + 3600, "eip155:1", "0xi");
    }

    /** What the engine does: the intent as persisted after each journal call. */
    static TxIntent intentOf(List<SignedTx> journaled) {
        TxIntent i = TxIntent.pending("swap-1/COUNTER_LOCK", "swap-1", ChainId.of(CHAIN), "COUNTER_LOCK", Instant.now());
        for (SignedTx t : journaled) i = i.broadcasting(t, Instant.now());
        return i;
    }

    /** Records the tx, then "crashes" before the broadcast. */
    static TxJournal crashingAfterRecording(List<SignedTx> into) {
        return tx -> {
            into.add(tx);
            throw new IllegalStateException("crash between persisting the intent and broadcasting");
        };
    }

    boolean nodeHas(String hash) {
        return chain.state().tx(HexFormat.of().parseHex(hash)) != null;
    }

    long inclusions(String hash) {
        return chain.state().indexedTxs().stream().filter(t -> t.hashHex().equalsIgnoreCase(hash)).count();
    }

    static String sha256Hex(byte[] b) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void theJournalSeesHashSequenceRawTxAndTimeoutHeightBeforeTheNodeHasTheTxAndReconcileFindsTheCreatedHtlc()
            throws Exception {
        try (CosmosAdapter a = adapter(50)) {
            long seq = chainSequence(a);
            long heightBefore = chain.height();
            List<SignedTx> journaled = new ArrayList<>();
            List<String> nodeSawItFirst = new ArrayList<>();
            TxResult r = a.htlcChain().lock(lock(11, Secret.random().hashlock()), tx -> {
                journaled.add(tx);
                if (nodeHas(tx.txHash()) || chain.state().mempoolSize() > 0 || chainSequence(a) != tx.nonce()) {
                    nodeSawItFirst.add(tx.txHash());
                }
            });
            assertThat(nodeSawItFirst).isEmpty();
            SignedTx tx = journaled.getFirst();
            assertThat(journaled).hasSize(1);
            assertThat(tx.txHash()).isEqualTo(r.txHash());
            assertThat(tx.nonce()).isEqualTo(seq);
            assertThat(tx.timeoutHeight()).isBetween(heightBefore + 50, r.height() + 50);
            byte[] raw = HexFormat.of().parseHex(tx.rawTx());
            assertThat(sha256Hex(raw)).isEqualTo(tx.txHash());
            assertThat(TxBody.parseFrom(TxRaw.parseFrom(raw).getBodyBytes()).getTimeoutHeight()).isEqualTo(tx.timeoutHeight());
            assertThat(tx.toString()).doesNotContain(tx.rawTx());

            Reconciliation rec = a.htlcChain().reconcile(intentOf(journaled));
            assertThat(rec).isEqualTo(new Reconciliation.Landed(r));
            assertThat(r.htlcId()).matches("htlc_[0-9]+");
        }
    }

    @Test
    void aJournalThatThrowsAbortsTheBroadcastAndTheNextTxUsesTheSameSequence() {
        try (CosmosAdapter a = adapter(50)) {
            long seq = chainSequence(a);
            List<SignedTx> aborted = new ArrayList<>();
            IllegalStateException crash = new IllegalStateException("store unavailable");
            assertThatThrownBy(() -> a.htlcChain().lock(lock(12, Secret.random().hashlock()), tx -> {
                aborted.add(tx);
                throw crash;
            })).isSameAs(crash);
            // broadcast_tx_sync is synchronous: had it been sent, it would be in the mempool or a block by now.
            assertThat(chain.state().mempoolSize()).isZero();
            assertThat(nodeHas(aborted.getFirst().txHash())).isFalse();
            assertThat(chainSequence(a)).isEqualTo(seq);

            List<SignedTx> next = new ArrayList<>();
            TxResult r = a.htlcChain().lock(lock(13, Secret.random().hashlock()), next::add);
            assertThat(next).singleElement().satisfies(t -> {
                assertThat(t.nonce()).isEqualTo(aborted.getFirst().nonce()).isEqualTo(seq);
                assertThat(t.txHash()).isEqualTo(r.txHash());
            });
            assertThat(chainSequence(a)).isEqualTo(seq + 1);
        }
    }

    @Test
    void aWithdrawThatPassedSimulationButFailedInItsBlockIsRevertedAndReconciledAsReverted() throws Exception {
        try (CosmosAdapter a = adapter(50)) {
            Secret secret = Secret.random();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(14), secret.hashlock(),
                    chainNow() + 30, "eip155:1", "0xr"));
            List<SignedTx> journaled = new CopyOnWriteArrayList<>();
            chain.halt();
            Future<TxResult> claim;
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // Simulated before the timelock (passes), included after it (the contract refuses).
                claim = pool.submit(() -> a.htlcChain().claim(locked.htlcId(), secret, journaled::add));
                await().atMost(Duration.ofSeconds(20)).until(() -> chain.state().mempoolSize() == 1);
                devnet.advanceTime(Duration.ofSeconds(60));
                chain.produceBlock();
                TxRevertedException reverted = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                        claim::get).getCause() instanceof TxRevertedException t ? t : null;
                assertThat(reverted).as("claim fails as reverted").isNotNull();
                assertThat(reverted.txHash()).isEqualTo(journaled.getFirst().txHash());
                assertThat(reverted).hasMessageContaining("has expired").hasMessageNotContaining(secret.hex())
                        .hasMessageNotContaining(journaled.getFirst().rawTx());
            }
            Reconciliation rec = a.htlcChain().reconcile(intentOf(journaled));
            assertThat(rec).isInstanceOfSatisfying(Reconciliation.Reverted.class, rv -> {
                assertThat(rv.txHash()).isEqualTo(journaled.getFirst().txHash());
                assertThat(rv.reason()).contains("has expired");
            });
            assertThat(a.htlcChain().query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.OPEN);
        }
    }

    /** Steps the halted chain to {@code height}. */
    void produceUntil(long height) {
        while (chain.height() < height) chain.produceBlock();
    }

    boolean blockHas(long height, String hash) {
        return chain.state().block(height).txs().stream().anyMatch(t -> {
            try {
                return sha256Hex(t).equals(hash);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * A committed tx the node's indexer has not caught up with: {@code tx} says "not found" while its block has it. The
     * sequence has moved past the intent's (the tx itself moved it), and later the chain passes the timeout height; the
     * pre-fix reconciler called both NeverLanded (an engine would then lock or transfer a second time). It is Landed:
     * found in its block, its result read from {@code block_results}, the created HTLC id included.
     */
    @Test
    void aLandedTxTheIndexDoesNotShowYetIsFoundInItsBlockAndNeverCalledNeverLanded() throws Exception {
        try (CosmosAdapter a = adapter(3)) {
            chain.halt();
            chain.indexLag(10);
            long seq = chainSequence(a);
            List<SignedTx> journaled = new CopyOnWriteArrayList<>();
            Future<TxResult> lock;
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                lock = pool.submit(() -> a.htlcChain().lock(lock(20, Secret.random().hashlock()), journaled::add));
                await().atMost(Duration.ofSeconds(20)).until(() -> chain.state().mempoolSize() == 1);
                long included = chain.produceBlock().height();
                SignedTx tx = journaled.getFirst();
                TxIntent intent = intentOf(journaled);
                assertThat(tx.timeoutHeight()).isEqualTo(included + 2);

                // One block later: the account's sequence (read one block behind the head) moved past the intent's.
                chain.produceBlock();
                assertThat(chain.state().account(a.htlcChain().relayerAddress()).getSequence()).isEqualTo(seq + 1);
                // Control: the fault is on — in its block, not in the index the reconciler asks first.
                assertThat(blockHas(included, tx.txHash())).isTrue();
                assertThat(a.rpc().tx(tx.txHash())).isEmpty();
                Reconciliation early = a.htlcChain().reconcile(intent);
                assertThat(early).as("sequence moved, index lagging").isInstanceOfSatisfying(Reconciliation.Landed.class,
                        l -> {
                            assertThat(l.result().txHash()).isEqualTo(tx.txHash());
                            assertThat(l.result().height()).isEqualTo(included);
                            assertThat(l.result().htlcId()).matches("htlc_[0-9]+");
                        });

                // Past the timeout height, still not indexed: the scan of the blocks finds it.
                produceUntil(tx.timeoutHeight() + 2);
                assertThat(a.rpc().tx(tx.txHash())).isEmpty();
                assertThat(a.htlcChain().reconcile(intent)).as("past timeout_height, index lagging").isEqualTo(early);

                // Once indexed, the same answer through the index; the lock itself saw the same.
                produceUntil(included + 10);
                assertThat(a.rpc().tx(tx.txHash())).isPresent();
                assertThat(lock.get()).isEqualTo(((Reconciliation.Landed) early).result());
                assertThat(a.htlcChain().reconcile(intent)).isEqualTo(early);
                assertThat(inclusions(tx.txHash())).isEqualTo(1);
            }
        }
    }

    /** A failed tx hidden from the index is Reverted from its block's result, not NeverLanded. */
    @Test
    void aFailedTxTheIndexDoesNotShowYetIsRevertedFromItsBlockResult() throws Exception {
        try (CosmosAdapter a = adapter(3)) {
            Secret secret = Secret.random();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(21), secret.hashlock(),
                    chainNow() + 30, "eip155:1", "0xr"));
            chain.halt();
            chain.indexLag(10);
            List<SignedTx> journaled = new CopyOnWriteArrayList<>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // Simulated before the timelock (passes), included after it (the contract refuses).
                Future<TxResult> claim = pool.submit(() -> a.htlcChain().claim(locked.htlcId(), secret, journaled::add));
                await().atMost(Duration.ofSeconds(20)).until(() -> chain.state().mempoolSize() == 1);
                devnet.advanceTime(Duration.ofSeconds(60));
                long included = chain.produceBlock().height();
                produceUntil(journaled.getFirst().timeoutHeight() + 2);
                assertThat(blockHas(included, journaled.getFirst().txHash())).isTrue();
                assertThat(a.rpc().tx(journaled.getFirst().txHash())).isEmpty();
                assertThat(a.htlcChain().reconcile(intentOf(journaled))).isInstanceOfSatisfying(Reconciliation.Reverted.class,
                        rv -> {
                            assertThat(rv.txHash()).isEqualTo(journaled.getFirst().txHash());
                            assertThat(rv.reason()).contains("has expired").doesNotContain(secret.hex());
                        });
                produceUntil(included + 10);
                assertThat(catchThrowableOfType(java.util.concurrent.ExecutionException.class, claim::get).getCause())
                        .isInstanceOf(TxRevertedException.class);
            }
        }
    }

    /**
     * Journaled, then the process died before the broadcast. While the chain is at or below the timeout height the
     * reconciler re-broadcasts the bytes (here the node loses every one of them) and says Undecided; once the chain is
     * past it and no block from (timeout height − timeoutBlocks) to the timeout height has the tx, NeverLanded.
     */
    @Test
    void aJournaledButNeverBroadcastTxIsUndecidedUntilTheChainPassesItsTimeoutHeightThenNeverLandedAfterTheScan() {
        try (CosmosAdapter a = adapter(4)) {
            List<SignedTx> journaled = new ArrayList<>();
            chain.halt();
            assertThatThrownBy(() -> a.htlcChain().lock(lock(15, Secret.random().hashlock()),
                    crashingAfterRecording(journaled))).hasMessageContaining("crash between");
            SignedTx tx = journaled.getFirst();
            TxIntent intent = intentOf(journaled);
            chain.dropNextBroadcasts(1000);
            while (chain.height() <= tx.timeoutHeight()) {
                int before = chain.state().broadcastsToDrop();
                Reconciliation r = a.htlcChain().reconcile(intent);
                assertThat(r).as("at height %d (timeout height %d)", chain.height(), tx.timeoutHeight())
                        .isInstanceOfSatisfying(Reconciliation.Undecided.class, u -> assertThat(u.reason())
                                .contains("re-broadcast").contains("timeout_height " + tx.timeoutHeight()));
                // Control: it acted in this window — the bytes reached the node, which dropped them; at the timeout
                // height itself the next block would be above it, so CheckTx refuses them (code 30).
                if (chain.height() < tx.timeoutHeight()) {
                    assertThat(chain.state().broadcastsToDrop()).isEqualTo(before - 1);
                } else {
                    assertThat(r).isInstanceOfSatisfying(Reconciliation.Undecided.class, u -> assertThat(u.reason())
                            .contains("re-broadcast refused: sdk code 30"));
                }
                chain.produceBlock();
            }
            assertThat(chain.height()).isEqualTo(tx.timeoutHeight() + 1);
            Reconciliation rec = a.htlcChain().reconcile(intent);
            assertThat(rec).isInstanceOfSatisfying(Reconciliation.NeverLanded.class, n -> assertThat(n.reason())
                    .contains("timeout height " + tx.timeoutHeight())
                    .contains("blocks " + (tx.timeoutHeight() - 4) + ".." + tx.timeoutHeight()));
            chain.dropNextBroadcasts(0);
            // And it truly never can: the node refuses the very bytes now.
            assertThat(a.rpc().broadcastTxSync(HexFormat.of().parseHex(tx.rawTx())).code()).isEqualTo(30);
            assertThat(nodeHas(tx.txHash())).isFalse();
        }
    }

    /**
     * Broadcast and accepted, then lost from the mempool; the adapter's next tx takes the same sequence and lands. The
     * moved sequence is only a hint: Undecided ("waiting for timeout_height") until the chain passes the lost tx's
     * timeout height, then NeverLanded. The pre-fix reconciler said NeverLanded as soon as the sequence moved.
     */
    @Test
    void aDroppedTxWhoseSequenceAnotherTxTookIsUndecidedUntilItsTimeoutHeightThenNeverLanded() throws Exception {
        try (CosmosAdapter a = adapter(6, Duration.ofSeconds(2))) {
            chain.halt();
            long seq = chainSequence(a);
            chain.dropNextBroadcasts(1);
            List<SignedTx> journaled = new ArrayList<>();
            assertThatThrownBy(() -> a.htlcChain().lock(lock(16, Secret.random().hashlock()), journaled::add))
                    .isInstanceOf(io.evmore.cosmos.tx.TxPendingException.class);
            SignedTx lost = journaled.getFirst();
            assertThat(lost.nonce()).isEqualTo(seq);
            TxIntent intent = intentOf(journaled);
            TxResult other;
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<SignedTx> otherJournal = new CopyOnWriteArrayList<>();
                Future<TxResult> f = pool.submit(() -> a.htlcChain().lock(lock(17, Secret.random().hashlock()), otherJournal::add));
                await().atMost(Duration.ofSeconds(20)).until(() -> chain.state().mempoolSize() == 1);
                assertThat(otherJournal.getFirst().nonce()).as("the same sequence").isEqualTo(seq);
                chain.produceBlock();
                other = f.get();
            }
            chain.produceBlock();
            assertThat(chainSequence(a)).isEqualTo(seq + 1);
            assertThat(chain.height()).isLessThanOrEqualTo(lost.timeoutHeight());
            while (chain.height() <= lost.timeoutHeight()) {
                assertThat(a.htlcChain().reconcile(intent)).as("at height %d", chain.height())
                        .isInstanceOfSatisfying(Reconciliation.Undecided.class, u -> assertThat(u.reason())
                                .contains("sequence " + seq).contains("waiting for timeout_height " + lost.timeoutHeight()));
                chain.produceBlock();
            }
            assertThat(a.htlcChain().reconcile(intent)).isInstanceOfSatisfying(Reconciliation.NeverLanded.class,
                    n -> assertThat(n.reason()).contains("timeout height " + lost.timeoutHeight()));
            assertThat(nodeHas(lost.txHash())).isFalse();
            assertThat(a.htlcChain().query(other.htlcId())).isPresent();
        }
    }

    /**
     * A block the tx could be in cannot be read from the endpoint that answers (it pruned it): Undecided, saying which
     * block and why. Control: the same intent on an endpoint with every block is NeverLanded.
     */
    @Test
    void aBlockInTheRangeThatCannotBeReadIsUndecided() {
        try (CosmosAdapter a = adapter(4)) {
            List<SignedTx> journaled = new ArrayList<>();
            chain.halt();
            assertThatThrownBy(() -> a.htlcChain().lock(lock(22, Secret.random().hashlock()),
                    crashingAfterRecording(journaled))).hasMessageContaining("crash between");
            SignedTx tx = journaled.getFirst();
            produceUntil(tx.timeoutHeight() + 2);
            long first = tx.timeoutHeight() - 4;
            chain.endpoint(0).pruneBlocksBelow(first + 1);
            assertThat(a.htlcChain().reconcile(intentOf(journaled))).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                    u -> assertThat(u.reason()).contains("block " + first + " cannot be read")
                            .contains("height " + first + " is not available, lowest height is " + (first + 1)));
            chain.endpoint(0).pruneBlocksBelow(1);
            assertThat(a.htlcChain().reconcile(intentOf(journaled))).isInstanceOf(Reconciliation.NeverLanded.class);
        }
    }

    /** An intent journaled without a timeout height (before they were signed with one) is never NeverLanded by absence. */
    @Test
    void anIntentWithoutTimeoutHeightIsNeverNeverLandedByAbsence() {
        try (CosmosAdapter a = adapter(3)) {
            List<SignedTx> journaled = new ArrayList<>();
            chain.halt();
            assertThatThrownBy(() -> a.htlcChain().lock(lock(23, Secret.random().hashlock()),
                    crashingAfterRecording(journaled))).hasMessageContaining("crash between");
            SignedTx tx = journaled.getFirst();
            produceUntil(tx.timeoutHeight() + 3);
            SignedTx legacy = new SignedTx(tx.nonce(), tx.txHash(), tx.rawTx(), 0);
            assertThat(a.htlcChain().reconcile(intentOf(List.of(legacy)))).isInstanceOfSatisfying(
                    Reconciliation.Undecided.class, u -> assertThat(u.reason()).contains("no timeout_height"));
            // Control: the same tx with its timeout height is decided.
            assertThat(a.htlcChain().reconcile(intentOf(journaled))).isInstanceOf(Reconciliation.NeverLanded.class);
        }
    }

    @Test
    void anIntentWithoutSignedTxIsNeverLanded() {
        try (CosmosAdapter a = adapter(50)) {
            assertThat(a.htlcChain().reconcile(intentOf(List.of())))
                    .isEqualTo(new Reconciliation.NeverLanded("never signed"));
        }
    }

    @Test
    void aJournaledButNeverBroadcastTxIsReBroadcastUndecidedAndThenLandsExactlyOnce() {
        try (CosmosAdapter a = adapter(50)) {
            Hashlock hashlock = Secret.random().hashlock();
            List<SignedTx> journaled = new ArrayList<>();
            assertThatThrownBy(() -> a.htlcChain().lock(lock(18, hashlock), crashingAfterRecording(journaled)))
                    .hasMessageContaining("crash between");
            TxIntent intent = intentOf(journaled);
            String hash = journaled.getFirst().txHash();
            chain.halt();
            Reconciliation first = a.htlcChain().reconcile(intent);
            assertThat(first).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                    u -> assertThat(u.reason()).contains("re-broadcast"));
            assertThat(chain.state().mempoolSize()).isEqualTo(1);
            // Asking again while it waits in the mempool sends nothing new.
            assertThat(a.htlcChain().reconcile(intent)).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                    u -> assertThat(u.reason()).contains("already in the mempool"));
            assertThat(chain.state().mempoolSize()).isEqualTo(1);
            chain.resume();
            await().atMost(Duration.ofSeconds(20)).until(() -> a.htlcChain().reconcile(intent)
                    instanceof Reconciliation.Landed);
            Reconciliation.Landed landed = (Reconciliation.Landed) a.htlcChain().reconcile(intent);
            assertThat(landed.result().txHash()).isEqualTo(hash);
            assertThat(landed.result().htlcId()).matches("htlc_[0-9]+");
            assertThat(inclusions(hash)).isEqualTo(1);
            assertThat(allHtlcs(a).stream().filter(h -> h.hashlock().equals(hashlock)).count()).isEqualTo(1);
            // The adapter's cached sequence went stale through the re-broadcast; its next tx still goes through.
            TxResult next = a.htlcChain().lock(lock(19, Secret.random().hashlock()));
            assertThat(a.htlcChain().query(next.htlcId())).isPresent();
        }
    }

    List<HtlcRecord> allHtlcs(CosmosAdapter a) {
        List<HtlcRecord> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<HtlcRecord> page = a.htlcChain().list(after, 30);
            if (page.isEmpty()) return all;
            all.addAll(page);
            after = page.getLast().id();
        }
    }

    @Test
    void balanceContractAndLatestBlockTimeComeFromTheChain() {
        try (CosmosAdapter a = adapter(50)) {
            assertThat(a.htlcChain().contract()).isEqualTo(chain.htlcContractAddress());
            assertThat(a.htlcChain().balance("stake")).isEqualTo(chain.balance(a.htlcChain().relayerAddress(), "stake"));
            chain.halt();
            assertThat(a.htlcChain().latestBlockTime()).isEqualTo(chain.state().latestBlock().time().getEpochSecond());
        }
    }
}
