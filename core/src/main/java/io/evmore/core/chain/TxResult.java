package io.evmore.core.chain;

/**
 * A transaction included in a block.
 *
 * @param htlcId the HTLC the transaction created or touched (null if none)
 */
public record TxResult(ChainId chain, String txHash, long height, String htlcId) {}
