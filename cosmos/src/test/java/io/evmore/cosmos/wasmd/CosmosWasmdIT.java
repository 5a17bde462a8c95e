package io.evmore.cosmos.wasmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxResult;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.HtlcLifecycleChecks;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.events.CosmosEventFollower;
import io.evmore.cosmos.events.DroppedEvents;
import io.evmore.cosmos.events.HtlcEventDecoder;
import io.evmore.cosmos.events.IbcEventDecoder;
import io.evmore.cosmos.ibc.SentTransfers;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.TxBuilder;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateRequest;
import io.evmore.devnet.TestAccount;
import io.evmore.devnet.wasmd.WasmdChain;
import io.evmore.devnet.wasmd.WasmdNetwork;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Cosmos adapter against a real wasmd 0.54 node (SDK 0.50, CometBFT 0.38) running the project's compiled contract
 * in wasmvm: keys, bank send, the HTLC lifecycle through {@code CosmWasmHtlcChain}, reconcile, the event follower
 * (websocket and {@code tx_search} catch-up) and a stale account sequence caused by another client (wasmd's own CLI)
 * signing with the relayer's key. Needs {@code scripts/wasmd.sh}; fails (never skips) without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosmosWasmdIT {
    static final String CHAIN = "wasmd-it-1";
    WasmdNetwork net;
    WasmdChain chain;
    CosmosSigner relayerKey;
    String bob;
    final PrometheusRegistry registry = new PrometheusRegistry();

    @BeforeAll
    void start() {
        net = WasmdNetwork.start(CHAIN);
        chain = net.chain(CHAIN);
        relayerKey = CosmosSigner.fromMnemonic(chain.account("relayer").mnemonic());
        bob = chain.address("bob");
    }

    @AfterAll
    void stop() {
        if (net != null) net.close();
    }

    CosmosSettings settings() {
        return CosmosSettings.of(ChainId.of(CHAIN), WasmdChain.PREFIX, "stake", List.of(chain.rpcUrl()),
                WasmdChain.MIN_GAS_PRICE, chain.htlcContractAddress())
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20));
    }

    CosmosAdapter adapter(InMemoryCursorStore cursors) {
        return adapter(settings());
    }

    CosmosAdapter adapter(CosmosSettings s) {
        PoolSettings pool = PoolSettings.cosmosDefaults().withConnections(4, 0).withHeightChecks(50, Duration.ZERO);
        return new CosmosAdapter(s, relayerKey, pool, registry, new InMemoryCursorStore(), Clock.system());
    }

    static TxIntent intentOf(List<SignedTx> journaled) {
        TxIntent i = TxIntent.pending("w/COUNTER_LOCK", "w", ChainId.of(CHAIN), "COUNTER_LOCK", Instant.now());
        for (SignedTx t : journaled) i = i.broadcasting(t, Instant.now());
        return i;
    }

    /** The chain's clock: the latest block time (wasmd's block time is wall-clock time). */
    long chainNow(CosmosAdapter a) {
        return a.htlcChain().latestBlockTime();
    }

    @Test
    void everyPortOfTheNodeIsOnLoopbackAndFree() {
        assertThat(chain.ports().keySet()).contains("rpc.laddr", "p2p.laddr", "rpc.pprof_laddr", "api.address",
                "grpc.address");
        List<String> listening = chain.listeningAddresses();
        assertThat(listening).isNotEmpty();
        // /proc/net/tcp shows 127.0.0.1 as 0100007F; anything else (0.0.0.0, ::) would be reachable from outside.
        assertThat(listening).allSatisfy(a -> assertThat(a).startsWith("0100007F:"));
        List<Integer> ports = listening.stream().map(a -> Integer.parseInt(a.substring(a.indexOf(':') + 1), 16)).toList();
        assertThat(chain.ports().values()).containsAll(ports);
    }

    @Test
    void twoChainsStartSideBySideOnDistinctPortsEachWithTheContractAndStopCleanly() {
        List<Long> pids = new ArrayList<>();
        try (WasmdNetwork two = WasmdNetwork.start("wasmd-x-1", "wasmd-x-2")) {
            WasmdChain x1 = two.chain("wasmd-x-1");
            WasmdChain x2 = two.chain("wasmd-x-2");
            assertThat(x1.rpcGet("/status").at("/result/node_info/network").asText()).isEqualTo("wasmd-x-1");
            assertThat(x2.rpcGet("/status").at("/result/node_info/network").asText()).isEqualTo("wasmd-x-2");
            assertThat(x1.ports().values()).doesNotContainAnyElementsOf(x2.ports().values())
                    .doesNotContainAnyElementsOf(chain.ports().values());
            for (WasmdChain c : two.chains()) {
                assertThat(c.codeId()).isEqualTo(1);
                assertThat(c.htlcContractAddress()).isEqualTo(chain.htlcContractAddress()); // code 1, instance 1
                assertThat(c.balance(c.address("relayer"), "stake")).isEqualTo(WasmdNetwork.FUNDING);
                pids.add(c.nodePid());
            }
        }
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(
                java.util.Optional.of(true)));
        assertThat(chain.isRunning()).as("closing other chains leaves this one running").isTrue();
    }

    @Test
    void addressesAreTheOnesWasmdKeysDerives() {
        for (TestAccount account : chain.accounts()) {
            String wasmd = chain.cli("keys", "show", account.name(), "-a", "--keyring-backend", "test").strip();
            assertThat(CosmosSigner.fromMnemonic(account.mnemonic()).address(WasmdChain.PREFIX).toString())
                    .as(account.name()).isEqualTo(wasmd);
        }
    }

    @Test
    void aBankSendIsSignedSimulatedBroadcastAndIncluded() {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            BigInteger before = chain.balance(bob, "stake");
            TxOutcome out = a.submitter().submit(List.of(CosmosMessages.send(a.submitter().address(), bob,
                    CosmosMessages.coin("stake", BigInteger.valueOf(1234)))), "evmore wasmd test");
            assertThat(out.result().ok()).isTrue();
            assertThat(chain.balance(bob, "stake")).isEqualTo(before.add(BigInteger.valueOf(1234)));
            assertThat(chain.tx(out.hash())).isPresent();
        }
    }

    @Test
    void createWithdrawRefundOnTheRealContractAreExecutedReconciledAndFollowed() {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosAdapter a = adapter(cursors)) {
            RecordingListener listener = new RecordingListener(cursors);
            a.follower().start(listener);
            Secret secret = Secret.random();
            List<SignedTx> journaled = new ArrayList<>();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(1000),
                    secret.hashlock(), chainNow(a) + 3600, "eip155:1", "0xabc"), journaled::add);
            HtlcLifecycleChecks.assertOpenLock(a.htlcChain(), locked, bob, BigInteger.valueOf(1000), secret);
            TxIntent intent = TxIntent.pending("s/COUNTER_LOCK", "s", ChainId.of(CHAIN), "COUNTER_LOCK", Instant.now())
                    .broadcasting(journaled.getFirst(), Instant.now());
            assertThat(a.htlcChain().reconcile(intent)).isEqualTo(new Reconciliation.Landed(locked));

            BigInteger bobBefore = chain.balance(bob, "stake");
            TxResult claimed = a.htlcChain().claim(locked.htlcId(), secret);
            assertThat(chain.balance(bob, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(1000)));
            assertThat(a.htlcChain().query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
            // The contract refuses a second withdraw in simulation: a revert without a hash, the contract's text.
            assertThatThrownBy(() -> a.htlcChain().claim(locked.htlcId(), secret))
                    .isInstanceOfSatisfying(TxRevertedException.class, e -> assertThat(e.txHash()).isNull())
                    .hasMessageContaining("is not open (it is withdrawn)").hasMessageNotContaining("rpc error");

            TxResult shortLock = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(7),
                    Secret.random().hashlock(), chainNow(a) + 3, "eip155:1", "0xdef"));
            assertThatThrownBy(() -> a.htlcChain().refund(shortLock.htlcId())).isInstanceOf(TxRevertedException.class)
                    .hasMessageContaining("has not expired yet");
            long timelock = a.htlcChain().query(shortLock.htlcId()).orElseThrow().timelock();
            await().atMost(Duration.ofSeconds(30)).until(() -> chainNow(a) >= timelock);
            TxResult refunded = a.htlcChain().refund(shortLock.htlcId());
            assertThat(a.htlcChain().query(shortLock.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
            assertThat(a.htlcChain().query("htlc_999999")).isEmpty();
            assertThat(a.htlcChain().list(null, 30)).extracting(HtlcRecord::id).contains(locked.htlcId(), shortLock.htlcId());

            HtlcLifecycleChecks.assertFollowed(listener, a.rpc(), locked, secret, claimed, false, shortLock, refunded);
        }
    }

    @Test
    void theFollowerGetsBlocksOverTheWebsocketAndCrossesALongGapWithTxSearch() {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            long from = chain.height();
            String first = lock(a);
            String second = lock(a);
            long h = chain.height();
            chain.awaitHeight(h + 12, Duration.ofSeconds(30));
            DroppedEvents dropped = new DroppedEvents(registry);
            InMemoryCursorStore cursors = new InMemoryCursorStore();
            // Catch-up above 5 blocks; polling every 30 s, so blocks after the catch-up come from the websocket.
            try (CosmosEventFollower f = new CosmosEventFollower(ChainId.of(CHAIN), a.rpc(), cursors,
                    new HtlcEventDecoder(ChainId.of(CHAIN), chain.htlcContractAddress(), WasmdChain.PREFIX, dropped),
                    new IbcEventDecoder(ChainId.of(CHAIN), a.htlcChain().relayerAddress(), new SentTransfers(), dropped),
                    chain.htlcContractAddress(), List.of(URI.create(chain.websocketUrl())),
                    new CosmosEventFollower.Options(1, Duration.ofSeconds(30), Duration.ofSeconds(5), from, 5,
                            Duration.ofMillis(200)), CosmosEventFollower.Metrics.on(registry))) {
                RecordingListener l = new RecordingListener(cursors);
                f.start(l);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(l.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id())
                            .containsExactly(first, second);
                    assertThat(l.cursors().getLast().height()).isGreaterThan(h + 12);
                });
                List<ChainCursor> cs = l.cursors();
                // tx_search skipped the blocks without our transactions: the cursor jumped.
                boolean jumped = false;
                for (int i = 1; i < cs.size(); i++) jumped |= cs.get(i).height() > cs.get(i - 1).height() + 1;
                assertThat(jumped).as("cursor jumped over blocks during the tx_search catch-up: %s", cs).isTrue();
                // After the catch-up, new blocks arrive long before the 30 s poll: the websocket pushes them.
                long reached = cs.getLast().height();
                String third = lock(a);
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(l.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id()).contains(third);
                    assertThat(l.cursors().getLast().height()).isGreaterThan(reached + 3);
                });
                assertThat(CosmosEventFollower.Metrics.on(registry).websocketConnects(ChainId.of(CHAIN))).isPositive();
                assertThat(f.failure()).isEmpty();
            }
        }
    }

    /**
     * ISSUE 9: another client (wasmd's own CLI) signs with the relayer's key, so the adapter's cached sequence is stale;
     * a real SDK 0.50 node reports that in simulation as code 6 {@code sdk}. The next submit must still succeed, by one
     * resync. Before the fix (CosmosErrors mapped only code 32 to a mismatch) the code-6 answer was a
     * PermanentException and the cached sequence was kept: every later submit failed the same way.
     */
    @Test
    void aTransactionSentWithTheRelayersKeyByAnotherClientDoesNotStickTheAdapter() {
        try (CosmosAdapter a = adapter(new InMemoryCursorStore())) {
            String relayer = a.htlcChain().relayerAddress();
            lock(a); // the sequencer now caches the next sequence
            BigInteger bobBefore = chain.balance(bob, "stake");
            chain.cliTx("relayer", 200_000, "bank", "send", relayer, bob, "5stake");
            assertThat(chain.balance(bob, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(5)));
            // What makes this the ISSUE 9 case: the node answers the stale sequence's simulation with code 6 sdk (the
            // pre-fix CosmosErrors.toException mapped that to PermanentException, and AccountSequencer resyncs only on
            // SequenceMismatchException, so the cached sequence stayed and every later submit failed the same way).
            long stale = a.queries().requireAccount(relayer).sequence() - 1;
            var sim = a.rpc().abciQuery("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.newBuilder()
                    .setTxBytes(com.google.protobuf.ByteString.copyFrom(TxBuilder.simulationTx(relayerKey.publicKey(), stale,
                            List.of(CosmosMessages.send(relayer, bob, CosmosMessages.coin("stake", BigInteger.ONE))), "",
                            "stake"))).build().toByteArray(), 0);
            assertThat(sim.code()).isEqualTo(6);
            assertThat(sim.codespace()).isEqualTo("sdk");
            assertThat(sim.log()).startsWith("rpc error: code = Unknown desc = account sequence mismatch, expected "
                    + (stale + 1) + ", got " + stale).endsWith(": unknown request");
            double resyncs = ChainMetrics.on(registry).nonceResyncs.labelValues(CHAIN).get();
            String second = lock(a);
            assertThat(a.htlcChain().query(second)).isPresent();
            assertThat(ChainMetrics.on(registry).nonceResyncs.labelValues(CHAIN).get()).isEqualTo(resyncs + 1);
            // And it stays unstuck: the next ones go through without another resync.
            lock(a);
            assertThat(ChainMetrics.on(registry).nonceResyncs.labelValues(CHAIN).get()).isEqualTo(resyncs + 1);
        }
    }

    /**
     * A landed tx the node's tx index does not show (a lagging indexer in front of the real node: {@code tx} answers its
     * "not found"): the pre-fix reconciler called it NeverLanded once the sequence had moved; it is Landed, found by
     * hashing the real node's block txs and read from its {@code block_results} — before and after the timeout height.
     */
    @Test
    void aLandedTxTheIndexDoesNotShowIsFoundInTheRealNodesBlock() throws Exception {
        try (IndexHidingProxy proxy = new IndexHidingProxy(chain.rpcUrl());
                CosmosAdapter a = adapter(settings().withTimeoutBlocks(20))) {
            List<SignedTx> journaled = new ArrayList<>();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(31),
                    Secret.random().hashlock(), chainNow(a) + 3600, "eip155:1", "0xl"), journaled::add);
            SignedTx tx = journaled.getFirst();
            proxy.hide(tx.txHash());
            CosmosSettings viaProxy = CosmosSettings.of(ChainId.of(CHAIN), WasmdChain.PREFIX, "stake", List.of(proxy.url()),
                    WasmdChain.MIN_GAS_PRICE, chain.htlcContractAddress())
                    .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20)).withTimeoutBlocks(20);
            try (CosmosAdapter restarted = adapter(viaProxy)) {
                chain.awaitHeight(locked.height() + 2, Duration.ofSeconds(30));
                // Control: hidden from the index the reconciler asks, present on the node itself.
                assertThat(restarted.rpc().tx(tx.txHash())).isEmpty();
                assertThat(chain.tx(tx.txHash())).isPresent();
                assertThat(chain.height()).as("asking before the timeout height (machine too slow?)")
                        .isLessThan(tx.timeoutHeight() - 2);
                Reconciliation early = restarted.htlcChain().reconcile(intentOf(journaled));
                assertThat(early).isEqualTo(new Reconciliation.Landed(locked));
                chain.awaitHeight(tx.timeoutHeight() + 2, Duration.ofSeconds(30));
                assertThat(restarted.htlcChain().reconcile(intentOf(journaled))).isEqualTo(new Reconciliation.Landed(locked));
            }
        }
    }

    /**
     * Journaled, then the process died before the broadcast; the next tx took its sequence. On the real node: Undecided
     * while the chain is at or below the timeout height (the re-broadcast is refused: its sequence is used; the
     * blocks so far do not hold it), NeverLanded once past it, after reading every block of the range.
     */
    @Test
    void aJournaledNeverBroadcastTxWhoseSequenceWasTakenIsNeverLandedOnlyAfterItsTimeoutHeight() {
        try (CosmosAdapter a = adapter(settings().withTimeoutBlocks(40))) {
            List<SignedTx> journaled = new ArrayList<>();
            assertThatThrownBy(() -> a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(32),
                    Secret.random().hashlock(), chainNow(a) + 3600, "eip155:1", "0xn"), tx -> {
                        journaled.add(tx);
                        throw new IllegalStateException("crash between persisting the intent and broadcasting");
                    })).hasMessageContaining("crash between");
            SignedTx lost = journaled.getFirst();
            TxResult other = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(33),
                    Secret.random().hashlock(), chainNow(a) + 3600, "eip155:1", "0xo"));
            chain.awaitHeight(other.height() + 2, Duration.ofSeconds(30));
            Reconciliation before = a.htlcChain().reconcile(intentOf(journaled));
            long heightAfterAsking = chain.height();
            assertThat(heightAfterAsking).as("asked before the timeout height (machine too slow?)")
                    .isLessThanOrEqualTo(lost.timeoutHeight());
            assertThat(before).isInstanceOfSatisfying(Reconciliation.Undecided.class, u -> assertThat(u.reason())
                    .contains("sequence " + lost.nonce()).contains("waiting for timeout_height " + lost.timeoutHeight())
                    .contains("re-broadcast refused"));
            chain.awaitHeight(lost.timeoutHeight() + 2, Duration.ofSeconds(60));
            assertThat(a.htlcChain().reconcile(intentOf(journaled))).isInstanceOfSatisfying(Reconciliation.NeverLanded.class,
                    n -> assertThat(n.reason()).contains("blocks " + (lost.timeoutHeight() - 40) + ".." + lost.timeoutHeight()));
            assertThat(chain.tx(lost.txHash())).isEmpty();
            assertThat(a.htlcChain().query(other.htlcId())).isPresent();
        }
    }

    /**
     * The secret by query on the real contract: get_htlc's {@code secret} once withdrawn, and a withdraw found by
     * hashlock with {@code tx_search} on the node's index of the contract's {@code wasm} event — here of an HTLC made
     * and claimed by others with wasmd's own CLI (so the query syntax and attribute indexing are the real node's).
     */
    @Test
    void theSecretIsReadFromGetHtlcAndFoundByHashlockWithTxSearchOnTheRealNode() {
        try (CosmosAdapter a = adapter(settings())) {
            Secret secret = Secret.random();
            TxResult locked = a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.valueOf(34), secret.hashlock(),
                    chainNow(a) + 3600, "eip155:1", "0xs"));
            assertThat(a.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0)).isEmpty();
            assertThat(a.htlcChain().revealedSecret(secret.hashlock(), null, 0)).isEmpty();
            TxResult claimed = a.htlcChain().claim(locked.htlcId(), secret);
            HtlcRecord withdrawn = a.htlcChain().query(locked.htlcId()).orElseThrow();
            assertThat(withdrawn.secret()).isEqualTo(secret);
            assertThat(a.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0)).contains(secret);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    a.htlcChain().revealedSecret(secret.hashlock(), null, locked.height()).isPresent());
            assertThat(a.htlcChain().revealedSecret(secret.hashlock(), null, 0)).contains(secret);
            assertThat(a.htlcChain().revealedSecret(secret.hashlock(), null, claimed.height() + 1)).isEmpty();

            // An HTLC the relayer had no part in: alice creates it for bob with wasmd's CLI, bob withdraws with it.
            Secret other = Secret.random();
            String create = "{\"create_htlc\":{\"receiver\":\"" + bob + "\",\"hashlock\":\"" + other.hashlock().hex()
                    + "\",\"timelock\":" + (chainNow(a) + 3600) + ",\"target_chain\":\"eip155:1\",\"target_address\":\"0xc\"}}";
            var created = chain.cliTx("alice", 400_000, "wasm", "execute", chain.htlcContractAddress(), create,
                    "--amount", "35stake");
            String id = WasmdChain.attribute(created, "wasm", "htlc_id").orElseThrow();
            assertThat(a.htlcChain().revealedSecret(other.hashlock(), null, 0)).as("before the withdraw").isEmpty();
            chain.cliTx("bob", 400_000, "wasm", "execute", chain.htlcContractAddress(),
                    "{\"withdraw\":{\"htlc_id\":\"" + id + "\",\"secret\":\"" + other.hex() + "\"}}");
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    a.htlcChain().revealedSecret(other.hashlock(), null, 0).isPresent());
            assertThat(a.htlcChain().revealedSecret(other.hashlock(), null, 0)).contains(other);
            assertThat(a.htlcChain().revealedSecret(other.hashlock(), id, 0)).contains(other);
        }
    }

    String lock(CosmosAdapter a) {
        return a.htlcChain().lock(new LockRequest(bob, "stake", BigInteger.TEN, Secret.random().hashlock(),
                chainNow(a) + 3600, "eip155:1", "0xa")).htlcId();
    }
}
