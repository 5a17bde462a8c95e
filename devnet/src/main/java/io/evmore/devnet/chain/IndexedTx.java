package io.evmore.devnet.chain;

/** A delivered tx as the indexer keeps it (for tx, tx_search and websocket events). */
public record IndexedTx(byte[] hash, long height, int index, byte[] tx, ExecResult result) {
    public String hashHex() {
        return java.util.HexFormat.of().withUpperCase().formatHex(hash);
    }
}
