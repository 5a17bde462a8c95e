package io.evmore.cosmos.tx;

import io.evmore.core.error.TransientException;

/**
 * A transaction was accepted into the mempool but not seen in a block in time. It may still be included:
 * reconcile by {@link #txHash()} (e.g. {@link CosmosTxSubmitter#awaitInclusion}) before sending anything again,
 * or the same HTLC could be locked twice.
 */
public final class TxPendingException extends TransientException {
    private final String txHash;

    public TxPendingException(String message, String txHash) {
        super(message);
        this.txHash = txHash;
    }

    public String txHash() {
        return txHash;
    }
}
