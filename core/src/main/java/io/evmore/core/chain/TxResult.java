package io.evmore.core.chain;

/**
 * A transaction included in a block.
 *
 * @param htlcId the HTLC the transaction created or touched (null if none)
 * @param packet the ICS-20 packet the transaction sent (null if none)
 */
public record TxResult(ChainId chain, String txHash, long height, String htlcId, PacketId packet) {

    public TxResult(ChainId chain, String txHash, long height, String htlcId) {
        this(chain, txHash, height, htlcId, null);
    }
}
