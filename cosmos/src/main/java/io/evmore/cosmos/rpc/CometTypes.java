package io.evmore.cosmos.rpc;

import java.time.Instant;
import java.util.List;

/** Parsed CometBFT RPC results (only the fields the relayer uses). */
public final class CometTypes {
    private CometTypes() {}

    public record Status(String chainId, String version, long latestHeight, String latestBlockHash,
            Instant latestBlockTime, boolean catchingUp) {}

    /** A block's identity and its raw transactions (tx hashes are sha256 of these). */
    public record Block(long height, String hash, String parentHash, Instant time, List<String> txHashes) {
        public Block {
            txHashes = List.copyOf(txHashes);
        }
    }

    public record BlockResults(long height, List<TxExecResult> txResults, List<AbciEvent> finalizeBlockEvents) {
        public BlockResults {
            txResults = List.copyOf(txResults);
            finalizeBlockEvents = List.copyOf(finalizeBlockEvents);
        }
    }

    /** A transaction found by hash or search. */
    public record IndexedTx(String hash, long height, int index, TxExecResult result) {}

    public record TxSearchPage(List<IndexedTx> txs, long totalCount) {
        public TxSearchPage {
            txs = List.copyOf(txs);
        }
    }

    public record AbciQueryResult(int code, String codespace, String log, byte[] value, long height) {
        public boolean ok() {
            return code == 0;
        }
    }

    public record BroadcastResult(int code, String codespace, String log, String hash) {
        public boolean ok() {
            return code == 0;
        }
    }
}
