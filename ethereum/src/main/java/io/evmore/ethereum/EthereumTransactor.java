package io.evmore.ethereum;

import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import io.evmore.core.util.Futures;
import io.evmore.core.util.SharedRead;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Signs, broadcasts and sees through EIP-1559 transactions from one account, through the endpoint pool.
 * {@link #submit} assigns the nonce ({@link NonceManager}) and returns once a node accepted the transaction, so
 * callers may pipeline many; {@link #await} waits for the receipt and the configured confirmations, re-sending
 * the same nonce with higher fees ({@link GasPolicy#escalate}) while it is stuck. The private key stays inside the
 * web3j {@link Credentials} and is never logged; neither are signed bytes or calldata (a claim's hold the secret).
 *
 * <p>Intent-first: every signed transaction of a call — the first send, every re-sign under a new nonce after
 * "nonce too low", every fee bump in {@link #await} — is handed to the call's {@link TxJournal} before any node
 * sees it. A journal that throws stops that broadcast: in {@link #submit} the nonce then stays free (nothing was
 * sent); in {@link #await} the bump is skipped (the earlier, journaled transaction is still the one pending) and
 * tried again at the next escalation.
 */
public final class EthereumTransactor {
    private static final Logger log = LoggerFactory.getLogger(EthereumTransactor.class);

    /** What to send ({@code to} null creates a contract). {@code gasLimit} null means estimate (plus the policy's margin). */
    public record TxRequest(String to, BigInteger value, String data, BigInteger gasLimit, String label) {
        public TxRequest {
            if (to != null && !to.matches("0x[0-9a-fA-F]{40}")) throw new IllegalArgumentException("tx 'to' is not an address: " + to);
            if (value == null || value.signum() < 0) throw new IllegalArgumentException("tx value must be >= 0");
            data = data == null ? "0x" : data;
            label = label == null ? "tx" : label;
        }

        /** Without the calldata: a claim's calldata holds the secret, which may not be public yet. */
        @Override
        public String toString() {
            return "TxRequest[" + label + " to=" + to + " value=" + value + " data=" + (data.length() - 2) / 2 + " bytes]";
        }
    }

    /** A transaction a node accepted; every (re)send of its nonce is in {@link #hashes()}, newest last. */
    public static final class SentTx {
        private final TxRequest request;
        private final TxJournal journal;
        private final long nonce;
        private final BigInteger gasLimit;
        private final List<String> hashes = new CopyOnWriteArrayList<>();
        private volatile GasPolicy.Fees fees;
        private volatile long lastSentNanos;

        SentTx(TxRequest request, TxJournal journal, long nonce, BigInteger gasLimit, GasPolicy.Fees fees, String hash) {
            this.request = request;
            this.journal = journal;
            this.nonce = nonce;
            this.gasLimit = gasLimit;
            this.fees = fees;
            this.hashes.add(hash);
            this.lastSentNanos = System.nanoTime();
        }

        public long nonce() {
            return nonce;
        }

        public List<String> hashes() {
            return List.copyOf(hashes);
        }

        public String latestHash() {
            return hashes.get(hashes.size() - 1);
        }

        public GasPolicy.Fees fees() {
            return fees;
        }

        public TxRequest request() {
            return request;
        }
    }

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final Credentials credentials;
    private final NonceManager nonces;
    private final ChainMetrics metrics;
    private final String chainLabel;
    private final SharedRead<BigInteger> baseFeeRead = new SharedRead<>(this::readBaseFee);

    public EthereumTransactor(EthereumSettings settings, EndpointPool<EthConnection> pool, Credentials credentials,
            ChainMetrics metrics) {
        this.settings = settings;
        this.pool = pool;
        this.credentials = credentials;
        this.metrics = metrics;
        this.chainLabel = settings.chain().value();
        this.nonces = new NonceManager(() -> pool.execute(c -> Rpc.send(
                c.web3j().ethGetTransactionCount(address(), DefaultBlockParameterName.PENDING), "eth_getTransactionCount")
                .getTransactionCount().longValueExact()));
    }

    public String address() {
        return credentials.getAddress().toLowerCase(Locale.ROOT);
    }

    public NonceManager nonces() {
        return nonces;
    }

    /** {@link #send(TxRequest, TxJournal)} without a journal (housekeeping: approvals, deployments, tests). */
    public TransactionReceipt send(TxRequest request) {
        return send(request, TxJournal.NONE);
    }

    /**
     * Submits and waits for the receipt with the configured confirmations.
     *
     * @throws TxRevertedException when it was included with status 0 (the reason replayed from the chain), or when
     *         gas estimation shows it would revert (then nothing was signed)
     */
    public TransactionReceipt send(TxRequest request, TxJournal journal) {
        return send(request, journal, 0);
    }

    /** {@link #send(TxRequest, TxJournal)} starting at fee level {@code feeLevel} ({@link GasPolicy#atLevel}). */
    public TransactionReceipt send(TxRequest request, TxJournal journal, int feeLevel) {
        SentTx tx = submit(request, journal, feeLevel);
        TransactionReceipt r = await(tx);
        if (!r.isStatusOK()) {
            throw new TxRevertedException(r.getTransactionHash(), revertReason(request.label(), r.getTransactionHash()));
        }
        return r;
    }

    /**
     * Why an included transaction failed, for humans: replays it with {@code eth_call} on the state before its
     * block. Best effort (the replay may differ from what happened inside the block); never throws.
     */
    String revertReason(String label, String txHash) {
        String base = label + " reverted on chain in tx " + txHash;
        try {
            return pool.execute(c -> {
                var t = Rpc.send(c.web3j().ethGetTransactionByHash(txHash), "eth_getTransactionByHash").getTransaction();
                if (t.isEmpty() || t.get().getBlockNumberRaw() == null) return base;
                var tx = t.get();
                BigInteger parent = tx.getBlockNumber().subtract(BigInteger.ONE).max(BigInteger.ZERO);
                Transaction call = new Transaction(tx.getFrom(), null, null, tx.getGas(), tx.getTo(), tx.getValue(),
                        tx.getInput());
                try {
                    Rpc.send(c.web3j().ethCall(call, DefaultBlockParameter.valueOf(parent)), "eth_call");
                    return base + " (its replay does not revert; no reason available)";
                } catch (RpcErrorException e) {
                    return base + ": " + e.getMessage(); // bounded, one line; revert data is public chain output
                }
            });
        } catch (RuntimeException e) {
            return base;
        }
    }

    /** Deploys a contract (creation bytecode with encoded constructor arguments appended); returns its address. */
    public String deploy(String bytecode, String label) {
        TransactionReceipt r = send(new TxRequest(null, BigInteger.ZERO, bytecode, null, label));
        if (r.getContractAddress() == null) throw new PermanentException(label + ": no contract address in receipt");
        return r.getContractAddress().toLowerCase(Locale.ROOT);
    }

    /** {@link #submit(TxRequest, TxJournal)} without a journal. */
    public SentTx submit(TxRequest request) {
        return submit(request, TxJournal.NONE);
    }

    /**
     * Estimates gas (a revert shows up here as a {@link TxRevertedException} without a hash, naming the reason) while
     * reading the base fee, signs, hands the signed transaction to {@code journal} and then broadcasts it. A journal that throws aborts
     * the broadcast with nothing sent and the nonce still free; its exception is passed on (a non-relayer one
     * wrapped in a TransientException).
     */
    public SentTx submit(TxRequest request, TxJournal journal) {
        return submit(request, journal, 0);
    }

    /**
     * {@link #submit(TxRequest, TxJournal)} with fees that start at fee level {@code feeLevel}: the policy's initial
     * fees escalated that many times against the current base fee, capped ({@link GasPolicy#atLevel}); level 0 is the
     * initial offer. {@link #await} escalates from there.
     */
    public SentTx submit(TxRequest request, TxJournal journal, int feeLevel) {
        java.util.Objects.requireNonNull(journal, "journal");
        if (feeLevel < 0) throw new IllegalArgumentException("fee level must be >= 0, got " + feeLevel);
        BigInteger gas;
        BigInteger baseFee;
        if (request.gasLimit() != null) {
            gas = request.gasLimit();
            baseFee = baseFee();
        } else {
            // Neither answer depends on the other: the base fee is asked while the node estimates (one round trip
            // less before signing). A refused estimate is still the error reported; the base fee read is then unused.
            CompletableFuture<BigInteger> baseFeeRead = Futures.beside(this::baseFee);
            gas = estimateGas(request);
            baseFee = Futures.join(baseFeeRead);
        }
        GasPolicy.Fees fees = settings.fees().atLevel(baseFee, feeLevel);
        for (int attempt = 1; ; attempt++) {
            nonces.lock().lock();
            try {
                long nonce = nonces.peek();
                String signed = sign(request, nonce, gas, fees);
                String hash = Hash.sha3(signed).toLowerCase(Locale.ROOT);
                journal(journal, request, nonce, hash, signed);
                try {
                    broadcast(signed);
                } catch (RpcErrorException e) {
                    if (e.alreadyKnown()) {
                        // the same bytes reached the node before (a retried broadcast): it is in
                    } else if (knownToChainIfReachable(hash)) {
                        // Refused, yet the node has these very bytes: the pool re-sent after a lost answer and the
                        // first send was taken (and maybe mined) meanwhile, or the node mined it and reported its
                        // revert as an error (Hardhat's automine does). Ours, sent: re-sending would do it twice.
                        log.info("{}: nonce {} refused ({}) but {} is known: it was sent", request.label(), nonce,
                                e.rpcMessage(), hash);
                    } else if ((e.nonceTooLow() || e.underpriced()) && attempt < 4) {
                        // someone else used this nonce (or our earlier tx did): ask the chain again
                        log.warn("{}: nonce {} refused ({}); resyncing nonce from the chain", request.label(), nonce,
                                e.rpcMessage());
                        metrics.nonceResyncs.labelValues(chainLabel).inc();
                        nonces.resync();
                        if (journal.persists()) {
                            // Journaled: the refused bytes may still land — a node can refuse what it took or passed on
                            // to its peers first, and "no node shows it" is no proof. Signed again at another nonce, the
                            // action could land twice (two counter-locks). Its intent's reconcile decides from the chain:
                            // never landed once the nonce is used and none of its hashes is in the blocks; then the
                            // engine sends anew, at a nonce read from the chain.
                            throw new TransientException(request.label() + ": nonce " + nonce + " refused (" + e.rpcMessage()
                                    + ") and no node shows " + hash + "; not signed again at another nonce: reconcile decides"
                                    + " whether it lands");
                        }
                        continue;
                    } else {
                        throw new PermanentException(request.label() + " refused by the node: " + e.rpcMessage(), e);
                    }
                } catch (TransientException e) {
                    // Unknown whether a node took it: ask the chain for the nonce next time rather than guess.
                    nonces.resync();
                    if (!knownToChainIfReachable(hash)) {
                        throw e;
                    }
                    // Every answer was lost but a node has it: report it as sent, or a caller's retry would pay twice.
                    log.info("{}: broadcast of nonce {} got no answer but {} is known: it was sent", request.label(),
                            nonce, hash);
                }
                nonces.commit(nonce);
                metrics.txSubmitted.labelValues(chainLabel).inc();
                log.debug("{}: sent nonce {} as {}", request.label(), nonce, hash);
                return new SentTx(request, journal, nonce, gas, fees, hash);
            } finally {
                nonces.lock().unlock();
            }
        }
    }

    private static void journal(TxJournal journal, TxRequest request, long nonce, String hash, String signed) {
        try {
            journal.beforeBroadcast(new SignedTx(nonce, hash, signed, 0));
        } catch (RelayerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransientException(request.label() + ": the journal refused nonce " + nonce + " (" + hash
                    + "); nothing was broadcast", e);
        }
    }

    /** Like {@link #knownToChain} but false when no endpoint answers (then nobody can tell). */
    private boolean knownToChainIfReachable(String hash) {
        try {
            return knownToChain(hash);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether a node knows the transaction with this hash (pending or mined). */
    private boolean knownToChain(String hash) {
        return pool.execute(c -> Rpc.send(c.web3j().ethGetTransactionByHash(hash), "eth_getTransactionByHash")
                .getTransaction().isPresent());
    }

    /**
     * Waits until one of the transaction's hashes is mined with {@code confirmations} blocks and still canonical;
     * escalates fees while it is stuck. Fails with a TransientException after {@code receiptTimeout}, or a
     * PermanentException when the nonce was used by a transaction that is not ours.
     */
    public TransactionReceipt await(SentTx tx) {
        long deadline = System.nanoTime() + settings.receiptTimeout().toNanos();
        while (true) {
            Optional<TransactionReceipt> mined = findReceipt(tx);
            if (mined.isPresent()) {
                TransactionReceipt r = mined.get();
                long head = blockNumber();
                long included = r.getBlockNumber().longValueExact();
                if (head - included + 1 >= settings.confirmations()) {
                    String canonical = blockHash(included);
                    if (r.getBlockHash() != null && r.getBlockHash().equalsIgnoreCase(canonical)) {
                        return r;
                    }
                    log.warn("{}: receipt block {} was reorged out; waiting for re-inclusion", tx.request.label(), included);
                }
            } else if (System.nanoTime() - tx.lastSentNanos >= settings.fees().escalateAfter().toNanos()) {
                if (nonceUsedElsewhere(tx)) {
                    throw new PermanentException(tx.request.label() + ": nonce " + tx.nonce
                            + " was used by a transaction that is not one of ours (" + tx.hashes.size() + " sent)");
                }
                escalate(tx);
            }
            if (System.nanoTime() > deadline) {
                throw new TransientException(tx.request.label() + ": not mined and confirmed within "
                        + settings.receiptTimeout().toSeconds() + " s (latest " + tx.latestHash() + ", nonce " + tx.nonce + ")");
            }
            sleep(settings.pollInterval());
        }
    }

    /** Re-sends the same nonce and data with higher fees. */
    void escalate(SentTx tx) {
        GasPolicy.Fees next = settings.fees().escalate(tx.fees, baseFee());
        if (next == null) {
            log.warn("{}: nonce {} stuck but fees are at the cap ({} wei); waiting", tx.request.label(), tx.nonce,
                    tx.fees.maxFeePerGas());
            tx.lastSentNanos = System.nanoTime();
            return;
        }
        String signed = sign(tx.request, tx.nonce, tx.gasLimit, next);
        String hash = Hash.sha3(signed).toLowerCase(Locale.ROOT);
        try {
            journal(tx.journal, tx.request, tx.nonce, hash, signed);
        } catch (RuntimeException e) {
            // Not broadcast. The earlier, journaled transaction is still pending; bid again next round.
            log.warn("{}: fee bump of nonce {} not sent, the journal refused it: {}", tx.request.label(), tx.nonce,
                    e.getMessage());
            tx.lastSentNanos = System.nanoTime();
            return;
        }
        try {
            broadcast(signed);
        } catch (RpcErrorException e) {
            if (e.nonceTooLow()) {
                tx.lastSentNanos = System.nanoTime(); // one of our hashes got mined meanwhile; the next poll finds it
                return;
            }
            if (!e.alreadyKnown()) {
                log.warn("{}: escalation of nonce {} refused: {}", tx.request.label(), tx.nonce, e.rpcMessage());
                tx.fees = next; // bid higher on the next round
                tx.lastSentNanos = System.nanoTime();
                return;
            }
        }
        tx.hashes.add(hash);
        tx.fees = next;
        tx.lastSentNanos = System.nanoTime();
        metrics.txEscalations.labelValues(chainLabel).inc();
        log.info("{}: nonce {} escalated to maxFee {} / tip {} wei as {}", tx.request.label(), tx.nonce,
                next.maxFeePerGas(), next.maxPriorityFeePerGas(), hash);
    }

    /**
     * Replaces a pending transaction of ours by the same transaction (nonce, gas limit, recipient, value, calldata)
     * with higher fees: {@link GasPolicy#replacement} of its fees at fee level {@code feeLevel}. Works from the signed
     * bytes alone (a journaled intent after a restart), so nothing else needs to survive.
     *
     * <p>Never signs for bytes that are not ours: {@code rawTx} must decode to a signed EIP-1559 transaction of this
     * chain from this account with nonce {@code nonce}, to {@code to}, whose hash is one of {@code hashes}. Returns false
     * with nothing signed when they are not, when the account's mined nonce is past {@code nonce} (something with that
     * nonce was included: {@code reconcile} says what), or when the cap leaves no room ("fee at cap"). Otherwise the
     * replacement goes to {@code journal} first (a journal that throws stops it: nothing is broadcast, the exception is
     * passed on like {@link #submit}'s) and is then broadcast: true when a node took it (or already knew it); false when
     * it was refused ("nonce too low": mined meanwhile; "underpriced": a node wants more) or no node answered (it is
     * journaled, so {@code reconcile} re-broadcasts it if no node knows any of the intent's transactions).
     */
    public boolean speedUp(String rawTx, long nonce, List<String> hashes, String to, int feeLevel, TxJournal journal) {
        String label = "replacement of nonce " + nonce;
        return replace(rawTx, nonce, hashes, List.of(to), feeLevel, journal, label,
                pending -> new TxRequest(to, pending.getValue(), pending.getData(), pending.getGasLimit(), label));
    }

    /** Gas of a transfer of nothing to an account without code: all a cancel needs. */
    static final BigInteger CANCEL_GAS = BigInteger.valueOf(21_000);

    /**
     * Takes back nonce {@code nonce}: replaces our pending transaction on it (the action, to {@code to}, or an earlier
     * cancel) by a transfer of nothing from this account to itself ({@value #CANCEL_GAS} gas) with the fees of
     * {@link GasPolicy#replacement} at {@code feeLevel}, so the action can no longer be included and our later nonces
     * stop waiting behind it. Checked, journaled and broadcast exactly like {@link #speedUp}, with the same answers;
     * reconcile reads a landed transaction of ours to ourselves as the cancel ({@link EthereumReconciler}).
     */
    public boolean cancel(String rawTx, long nonce, List<String> hashes, String to, int feeLevel, TxJournal journal) {
        String label = "cancel of nonce " + nonce;
        return replace(rawTx, nonce, hashes, List.of(to, address()), feeLevel, journal, label,
                pending -> new TxRequest(address(), BigInteger.ZERO, "0x", CANCEL_GAS, label));
    }

    private boolean replace(String rawTx, long nonce, List<String> hashes, List<String> tos, int feeLevel, TxJournal journal,
            String label, java.util.function.Function<org.web3j.crypto.transaction.type.Transaction1559, TxRequest> replacement) {
        java.util.Objects.requireNonNull(journal, "journal");
        if (feeLevel < 0) throw new IllegalArgumentException("fee level must be >= 0, got " + feeLevel);
        org.web3j.crypto.transaction.type.Transaction1559 pending = ours(rawTx, nonce, hashes, tos);
        if (pending == null) return false;
        long mined = pool.execute(c -> Rpc.send(c.web3j().ethGetTransactionCount(address(), DefaultBlockParameterName.LATEST),
                "eth_getTransactionCount").getTransactionCount().longValueExact());
        if (mined > nonce) {
            log.info("{}: not sent, the account's mined nonce is {} (a transaction with nonce {} was included)", label,
                    mined, nonce);
            return false;
        }
        GasPolicy.Fees old = new GasPolicy.Fees(pending.getMaxFeePerGas(), pending.getMaxPriorityFeePerGas());
        GasPolicy.Fees next = settings.fees().replacement(old, baseFee(), feeLevel);
        if (next == null) {
            log.warn("{}: fee at cap, not replaced (pending maxFee {} / tip {} wei, cap {} wei)", label,
                    old.maxFeePerGas(), old.maxPriorityFeePerGas(), settings.fees().maxFeeCap());
            return false;
        }
        TxRequest request = replacement.apply(pending);
        String signed = sign(request, nonce, request.gasLimit(), next);
        String hash = Hash.sha3(signed).toLowerCase(Locale.ROOT);
        journal(journal, request, nonce, hash, signed);
        try {
            broadcast(signed);
        } catch (RpcErrorException e) {
            if (!e.alreadyKnown() && !knownToChainIfReachable(hash)) {
                if (e.nonceTooLow()) {
                    log.info("{}: not taken, nonce too low (a transaction with nonce {} was included meanwhile)", label, nonce);
                } else if (e.underpriced()) {
                    log.warn("{}: refused as underpriced at maxFee {} / tip {} wei: {}", label, next.maxFeePerGas(),
                            next.maxPriorityFeePerGas(), e.rpcMessage());
                } else {
                    log.warn("{}: refused by the node: {}", label, e.rpcMessage());
                }
                return false;
            }
        } catch (TransientException e) {
            if (!knownToChainIfReachable(hash)) {
                log.warn("{}: no node answered its broadcast ({}); journaled as {}, reconcile re-sends it", label,
                        e.getMessage(), hash);
                return false;
            }
        }
        metrics.txEscalations.labelValues(chainLabel).inc();
        log.info("{}: replaced at fee level {} with maxFee {} / tip {} wei as {}", label, feeLevel, next.maxFeePerGas(),
                next.maxPriorityFeePerGas(), hash);
        return true;
    }

    /**
     * The EIP-1559 transaction {@code rawTx} holds if it is ours as described at {@link #speedUp}; null (with a WARN
     * that quotes no bytes) otherwise.
     */
    private org.web3j.crypto.transaction.type.Transaction1559 ours(String rawTx, long nonce, List<String> hashes, List<String> tos) {
        String why;
        try {
            String hash = Hash.sha3(rawTx).toLowerCase(Locale.ROOT);
            var decoded = org.web3j.crypto.TransactionDecoder.decode(rawTx);
            if (!(decoded instanceof org.web3j.crypto.SignedRawTransaction signed)) {
                why = "they are not signed";
            } else if (!(decoded.getTransaction() instanceof org.web3j.crypto.transaction.type.Transaction1559 t)) {
                why = "they are not an EIP-1559 transaction";
            } else if (t.getChainId() != settings.chainIdNumber()) {
                why = "they are for chain id " + t.getChainId();
            } else if (!address().equalsIgnoreCase(signed.getFrom())) {
                why = "they are signed by another key";
            } else if (decoded.getNonce() == null || decoded.getNonce().bitLength() > 62 || decoded.getNonce().longValue() != nonce) {
                why = "their nonce is not " + nonce;
            } else if (hashes.stream().noneMatch(hash::equalsIgnoreCase)) {
                why = "their hash " + hash + " is not one of the intent's";
            } else if (decoded.getTo() == null || tos.stream().noneMatch(a -> a != null && a.equalsIgnoreCase(decoded.getTo()))) {
                why = "they are not sent to " + String.join(" or ", tos.stream().map(String::valueOf).toList());
            } else {
                return t;
            }
        } catch (RuntimeException | java.security.SignatureException e) {
            why = "they do not decode";
        }
        log.warn("replacement of nonce {} not signed: the intent's signed bytes are not one of our transactions ({})", nonce, why);
        return null;
    }

    private Optional<TransactionReceipt> findReceipt(SentTx tx) {
        List<String> hs = new ArrayList<>(tx.hashes);
        for (int i = hs.size() - 1; i >= 0; i--) {
            String h = hs.get(i);
            Optional<TransactionReceipt> r = pool.execute(c -> Rpc.receipt(c.web3j(), h));
            if (r.isPresent() && r.get().getBlockNumber() != null) return r;
        }
        return Optional.empty();
    }

    /** The account's mined nonce is past ours and none of our hashes has a receipt: someone else took the nonce. */
    private boolean nonceUsedElsewhere(SentTx tx) {
        long mined = pool.execute(c -> Rpc.send(c.web3j().ethGetTransactionCount(address(), DefaultBlockParameterName.LATEST),
                "eth_getTransactionCount").getTransactionCount().longValueExact());
        return mined > tx.nonce && findReceipt(tx).isEmpty();
    }

    private BigInteger estimateGas(TxRequest r) {
        BigInteger est;
        try {
            est = pool.execute(c -> Rpc.send(c.web3j().ethEstimateGas(Transaction.createFunctionCallTransaction(
                    address(), null, null, null, r.to(), r.value(), r.data())), "eth_estimateGas").getAmountUsed());
        } catch (RpcErrorException e) {
            if (e.reverted()) {
                throw new TxRevertedException(null, r.label() + " would revert (nothing was sent): " + e.getMessage());
            }
            throw e;
        }
        return est.multiply(BigInteger.valueOf(100 + settings.fees().gasMarginPercent())).divide(BigInteger.valueOf(100));
    }

    /** The latest block's base fee, read once for every transaction being priced at the same moment ({@link SharedRead}). */
    private BigInteger baseFee() {
        return baseFeeRead.get();
    }

    private BigInteger readBaseFee() {
        EthBlock.Block b = pool.execute(c -> Rpc.send(c.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false),
                "eth_getBlockByNumber").getBlock());
        if (b == null || b.getBaseFeePerGasRaw() == null) {
            throw new PermanentException("chain " + chainLabel + " has no EIP-1559 base fee in its latest block");
        }
        return b.getBaseFeePerGas();
    }

    long blockNumber() {
        return pool.execute(c -> Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact());
    }

    private String blockHash(long height) {
        EthBlock.Block b = pool.execute(c -> Rpc.send(c.web3j().ethGetBlockByNumber(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(height)), false), "eth_getBlockByNumber").getBlock());
        return b == null ? null : b.getHash();
    }

    private String sign(TxRequest r, long nonce, BigInteger gas, GasPolicy.Fees fees) {
        RawTransaction raw = RawTransaction.createTransaction(settings.chainIdNumber(), BigInteger.valueOf(nonce), gas,
                r.to() == null ? "" : r.to(), r.value(), r.data(), fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
        return Numeric.toHexString(TransactionEncoder.signMessage(raw, credentials));
    }

    private void broadcast(String signed) {
        pool.execute(c -> Rpc.send(c.web3j().ethSendRawTransaction(signed), "eth_sendRawTransaction").getTransactionHash());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientException("interrupted while waiting for a receipt");
        }
    }

}
