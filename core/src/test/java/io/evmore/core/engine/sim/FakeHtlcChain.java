package io.evmore.core.engine.sim;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.error.TransientException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.util.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A chain with the SPEC §2 HTLC contract, in memory, that the simulation controls: blocks (height, hash, parent, time
 * from the test's clock), balances per address and asset, a nonce per sender, a mempool, a fee market, and reorgs. It is
 * also the relayer's adapter ({@link HtlcChain}): the relayer's transactions are signed with the next pending nonce,
 * handed to the journal, broadcast and (normally) mined at once.
 *
 * <p>Two kinds, as the real chains: an EVM-like chain ({@link #evm}: a pending transaction can be replaced on its nonce at
 * a higher fee, {@link #speedUp}; lock ids are derived from the creating transaction, so a lock re-mined after a reorg
 * keeps its id) and a Cosmos-like one ({@link #cosmos}: no replacement; every relayer transaction carries a
 * {@code timeout_height}, after which the mempool drops it and only then may reconcile say NeverLanded; lock ids are a
 * counter).
 *
 * <p>Faults, drawn from the simulation's seeded Random ({@link Faults}): the process dies before signing, after the
 * journal persisted the transaction (never broadcast), or after the broadcast before the answer; the answer is lost
 * (the transaction landed, the call throws TransientException); inclusion is delayed for a few blocks (the call times
 * out, reconcile says Undecided meanwhile); a fee spike keeps relayer transactions bidding below it out of blocks; reads
 * come from an endpoint a few blocks behind (queries, block time, the secret, reconcile — stale, never false).
 *
 * <p>{@link #reconcile} decides from the chain alone, as SPEC says: by every hash of the intent (included: Landed or
 * Reverted), then (EVM) by nonce (consumed by another transaction: NeverLanded) or (Cosmos) by timeout height (passed and
 * not included: NeverLanded); a transaction still in the mempool is Undecided; one that was signed and journaled but
 * never reached the chain is re-broadcast from its raw bytes (Undecided until it is mined or times out).
 */
public final class FakeHtlcChain implements HtlcChain {

    /**
     * LOCK/CLAIM/REFUND: the HTLC contract; TRANSFER: an ICS-20 transfer the relayer sends (escrows the amount, makes a
     * packet); IBC_CREATE: a packet arriving over IBC whose hooks memo creates an HTLC (sender the hooks intermediary,
     * refund address the relayer's); ACK: the home chain records a packet's acknowledgement or timeout (a failure gives
     * the escrow back).
     */
    public enum Kind { LOCK, CLAIM, REFUND, TRANSFER, IBC_CREATE, ACK, CANCEL }

    /** Probabilities per relayer transaction (or read); all 0 by default. */
    public static final class Faults {
        public double crashBeforeSign;
        public double crashAfterJournal;
        public double crashAfterBroadcast;
        /** The process freezes after the journal and the lease guard, before the broadcast ({@link SimulatedFreeze}). */
        public double freezeBeforeBroadcast;
        public double lostAnswer;
        public double delay;
        /** Included but failed (out of gas): nonce used, nothing else changes. */
        public double revert;
        public int maxDelayBlocks = 3;
        /** A read (query, block time, secret, reconcile) answered by an endpoint up to {@link #staleBlocks} behind. */
        public double staleRead;
        public int staleBlocks = 2;
    }

    public record Htlc(String id, String sender, String receiver, String asset, BigInteger amount, Hashlock hashlock,
            long timelock, String targetChain, String targetAddress, HtlcRecord.Status status, Secret secret, String refundTo) {
        Htlc with(HtlcRecord.Status s, Secret revealed) {
            return new Htlc(id, sender, receiver, asset, amount, hashlock, timelock, targetChain, targetAddress, s, revealed, refundTo);
        }
    }

    /**
     * A signed transaction. {@code signedAt}: the relayer's clock when it signed (unix seconds); {@code feeLevel}: what it
     * bids; {@code timeoutHeight}: the last height that may include it (0 = none).
     */
    public record Tx(String hash, String from, long nonce, Kind kind, LockRequest lock, String htlcId, Secret secret,
            boolean relayer, long signedAt, int feeLevel, long timeoutHeight, long packet, String note) {
        Tx(String hash, String from, long nonce, Kind kind, LockRequest lock, String htlcId, Secret secret, boolean relayer,
                long signedAt, int feeLevel, long timeoutHeight) {
            this(hash, from, nonce, kind, lock, htlcId, secret, relayer, signedAt, feeLevel, timeoutHeight, 0, null);
        }
    }

    /** An included transaction and what it did. */
    public record Receipt(Tx tx, long height, long time, boolean success, String reason, String htlcId, Hashlock hashlock,
            long packet) {
        Receipt(Tx tx, long height, long time, boolean success, String reason, String htlcId, Hashlock hashlock) {
            this(tx, height, time, success, reason, htlcId, hashlock, 0);
        }
    }

    private static final class State {
        final Map<String, Htlc> htlcs;
        final Map<String, BigInteger> balances;
        final Map<String, Long> nonces;

        State(Map<String, Htlc> htlcs, Map<String, BigInteger> balances, Map<String, Long> nonces) {
            this.htlcs = htlcs;
            this.balances = balances;
            this.nonces = nonces;
        }

        State copy() {
            return new State(new LinkedHashMap<>(htlcs), new HashMap<>(balances), new HashMap<>(nonces));
        }

        BigInteger balance(String address, String asset) {
            return balances.getOrDefault(key(address, asset), BigInteger.ZERO);
        }

        void add(String address, String asset, BigInteger delta) {
            balances.merge(key(address, asset), delta, BigInteger::add);
        }

        static String key(String address, String asset) {
            return address.toLowerCase(Locale.ROOT) + "|" + asset.toLowerCase(Locale.ROOT);
        }
    }

    private record Block(long height, String hash, String parent, long time, List<Receipt> receipts, State after) {}

    /** The highest fee level an adapter bids (its cap). */
    public static final int MAX_FEE_LEVEL = 12;
    private static final int KEPT_STATES = 16;

    private final ChainId chain;
    private final String relayer;
    private final String contract;
    private final Clock clock;
    private final Random random;
    private final Faults faults;
    private final boolean replaceable;
    private final int timeoutBlocks;
    private final int confirmations;
    private final List<Block> canonical = new ArrayList<>();
    private final Map<String, Block> everyBlock = new HashMap<>();
    private final List<Tx> mempool = new ArrayList<>();
    private final Map<String, Long> heldUntil = new HashMap<>();
    private final java.util.Set<String> outOfGas = new java.util.HashSet<>();
    private final Map<String, Tx> signed = new HashMap<>();
    private final Map<String, Receipt> included = new HashMap<>();
    private final List<Htlc> reorgedLocks = new ArrayList<>();
    /** Lock ids a deep reorg removed for good, with the time they left the chain. */
    private final Map<String, Long> removedAt = new HashMap<>();
    /** Test control: the next {@code hideReads} HTLC reads (query, queryConfirmed) answer "not found" (a lagging node). */
    public int hideReads;
    /** Test control: the next relayer transaction of this kind is included but fails (out of gas). */
    public Kind failNext;
    /**
     * The next transaction of this kind reaches the mempool, but the answer is a refusal of its sequence (a node behind
     * in a pool) and the re-signed one is refused in simulation: the caller sees a revert without a hash, while the
     * first transaction lands with the next block.
     */
    public Kind refuseResignAfterBroadcast;
    /**
     * Test control: the next reconcile that finds a landed transaction of this kind answers NeverLanded instead (a
     * reconcile whose evidence lied: an endpoint that showed the chain without it).
     */
    public Kind lieNeverLanded;
    /** Test control: {@link #relayerLocksWithHashlock} answers as if it could not search the chain now. */
    public boolean searchUnavailable;
    /** Called once a transaction of the relayer's was mined or not, before its answer is given (a test's moment to act). */
    public java.util.function.Consumer<Kind> beforeAnswer = k -> {};
    /** Test control: this chain's block time runs this many seconds behind the wall clock (slow block production). */
    public long timeLag;
    private int minFeeLevel;
    private long spikeUntil;
    private long idCounter;
    private long packetCounter;
    private long txCounter;
    private long forkCounter;
    private int lostAnswers;
    private int delayed;
    private int crashes;
    private int replacements;
    private int cancels;
    private int freezes;
    private java.util.function.BooleanSupplier deposedActing = () -> false;
    private final java.util.Set<String> signedWhileDeposed = new java.util.HashSet<>();
    private final java.util.Set<String> deposedBroadcasts = new java.util.LinkedHashSet<>();
    private int staleReads;
    private int expired;

    /** An EVM-like chain: replacement by fee, ids from the creating transaction. */
    public static FakeHtlcChain evm(ChainId chain, String relayer, String contract, Clock clock, Random random, Faults faults,
            int confirmations) {
        return new FakeHtlcChain(chain, relayer, contract, clock, random, faults, true, 0, confirmations);
    }

    /** A Cosmos-like chain: instant finality, no replacement, every relayer transaction times out after {@code timeoutBlocks}. */
    public static FakeHtlcChain cosmos(ChainId chain, String relayer, String contract, Clock clock, Random random, Faults faults,
            int timeoutBlocks) {
        return new FakeHtlcChain(chain, relayer, contract, clock, random, faults, false, timeoutBlocks, 1);
    }

    public FakeHtlcChain(ChainId chain, String relayer, String contract, Clock clock, Random random, Faults faults) {
        this(chain, relayer, contract, clock, random, faults, chain.isEvm(), chain.isEvm() ? 0 : 6, 1);
    }

    private FakeHtlcChain(ChainId chain, String relayer, String contract, Clock clock, Random random, Faults faults,
            boolean replaceable, int timeoutBlocks, int confirmations) {
        this.chain = chain;
        this.relayer = relayer;
        this.contract = contract;
        this.clock = clock;
        this.random = random;
        this.faults = faults;
        this.replaceable = replaceable;
        this.timeoutBlocks = timeoutBlocks;
        this.confirmations = Math.max(1, confirmations);
        Block genesis = new Block(0, hash("genesis", chain.value()), "0x0", clock.nowEpochSeconds(), List.of(),
                new State(new LinkedHashMap<>(), new HashMap<>(), new HashMap<>()));
        canonical.add(genesis);
        everyBlock.put(genesis.hash(), genesis);
    }

    // ---- the simulation's controls -------------------------------------------------------------------------------

    public Faults faults() {
        return faults;
    }

    /** Genesis allocation. */
    public void fund(String address, String asset, BigInteger amount) {
        head().after().add(address, asset, amount);
    }

    /** Until {@code untilTime} (chain time), relayer transactions bidding below {@code level} are not included. */
    public void spike(int level, long untilTime) {
        minFeeLevel = level;
        spikeUntil = untilTime;
    }

    public int feeFloor() {
        return head().time() < spikeUntil ? minFeeLevel : 0;
    }

    public void userLock(String from, LockRequest request) {
        submit(userTx(from, Kind.LOCK, request, null, null));
    }

    public void userClaim(String from, String htlcId, Secret secret) {
        submit(userTx(from, Kind.CLAIM, null, htlcId, secret));
    }

    public void userRefund(String from, String htlcId) {
        submit(userTx(from, Kind.REFUND, null, htlcId, null));
    }

    private Tx userTx(String from, Kind kind, LockRequest lock, String htlcId, Secret secret) {
        return new Tx(hash("user", String.valueOf(++txCounter)), from, -1, kind, lock, htlcId, secret, false, now(), 0, 0);
    }

    private void submit(Tx tx) {
        mempool.add(tx);
    }

    /**
     * Mines one block at the clock's time: every user transaction in the mempool, then the relayer's in nonce order
     * (stopping at one that is held back or bids below the fee floor). Expired relayer transactions leave the mempool.
     */
    public void mine() {
        Block parent = head();
        long height = parent.height() + 1;
        long time = Math.max(parent.time(), now() - timeLag);
        int floor = time < spikeUntil ? minFeeLevel : 0;
        State state = parent.after().copy();
        List<Receipt> receipts = new ArrayList<>();
        for (Tx tx : List.copyOf(mempool)) {
            if (tx.relayer()) continue;
            mempool.remove(tx);
            receipts.add(execute(state, tx, height, time));
        }
        int before = mempool.size();
        mempool.removeIf(t -> t.relayer() && t.timeoutHeight() > 0 && t.timeoutHeight() < height);
        expired += before - mempool.size();
        while (true) {
            long next = state.nonces.getOrDefault(relayer, 0L);
            mempool.removeIf(t -> t.relayer() && t.nonce() < next); // nonce used: can never be included
            Optional<Tx> tx = mempool.stream().filter(t -> t.relayer() && t.nonce() == next).findFirst();
            if (tx.isEmpty() || heldUntil.getOrDefault(tx.get().hash(), 0L) > height || tx.get().feeLevel() < floor) break;
            mempool.remove(tx.get());
            receipts.add(outOfGas.contains(tx.get().hash())
                    ? fail(tx.get(), height, time, "out of gas", tx.get().htlcId(), tx.get().lock() == null ? null : tx.get().lock().hashlock())
                    : execute(state, tx.get(), height, time));
            state.nonces.merge(relayer, 1L, Long::sum);
        }
        String hash = hash("block", chain.value(), String.valueOf(height), parent.hash(), String.valueOf(forkCounter));
        Block b = new Block(height, hash, parent.hash(), time, List.copyOf(receipts), state);
        canonical.add(b);
        everyBlock.put(hash, b);
        for (Receipt r : receipts) included.put(r.tx().hash(), r);
        if (canonical.size() > KEPT_STATES) {
            // Old snapshots are never needed again (reorgs and stale reads reach a few blocks back): keep memory flat.
            Block old = canonical.get(canonical.size() - KEPT_STATES);
            if (old.height() > 0 && old.after() != null) canonical.set(canonical.size() - KEPT_STATES, new Block(old.height(),
                    old.hash(), old.parent(), old.time(), old.receipts(), null));
        }
    }

    /** {@link #reorg(int, boolean)} without re-including the dropped locks: they are gone for good. */
    public List<Htlc> reorg(int depth) {
        return reorg(depth, false);
    }

    /**
     * Drops the last {@code depth} blocks if they hold nothing but user locks (and empty blocks), then mines
     * {@code depth + 1} fresh blocks. The dropped lock transactions go back to the mempool and are mined again (same id
     * on an EVM chain) when {@code reinclude}; otherwise they are gone for good (their senders keep their funds).
     *
     * @return the dropped user locks, or null if the reorg was not possible
     */
    public List<Htlc> reorg(int depth, boolean reinclude) {
        if (depth < 1 || canonical.size() < depth + 1) return null;
        List<Block> dropped = canonical.subList(canonical.size() - depth, canonical.size());
        for (Block b : dropped) {
            for (Receipt r : b.receipts()) if (r.tx().relayer() || r.tx().kind() != Kind.LOCK) return null;
        }
        Block ancestor = canonical.get(canonical.size() - depth - 1);
        if (ancestor.after() == null) return null;
        List<Htlc> gone = new ArrayList<>();
        List<Tx> again = new ArrayList<>();
        for (Block b : List.copyOf(dropped)) {
            for (Receipt r : b.receipts()) {
                included.remove(r.tx().hash());
                if (r.success()) gone.add(head().after().htlcs.get(r.htlcId()));
                again.add(r.tx());
            }
        }
        dropped.clear();
        forkCounter++;
        if (reinclude) mempool.addAll(0, again);
        for (int i = 0; i <= depth; i++) mine();
        for (Htlc h : gone) {
            if (head().after().htlcs.containsKey(h.id())) continue; // mined again under its id
            reorgedLocks.add(h);
            removedAt.put(h.id(), now());
        }
        return gone;
    }

    public long height() {
        return head().height();
    }

    public boolean isCanonical(long height, String blockHash) {
        return height < canonical.size() && canonical.get((int) height).hash().equals(blockHash);
    }

    /** The last block both the old branch through {@code blockHash} and the canonical chain contain. */
    public ChainCursor commonAncestor(String blockHash) {
        Block b = everyBlock.get(blockHash);
        while (b != null && !isCanonical(b.height(), b.hash())) b = everyBlock.get(b.parent());
        if (b == null) throw new IllegalStateException("unknown block " + blockHash);
        return new ChainCursor(chain, b.height(), b.hash());
    }

    public ChainCursor cursorAt(long height) {
        Block b = canonical.get((int) height);
        return new ChainCursor(chain, b.height(), b.hash());
    }

    /** What a follower reports for the block at {@code height}: its successful HTLC events, in order. */
    public List<ChainEvent> eventsAt(long height) {
        Block b = canonical.get((int) height);
        List<ChainEvent> out = new ArrayList<>();
        int index = 0;
        for (Receipt r : b.receipts()) {
            int i = index++;
            if (!r.success()) continue;
            var origin = new ChainEvent.Origin(chain, b.height(), b.hash(), r.tx().hash(), i);
            switch (r.tx().kind()) {
                case LOCK -> out.add(new ChainEvent.HtlcLocked(origin, record(lockAsCreated(r)), contract));
                case CLAIM -> out.add(new ChainEvent.HtlcClaimed(origin, r.htlcId(), r.tx().secret()));
                case REFUND -> out.add(new ChainEvent.HtlcRefunded(origin, r.htlcId()));
                case IBC_CREATE -> out.add(new ChainEvent.HtlcLocked(origin, record(ibcCreated(r)), contract));
                case ACK -> out.add("ok".equals(r.tx().note())
                        ? new ChainEvent.TransferAcknowledged(origin, IBC_CHANNEL, r.tx().packet())
                        : new ChainEvent.TransferFailed(origin, IBC_CHANNEL, r.tx().packet(), r.tx().note()));
                case TRANSFER, CANCEL -> { } // our own transfer is reported with its acknowledgement; a cancel does nothing
            }
        }
        return out;
    }

    private Htlc lockAsCreated(Receipt r) {
        LockRequest q = r.tx().lock();
        return new Htlc(r.htlcId(), r.tx().from(), q.receiver(), q.asset(), q.amount(), q.hashlock(), q.timelock(),
                q.targetChain(), q.targetAddress(), HtlcRecord.Status.OPEN, null, r.tx().from());
    }

    private Htlc ibcCreated(Receipt r) {
        LockRequest q = r.tx().lock();
        return new Htlc(r.htlcId(), r.tx().from(), q.receiver(), q.asset(), q.amount(), q.hashlock(), q.timelock(),
                q.targetChain(), q.targetAddress(), HtlcRecord.Status.OPEN, null, r.tx().note());
    }

    /** The channel every simulated transfer leaves on. */
    public static final String IBC_CHANNEL = "channel-0";

    /**
     * The relayer's ICS-20 transfer of {@code homeRequest.amount()} of {@code homeRequest.asset()} (escrowed here), whose
     * memo carries {@code homeRequest}'s HTLC terms to the final chain; the result names its packet.
     */
    public TxResult transfer(LockRequest homeRequest, TxJournal journal, FeeBid fee) {
        TxResult r = send(Kind.TRANSFER, homeRequest, null, null, journal, fee);
        Receipt rc = included.get(r.txHash());
        return new TxResult(chain, r.txHash(), r.height(), null, new io.evmore.core.chain.PacketId(chain, IBC_CHANNEL, rc.packet()));
    }

    /** A packet arrives: its hooks memo creates {@code request}'s HTLC, sent by {@code creator}, refundable to {@code refundTo}. */
    public void ibcCreate(String creator, LockRequest request, String refundTo) {
        submit(new Tx(hash("ibc", String.valueOf(++txCounter)), creator, -1, Kind.IBC_CREATE, request, null, null, false, now(),
                0, 0, 0, refundTo));
    }

    /** The home chain records packet {@code packet}'s acknowledgement ("ok") or failure (the reason; escrow refunded). */
    public void ibcAck(long packet, LockRequest homeRequest, String outcome) {
        submit(new Tx(hash("ack", String.valueOf(++txCounter)), "ibc", -1, Kind.ACK, homeRequest, null, null, false, now(),
                0, 0, packet, outcome));
    }

    public List<Htlc> htlcs() {
        return List.copyOf(head().after().htlcs.values());
    }

    public Optional<Htlc> htlc(String id) {
        return Optional.ofNullable(head().after().htlcs.get(id));
    }

    public BigInteger balanceOf(String address, String asset) {
        return head().after().balance(address, asset);
    }

    /** Every relayer transaction included in the canonical chain (success or not), oldest first. */
    public List<Receipt> relayerReceipts() {
        List<Receipt> out = new ArrayList<>();
        for (Block b : canonical) for (Receipt r : b.receipts()) if (r.tx().relayer()) out.add(r);
        return out;
    }

    /** User transactions whose lock failed or landed, by hash: the sim finds its lock ids here. */
    public Optional<Receipt> receipt(String txHash) {
        return Optional.ofNullable(included.get(txHash));
    }

    public List<Htlc> reorgedLocks() {
        return List.copyOf(reorgedLocks);
    }

    /** When a deep reorg removed lock {@code id} for good (chain time), if it did. */
    public Optional<Long> removedAt(String id) {
        return Optional.ofNullable(removedAt.get(id));
    }

    public int confirmations() {
        return confirmations;
    }

    /** Block time of the block at {@code height} of the canonical chain. */
    public long timeAt(long height) {
        return canonical.get((int) Math.max(0, Math.min(height, height()))).time();
    }

    public String stats() {
        return chain + ": height " + height() + ", lost answers " + lostAnswers + ", delayed " + delayed + ", crashes " + crashes
                + ", reorged locks " + reorgedLocks.size() + ", replacements " + replacements + ", cancels " + cancels + ", stale reads " + staleReads
                + ", expired " + expired + ", freezes " + freezes;
    }

    // ---- HtlcChain ---------------------------------------------------------------------------------------------------

    @Override
    public ChainId chain() {
        return chain;
    }

    @Override
    public String relayerAddress() {
        return relayer;
    }

    @Override
    public String contract() {
        return contract;
    }

    @Override
    public TxResult lock(LockRequest request, TxJournal journal) {
        return lock(request, journal, FeeBid.NORMAL);
    }

    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal) {
        return claim(htlcId, secret, journal, FeeBid.NORMAL);
    }

    @Override
    public TxResult refund(String htlcId, TxJournal journal) {
        return refund(htlcId, journal, FeeBid.NORMAL);
    }

    @Override
    public TxResult lock(LockRequest request, TxJournal journal, FeeBid fee) {
        return send(Kind.LOCK, request, null, null, journal, fee);
    }

    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal, FeeBid fee) {
        return send(Kind.CLAIM, null, htlcId, secret, journal, fee);
    }

    @Override
    public TxResult refund(String htlcId, TxJournal journal, FeeBid fee) {
        return send(Kind.REFUND, null, htlcId, null, journal, fee);
    }

    private TxResult send(Kind kind, LockRequest request, String htlcId, Secret secret, TxJournal journal, FeeBid fee) {
        maybeCrash(faults.crashBeforeSign, "before signing a " + kind);
        // Simulation (eth_estimateGas / simulate): a transaction that would fail now is refused unsent.
        Tx probe = new Tx("probe", relayer, -1, kind, request, htlcId, secret, true, now(), 0, 0);
        Receipt simulated = execute(head().after().copy(), probe, height() + 1, Math.max(head().time(), now() - timeLag));
        if (!simulated.success()) throw new TxRevertedException(null, "simulation: " + simulated.reason());
        long nonce = pendingNonce();
        int level = Math.min(MAX_FEE_LEVEL, fee.level());
        String args = kind + "|" + (request == null ? "" : request.toString() + request.hashlock().hex()) + "|"
                + (htlcId == null ? "" : htlcId) + "|" + (secret == null ? "" : secret.hex());
        String hash = hash("tx", chain.value(), relayer, String.valueOf(nonce), args, String.valueOf(level));
        long timeout = replaceable ? 0 : height() + timeoutBlocks;
        Tx tx = new Tx(hash, relayer, nonce, kind, request, htlcId, secret, true, now(), level, timeout);
        signed.put(hash, tx);
        if (deposedActing.getAsBoolean()) signedWhileDeposed.add(hash);
        journal.beforeBroadcast(new SignedTx(nonce, hash, "raw:" + hash, timeout));
        maybeCrash(faults.crashAfterJournal, "after the journal persisted " + kind + " " + hash + ", before its broadcast");
        if (faults.freezeBeforeBroadcast > 0 && !deposedActing.getAsBoolean() && random.nextDouble() < faults.freezeBeforeBroadcast) {
            freezes++;
            throw new SimulatedFreeze("after the journal persisted " + kind + " " + hash + ", before its broadcast",
                    () -> broadcast(tx));
        }
        if (random.nextDouble() < faults.revert || failNext == kind) outOfGas.add(hash);
        if (failNext == kind) failNext = null;
        broadcast(tx);
        if (refuseResignAfterBroadcast == kind) {
            refuseResignAfterBroadcast = null;
            throw new TxRevertedException(null, "simulation: the re-signed " + kind + " was refused after " + hash
                    + " was refused its sequence");
        }
        if (random.nextDouble() < faults.delay) {
            heldUntil.put(hash, height() + 2 + random.nextInt(Math.max(1, faults.maxDelayBlocks)));
            delayed++;
        }
        mine();
        maybeCrash(faults.crashAfterBroadcast, "after broadcasting " + kind + " " + hash);
        beforeAnswer.accept(kind);
        Receipt r = included.get(hash);
        if (random.nextDouble() < faults.lostAnswer) {
            lostAnswers++;
            throw new TransientException("lost answer: connection reset while waiting for " + hash);
        }
        if (r == null) throw new TransientException("transaction " + hash + " not included in time");
        if (!r.success()) throw new TxRevertedException(hash, r.reason());
        return new TxResult(chain, hash, r.height(), r.htlcId());
    }

    /** EVM only: the pending transaction of the intent, re-signed on its nonce at a higher fee level. */
    @Override
    public boolean speedUp(TxIntent intent, FeeBid fee, TxJournal journal) {
        // signedAt stays the first signature's: the decision to send was taken then (the timelock rule was checked then)
        boolean sent = replace(intent, fee, journal, "bump", (old, level, hash) -> new Tx(hash, relayer, old.nonce(), old.kind(),
                old.lock(), old.htlcId(), old.secret(), true, old.signedAt(), level, 0));
        if (sent) replacements++;
        return sent;
    }

    /** EVM only: the pending transaction of the intent replaced by a cancel (nothing, to itself) on its nonce, a level higher. */
    @Override
    public boolean cancel(TxIntent intent, FeeBid fee, TxJournal journal) {
        boolean sent = replace(intent, fee, journal, "cancel", (old, level, hash) -> new Tx(hash, relayer, old.nonce(), Kind.CANCEL,
                null, null, null, true, now(), level, 0));
        if (sent) cancels++;
        return sent;
    }

    private interface Replacement {
        Tx of(Tx old, int level, String hash);
    }

    /** The intent's pending transaction on its nonce replaced (journaled first) by {@code replacement} at a higher level. */
    private boolean replace(TxIntent intent, FeeBid fee, TxJournal journal, String how, Replacement replacement) {
        if (!replaceable || intent.rawTx() == null) return false;
        Tx old = signed.get(intent.rawTx().substring("raw:".length()));
        if (old == null || old.nonce() != intent.nonce()) return false;
        if (head().after().nonces.getOrDefault(relayer, 0L) > old.nonce()) return false; // mined meanwhile
        int level = Math.min(MAX_FEE_LEVEL, Math.max(old.feeLevel() + 1, fee.level()));
        if (level <= old.feeLevel()) return false; // at the cap
        String hash = hash("tx", chain.value(), relayer, String.valueOf(old.nonce()), old.hash(), how, String.valueOf(level));
        Tx tx = replacement.of(old, level, hash);
        signed.put(hash, tx);
        if (deposedActing.getAsBoolean()) signedWhileDeposed.add(hash);
        journal.beforeBroadcast(new SignedTx(tx.nonce(), hash, "raw:" + hash, 0));
        countIfSignedWhileDeposed(tx);
        mempool.removeIf(t -> t.relayer() && t.nonce() == old.nonce());
        if (tx.kind() == old.kind() && outOfGas.contains(old.hash())) outOfGas.add(hash);
        Long held = heldUntil.get(old.hash());
        if (held != null && tx.kind() == old.kind()) heldUntil.put(hash, held);
        mempool.add(tx);
        return true;
    }

    private void broadcast(Tx tx) {
        if (tx.timeoutHeight() > 0 && tx.timeoutHeight() <= height()) return; // the node refuses an expired tx
        countIfSignedWhileDeposed(tx);
        if (mempool.stream().noneMatch(t -> t.hash().equals(tx.hash()))) mempool.add(tx);
    }

    /** A transaction a deposed process signed reached the node: the lease failed (the simulation's check (g)). */
    private void countIfSignedWhileDeposed(Tx tx) {
        if (signedWhileDeposed.contains(tx.hash())) deposedBroadcasts.add(tx.hash());
    }

    /** Tells the chain when the process acting on it is a deposed leader (transactions it signs then are marked). */
    public void deposedActing(java.util.function.BooleanSupplier acting) {
        this.deposedActing = acting;
    }

    /** Transactions a deposed leader signed and that reached the node anyway (must stay empty). */
    public java.util.Set<String> deposedBroadcasts() {
        return deposedBroadcasts;
    }

    /** How many transactions a deposed leader signed (each then refused before its broadcast). */
    public int signedWhileDeposed() {
        return signedWhileDeposed.size();
    }

    private long pendingNonce() {
        long n = head().after().nonces.getOrDefault(relayer, 0L);
        while (true) {
            long want = n;
            if (mempool.stream().noneMatch(t -> t.relayer() && t.nonce() == want)) return n;
            n++;
        }
    }

    private void maybeCrash(double p, String where) {
        if (p > 0 && random.nextDouble() < p) {
            crashes++;
            throw new SimulatedCrash(where);
        }
    }

    /** A read answered by a lagging endpoint: how many blocks behind (0 = the head). */
    private int lag() {
        if (faults.staleRead <= 0 || random.nextDouble() >= faults.staleRead) return 0;
        staleReads++;
        return 1 + random.nextInt(Math.max(1, faults.staleBlocks));
    }

    /** The state as seen {@code lag} blocks behind the head (the head itself when that snapshot is gone). */
    private Block seen(int lag) {
        int i = Math.max(0, canonical.size() - 1 - lag);
        Block b = canonical.get(i);
        return b.after() == null ? head() : b;
    }

    @Override
    public Reconciliation reconcile(TxIntent intent) {
        if (intent.hashes().isEmpty()) return new Reconciliation.NeverLanded("nothing was signed for " + intent.id());
        int lag = lag();
        long seenHeight = seen(lag).height();
        for (String h : intent.hashes()) {
            Receipt r = included.get(h);
            if (r != null && r.height() <= seenHeight) {
                if (lieNeverLanded != null && r.tx().kind() == lieNeverLanded) {
                    lieNeverLanded = null;
                    return new Reconciliation.NeverLanded("no receipt, nonce used, in none of the blocks read (a lie)");
                }
                if (r.tx().kind() == Kind.CANCEL) {
                    return new Reconciliation.NeverLanded("nonce " + intent.nonce() + " was taken by the relayer's own cancel " + h);
                }
                return r.success() ? new Reconciliation.Landed(new TxResult(chain, h, r.height(), r.htlcId(),
                        r.packet() > 0 ? new io.evmore.core.chain.PacketId(chain, IBC_CHANNEL, r.packet()) : null))
                        : new Reconciliation.Reverted(h, r.reason());
            }
        }
        if (lag > 0) return new Reconciliation.Undecided("endpoint " + lag + " block(s) behind");
        if (!replaceable) {
            // Cosmos: only a passed timeout height proves it can never be included (a moved sequence is only a hint).
            if (intent.timeoutHeight() > 0 && height() > intent.timeoutHeight()) {
                return new Reconciliation.NeverLanded("not in any block up to its timeout height " + intent.timeoutHeight());
            }
        } else {
            long used = head().after().nonces.getOrDefault(relayer, 0L);
            if (intent.nonce() >= 0 && intent.nonce() < used) {
                return new Reconciliation.NeverLanded("nonce " + intent.nonce() + " was used by another transaction");
            }
        }
        if (mempool.stream().anyMatch(t -> intent.hashes().contains(t.hash()))) {
            return new Reconciliation.Undecided("in the mempool");
        }
        if (replaceable && mempool.stream().anyMatch(t -> t.relayer() && t.nonce() == intent.nonce())) {
            return new Reconciliation.Undecided("nonce " + intent.nonce() + " is taken by another pending transaction");
        }
        // Signed and journaled, never seen by the chain: re-broadcast the very same bytes.
        Tx tx = intent.rawTx() == null ? null : signed.get(intent.rawTx().substring("raw:".length()));
        if (tx == null) return new Reconciliation.Undecided("unknown to the chain and no signed bytes to re-broadcast");
        broadcast(tx);
        return new Reconciliation.Undecided("re-broadcast " + tx.hash());
    }

    @Override
    public List<HtlcRecord> relayerLocksWithHashlock(Hashlock hashlock, long fromHeight, long toAtLeast) {
        if (searchUnavailable) throw new TransientException("search of " + chain + " unavailable");
        return head().after().htlcs.values().stream().filter(h -> h.sender().equals(relayer) && h.hashlock().equals(hashlock))
                .map(this::record).toList();
    }

    @Override
    public Optional<HtlcRecord> query(String htlcId) {
        if (hideReads > 0) {
            hideReads--;
            return Optional.empty();
        }
        return Optional.ofNullable(seen(lag()).after().htlcs.get(htlcId)).map(this::record);
    }

    /** The lock at the confirmed depth: absent when it is not that deep yet or a reorg removed it. */
    @Override
    public Optional<HtlcRecord> queryConfirmed(String htlcId, long depth) {
        if (hideReads > 0) {
            hideReads--;
            return Optional.empty();
        }
        int back = (int) Math.max(0, depth - 1) + lag();
        return Optional.ofNullable(seen(back).after().htlcs.get(htlcId)).map(this::record);
    }

    @Override
    public long confirmedBlockTime() {
        return seen(confirmations - 1 + lag()).time();
    }

    @Override
    public Optional<Secret> revealedSecret(Hashlock hashlock, String htlcId, long fromHeight) {
        State s = seen(lag()).after();
        if (htlcId != null) {
            Htlc h = s.htlcs.get(htlcId);
            if (h != null && h.secret() != null) return Optional.of(h.secret());
        }
        return s.htlcs.values().stream().filter(h -> h.hashlock().equals(hashlock) && h.secret() != null)
                .map(Htlc::secret).findFirst();
    }

    @Override
    public List<HtlcRecord> htlcsWithHashlock(Hashlock hashlock) {
        return seen(lag()).after().htlcs.values().stream().filter(h -> h.hashlock().equals(hashlock)).map(this::record).toList();
    }

    /** The acknowledgement (or failure) the home chain recorded for {@code packet}, as an endpoint maybe behind sees it. */
    public Optional<Receipt> ackOf(long packet) {
        long seenHeight = seen(lag()).height();
        for (Block b : canonical) {
            if (b.height() > seenHeight) break;
            for (Receipt r : b.receipts()) if (r.tx().kind() == Kind.ACK && r.tx().packet() == packet) return Optional.of(r);
        }
        return Optional.empty();
    }

    @Override
    public BigInteger balance(String asset) {
        return balanceOf(relayer, asset);
    }

    @Override
    public long latestBlockTime() {
        return seen(lag()).time();
    }

    // ---- the contract --------------------------------------------------------------------------------------------

    private Receipt execute(State s, Tx tx, long height, long time) {
        switch (tx.kind()) {
            case LOCK -> {
                LockRequest q = tx.lock();
                if (q.amount().signum() <= 0) return fail(tx, height, time, "zero amount", null, q.hashlock());
                if (q.timelock() <= time) return fail(tx, height, time, "timelock not in the future", null, q.hashlock());
                if (s.balance(tx.from(), q.asset()).compareTo(q.amount()) < 0) {
                    return fail(tx, height, time, "insufficient funds", null, q.hashlock());
                }
                String id = tx.hash().equals("probe") ? "probe" : newId(tx);
                s.add(tx.from(), q.asset(), q.amount().negate());
                s.htlcs.put(id, new Htlc(id, tx.from(), q.receiver(), q.asset(), q.amount(), q.hashlock(), q.timelock(),
                        q.targetChain(), q.targetAddress(), HtlcRecord.Status.OPEN, null, tx.from()));
                return new Receipt(tx, height, time, true, null, id, q.hashlock());
            }
            case TRANSFER -> {
                LockRequest q = tx.lock();
                if (s.balance(tx.from(), q.asset()).compareTo(q.amount()) < 0) {
                    return fail(tx, height, time, "insufficient funds", null, q.hashlock());
                }
                s.add(tx.from(), q.asset(), q.amount().negate()); // escrowed on the channel
                long packet = tx.hash().equals("probe") ? 0 : ++packetCounter;
                return new Receipt(tx, height, time, true, null, null, q.hashlock(), packet);
            }
            case IBC_CREATE -> {
                LockRequest q = tx.lock();
                if (q.timelock() <= time) return fail(tx, height, time, "hooks: timelock not in the future", null, q.hashlock());
                String id = newId(tx);
                s.htlcs.put(id, new Htlc(id, tx.from(), q.receiver(), q.asset(), q.amount(), q.hashlock(), q.timelock(),
                        q.targetChain(), q.targetAddress(), HtlcRecord.Status.OPEN, null, tx.note()));
                return new Receipt(tx, height, time, true, null, id, q.hashlock());
            }
            case CANCEL -> {
                return new Receipt(tx, height, time, true, null, null, null); // a transfer of nothing to itself: the nonce is used
            }
            case ACK -> {
                if (!"ok".equals(tx.note())) s.add(relayer, tx.lock().asset(), tx.lock().amount()); // the escrow comes back
                return new Receipt(tx, height, time, true, null, null, null, tx.packet());
            }
            case CLAIM -> {
                Htlc h = s.htlcs.get(tx.htlcId());
                if (h == null) return fail(tx, height, time, "no such htlc", tx.htlcId(), null);
                if (h.status() != HtlcRecord.Status.OPEN) return fail(tx, height, time, "htlc is " + h.status(), h.id(), h.hashlock());
                if (time >= h.timelock()) return fail(tx, height, time, "timelock passed", h.id(), h.hashlock());
                if (tx.secret() == null || !tx.secret().opens(h.hashlock())) return fail(tx, height, time, "wrong preimage", h.id(), h.hashlock());
                s.htlcs.put(h.id(), h.with(HtlcRecord.Status.CLAIMED, tx.secret()));
                s.add(h.receiver(), h.asset(), h.amount());
                return new Receipt(tx, height, time, true, null, h.id(), h.hashlock());
            }
            case REFUND -> {
                Htlc h = s.htlcs.get(tx.htlcId());
                if (h == null) return fail(tx, height, time, "no such htlc", tx.htlcId(), null);
                if (h.status() != HtlcRecord.Status.OPEN) return fail(tx, height, time, "htlc is " + h.status(), h.id(), h.hashlock());
                if (time < h.timelock()) return fail(tx, height, time, "timelock not reached", h.id(), h.hashlock());
                s.htlcs.put(h.id(), h.with(HtlcRecord.Status.REFUNDED, null));
                s.add(h.refundTo(), h.asset(), h.amount());
                return new Receipt(tx, height, time, true, null, h.id(), h.hashlock());
            }
        }
        throw new IllegalStateException();
    }

    private static Receipt fail(Tx tx, long height, long time, String reason, String htlcId, Hashlock hashlock) {
        return new Receipt(tx, height, time, false, reason, htlcId, hashlock);
    }

    /** EVM: derived from the creating transaction (a lock mined again after a reorg keeps its id); Cosmos: a counter. */
    private String newId(Tx tx) {
        if (chain.isEvm()) return "0x" + hash("htlc", chain.value(), tx.hash()).substring(2);
        return "htlc_" + (++idCounter);
    }

    private HtlcRecord record(Htlc h) {
        return new HtlcRecord(chain, h.id(), h.sender(), h.receiver(), h.asset(), h.amount(), h.hashlock(), h.timelock(),
                h.targetChain(), h.targetAddress(), h.status(), h.refundTo(),
                // CosmWasm's get_htlc shows the preimage of a withdrawn HTLC; the EVM contract keeps it only in its Claimed log
                !chain.isEvm() && h.status() == HtlcRecord.Status.CLAIMED ? h.secret() : null);
    }

    private Block head() {
        return canonical.get(canonical.size() - 1);
    }

    private long now() {
        return clock.nowEpochSeconds();
    }

    private String hash(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update(p.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            String hex = Hex.encode(md.digest());
            return chain.isEvm() ? "0x" + hex : hex.toUpperCase(Locale.ROOT);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
