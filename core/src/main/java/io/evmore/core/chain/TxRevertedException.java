package io.evmore.core.chain;

import io.evmore.core.error.PermanentException;

/** A transaction was included but failed on chain (an EVM revert, a CosmWasm contract error): its action did not happen. */
public final class TxRevertedException extends PermanentException {
    private final String txHash;

    public TxRevertedException(String txHash, String message) {
        super(message);
        this.txHash = txHash;
    }

    /** The included, failed transaction; null when the failure was found by simulation, before any broadcast. */
    public String txHash() {
        return txHash;
    }
}
