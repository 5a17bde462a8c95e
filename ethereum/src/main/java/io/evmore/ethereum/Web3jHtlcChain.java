package io.evmore.ethereum;

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
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The EvmoreHtlc contract on one EVM chain, for the relay engine: lock, claim, refund and query through the
 * endpoint pool, transactions via {@link EthereumTransactor} (pipelined nonces, fee escalation, confirmations).
 *
 * <p>Assets are token addresses, {@link HtlcAbi#NATIVE} for ETH. For ERC-20 locks the adapter first approves
 * exactly what the lock and other locks in flight need. The contract rejects empty target strings, so a lock request without
 * them (a counter-lock delivering on this chain) is sent with this chain's id and the receiver's address.
 * {@link #query} reads {@code getLock}; the contract does not store the target strings, so they come back empty.
 *
 * <h2>Exactly once</h2>
 * {@link #lock}, {@link #claim} and {@link #refund} hand every signed transaction of the action (first send, re-sign
 * under a new nonce, every fee bump) to the caller's {@link TxJournal} before any node sees it. The ERC-20
 * {@code approve} before a token lock moves no funds and is not journaled. Errors: {@link TxRevertedException} for a
 * transaction included with status 0 (or one gas estimation shows would revert: then nothing was signed);
 * {@link PermanentException} for a request refused before anything was signed (bad address, id, target string);
 * {@link TransientException} for everything else once the journal has seen a transaction (a refused broadcast,
 * a lost answer, a receipt timeout, a nonce taken by another transaction): only {@link #reconcile} can then say
 * what happened.
 *
 * <p>{@link #reconcile} decides from the chain alone, never signing anything: a receipt for any of the intent's
 * hashes (with the configured confirmations, in a canonical block) is {@code Landed} / {@code Reverted}; no receipt
 * while the account's nonce at the confirmed height is past the intent's nonce is {@code NeverLanded} (one nonce,
 * one transaction: none of ours can be included any more); otherwise the transaction may still be in a mempool, and
 * if no node knows any of its hashes the journaled signed bytes are re-broadcast unchanged so that it can land
 * ({@link EthereumReconciler}).
 *
 * <p>Restarts. After a crash the {@link NonceManager} reads the chain's <em>pending</em> nonce. A journaled
 * transaction still in the node's mempool counts there, so a new send takes the next nonce. One the node forgot
 * (or never received) does not, so a new send of another intent may be signed with the <em>same</em> nonce N as
 * an intent that is still {@code Undecided}. That cannot make both land: an account's nonce N is consumed by exactly
 * one transaction. If the new one is included, the old intent reconciles as {@code NeverLanded} (nonce used by
 * another transaction) and the engine may send its action again under a fresh nonce; if reconcile's re-broadcast of
 * the old bytes wins instead, the new send finds its nonce taken (TransientException) and its own intent reconciles
 * as {@code NeverLanded}. Either way each action lands at most once, so no nonce reservation across restarts is needed.
 *
 * <h2>Fee bids and replacements</h2>
 * {@code lock/claim/refund(…, FeeBid)} start the transaction at the {@link GasPolicy#atLevel} fees of the bid's level
 * (level 0 = {@link GasPolicy#initial}); the in-process escalation of {@link EthereumTransactor#await} goes on from
 * there. {@link #speedUp} replaces a pending transaction from the intent's journaled bytes alone (so it works after a
 * restart): the same nonce, gas limit, recipient, value and calldata at {@link GasPolicy#replacement} fees, journaled
 * before it is broadcast, never above the cap, and never for bytes that are not one of the intent's transactions from
 * our key to the configured contract.
 *
 * <h2>Reads for irreversible decisions</h2>
 * {@link #revealedSecret} reads the preimage from {@code Claimed} logs ({@code getLock} does not keep it; see
 * {@link RevealedSecrets}); {@link #queryConfirmed} reads {@code getLock} in the block {@code confirmations} deep (one
 * that is not yet that deep, or was reorged away, is empty); {@link #confirmedBlockTime} is the timestamp of the block
 * {@code settings.confirmations()} deep.
 */
public final class Web3jHtlcChain implements HtlcChain {
    private static final Logger log = LoggerFactory.getLogger(Web3jHtlcChain.class);
    private static final String ADDRESS = "0x[0-9a-fA-F]{40}";

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final EthereumTransactor transactor;
    private final HtlcLogDecoder decoder;
    private final OwnLocks ownLocks;
    private final RevealedSecrets secrets;
    private final EthereumReconciler reconciler;
    private final java.util.Map<String, java.util.concurrent.locks.ReentrantLock> tokenLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, BigInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The contract, signing with the hex private key {@code privateKeyHex} (with or without 0x). An invalid key is
     * refused without quoting it (the message names only what is wrong).
     */
    public static Web3jHtlcChain withKey(EthereumSettings settings, EndpointPool<EthConnection> pool, String privateKeyHex,
            ChainMetrics metrics) {
        Credentials credentials;
        try {
            credentials = Credentials.create(privateKeyHex);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the Ethereum private key is not a valid secp256k1 key"); // no cause: it quotes the key
        }
        return new Web3jHtlcChain(settings, pool, credentials, metrics);
    }

    public Web3jHtlcChain(EthereumSettings settings, EndpointPool<EthConnection> pool, Credentials credentials,
            ChainMetrics metrics) {
        this(settings, pool, new EthereumTransactor(settings, pool, credentials, metrics));
    }

    public Web3jHtlcChain(EthereumSettings settings, EndpointPool<EthConnection> pool, EthereumTransactor transactor) {
        this.settings = settings;
        this.pool = pool;
        this.transactor = transactor;
        this.decoder = new HtlcLogDecoder(settings.chain(), settings.contractAddress());
        this.secrets = new RevealedSecrets(settings, pool);
        this.ownLocks = new OwnLocks(settings, pool, decoder, transactor.address());
        this.reconciler = new EthereumReconciler(settings, pool, transactor, decoder);
    }

    @Override
    public ChainId chain() {
        return settings.chain();
    }

    @Override
    public String relayerAddress() {
        return transactor.address();
    }

    @Override
    public String contract() {
        return settings.contractAddress();
    }

    public EthereumTransactor transactor() {
        return transactor;
    }

    @Override
    public TxResult lock(LockRequest r, TxJournal journal) {
        return lock(r, journal, FeeBid.NORMAL);
    }

    /** {@link #lock(LockRequest, TxJournal)} starting at the fee of {@code fee}'s level ({@link GasPolicy#atLevel}). */
    @Override
    public TxResult lock(LockRequest r, TxJournal journal, FeeBid fee) {
        int level = level(fee);
        String receiver = address(r.receiver(), "lock receiver");
        String token = address(r.asset(), "lock asset");
        String targetChain = r.targetChain().isEmpty() ? settings.chain().value() : r.targetChain();
        String targetAddress = r.targetAddress().isEmpty() ? receiver : r.targetAddress();
        bounded(targetChain, "targetChain");
        bounded(targetAddress, "targetAddress");
        boolean nativeAsset = token.equals(HtlcAbi.NATIVE);
        String data = HtlcAbi.lock(receiver, token, r.amount(), r.hashlock(), r.timelock(), targetChain, targetAddress);
        EthereumTransactor.TxRequest request = new EthereumTransactor.TxRequest(settings.contractAddress(),
                nativeAsset ? r.amount() : BigInteger.ZERO, data, null, "lock");
        Tap tap = new Tap(journal);
        TransactionReceipt receipt = sending("lock", tap,
                () -> nativeAsset ? transactor.send(request, tap, level) : lockToken(token, r.amount(), request, tap, level));
        String id = reconciler.htlcIdOf(receipt);
        if (id == null) {
            throw new PermanentException("lock tx " + receipt.getTransactionHash() + " has no Locked event of "
                    + settings.contractAddress());
        }
        log.info("locked {} on {} as {} in tx {}", r.amount(), settings.chain(), id, receipt.getTransactionHash());
        return new TxResult(settings.chain(), receipt.getTransactionHash(), receipt.getBlockNumber().longValueExact(), id);
    }

    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal) {
        return claim(htlcId, secret, journal, FeeBid.NORMAL);
    }

    /** {@link #claim(String, Secret, TxJournal)} starting at the fee of {@code fee}'s level. */
    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal, FeeBid fee) {
        String id = id(htlcId);
        int level = level(fee);
        Tap tap = new Tap(journal);
        TransactionReceipt receipt = sending("claim", tap, () -> transactor.send(new EthereumTransactor.TxRequest(
                settings.contractAddress(), BigInteger.ZERO, HtlcAbi.claim(id, secret), null, "claim"), tap, level));
        return new TxResult(settings.chain(), receipt.getTransactionHash(), receipt.getBlockNumber().longValueExact(), id);
    }

    @Override
    public TxResult refund(String htlcId, TxJournal journal) {
        return refund(htlcId, journal, FeeBid.NORMAL);
    }

    /** {@link #refund(String, TxJournal)} starting at the fee of {@code fee}'s level. */
    @Override
    public TxResult refund(String htlcId, TxJournal journal, FeeBid fee) {
        String id = id(htlcId);
        int level = level(fee);
        Tap tap = new Tap(journal);
        TransactionReceipt receipt = sending("refund", tap, () -> transactor.send(new EthereumTransactor.TxRequest(
                settings.contractAddress(), BigInteger.ZERO, HtlcAbi.refund(id), null, "refund"), tap, level));
        return new TxResult(settings.chain(), receipt.getTransactionHash(), receipt.getBlockNumber().longValueExact(), id);
    }

    private static int level(FeeBid fee) {
        return fee == null ? 0 : fee.level();
    }

    /**
     * Replaces the intent's pending transaction on its nonce with higher fees (see
     * {@link EthereumTransactor#speedUp}): from the intent's journaled signed bytes only, which must be one of its
     * transactions from the relayer's key with its nonce, to the configured contract. False with nothing sent when the
     * intent has no signed bytes, they are not ours, its nonce was already used, or the fee cap leaves no room.
     */
    @Override
    public boolean speedUp(TxIntent intent, FeeBid fee, TxJournal journal) {
        String raw = signedBytes(intent, journal);
        return raw != null && transactor.speedUp(raw, intent.nonce(), intent.hashes(), settings.contractAddress(), level(fee), journal);
    }

    /**
     * Takes back the intent's nonce (see {@link EthereumTransactor#cancel}): its pending transaction, checked as for
     * {@link #speedUp} (or an earlier cancel of it), replaced by a transfer of nothing to the relayer itself at higher
     * fees. False with nothing sent in the same cases as {@link #speedUp}. {@link #reconcile} reads the cancel, once
     * landed, as NeverLanded.
     */
    @Override
    public boolean cancel(TxIntent intent, FeeBid fee, TxJournal journal) {
        String raw = signedBytes(intent, journal);
        return raw != null && transactor.cancel(raw, intent.nonce(), intent.hashes(), settings.contractAddress(), level(fee), journal);
    }

    /** The intent's latest signed bytes, for a replacement on its nonce; null when nothing was signed yet. */
    private String signedBytes(TxIntent intent, TxJournal journal) {
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(journal, "journal");
        if (!intent.chain().equals(settings.chain())) {
            throw new PermanentException("intent " + intent.id() + " is for " + intent.chain() + ", not " + settings.chain());
        }
        String raw = intent.rawTx();
        return raw == null || raw.isBlank() || intent.nonce() < 0 || intent.hashes().isEmpty() ? null : raw;
    }

    /** Passes every signed transaction on to the caller's journal and remembers whether it saw one. */
    private static final class Tap implements TxJournal {
        private final TxJournal journal;
        private volatile boolean saw;

        Tap(TxJournal journal) {
            this.journal = Objects.requireNonNull(journal, "journal");
        }

        @Override
        public void beforeBroadcast(SignedTx tx) {
            saw = true; // before the call: a journal that fails half-way may still have stored it
            journal.beforeBroadcast(tx);
        }

        @Override
        public boolean persists() {
            return journal.persists();
        }
    }

    /**
     * Runs a send and maps its failures to the port's contract: once the journal saw a signed transaction, any
     * failure other than an on-chain revert is transient (something may be on its way; reconcile decides).
     */
    private TransactionReceipt sending(String what, Tap tap, java.util.function.Supplier<TransactionReceipt> send) {
        try {
            return send.get();
        } catch (TxRevertedException e) {
            throw e;
        } catch (PermanentException e) {
            if (!tap.saw) throw e;
            throw new TransientException(what + " on " + settings.chain() + " failed after a signed transaction was "
                    + "journaled (reconcile before sending again): " + e.getMessage(), e);
        }
    }

    /**
     * Decides from the chain what became of the intent's transactions (see the class comment). Never signs; may
     * re-broadcast the intent's own journaled bytes. An unreachable chain is {@code Undecided}.
     */
    @Override
    public Reconciliation reconcile(TxIntent intent) {
        return reconciler.reconcile(intent);
    }

    /** The relayer's own balance of {@code asset} (ETH for {@link HtlcAbi#NATIVE}), base units. */
    @Override
    public BigInteger balance(String asset) {
        return balance(asset, relayerAddress());
    }

    @Override
    public long latestBlockTime() {
        EthBlock.Block b = pool.execute(c -> Rpc.send(c.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false),
                "eth_getBlockByNumber").getBlock());
        if (b == null || b.getTimestampRaw() == null) {
            throw new TransientException("no latest block from " + settings.chain());
        }
        return b.getTimestamp().longValueExact();
    }

    /**
     * The preimage of {@code hashlock} a claim on the configured contract made public, from its {@code Claimed} log
     * (the contract's {@code getLock} does not keep it): the claim of {@code htlcId} when known, else any claim whose
     * preimage opens the hashlock, searched from {@code fromHeight} (0 = the last {@code secretLookbackBlocks} blocks)
     * to the latest block. Verified against the hashlock; empty (never an exception) when none is found or the chain
     * cannot be asked. See {@link RevealedSecrets}.
     */
    @Override
    public Optional<Secret> revealedSecret(Hashlock hashlock, String htlcId, long fromHeight) {
        Objects.requireNonNull(hashlock, "hashlock");
        return secrets.find(hashlock, htlcId, fromHeight);
    }

    /**
     * The relayer's own locks with {@code hashlock} on the configured contract, from {@code fromHeight} (0: the last
     * {@code secretLookbackBlocks} blocks) to the latest block (at least {@code toAtLeast}), as {@code getLock} holds
     * them now ({@link OwnLocks}). Throws when the chain cannot be searched now.
     */
    @Override
    public List<HtlcRecord> relayerLocksWithHashlock(Hashlock hashlock, long fromHeight, long toAtLeast) {
        Objects.requireNonNull(hashlock, "hashlock");
        return ownLocks.find(hashlock, fromHeight, toAtLeast, this::query);
    }

    /**
     * The time the engine may trust for "a timelock has passed for good": the timestamp of the newest block with the
     * configured confirmations (head − confirmations + 1, block 0 on a chain shorter than that). A reorg can replace
     * newer blocks, whose times may then be earlier; that block (with the chain's usual finality) stays.
     */
    @Override
    public long confirmedBlockTime() {
        EthBlock.Block b = pool.execute(c -> {
            long head = Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact();
            long at = Math.max(0, head - settings.confirmations() + 1);
            return Rpc.send(c.web3j().ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(at)), false),
                    "eth_getBlockByNumber").getBlock();
        });
        if (b == null || b.getTimestampRaw() == null) {
            throw new TransientException("no confirmed block from " + settings.chain());
        }
        return b.getTimestamp().longValueExact();
    }

    /**
     * {@code getLock} as of the block {@code confirmations} deep (head − confirmations + 1; the head for 1 or less),
     * head and call on one endpoint. Empty when the chain is not that long, the lock is not in that block's state (not
     * yet that deep, or reorged away), or the contract had no code yet at that height.
     */
    @Override
    public Optional<HtlcRecord> queryConfirmed(String htlcId, long confirmations) {
        String id = id(htlcId);
        long depth = Math.max(1, confirmations);
        String out = pool.execute(c -> {
            long head = Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact();
            long at = head - depth + 1;
            if (at < 0) return null;
            String answer = Rpc.send(c.web3j().ethCall(Transaction.createEthCallTransaction(relayerAddress(),
                    settings.contractAddress(), HtlcAbi.getLock(id)), DefaultBlockParameter.valueOf(BigInteger.valueOf(at))),
                    "eth_call").getValue();
            if (answer == null || answer.equals("0x")) {
                // no code at that height: deployed later (nothing locked there yet), or not the contract at all
                String code = Rpc.send(c.web3j().ethGetCode(settings.contractAddress(), DefaultBlockParameterName.LATEST),
                        "eth_getCode").getCode();
                if (code == null || code.equals("0x")) {
                    throw new PermanentException(settings.contractAddress() + " has no contract code on " + settings.chain());
                }
                return null;
            }
            return answer;
        });
        return out == null ? Optional.empty() : lockRecord(id, out);
    }

    @Override
    public Optional<HtlcRecord> query(String htlcId) {
        id(htlcId);
        return lockRecord(htlcId, call(settings.contractAddress(), HtlcAbi.getLock(htlcId)));
    }

    /** Decodes a {@code getLock} answer; empty for status 0 (no such lock). */
    private Optional<HtlcRecord> lockRecord(String htlcId, String out) {
        @SuppressWarnings("rawtypes")
        List<Type> v = HtlcAbi.decodeGetLock(out);
        if (v.size() != 7) {
            throw new PermanentException("getLock(" + htlcId + ") returned undecodable data (is "
                    + settings.contractAddress() + " the HTLC contract?)");
        }
        int status = ((BigInteger) v.get(6).getValue()).intValueExact();
        if (status == 0) {
            return Optional.empty();
        }
        HtlcRecord.Status st = switch (status) {
            case 1 -> HtlcRecord.Status.OPEN;
            case 2 -> HtlcRecord.Status.CLAIMED;
            case 3 -> HtlcRecord.Status.REFUNDED;
            default -> throw new PermanentException("getLock(" + htlcId + ") returned unknown status " + status);
        };
        return Optional.of(new HtlcRecord(settings.chain(), htlcId.toLowerCase(Locale.ROOT),
                ((String) v.get(0).getValue()).toLowerCase(Locale.ROOT), ((String) v.get(1).getValue()).toLowerCase(Locale.ROOT),
                ((String) v.get(2).getValue()).toLowerCase(Locale.ROOT), (BigInteger) v.get(3).getValue(),
                Hashlock.of((byte[]) v.get(4).getValue()), ((BigInteger) v.get(5).getValue()).longValueExact(), "", "", st));
    }

    /** ERC-20 balance of {@code owner} (or ETH balance for the native asset). Bad addresses: PermanentException. */
    public BigInteger balance(String asset, String owner) {
        String token = address(asset, "asset");
        String who = address(owner, "owner");
        if (token.equals(HtlcAbi.NATIVE)) {
            return pool.execute(c -> Rpc.send(c.web3j().ethGetBalance(who, DefaultBlockParameterName.LATEST), "eth_getBalance")
                    .getBalance());
        }
        return HtlcAbi.decodeUint(call(token, HtlcAbi.erc20BalanceOf(who)));
    }

    /**
     * Approves what this lock and the locks still in flight need (never an unlimited allowance, which would
     * outlive a compromised contract), then submits the lock. Per token, approval and submission are serialised
     * so concurrent locks cannot both rely on the same allowance; mining is awaited outside that section.
     */
    private TransactionReceipt lockToken(String token, BigInteger amount, EthereumTransactor.TxRequest request,
            TxJournal journal, int feeLevel) {
        EthereumTransactor.SentTx sent;
        // A ReentrantLock, not a monitor: the approve is awaited while holding it (see NonceManager on pinning).
        java.util.concurrent.locks.ReentrantLock monitor = tokenLocks.computeIfAbsent(token,
                t -> new java.util.concurrent.locks.ReentrantLock());
        monitor.lock();
        try {
            BigInteger needed = inFlight.getOrDefault(token, BigInteger.ZERO).add(amount);
            BigInteger allowance = HtlcAbi.decodeUint(call(token, HtlcAbi.erc20Allowance(relayerAddress(),
                    settings.contractAddress())));
            if (allowance.compareTo(needed) < 0) {
                // moves no funds: not part of the lock's intent, not journaled
                transactor.send(new EthereumTransactor.TxRequest(token, BigInteger.ZERO,
                        HtlcAbi.erc20Approve(settings.contractAddress(), needed), null, "approve"), TxJournal.NONE, feeLevel);
            }
            sent = transactor.submit(request, journal, feeLevel);
            inFlight.merge(token, amount, BigInteger::add);
        } finally {
            monitor.unlock();
        }
        try {
            TransactionReceipt receipt = transactor.await(sent);
            if (!receipt.isStatusOK()) {
                throw new TxRevertedException(receipt.getTransactionHash(),
                        transactor.revertReason("lock", receipt.getTransactionHash()));
            }
            return receipt;
        } finally {
            monitor.lock();
            try {
                inFlight.merge(token, amount.negate(), BigInteger::add);
            } finally {
                monitor.unlock();
            }
        }
    }

    private String call(String to, String data) {
        return pool.execute(c -> Rpc.send(c.web3j().ethCall(Transaction.createEthCallTransaction(relayerAddress(), to, data),
                DefaultBlockParameterName.LATEST), "eth_call").getValue());
    }

    private static String id(String htlcId) {
        try {
            HtlcAbi.idBytes(htlcId);
        } catch (IllegalArgumentException e) {
            throw new PermanentException(e.getMessage());
        }
        return htlcId.toLowerCase(Locale.ROOT);
    }

    private static String address(String a, String what) {
        if (a == null || !a.matches(ADDRESS)) {
            throw new PermanentException(what + " is not a 0x address: '" + bounded(a) + "'");
        }
        return a.toLowerCase(Locale.ROOT);
    }

    private static void bounded(String s, String what) {
        int n = s.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > HtlcLogDecoder.MAX_TARGET_BYTES) {
            throw new PermanentException(what + " must be 1.." + HtlcLogDecoder.MAX_TARGET_BYTES + " bytes, got " + n);
        }
    }

    private static String bounded(String s) {
        return s == null ? "null" : Rpc.truncate(s.length() > 80 ? s.substring(0, 80) + "…" : s);
    }
}
