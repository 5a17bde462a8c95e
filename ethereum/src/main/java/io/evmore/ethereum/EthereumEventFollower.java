package io.evmore.ethereum;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.reactivex.disposables.Disposable;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
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
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.websocket.WebSocketService;

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
    /** First delay before subscribing to new heads again after a subscription ended; doubles up to the maximum. */
    static final Duration RESUBSCRIBE_MIN = Duration.ofSeconds(1);
    static final Duration RESUBSCRIBE_MAX = Duration.ofSeconds(30);
    /** A websocket that does not open, or a subscription the node does not confirm, within this is given up. */
    static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final CursorStore cursors;
    private final Clock clock;
    private final ChainMetrics metrics;
    private final HtlcLogDecoder decoder;
    private final String relayerTopic; // receiver topic of Locked logs for the relayer; null = not asked
    private final int historySize;
    private final Semaphore wake = new Semaphore(0);
    private final Deque<ChainCursor> history = new ArrayDeque<>(); // processed range ends, newest first
    private volatile boolean running;
    private volatile Thread thread;
    private volatile Thread pushThread;
    private final Object pushLock = new Object();
    private final Semaphore pushEnded = new Semaphore(0);
    private volatile Disposable subscription;
    private volatile WebSocketService pushService;
    private volatile org.web3j.protocol.websocket.WebSocketClient pushClient;
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
        this.relayerTopic = relayerAddress == null ? null
                : "0x" + "0".repeat(24) + relayerAddress.substring(2).toLowerCase(Locale.ROOT);
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
        if (settings.endpoints().stream().anyMatch(Endpoint::isWebSocket)) {
            pushThread = Thread.ofVirtual().name("newheads-" + settings.chain()).start(this::keepSubscribedToHeads);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        stopAndJoin(pushThread);
        dropPush();
        stopAndJoin(thread);
    }

    private static void stopAndJoin(Thread t) {
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
        Disposable s = subscription;
        WebSocketService ws = pushService;
        var client = pushClient;
        return s != null && !s.isDisposed() && ws != null && client != null && client.isOpen()
                && !ws.getSubscriptionIdsMap().isEmpty();
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
        long head = call(w -> Rpc.send(w.ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact());
        metrics.headHeight.labelValues(label()).set(head);
        long safe = head - settings.confirmations() + 1;
        // Reorg check of the cursor itself (also catches a chain that became shorter).
        EthBlock.Block atCursor = block(cursor.height());
        if (atCursor == null || !atCursor.getHash().equalsIgnoreCase(cursor.blockHash())) {
            return rollBack(cursor, listener);
        }
        if (safe <= cursor.height()) {
            return cursor;
        }
        long from = cursor.height() + 1;
        long to = Math.min(safe, cursor.height() + range);
        EthBlock.Block end = block(to);
        if (end == null) {
            return cursor; // the chain moved under us; the next step re-checks
        }
        List<Log> logs;
        try {
            logs = getLogs(from, to);
        } catch (RpcErrorException | io.evmore.core.error.TransientException e) {
            if (range > 1) {
                range = Math.max(1, (to - from + 1) / 2);
                log.info("{} follower: eth_getLogs {}..{} failed ({}); range now {}", settings.chain(), from, to,
                        e.getMessage(), range);
                return cursor;
            }
            throw e;
        }
        RangeReadHook hook = afterRangeRead;
        if (hook != null) hook.afterRead(from, to, logs);
        // Canonical re-check after the read: the range end must still be the block we read the range up to, or a
        // reorg happened while we read and the logs may be of blocks that are gone (or miss those that replaced
        // them). Same hash at 'to' means the whole chain below it is unchanged too.
        EthBlock.Block endAfter = block(to);
        if (endAfter == null || !endAfter.getHash().equalsIgnoreCase(end.getHash())) {
            log.info("{} follower: block {} changed while its range {}..{} was read; reading again", settings.chain(),
                    to, from, to);
            return cursor;
        }
        // Hardhat's hardhat_mine leaves zero parent hashes in blocks it mines in bulk: no evidence either way.
        boolean parentKnown = to == from && !end.getParentHash().equals(ZERO_HASH);
        if (parentKnown && !end.getParentHash().equalsIgnoreCase(cursor.blockHash())) {
            return rollBack(cursor, listener); // the new block does not build on ours
        }
        if (!parentKnown) {
            // The cursor was canonical when this step began, but a reorg may have replaced it before 'end' was
            // read: then the range does not build on what we reported. Read again; the next step's cursor check
            // rolls back if the cursor is really gone.
            String stillThere = hashAt(cursor.height());
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
        for (var e : logBlocks.entrySet()) {
            String canonical = e.getKey() == to ? end.getHash() : hashAt(e.getKey());
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
            EthBlock.Block b = block(c.height());
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
        long head = latestBlockNumber();
        if (h > head) h = head - historySize;
        long floor = Math.max(0, settings.startBlock() - 1);
        h = Math.max(Math.max(0, h), Math.min(floor, head));
        EthBlock.Block b = block(h);
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
        long h = settings.startBlock() < 0 ? latestBlockNumber() : Math.max(0, settings.startBlock() - 1);
        EthBlock.Block b = block(h);
        if (b == null) throw new IllegalStateException("start block " + h + " does not exist yet");
        log.info("{} follower: no cursor stored; starting after block {}{}", settings.chain(), h,
                settings.startBlock() < 0 ? " (the head at first start)" : "");
        return new ChainCursor(settings.chain(), h, b.getHash().toLowerCase(Locale.ROOT));
    }

    private long latestBlockNumber() {
        return call(w -> Rpc.send(w.ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact());
    }

    private String hashAt(long height) {
        EthBlock.Block b = block(height);
        return b == null ? null : b.getHash();
    }

    private List<Log> getLogs(long from, long to) {
        DefaultBlockParameter fromBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(from));
        DefaultBlockParameter toBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(to));
        EthFilter ours = new EthFilter(fromBlock, toBlock, settings.contractAddress());
        ours.addOptionalTopics(HtlcAbi.LOCKED_TOPIC, HtlcAbi.CLAIMED_TOPIC, HtlcAbi.REFUNDED_TOPIC);
        EthFilter forRelayer = null;
        if (relayerTopic != null) {
            // any contract: Locked(id, sender, receiver = relayer)
            forRelayer = new EthFilter(fromBlock, toBlock, (List<String>) null);
            forRelayer.addSingleTopic(HtlcAbi.LOCKED_TOPIC).addNullTopic().addNullTopic().addSingleTopic(relayerTopic);
        }
        EthFilter others = forRelayer;
        return call(w -> {
            // One endpoint answers both, so the merged logs come from one view of the chain.
            List<Log> out = logs(Rpc.send(w.ethGetLogs(ours), "eth_getLogs").getLogs());
            if (others != null) {
                // The configured contract's own locks for the relayer are in both answers: report them once.
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (Log l : out) seen.add(key(l));
                for (Log l : logs(Rpc.send(w.ethGetLogs(others), "eth_getLogs").getLogs())) {
                    if (!seen.contains(key(l))) out.add(l);
                }
            }
            checkLogsOnOwnChain(w, out, from, to);
            return out;
        });
    }

    @SuppressWarnings("rawtypes")
    private static List<Log> logs(List<EthLog.LogResult> results) {
        List<Log> out = new ArrayList<>();
        if (results == null) return out;
        for (EthLog.LogResult<?> r : results) {
            if (r.get() instanceof Log l) out.add(l);
        }
        return out;
    }

    /** Which log it is: emitter, block, transaction and index, as the node wrote them (the decoder validates). */
    private static String key(Log l) {
        return (l.getAddress() + "|" + l.getBlockHash() + "|" + l.getTransactionHash() + "|" + l.getLogIndexRaw())
                .toLowerCase(Locale.ROOT);
    }

    /**
     * An endpoint's logs must sit in blocks that endpoint itself has at those heights. One that makes logs up (or
     * serves them from a fork it does not follow) fails here with an IOException, so the pool charges it and asks
     * another endpoint, instead of the follower delivering them or re-reading the same answer forever.
     * Logs with malformed positions are left to the decoder, which drops them.
     */
    private void checkLogsOnOwnChain(Web3j w, List<Log> logs, long from, long to) throws java.io.IOException {
        java.util.Map<Long, String> claimed = new java.util.TreeMap<>();
        for (Log l : logs) {
            Long h = parseHeight(l.getBlockNumberRaw());
            String hash = l.getBlockHash();
            if (h == null || h < from || h > to || hash == null || !HASH.matcher(hash).matches()
                    || l.getTransactionHash() == null || !HASH.matcher(l.getTransactionHash()).matches()) {
                continue; // the decoder drops it
            }
            String other = claimed.putIfAbsent(h, hash.toLowerCase(Locale.ROOT));
            if (other != null && !other.equalsIgnoreCase(hash)) {
                throw new java.io.IOException("eth_getLogs put logs of two different blocks at height " + h);
            }
        }
        for (var e : claimed.entrySet()) {
            EthBlock.Block b = Rpc.send(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(e.getKey())),
                    false), "eth_getBlockByNumber").getBlock();
            if (b == null || b.getHash() == null || !b.getHash().equalsIgnoreCase(e.getValue())) {
                throw new java.io.IOException("eth_getLogs returned logs of block " + e.getValue() + " at height "
                        + e.getKey() + ", which the same endpoint does not have there");
            }
        }
    }

    private static Long parseHeight(String raw) {
        if (raw == null || !raw.matches("0x[0-9a-fA-F]{1,15}")) return null;
        return Long.parseLong(raw.substring(2), 16);
    }

    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("0x[0-9a-fA-F]{64}");
    private static final String ZERO_HASH = "0x" + "0".repeat(64);

    /** The block at {@code height}, or null if the chain is not that long; a malformed answer is the endpoint's fault. */
    private EthBlock.Block block(long height) {
        return call(w -> {
            EthBlock.Block b = Rpc.send(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(height)),
                    false), "eth_getBlockByNumber").getBlock();
            if (b != null && (b.getHash() == null || !HASH.matcher(b.getHash()).matches() || b.getParentHash() == null
                    || !HASH.matcher(b.getParentHash()).matches() || b.getNumberRaw() == null
                    || !BigInteger.valueOf(height).equals(b.getNumber()) || b.getTimestampRaw() == null
                    || b.getTimestamp().signum() < 0 || b.getTimestamp().bitLength() > 62)) {
                // IOException: charged to the endpoint, and the pool asks another one
                throw new java.io.IOException("eth_getBlockByNumber(" + height + "): malformed block in the answer");
            }
            return b;
        });
    }

    private <T> T call(Web3jCall<T> c) {
        return pool.execute(conn -> c.apply(conn.web3j()));
    }

    @FunctionalInterface
    private interface Web3jCall<T> {
        T apply(Web3j w) throws Exception;
    }

    /**
     * Keeps a {@code newHeads} subscription on one of the ws endpoints for as long as the follower runs. When it
     * ends (connection closed or lost, subscription refused or never confirmed) the following loop is woken to poll
     * at once (heads may have been missed), and the subscription is made again after {@link #RESUBSCRIBE_MIN},
     * doubling up to {@link #RESUBSCRIBE_MAX} while the endpoints stay unreachable. Runs on its own thread, so a
     * slow or hanging websocket never holds up following, which polls regardless.
     */
    private void keepSubscribedToHeads() {
        Duration delay = RESUBSCRIBE_MIN;
        while (running) {
            if (subscribeToHeads()) {
                boolean confirmed = awaitSubscriptionEnd();
                dropPush();
                if (!running) break;
                wake.release(); // poll now: what came while push was going down is not lost
                if (confirmed) delay = RESUBSCRIBE_MIN; // it worked; come back quickly
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                break;
            }
            delay = delay.multipliedBy(2).compareTo(RESUBSCRIBE_MAX) > 0 ? RESUBSCRIBE_MAX : delay.multipliedBy(2);
        }
        dropPush();
    }

    /**
     * Waits until the current subscription ends or is not confirmed by the node within {@link #SUBSCRIBE_TIMEOUT};
     * returns whether the node had confirmed it.
     */
    private boolean awaitSubscriptionEnd() {
        long deadline = System.nanoTime() + SUBSCRIBE_TIMEOUT.toNanos();
        boolean confirmed = false;
        while (running) {
            try {
                if (pushEnded.tryAcquire(250, TimeUnit.MILLISECONDS)) return confirmed;
            } catch (InterruptedException e) {
                return confirmed;
            }
            Disposable s = subscription;
            var client = pushClient;
            if (s == null || s.isDisposed() || client == null || !client.isOpen()) {
                log.warn("{} follower: newHeads websocket closed; polling until it is back", settings.chain());
                return confirmed;
            }
            if (!confirmed) {
                if (pushActive()) {
                    confirmed = true;
                    log.info("{} follower: new heads subscription confirmed", settings.chain());
                } else if (System.nanoTime() - deadline > 0) {
                    log.warn("{} follower: newHeads subscription not confirmed within {} s; trying again",
                            settings.chain(), SUBSCRIBE_TIMEOUT.toSeconds());
                    return false;
                }
            }
        }
        return confirmed;
    }

    /** Subscribes on the first ws endpoint that accepts; false if none did. */
    private boolean subscribeToHeads() {
        pushEnded.drainPermits();
        for (Endpoint e : settings.endpoints()) {
            if (!e.isWebSocket() || !running) continue;
            org.web3j.protocol.websocket.WebSocketClient client = null;
            WebSocketService ws = null;
            try {
                client = new org.web3j.protocol.websocket.WebSocketClient(URI.create(e.url())) {
                    @Override
                    public boolean connectBlocking() throws InterruptedException {
                        // web3j waits for the handshake without a limit; an endpoint that accepts and never
                        // answers would hold this thread forever
                        return connectBlocking(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                };
                ws = new WebSocketService(client, false);
                ws.connect();
                Web3j w = Web3j.build(ws);
                synchronized (pushLock) {
                    if (!running) {
                        ws.close();
                        return false;
                    }
                    pushClient = client;
                    pushService = ws;
                    subscription = w.newHeadsNotifications().subscribe(n -> wake.release(), err -> {
                        log.warn("{} follower: newHeads subscription on '{}' ended ({}); polling only until it is back",
                                settings.chain(), e.name(), e.redact(String.valueOf(err.getMessage())));
                        pushEnded.release();
                    }, pushEnded::release);
                }
                log.info("{} follower: subscribing to new heads on '{}'", settings.chain(), e.name());
                return true;
            } catch (Exception ex) {
                if (ws != null) ws.close();
                else if (client != null) client.close();
                log.warn("{} follower: cannot subscribe to new heads on '{}' ({}); polling", settings.chain(), e.name(),
                        e.redact(String.valueOf(ex.getMessage())));
            }
        }
        return false;
    }

    private void dropPush() {
        synchronized (pushLock) {
            Disposable s = subscription;
            subscription = null;
            if (s != null) s.dispose();
            WebSocketService ws = pushService;
            pushService = null;
            pushClient = null;
            if (ws != null) {
                try {
                    ws.close();
                } catch (RuntimeException e) {
                    // already broken
                }
            }
        }
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
