package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Fee bids against a real Hardhat node: {@code speedUp} replaces a stuck transaction from its journaled intent alone
 * (a new {@link Web3jHtlcChain}, as after a restart), journaling the replacement before any node sees it; at the fee
 * cap, with a journal that throws, or for bytes that are not ours nothing is broadcast; sends at fee level N start at
 * the policy's level-N fees.
 *
 * <p>A transaction is made stuck the way a fee spike does it: mining on demand only, and the next block's base fee
 * raised above the transaction's maximum fee, so blocks are mined without it. Each test uses its own relayer account
 * (3..8); account 1 locks as the user, 2 receives counter-locks.
 */
class FeeBidsIT extends OnHardhatChain {
    /** The settings the relayer sends with: no in-process escalation (the engine's speedUp is under test), quick give-up. */
    static EthereumSettings settings;

    @BeforeAll
    static void feeSettings() {
        settings = chain.settings.withFees(GasPolicy.defaults().withEscalateAfter(Duration.ofMinutes(10)))
                .withReceiptTimeout(Duration.ofSeconds(2));
    }

    @AfterEach
    void mineAgain() {
        chain.node.setAutomine(true);
    }

    /** The engine's side: persists the intent with each signed transaction; may refuse (a database failure). */
    static final class Journal implements TxJournal {
        final AtomicReference<TxIntent> intent;
        final List<SignedTx> seen = new CopyOnWriteArrayList<>();
        final List<String> nodeKnewIt = new CopyOnWriteArrayList<>();
        volatile boolean refuse;

        Journal(TxIntent start) {
            intent = new AtomicReference<>(start);
        }

        Journal() {
            this(TxIntent.pending("swap-1/SOURCE_CLAIM", "swap-1", HardhatChain.CHAIN, "SOURCE_CLAIM", Instant.now()));
        }

        @Override
        public void beforeBroadcast(SignedTx tx) {
            seen.add(tx);
            if (known(tx.txHash())) nodeKnewIt.add(tx.txHash());
            if (refuse) throw new IllegalStateException("database unavailable");
            intent.updateAndGet(i -> i.broadcasting(tx, Instant.now()));
        }

        TxIntent intent() {
            return intent.get();
        }
    }

    /** A claim of the relayer's, journaled and broadcast, that the chain does not mine. */
    record Stuck(Web3jHtlcChain relayer, TxResult lock, Secret secret, TxIntent intent) {}

    /**
     * The user locks for the relayer ({@code account}); the relayer claims with the latest block's base fee at
     * {@code baseFeeAtSend}, then a block is mined at a base fee of 100 gwei without the claim. The claiming relayer
     * gives up waiting (receipt timeout), as a crashed or restarted one would.
     */
    private static Stuck stuckClaim(int account, EthereumSettings s, BigInteger baseFeeAtSend) throws Exception {
        Secret secret = Secret.random();
        TxResult locked = chain.htlcChain(1).lock(new LockRequest(chain.address(account), HtlcAbi.NATIVE, AMOUNT,
                secret.hashlock(), chain.now() + 3600, "osmosis-1", "osmo1user"));
        Web3jHtlcChain relayer = new Web3jHtlcChain(s, chain.pool, chain.transactor(s, account));
        chain.node.setAutomine(false);
        mineAtBaseFee(baseFeeAtSend);
        Journal journal = new Journal();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TxResult> claiming = ex.submit(() -> relayer.claim(locked.htlcId(), secret, journal));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> journal.seen.size() == 1 && known(journal.seen.get(0).txHash()));
            mineAtBaseFee(GasPolicy.gwei(100));
            assertThatThrownBy(() -> claiming.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TransientException.class)
                    .hasMessageContaining("not mined and confirmed");
        }
        TxIntent intent = journal.intent();
        assertThat(intent.hashes()).hasSize(1);
        assertThat(txCount(account, "latest")).as("blocks were mined, the claim was not").isEqualTo(intent.nonce());
        assertThat(pending(intent.txHash())).isTrue();
        return new Stuck(relayer, locked, secret, intent);
    }

    /** Mines one block (nothing below the base fee gets in) whose base fee is {@code fee}. */
    private static void mineAtBaseFee(BigInteger fee) {
        chain.node.rpc("hardhat_setNextBlockBaseFeePerGas", "0x" + fee.toString(16));
        chain.node.rpc("evm_mine");
    }

    private static Web3jHtlcChain restarted(EthereumSettings s, int account) {
        return new Web3jHtlcChain(s, chain.pool, new EthereumTransactor(s, chain.pool, chain.credentials(account), chain.metrics));
    }

    private static boolean known(String hash) {
        return !chain.node.rpc("eth_getTransactionByHash", hash).isNull();
    }

    private static boolean pending(String hash) {
        JsonNode t = chain.node.rpc("eth_getTransactionByHash", hash);
        return !t.isNull() && t.get("blockNumber").isNull();
    }

    private static BigInteger maxFee(String hash) {
        return Numeric.decodeQuantity(chain.node.rpc("eth_getTransactionByHash", hash).get("maxFeePerGas").asText());
    }

    private static BigInteger tip(String hash) {
        return Numeric.decodeQuantity(chain.node.rpc("eth_getTransactionByHash", hash).get("maxPriorityFeePerGas").asText());
    }

    private static long txCount(int account, String block) {
        return Long.decode(chain.node.rpc("eth_getTransactionCount", chain.address(account), block).asText());
    }

    /** Transactions from {@code account} with {@code nonce} in the whole chain. */
    private static int minedWithNonce(int account, long nonce) {
        int n = 0;
        for (long b = 0; b <= chain.node.blockNumber(); b++) {
            for (JsonNode t : chain.node.rpc("eth_getBlockByNumber", "0x" + Long.toHexString(b), true).get("transactions")) {
                if (t.get("from").asText().equalsIgnoreCase(chain.address(account)) && Long.decode(t.get("nonce").asText()) == nonce) {
                    n++;
                }
            }
        }
        return n;
    }

    private static double escalations() {
        return chain.prometheus.scrape().stream().filter(m -> m.getMetadata().getName().equals("evmore_chain_tx_escalations"))
                .flatMap(m -> m.getDataPoints().stream())
                .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }

    private static BigInteger ceilEighthMore(BigInteger v) {
        return v.multiply(BigInteger.valueOf(9)).add(BigInteger.valueOf(7)).divide(BigInteger.valueOf(8));
    }

    // ---- speedUp ---------------------------------------------------------------------------------------------------

    @Test
    void stuckClaimIsReplacedAfterARestartFromItsIntentAndExactlyOneTransactionUsesTheNonce() throws Exception {
        int account = 3;
        Stuck stuck = stuckClaim(account, settings, GasPolicy.gwei(1));
        TxIntent intent = stuck.intent();
        BigInteger oldMax = maxFee(intent.txHash());
        BigInteger oldTip = tip(intent.txHash());
        double escalationsBefore = escalations();

        Web3jHtlcChain after = restarted(settings, account); // nothing in memory: only the persisted intent
        Journal journal = new Journal(intent);
        assertThat(after.speedUp(intent, FeeBid.level(1), journal)).isTrue();

        assertThat(journal.seen).hasSize(1);
        SignedTx replacement = journal.seen.get(0);
        assertThat(replacement.nonce()).isEqualTo(intent.nonce());
        assertThat(replacement.txHash()).isNotEqualTo(intent.txHash()).isEqualTo(Hash.sha3(replacement.rawTx()));
        assertThat(journal.nodeKnewIt).as("journaled before any node knew it").isEmpty();
        assertThat(pending(replacement.txHash())).as("and broadcast").isTrue();
        assertThat(known(intent.txHash())).as("the node dropped the replaced one").isFalse();
        assertThat(maxFee(replacement.txHash())).isGreaterThanOrEqualTo(ceilEighthMore(oldMax))
                .isEqualTo(settings.fees().replacement(new GasPolicy.Fees(oldMax, oldTip), GasPolicy.gwei(100), 1).maxFeePerGas());
        assertThat(tip(replacement.txHash())).isGreaterThanOrEqualTo(ceilEighthMore(oldTip));
        JsonNode sent = chain.node.rpc("eth_getTransactionByHash", replacement.txHash());
        JsonNode original = stuckOriginalShape(stuck);
        assertThat(sent.get("input").asText()).as("same calldata").isEqualTo(original.get("input").asText());
        assertThat(sent.get("to").asText()).isEqualTo(original.get("to").asText());
        assertThat(sent.get("gas").asText()).isEqualTo(original.get("gas").asText());
        assertThat(escalations()).isEqualTo(escalationsBefore + 1);

        chain.node.rpc("evm_mine"); // the replacement bids above the base fee: it is included
        TxIntent all = journal.intent();
        assertThat(all.hashes()).containsExactly(intent.txHash(), replacement.txHash());
        Reconciliation r = after.reconcile(all);
        assertThat(r).isInstanceOfSatisfying(Reconciliation.Landed.class, l -> {
            assertThat(l.result().txHash()).isEqualTo(replacement.txHash());
            assertThat(l.result().htlcId()).isEqualTo(stuck.lock().htlcId());
        });
        assertThat(minedWithNonce(account, intent.nonce())).as("one transaction with that nonce").isEqualTo(1);
        assertThat(after.query(stuck.lock().htlcId())).get().extracting(HtlcRecord::status).isEqualTo(HtlcRecord.Status.CLAIMED);

        Journal again = new Journal(all);
        assertThat(after.speedUp(all, FeeBid.level(2), again)).as("its nonce is used: nothing to replace").isFalse();
        assertThat(again.seen).isEmpty();
    }

    // ---- cancel ----------------------------------------------------------------------------------------------------

    /**
     * A stuck transaction's nonce taken back after a restart, from its journaled intent alone: a transfer of nothing to
     * the relayer itself replaces it (journaled before any node knows it), a second cancel replaces the first, a
     * speed-up never turns a cancel back into the action, and once mined reconcile says NeverLanded — the claim never
     * happened, one transaction used the nonce.
     */
    @Test
    void aStuckTransactionsNonceIsCancelledFromItsIntentAndReconcileSaysItNeverLanded() throws Exception {
        int account = 9;
        Stuck stuck = stuckClaim(account, settings, GasPolicy.gwei(1));
        TxIntent intent = stuck.intent();
        Web3jHtlcChain after = restarted(settings, account);
        Journal journal = new Journal(intent);
        assertThat(after.cancel(intent, FeeBid.level(1), journal)).isTrue();
        assertThat(journal.seen).hasSize(1);
        SignedTx cancel = journal.seen.get(0);
        assertThat(cancel.nonce()).isEqualTo(intent.nonce());
        assertThat(journal.nodeKnewIt).as("journaled before any node knew it").isEmpty();
        JsonNode sent = chain.node.rpc("eth_getTransactionByHash", cancel.txHash());
        assertThat(sent.get("to").asText()).as("to the relayer itself").isEqualToIgnoringCase(chain.address(account));
        assertThat(Numeric.decodeQuantity(sent.get("value").asText())).isZero();
        assertThat(sent.get("input").asText()).isEqualTo("0x");
        assertThat(Numeric.decodeQuantity(sent.get("gas").asText())).isEqualTo(EthereumTransactor.CANCEL_GAS);
        assertThat(known(intent.txHash())).as("the node dropped the stuck claim").isFalse();

        TxIntent cancelled = journal.intent();
        Journal speedUp = new Journal(cancelled);
        assertThat(after.speedUp(cancelled, FeeBid.level(2), speedUp)).as("a cancel is never sped up into the action").isFalse();
        assertThat(speedUp.seen).isEmpty();
        Journal again = new Journal(cancelled);
        assertThat(after.cancel(cancelled, FeeBid.level(2), again)).as("a cancel is bid up from the journaled cancel").isTrue();
        String last = again.seen.get(0).txHash();
        assertThat(pending(last)).isTrue();
        assertThat(known(cancel.txHash())).as("the first cancel was replaced").isFalse();

        chain.node.rpc("evm_mine");
        TxIntent all = again.intent();
        assertThat(all.hashes()).containsExactly(intent.txHash(), cancel.txHash(), last);
        assertThat(after.reconcile(all)).isInstanceOfSatisfying(Reconciliation.NeverLanded.class,
                n -> assertThat(n.reason()).contains("cancel " + last));
        assertThat(minedWithNonce(account, intent.nonce())).as("one transaction with that nonce").isEqualTo(1);
        assertThat(after.query(stuck.lock().htlcId())).get().extracting(HtlcRecord::status)
                .as("the claim never happened").isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(after.cancel(all, FeeBid.level(3), new Journal(all))).as("its nonce is used: nothing to cancel").isFalse();
    }

    /** The stuck claim as the node had it: its calldata, recipient and gas, re-read from its journaled bytes. */
    private static JsonNode stuckOriginalShape(Stuck stuck) {
        var decoded = org.web3j.crypto.TransactionDecoder.decode(stuck.intent().rawTx());
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        node.put("input", decoded.getData().startsWith("0x") ? decoded.getData() : "0x" + decoded.getData());
        node.put("to", decoded.getTo().toLowerCase());
        node.put("gas", "0x" + decoded.getGasLimit().toString(16));
        return node;
    }

    @Test
    void atTheCapNothingIsSignedOrBroadcastWhileAHigherCapWouldReplaceIt() throws Exception {
        int account = 4;
        // cap 3 gwei; with a 10 gwei base fee the claim starts at the cap and cannot be outbid under it
        EthereumSettings capped = settings.withFees(new GasPolicy(GasPolicy.gwei(3), GasPolicy.gwei(1), 2,
                Duration.ofMinutes(10), 20, 25));
        Stuck stuck = stuckClaim(account, capped, GasPolicy.gwei(10));
        TxIntent intent = stuck.intent();
        assertThat(maxFee(intent.txHash())).isEqualTo(GasPolicy.gwei(3));
        double escalationsBefore = escalations();
        long pendingCount = txCount(account, "pending");

        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(EthereumTransactor.class);
        logger.addAppender(logs);
        Journal journal = new Journal(intent);
        try {
            assertThat(restarted(capped, account).speedUp(intent, FeeBid.level(5), journal)).isFalse();
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(journal.seen).as("nothing signed").isEmpty();
        assertThat(logs.list).anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
                && e.getFormattedMessage().contains("fee at cap"));
        assertThat(pending(intent.txHash())).as("the stuck claim is still the one pending").isTrue();
        assertThat(txCount(account, "pending")).isEqualTo(pendingCount);
        assertThat(escalations()).isEqualTo(escalationsBefore);

        // the same intent, a chain allowed to bid higher: it is replaced
        Journal higher = new Journal(intent);
        assertThat(restarted(settings, account).speedUp(intent, FeeBid.level(1), higher)).isTrue();
        assertThat(higher.seen).hasSize(1);
        assertThat(pending(higher.seen.get(0).txHash())).isTrue();
        chain.node.rpc("evm_mine");
        assertThat(stuck.relayer().reconcile(higher.intent())).isInstanceOf(Reconciliation.Landed.class);
    }

    @Test
    void journalThatThrowsStopsTheReplacementBeforeAnyNodeSeesIt() throws Exception {
        int account = 5;
        Stuck stuck = stuckClaim(account, settings, GasPolicy.gwei(1));
        TxIntent intent = stuck.intent();
        double escalationsBefore = escalations();
        Web3jHtlcChain after = restarted(settings, account);

        Journal refusing = new Journal(intent);
        refusing.refuse = true;
        assertThatThrownBy(() -> after.speedUp(intent, FeeBid.level(1), refusing))
                .isInstanceOf(TransientException.class).hasMessageContaining("nothing was broadcast");
        assertThat(refusing.seen).hasSize(1);
        assertThat(known(refusing.seen.get(0).txHash())).as("never broadcast").isFalse();
        assertThat(pending(intent.txHash())).as("the stuck claim is still the one pending").isTrue();
        assertThat(escalations()).isEqualTo(escalationsBefore);

        Journal working = new Journal(intent);
        assertThat(after.speedUp(intent, FeeBid.level(1), working)).as("the same call with a journal that works").isTrue();
        assertThat(pending(working.seen.get(0).txHash())).isTrue();
        chain.node.rpc("evm_mine");
        assertThat(after.reconcile(working.intent())).isInstanceOfSatisfying(Reconciliation.Landed.class,
                l -> assertThat(l.result().txHash()).isEqualTo(working.seen.get(0).txHash()));
    }

    @Test
    void bytesThatAreNotOursAreNeverSignedAgain() throws Exception {
        int account = 6;
        Stuck stuck = stuckClaim(account, settings, GasPolicy.gwei(1));
        TxIntent intent = stuck.intent();
        Web3jHtlcChain after = restarted(settings, account);
        var decoded = org.web3j.crypto.TransactionDecoder.decode(intent.rawTx());
        var t = (org.web3j.crypto.transaction.type.Transaction1559) decoded.getTransaction();

        String otherKey = sign(chain.credentials(7), intent.nonce(), chain.htlc, decoded.getData(), t);
        String otherRecipient = sign(chain.credentials(account), intent.nonce(), chain.address(2), decoded.getData(), t);
        List<TxIntent> forged = List.of(
                withRaw(intent, otherKey, intent.nonce()), // another key signed it
                withRaw(intent, otherRecipient, intent.nonce()), // ours, but not to the contract
                withRaw(intent, intent.rawTx(), intent.nonce() + 1), // not the intent's nonce
                new TxIntent(intent.id(), intent.swapId(), intent.chain(), intent.action(), intent.nonce(),
                        "0x" + "ab".repeat(32), TxIntent.Status.BROADCAST, intent.createdAt(), intent.updatedAt(),
                        List.of("0x" + "ab".repeat(32)), intent.rawTx(), 0), // its hash is not the intent's
                withRaw(intent, "0x02f8", intent.nonce())); // does not decode
        for (TxIntent i : forged) {
            Journal journal = new Journal(i);
            assertThat(after.speedUp(i, FeeBid.level(3), journal)).as(i.toString()).isFalse();
            assertThat(journal.seen).as("nothing signed for " + i).isEmpty();
        }
        assertThat(pending(intent.txHash())).isTrue();

        Journal genuine = new Journal(intent);
        assertThat(after.speedUp(intent, FeeBid.level(3), genuine)).as("the intent's own bytes").isTrue();
        chain.node.rpc("evm_mine");
        assertThat(after.reconcile(genuine.intent())).isInstanceOf(Reconciliation.Landed.class);
    }

    private static String sign(Credentials key, long nonce, String to, String data,
            org.web3j.crypto.transaction.type.Transaction1559 like) {
        RawTransaction raw = RawTransaction.createTransaction(HardhatChain.CHAIN.evmChainId(), BigInteger.valueOf(nonce),
                like.getGasLimit(), to, BigInteger.ZERO, data, like.getMaxPriorityFeePerGas(), like.getMaxFeePerGas());
        return Numeric.toHexString(TransactionEncoder.signMessage(raw, key));
    }

    /** The intent as if its journal held {@code raw} (its hash among the intent's) with {@code nonce}. */
    private static TxIntent withRaw(TxIntent i, String raw, long nonce) {
        String hash = Hash.sha3(raw);
        return new TxIntent(i.id(), i.swapId(), i.chain(), i.action(), nonce, hash, TxIntent.Status.BROADCAST,
                i.createdAt(), i.updatedAt(), List.of(i.txHash(), hash), raw, 0);
    }

    // ---- fee levels on sends ---------------------------------------------------------------------------------------

    @Test
    void sendsAtAFeeLevelStartAtThatLevelsFees() {
        int account = 8;
        Web3jHtlcChain relayer = chain.htlcChain(account);
        GasPolicy policy = chain.settings.fees();
        BigInteger base = GasPolicy.gwei(1);

        mineAtBaseFee(base);
        TxResult level0 = relayer.lock(lockFor(2), TxJournal.NONE, FeeBid.NORMAL);
        mineAtBaseFee(base);
        TxResult level2 = relayer.lock(lockFor(2), TxJournal.NONE, FeeBid.level(2));
        assertThat(maxFee(level0.txHash())).isEqualTo(policy.initial(base).maxFeePerGas());
        assertThat(maxFee(level2.txHash())).isEqualTo(policy.atLevel(base, 2).maxFeePerGas())
                .isGreaterThan(maxFee(level0.txHash()));
        assertThat(tip(level2.txHash())).isGreaterThan(tip(level0.txHash()));

        Secret secret = Secret.random();
        TxResult userLock = chain.htlcChain(1).lock(new LockRequest(chain.address(account), HtlcAbi.NATIVE, AMOUNT,
                secret.hashlock(), chain.now() + 3600, "osmosis-1", "osmo1user"));
        mineAtBaseFee(base);
        TxResult claim = relayer.claim(userLock.htlcId(), secret, TxJournal.NONE, FeeBid.level(2));
        assertThat(maxFee(claim.txHash())).isEqualTo(policy.atLevel(base, 2).maxFeePerGas());

        TxResult expiring = relayer.lock(new LockRequest(chain.address(2), HtlcAbi.NATIVE, AMOUNT, Secret.random().hashlock(),
                chain.now() + 60, "osmosis-1", "osmo1user"));
        chain.node.increaseTime(120);
        mineAtBaseFee(base);
        TxResult refund = relayer.refund(expiring.htlcId(), TxJournal.NONE, FeeBid.level(3));
        assertThat(maxFee(refund.txHash())).isEqualTo(policy.atLevel(base, 3).maxFeePerGas())
                .isGreaterThan(policy.atLevel(base, 2).maxFeePerGas());
    }

    private static LockRequest lockFor(int user) {
        return new LockRequest(chain.address(user), HtlcAbi.NATIVE, AMOUNT, Secret.random().hashlock(), chain.now() + 3600,
                "osmosis-1", "osmo1user");
    }
}
