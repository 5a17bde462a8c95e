package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** Nonce pipelining, nonce recovery and fee escalation against a real Hardhat node. */
class EthereumTransactorIT extends OnHardhatChain {

    private static EthereumTransactor.TxRequest transfer(String to, long wei) {
        return new EthereumTransactor.TxRequest(to, BigInteger.valueOf(wei), "0x", BigInteger.valueOf(21_000), "transfer");
    }

    /** The test chain's settings with one endpoint, {@code proxy}, and {@code pool}'s settings. */
    private static EthereumSettings through(FaultyRpcProxy proxy, String name, io.evmore.pool.PoolSettings pool) {
        return new EthereumSettings(chain.settings.chain(), List.of(new io.evmore.pool.Endpoint(name, proxy.url())), pool,
                chain.settings.contractAddress(), 1, chain.settings.pollInterval(), 50, 0, chain.settings.fees(),
                chain.settings.receiptTimeout());
    }

    private static io.evmore.pool.EndpointPool<EthConnection> poolOf(String name, EthereumSettings s) {
        return Web3jConnections.pool(name, s, io.evmore.pool.PoolMetrics.unregistered(), io.evmore.core.port.Clock.system());
    }

    private static long nonceOf(String txHash) {
        return Long.decode(chain.node.rpc("eth_getTransactionByHash", txHash).get("nonce").asText());
    }

    private static long txCount(int account, String block) {
        return Long.decode(chain.node.rpc("eth_getTransactionCount", chain.address(account), block).asText());
    }

    @Test
    void twoHundredConcurrentTransactionsFromOneAccountArePipelinedAndAllMinedWithConsecutiveNonces() throws Exception {
        EthereumTransactor tx = chain.transactor(4);
        long start = txCount(4, "pending");
        List<Future<TransactionReceipt>> futures = new ArrayList<>();
        // Mining is stopped while the 200 are sent: they can only all be pending at once if no send waits for an
        // earlier receipt (pipelining); a sender that serialised on receipts would never get past the first.
        chain.node.setAutomine(false);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    futures.add(ex.submit(() -> tx.send(transfer(chain.address(5), 1 + n))));
                }
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> txCount(4, "pending") == start + 200);
                assertThat(txCount(4, "latest")).as("nothing mined yet").isEqualTo(start);
                assertThat(futures).noneMatch(Future::isDone);
            } finally {
                chain.node.setAutomine(true);
            }
            chain.node.mine(1); // one block takes all 200 (4.2 M gas of the 30 M limit)
            List<Long> nonces = new ArrayList<>();
            for (Future<TransactionReceipt> f : futures) {
                TransactionReceipt r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.isStatusOK()).isTrue();
                nonces.add(nonceOf(r.getTransactionHash()));
            }
            assertThat(nonces).hasSize(200).doesNotHaveDuplicates();
            assertThat(nonces.stream().sorted().toList())
                    .isEqualTo(java.util.stream.LongStream.range(start, start + 200).boxed().toList());
        }
        assertThat(txCount(4, "latest")).isEqualTo(start + 200);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} lost answer(s)")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void broadcastWhoseAnswerWasLostIsNotSentTwice(int lost) throws Exception {
        // 1: the pool's retry is refused as "nonce too low"; 3: every attempt of the pool (3) loses its answer
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            // breaker threshold 5 > 3 attempts, as in the guide's defaults: the endpoint stays usable
            EthereumSettings s = through(proxy, "lossy", chain.settings.pool().withBreaker(5, Duration.ofSeconds(2)));
            try (var pool = poolOf("lossy", s)) {
                EthereumTransactor tx = new EthereumTransactor(s, pool, chain.credentials(2), chain.metrics);
                long before = txCount(2, "latest");
                proxy.loseSendAnswers.set(lost); // the node mines it (automine), the answer is lost, the pool re-sends
                TransactionReceipt r = tx.send(transfer(chain.address(5), 13));
                assertThat(r.isStatusOK()).isTrue();
                assertThat(proxy.loseSendAnswers.get()).as("the lost answer happened").isZero();
                assertThat(txCount(2, "latest")).as("exactly one transaction was sent").isEqualTo(before + 1);
                assertThat(nonceOf(r.getTransactionHash())).isEqualTo(before);
            }
        }
    }

    @Test
    void theBaseFeeIsAskedWhileTheNodeEstimatesGas() throws Exception {
        // Whichever of the estimate and the base fee read reaches the node first is held until the other has arrived: a
        // transactor that asks one after the other waits out the hold (5 s). Reaction time: docs/BENCHMARKS.md.
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            EthereumSettings s = through(proxy, "proxy", chain.settings.pool());
            try (var pool = poolOf("proxy", s)) {
                EthereumTransactor tx = new EthereumTransactor(s, pool, chain.credentials(2), chain.metrics);
                proxy.holdPair("eth_estimateGas", "eth_getBlockByNumber");
                TransactionReceipt r = tx.send(new EthereumTransactor.TxRequest(chain.address(5), BigInteger.valueOf(17),
                        "0x", null, "estimated transfer"));
                assertThat(r.isStatusOK()).isTrue();
                assertThat(proxy.pairSeen()).as("the gas was estimated and the base fee read").isTrue();
                assertThat(proxy.pairApart).as("the two were asked side by side, not one after the other").isFalse();
            }
        }
    }

    @Test
    void aRevertingEstimateIsTheErrorEvenWithTheBaseFeeReadBesideIt() {
        // A call the HTLC contract refuses (no such function): the node's estimate reverts, and that is what the caller
        // hears (nothing signed, nothing sent), whatever became of the base fee read made beside it.
        EthereumTransactor tx = chain.transactor(2);
        long before = txCount(2, "pending");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tx.send(new EthereumTransactor.TxRequest(
                        chain.settings.contractAddress(), BigInteger.ZERO, "0xdeadbeef", null, "no such function")))
                .isInstanceOfSatisfying(io.evmore.core.chain.TxRevertedException.class,
                        e -> assertThat(e.txHash()).isNull())
                .hasMessageContaining("would revert (nothing was sent)");
        assertThat(txCount(2, "pending")).as("nothing was sent").isEqualTo(before);
    }

    @Test
    void recoversFromNonceTooLowWhenTheKeyIsUsedElsewhere() {
        EthereumTransactor ours = chain.transactor(6);
        ours.send(transfer(chain.address(5), 1)); // nonce manager now caches the next nonce
        // Another process with the same key sends a transaction: our cached nonce is stale.
        EthereumTransactor other = new EthereumTransactor(chain.settings, chain.pool, chain.credentials(6), chain.metrics);
        other.send(transfer(chain.address(5), 2));
        double resyncsBefore = resyncs();
        TransactionReceipt r = ours.send(transfer(chain.address(5), 3));
        assertThat(r.isStatusOK()).isTrue();
        assertThat(resyncs()).isEqualTo(resyncsBefore + 1);
    }

    @Test
    void stuckTransactionIsEscalatedAndTheReplacementIsMinedWhenMiningResumes() throws Exception {
        EthereumSettings s = chain.settings.withFees(GasPolicy.defaults().withEscalateAfter(Duration.ofMillis(700)));
        EthereumTransactor tx = new EthereumTransactor(s, chain.pool, chain.credentials(7), chain.metrics);
        chain.node.setAutomine(false);
        try {
            EthereumTransactor.SentTx sent = tx.submit(transfer(chain.address(5), 42));
            GasPolicy.Fees first = sent.fees();
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<TransactionReceipt> receipt = ex.submit(() -> tx.await(sent));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> sent.hashes().size() >= 3);
                chain.node.setAutomine(true);
                chain.node.mine(1);
                TransactionReceipt r = receipt.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.isStatusOK()).isTrue();
                assertThat(sent.hashes()).contains(r.getTransactionHash());
                assertThat(r.getTransactionHash()).isNotEqualTo(sent.hashes().get(0));
                assertThat(nonceOf(r.getTransactionHash())).isEqualTo(sent.nonce());
                assertThat(sent.fees().maxFeePerGas()).isGreaterThan(first.maxFeePerGas());
                assertThat(sent.fees().maxPriorityFeePerGas()).isGreaterThan(first.maxPriorityFeePerGas());
                // exactly one transaction with that nonce was mined: the others were replaced
                assertThat(Long.decode(chain.node.rpc("eth_getTransactionCount", chain.address(7), "latest").asText()))
                        .isEqualTo(sent.nonce() + 1);
            }
        } finally {
            chain.node.setAutomine(true);
        }
        assertThat(escalations()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void receiptIsReturnedOnlyAfterTheConfiguredConfirmations() throws Exception {
        EthereumTransactor tx = new EthereumTransactor(chain.settings.withConfirmations(3), chain.pool,
                chain.credentials(8), chain.metrics);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            long mined = txCount(8, "latest");
            Future<TransactionReceipt> f = ex.submit(() -> tx.send(transfer(chain.address(5), 7)));
            // mined at once (automine), with 1 confirmation of the 3 required
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> txCount(8, "latest") == mined + 1);
            // Control in the same window: a transaction mined after ours, by a transactor that needs 1 confirmation,
            // does come back. Ours then has 2 of its 3 confirmations and must still be waiting.
            EthereumTransactor control = new EthereumTransactor(chain.settings.withConfirmations(1), chain.pool,
                    chain.credentials(3), chain.metrics);
            TransactionReceipt c = ex.submit(() -> control.send(transfer(chain.address(5), 8)))
                    .get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(c.isStatusOK()).isTrue();
            assertThat(f.isDone()).as("returned with 2 of 3 confirmations").isFalse();
            chain.node.mine(2);
            TransactionReceipt r = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(chain.node.blockNumber() - r.getBlockNumber().longValueExact() + 1).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void journalHearsNonceAndHashBeforeTheNodeSeesTheTransaction() {
        EthereumTransactor tx = chain.transactor(2);
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        long nonce = txCount(2, "pending");
        TransactionReceipt r = tx.send(transfer(chain.address(5), 11), signed -> {
            boolean nodeHasIt = !chain.node.rpc("eth_getTransactionByHash", signed.txHash()).isNull();
            calls.add(signed.nonce() + " " + signed.txHash() + " known=" + nodeHasIt);
        });
        assertThat(r.isStatusOK()).isTrue();
        assertThat(nonceOf(r.getTransactionHash())).isEqualTo(nonce);
        assertThat(calls).containsExactly(nonce + " " + r.getTransactionHash().toLowerCase() + " known=false");
    }

    @Test
    void transactionReorgedOutIsResentAndConfirmedOnTheNewChain() throws Exception {
        EthereumSettings s = chain.settings.withConfirmations(2)
                .withFees(GasPolicy.defaults().withEscalateAfter(Duration.ofMillis(500)));
        EthereumTransactor tx = new EthereumTransactor(s, chain.pool, chain.credentials(9), chain.metrics);
        String snapshot = chain.node.snapshot();
        EthereumTransactor.SentTx sent = tx.submit(transfer(chain.address(5), 9)); // mined in the next block
        String firstHash = sent.latestHash();
        assertThat(chain.node.rpc("eth_getTransactionReceipt", firstHash).isNull()).isFalse();
        chain.node.revert(snapshot); // that block is gone, and the transaction with it
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TransactionReceipt> f = ex.submit(() -> tx.await(sent));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> sent.hashes().size() >= 2);
            chain.node.mine(1);
            TransactionReceipt r = f.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.isStatusOK()).isTrue();
            assertThat(r.getTransactionHash()).isNotEqualTo(firstHash);
            assertThat(nonceOf(r.getTransactionHash())).isEqualTo(sent.nonce());
        }
    }

    @Test
    void transactionReplacedByAnotherUseOfTheKeyIsReportedAndTheNextNonceStillWorks() throws Exception {
        EthereumSettings s = chain.settings.withFees(GasPolicy.defaults().withEscalateAfter(Duration.ofMillis(300)));
        EthereumTransactor tx = new EthereumTransactor(s, chain.pool, chain.credentials(3), chain.metrics);
        chain.node.setAutomine(false);
        EthereumTransactor.SentTx ours;
        try {
            ours = tx.submit(transfer(chain.address(5), 11));
            // someone else holding the same key replaces it with a much better-paid transaction of the same nonce
            org.web3j.crypto.RawTransaction raw = org.web3j.crypto.RawTransaction.createTransaction(31337,
                    BigInteger.valueOf(ours.nonce()), BigInteger.valueOf(21_000), chain.address(6), BigInteger.ONE, "0x",
                    GasPolicy.gwei(50), GasPolicy.gwei(200));
            String signed = org.web3j.utils.Numeric.toHexString(
                    org.web3j.crypto.TransactionEncoder.signMessage(raw, chain.credentials(3)));
            chain.node.rpc("eth_sendRawTransaction", signed);
            chain.node.mine(1);
        } finally {
            chain.node.setAutomine(true);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tx.await(ours))
                .isInstanceOf(io.evmore.core.error.PermanentException.class)
                .hasMessageContaining("nonce " + ours.nonce() + " was used by a transaction that is not one of ours");
        TransactionReceipt next = tx.send(transfer(chain.address(5), 12));
        assertThat(nonceOf(next.getTransactionHash())).isEqualTo(ours.nonce() + 1);
    }

    @Test
    void credentialsNeverAppearInToString() {
        Credentials c = chain.credentials(6);
        EthereumTransactor tx = chain.transactor(6);
        String key = chain.node.devPrivateKeys().get(6).substring(2);
        assertThat(tx.toString()).doesNotContain(key);
        assertThat(c.getAddress()).isEqualTo(chain.address(6));
    }

    private static double resyncs() {
        return counter("evmore_chain_nonce_resyncs");
    }

    private static double escalations() {
        return counter("evmore_chain_tx_escalations");
    }

    private static double counter(String name) {
        return chain.prometheus.scrape().stream().filter(m -> m.getMetadata().getName().equals(name))
                .flatMap(m -> m.getDataPoints().stream())
                .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }
}
