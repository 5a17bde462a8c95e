package io.evmore.core.chain;

/**
 * How far a chain has been followed: the last fully processed block, by height and hash. The hash lets a
 * follower detect a reorg (the parent hash of the next block no longer matches).
 */
public record ChainCursor(ChainId chain, long height, String blockHash) {
    public ChainCursor {
        if (chain == null) throw new IllegalArgumentException("cursor chain is missing");
        if (height < 0) throw new IllegalArgumentException("cursor height must be >= 0, got " + height);
        if (blockHash == null || blockHash.isBlank()) throw new IllegalArgumentException("cursor block hash is missing");
    }
}
