package io.evmore.core.swap;

import io.evmore.core.chain.ChainId;
import java.time.Instant;

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
 */
public record TxIntent(String id, String swapId, ChainId chain, String action, long nonce, String txHash,
        Status status, Instant createdAt, Instant updatedAt) {

    public enum Status { PENDING, BROADCAST, CONFIRMED, FAILED }

    public TxIntent {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("intent id is missing");
        if (chain == null) throw new IllegalArgumentException("intent chain is missing");
        if (action == null || action.isBlank()) throw new IllegalArgumentException("intent action is missing");
        if (status == null) throw new IllegalArgumentException("intent status is missing");
        if (createdAt == null || updatedAt == null) throw new IllegalArgumentException("intent times are missing");
    }

    public TxIntent with(long nonce, String txHash, Status status, Instant at) {
        return new TxIntent(id, swapId, chain, action, nonce, txHash, status, createdAt, at);
    }
}
