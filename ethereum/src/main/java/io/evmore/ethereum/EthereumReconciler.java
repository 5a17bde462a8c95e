package io.evmore.ethereum;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.TxIntent;
import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * {@link Web3jHtlcChain#reconcile}: what became of an intent's transactions, decided from the chain alone, never
 * signing anything — a receipt for any of its hashes (with the configured confirmations, in a canonical block) is
 * {@code Landed} / {@code Reverted} (one sent by the relayer to itself is its cancel of the intent's nonce: {@code
 * NeverLanded}); no receipt while the account's nonce at the confirmed height is past the intent's
 * nonce, and none of its hashes in the blocks since it was written, is {@code NeverLanded}; otherwise it may still be in a mempool, and if no node knows any of its hashes the
 * journaled signed bytes are re-broadcast unchanged so that it can land.
 */
final class EthereumReconciler {
    private static final Logger log = LoggerFactory.getLogger(Web3jHtlcChain.class);
    private static final String HASH = "0x[0-9a-fA-F]{64}";
    /** Our own receipts: only the shape of the event matters, not timelock plausibility. */
    private static final long ANY_TIME = Long.MAX_VALUE / 4;

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final EthereumTransactor transactor;
    private final HtlcLogDecoder decoder;

    EthereumReconciler(EthereumSettings settings, EndpointPool<EthConnection> pool, EthereumTransactor transactor,
            HtlcLogDecoder decoder) {
        this.settings = settings;
        this.pool = pool;
        this.transactor = transactor;
        this.decoder = decoder;
    }

    Reconciliation reconcile(TxIntent intent) {
        Objects.requireNonNull(intent, "intent");
        if (!intent.chain().equals(settings.chain())) {
            throw new PermanentException("intent " + intent.id() + " is for " + intent.chain() + ", not " + settings.chain());
        }
        List<String> hashes = intent.hashes();
        if (hashes.isEmpty()) {
            return new Reconciliation.NeverLanded("never signed");
        }
        for (String h : hashes) {
            if (h == null || !h.matches(HASH)) {
                throw new PermanentException("intent " + intent.id() + " holds a malformed tx hash");
            }
        }
        try {
            Reconciliation decided = pool.execute(c -> fromChain(c.web3j(), intent));
            if (decided instanceof Reconciliation.Reverted rv) {
                return new Reconciliation.Reverted(rv.txHash(), transactor.revertReason(intent.action(), rv.txHash()));
            }
            return decided != null ? decided : maybeInMempool(intent);
        } catch (TransientException e) {
            return new Reconciliation.Undecided("chain unreachable: " + e.getMessage());
        } catch (RpcErrorException e) {
            // A node's error answer to a read (geth: "transaction indexing is in progress") says nothing about the
            // intent: ask again later, never fail the step over it.
            return new Reconciliation.Undecided("the node refused a read: " + Rpc.truncate(e.getMessage()));
        }
    }

    /**
     * Receipts first, then the nonce; all on one endpoint so a lagging one cannot pair "no receipt" with another's
     * "nonce used". The nonce count at head is read before the receipts: a transaction of ours mined in between
     * then shows as a receipt, never as "nonce used by another". Null when the chain cannot decide yet.
     */
    private Reconciliation fromChain(org.web3j.protocol.Web3j w, TxIntent intent) throws java.io.IOException {
        int conf = settings.confirmations();
        long head = Rpc.send(w.ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact();
        long nonceAtHead = Rpc.send(w.ethGetTransactionCount(transactor.address(), DefaultBlockParameter.valueOf(
                BigInteger.valueOf(head))), "eth_getTransactionCount").getTransactionCount().longValueExact();
        List<String> hashes = intent.hashes();
        for (int i = hashes.size() - 1; i >= 0; i--) {
            String h = hashes.get(i);
            Optional<TransactionReceipt> found = Rpc.receipt(w, h);
            if (found.isEmpty() || found.get().getBlockNumberRaw() == null) continue;
            TransactionReceipt r = found.get();
            long included = r.getBlockNumber().longValueExact();
            long has = Math.max(0, head - included + 1);
            if (has < conf) {
                return new Reconciliation.Undecided("tx " + h + " included in block " + included + "; waiting for " + conf
                        + " confirmations (has " + has + ")");
            }
            EthBlock.Block b = Rpc.send(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(included)),
                    false), "eth_getBlockByNumber").getBlock();
            if (b == null || r.getBlockHash() == null || !r.getBlockHash().equalsIgnoreCase(b.getHash())) {
                return new Reconciliation.Undecided("tx " + h + "'s block " + included + " is no longer canonical; "
                        + "waiting for " + conf + " confirmations");
            }
            if (r.getTo() != null && r.getTo().equalsIgnoreCase(transactor.address())) {
                // The relayer never sends to itself but to cancel: the nonce went to the cancel, the action never landed.
                return new Reconciliation.NeverLanded("nonce " + intent.nonce() + " was taken by the relayer's own cancel " + h
                        + " (block " + included + ")");
            }
            if (!r.isStatusOK()) {
                return new Reconciliation.Reverted(h, null); // the reason is replayed by the caller, off this connection
            }
            return new Reconciliation.Landed(new TxResult(settings.chain(), h, included, htlcIdOf(r)));
        }
        long n = intent.nonce();
        if (n >= 0 && nonceAtHead > n) {
            long safe = head - conf + 1;
            long nonceAtSafe = safe < 0 ? 0 : Rpc.send(w.ethGetTransactionCount(transactor.address(),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(safe))), "eth_getTransactionCount")
                    .getTransactionCount().longValueExact();
            if (nonceAtSafe > n) {
                Reconciliation inBlocks = inBlocks(w, intent, safe);
                if (inBlocks != null) return inBlocks;
                return new Reconciliation.NeverLanded("nonce " + n + " was used by another transaction (none of the "
                        + hashes.size() + " signed for this intent is included)");
            }
            return new Reconciliation.Undecided("nonce " + n + " was used by another transaction; waiting for " + conf
                    + " confirmations");
        }
        return null;
    }

    /** How far before the intent was written a transaction of it is looked for (clocks differ; blocks carry chain time). */
    static final long SCAN_MARGIN_SECONDS = 3_600;
    /** The most blocks read to show that none holds a transaction of the intent (about 2.8 days at 12 s; beyond, undecided). */
    static final int SCAN_LIMIT = 20_000;

    /**
     * "No receipt" is only the absence of an answer: a node behind (a load balancer's backend) or one whose transaction
     * index lags answers null for a transaction that is in a block. Before an intent is called NeverLanded, the blocks
     * from its writing (less {@value #SCAN_MARGIN_SECONDS} s) to {@code safe} are read whole, newest first, in batches:
     * one of its hashes there is Undecided (the receipt will be readable; deciding now would pay the action twice),
     * a block that cannot be read is Undecided, and null (nothing found) is the positive evidence NeverLanded needs.
     */
    private Reconciliation inBlocks(org.web3j.protocol.Web3j w, TxIntent intent, long safe) throws java.io.IOException {
        java.util.Set<String> ours = new java.util.HashSet<>();
        for (String h : intent.hashes()) ours.add(h.toLowerCase(Locale.ROOT));
        long since = intent.createdAt().getEpochSecond() - SCAN_MARGIN_SECONDS;
        for (long to = safe, read = 0; to >= 0; to -= FollowerReads.BATCH) {
            if (read >= SCAN_LIMIT) {
                return new Reconciliation.Undecided("nonce " + intent.nonce() + " was used, no receipt of the intent's "
                        + "transactions, and " + read + " blocks back no block is older than the intent: not decided by absence");
            }
            long from = Math.max(0, to - FollowerReads.BATCH + 1);
            java.util.Map<Long, EthBlock.Block> blocks = FollowerReads.blocksAt(w,
                    java.util.stream.LongStream.rangeClosed(from, to).boxed().toList());
            for (long k = to; k >= from; k--, read++) {
                EthBlock.Block b = blocks.get(k);
                if (b == null || b.getTimestampRaw() == null || b.getTransactions() == null) {
                    return new Reconciliation.Undecided("nonce " + intent.nonce() + " was used and no receipt of the intent's "
                            + "transactions was found, but block " + k + " cannot be read to show none is in it");
                }
                for (EthBlock.TransactionResult<?> t : b.getTransactions()) {
                    Object tx = t.get();
                    String hash = tx instanceof String str ? str : tx instanceof EthBlock.TransactionObject o ? o.getHash() : null;
                    if (hash != null && ours.contains(hash.toLowerCase(Locale.ROOT))) {
                        log.warn("{}: intent {}: tx {} is in block {} but its receipt was not found (the node's index lags)",
                                settings.chain(), intent.id(), hash, k);
                        return new Reconciliation.Undecided("tx " + hash + " is in block " + k + " but its receipt is not "
                                + "readable yet (the node's index lags): not decided");
                    }
                }
                if (b.getTimestamp().longValue() < since) return null; // older than the intent: none of ours is in a block
            }
        }
        return null;
    }

    /** No receipt and the nonce is still free: a node may still hold one of ours; if none does, re-send ours. */
    private Reconciliation maybeInMempool(TxIntent intent) {
        for (String h : intent.hashes()) {
            boolean known = pool.execute(c -> Rpc.send(c.web3j().ethGetTransactionByHash(h), "eth_getTransactionByHash")
                    .getTransaction().isPresent());
            if (known) {
                return new Reconciliation.Undecided("tx " + h + " (nonce " + intent.nonce() + ") is pending, not yet included");
            }
        }
        String raw = intent.rawTx();
        if (raw == null || raw.isBlank()) {
            return new Reconciliation.Undecided("no node knows the intent's " + intent.hashes().size()
                    + " transaction(s) and nonce " + intent.nonce() + " is not used yet; no signed bytes to re-broadcast");
        }
        String hash;
        try {
            hash = org.web3j.crypto.Hash.sha3(raw).toLowerCase(Locale.ROOT);
            var decoded = org.web3j.crypto.TransactionDecoder.decode(raw);
            if (!(decoded instanceof org.web3j.crypto.SignedRawTransaction signed)
                    || !intent.hashes().stream().anyMatch(hash::equalsIgnoreCase)
                    || decoded.getNonce().longValueExact() != intent.nonce()
                    || !transactor.address().equalsIgnoreCase(signed.getFrom())) {
                return new Reconciliation.Undecided("the intent's signed bytes are not one of its transactions from "
                        + transactor.address() + " with nonce " + intent.nonce() + "; not re-broadcast");
            }
        } catch (RuntimeException | java.security.SignatureException e) {
            return new Reconciliation.Undecided("the intent's signed bytes do not decode; not re-broadcast");
        }
        try {
            pool.execute(c -> Rpc.send(c.web3j().ethSendRawTransaction(raw), "eth_sendRawTransaction").getTransactionHash());
            log.info("reconcile {}: no node knew nonce {}; re-broadcast its journaled tx {}", intent.id(), intent.nonce(), hash);
            return new Reconciliation.Undecided("re-broadcast tx " + hash + " (nonce " + intent.nonce() + "); not yet included");
        } catch (RpcErrorException e) {
            if (e.alreadyKnown()) {
                return new Reconciliation.Undecided("tx " + hash + " is pending (already known), not yet included");
            }
            if (e.nonceTooLow()) {
                return new Reconciliation.Undecided("nonce " + intent.nonce() + " was used meanwhile; ask again");
            }
            if (e.underpriced()) {
                return new Reconciliation.Undecided("another transaction with nonce " + intent.nonce() + " is pending");
            }
            return new Reconciliation.Undecided("re-broadcast of tx " + hash + " refused: " + e.rpcMessage());
        }
    }

    /** The HTLC id a successful receipt touched: its Locked / Claimed / Refunded event of the configured contract. */
    String htlcIdOf(TransactionReceipt receipt) {
        for (Log l : receipt.getLogs()) {
            if (decoder.decode(l, ANY_TIME) instanceof HtlcLogDecoder.Decoded d) {
                return switch (d.event()) {
                    case ChainEvent.HtlcLocked e -> e.htlc().id();
                    case ChainEvent.HtlcClaimed e -> e.htlcId();
                    case ChainEvent.HtlcRefunded e -> e.htlcId();
                    default -> null;
                };
            }
        }
        return null;
    }
}
