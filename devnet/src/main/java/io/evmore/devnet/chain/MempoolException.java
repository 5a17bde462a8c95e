package io.evmore.devnet.chain;

/** A mempool rejection that CometBFT returns as a JSON-RPC error, not as a CheckTx code. */
public final class MempoolException extends RuntimeException {
    public MempoolException(String message) {
        super(message);
    }
}
