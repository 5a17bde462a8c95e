package io.evmore.core.swap;

import io.evmore.core.chain.ChainId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction the relayer is about to send (or has sent), persisted before broadcast so that after a crash
 * the relayer reconciles with the chain instead of sending twice.
 *
 * @param id      unique intent id (e.g. swapId + "/" + action)
 * @param swapId  the swap it serves (may be null for housekeeping transactions)
 * @param chain   chain it goes to
 * @param action  what it does: COUNTER_LOCK, SOURCE_CLAIM, DEST_REFUND, IBC_TRANSFER …
 * @param nonce   EVM nonce or Cosmos account sequence it was signed with (-1 until assigned)
 * @param txHash  hash of the signed transaction (null until signed)
 * @param status  PENDING (persisted, maybe not broadcast), BROADCAST, CONFIRMED, FAILED
 * @param hashes  every hash ever signed for this intent (fee bumps re-sign the same nonce), oldest first; the latest
 *                is {@code txHash}
 * @param rawTx   the latest signed transaction (hex), so that reconciliation can re-broadcast the very same bytes
 *                (null until signed)
 * @param timeoutHeight Cosmos: the transaction's {@code timeout_height} (after it, "not found" means never); 0 = none
 */
public record TxIntent(String id, String swapId, ChainId chain, String action, long nonce, String txHash,
        Status status, Instant createdAt, Instant updatedAt, List<String> hashes, String rawTx, long timeoutHeight) {

    public enum Status { PENDING, BROADCAST, CONFIRMED, FAILED }

    public TxIntent {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("intent id is missing");
        if (chain == null) throw new IllegalArgumentException("intent chain is missing");
        if (action == null || action.isBlank()) throw new IllegalArgumentException("intent action is missing");
        if (status == null) throw new IllegalArgumentException("intent status is missing");
        if (createdAt == null || updatedAt == null) throw new IllegalArgumentException("intent times are missing");
        if (timeoutHeight < 0) throw new IllegalArgumentException("intent timeoutHeight must be >= 0");
        List<String> all = new ArrayList<>(hashes == null ? List.of() : hashes);
        if (txHash != null && !all.contains(txHash)) all.add(txHash);
        hashes = List.copyOf(all);
    }

    /** An intent without broadcast history (older callers, tests): hashes = the one txHash, if any. */
    public TxIntent(String id, String swapId, ChainId chain, String action, long nonce, String txHash, Status status,
            Instant createdAt, Instant updatedAt) {
        this(id, swapId, chain, action, nonce, txHash, status, createdAt, updatedAt, List.of(), null, 0);
    }

    /** A new intent, persisted before anything is signed. */
    public static TxIntent pending(String id, String swapId, ChainId chain, String action, Instant at) {
        return new TxIntent(id, swapId, chain, action, -1, null, Status.PENDING, at, at, List.of(), null, 0);
    }

    public TxIntent with(long nonce, String txHash, Status status, Instant at) {
        return new TxIntent(id, swapId, chain, action, nonce, txHash, status, createdAt, at, hashes, rawTx, timeoutHeight);
    }

    /** One more signed transaction about to be broadcast: its hash joins {@link #hashes()}. */
    public TxIntent broadcasting(io.evmore.core.chain.SignedTx tx, Instant at) {
        List<String> all = new ArrayList<>(hashes);
        if (!all.contains(tx.txHash())) all.add(tx.txHash());
        return new TxIntent(id, swapId, chain, action, tx.nonce(), tx.txHash(), Status.BROADCAST, createdAt, at, all,
                tx.rawTx(), tx.timeoutHeight());
    }

    public TxIntent withStatus(Status status, Instant at) {
        return new TxIntent(id, swapId, chain, action, nonce, txHash, status, createdAt, at, hashes, rawTx, timeoutHeight);
    }

    /** True once a signed transaction may have reached a node: from then on only the chain can say what happened. */
    public boolean mayHaveBeenBroadcast() {
        return !hashes.isEmpty();
    }

    @Override
    public String toString() {
        return "TxIntent[" + id + " " + action + " on " + chain + " nonce " + nonce + " " + status + " hashes " + hashes + "]";
    }
}
