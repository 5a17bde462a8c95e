package io.evmore.devnet.chain;

import io.evmore.devnet.crypto.AddressDerivation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chain's tx indexer (CometBFT's {@code tx} and {@code tx_search}): every committed tx in (height, index) order and
 * by hash, with the fault of a lagging indexer ({@link CosmosChain#indexLag(long)}). Not thread-safe: the chain
 * uses it inside its monitor.
 */
final class TxIndex {
    private record LaggingTx(IndexedTx tx, long visibleAt) {}

    private long lagBlocks;
    /** Committed txs the (lagging) indexer has not indexed yet, oldest first, with the height that makes them visible. */
    private final List<LaggingTx> notYetIndexed = new ArrayList<>();
    private final List<IndexedTx> txIndex = new ArrayList<>();
    private final Map<String, IndexedTx> txByHash = new LinkedHashMap<>();

    IndexedTx tx(byte[] hash) {
        return txByHash.get(HexFormat.of().withUpperCase().formatHex(hash));
    }

    List<IndexedTx> txs() {
        return List.copyOf(txIndex);
    }

    /** Txs committed from now on stay out of the index until {@code blocks} more blocks are committed. */
    void lag(long blocks) {
        lagBlocks = blocks;
    }

    int notYetIndexed() {
        return notYetIndexed.size();
    }

    /** Block {@code height} was committed with {@code txs} and their {@code results}. */
    void commit(long height, List<byte[]> txs, List<ExecResult> results) {
        for (int i = 0; i < txs.size(); i++) {
            IndexedTx itx = new IndexedTx(AddressDerivation.sha256(txs.get(i)), height, i, txs.get(i), results.get(i));
            // The indexer works block by block, in order: nothing is indexed before what was committed earlier.
            long visibleAt = height + lagBlocks;
            if (!notYetIndexed.isEmpty()) visibleAt = Math.max(visibleAt, notYetIndexed.getLast().visibleAt());
            notYetIndexed.add(new LaggingTx(itx, visibleAt));
        }
        // The indexer: every committed tx whose delay is over, in commit order.
        for (var it = notYetIndexed.iterator(); it.hasNext(); ) {
            LaggingTx t = it.next();
            if (t.visibleAt() <= height) {
                IndexedTx last = txIndex.isEmpty() ? null : txIndex.getLast();
                txIndex.add(t.tx());
                if (last != null && (last.height() > t.tx().height()
                        || (last.height() == t.tx().height() && last.index() > t.tx().index()))) {
                    // tx_search lists in (height, index) order, whatever order the lagging indexer caught up in
                    txIndex.sort(Comparator.comparingLong(IndexedTx::height).thenComparingInt(IndexedTx::index));
                }
                txByHash.put(t.tx().hashHex(), t.tx());
                it.remove();
            }
        }
    }
}
