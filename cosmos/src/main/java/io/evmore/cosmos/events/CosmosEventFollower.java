package io.evmore.cosmos.events;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.CursorStore;
import io.evmore.cosmos.rpc.AbciEvent;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometTypes.Block;
import io.evmore.cosmos.rpc.CometTypes.BlockResults;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CometTypes.TxSearchPage;
import io.evmore.cosmos.rpc.CometWebsocket;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.rpc.TxExecResult;
import io.evmore.pool.ChainMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one Cosmos chain from its persisted cursor (height + block hash): {@code block} + {@code block_results}
 * per height, HTLC events of the configured contract and outcomes of the relayer's IBC transfers. A websocket
 * NewBlock subscription wakes it; polling every {@code pollInterval} is the fallback; a watchdog reconnects a
 * websocket that stays silent while blocks advance. A long gap is crossed with {@code tx_search} by height (only
 * heights with relevant transactions are read), as far as the endpoint's tx index provably reaches and only when its
 * answers hold every transaction of the blocks read for that proof; otherwise, and for the rest, block by block.
 * CometBFT blocks are final; a stored cursor whose hash the chain no longer
 * has, or a block whose parent is not the cursor, means another chain or a corrupted store: the follower stops
 * and reports it ({@link #failure()}), rather than guess.
 */
public final class CosmosEventFollower implements ChainEvents {
    private static final Logger log = LoggerFactory.getLogger(CosmosEventFollower.class);

    /** Metrics of all followers on one registry: the shared chain metrics plus websocket (re)connects. */
    public static final class Metrics {
        private static final Map<PrometheusRegistry, Metrics> BY_REGISTRY = new WeakHashMap<>();
        final Gauge cursorHeight;
        final Gauge headHeight;
        final Counter websocketReconnects;

        private Metrics(PrometheusRegistry registry) {
            ChainMetrics shared = ChainMetrics.on(registry);
            cursorHeight = shared.cursorHeight;
            headHeight = shared.headHeight;
            websocketReconnects = Counter.builder().name("evmore_chain_websocket_connects_total")
                    .help("Websocket subscriptions opened (first connect and reconnects after failure or silence)")
                    .labelNames("chain").register(registry);
        }

        /** The instance of {@code registry} (a metric name can be registered only once). */
        public static Metrics on(PrometheusRegistry registry) {
            synchronized (BY_REGISTRY) {
                return BY_REGISTRY.computeIfAbsent(registry, Metrics::new);
            }
        }

        public double websocketConnects(ChainId chain) {
            return websocketReconnects.labelValues(chain.value()).get();
        }
    }

    /** Tuning. */
    public record Options(int confirmations, Duration pollInterval, Duration websocketSilence, long startHeight,
            long txSearchCatchUpAbove, Duration retryDelay) {
        public static Options defaults() {
            return new Options(1, Duration.ofSeconds(1), Duration.ofSeconds(15), 0, 1000, Duration.ofSeconds(2));
        }
    }

    private final ChainId chain;
    private final CometRpcClient rpc;
    private final CursorStore cursors;
    private final HtlcEventDecoder htlc;
    private final IbcEventDecoder ibc;
    private final String contract;
    private final List<URI> websockets;
    private final Options options;
    private final Metrics metrics;
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread thread;
    private volatile String failure;
    private volatile CometWebsocket ws;
    private volatile long lastWsHeight;
    private int wsIndex;
    private long nextWsAttempt = System.nanoTime();

    public CosmosEventFollower(ChainId chain, CometRpcClient rpc, CursorStore cursors, HtlcEventDecoder htlc,
            IbcEventDecoder ibc, String contract, List<URI> websockets, Options options, Metrics metrics) {
        this.chain = chain;
        this.rpc = rpc;
        this.cursors = cursors;
        this.htlc = htlc;
        this.ibc = ibc;
        this.contract = contract;
        this.websockets = List.copyOf(websockets);
        this.options = options;
        this.metrics = metrics;
    }

    @Override
    public ChainId chain() {
        return chain;
    }

    /** Why the follower stopped on its own (cursor mismatch), or empty while healthy. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** True while started and its following thread is alive (for /health). */
    public boolean isRunning() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    public boolean websocketConnected() {
        CometWebsocket w = ws;
        return w != null && w.isOpen();
    }

    @Override
    public synchronized void start(Listener listener) {
        if (running) throw new IllegalStateException("follower of " + chain + " already started");
        running = true;
        position = null; // every start resumes from the stored cursor, as the listener persisted it
        thread = Thread.ofPlatform().daemon().name("cosmos-follower-" + chain).start(() -> run(listener));
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeWebsocket();
    }

    /** The last block the listener accepted (only the follower thread touches it). */
    private ChainCursor position;

    private void run(Listener listener) {
        while (running) {
            try {
                if (position == null) position = initialCursor();
                long head = rpc.status().latestHeight();
                metrics.headHeight.labelValues(chain.value()).set(head);
                long target = head - (options.confirmations() - 1);
                if (target - position.height() > options.txSearchCatchUpAbove() && options.txSearchCatchUpAbove() > 0) {
                    catchUp(listener, position, target);
                }
                while (running && position.height() < target) {
                    position = processHeight(listener, position, position.height() + 1);
                }
                watchWebsocket(head);
                // Woken by the websocket or after the poll interval, whichever is first.
                wakeUp.tryAcquire(options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
            } catch (InterruptedException e) {
                break;
            } catch (CursorMismatchException e) {
                failure = e.getMessage();
                log.error("follower of {} stopped: {}", chain, e.getMessage());
                running = false;
            } catch (RuntimeException e) {
                if (!running) break;
                log.warn("follower of {}: {} (retrying in {})", chain, e.getMessage(), options.retryDelay());
                try {
                    Thread.sleep(options.retryDelay());
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
        closeWebsocket();
    }

    private static final class CursorMismatchException extends RuntimeException {
        CursorMismatchException(String m) {
            super(m);
        }
    }

    private ChainCursor initialCursor() {
        Optional<ChainCursor> stored = cursors.load(chain);
        if (stored.isPresent()) {
            ChainCursor c = stored.get();
            Block b = rpc.block(c.height());
            if (!b.hash().equalsIgnoreCase(c.blockHash())) {
                throw new CursorMismatchException("stored cursor " + c.height() + "/" + c.blockHash()
                        + " does not match the chain's block hash " + b.hash() + " at that height");
            }
            log.info("following {} from stored cursor {}", chain, c.height());
            metrics.cursorHeight.labelValues(chain.value()).set(c.height());
            return c;
        }
        long start = options.startHeight() > 0 ? options.startHeight() : rpc.status().latestHeight();
        // Start just before `start` so that block `start` itself is processed.
        long base = Math.max(start - 1, 0);
        String hash = base == 0 ? "GENESIS" : rpc.block(base).hash();
        log.info("following {} from height {} (no stored cursor)", chain, base + 1);
        return new ChainCursor(chain, base, hash);
    }

    private ChainCursor processHeight(Listener listener, ChainCursor cursor, long height) {
        Block block = rpc.block(height);
        if (cursor.height() == height - 1 && !cursor.blockHash().equals("GENESIS") && !block.parentHash().isEmpty()
                && !block.parentHash().equalsIgnoreCase(cursor.blockHash())) {
            throw new CursorMismatchException("block " + height + " has parent " + block.parentHash()
                    + " but the cursor is at " + cursor.blockHash());
        }
        List<ChainEvent> events = decode(block, rpc.blockResults(height));
        ChainCursor next = new ChainCursor(chain, height, block.hash());
        deliver(listener, next, events);
        return next;
    }

    /** Hands a block to the listener; if it throws, the same block is retried (the cursor does not move). */
    private void deliver(Listener listener, ChainCursor next, List<ChainEvent> events) {
        listener.onBlock(next, events);
        metrics.cursorHeight.labelValues(chain.value()).set(next.height());
    }

    List<ChainEvent> decode(Block block, BlockResults results) {
        if (results.txResults().size() != block.txHashes().size()) {
            throw new IllegalStateException("block " + block.height() + " has " + block.txHashes().size()
                    + " txs but block_results has " + results.txResults().size());
        }
        List<ChainEvent> out = new ArrayList<>();
        for (int i = 0; i < results.txResults().size(); i++) {
            TxExecResult r = results.txResults().get(i);
            if (!r.ok()) continue; // a failed tx changed nothing but fees
            decodeEvents(r.events(), block, block.txHashes().get(i), out);
        }
        decodeEvents(results.finalizeBlockEvents(), block, "", out);
        return out;
    }

    private void decodeEvents(List<AbciEvent> events, Block block, String txHash, List<ChainEvent> out) {
        for (int j = 0; j < events.size(); j++) {
            htlc.decode(events.get(j), origin(block, txHash, j)).ifPresent(out::add);
        }
        out.addAll(ibc.decode(events, j -> origin(block, txHash, j)));
    }

    private ChainEvent.Origin origin(Block b, String txHash, int index) {
        return new ChainEvent.Origin(chain, b.height(), b.hash(), txHash, index);
    }

    /** How far below the head the catch-up reads blocks to prove how far the node's tx index has caught up. */
    static final int INDEX_PROOF_WINDOW = 100;

    /**
     * Crosses a long gap with {@code tx_search}: only heights holding a transaction of our contract or an IBC
     * acknowledgement/timeout are read in full; the cursor then jumps to the end of the searched range, and the blocks
     * after it are read one by one by the caller. {@link #position} moves with every accepted block, so a listener
     * failure mid-way resumes after the last accepted block instead of handing the listener blocks it already took.
     *
     * <p>The tx index trails the blocks (CometBFT indexes after the commit; a node's indexer can lag far behind or be
     * off), and a transaction missing from it would be skipped for good. So the search only covers heights the same
     * endpoint's index provably holds ({@link #indexedThrough}); without such a proof the gap is read block by block.
     */
    private void catchUp(Listener listener, ChainCursor cursor, long target) {
        long from = cursor.height() + 1;
        Search found = rpc.transport().execute(c -> search(new CometRpcClient(PooledCometTransport.direct(c)), from, target));
        if (found == null) {
            log.info("{}: {} blocks behind but the tx index is not proven to cover them; reading them one by one",
                    chain, target - from + 1);
            return;
        }
        log.info("{}: catching up {} blocks ({}..{}) with tx_search{}", chain, found.through() - from + 1, from,
                found.through(), found.through() < target
                        ? "; " + (found.through() + 1) + ".." + target + " block by block (not indexed yet)" : "");
        for (long h : found.heights()) {
            if (!running) break;
            Block block = rpc.block(h);
            List<ChainEvent> events = decode(block, rpc.blockResults(h));
            ChainCursor c = new ChainCursor(chain, h, block.hash());
            deliver(listener, c, events);
            position = c;
        }
    }

    /** Heights to read in full, ending on {@code through} (the end of the range the index covers). */
    private record Search(long through, TreeSet<Long> heights) {}

    /**
     * The heights of {@code from..} (up to where the index is proven) that hold a transaction of our contract or an IBC
     * acknowledgement/timeout. Asked by {@code tx.height} alone, which every node indexes, and told apart by the events
     * in the answers: a node that indexes only some event keys ({@code index-events} in app.toml) answers a query on
     * {@code wasm._contract_address} with nothing, which would skip those transactions for good. The answers must
     * also hold every transaction of the blocks the proof read (an index behind the blocks, or a load balancer whose
     * backend's index lags, answers with fewer): otherwise null, and the gap is read block by block.
     */
    private Search search(CometRpcClient one, long from, long target) {
        java.util.Map<Long, Integer> txsInBlocksRead = new java.util.HashMap<>();
        long through = indexedThrough(one, from, target, txsInBlocksRead);
        if (through < from) return null;
        String q = "tx.height>=" + from + " AND tx.height<=" + through;
        TreeSet<Long> heights = new TreeSet<>();
        java.util.Map<Long, Integer> found = new java.util.HashMap<>();
        long seen = 0;
        for (int page = 1; ; page++) {
            TxSearchPage p = one.txSearch(q, page, 100, true);
            for (IndexedTx t : p.txs()) {
                if (t.height() < from || t.height() > through) {
                    throw new IllegalStateException("tx_search " + q + " answered a transaction at height " + t.height());
                }
                if (txsInBlocksRead.containsKey(t.height())) found.merge(t.height(), 1, Integer::sum);
                if (concernsUs(t.result())) heights.add(t.height());
            }
            seen += p.txs().size();
            if (seen >= p.totalCount() || p.txs().isEmpty()) break;
        }
        for (var e : txsInBlocksRead.entrySet()) {
            if (e.getKey() >= from && e.getKey() <= through && found.getOrDefault(e.getKey(), 0) < e.getValue()) {
                log.warn("{}: tx_search shows {} of the {} transactions of block {}: its index is not complete there;"
                        + " reading the gap block by block", chain, found.getOrDefault(e.getKey(), 0), e.getValue(), e.getKey());
                return null;
            }
        }
        heights.add(through); // always end on a fully read block
        return new Search(through, heights);
    }

    /** A transaction to read in full: an event of our contract, or an IBC acknowledgement or timeout. */
    private boolean concernsUs(io.evmore.cosmos.rpc.TxExecResult r) {
        for (AbciEvent e : r.events()) {
            if (e.type().equals("acknowledge_packet") || e.type().equals("timeout_packet")) return true;
            for (var a : e.attributes()) {
                if (a.key().equals("_contract_address") && a.value().equals(contract)) return true;
            }
        }
        return false;
    }

    /**
     * The highest height in [from, target] up to which this endpoint's tx index holds every transaction, or
     * {@code from − 1} when that cannot be shown. Reads blocks down from {@code target} (at most
     * {@value #INDEX_PROOF_WINDOW}) until one whose last transaction the index finds at that height: CometBFT indexes
     * block by block in order, so everything up to it is indexed. Blocks above it that hold transactions the index does
     * not show yet end the range below the lowest of them; blocks without transactions cannot hide any. The number of
     * transactions of each block read goes to {@code txsInBlocksRead}.
     */
    static long indexedThrough(CometRpcClient one, long from, long target, java.util.Map<Long, Integer> txsInBlocksRead) {
        long low = Math.max(from, target - INDEX_PROOF_WINDOW);
        long lowestUnindexed = -1;
        boolean proven = false;
        for (long h = target; h >= low; h--) {
            List<String> txs = one.block(h).txHashes();
            txsInBlocksRead.put(h, txs.size());
            if (txs.isEmpty()) continue;
            Optional<IndexedTx> t;
            try {
                t = one.tx(txs.getLast());
            } catch (io.evmore.cosmos.rpc.CometRpcException e) {
                return from - 1; // e.g. indexing disabled on this node
            }
            if (t.isPresent() && t.get().height() == h) {
                proven = true;
                break;
            }
            lowestUnindexed = h;
        }
        // Without an indexed block, only a walk that reached `from` knows every block of the gap.
        if (!proven && low > from) return from - 1;
        return lowestUnindexed < 0 ? target : lowestUnindexed - 1;
    }

    /**
     * Keeps a websocket open. Silence alone is normal (no blocks, no messages); silence while the chain moved past
     * the last height the websocket announced means a dead subscription: reconnect (to the next endpoint).
     */
    private void watchWebsocket(long head) {
        if (websockets.isEmpty()) return;
        CometWebsocket w = ws;
        if (w != null && w.isOpen() && head > lastWsHeight
                && Duration.between(w.lastMessageAt(), Instant.now()).compareTo(options.websocketSilence()) > 0) {
            log.warn("{}: websocket silent for more than {} while the chain reached {}; reconnecting", chain,
                    options.websocketSilence(), head);
            closeWebsocket();
            w = null;
        }
        if (w != null && w.isOpen()) return;
        closeWebsocket();
        // A failed connect can take seconds; do not let it slow polling down on every round.
        if (System.nanoTime() < nextWsAttempt) return;
        nextWsAttempt = System.nanoTime() + options.websocketSilence().toNanos();
        URI uri = websockets.get(wsIndex++ % websockets.size());
        try {
            lastWsHeight = head;
            ws = CometWebsocket.connect(chain + "-ws", uri, Duration.ofSeconds(5), h -> {
                lastWsHeight = Math.max(lastWsHeight, h);
                wakeUp.release();
            });
            metrics.websocketReconnects.labelValues(chain.value()).inc();
        } catch (RuntimeException e) {
            log.info("{}: websocket unavailable ({}); polling every {}", chain, e.getMessage(), options.pollInterval());
        }
    }

    /** Test hook: whether the silence watchdog would currently find the websocket dead. */
    long lastWebsocketHeight() {
        return lastWsHeight;
    }

    private void closeWebsocket() {
        CometWebsocket w = ws;
        ws = null;
        if (w != null) w.close();
    }
}
