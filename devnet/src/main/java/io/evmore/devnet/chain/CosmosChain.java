package io.evmore.devnet.chain;

import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.ibc.RelayOp;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.devnet.chain.TxRunner.Mode;
import io.evmore.devnet.wasm.WasmContract;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Cosmos chain of the devnet: state, mempool, blocks and the devnet's fault switches. A tx is run by
 * {@link TxRunner} (the SDK's ante sequence in {@link AnteHandler}, then the modules), ABCI queries are answered by
 * {@link QueryRouter}, committed txs are indexed by {@link TxIndex}; the modules see this chain as a
 * {@link ChainContext}. Thread-safe: every state access holds this chain's monitor (the parts run only inside it);
 * block listeners run after the monitor is released.
 */
public final class CosmosChain implements ChainContext {
    private static final Logger log = LoggerFactory.getLogger(CosmosChain.class);
    public static final int MAX_TX_BYTES = 1_048_576;
    /** CometBFT's default mempool size (txs) and max_txs_bytes. */
    public static final int DEFAULT_MEMPOOL_CAPACITY = 5000;
    public static final long MAX_MEMPOOL_BYTES = 1_073_741_824L;
    public static final int MAX_MEMO_CHARS = 256;
    private static final int KEPT_SNAPSHOTS = 2000;
    private static final int MEMPOOL_CACHE_SIZE = 10_000;

    private final ChainSpec spec;
    private final MemKv committed = new MemKv();
    private final TreeMap<Long, MemKv> snapshots = new TreeMap<>();
    private CacheKv checkState = new CacheKv(committed);
    private final List<byte[]> mempool = new ArrayList<>();
    private int mempoolCapacity = DEFAULT_MEMPOOL_CAPACITY;
    private int dropNextBroadcasts;
    private final List<RelayOp> pendingRelayOps = new ArrayList<>();
    private final Set<String> seenTxs = new LinkedHashSet<>();
    private final List<Block> blocks = new ArrayList<>();
    private final TxIndex index = new TxIndex();
    private final Map<String, WasmContract> contracts = new LinkedHashMap<>();
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final List<Consumer<Block>> listeners = new CopyOnWriteArrayList<>();
    private final TransferModule transfer = new TransferModule();
    private final TxRunner txRunner;
    private final QueryRouter queries;
    private final byte[] proposer;
    private final byte[] validatorPubKey;
    private volatile boolean halted;
    private boolean simulateErrorsAsSdk6;
    private Duration clockOffset = Duration.ZERO;
    private final Instant genesisTime;

    public CosmosChain(ChainSpec spec) {
        this.spec = spec;
        this.proposer = Arrays.copyOf(AddressDerivation.sha256(("validator/" + spec.chainId()).getBytes()), 20);
        this.validatorPubKey = AddressDerivation.sha256(("validator-key/" + spec.chainId()).getBytes());
        this.genesisTime = Instant.now();
        this.txRunner = new TxRunner(this, transfer);
        this.queries = new QueryRouter(this, txRunner);
    }

    @Override
    public ChainSpec spec() {
        return spec;
    }

    @Override
    public String chainId() {
        return spec.chainId();
    }

    public byte[] proposerAddress() {
        return proposer.clone();
    }

    public byte[] validatorPubKey() {
        return validatorPubKey.clone();
    }

    public Instant genesisTime() {
        return genesisTime;
    }

    public TransferModule transfer() {
        return transfer;
    }

    // ---------------------------------------------------------------- setup

    /** Hosts {@code contract} as code 1 / instance n (classic wasmd address); returns its address. */
    public synchronized String instantiate(WasmContract contract) {
        long instance = contracts.size() + 1;
        String address = Bech32Address.encode(spec.prefix(), AddressDerivation.contract(1, instance));
        contracts.put(address, contract);
        ChainState st = new ChainState(committed, spec.prefix());
        st.ensureAccount(address);
        resetCheckState();
        return address;
    }

    @Override
    public synchronized WasmContract contract(String address) {
        return contracts.get(address);
    }

    public synchronized List<String> contractAddresses() {
        return List.copyOf(contracts.keySet());
    }

    public synchronized void addChannel(Channel channel) {
        if (!channel.chainId().equals(spec.chainId())) {
            throw new IllegalArgumentException("channel " + channel + " does not belong to " + spec.chainId());
        }
        channels.put(channel.channelId(), channel);
    }

    @Override
    public synchronized Channel channel(String channelId) {
        return channels.get(channelId);
    }

    public synchronized List<Channel> channels() {
        return List.copyOf(channels.values());
    }

    /** Credits {@code amount} of {@code denom} to {@code address} directly (devnet faucet; not a tx). */
    public synchronized void fund(String address, String denom, BigInteger amount) {
        if (!Bech32Address.isValid(address, spec.prefix())) {
            throw new IllegalArgumentException("invalid " + spec.prefix() + " address: " + address);
        }
        if (!Coins.validDenom(denom) || amount.signum() <= 0) {
            throw new IllegalArgumentException("invalid funding " + amount + denom);
        }
        new ChainState(committed, spec.prefix()).credit(address, List.of(Coins.coin(denom, amount)));
        resetCheckState();
    }

    public synchronized BigInteger balance(String address, String denom) {
        return new ChainState(committed, spec.prefix()).balance(address, denom);
    }

    public synchronized List<Coin> balances(String address) {
        return new ChainState(committed, spec.prefix()).allBalances(address);
    }

    public synchronized BaseAccount account(String address) {
        return new ChainState(committed, spec.prefix()).account(address);
    }

    public void addBlockListener(Consumer<Block> listener) {
        listeners.add(listener);
    }

    // ---------------------------------------------------------------- clock and halting

    public synchronized void advanceTime(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time never goes back: " + d);
        }
        clockOffset = clockOffset.plus(d);
    }

    @Override
    public synchronized Instant now() {
        return Instant.now().plus(clockOffset);
    }

    /**
     * Stops automatic block production. Synchronised with block production: once this returns, a block the
     * producer had already started is committed and no further automatic block will be (see
     * {@link #produceBlockUnlessHalted()}), so the height a test reads right after halting is final.
     */
    public synchronized void halt() {
        halted = true;
    }

    public synchronized void resume() {
        halted = false;
    }

    public boolean halted() {
        return halted;
    }

    // ---------------------------------------------------------------- blocks

    public synchronized long latestHeight() {
        return blocks.isEmpty() ? 0 : blocks.getLast().height();
    }

    public synchronized Block latestBlock() {
        return blocks.isEmpty() ? null : blocks.getLast();
    }

    @Override
    public synchronized Block block(long height) {
        if (height < 1 || height > blocks.size()) {
            return null;
        }
        return blocks.get((int) height - 1);
    }

    public synchronized IndexedTx tx(byte[] hash) {
        return index.tx(hash);
    }

    public synchronized List<IndexedTx> indexedTxs() {
        return index.txs();
    }

    /**
     * Fault injection (a lagging tx indexer): every tx committed from now on is in its block (and {@code block},
     * {@code block_results}, websocket events show it) but stays out of the tx index — {@code tx} answers "not found",
     * {@code tx_search} does not list it — until {@code blocks} more blocks are committed. A real CometBFT node indexes
     * asynchronously after the commit, so a just-committed tx can be missing from the index; an endpoint whose indexer
     * is slow or restarted can lag for longer. 0 (default) indexes at commit. Txs already hidden keep their delay, and
     * the index stays in commit order (a later tx is never indexed before an earlier one, as CometBFT's indexer).
     */
    public synchronized void indexLag(long blocks) {
        if (blocks < 0) {
            throw new IllegalArgumentException("index lag must be >= 0, got " + blocks);
        }
        index.lag(blocks);
    }

    /** Committed txs hidden from the index by {@link #indexLag(long)} right now. */
    public synchronized int notYetIndexed() {
        return index.notYetIndexed();
    }

    /**
     * Fault injection (a tx lost from the mempool): the next {@code txs} broadcasts that pass CheckTx are answered as
     * accepted (code 0, their hash) but are not kept — as if the node restarted right after answering and lost its
     * mempool and cache. They are in no block unless someone broadcasts them again.
     */
    public synchronized void dropNextBroadcasts(int txs) {
        if (txs < 0) {
            throw new IllegalArgumentException("dropped broadcasts must be >= 0, got " + txs);
        }
        dropNextBroadcasts = txs;
    }

    /** How many more accepted broadcasts {@link #dropNextBroadcasts(int)} will drop. */
    public synchronized int broadcastsToDrop() {
        return dropNextBroadcasts;
    }

    /** Fault injection (a node restart): every pending tx leaves the mempool and its cache, none is included. */
    public synchronized int dropMempool() {
        int n = mempool.size();
        for (byte[] tx : mempool) {
            seenTxs.remove(HexFormat.of().withUpperCase().formatHex(AddressDerivation.sha256(tx)));
        }
        mempool.clear();
        resetCheckState();
        return n;
    }

    /** Fault injection: at most {@code txs} pending txs (0 = every broadcast gets "mempool is full"). */
    public synchronized void mempoolCapacity(int txs) {
        if (txs < 0) {
            throw new IllegalArgumentException("mempool capacity must be >= 0, got " + txs);
        }
        mempoolCapacity = txs;
    }

    /**
     * Fault injection (real-node fidelity): when on, a failing simulation answers as a real SDK 0.50 node (wasmd
     * 0.54) does — code 6, codespace {@code sdk}, whatever the cause, with the original error inside the log:
     * {@code rpc error: code = Unknown desc = <log> [<source path>] with gas used: '<n>': unknown request}.
     * Off (default): the original code and codespace, as this sheet's first version described.
     */
    public synchronized void simulateErrorsAsSdk6(boolean on) {
        simulateErrorsAsSdk6 = on;
    }

    public synchronized int mempoolSize() {
        return mempool.size() + pendingRelayOps.size();
    }

    /** Queues an IBC relay message for the next block (the devnet relayer's MsgRecvPacket/Ack/Timeout). */
    public synchronized void submitRelayOp(RelayOp op) {
        pendingRelayOps.add(op);
    }

    /**
     * Produces and commits the next block with all mempool txs. Works while halted too: halting stops only
     * the automatic producer, so tests can still step a halted chain explicitly if they want.
     */
    public Block produceBlock() {
        return produce(false);
    }

    /** The automatic producer's step: like {@link #produceBlock()}, but nothing (null) while halted. */
    public Block produceBlockUnlessHalted() {
        return produce(true);
    }

    private Block produce(boolean unlessHalted) {
        Block block;
        synchronized (this) {
            if (unlessHalted && halted) {
                return null;
            }
            long height = latestHeight() + 1;
            Block prev = latestBlock();
            Instant time = now();
            if (prev != null && !time.isAfter(prev.time())) {
                time = prev.time().plusMillis(1);
            }
            byte[] prevAppHash = prev == null ? AddressDerivation.sha256(new byte[0]) : prev.resultAppHash();
            CacheKv deliver = new CacheKv(committed);
            List<byte[]> txs = new ArrayList<>();
            List<ExecResult> results = new ArrayList<>();
            Outbox outbox = new Outbox();
            for (RelayOp op : pendingRelayOps) {
                byte[] txBytes = op.txBytes();
                CacheKv txCache = new CacheKv(deliver);
                MsgContext ctx = new MsgContext(this, txCache, GasMeter.infinite(), height, time);
                ExecResult r;
                try {
                    r = transfer.executeRelay(ctx, op);
                    txCache.write();
                    outbox.addAll(ctx.outbox);
                    if (r == null) {
                        continue; // duplicate or expired: a real relayer's tx would not make it into the block
                    }
                } catch (RuntimeException e) {
                    log.warn("{}: relay op {} failed", spec.chainId(), op.describe(), e);
                    r = new ExecResult(1, null, "relay op failed: " + e.getMessage(), "", 0, 0, List.of(), "devnet");
                }
                txs.add(txBytes);
                results.add(r);
            }
            pendingRelayOps.clear();
            for (byte[] tx : mempool) {
                MsgContext[] holder = new MsgContext[1];
                ExecResult r = txRunner.run(tx, Mode.DELIVER, deliver, height, time, holder);
                if (r.ok() && holder[0] != null) {
                    outbox.addAll(holder[0].outbox);
                }
                txs.add(tx);
                results.add(r);
            }
            mempool.clear();
            deliver.write();
            byte[] resultAppHash = committed.hash();
            snapshots.put(height, committed.copy());
            while (snapshots.size() > KEPT_SNAPSHOTS) {
                snapshots.pollFirstEntry();
            }
            byte[] dataHash = dataHash(txs);
            byte[] hash = AddressDerivation.sha256((spec.chainId() + "/" + height + "/" + time).getBytes(),
                    dataHash, prevAppHash);
            byte[] partsHash = AddressDerivation.sha256("parts".getBytes(), hash);
            block = new Block(spec.chainId(), height, time, txs, results, List.of(), hash, partsHash,
                    prev == null ? new byte[0] : prev.hash(), prev == null ? new byte[0] : prev.partsHash(),
                    dataHash, prevAppHash, resultAppHash, proposer, outbox);
            blocks.add(block);
            index.commit(height, txs, results);
            resetCheckState();
        }
        for (Consumer<Block> l : listeners) {
            try {
                l.accept(block);
            } catch (RuntimeException e) {
                log.warn("{}: block listener failed at height {}", spec.chainId(), block.height(), e);
            }
        }
        return block;
    }

    private static byte[] dataHash(List<byte[]> txs) {
        if (txs.isEmpty()) {
            return AddressDerivation.sha256(new byte[0]);
        }
        byte[][] hashes = new byte[txs.size()][];
        for (int i = 0; i < txs.size(); i++) {
            hashes[i] = AddressDerivation.sha256(txs.get(i));
        }
        return AddressDerivation.sha256(hashes);
    }

    private void resetCheckState() {
        checkState = new CacheKv(committed);
        // Txs still waiting in the mempool keep their ante effects (sequence, fee) in the check state.
        for (byte[] tx : mempool) {
            txRunner.run(tx, Mode.CHECK, checkState, latestHeight() + 1, now(), new MsgContext[1]);
        }
    }

    // ---------------------------------------------------------------- CheckTx / broadcast

    /** broadcast_tx_sync: CheckTx against the check state; an accepted tx goes to the mempool. */
    public synchronized CheckTxResult broadcast(byte[] tx) {
        if (mempool.size() >= mempoolCapacity) {
            // CometBFT checks fullness first; its ErrMempoolIsFull text (a JSON-RPC error, not a CheckTx code).
            long bytes = mempool.stream().mapToLong(t -> t.length).sum();
            throw new MempoolException("mempool is full: number of txs " + mempool.size() + " (max: " + mempoolCapacity
                    + "), total txs bytes " + bytes + " (max: " + MAX_MEMPOOL_BYTES + ")");
        }
        if (tx.length > MAX_TX_BYTES) {
            throw new MempoolException("Tx too large. Max size is " + MAX_TX_BYTES + ", but got " + tx.length);
        }
        String hashHex = HexFormat.of().withUpperCase().formatHex(AddressDerivation.sha256(tx));
        if (seenTxs.contains(hashHex)) {
            throw new MempoolException("tx already exists in cache");
        }
        ExecResult r = txRunner.run(tx, Mode.CHECK, checkState, latestHeight() + 1, now(), new MsgContext[1]);
        if (r.ok() && dropNextBroadcasts > 0) {
            dropNextBroadcasts--;
            resetCheckState(); // its ante effects (sequence, fee) go with it
            log.info("{}: fault injection: broadcast tx {} answered as accepted and dropped", spec.chainId(), hashHex);
        } else if (r.ok()) {
            seenTxs.add(hashHex);
            if (seenTxs.size() > MEMPOOL_CACHE_SIZE) {
                seenTxs.remove(seenTxs.iterator().next()); // CometBFT's cache is an LRU of fixed size
            }
            mempool.add(tx);
        }
        return new CheckTxResult(r.code(), r.log(), r.codespace(), AddressDerivation.sha256(tx), r.gasWanted(), r.gasUsed());
    }

    // ---------------------------------------------------------------- queries

    /** ABCI query at {@code height} (0 = latest). */
    public synchronized QueryResult query(String path, byte[] data, long height) {
        return queries.query(path, data, height);
    }

    /** The committed state at height {@code h} (the live one at the latest height), null if no longer kept. */
    MemKv committedAt(long h) {
        return h == latestHeight() ? committed : snapshots.get(h);
    }

    CacheKv checkState() {
        return checkState;
    }

    boolean simulatesErrorsAsSdk6() {
        return simulateErrorsAsSdk6;
    }

    /** Runs {@code fn} on the committed state inside this chain's lock (for the IBC relayer's checks). */
    public synchronized <T> T read(java.util.function.Function<ChainState, T> fn) {
        return fn.apply(new ChainState(committed, spec.prefix()));
    }
}
