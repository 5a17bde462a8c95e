package io.evmore.devnet.chain;

import java.time.Instant;
import java.util.List;

/**
 * A committed block. {@code appHash} is the state hash after the previous block (CometBFT puts the result
 * of block H-1 in header H); {@code resultAppHash} the one after this block.
 */
public record Block(String chainId, long height, Instant time, List<byte[]> txs, List<ExecResult> results,
                    List<Event> finalizeEvents, byte[] hash, byte[] partsHash, byte[] lastBlockHash, byte[] lastPartsHash,
                    byte[] dataHash, byte[] appHash, byte[] resultAppHash, byte[] proposer, Outbox outbox) {
    public Block {
        txs = List.copyOf(txs);
        results = List.copyOf(results);
        finalizeEvents = List.copyOf(finalizeEvents);
    }
}
