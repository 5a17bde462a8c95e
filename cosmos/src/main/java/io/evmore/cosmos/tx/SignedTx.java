package io.evmore.cosmos.tx;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A signed transaction ready for broadcast.
 *
 * @param txRaw     TxRaw bytes as broadcast
 * @param signDoc   the bytes that were signed (kept for cross-checks and audits)
 * @param sequence  the account sequence it was signed with
 */
public record SignedTx(byte[] txRaw, byte[] signDoc, long sequence) {
    public SignedTx {
        txRaw = txRaw.clone();
        signDoc = signDoc.clone();
    }

    @Override
    public byte[] txRaw() {
        return txRaw.clone();
    }

    @Override
    public byte[] signDoc() {
        return signDoc.clone();
    }

    /** Uppercase hex sha256 of the TxRaw bytes, as CometBFT names transactions. */
    public String hash() {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(txRaw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SignedTx[hash=" + hash() + ", sequence=" + sequence + "]";
    }
}
