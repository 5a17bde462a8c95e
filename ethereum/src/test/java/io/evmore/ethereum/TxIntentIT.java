package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Secret;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.TxIntent;
import io.evmore.pool.Endpoint;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/**
 * Intent-first sending and reconciliation against a real Hardhat node: the journal sees every signed transaction
 * before any node does, and {@link Web3jHtlcChain#reconcile} tells each outcome apart from the chain alone. Each
 * test reads its account's nonces itself (the class's tests run one after another; accounts 0-2 are the fixture's).
 */
class TxIntentIT extends OnHardhatChain {

    /** The engine's side: persists the intent with each signed transaction; may refuse (a database failure). */
    static final class Journal implements TxJournal {
        final AtomicReference<TxIntent> intent;
        final List<SignedTx> seen = new CopyOnWriteArrayList<>();
        final List<String> nodeKnewIt = new CopyOnWriteArrayList<>();
        volatile Predicate<Integer> refuse = n -> false; // by 0-based call number

        Journal(String action) {
            intent = new AtomicReference<>(TxIntent.pending("swap-1/" + action, "swap-1", HardhatChain.CHAIN, action,
                    Instant.now()));
        }

        @Override
        public void beforeBroadcast(SignedTx tx) {
            int n = seen.size();
            seen.add(tx);
            // what a node says about this hash while the journal holds it
            if (!chain.node.rpc("eth_getTransactionByHash", tx.txHash()).isNull()) nodeKnewIt.add(tx.txHash());
            intent.updateAndGet(i -> i.broadcasting(tx, Instant.now()));
            if (refuse.test(n)) throw new IllegalStateException("database unavailable");
        }

        TxIntent intent() {
            return intent.get();
        }
    }

    private static LockRequest lockRequest(Secret s) {
        return new LockRequest(chain.address(2), HtlcAbi.NATIVE, AMOUNT, s.hashlock(), chain.now() + 3600, "osmosis-1",
                "osmo1user");
    }

    /** The fixture's settings with {@code endpoint} as the only one and {@code confirmations}. */
    private static EthereumSettings onlyThrough(Endpoint endpoint, int confirmations) {
        EthereumSettings c = chain.settings;
        return new EthereumSettings(c.chain(), List.of(endpoint), c.pool(), c.contractAddress(), confirmations, c.pollInterval(),
                c.getLogsMaxRange(), c.startBlock(), c.fees(), c.receiptTimeout());
    }

    private static long txCount(int account, String block) {
        return Long.decode(chain.node.rpc("eth_getTransactionCount", chain.address(account), block).asText());
    }

    /** Transactions from {@code account} with {@code nonce} in the whole chain (every block, every transaction). */
    private static int minedWithNonce(int account, long nonce) {
        int n = 0;
        for (long b = 0; b <= chain.node.blockNumber(); b++) {
            var block = chain.node.rpc("eth_getBlockByNumber", "0x" + Long.toHexString(b), true);
            for (var t : block.get("transactions")) {
                if (t.get("from").asText().equalsIgnoreCase(chain.address(account))
                        && Long.decode(t.get("nonce").asText()) == nonce) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String selector(String signature) {
        return Hash.sha3String(signature).substring(2, 10);
    }

    @Test
    void journalSeesNonceHashAndSignedBytesBeforeAnyNodeKnowsTheTransaction() {
        Web3jHtlcChain relayer = chain.htlcChain(3);
        long nonce = txCount(3, "pending");
        Journal journal = new Journal("COUNTER_LOCK");
        TxResult locked = relayer.lock(lockRequest(Secret.random()), journal);
        assertThat(journal.seen).hasSize(1);
        SignedTx tx = journal.seen.get(0);
        assertThat(tx.nonce()).isEqualTo(nonce);
        assertThat(tx.txHash()).isEqualTo(locked.txHash());
        assertThat(Hash.sha3(tx.rawTx())).isEqualTo(tx.txHash());
        assertThat(journal.nodeKnewIt).as("the node did not know the tx while the journal held it").isEmpty();
        assertThat(chain.node.rpc("eth_getTransactionByHash", tx.txHash()).isNull()).as("and knows it now").isFalse();
        assertThat(tx.toString()).doesNotContain(tx.rawTx().substring(2, 40));
    }

    @Test
    void throwingJournalAbortsTheSendWithNothingBroadcastAndTheNonceIsReused() {
        Web3jHtlcChain relayer = chain.htlcChain(4);
        long nonce = txCount(4, "pending");
        Journal refusing = new Journal("COUNTER_LOCK");
        refusing.refuse = n -> true;
        assertThatThrownBy(() -> relayer.lock(lockRequest(Secret.random()), refusing))
                .isInstanceOf(TransientException.class).hasMessageContaining("nothing was broadcast");
        String aborted = refusing.seen.get(0).txHash();
        assertThat(chain.node.rpc("eth_getTransactionByHash", aborted).isNull()).as("never broadcast").isTrue();
        assertThat(txCount(4, "pending")).isEqualTo(nonce);

        Journal next = new Journal("COUNTER_LOCK");
        TxResult locked = relayer.lock(lockRequest(Secret.random()), next);
        assertThat(next.seen.get(0).nonce()).as("the aborted nonce is free and used").isEqualTo(nonce);
        assertThat(Long.decode(chain.node.rpc("eth_getTransactionByHash", locked.txHash()).get("nonce").asText())).isEqualTo(nonce);
    }

    @Test
    void erc20ApproveBeforeATokenLockIsNotJournaled() {
        String token = chain.deployTest("TestToken");
        int account = 5;
        // fund the relayer's account with tokens (TestToken mints to whoever asks)
        chain.transactor(account).send(new EthereumTransactor.TxRequest(token, BigInteger.ZERO,
                org.web3j.abi.FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("mint", List.of(
                        new org.web3j.abi.datatypes.Address(chain.address(account)),
                        new org.web3j.abi.datatypes.generated.Uint256(AMOUNT)), List.of())), null, "mint"));
        Web3jHtlcChain relayer = chain.htlcChain(account);
        assertThat(relayer.balance(token)).isEqualTo(AMOUNT);
        long nonce = txCount(account, "pending");
        Journal journal = new Journal("COUNTER_LOCK");
        TxResult locked = relayer.lock(new LockRequest(chain.address(2), token, AMOUNT, Secret.random().hashlock(),
                chain.now() + 3600, "osmosis-1", "osmo1user"), journal);
        assertThat(txCount(account, "latest")).as("approve + lock").isEqualTo(nonce + 2);
        assertThat(journal.seen).as("only the lock").hasSize(1);
        assertThat(journal.seen.get(0).nonce()).isEqualTo(nonce + 1);
        assertThat(journal.seen.get(0).txHash()).isEqualTo(locked.txHash());
        assertThat(relayer.balance(token)).isZero();
    }

    @Test
    void landedLockReconcilesWithItsLockIdOnceConfirmed() {
        Journal journal = new Journal("COUNTER_LOCK");
        TxResult locked = chain.htlcChain(6).lock(lockRequest(Secret.random()), journal);
        // the same account, reconciling with 3 confirmations required: the lock has 1
        Web3jHtlcChain strict = new Web3jHtlcChain(chain.settings.withConfirmations(3), chain.pool, chain.transactor(6));
        assertThat(strict.reconcile(journal.intent())).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                u -> assertThat(u.reason()).contains("waiting for 3 confirmations"));
        chain.node.mine(2);
        assertThat(strict.reconcile(journal.intent())).isEqualTo(new Reconciliation.Landed(locked));
        assertThat(locked.htlcId()).matches("0x[0-9a-f]{64}");
    }

    @Test
    void landedClaimReconcilesWithTheHtlcId() {
        Secret secret = Secret.random();
        TxResult locked = chain.htlcChain(1).lock(lockRequest(secret));
        Web3jHtlcChain relayer = chain.htlcChain(7);
        Journal journal = new Journal("SOURCE_CLAIM");
        TxResult claimed = relayer.claim(locked.htlcId(), secret, journal);
        assertThat(relayer.reconcile(journal.intent())).isEqualTo(new Reconciliation.Landed(claimed));
        assertThat(claimed.htlcId()).isEqualTo(locked.htlcId());
    }

    @Test
    void claimMinedWithAWrongPreimageIsRevertedWithItsReason() {
        TxResult locked = chain.htlcChain(1).lock(lockRequest(Secret.random()));
        Web3jHtlcChain relayer = chain.htlcChain(8);
        Journal journal = new Journal("SOURCE_CLAIM");
        // a fixed gas limit skips estimation, so the failing claim is mined (status 0) instead of refused up front
        var request = new EthereumTransactor.TxRequest(chain.htlc, BigInteger.ZERO,
                HtlcAbi.claim(locked.htlcId(), Secret.random()), BigInteger.valueOf(200_000), "claim");
        TxRevertedException e = org.junit.jupiter.api.Assertions.assertThrows(TxRevertedException.class,
                () -> relayer.transactor().send(request, journal));
        assertThat(e.txHash()).isEqualTo(journal.seen.get(0).txHash());
        assertThat(e.getMessage()).contains(selector("WrongPreimage(bytes32)"));
        Reconciliation r = relayer.reconcile(journal.intent());
        assertThat(r).isInstanceOfSatisfying(Reconciliation.Reverted.class, rv -> {
            assertThat(rv.txHash()).isEqualTo(e.txHash());
            assertThat(rv.reason()).contains(selector("WrongPreimage(bytes32)"));
        });
        assertThat(relayer.query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.OPEN);
    }

    /**
     * A receipt without {@code status} (a malformed or hostile answer; web3j reads it as a success) for a claim that
     * reverted: never Landed — the engine would record the source as claimed and never claim it. The endpoint is
     * refused; an honest one says Reverted.
     */
    @Test
    void aReceiptWithoutAStatusIsTheEndpointsFaultNeverALanding() throws Exception {
        TxResult locked = chain.htlcChain(1).lock(lockRequest(Secret.random()));
        Journal journal = new Journal("SOURCE_CLAIM");
        var request = new EthereumTransactor.TxRequest(chain.htlc, BigInteger.ZERO,
                HtlcAbi.claim(locked.htlcId(), Secret.random()), BigInteger.valueOf(200_000), "claim");
        assertThatThrownBy(() -> chain.htlcChain(8).transactor().send(request, journal)).isInstanceOf(TxRevertedException.class);
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            proxy.stripReceiptStatus = true;
            EthereumSettings s = onlyThrough(new Endpoint("no-status", proxy.url()), 1);
            try (var pool = Web3jConnections.pool("no-status", s, io.evmore.pool.PoolMetrics.unregistered(), Clock.system())) {
                io.evmore.pool.RpcCall<EthConnection, Boolean> statusOk =
                        c -> c.web3j().ethGetTransactionReceipt(journal.intent().txHash()).send().getTransactionReceipt().orElseThrow().isStatusOK();
                assertThat(pool.execute(statusOk)).as("control: web3j reads the stripped receipt as a success").isTrue();
                Web3jHtlcChain relayer = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(8), chain.metrics));
                assertThat(relayer.reconcile(journal.intent())).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                        u -> assertThat(u.reason()).contains("malformed receipt"));
            }
        }
        assertThat(chain.htlcChain(8).reconcile(journal.intent())).isInstanceOf(Reconciliation.Reverted.class);
    }

    @Test
    void claimThatSimulationShowsWouldRevertIsTxRevertedWithoutAHashAndNothingJournaled() {
        TxResult locked = chain.htlcChain(1).lock(lockRequest(Secret.random()));
        Journal journal = new Journal("SOURCE_CLAIM");
        assertThatThrownBy(() -> chain.htlcChain(8).claim(locked.htlcId(), Secret.random(), journal))
                .isInstanceOfSatisfying(TxRevertedException.class, e -> assertThat(e.txHash()).isNull())
                .hasMessageContaining(selector("WrongPreimage(bytes32)"));
        assertThat(journal.seen).isEmpty();
        assertThat(chain.htlcChain(8).reconcile(journal.intent()))
                .isEqualTo(new Reconciliation.NeverLanded("never signed"));
    }

    @Test
    void intentWhoseNonceWasTakenByAnotherTransactionNeverLanded() {
        Web3jHtlcChain relayer = chain.htlcChain(9);
        Journal journal = new Journal("DEST_REFUND");
        journal.refuse = n -> true; // signed and journaled, then the "crash": never broadcast
        assertThatThrownBy(() -> relayer.lock(lockRequest(Secret.random()), journal)).isInstanceOf(TransientException.class);
        long nonce = journal.intent().nonce();
        // another transaction of the same key takes that nonce
        TxResult other = chain.htlcChain(9).lock(lockRequest(Secret.random()));
        assertThat(Long.decode(chain.node.rpc("eth_getTransactionByHash", other.txHash()).get("nonce").asText())).isEqualTo(nonce);
        assertThat(relayer.reconcile(journal.intent()))
                .isEqualTo(new Reconciliation.NeverLanded("nonce " + nonce + " was used by another transaction (none of the 1 signed for this intent is included)"));
        assertThat(chain.node.rpc("eth_getTransactionByHash", journal.intent().txHash()).isNull())
                .as("reconcile did not re-broadcast a tx whose nonce is gone").isTrue();
    }

    /**
     * A landed counter-lock whose receipt a node does not show (its index lags, or a load balancer's backend is behind
     * the block) while the nonce is used at the confirmed height: "no receipt" is no evidence. The blocks are read, the
     * transaction is found in one, and the intent stays undecided instead of NeverLanded — which would have the engine
     * pay the counter-lock a second time.
     */
    @Test
    void aLandedLockWhoseReceiptANodeDoesNotShowIsNeverCalledNeverLanded() throws Exception {
        int account = 8;
        Journal journal = new Journal("COUNTER_LOCK");
        TxResult locked = chain.htlcChain(account).lock(lockRequest(Secret.random()), journal);
        chain.node.mine(3);
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            proxy.hideTransactions = true;
            EthereumSettings s = onlyThrough(new Endpoint("index-lags", proxy.url()), 2);
            try (var pool = Web3jConnections.pool("index-lags", s, io.evmore.pool.PoolMetrics.unregistered(), Clock.system())) {
                Web3jHtlcChain relayer = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(account), chain.metrics));
                io.evmore.pool.RpcCall<EthConnection, java.util.Optional<org.web3j.protocol.core.methods.response.TransactionReceipt>> receipt =
                        c -> c.web3j().ethGetTransactionReceipt(locked.txHash()).send().getTransactionReceipt();
                assertThat(pool.execute(receipt)).as("control: the node shows no receipt").isEmpty();
                assertThat(relayer.reconcile(journal.intent())).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                        u -> assertThat(u.reason()).contains("is in block " + locked.height()));
            }
        }
        assertThat(chain.htlcChain(account).reconcile(journal.intent())).as("an honest node: landed")
                .isEqualTo(new Reconciliation.Landed(locked));
    }

    /**
     * A node refuses a counter-lock as "nonce too low" although it took it (it passed the transaction on to its peers
     * first, or lies), and no endpoint shows the hash. Signed again at the next nonce, both would be mined: two
     * counter-locks with one hashlock, both claimable by the user. The journaled lock is never signed again at another
     * nonce; the call fails as "outcome unknown" and reconcile finds the one lock.
     */
    @Test
    void aLockRefusedAsNonceTooLowByANodeThatTookItIsNeverSignedAgainAtAnotherNonce() throws Exception {
        int account = 6;
        long before = txCount(account, "latest");
        Journal journal = new Journal("COUNTER_LOCK");
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            proxy.lieAboutSends.set(1);
            EthereumSettings s = onlyThrough(new Endpoint("liar", proxy.url()), 1);
            try (var pool = Web3jConnections.pool("liar", s, io.evmore.pool.PoolMetrics.unregistered(), Clock.system())) {
                Web3jHtlcChain relayer = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(account), chain.metrics));
                assertThatThrownBy(() -> relayer.lock(lockRequest(Secret.random()), journal)).isInstanceOf(TransientException.class)
                        .hasMessageContaining("not signed again at another nonce");
                assertThat(proxy.lieAboutSends.get()).as("the node lied").isZero();
            }
        }
        assertThat(txCount(account, "latest")).as("the lied-about lock was mined (automine), and only it").isEqualTo(before + 1);
        assertThat(journal.seen).hasSize(1);
        Reconciliation r = chain.htlcChain(account).reconcile(journal.intent());
        assertThat(r).isInstanceOfSatisfying(Reconciliation.Landed.class,
                l -> assertThat(l.result().txHash()).isEqualTo(journal.seen.get(0).txHash()));
    }

    /** A node still building its transaction index refuses receipt reads: reconcile is undecided, the step does not fail. */
    @Test
    void aNodeRefusingReceiptsWhileItIndexesLeavesTheIntentUndecided() throws Exception {
        int account = 7;
        Journal journal = new Journal("COUNTER_LOCK");
        TxResult locked = chain.htlcChain(account).lock(lockRequest(Secret.random()), journal);
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            proxy.receiptsIndexing = true;
            EthereumSettings s = onlyThrough(new Endpoint("indexing", proxy.url()), 1);
            try (var pool = Web3jConnections.pool("indexing", s, io.evmore.pool.PoolMetrics.unregistered(), Clock.system())) {
                Web3jHtlcChain relayer = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(account), chain.metrics));
                assertThat(relayer.reconcile(journal.intent())).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                        u -> assertThat(u.reason()).contains("transaction indexing is in progress"));
            }
        }
        assertThat(chain.htlcChain(account).reconcile(journal.intent())).isEqualTo(new Reconciliation.Landed(locked));
    }

    @Test
    void journaledButNeverBroadcastIntentIsReBroadcastAsIsThenLandsExactlyOnce() {
        int account = 3;
        Web3jHtlcChain relayer = chain.htlcChain(account);
        Journal journal = new Journal("COUNTER_LOCK");
        journal.refuse = n -> true;
        assertThatThrownBy(() -> relayer.lock(lockRequest(Secret.random()), journal)).isInstanceOf(TransientException.class);
        TxIntent intent = journal.intent();
        assertThat(chain.node.rpc("eth_getTransactionByHash", intent.txHash()).isNull()).isTrue();

        long blockBefore = chain.node.blockNumber();
        Reconciliation first = relayer.reconcile(intent);
        assertThat(first).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                u -> assertThat(u.reason()).contains("re-broadcast tx " + intent.txHash()));
        assertThat(chain.node.blockNumber()).as("the re-broadcast bytes were mined (automine)").isGreaterThan(blockBefore);

        Reconciliation second = relayer.reconcile(intent);
        assertThat(second).isInstanceOf(Reconciliation.Landed.class);
        TxResult landed = ((Reconciliation.Landed) second).result();
        assertThat(landed.txHash()).isEqualTo(intent.txHash());
        assertThat(relayer.query(landed.htlcId())).get().extracting(HtlcRecord::status).isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(minedWithNonce(account, intent.nonce())).as("one transaction with that nonce on chain").isEqualTo(1);
        assertThat(relayer.reconcile(intent)).as("asking again changes nothing").isEqualTo(second);
        assertThat(minedWithNonce(account, intent.nonce())).isEqualTo(1);
    }

    @Test
    void everyFeeBumpJoinsTheIntentAndReconcileFindsTheOneThatWasMined() throws Exception {
        int account = 4;
        EthereumSettings s = chain.settings.withFees(GasPolicy.defaults().withEscalateAfter(Duration.ofMillis(300)));
        Web3jHtlcChain relayer = new Web3jHtlcChain(s, chain.pool, chain.transactor(s, account));
        Journal journal = new Journal("COUNTER_LOCK");
        // the first send and one bump reach the node; from the third signature on, the journal refuses: those bumps are
        // journaled but never broadcast, so the mined one is not the intent's latest hash
        journal.refuse = n -> n >= 2;
        chain.node.setAutomine(false);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TxResult> sending;
            try {
                sending = ex.submit(() -> relayer.lock(lockRequest(Secret.random()), journal));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> journal.seen.size() >= 4);
                TxIntent pending = journal.intent();
                assertThat(pending.hashes()).as("each bump signed anew").hasSizeGreaterThanOrEqualTo(3);
                assertThat(journal.seen).extracting(SignedTx::nonce).containsOnly(pending.nonce());
                assertThat(relayer.reconcile(pending)).isInstanceOfSatisfying(Reconciliation.Undecided.class,
                        u -> assertThat(u.reason()).contains("pending"));
            } finally {
                chain.node.setAutomine(true);
            }
            chain.node.mine(1);
            TxResult locked = sending.get(30, TimeUnit.SECONDS);
            TxIntent intent = journal.intent();
            String mined = journal.seen.get(1).txHash();
            assertThat(locked.txHash()).isEqualTo(mined);
            assertThat(intent.txHash()).as("the latest journaled hash was never broadcast").isNotEqualTo(mined);
            assertThat(relayer.reconcile(intent)).isEqualTo(new Reconciliation.Landed(locked));
            assertThat(minedWithNonce(account, intent.nonce())).isEqualTo(1);
        }
    }

    @Test
    void contractBalanceAndLatestBlockTime() {
        Web3jHtlcChain relayer = chain.htlcChain(5);
        assertThat(relayer.contract()).isEqualTo(chain.htlc);
        assertThat(relayer.balance(HtlcAbi.NATIVE)).isEqualTo(chain.ethBalance(chain.address(5)));
        assertThat(relayer.latestBlockTime()).isEqualTo(chain.now());
    }
}
