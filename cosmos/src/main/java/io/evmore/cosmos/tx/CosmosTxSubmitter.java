package io.evmore.cosmos.tx;

import com.google.protobuf.Any;
import io.evmore.core.error.TransientException;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometRpcException;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CosmosQueries;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulate → fee → sign → {@code broadcast_tx_sync} → wait for inclusion, for one signing account. The
 * sequence is taken from {@link AccountSequencer} (pipelined; resync and re-sign on code 32).
 */
public final class CosmosTxSubmitter {
    private static final Logger log = LoggerFactory.getLogger(CosmosTxSubmitter.class);
    private final String chainId;
    private final String prefix;
    private final CosmosSigner signer;
    private final CometRpcClient rpc;
    private final CosmosQueries queries;
    private final GasEstimator gas;
    private final AccountSequencer sequencer;
    private final Duration inclusionTimeout;
    private final Duration pollInterval;
    private volatile Runnable onBroadcast = () -> {};

    public CosmosTxSubmitter(String chainId, String prefix, CosmosSigner signer, CometRpcClient rpc, GasEstimator gas,
            Duration inclusionTimeout, Duration pollInterval, int sequenceAttempts) {
        this.chainId = chainId;
        this.prefix = prefix;
        this.signer = signer;
        this.rpc = rpc;
        this.queries = new CosmosQueries(rpc);
        this.gas = gas;
        this.inclusionTimeout = inclusionTimeout;
        this.pollInterval = pollInterval;
        String address = signer.address(prefix).toString();
        this.sequencer = new AccountSequencer(address, () -> queries.requireAccount(address), sequenceAttempts);
    }

    public String address() {
        return signer.address(prefix).toString();
    }

    /** Called after each accepted broadcast (metrics). */
    public void onBroadcast(Runnable r) {
        this.onBroadcast = r == null ? () -> {} : r;
    }

    public AccountSequencer sequencer() {
        return sequencer;
    }

    /** Submits and waits for inclusion; a failed execution is thrown as Permanent/Transient per its code. */
    public TxOutcome submit(List<Any> messages, String memo) {
        return submit(messages, memo, TxObserver.NONE);
    }

    /** As {@link #submit(List, String)}, telling {@code observer} the hash before the broadcast. */
    public TxOutcome submit(List<Any> messages, String memo, TxObserver observer) {
        return awaitInclusion(broadcast(messages, memo, observer));
    }

    /** Signs and hands the transaction to the mempool; returns its hash once CheckTx accepted it. */
    public String broadcast(List<Any> messages, String memo, TxObserver observer) {
        return sequencer.submit((accountNumber, sequence) -> {
            long used = queries.simulate(TxBuilder.simulationTx(signer.publicKey(), sequence, messages, memo, gas.feeDenom()));
            TxFee fee = gas.feeFor(used);
            SignedTx tx = TxBuilder.sign(signer, chainId, accountNumber, sequence, messages, memo, fee);
            observer.beforeBroadcast(tx.hash(), sequence);
            try {
                var r = rpc.broadcastTxSync(tx.txRaw());
                if (!r.ok()) throw CosmosErrors.toException("broadcast of " + tx.hash(), r.code(), r.codespace(), r.log());
                if (!r.hash().equalsIgnoreCase(tx.hash())) {
                    throw new TransientException("node returned hash " + r.hash() + " for tx " + tx.hash());
                }
            } catch (CometRpcException e) {
                // Mempool rejections are JSON-RPC errors (COSMOS_WIRE §1); classified like the SDK's CheckCometError.
                if (e.text().contains("tx already exists in cache")) {
                    // Same bytes already in the mempool (e.g. a retried call that had reached the node): accepted.
                } else if (e.text().contains("Tx too large")) {
                    throw e; // permanent: the same transaction will never fit
                } else {
                    // "mempool is full", a node still syncing, ...: the tx was not taken now; a retry may be.
                    throw new TransientException("broadcast of " + tx.hash() + " not accepted: " + e.getMessage());
                }
            }
            onBroadcast.run();
            log.debug("broadcast {} seq {} gas {} fee {}{}", tx.hash(), sequence, fee.gasLimit(), fee.amount(),
                    fee.denom());
            return tx.hash();
        });
    }

    /**
     * Where a transaction stands: included (successfully: the outcome; failed: thrown as its error) or not known
     * to the node (empty: it was never broadcast, or dropped from the mempool).
     */
    public Optional<TxOutcome> find(String hash) {
        Optional<IndexedTx> found = rpc.tx(hash);
        if (found.isEmpty()) return Optional.empty();
        IndexedTx t = found.get();
        if (!t.result().ok()) {
            throw CosmosErrors.toException("tx " + hash, t.result().code(), t.result().codespace(), t.result().log());
        }
        return Optional.of(new TxOutcome(hash, t.height(), t.result()));
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
                if (!t.result().ok()) {
                    throw CosmosErrors.toException("tx " + hash, t.result().code(), t.result().codespace(),
                            t.result().log());
                }
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
