package io.evmore.cosmos.tx;

import com.google.protobuf.Any;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.error.TransientException;
import io.evmore.core.util.Futures;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometRpcException;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.rpc.TxExecResult;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulate → fee → sign (with a {@code timeout_height}) → journal → {@code broadcast_tx_sync} → wait for inclusion,
 * for one signing account. The sequence is taken from {@link AccountSequencer} (pipelined; resync and re-sign on a
 * sequence mismatch, however the node reports it).
 *
 * <p>Intent first: every signed transaction goes to the caller's {@link TxJournal} (sequence, hash, raw bytes,
 * timeout height) before it is broadcast, a re-signed one too. A journal that throws stops the broadcast and the
 * sequence stays unused. Raw transactions are never logged (a withdraw carries the secret).
 */
public final class CosmosTxSubmitter {
    private static final Logger log = LoggerFactory.getLogger(CosmosTxSubmitter.class);
    /** The timeout height of a simulated transaction: the most bytes a height can take (a signed one is never longer). */
    static final long SIMULATED_TIMEOUT_HEIGHT = Long.MAX_VALUE;
    private final String chainId;
    private final String prefix;
    private final CosmosSigner signer;
    private final CometRpcClient rpc;
    private final CosmosQueries queries;
    private final GasEstimator gas;
    private final AccountSequencer sequencer;
    private final Duration inclusionTimeout;
    private final Duration pollInterval;
    private final long timeoutBlocks;
    private volatile Runnable onBroadcast = () -> {};

    public CosmosTxSubmitter(String chainId, String prefix, CosmosSigner signer, CometRpcClient rpc, GasEstimator gas,
            Duration inclusionTimeout, Duration pollInterval, int sequenceAttempts) {
        this(chainId, prefix, signer, rpc, gas, inclusionTimeout, pollInterval, sequenceAttempts,
                io.evmore.cosmos.CosmosSettings.DEFAULT_TIMEOUT_BLOCKS);
    }

    /** @param timeoutBlocks every tx carries {@code timeout_height} = latest height at signing + this */
    public CosmosTxSubmitter(String chainId, String prefix, CosmosSigner signer, CometRpcClient rpc, GasEstimator gas,
            Duration inclusionTimeout, Duration pollInterval, int sequenceAttempts, long timeoutBlocks) {
        if (timeoutBlocks < 1) throw new IllegalArgumentException("timeoutBlocks must be >= 1");
        this.chainId = chainId;
        this.prefix = prefix;
        this.signer = signer;
        this.rpc = rpc;
        this.queries = new CosmosQueries(rpc);
        this.gas = gas;
        this.inclusionTimeout = inclusionTimeout;
        this.pollInterval = pollInterval;
        this.timeoutBlocks = timeoutBlocks;
        String address = signer.address(prefix).toString();
        this.sequencer = new AccountSequencer(address, () -> queries.requireAccount(address), sequenceAttempts);
    }

    public String address() {
        return signer.address(prefix).toString();
    }

    /** Every tx is signed with {@code timeout_height} = the latest height seen at signing + this. */
    public long timeoutBlocks() {
        return timeoutBlocks;
    }

    /** Called after each accepted broadcast (metrics). */
    public void onBroadcast(Runnable r) {
        this.onBroadcast = r == null ? () -> {} : r;
    }

    public AccountSequencer sequencer() {
        return sequencer;
    }

    /** Submits and waits for inclusion; see {@link #submit(List, String, TxJournal)}. */
    public TxOutcome submit(List<Any> messages, String memo) {
        return submit(messages, memo, TxJournal.NONE);
    }

    /**
     * Submits and waits for inclusion. Errors: included but failed → {@link TxRevertedException} with the hash;
     * simulation shows a contract or funds error → {@link TxRevertedException} without a hash (nothing was
     * broadcast); other refusals → {@link io.evmore.core.error.PermanentException}; anything else (including a tx
     * not included in time, {@link TxPendingException}) → {@link TransientException}: reconcile, never re-send.
     */
    public TxOutcome submit(List<Any> messages, String memo, TxJournal journal) {
        return submit(messages, memo, journal, 0);
    }

    /**
     * As {@link #submit(List, String, TxJournal)}, paying the gas price of fee {@code feeLevel}
     * ({@link GasEstimator#priceAt(int)}; 0 = the configured gas price). A re-sign after a sequence mismatch keeps the
     * level.
     */
    public TxOutcome submit(List<Any> messages, String memo, TxJournal journal, int feeLevel) {
        return awaitInclusion(broadcast(messages, memo, journal, feeLevel));
    }

    /** Signs, journals and hands the transaction to the mempool; returns its hash once CheckTx accepted it. */
    public String broadcast(List<Any> messages, String memo, TxJournal journal) {
        return broadcast(messages, memo, journal, 0);
    }

    /** {@link #broadcast(List, String, TxJournal)} at fee {@code feeLevel}. */
    public String broadcast(List<Any> messages, String memo, TxJournal journal, int feeLevel) {
        if (feeLevel < 0) throw new IllegalArgumentException("fee level must be >= 0, got " + feeLevel);
        TxJournal j = journal == null ? TxJournal.NONE : journal;
        return sequencer.submit((accountNumber, sequence) -> {
            // The latest height (for timeout_height) is read while the node simulates: one round trip less before
            // signing. The simulated body carries the largest timeout height there is, so the signed transaction is
            // never longer (never metered for more bytes) than the one simulated.
            CompletableFuture<Long> latest = Futures.beside(() -> rpc.status().latestHeight());
            long used = queries.simulate(TxBuilder.simulationTx(signer.publicKey(), sequence, messages, memo,
                    gas.feeDenom(), SIMULATED_TIMEOUT_HEIGHT));
            long timeoutHeight = Futures.join(latest) + timeoutBlocks;
            TxFee fee = gas.feeFor(used, feeLevel);
            SignedTx tx = TxBuilder.sign(signer, chainId, accountNumber, sequence, messages, memo, fee, timeoutHeight);
            String hash = tx.hash();
            byte[] raw = tx.txRaw();
            try {
                j.beforeBroadcast(new io.evmore.core.chain.SignedTx(sequence, hash, HexFormat.of().formatHex(raw),
                        timeoutHeight));
            } catch (RuntimeException e) {
                throw new AccountSequencer.NotSent(e); // not broadcast: the sequence stays for the next tx
            }
            try {
                var r = rpc.broadcastTxSync(raw);
                if (!r.ok()) throw CosmosErrors.toException("broadcast of " + hash, r.code(), r.codespace(), r.log());
                if (!r.hash().equalsIgnoreCase(hash)) {
                    throw new TransientException("node returned hash " + r.hash() + " for tx " + hash);
                }
            } catch (CometRpcException e) {
                // Mempool rejections are JSON-RPC errors (COSMOS_WIRE §1); classified like the SDK's CheckCometError.
                if (e.text().contains("tx already exists in cache")) {
                    // Same bytes already in the mempool (e.g. a retried call that had reached the node): accepted.
                } else if (e.text().contains("Tx too large")) {
                    throw e; // permanent: the same transaction will never fit
                } else {
                    // "mempool is full", a node still syncing, ...: the tx was not taken now; a retry may be.
                    throw new TransientException("broadcast of " + hash + " not accepted: " + e.getMessage());
                }
            }
            onBroadcast.run();
            log.debug("broadcast {} seq {} timeout_height {} gas {} fee {}{} (level {})", hash, sequence, timeoutHeight,
                    fee.gasLimit(), fee.amount(), fee.denom(), feeLevel);
            return hash;
        });
    }

    /** What a re-broadcast of already journaled bytes came to. */
    public record Rebroadcast(boolean accepted, String detail) {}

    /**
     * Hands exactly these signed bytes to the mempool again (reconciliation of a journaled transaction that may
     * never have been broadcast). Never re-signs, never touches the sequencer. "Already in cache" counts as
     * accepted; a refusal (e.g. its sequence is used) is reported, not thrown: the caller asks the chain later.
     */
    public Rebroadcast rebroadcast(byte[] raw) {
        try {
            var r = rpc.broadcastTxSync(raw);
            if (r.ok()) {
                onBroadcast.run();
                return new Rebroadcast(true, "re-broadcast");
            }
            String inner = CosmosErrors.unwrap(r.log());
            return new Rebroadcast(false, "re-broadcast refused: " + CosmosErrors.abbreviate(r.codespace(), 64)
                    + " code " + r.code() + ": " + CosmosErrors.abbreviate(inner, 300)
                    + (CosmosErrors.mentionsSequenceMismatch(inner) ? " (its sequence is taken: it cannot land)" : ""));
        } catch (CometRpcException e) {
            if (e.text().contains("tx already exists in cache")) return new Rebroadcast(true, "already in the mempool");
            return new Rebroadcast(false, "re-broadcast not accepted: " + e.getMessage());
        } catch (TransientException e) {
            return new Rebroadcast(false, "re-broadcast failed: " + e.getMessage());
        }
    }

    /**
     * What this node's tx index says: included (successfully: the outcome; failed: thrown as
     * {@link TxRevertedException}) or not indexed (empty). Empty is no proof that the tx did not land — the index lags
     * the blocks and may be off; decide that with {@link io.evmore.cosmos.IntentReconciler}.
     */
    public Optional<TxOutcome> find(String hash) {
        Optional<IndexedTx> found = rpc.tx(hash);
        if (found.isEmpty()) return Optional.empty();
        IndexedTx t = found.get();
        if (!t.result().ok()) throw reverted(hash, t.result());
        return Optional.of(new TxOutcome(hash, t.height(), t.result()));
    }

    /** The error of an included, failed transaction: its action did not happen. */
    public static TxRevertedException reverted(String hash, TxExecResult r) {
        String cs = r.codespace() == null || r.codespace().isEmpty() ? "sdk" : r.codespace();
        return new TxRevertedException(hash, "tx " + hash + " failed on chain: " + CosmosErrors.abbreviate(cs, 64)
                + " code " + r.code() + ": " + CosmosErrors.abbreviate(r.log(), 500));
    }

    /**
     * Polls {@code tx} until the transaction is in a block. A lookup that fails (node error, endpoint down) is
     * not the transaction's failure: polling goes on, and at the deadline the result is a
     * {@link TxPendingException} with the hash, never a permanent error for a transaction that may still land.
     */
    public TxOutcome awaitInclusion(String hash) {
        long deadline = System.nanoTime() + inclusionTimeout.toNanos();
        RuntimeException lookupError = null;
        while (true) {
            Optional<IndexedTx> found;
            try {
                found = rpc.tx(hash);
            } catch (RuntimeException e) {
                lookupError = e;
                found = Optional.empty();
            }
            if (found.isPresent()) {
                IndexedTx t = found.get();
                if (!t.result().ok()) throw reverted(hash, t.result());
                return new TxOutcome(hash, t.height(), t.result());
            }
            if (System.nanoTime() > deadline) {
                // The tx may still land: the caller reconciles by hash rather than re-sending blindly.
                sequencer.invalidate();
                throw new TxPendingException("tx " + hash + " not included within " + inclusionTimeout
                        + (lookupError == null ? "" : " (last lookup failed: " + lookupError.getMessage() + ")"), hash);
            }
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TxPendingException("interrupted while waiting for tx " + hash, hash);
            }
        }
    }
}
