package io.evmore.core.chain;

/**
 * A transaction signed and about to be broadcast, as the engine persists it first.
 *
 * @param nonce         EVM nonce or Cosmos account sequence it was signed with
 * @param txHash        its hash (0x… on EVM, upper-case hex on Cosmos)
 * @param rawTx         the signed bytes, hex, so that reconciliation can re-broadcast exactly this transaction
 * @param timeoutHeight Cosmos {@code timeout_height} (0 = none, always on EVM)
 */
public record SignedTx(long nonce, String txHash, String rawTx, long timeoutHeight) {
    public SignedTx {
        if (nonce < 0) throw new IllegalArgumentException("signed tx nonce must be >= 0");
        if (txHash == null || txHash.isBlank()) throw new IllegalArgumentException("signed tx hash is missing");
        if (timeoutHeight < 0) throw new IllegalArgumentException("signed tx timeoutHeight must be >= 0");
    }

    /** Without the raw bytes: a claim carries the secret. */
    @Override
    public String toString() {
        return "SignedTx[nonce " + nonce + " " + txHash + (timeoutHeight > 0 ? " timeout_height " + timeoutHeight : "") + "]";
    }
}
