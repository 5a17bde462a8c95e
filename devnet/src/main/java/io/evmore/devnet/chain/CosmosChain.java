package io.evmore.devnet.chain;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.crypto.Secp256k1;
import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.ibc.RelayOp;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.devnet.wasm.WasmContract;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountRequest;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountResponse;
import io.evmore.proto.cosmos.bank.v1beta1.MsgSend;
import io.evmore.proto.cosmos.bank.v1beta1.QueryAllBalancesRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryAllBalancesResponse;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceResponse;
import io.evmore.proto.cosmos.base.abci.v1beta1.GasInfo;
import io.evmore.proto.cosmos.base.abci.v1beta1.Result;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmos.base.query.v1beta1.PageResponse;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmos.crypto.secp256k1.PubKey;
import io.evmore.proto.cosmos.tx.signing.v1beta1.SignMode;
import io.evmore.proto.cosmos.tx.v1beta1.SignDoc;
import io.evmore.proto.cosmos.tx.v1beta1.SignerInfo;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateRequest;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateResponse;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContract;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
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
 * One Cosmos chain of the devnet: state, mempool, CheckTx/DeliverTx with the SDK's ante sequence, blocks,
 * the tx indexer and ABCI queries. Thread-safe: every state access holds this chain's monitor; block
 * listeners run after the monitor is released.
 */
public final class CosmosChain implements ChainContext {
    private static final Logger log = LoggerFactory.getLogger(CosmosChain.class);
    public static final int MAX_TX_BYTES = 1_048_576;
    /** CometBFT's default mempool size (txs) and max_txs_bytes. */
    public static final int DEFAULT_MEMPOOL_CAPACITY = 5000;
    public static final long MAX_MEMPOOL_BYTES = 1_073_741_824L;
    public static final int MAX_MEMO_CHARS = 256;
    static final long TX_SIZE_COST_PER_BYTE = 10;
    static final long SIG_VERIFY_COST_SECP256K1 = 1000;
    private static final int KEPT_SNAPSHOTS = 2000;
    private static final int MEMPOOL_CACHE_SIZE = 10_000;

    private final ChainSpec spec;
    private final MemKv committed = new MemKv();
    private final TreeMap<Long, MemKv> snapshots = new TreeMap<>();
    private CacheKv checkState = new CacheKv(committed);
    private final List<byte[]> mempool = new ArrayList<>();
    private int mempoolCapacity = DEFAULT_MEMPOOL_CAPACITY;
    private int dropNextBroadcasts;
    private long indexLagBlocks;
    /** Committed txs the (lagging) indexer has not indexed yet, oldest first, with the height that makes them visible. */
    private final List<LaggingTx> notYetIndexed = new ArrayList<>();
    private final List<RelayOp> pendingRelayOps = new ArrayList<>();
    private final Set<String> seenTxs = new LinkedHashSet<>();
    private final List<Block> blocks = new ArrayList<>();
    private final List<IndexedTx> txIndex = new ArrayList<>();
    private final Map<String, IndexedTx> txByHash = new LinkedHashMap<>();
    private final Map<String, WasmContract> contracts = new LinkedHashMap<>();
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final List<Consumer<Block>> listeners = new CopyOnWriteArrayList<>();
    private final TransferModule transfer = new TransferModule();
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
        return txByHash.get(HexFormat.of().withUpperCase().formatHex(hash));
    }

    public synchronized List<IndexedTx> indexedTxs() {
        return List.copyOf(txIndex);
    }

    private record LaggingTx(IndexedTx tx, long visibleAt) {}

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
        indexLagBlocks = blocks;
    }

    /** Committed txs hidden from the index by {@link #indexLag(long)} right now. */
    public synchronized int notYetIndexed() {
        return notYetIndexed.size();
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
                ExecResult r = runTx(tx, Mode.DELIVER, deliver, height, time, holder);
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
            for (int i = 0; i < txs.size(); i++) {
                IndexedTx itx = new IndexedTx(AddressDerivation.sha256(txs.get(i)), height, i, txs.get(i), results.get(i));
                // The indexer works block by block, in order: nothing is indexed before what was committed earlier.
                long visibleAt = height + indexLagBlocks;
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
                        txIndex.sort(java.util.Comparator.comparingLong(IndexedTx::height).thenComparingInt(IndexedTx::index));
                    }
                    txByHash.put(t.tx().hashHex(), t.tx());
                    it.remove();
                }
            }
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
            runTx(tx, Mode.CHECK, checkState, latestHeight() + 1, now(), new MsgContext[1]);
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
        ExecResult r = runTx(tx, Mode.CHECK, checkState, latestHeight() + 1, now(), new MsgContext[1]);
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

    enum Mode { CHECK, SIMULATE, DELIVER }

    /**
     * Runs one tx: ante in a tx cache (written iff the ante passes), then (not in CheckTx) the messages in a
     * nested cache written iff all succeed. {@code ctxOut[0]} receives the message context on success.
     */
    private ExecResult runTx(byte[] txBytes, Mode mode, CacheKv parent, long height, Instant time, MsgContext[] ctxOut) {
        DecodedTx tx;
        try {
            tx = DecodedTx.decode(txBytes);
        } catch (SdkException e) {
            return ExecResult.error(e, 0, 0, List.of());
        }
        long gasLimit = tx.authInfo().hasFee() ? tx.authInfo().getFee().getGasLimit() : 0;
        GasMeter meter = mode == Mode.SIMULATE ? GasMeter.infinite() : new GasMeter(gasLimit < 0 ? Long.MAX_VALUE : gasLimit);
        CacheKv anteCache = new CacheKv(parent);
        List<Event> anteEvents = new ArrayList<>();
        try {
            ante(tx, mode, anteCache, meter, height, anteEvents);
        } catch (SdkException e) {
            return ExecResult.error(e, gasLimit, meter.consumed(), List.of());
        } catch (GasMeter.OutOfGasException e) {
            return ExecResult.error(SdkException.sdk(11, e.getMessage() + ": out of gas"), gasLimit, e.used, List.of());
        }
        anteCache.write();
        if (mode == Mode.CHECK) {
            return new ExecResult(0, null, "", "", gasLimit, meter.consumed(), anteEvents, "");
        }
        CacheKv msgCache = new CacheKv(parent);
        MsgContext ctx = new MsgContext(this, msgCache, meter, height, time);
        List<Event> events = new ArrayList<>(anteEvents);
        TxMsgData.Builder data = TxMsgData.newBuilder();
        int i = 0;
        try {
            for (; i < tx.msgs().size(); i++) {
                Message m = tx.msgs().get(i);
                int before = ctx.events.size();
                String url = DecodedTx.typeUrl(m);
                ctx.events.add(Event.of("message", "action", url, "sender", DecodedTx.signer(m), "module", url.split("\\.")[1]));
                Message response = deliverMsg(ctx, m);
                data.addMsgResponses(Any.newBuilder().setTypeUrl(url + "Response").setValue(response.toByteString()));
                for (int k = before; k < ctx.events.size(); k++) {
                    events.add(ctx.events.get(k).with("msg_index", Integer.toString(i)));
                }
            }
        } catch (SdkException e) {
            return ExecResult.error(e.wrap("failed to execute message; message index: " + i), gasLimit, meter.consumed(), anteEvents);
        } catch (GasMeter.OutOfGasException e) {
            return ExecResult.error(SdkException.sdk(11, e.getMessage() + ": out of gas"), gasLimit, e.used, anteEvents);
        }
        msgCache.write();
        ctxOut[0] = ctx;
        long wanted = mode == Mode.SIMULATE ? -1L : gasLimit;
        return new ExecResult(0, data.build().toByteArray(), "", "", wanted, meter.consumed(), events, "");
    }

    private void ante(DecodedTx tx, Mode mode, CacheKv anteCache, GasMeter meter, long height, List<Event> events) {
        ChainState st = new ChainState(new GasKv(anteCache, meter), spec.prefix());
        var fee = tx.authInfo().getFee();
        // ValidateBasic
        if (mode != Mode.SIMULATE && fee.getGasLimit() == 0) {
            throw SdkException.sdk(41, "must provide positive gas: invalid gas limit");
        }
        if (tx.msgs().isEmpty()) {
            throw SdkException.sdk(18, "must contain at least one message: invalid request");
        }
        for (Message m : tx.msgs()) {
            validateBasic(m);
        }
        Coins.validate(fee.getAmountList(), true);
        if (tx.raw().getSignaturesCount() == 0) {
            throw SdkException.sdk(15, "no signatures supplied");
        }
        if (tx.raw().getSignaturesCount() != tx.signers().size()) {
            throw SdkException.sdk(4, "wrong number of signatures; expected " + tx.signers().size() + ", got "
                    + tx.raw().getSignaturesCount() + ": unauthorized");
        }
        if (tx.authInfo().getSignerInfosCount() != tx.signers().size()) {
            throw SdkException.sdk(4, "wrong number of signers; expected " + tx.signers().size() + ", got "
                    + tx.authInfo().getSignerInfosCount() + ": unauthorized");
        }
        // TxTimeoutHeight
        long timeoutHeight = tx.body().getTimeoutHeight();
        if (timeoutHeight > 0 && height > timeoutHeight) {
            throw SdkException.sdk(30, "block height: " + height + ", timeout height: " + timeoutHeight + ": tx timeout height");
        }
        // ValidateMemo
        int memoChars = tx.body().getMemo().codePointCount(0, tx.body().getMemo().length());
        if (memoChars > MAX_MEMO_CHARS) {
            throw SdkException.sdk(12, "maximum number of characters is " + MAX_MEMO_CHARS + " but received "
                    + memoChars + " characters: memo too large");
        }
        // ConsumeGasForTxSize (simulation adds what the missing signatures would cost)
        meter.consume(TX_SIZE_COST_PER_BYTE * tx.bytes().length, "txSize");
        if (mode == Mode.SIMULATE) {
            for (var sig : tx.raw().getSignaturesList()) {
                if (sig.isEmpty()) {
                    // a 64-byte signature plus the fee coin and gas limit the signed tx will carry
                    meter.consume(TX_SIZE_COST_PER_BYTE * 100, "txSize");
                }
            }
        }
        // DeductFee
        String payer = fee.getPayer().isEmpty() ? tx.signers().getFirst() : fee.getPayer();
        if (st.account(payer) == null) {
            throw SdkException.sdk(9, "fee payer address: " + payer + " does not exist: unknown address");
        }
        if (mode == Mode.CHECK && spec.minGasPrice().signum() > 0) {
            BigInteger required = spec.minGasPrice().multiply(BigDecimal.valueOf(fee.getGasLimit()))
                    .setScale(0, RoundingMode.CEILING).toBigIntegerExact();
            BigInteger got = BigInteger.ZERO;
            for (Coin c : fee.getAmountList()) {
                if (c.getDenom().equals(spec.denom())) {
                    got = Coins.amount(c);
                }
            }
            if (got.compareTo(required) < 0) {
                throw SdkException.sdk(13, "insufficient fees; got: " + Coins.format(fee.getAmountList())
                        + " required: " + required + spec.denom() + ": insufficient fee");
            }
        }
        if (mode == Mode.SIMULATE && fee.getAmountList().isEmpty()) {
            // cosmjs simulates with an empty fee; charge the gas of the fee transfer the real tx will make
            ChainState scratch = new ChainState(new GasKv(new CacheKv(anteCache), meter), spec.prefix());
            try {
                scratch.send(payer, scratch.moduleAddress("fee_collector"), List.of(Coins.coin(spec.denom(), BigInteger.ONE)), new ArrayList<>());
            } catch (SdkException ignored) {
                // payer cannot pay even 1: the real tx will fail in CheckTx anyway
            }
        }
        if (!fee.getAmountList().isEmpty()) {
            try {
                st.send(payer, st.moduleAddress("fee_collector"), fee.getAmountList(), events);
            } catch (SdkException e) {
                throw SdkException.sdk(5, e.log() + ": insufficient funds");
            }
        }
        events.add(Event.of("tx", "fee", Coins.format(fee.getAmountList()), "fee_payer", payer));
        // SetPubKey
        List<BaseAccount> accounts = new ArrayList<>();
        List<byte[]> pubKeys = new ArrayList<>();
        for (int i = 0; i < tx.signers().size(); i++) {
            String signer = tx.signers().get(i);
            SignerInfo si = tx.authInfo().getSignerInfos(i);
            BaseAccount acc = st.account(signer);
            if (acc == null) {
                throw SdkException.sdk(9, "account " + signer + " does not exist: unknown address");
            }
            byte[] pk = null;
            if (si.hasPublicKey()) {
                pk = decodePubKey(si.getPublicKey());
                byte[] addr = AddressDerivation.accountAddress(pk);
                if (!Arrays.equals(addr, Bech32Address.decode(signer, spec.prefix()))) {
                    throw SdkException.sdk(8, "pubKey does not match signer address " + signer + " with signer index: "
                            + i + ": invalid pubkey");
                }
                if (!acc.hasPubKey()) {
                    acc = acc.toBuilder().setPubKey(ChainState.pubKeyAny(pk)).build();
                    st.setAccount(acc);
                }
            } else if (acc.hasPubKey()) {
                pk = decodePubKey(acc.getPubKey());
            } else if (mode != Mode.SIMULATE) {
                throw SdkException.sdk(8, "pubkey on account is not set: invalid pubkey");
            }
            accounts.add(acc);
            pubKeys.add(pk);
        }
        for (int i = 0; i < accounts.size(); i++) {
            events.add(Event.of("tx", "acc_seq", tx.signers().get(i) + "/" + tx.authInfo().getSignerInfos(i).getSequence()));
        }
        for (var sig : tx.raw().getSignaturesList()) {
            events.add(Event.of("tx", "signature", java.util.Base64.getEncoder().encodeToString(sig.toByteArray())));
        }
        // SigGasConsume
        for (int i = 0; i < accounts.size(); i++) {
            meter.consume(SIG_VERIFY_COST_SECP256K1, "ante verify: secp256k1");
        }
        // SigVerification
        for (int i = 0; i < accounts.size(); i++) {
            BaseAccount acc = accounts.get(i);
            SignerInfo si = tx.authInfo().getSignerInfos(i);
            if (si.getSequence() != acc.getSequence()) {
                throw SdkException.sdk(32, "account sequence mismatch, expected " + acc.getSequence() + ", got "
                        + si.getSequence() + ": incorrect account sequence");
            }
            if (mode == Mode.SIMULATE) {
                continue;
            }
            boolean direct = si.getModeInfo().hasSingle() && si.getModeInfo().getSingle().getMode() == SignMode.SIGN_MODE_DIRECT;
            byte[] signBytes = SignDoc.newBuilder().setBodyBytes(tx.raw().getBodyBytes())
                    .setAuthInfoBytes(tx.raw().getAuthInfoBytes()).setChainId(spec.chainId())
                    .setAccountNumber(acc.getAccountNumber()).build().toByteArray();
            if (!direct || !Secp256k1.verify(pubKeys.get(i), signBytes, tx.raw().getSignatures(i).toByteArray())) {
                throw SdkException.sdk(4, "signature verification failed; please verify account number ("
                        + acc.getAccountNumber() + ") and chain-id (" + spec.chainId()
                        + "): (unable to verify single signer signature): unauthorized");
            }
        }
        // IncrementSequence
        for (BaseAccount acc : accounts) {
            BaseAccount fresh = st.account(acc.getAddress());
            st.setAccount(fresh.toBuilder().setSequence(fresh.getSequence() + 1).build());
        }
    }

    private static byte[] decodePubKey(Any any) {
        if (!any.getTypeUrl().equals("/cosmos.crypto.secp256k1.PubKey")) {
            throw SdkException.sdk(8, "unsupported public key type " + any.getTypeUrl() + ": invalid pubkey");
        }
        try {
            byte[] key = PubKey.parseFrom(any.getValue()).getKey().toByteArray();
            if (key.length != 33) {
                throw SdkException.sdk(8, "secp256k1 public key must be 33 bytes, got " + key.length + ": invalid pubkey");
            }
            return key;
        } catch (InvalidProtocolBufferException e) {
            throw SdkException.sdk(8, "malformed secp256k1 public key: invalid pubkey");
        }
    }

    private void requireAddress(String address, String what) {
        try {
            Bech32Address.decode(address, spec.prefix());
        } catch (IllegalArgumentException e) {
            throw SdkException.sdk(7, "invalid " + what + " address: " + e.getMessage() + ": invalid address");
        }
    }

    private void validateBasic(Message m) {
        if (m instanceof MsgSend s) {
            requireAddress(s.getFromAddress(), "from");
            requireAddress(s.getToAddress(), "to");
            Coins.validate(s.getAmountList(), false);
        } else if (m instanceof MsgExecuteContract e) {
            requireAddress(e.getSender(), "sender");
            requireAddress(e.getContract(), "contract");
            Coins.validate(e.getFundsList(), true);
            try {
                var node = io.evmore.devnet.wasm.WasmModule.JSON.readTree(e.getMsg().toByteArray());
                if (node == null || !node.isObject()) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception ex) {
                throw new SdkException(2, "wasm", "msg must be json: invalid");
            }
        } else if (m instanceof MsgTransfer t) {
            requireAddress(t.getSender(), "sender");
            transfer.validateBasic(t);
        }
    }

    private Message deliverMsg(MsgContext ctx, Message m) {
        if (m instanceof MsgSend s) {
            ctx.state.send(s.getFromAddress(), s.getToAddress(), s.getAmountList(), ctx.events);
            return io.evmore.proto.cosmos.bank.v1beta1.MsgSendResponse.getDefaultInstance();
        }
        if (m instanceof MsgExecuteContract e) {
            byte[] data = io.evmore.devnet.wasm.WasmModule.execute(ctx, e.getSender(), e.getContract(),
                    e.getMsg().toByteArray(), e.getFundsList());
            var b = io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContractResponse.newBuilder();
            if (data != null) {
                b.setData(ByteString.copyFrom(data));
            }
            return b.build();
        }
        if (m instanceof MsgTransfer t) {
            long seq = transfer.sendTransfer(ctx, t);
            return io.evmore.proto.ibc.applications.transfer.v1.MsgTransferResponse.newBuilder().setSequence(seq).build();
        }
        throw new IllegalArgumentException("unsupported message " + m.getClass().getSimpleName());
    }

    // ---------------------------------------------------------------- queries

    /** ABCI query at {@code height} (0 = latest). */
    public synchronized QueryResult query(String path, byte[] data, long height) {
        long latest = latestHeight();
        long h = height <= 0 ? latest : height;
        if (h > latest) {
            return new QueryResult(26, "cannot query with height in the future; please provide a valid height: invalid height",
                    null, h, "sdk");
        }
        MemKv kv = h == latest ? committed : snapshots.get(h);
        if (kv == null) {
            return new QueryResult(26, "failed to load state at height " + h + "; version does not exist: invalid height",
                    null, h, "sdk");
        }
        ChainState st = new ChainState(kv, spec.prefix());
        try {
            byte[] value = switch (path) {
                case "/cosmos.auth.v1beta1.Query/Account" -> {
                    String addr = QueryAccountRequest.parseFrom(data).getAddress();
                    queryAddress(addr);
                    BaseAccount acc = st.account(addr);
                    if (acc == null) {
                        throw SdkException.sdk(22, "rpc error: code = NotFound desc = account " + addr + " not found: key not found");
                    }
                    yield QueryAccountResponse.newBuilder().setAccount(Any.pack(acc, "")
                            .toBuilder().setTypeUrl("/cosmos.auth.v1beta1.BaseAccount").build()).build().toByteArray();
                }
                case "/cosmos.bank.v1beta1.Query/Balance" -> {
                    QueryBalanceRequest req = QueryBalanceRequest.parseFrom(data);
                    queryAddress(req.getAddress());
                    if (!Coins.validDenom(req.getDenom())) {
                        throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = invalid denom " + req.getDenom() + ": invalid request");
                    }
                    yield QueryBalanceResponse.newBuilder().setBalance(Coins.coin(req.getDenom(),
                            st.balance(req.getAddress(), req.getDenom()))).build().toByteArray();
                }
                case "/cosmos.bank.v1beta1.Query/AllBalances" -> {
                    QueryAllBalancesRequest req = QueryAllBalancesRequest.parseFrom(data);
                    queryAddress(req.getAddress());
                    List<Coin> all = st.allBalances(req.getAddress());
                    yield QueryAllBalancesResponse.newBuilder().addAllBalances(all)
                            .setPagination(PageResponse.newBuilder().setTotal(all.size())).build().toByteArray();
                }
                case "/cosmos.tx.v1beta1.Service/Simulate" -> simulate(SimulateRequest.parseFrom(data).getTxBytes().toByteArray());
                case "/cosmwasm.wasm.v1.Query/SmartContractState" -> io.evmore.devnet.wasm.WasmModule.smartQuery(this, st, h,
                        io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateRequest.parseFrom(data));
                case "/cosmwasm.wasm.v1.Query/ContractInfo" -> io.evmore.devnet.wasm.WasmModule.contractInfo(this,
                        io.evmore.proto.cosmwasm.wasm.v1.QueryContractInfoRequest.parseFrom(data));
                case "/ibc.applications.transfer.v1.Query/DenomTrace" -> transfer.queryDenomTrace(st,
                        io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceRequest.parseFrom(data));
                case "/ibc.core.channel.v1.Query/Channel" -> queryChannel(
                        io.evmore.proto.ibc.core.channel.v1.QueryChannelRequest.parseFrom(data), h);
                default -> throw SdkException.sdk(6, "unknown query path: unknown request");
            };
            return QueryResult.ok(value, h);
        } catch (SdkException e) {
            return QueryResult.error(e, h);
        } catch (InvalidProtocolBufferException e) {
            return QueryResult.error(SdkException.sdk(18, "rpc error: code = InvalidArgument desc = " + e.getMessage() + ": invalid request"), h);
        }
    }

    /**
     * ibc-go's Query/Channel: the channel end (every devnet channel is an OPEN, unordered ICS-20 channel), no
     * proof, proof height = the queried height. A missing channel is gRPC NotFound, which the SDK answers as
     * code 22 with the wrapped text.
     */
    private byte[] queryChannel(io.evmore.proto.ibc.core.channel.v1.QueryChannelRequest req, long h) {
        for (String id : new String[] {req.getPortId(), req.getChannelId()}) {
            if (id.isBlank()) {
                throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = identifier cannot be blank: invalid identifier: invalid request");
            }
        }
        Channel ch = channels.get(req.getChannelId());
        if (ch == null || !req.getPortId().equals(Channel.PORT)) {
            throw SdkException.sdk(22, "rpc error: code = NotFound desc = port-id: " + req.getPortId() + ", channel-id "
                    + req.getChannelId() + ": channel not found: key not found");
        }
        var channel = io.evmore.proto.ibc.core.channel.v1.Channel.newBuilder()
                .setState(io.evmore.proto.ibc.core.channel.v1.State.STATE_OPEN)
                .setOrdering(io.evmore.proto.ibc.core.channel.v1.Order.ORDER_UNORDERED)
                .setCounterparty(io.evmore.proto.ibc.core.channel.v1.Counterparty.newBuilder()
                        .setPortId(Channel.PORT).setChannelId(ch.counterpartyChannelId()))
                .addConnectionHops(ch.connectionId()).setVersion("ics20-1");
        return io.evmore.proto.ibc.core.channel.v1.QueryChannelResponse.newBuilder().setChannel(channel)
                .setProofHeight(io.evmore.proto.ibc.core.client.v1.Height.newBuilder()
                        .setRevisionNumber(spec.revisionNumber()).setRevisionHeight(h))
                .build().toByteArray();
    }

    private void queryAddress(String addr) {
        try {
            Bech32Address.decode(addr, spec.prefix());
        } catch (IllegalArgumentException e) {
            throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = invalid address " + addr + ": invalid request");
        }
    }

    /** Simulate: the full tx in a throwaway cache, signatures unchecked, sequence checked, infinite gas. */
    private byte[] simulate(byte[] txBytes) {
        CacheKv scratch = new CacheKv(checkState);
        ExecResult r = runTx(txBytes, Mode.SIMULATE, scratch, latestHeight() + 1, now(), new MsgContext[1]);
        if (!r.ok()) {
            if (simulateErrorsAsSdk6) {
                String source = "wasm".equals(r.codespace())
                        ? "github.com/CosmWasm/wasmd@v0.54.9/x/wasm/keeper/keeper.go:411"
                        : "github.com/cosmos/cosmos-sdk@v0.50.15/baseapp/baseapp.go:1003";
                throw SdkException.sdk(6, "rpc error: code = Unknown desc = " + r.log() + " [" + source
                        + "] with gas used: '" + r.gasUsed() + "': unknown request");
            }
            throw new SdkException(r.code(), r.codespace(), r.log());
        }
        Result.Builder result = Result.newBuilder().setLog("");
        try {
            TxMsgData md = TxMsgData.parseFrom(r.data());
            result.setData(ByteString.copyFrom(r.data())).addAllMsgResponses(md.getMsgResponsesList());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        for (Event e : r.events()) {
            var pe = io.evmore.proto.tendermint.abci.Event.newBuilder().setType(e.type());
            for (var a : e.attributes()) {
                pe.addAttributes(io.evmore.proto.tendermint.abci.EventAttribute.newBuilder()
                        .setKey(a.key()).setValue(a.value()).setIndex(a.index()));
            }
            result.addEvents(pe);
        }
        return SimulateResponse.newBuilder()
                .setGasInfo(GasInfo.newBuilder().setGasWanted(-1L).setGasUsed(r.gasUsed()))
                .setResult(result).build().toByteArray();
    }

    /** Runs {@code fn} on the committed state inside this chain's lock (for the IBC relayer's checks). */
    public synchronized <T> T read(java.util.function.Function<ChainState, T> fn) {
        return fn.apply(new ChainState(committed, spec.prefix()));
    }
}
