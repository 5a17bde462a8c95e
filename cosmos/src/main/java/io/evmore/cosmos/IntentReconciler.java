package io.evmore.cosmos;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.TxIntent;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.tx.AccountSequencer.AccountState;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.TxOutcome;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What became of an intent's transactions on one Cosmos chain, from the chain alone (one endpoint answers all lookups,
 * so height, account and tx index are one node's view). Shared by every intent-first sender of the relayer's account
 * on that chain (the HTLC contract, the IBC counter-lock); only what a landed transaction means differs, and that is
 * the caller's {@code landed} function.
 * <ol>
 * <li>one of its hashes is included: {@code Landed} (as {@code landed} reads it) or {@code Reverted};
 * <li>no hashes: {@code NeverLanded} (never signed);
 * <li>none found and the chain is past the timeout height, or the account's sequence is past the intent's:
 *     {@code NeverLanded} — no block can include them any more;
 * <li>otherwise the journaled bytes (if any) are re-broadcast unchanged and the answer is {@code Undecided}.
 * </ol>
 * "Past" is judged one block behind the latest ({@value #INDEX_MARGIN_BLOCKS}): CometBFT indexes a block's
 * transactions just after committing it, so a tx in the very latest block may not be findable by hash yet.
 */
public final class IntentReconciler {
    private static final Pattern TX_HASH = Pattern.compile("[0-9A-Fa-f]{64}");

    /** Blocks behind the latest at which "not found" is trusted (the node's tx indexer trails its commits). */
    public static final long INDEX_MARGIN_BLOCKS = 1;

    private final ChainId chain;
    private final CosmosTxSubmitter submitter;
    private final CosmosQueries queries;

    public IntentReconciler(ChainId chain, CosmosTxSubmitter submitter, CosmosQueries queries) {
        this.chain = chain;
        this.submitter = submitter;
        this.queries = queries;
    }

    /** One endpoint's view: latest and settled height, account sequence at settled, the tx found (or null). */
    private record Seen(long latest, long settled, long sequence, IndexedTx tx) {}

    /**
     * @param landed reads the result of an included, successful transaction of the intent (may throw a
     *               {@link io.evmore.core.error.TransientException} if the transaction lacks what it must carry)
     */
    public Reconciliation reconcile(TxIntent intent, Function<TxOutcome, TxResult> landed) {
        if (!intent.chain().equals(chain)) {
            throw new PermanentException("intent " + intent.id() + " is for " + intent.chain() + ", not " + chain);
        }
        List<String> hashes = intent.hashes();
        if (hashes.isEmpty()) return new Reconciliation.NeverLanded("never signed");
        for (String h : hashes) {
            if (h == null || !TX_HASH.matcher(h).matches()) {
                throw new PermanentException("intent " + intent.id() + " has a malformed Cosmos tx hash");
            }
        }
        String relayer = submitter.address();
        Seen seen = queries.rpc().transport().execute(c -> {
            CometRpcClient one = new CometRpcClient(PooledCometTransport.direct(c));
            long latest = one.status().latestHeight();
            long settled = latest - INDEX_MARGIN_BLOCKS;
            long sequence = -1;
            if (intent.nonce() >= 0 && settled >= 1) {
                sequence = new CosmosQueries(one).account(relayer, settled).map(AccountState::sequence).orElse(-1L);
            }
            for (String h : hashes) {
                Optional<IndexedTx> t = one.tx(h);
                if (t.isPresent()) return new Seen(latest, settled, sequence, t.get());
            }
            return new Seen(latest, settled, sequence, null);
        });
        if (seen.tx() != null) {
            IndexedTx t = seen.tx();
            if (!t.result().ok()) {
                return new Reconciliation.Reverted(t.hash(), CosmosTxSubmitter.reverted(t.hash(), t.result()).getMessage());
            }
            return new Reconciliation.Landed(landed.apply(new TxOutcome(t.hash(), t.height(), t.result())));
        }
        if (intent.timeoutHeight() > 0 && seen.settled() > intent.timeoutHeight()) {
            return new Reconciliation.NeverLanded("not included and the chain is past its timeout height "
                    + intent.timeoutHeight() + " (latest " + seen.latest() + ")");
        }
        if (intent.nonce() >= 0 && seen.sequence() > intent.nonce()) {
            return new Reconciliation.NeverLanded("sequence " + intent.nonce()
                    + " used by another transaction (account sequence " + seen.sequence() + " at height "
                    + seen.settled() + ")");
        }
        if (intent.rawTx() == null || intent.rawTx().isEmpty()) {
            return new Reconciliation.Undecided("not found at height " + seen.latest() + " and no signed bytes to re-broadcast");
        }
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(intent.rawTx());
        } catch (IllegalArgumentException e) {
            throw new PermanentException("intent " + intent.id() + " has a malformed raw tx (not hex)");
        }
        // Only bytes whose hash the intent tracks may go out again, or a landing could go unnoticed.
        String rawHash = sha256Hex(raw);
        if (hashes.stream().noneMatch(rawHash::equalsIgnoreCase)) {
            throw new PermanentException("intent " + intent.id() + ": its raw tx hashes to none of its tx hashes");
        }
        CosmosTxSubmitter.Rebroadcast r = submitter.rebroadcast(raw);
        return new Reconciliation.Undecided("not found at height " + seen.latest() + "; " + r.detail());
    }

    private static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
