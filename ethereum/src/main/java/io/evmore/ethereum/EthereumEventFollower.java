package io.evmore.ethereum;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.EndpointPool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Follows the HTLC contract's events from a persisted cursor (height + block hash).
 *
 * <ul>
 *   <li>Only blocks with {@code confirmations} (head − confirmations + 1 and below) are reported.</li>
 *   <li>Logs are fetched with {@code eth_getLogs} over adaptive ranges: halved when a node refuses a range
 *       (too many results / range too large / timeout), doubled again up to {@code getLogsMaxRange} after
 *       successes.</li>
 *   <li>Before each step the cursor's block hash is compared with the chain's block at that height; on a mismatch
 *       (or a chain now shorter than the cursor) the follower walks back its recent history (the last
 *       {@value #HISTORY} range ends) to the newest block still canonical, tells the listener to roll back to it
 *       ({@link Listener#onRollback}) and rescans from there. A reorg deeper than that history rolls back a full
 *       history's worth below the cursor, or, if the chain no longer reaches that height, the same margin below
 *       its head (never below {@code startBlock - 1} while the chain reaches it); the ancestor reported is always
 *       the block at that height on the current chain.</li>
 *   <li>A range's end block and its logs are read from one endpoint, the block first: a node behind the range
 *       answers {@code eth_getLogs} for the blocks it lacks with nothing, which paired with another endpoint's end
 *       block would skip their events for good; a node without the end block is "not there yet". A one-block range
 *       asks its logs by block hash (EIP-234), which a load balancer's lagging backend must refuse.</li>
 *   <li>After a range's logs are read, its end block is read again: if its hash changed, a reorg happened during
 *       the read and the range is read again instead of applied. A one-block range must also build on the cursor (its
 *       parent hash), any other range find the cursor still canonical, and every block its logs claim must be
 *       the canonical one.</li>
 *   <li>A websocket endpoint's {@code newHeads} subscription wakes the loop at once; polling every
 *       {@code pollInterval} runs regardless. A subscription that ends (connection closed or lost, not confirmed by
 *       the node) wakes one poll at once and is made again on its own thread after 1 s, the delay doubling up to
 *       30 s while no ws endpoint can be reached, so a lost subscription costs latency only until the endpoint is
 *       back.</li>
 *   <li>Logs that fail validation are dropped with a WARN and {@code evmore_chain_events_dropped_total}; they never
 *       stop the follower. A listener failure retries the same range after {@code pollInterval}.</li>
 * </ul>
 * The follower persists nothing: the listener stores the cursor with its effects. On start it reads the stored
 * cursor (never "head minus N"); with none it starts at {@code startBlock}.
 *
 * <p>Given the relayer's address, each range is also asked (same endpoint, same blocks) for {@code Locked} logs of
 * any contract whose indexed receiver is the relayer. Those of other contracts are reported as
 * {@link ChainEvent.HtlcLocked} with the emitting contract in {@code contract()}, so the engine can reject a lock on
 * a look-alike contract with a reason; the configured contract's own logs, found by both queries, are reported once.
 * {@code Claimed}/{@code Refunded} come from the configured contract only.
 */
public final class EthereumEventFollower implements ChainEvents {
    private static final Logger log = LoggerFactory.getLogger(EthereumEventFollower.class);
    /** How many processed range ends are remembered to find a reorg's common ancestor. */
    static final int HISTORY = 512;

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final CursorStore cursors;
    private final Clock clock;
    private final ChainMetrics metrics;
    private final HtlcLogDecoder decoder;
    private final int historySize;
    private final Semaphore wake = new Semaphore(0);
    private final Deque<ChainCursor> history = new ArrayDeque<>(); // processed range ends, newest first
    private volatile boolean running;
    private volatile Thread thread;
    private final NewHeadsPush push;
    private final FollowerReads reads;
    private long range;

    /**
     * Tests only: runs after a range's logs were read (and checked against the serving endpoint's blocks) and before
     * the follower re-checks that the range is still canonical, with the range and the logs read. Lets a test reorg
     * the chain exactly there.
     */
    volatile RangeReadHook afterRangeRead;

    @FunctionalInterface
    interface RangeReadHook {
        void afterRead(long from, long to, List<Log> logs);
    }

    /** Follows the configured contract only. */
    public EthereumEventFollower(EthereumSettings settings, EndpointPool<EthConnection> pool, CursorStore cursors,
            Clock clock, ChainMetrics metrics) {
        this(settings, pool, cursors, clock, metrics, null);
    }

    /**
     * @param relayerAddress the relayer's own address (the receiver of user locks): {@code Locked} events for it
     *                       emitted by other contracts are reported too, with their contract; null = configured
     *                       contract only
     */
    public EthereumEventFollower(EthereumSettings settings, EndpointPool<EthConnection> pool, CursorStore cursors,
            Clock clock, ChainMetrics metrics, String relayerAddress) {
        this(settings, pool, cursors, clock, metrics, relayerAddress, HISTORY);
    }

    /** With {@code historySize} remembered range ends instead of {@value #HISTORY} (tests of deep reorgs). */
    EthereumEventFollower(EthereumSettings settings, EndpointPool<EthConnection> pool, CursorStore cursors,
            Clock clock, ChainMetrics metrics, String relayerAddress, int historySize) {
        if (historySize < 1) throw new IllegalArgumentException("historySize must be at least 1");
        this.historySize = historySize;
        this.settings = settings;
        this.pool = pool;
        this.cursors = cursors;
        this.clock = clock;
        this.metrics = metrics;
        this.decoder = new HtlcLogDecoder(settings.chain(), settings.contractAddress(), relayerAddress);
        this.reads = new FollowerReads(settings, pool, relayerAddress);
        this.push = new NewHeadsPush(settings, wake);
        this.range = settings.getLogsMaxRange();
    }

    @Override
    public ChainId chain() {
        return settings.chain();
    }

    @Override
    public synchronized void start(Listener listener) {
        if (running) throw new IllegalStateException("follower of " + settings.chain() + " already started");
        running = true;
        thread = Thread.ofVirtual().name("follow-" + settings.chain()).start(() -> run(listener));
        push.start();
    }

    @Override
    public synchronized void close() {
        running = false;
        push.close();
        stopAndJoin(thread);
    }

    static void stopAndJoin(Thread t) {
        if (t == null) return;
        t.interrupt();
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True while started and its following thread is alive (for /health). */
    public boolean isRunning() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    /**
     * Whether new-heads push is active: a ws endpoint's connection is open and the node confirmed the
     * {@code newHeads} subscription (it has given it an id).
     */
    public boolean pushActive() {
        return push.active();
    }

    private void run(Listener listener) {
        ChainCursor cursor = null;
        while (running) {
            try {
                if (cursor == null) {
                    cursor = initialCursor();
                    history.clear();
                    history.push(cursor);
                    metrics.cursorHeight.labelValues(label()).set(cursor.height());
                }
                ChainCursor next = step(cursor, listener);
                if (next == cursor) {
                    waitForNews();
                } else {
                    cursor = next;
                }
            } catch (RuntimeException e) {
                if (!running) break;
                log.warn("{} follower: {} (retrying in {} ms)", settings.chain(), e.getMessage(), settings.pollInterval().toMillis());
                sleepQuietly();
            }
        }
    }

    /** One unit of progress; returns the same cursor object when there is nothing new. */
    ChainCursor step(ChainCursor cursor, Listener listener) {
        long head = reads.latestBlockNumber();
        metrics.headHeight.labelValues(label()).set(head);
        long safe = head - settings.confirmations() + 1;
        // Reorg check of the cursor itself (also catches a chain that became shorter).
        EthBlock.Block atCursor = reads.block(cursor.height());
        if (atCursor == null || !atCursor.getHash().equalsIgnoreCase(cursor.blockHash())) {
            return rollBack(cursor, listener);
        }
        if (safe <= cursor.height()) {
            return cursor;
        }
        long from = cursor.height() + 1;
        long to = Math.min(safe, cursor.height() + range);
        FollowerReads.Range read; // the end block and the logs from one endpoint (a node behind 'to' answers no logs)
        try {
            read = reads.range(from, to, head);
        } catch (RpcErrorException | io.evmore.core.error.TransientException e) {
            if (range > 1) {
                range = Math.max(1, (to - from + 1) / 2);
                log.info("{} follower: eth_getLogs {}..{} failed ({}); range now {}", settings.chain(), from, to,
                        e.getMessage(), range);
                return cursor;
            }
            throw e;
        }
        EthBlock.Block end = read.end();
        if (end == null) {
            return cursor; // the chain moved under us, or the endpoint is behind; the next step re-checks
        }
        List<Log> logs = read.logs();
        RangeReadHook hook = afterRangeRead;
        if (hook != null) hook.afterRead(from, to, logs);
        // Canonical re-check after the read: the range end must still be the block we read the range up to, or a
        // reorg happened while we read and the logs may be of blocks that are gone (or miss those that replaced
        // them). Same hash at 'to' means the whole chain below it is unchanged too.
        EthBlock.Block endAfter = reads.block(to);
        if (endAfter == null || !endAfter.getHash().equalsIgnoreCase(end.getHash())) {
            log.info("{} follower: block {} changed while its range {}..{} was read; reading again", settings.chain(),
                    to, from, to);
            return cursor;
        }
        // Hardhat's hardhat_mine leaves zero parent hashes in blocks it mines in bulk: no evidence either way.
        boolean parentKnown = to == from && !end.getParentHash().equals(FollowerReads.ZERO_HASH);
        if (parentKnown && !end.getParentHash().equalsIgnoreCase(cursor.blockHash())) {
            return rollBack(cursor, listener); // the new block does not build on ours
        }
        if (!parentKnown) {
            // The cursor was canonical when this step began, but a reorg may have replaced it before 'end' was
            // read: then the range does not build on what we reported. Read again; the next step's cursor check
            // rolls back if the cursor is really gone.
            String stillThere = reads.hashAt(cursor.height());
            if (stillThere == null || !stillThere.equalsIgnoreCase(cursor.blockHash())) {
                return cursor;
            }
        }
        // Timelocks are judged against the later of our clock and the chain's own time (dev chains jump ahead).
        long now = Math.max(clock.nowEpochSeconds(), end.getTimestamp().longValue());
        List<ChainEvent> events = new ArrayList<>();
        java.util.Map<Long, String> logBlocks = new java.util.TreeMap<>(); // height -> block hash the logs claim
        for (Log l : logs) {
            // Everything about a log comes from the node, its position fields too: decode (which validates them)
            // before reading any of them, so a malformed log is dropped instead of failing and stalling the range.
            HtlcLogDecoder.Result r = decoder.decode(l, now);
            if (r instanceof HtlcLogDecoder.Decoded d) {
                ChainEvent.Origin o = d.event().origin();
                if (o.height() < from || o.height() > to) {
                    r = new HtlcLogDecoder.Dropped(HtlcLogDecoder.DropReason.OUT_OF_RANGE,
                            "block " + o.height() + " outside the requested " + from + ".." + to);
                } else {
                    String seen = logBlocks.putIfAbsent(o.height(), o.blockHash());
                    if (seen != null && !seen.equals(o.blockHash())) {
                        log.warn("{} follower: eth_getLogs {}..{} mixed two blocks at height {}; reading again",
                                settings.chain(), from, to, o.height());
                        return cursor;
                    }
                    events.add(d.event());
                    continue;
                }
            }
            HtlcLogDecoder.Dropped d = (HtlcLogDecoder.Dropped) r;
            metrics.eventsDropped.labelValues(label(), d.reason().label()).inc();
            log.warn("{} follower: dropped log {}#{} in block {}: {} ({})", settings.chain(),
                    HtlcLogDecoder.printableHex(l.getTransactionHash()), HtlcLogDecoder.printableHex(l.getLogIndexRaw()),
                    HtlcLogDecoder.printableHex(l.getBlockNumberRaw()), d.reason().label(), d.detail());
        }
        // The logs may come from another endpoint than the blocks (the pool spreads calls), possibly on another
        // fork: every block they claim must be the canonical one we see, or the range is read again.
        java.util.Map<Long, String> below = new java.util.HashMap<>(reads.hashesAt(
                logBlocks.keySet().stream().filter(h -> h != to).toList())); // one batch, not a read per block
        for (var e : logBlocks.entrySet()) {
            String canonical = e.getKey() == to ? end.getHash() : below.get(e.getKey());
            if (canonical == null || !canonical.equalsIgnoreCase(e.getValue())) {
                log.info("{} follower: logs of block {} are from block {}, not the canonical {}; reading again",
                        settings.chain(), e.getKey(), e.getValue(), canonical);
                return cursor;
            }
        }
        events.sort((a, b) -> a.origin().height() != b.origin().height()
                ? Long.compare(a.origin().height(), b.origin().height())
                : Integer.compare(a.origin().index(), b.origin().index()));
        ChainCursor next = new ChainCursor(settings.chain(), to, end.getHash().toLowerCase(Locale.ROOT));
        listener.onBlock(next, events); // if it throws, the same range is retried
        remember(next);
        metrics.cursorHeight.labelValues(label()).set(to);
        if (range < settings.getLogsMaxRange()) {
            range = Math.min(settings.getLogsMaxRange(), range * 2);
        }
        return next;
    }

    /** Finds the newest remembered block that is still canonical and rolls the listener back to it. */
    private ChainCursor rollBack(ChainCursor cursor, Listener listener) {
        metrics.reorgs.labelValues(label()).inc();
        ChainCursor ancestor = null;
        Iterator<ChainCursor> it = history.iterator();
        while (it.hasNext()) {
            ChainCursor c = it.next();
            EthBlock.Block b = reads.block(c.height());
            if (b != null && b.getHash().equalsIgnoreCase(c.blockHash())) {
                ancestor = c;
                break;
            }
        }
        if (ancestor == null) {
            ancestor = fallbackAncestor(cursor);
            log.error("{} follower: reorg deeper than {} remembered blocks at height {}; rolling back to {}",
                    settings.chain(), history.size(), cursor.height(), ancestor.height());
        } else {
            log.warn("{} follower: reorg detected at height {} (hash changed); rolling back to {} {}", settings.chain(),
                    cursor.height(), ancestor.height(), ancestor.blockHash());
        }
        listener.onRollback(ancestor);
        while (!history.isEmpty() && history.peek().height() > ancestor.height()) {
            history.pop();
        }
        if (history.isEmpty() || history.peek().height() != ancestor.height()) history.push(ancestor);
        metrics.cursorHeight.labelValues(label()).set(ancestor.height());
        return ancestor;
    }

    /**
     * None of the remembered blocks is canonical any more, so the fork point is below all of them and nothing tells
     * how far: go back a full history's worth below the cursor (and below the oldest remembered block). If the chain
     * is now shorter than that, nothing is known of the blocks below its head either: go back the same margin below
     * the head instead, so the ancestor is a block that exists. Never below the block before {@code startBlock}
     * (nothing was reported there), unless the chain no longer reaches it. The hash reported is the canonical one.
     */
    private ChainCursor fallbackAncestor(ChainCursor cursor) {
        long lowestGone = cursor.height();
        ChainCursor oldest = history.peekLast();
        if (oldest != null) lowestGone = Math.min(lowestGone, oldest.height());
        long h = Math.min(cursor.height() - historySize, lowestGone - 1);
        long head = reads.latestBlockNumber();
        if (h > head) h = head - historySize;
        long floor = Math.max(0, settings.startBlock() - 1);
        h = Math.max(Math.max(0, h), Math.min(floor, head));
        EthBlock.Block b = reads.block(h);
        if (b == null) {
            // the chain became shorter still since we read its head: the next round tries again
            throw new IllegalStateException("block " + h + " vanished while rolling back from " + cursor.height());
        }
        return new ChainCursor(settings.chain(), h, b.getHash().toLowerCase(Locale.ROOT));
    }

    private void remember(ChainCursor c) {
        history.push(c);
        while (history.size() > historySize) history.removeLast();
    }

    private ChainCursor initialCursor() {
        Optional<ChainCursor> stored = cursors.load(settings.chain());
        if (stored.isPresent()) {
            log.info("{} follower: resuming after block {} {}", settings.chain(), stored.get().height(), stored.get().blockHash());
            return stored.get();
        }
        // startBlock -1: the chain's head at the first start (never a scan from genesis unless asked for)
        long h = settings.startBlock() < 0 ? reads.latestBlockNumber() : Math.max(0, settings.startBlock() - 1);
        EthBlock.Block b = reads.block(h);
        if (b == null) throw new IllegalStateException("start block " + h + " does not exist yet");
        log.info("{} follower: no cursor stored; starting after block {}{}", settings.chain(), h,
                settings.startBlock() < 0 ? " (the head at first start)" : "");
        return new ChainCursor(settings.chain(), h, b.getHash().toLowerCase(Locale.ROOT));
    }

    private void waitForNews() {
        try {
            if (wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(settings.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private String label() {
        return settings.chain().value();
    }
}
