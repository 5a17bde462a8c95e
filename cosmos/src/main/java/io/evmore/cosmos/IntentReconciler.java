package io.evmore.cosmos;

import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.TxIntent;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometRpcException;
import io.evmore.cosmos.rpc.CometTypes.Block;
import io.evmore.cosmos.rpc.CometTypes.BlockResults;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.rpc.TxExecResult;
import io.evmore.cosmos.tx.AccountSequencer.AccountState;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What became of an intent's transactions on one Cosmos chain, from the chain alone. Shared by every intent-first
 * sender of the relayer's account on that chain (the HTLC contract, the IBC counter-lock); only what a landed
 * transaction means differs, and that is the caller's {@code landed} function.
 *
 * <p>It never guesses that a transaction did not land. CometBFT indexes a block's transactions asynchronously after the
 * commit (a node's {@code tx} can say "not found" for a transaction that is in a block, for one block or, with a slow or
 * restarted indexer, for many; an endpoint may have indexing off), and pooled endpoints disagree about the head. So:
 * <ol>
 * <li>no hashes: {@code NeverLanded} (never signed);
 * <li>one of its hashes found by the tx index, or in a block: {@code Landed} (as {@code landed} reads it) or
 *     {@code Reverted}, from {@code tx} or, while the index lags, from {@code block_results} at that height;
 * <li>{@code NeverLanded} only when the chain's height is past the intent's {@code timeout_height} T (so no block can
 *     include the transaction any more: the SDK's ante refuses it above T) <em>and</em> none of the intent's hashes is in
 *     any block from {@code max(1, T − timeoutBlocks)} to T, each read with {@code block} and its transactions hashed
 *     (sha256 of the raw bytes, upper-case hex, as CometBFT names them). The submitter signs every transaction with
 *     {@code timeout_height} = the latest height it saw + {@code timeoutBlocks}, so no block below that range can hold it;
 * <li>a block of that range that cannot be read (pruned by the endpoint, an error): {@code Undecided}, naming the block;
 * <li>an account sequence past the intent's is only a hint (its own transaction moves the sequence too): the blocks
 *     from the range's start to the head are scanned, and if none holds it, {@code Undecided} "waiting for
 *     timeout_height T";
 * <li>an intent without a timeout height (journaled before transactions carried one) is never {@code NeverLanded} by
 *     absence: no height bounds where it could still land;
 * <li>otherwise — not past T — the journaled bytes (if any) are re-broadcast unchanged (never re-signed) and the answer
 *     is {@code Undecided}.
 * </ol>
 * The head, the index, the account and the blocks are all read from one endpoint (one pooled connection; a transport
 * failure reruns the whole look-up on another endpoint), so "past T" and "not in blocks ≤ T" are one node's view.
 *
 * <p>An intent's older hashes are transactions a node refused in CheckTx (a sequence mismatch, re-signed at once): they
 * never entered a mempool. Every block of the range is still compared against every hash of the intent.
 *
 * <p>Cost: up to {@code timeoutBlocks + 1} {@code block} reads, only on the undecided path (once after the timeout
 * height, and on each call while a moved sequence hints at an inclusion the index does not show).
 *
 * <p>{@code timeoutBlocks} must be the value the transactions were signed with: lowering it while intents are open
 * shortens the scanned range below where their transactions could be (see {@link CosmosSettings#timeoutBlocks()}).
 */
public final class IntentReconciler {
    private static final Pattern TX_HASH = Pattern.compile("[0-9A-Fa-f]{64}");

    private final ChainId chain;
    private final CosmosTxSubmitter submitter;
    private final CosmosQueries queries;
    private final long timeoutBlocks;

    /** Reconciles with the submitter's {@code timeoutBlocks} (the range below a timeout height that is scanned). */
    public IntentReconciler(ChainId chain, CosmosTxSubmitter submitter, CosmosQueries queries) {
        this(chain, submitter, queries, submitter.timeoutBlocks());
    }

    public IntentReconciler(ChainId chain, CosmosTxSubmitter submitter, CosmosQueries queries, long timeoutBlocks) {
        if (timeoutBlocks < 1) throw new IllegalArgumentException("timeoutBlocks must be >= 1");
        this.chain = chain;
        this.submitter = submitter;
        this.queries = queries;
        this.timeoutBlocks = timeoutBlocks;
    }

    /** What one endpoint showed. */
    private sealed interface Seen {}

    /** Included at {@code height}; {@code result} null when the block has it but its result cannot be read. */
    private record Included(String hash, long height, TxExecResult result, String unreadable) implements Seen {}

    private record Absent(String reason) implements Seen {}

    /** Not found so far; {@code rebroadcast}: the chain is not past the timeout height (or there is none). */
    private record Pending(String reason, boolean rebroadcast) implements Seen {}

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
        Set<String> wanted = new TreeSet<>();
        for (String h : hashes) {
            if (h == null || !TX_HASH.matcher(h).matches()) {
                throw new PermanentException("intent " + intent.id() + " has a malformed Cosmos tx hash");
            }
            wanted.add(h.toUpperCase(Locale.ROOT));
        }
        byte[] raw = rawOf(intent, wanted);
        if (raw != null && intent.timeoutHeight() > 0) {
            long signed = signedTimeoutHeight(raw);
            if (signed != intent.timeoutHeight()) {
                // A journal that lost the real bound must not let us decide by absence.
                return new Reconciliation.Undecided("intent " + intent.id() + " records timeout_height "
                        + intent.timeoutHeight() + " but its signed tx carries " + signed + "; not deciding by absence");
            }
        }
        String relayer = submitter.address();
        Seen seen = queries.rpc().transport().execute(c ->
                look(new CometRpcClient(PooledCometTransport.direct(c)), intent, wanted, relayer));
        switch (seen) {
            case Included in -> {
                if (in.result() == null) {
                    return new Reconciliation.Undecided("tx " + in.hash() + " is in block " + in.height()
                            + " but its result cannot be read: " + in.unreadable());
                }
                if (!in.result().ok()) {
                    return new Reconciliation.Reverted(in.hash(),
                            CosmosTxSubmitter.reverted(in.hash(), in.result()).getMessage());
                }
                return new Reconciliation.Landed(landed.apply(new TxOutcome(in.hash(), in.height(), in.result())));
            }
            case Absent a -> {
                return new Reconciliation.NeverLanded(a.reason());
            }
            case Pending p -> {
                if (!p.rebroadcast()) return new Reconciliation.Undecided(p.reason());
                if (raw == null) return new Reconciliation.Undecided(p.reason() + "; no signed bytes to re-broadcast");
                CosmosTxSubmitter.Rebroadcast r = submitter.rebroadcast(raw);
                return new Reconciliation.Undecided(p.reason() + "; " + r.detail());
            }
        }
    }

    /** The whole look-up on one endpoint. */
    private Seen look(CometRpcClient one, TxIntent intent, Set<String> wanted, String relayer) {
        long latest = one.status().latestHeight();
        String indexNote = "";
        for (String h : wanted) {
            try {
                Optional<IndexedTx> t = one.tx(h);
                if (t.isPresent()) return new Included(t.get().hash(), t.get().height(), t.get().result(), null);
            } catch (CometRpcException e) {
                // e.g. "transaction indexing is disabled": the blocks still say what happened.
                indexNote = " (tx index unavailable: " + ChainText.bounded(e.text(), 200) + ")";
            }
        }
        long timeout = intent.timeoutHeight();
        if (timeout <= 0) {
            return new Pending("not found by the tx index at height " + latest + indexNote + " and the intent has no"
                    + " timeout_height (journaled before txs carried one): nothing bounds where it could still land, so"
                    + " it is never decided by absence", true);
        }
        long first = Math.max(1, timeout - timeoutBlocks);
        if (latest > timeout) {
            Scan s = scan(one, first, timeout, wanted);
            if (s.found() != null) return s.found();
            if (s.unreadable() != null) {
                return new Pending("the chain (height " + latest + ") is past its timeout height " + timeout
                        + " but block " + s.unreadable() + "; undecided until every block " + first + ".." + timeout
                        + " can be read", false);
            }
            return new Absent("in none of blocks " + first + ".." + timeout + " and the chain is past its timeout height "
                    + timeout + " (latest " + latest + ")" + indexNote);
        }
        // Not past the timeout: it may still land. A sequence used by another tx is a hint worth a look at the blocks.
        long sequence = -1;
        if (intent.nonce() >= 0 && latest >= 2) {
            try {
                // One block behind the head: the app commits a block's state after the block store shows it.
                sequence = new CosmosQueries(one).account(relayer, latest - 1).map(AccountState::sequence).orElse(-1L);
            } catch (RuntimeException e) {
                sequence = -1; // only a hint
            }
        }
        if (sequence > intent.nonce()) {
            Scan s = scan(one, first, latest, wanted);
            if (s.found() != null) return s.found();
            return new Pending("sequence " + intent.nonce() + " is used (account sequence " + sequence + " at height "
                    + (latest - 1) + ") and none of its txs is " + (s.unreadable() == null
                            ? "in blocks " + first + ".." + latest : "found (block " + s.unreadable() + ")")
                    + indexNote + "; that is only a hint: waiting for timeout_height " + timeout, true);
        }
        return new Pending("not found at height " + latest + indexNote + "; the chain is not past its timeout_height "
                + timeout, true);
    }

    /** A scan's outcome: the tx found, or the first block that could not be read ("N cannot be read: why"), or neither. */
    private record Scan(Included found, String unreadable) {}

    private static Scan scan(CometRpcClient one, long from, long to, Set<String> wanted) {
        String unreadable = null;
        for (long h = from; h <= to; h++) {
            Block b;
            try {
                b = one.block(h);
            } catch (CometRpcException | TransientException e) {
                if (unreadable == null) unreadable = h + " cannot be read: " + ChainText.bounded(e.getMessage(), 300);
                continue; // a later block may still hold it (and then that decides)
            }
            List<String> txs = b.txHashes();
            for (int i = 0; i < txs.size(); i++) {
                if (wanted.contains(txs.get(i))) return new Scan(resultOf(one, txs.get(i), h, i, txs.size()), null);
            }
        }
        return new Scan(null, unreadable);
    }

    /** The result of the tx at {@code index} of block {@code height}: from the index if it caught up, else block_results. */
    private static Included resultOf(CometRpcClient one, String hash, long height, int index, int txCount) {
        try {
            Optional<IndexedTx> t = one.tx(hash);
            if (t.isPresent() && t.get().height() == height) return new Included(hash, height, t.get().result(), null);
        } catch (CometRpcException e) {
            // fall back to the block's results
        }
        try {
            BlockResults r = one.blockResults(height);
            if (r.txResults().size() != txCount) {
                return new Included(hash, height, null, "block_results has " + r.txResults().size() + " results for "
                        + txCount + " txs");
            }
            return new Included(hash, height, r.txResults().get(index), null);
        } catch (CometRpcException | TransientException e) {
            return new Included(hash, height, null, ChainText.bounded(e.getMessage(), 300));
        }
    }

    /** The intent's signed bytes, checked to be one of its transactions; null if it has none. */
    private static byte[] rawOf(TxIntent intent, Set<String> wanted) {
        if (intent.rawTx() == null || intent.rawTx().isEmpty()) return null;
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(intent.rawTx());
        } catch (IllegalArgumentException e) {
            throw new PermanentException("intent " + intent.id() + " has a malformed raw tx (not hex)");
        }
        // Only bytes whose hash the intent tracks may go out again, or a landing could go unnoticed.
        if (!wanted.contains(sha256Hex(raw))) {
            throw new PermanentException("intent " + intent.id() + ": its raw tx hashes to none of its tx hashes");
        }
        return raw;
    }

    /** The {@code timeout_height} the chain enforces for these bytes (-1 if they do not decode). */
    private static long signedTimeoutHeight(byte[] raw) {
        try {
            return TxBody.parseFrom(TxRaw.parseFrom(raw).getBodyBytes()).getTimeoutHeight();
        } catch (InvalidProtocolBufferException e) {
            return -1;
        }
    }

    private static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
