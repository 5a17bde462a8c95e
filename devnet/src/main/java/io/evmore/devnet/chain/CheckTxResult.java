package io.evmore.devnet.chain;

/** broadcast_tx_sync's answer: CheckTx code/log plus the tx hash. */
public record CheckTxResult(int code, String log, String codespace, byte[] hash, long gasWanted, long gasUsed) {}
