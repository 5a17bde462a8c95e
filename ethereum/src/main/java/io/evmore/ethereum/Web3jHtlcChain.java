package io.evmore.ethereum;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The EvmoreHtlc contract on one EVM chain, for the relay engine: lock, claim, refund and query through the
 * endpoint pool, transactions via {@link EthereumTransactor} (pipelined nonces, fee escalation, confirmations).
 *
 * <p>Assets are token addresses, {@link HtlcAbi#NATIVE} for ETH. For ERC-20 locks the adapter first approves
 * exactly what the lock and other locks in flight need. The contract rejects empty target strings, so a lock request without
 * them (a counter-lock delivering on this chain) is sent with this chain's id and the receiver's address.
 * {@link #query} reads {@code getLock}; the contract does not store the target strings, so they come back empty.
 */
public final class Web3jHtlcChain implements HtlcChain {
    private static final Logger log = LoggerFactory.getLogger(Web3jHtlcChain.class);
    private static final String ADDRESS = "0x[0-9a-fA-F]{40}";

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final EthereumTransactor transactor;
    private final HtlcLogDecoder decoder;
    private final java.util.Map<String, java.util.concurrent.locks.ReentrantLock> tokenLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, BigInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();

    public Web3jHtlcChain(EthereumSettings settings, EndpointPool<EthConnection> pool, Credentials credentials,
            ChainMetrics metrics) {
        this(settings, pool, new EthereumTransactor(settings, pool, credentials, metrics));
    }

    public Web3jHtlcChain(EthereumSettings settings, EndpointPool<EthConnection> pool, EthereumTransactor transactor) {
        this.settings = settings;
        this.pool = pool;
        this.transactor = transactor;
        this.decoder = new HtlcLogDecoder(settings.chain(), settings.contractAddress());
    }

    @Override
    public ChainId chain() {
        return settings.chain();
    }

    @Override
    public String relayerAddress() {
        return transactor.address();
    }

    public EthereumTransactor transactor() {
        return transactor;
    }

    @Override
    public TxResult lock(LockRequest r) {
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
        TransactionReceipt receipt;
        if (nativeAsset) {
            receipt = transactor.send(request);
        } else {
            receipt = lockToken(token, r.amount(), request);
        }
        String id = lockedId(receipt);
        log.info("locked {} on {} as {} in tx {}", r.amount(), settings.chain(), id, receipt.getTransactionHash());
        return new TxResult(settings.chain(), receipt.getTransactionHash(), receipt.getBlockNumber().longValueExact(), id);
    }

    @Override
    public TxResult claim(String htlcId, Secret secret) {
        HtlcAbi.idBytes(htlcId);
        TransactionReceipt receipt = transactor.send(new EthereumTransactor.TxRequest(settings.contractAddress(),
                BigInteger.ZERO, HtlcAbi.claim(htlcId, secret), null, "claim"));
        return new TxResult(settings.chain(), receipt.getTransactionHash(), receipt.getBlockNumber().longValueExact(),
                htlcId.toLowerCase(Locale.ROOT));
    }

    @Override
    public TxResult refund(String htlcId) {
        HtlcAbi.idBytes(htlcId);
        TransactionReceipt receipt = transactor.send(new EthereumTransactor.TxRequest(settings.contractAddress(),
                BigInteger.ZERO, HtlcAbi.refund(htlcId), null, "refund"));
        return new TxResult(settings.chain(), receipt.getTransactionHash(), receipt.getBlockNumber().longValueExact(),
                htlcId.toLowerCase(Locale.ROOT));
    }

    @Override
    public Optional<HtlcRecord> query(String htlcId) {
        HtlcAbi.idBytes(htlcId);
        String out = call(settings.contractAddress(), HtlcAbi.getLock(htlcId));
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

    /** ERC-20 balance of {@code owner} (or ETH balance for the native asset). */
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
    private TransactionReceipt lockToken(String token, BigInteger amount, EthereumTransactor.TxRequest request) {
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
                transactor.send(new EthereumTransactor.TxRequest(token, BigInteger.ZERO,
                        HtlcAbi.erc20Approve(settings.contractAddress(), needed), null, "approve"));
            }
            sent = transactor.submit(request);
            inFlight.merge(token, amount, BigInteger::add);
        } finally {
            monitor.unlock();
        }
        try {
            TransactionReceipt receipt = transactor.await(sent);
            if (!receipt.isStatusOK()) {
                throw new PermanentException("lock reverted on chain in tx " + receipt.getTransactionHash());
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

    private String lockedId(TransactionReceipt receipt) {
        long now = Long.MAX_VALUE / 4; // our own receipt: only the shape matters here, not timelock plausibility
        for (Log l : receipt.getLogs()) {
            if (decoder.decode(l, now) instanceof HtlcLogDecoder.Decoded d
                    && d.event() instanceof io.evmore.core.chain.ChainEvent.HtlcLocked locked) {
                return locked.htlc().id();
            }
        }
        throw new PermanentException("lock tx " + receipt.getTransactionHash() + " has no Locked event of "
                + settings.contractAddress());
    }

    private static String address(String a, String what) {
        if (a == null || !a.matches(ADDRESS)) {
            throw new IllegalArgumentException(what + " is not a 0x address: '" + a + "'");
        }
        return a.toLowerCase(Locale.ROOT);
    }

    private static void bounded(String s, String what) {
        int n = s.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > HtlcLogDecoder.MAX_TARGET_BYTES) {
            throw new IllegalArgumentException(what + " must be 1.." + HtlcLogDecoder.MAX_TARGET_BYTES + " bytes, got " + n);
        }
    }
}
