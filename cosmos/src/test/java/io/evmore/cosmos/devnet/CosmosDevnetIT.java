package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.HtlcLifecycleChecks;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.GasEstimator;
import io.evmore.cosmos.tx.TxPendingException;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The adapter against one devnet chain with two RPC endpoints: HTLC lifecycle, sequences, failover, following. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosmosDevnetIT {
    static final String CHAIN = "devnet-a";
    Devnet devnet;
    DevnetChain chain;
    PrometheusRegistry registry;
    CosmosSigner relayerKey;

    @BeforeAll
    void startDevnet() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).rpcEndpointsPerChain(2)
                .blockInterval(Duration.ofMillis(200)).start();
        chain = devnet.chain(CHAIN);
        registry = new PrometheusRegistry();
        relayerKey = CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic());
    }

    @AfterAll
    void stopDevnet() {
        if (devnet != null) devnet.close();
    }

    CosmosSettings settings() {
        return CosmosSettings.of(ChainId.of(CHAIN), "cosmos", "stake", List.of(chain.rpcUrl(0), chain.rpcUrl(1)),
                new BigDecimal("0.025"), chain.htlcContractAddress())
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20));
    }

    CosmosAdapter adapter(InMemoryCursorStore cursors) {
        PoolSettings pool = PoolSettings.cosmosDefaults().withConnections(4, 0).withRetry(Duration.ofMillis(50), 3)
                .withHealthCheckInterval(Duration.ofSeconds(1)).withBreaker(2, Duration.ofSeconds(30))
                .withHeightChecks(50, Duration.ZERO);
        return new CosmosAdapter(settings(), relayerKey, pool, registry, cursors, Clock.system());
    }

    /** evmore_rpc_errors_total of this chain's pool for one endpoint. */
    double rpcErrors(String endpoint) {
        for (var m : registry.scrape()) {
            if (m instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot c
                    && c.getMetadata().getName().equals("evmore_rpc_errors")) {
                for (var dp : c.getDataPoints()) {
                    if (endpoint.equals(dp.getLabels().get("endpoint"))
                            && ("cosmos:" + CHAIN).equals(dp.getLabels().get("pool"))) {
                        return dp.getValue();
                    }
                }
            }
        }
        return 0;
    }

    long chainNow() {
        return chain.state().now().getEpochSecond();
    }

    @Test
    void createWithdrawRefundAreExecutedAndFollowed() {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosAdapter a = adapter(cursors)) {
            RecordingListener listener = new RecordingListener(cursors);
            a.follower().start(listener);
            String bob = devnet.account("bob").address("cosmos");
            Secret secret = Secret.random();

            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(1000),
                    secret.hashlock(), chainNow() + 3600, "eip155:1", "0xabc"));
            HtlcLifecycleChecks.assertOpenLock(a.htlcChain(), locked, bob, BigInteger.valueOf(1000), secret);

            BigInteger bobBefore = chain.balance(bob, "stake");
            TxResult claimed = a.htlcChain().claim(locked.htlcId(), secret);
            assertThat(chain.balance(bob, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(1000)));
            assertThat(a.htlcChain().query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
            // A second claim is refused by the contract: a permanent error with its text.
            assertThatThrownBy(() -> a.htlcChain().claim(locked.htlcId(), secret)).isInstanceOf(PermanentException.class)
                    .hasMessageContaining("is not open (it is withdrawn)");

            TxResult second = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(7),
                    Secret.random().hashlock(), chainNow() + 60, "eip155:1", "0xdef"));
            assertThatThrownBy(() -> a.htlcChain().refund(second.htlcId())).isInstanceOf(PermanentException.class)
                    .hasMessageContaining("has not expired yet");
            devnet.advanceTime(Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(30)).until(() -> chain.state().latestBlock().time().getEpochSecond()
                    > chainNow() - 5);
            TxResult refunded = a.htlcChain().refund(second.htlcId());
            assertThat(a.htlcChain().query(second.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
            assertThat(a.htlcChain().query("htlc_999999")).isEmpty();
            assertThat(a.htlcChain().list(null, 100)).extracting(HtlcRecord::id).contains(locked.htlcId(), second.htlcId());

            HtlcLifecycleChecks.assertFollowed(listener, a.rpc(), locked, secret, claimed, true, second, refunded);
        }
    }

    @Test
    void aSequenceMismatchFromAnOutsideTransactionIsRecovered() {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            String bob = devnet.account("bob").address("cosmos");
            staleTheCachedSequence(a, bob);
            aLockGoesThroughOneResync(a, bob);
        }
    }

    /** The adapter's sequencer caches the next sequence, then another process signs with the same key: it is stale. */
    private void staleTheCachedSequence(CosmosAdapter a, String bob) {
        a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.ONE, Secret.random().hashlock(),
                chainNow() + 3600, "eip155:1", "0x1")); // the sequencer now caches the next sequence
        CosmosTxSubmitter outside = new CosmosTxSubmitter(CHAIN, "cosmos", relayerKey, a.rpc(),
                new GasEstimator(new BigDecimal("1.4"), new BigDecimal("0.025"), "stake"), Duration.ofSeconds(20),
                Duration.ofMillis(100), 3);
        BigInteger bobBefore = chain.balance(bob, "stake");
        outside.submit(List.of(CosmosMessages.send(outside.address(), bob,
                CosmosMessages.coin("stake", BigInteger.valueOf(5)))), "outside");
        assertThat(chain.balance(bob, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(5)));
    }

    /** The next lock is included with the next sequence after exactly one resync. */
    private void aLockGoesThroughOneResync(CosmosAdapter a, String bob) {
        long before = chain.state().account(a.htlcChain().relayerAddress()).getSequence();
        double resyncs = ChainMetrics.on(registry).nonceResyncs.labelValues(CHAIN).get();
        TxResult r = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.TWO, Secret.random().hashlock(),
                chainNow() + 3600, "eip155:1", "0x2"));
        assertThat(a.htlcChain().query(r.htlcId()).orElseThrow().amount()).isEqualTo(BigInteger.TWO);
        assertThat(chain.state().account(a.htlcChain().relayerAddress()).getSequence()).isEqualTo(before + 1);
        // It went through a rejection and a resync, not a lucky fresh read.
        assertThat(ChainMetrics.on(registry).nonceResyncs.labelValues(CHAIN).get()).isEqualTo(resyncs + 1);
    }

    /** ISSUE 9: a real SDK 0.50 node reports the stale sequence in simulation as code 6 sdk, text inside. */
    @Test
    void aStaleSequenceReportedTheWayARealNodeSimulatesIsRecoveredToo() {
        chain.state().simulateErrorsAsSdk6(true);
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            String bob = devnet.account("bob").address("cosmos");
            staleTheCachedSequence(a, bob);
            aLockGoesThroughOneResync(a, bob);
            // Contract errors in that form are reverts found by simulation (nothing broadcast), wrapping stripped.
            Secret right = Secret.random();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.TEN, right.hashlock(),
                    chainNow() + 3600, "eip155:1", "0x3"));
            long seq = chain.state().account(a.htlcChain().relayerAddress()).getSequence();
            Secret wrong = Secret.random();
            assertThatThrownBy(() -> a.htlcChain().claim(locked.htlcId(), wrong))
                    .isInstanceOfSatisfying(io.evmore.core.chain.TxRevertedException.class,
                            e -> assertThat(e.txHash()).isNull())
                    .hasMessageContaining("secret does not match hashlock").hasMessageNotContaining("rpc error")
                    .hasMessageNotContaining("with gas used").hasMessageNotContaining(wrong.hex());
            assertThat(chain.state().account(a.htlcChain().relayerAddress()).getSequence()).isEqualTo(seq);
        } finally {
            chain.state().simulateErrorsAsSdk6(false);
        }
    }

    @Test
    void thePrimaryEndpointHaltedMidRunTheAdapterContinuesOnTheSecond() {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosAdapter a = adapter(cursors)) {
            RecordingListener listener = new RecordingListener(cursors);
            a.follower().start(listener);
            String bob = devnet.account("bob").address("cosmos");
            TxResult first = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.TEN, Secret.random().hashlock(),
                    chainNow() + 3600, "eip155:1", "0x3"));
            double primaryErrors = rpcErrors("rpc-0");
            chain.endpoint(0).stop();
            try {
                TxResult second = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.TEN,
                        Secret.random().hashlock(), chainNow() + 3600, "eip155:1", "0x4"));
                assertThat(a.htlcChain().query(second.htlcId())).isPresent();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        listener.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id())
                        .contains(first.htlcId(), second.htlcId()));
                // The failed calls were charged to the stopped endpoint, not to the one that answered.
                assertThat(rpcErrors("rpc-0")).isGreaterThan(primaryErrors);
            } finally {
                chain.endpoint(0).start();
            }
        }
    }

    @Test
    void concurrentLocksArePipelinedWithConsecutiveSequencesAndListedInPages() throws Exception {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            String bob = devnet.account("bob").address("cosmos");
            long seqBefore = chain.state().account(a.htlcChain().relayerAddress()).getSequence();
            List<java.util.concurrent.Future<TxResult>> futures = new java.util.ArrayList<>();
            long timelock = chainNow() + 3600;
            // The chain is halted while the 6 are sent: they can only all be pending at once if no send waits for
            // an earlier one's inclusion (pipelining); a sequencer that waited would never get past the first.
            int mempoolBefore = chain.state().mempoolSize();
            long height = chain.height();
            chain.halt();
            List<TxResult> results = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                try {
                    for (int i = 0; i < 6; i++) {
                        long amount = 100 + i;
                        futures.add(pool.submit(() -> a.htlcChain().lock(new LockRequest(bob, "stake",
                                BigInteger.valueOf(amount), Secret.random().hashlock(), timelock, "eip155:1", "0xp"))));
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> chain.state().mempoolSize() == mempoolBefore + 6);
                    assertThat(chain.height()).as("no block while halted").isEqualTo(height);
                    assertThat(futures).noneMatch(java.util.concurrent.Future::isDone);
                } finally {
                    chain.resume();
                }
                for (var f : futures) results.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(results).extracting(TxResult::htlcId).doesNotHaveDuplicates();
            assertThat(chain.state().account(a.htlcChain().relayerAddress()).getSequence()).isEqualTo(seqBefore + 6);

            List<HtlcRecord> all = new java.util.ArrayList<>();
            String after = null;
            while (true) {
                List<HtlcRecord> page = a.htlcChain().list(after, 4);
                if (page.isEmpty()) break;
                assertThat(page.size()).isLessThanOrEqualTo(4);
                all.addAll(page);
                after = page.getLast().id();
            }
            assertThat(all).extracting(HtlcRecord::id).containsAll(results.stream().map(TxResult::htlcId).toList());
        }
    }

    @Test
    void aTransactionNotIncludedInTimeIsReportedPendingByHashAndReconciledOnceItLands() {
        CosmosSettings quick = settings().withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(1));
        PoolSettings pool = PoolSettings.cosmosDefaults().withConnections(4, 0).withHeightChecks(50, Duration.ZERO);
        try (CosmosAdapter a = new CosmosAdapter(quick, relayerKey, pool, registry, new InMemoryCursorStore(),
                Clock.system())) {
            String bob = devnet.account("bob").address("cosmos");
            List<io.evmore.core.chain.SignedTx> heard = new java.util.ArrayList<>();
            String pendingHash;
            chain.halt(); // the mempool accepts the tx, but no block will include it in time
            try {
                TxPendingException pending = org.assertj.core.api.Assertions.catchThrowableOfType(
                        TxPendingException.class, () -> a.htlcChain().lock(new LockRequest(bob, "stake",
                                BigInteger.valueOf(3), Secret.random().hashlock(), chainNow() + 3600, "eip155:1", "0x7"),
                                heard::add));
                assertThat(pending).as("inclusion timeout").isNotNull();
                pendingHash = pending.txHash();
                assertThat(pendingHash).isEqualTo(heard.getFirst().txHash()).matches("[0-9A-F]{64}");
                assertThat(pending).hasMessageContaining("not included within");
                // Not in a block (yet), still in the mempool: undecided, and asking again sends nothing new.
                assertThat(a.htlcChain().reconcile(intent(heard))).isInstanceOf(Reconciliation.Undecided.class);
            } finally {
                chain.resume();
            }
            // It lands after all: reconciling finds it with the created HTLC, so nothing is sent twice.
            await().atMost(Duration.ofSeconds(30)).until(() -> a.htlcChain().reconcile(intent(heard))
                    instanceof Reconciliation.Landed);
            TxResult landed = ((Reconciliation.Landed) a.htlcChain().reconcile(intent(heard))).result();
            assertThat(landed.txHash()).isEqualTo(pendingHash);
            assertThat(landed.htlcId()).matches("htlc_[0-9]+");
            assertThat(a.htlcChain().query(landed.htlcId()).orElseThrow().amount()).isEqualTo(BigInteger.valueOf(3));
            // The sequencer forgot its cached sequence; the next transaction still goes through.
            TxResult next = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(4),
                    Secret.random().hashlock(), chainNow() + 3600, "eip155:1", "0x8"));
            assertThat(a.htlcChain().query(next.htlcId()).orElseThrow().amount()).isEqualTo(BigInteger.valueOf(4));
        }
    }

    @Test
    void aRefusedWithdrawNamesTheContractErrorButNeverTheSecret() {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            String bob = devnet.account("bob").address("cosmos");
            Secret right = Secret.random();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(9), right.hashlock(),
                    chainNow() + 3600, "eip155:1", "0x9"));
            Secret wrong = Secret.random();
            assertThatThrownBy(() -> a.htlcChain().claim(locked.htlcId(), wrong)).isInstanceOf(PermanentException.class)
                    .hasMessageContaining("secret does not match hashlock")
                    .hasMessageNotContaining(wrong.hex()).hasMessageNotContaining(wrong.hex().toUpperCase());
            assertThat(a.htlcChain().query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.OPEN);
        }
    }

    @Test
    void aFullMempoolIsATransientRefusalAndConsumesNoSequence() {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            String bob = devnet.account("bob").address("cosmos");
            long seq = chain.state().account(a.htlcChain().relayerAddress()).getSequence();
            chain.mempoolCapacity(0);
            try {
                assertThatThrownBy(() -> a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.ONE,
                        Secret.random().hashlock(), chainNow() + 3600, "eip155:1", "0xa")))
                        .isInstanceOf(io.evmore.core.error.TransientException.class)
                        .isNotInstanceOf(PermanentException.class).hasMessageContaining("mempool is full");
            } finally {
                chain.mempoolCapacity(io.evmore.devnet.chain.CosmosChain.DEFAULT_MEMPOOL_CAPACITY);
            }
            assertThat(chain.state().account(a.htlcChain().relayerAddress()).getSequence()).isEqualTo(seq);
            TxResult r = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.TWO, Secret.random().hashlock(),
                    chainNow() + 3600, "eip155:1", "0xb"));
            assertThat(a.htlcChain().query(r.htlcId()).orElseThrow().amount()).isEqualTo(BigInteger.TWO);
        }
    }

    static io.evmore.core.swap.TxIntent intent(List<io.evmore.core.chain.SignedTx> journaled) {
        var i = io.evmore.core.swap.TxIntent.pending("s/LOCK", "s", ChainId.of(CHAIN), "COUNTER_LOCK",
                java.time.Instant.now());
        for (var t : journaled) i = i.broadcasting(t, java.time.Instant.now());
        return i;
    }

    @Test
    void aStoredCursorTheChainDoesNotHaveStopsTheFollowerLoudly() {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        cursors.save(new ChainCursor(ChainId.of(CHAIN), 1, "00".repeat(32)));
        try (CosmosAdapter a = adapter(cursors)) {
            a.follower().start(new RecordingListener(cursors));
            await().atMost(Duration.ofSeconds(30)).until(() -> a.follower().failure().isPresent());
            assertThat(a.follower().failure().get()).contains("does not match");
        }
    }
}
