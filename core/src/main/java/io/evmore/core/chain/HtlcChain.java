package io.evmore.core.chain;

import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.util.Optional;

/**
 * One chain's HTLC contract as the relay engine sees it. Sending calls block until the transaction is included
 * (virtual threads make that cheap).
 *
 * <p>Exactly once: every signed transaction is handed to the {@link TxJournal} before it is broadcast. Errors:
 * {@link TxRevertedException} when a transaction was included but failed, or when simulation shows it would fail
 * (then nothing was broadcast); other {@link io.evmore.core.error.PermanentException}s for requests the adapter
 * refuses before signing; {@link io.evmore.core.error.TransientException} otherwise — a transaction the journal
 * saw may then still land, and only {@link #reconcile} can say.
 */
public interface HtlcChain {
    ChainId chain();

    /** The relayer's own address on this chain (receiver of user locks). */
    String relayerAddress();

    /** The configured HTLC contract (0x address on EVM, bech32 on CosmWasm). */
    String contract();

    TxResult lock(LockRequest request, TxJournal journal);

    TxResult claim(String htlcId, Secret secret, TxJournal journal);

    TxResult refund(String htlcId, TxJournal journal);

    /**
     * {@link #lock(LockRequest, TxJournal)} bidding {@code fee} for inclusion. An adapter without a fee policy of its own
     * sends at its normal fee.
     */
    default TxResult lock(LockRequest request, TxJournal journal, FeeBid fee) {
        return lock(request, journal);
    }

    /** {@link #claim(String, Secret, TxJournal)} bidding {@code fee} for inclusion. */
    default TxResult claim(String htlcId, Secret secret, TxJournal journal, FeeBid fee) {
        return claim(htlcId, secret, journal);
    }

    /** {@link #refund(String, TxJournal)} bidding {@code fee} for inclusion. */
    default TxResult refund(String htlcId, TxJournal journal, FeeBid fee) {
        return refund(htlcId, journal);
    }

    /**
     * Replaces the intent's pending transaction by one that bids {@code fee}: the same nonce, action and calldata,
     * read from the intent's journaled signed bytes (so it works after a restart), signed again with higher fees,
     * handed to {@code journal} before its broadcast. Returns false when nothing was sent: this chain cannot replace a
     * pending transaction (Cosmos: the engine waits for its {@code timeout_height} and sends anew), the intent has no
     * signed bytes, or {@code fee} bids no more than what is pending (the adapter's cap reached). Never blocks until
     * inclusion; {@link #reconcile} says later which of the intent's transactions landed.
     */
    default boolean speedUp(TxIntent intent, FeeBid fee, TxJournal journal) {
        return false;
    }

    /**
     * Takes back the nonce of the intent's pending transaction: replaces it by a transfer of nothing from the relayer to
     * itself on the same nonce, bidding {@code fee} (and at least what replacing the pending transaction needs), so the
     * action can no longer land and the relayer's later transactions on this chain stop waiting behind that nonce.
     * Handed to {@code journal} before its broadcast, like {@link #speedUp}: {@link #reconcile} then reads a landed cancel
     * as NeverLanded (the nonce went to the relayer's own cancel), or the action if it got in first. Returns false when
     * nothing was sent: a chain without replaceable nonces (Cosmos: a transaction expires at its {@code timeout_height}
     * instead), no signed bytes, the nonce already used, or no fee room left under the cap.
     */
    default boolean cancel(TxIntent intent, FeeBid fee, TxJournal journal) {
        return false;
    }

    /**
     * A preimage of {@code hashlock} this chain has made public: the secret a claim of {@code htlcId} revealed (when the
     * id is known), or that any claim of an HTLC with this hashlock on the configured contract revealed (when it is
     * null). Empty when none is visible (yet) or the chain cannot say now; never throws for an unreachable chain. The
     * engine checks the answer against the hashlock itself.
     *
     * @param fromHeight a height at or below the HTLC's creation (0 = unknown): where a log search may start
     */
    default Optional<Secret> revealedSecret(Hashlock hashlock, String htlcId, long fromHeight) {
        if (htlcId == null) return Optional.empty();
        try {
            return query(htlcId).map(HtlcRecord::secret);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Every HTLC on the configured contract with this hashlock, as the chain holds it now (found by query: CosmWasm
     * through the tx index of {@code create_htlc}): how the relayer finds the HTLC a multi-hop transfer created when the
     * final chain's follower missed its event. Empty when none is visible or the chain cannot say now; never throws for an
     * unreachable chain.
     */
    default java.util.List<HtlcRecord> htlcsWithHashlock(Hashlock hashlock) {
        return java.util.List.of();
    }

    /**
     * The HTLCs on the configured contract that the relayer's own account created with {@code hashlock}, searched from
     * {@code fromHeight} (at or below where the swap's first counter-lock could be; 0 = unknown: the adapter's usual
     * look-back) to the latest block, which must be at least {@code toAtLeast} (the height the relayer has followed: an
     * endpoint behind it cannot answer), each as the chain holds it now. The engine asks before it sends a counter-lock
     * again after an attempt that may have reached a node: the last look before paying twice. Throws a
     * {@link io.evmore.core.error.TransientException} when the chain cannot be searched now (the engine then waits);
     * an adapter that cannot search at all answers empty (the default).
     */
    default java.util.List<HtlcRecord> relayerLocksWithHashlock(Hashlock hashlock, long fromHeight, long toAtLeast) {
        return java.util.List.of();
    }

    /**
     * The HTLC as the chain holds it at a depth of {@code confirmations} blocks below the head (a lock that is not yet
     * that deep, or left the canonical chain, is empty). Chains with instant finality answer the latest state.
     */
    default Optional<HtlcRecord> queryConfirmed(String htlcId, long confirmations) {
        return query(htlcId);
    }

    /**
     * The block time (unix seconds) of the chain's latest block that has its configured confirmations: the time the
     * engine may trust when it decides that a timelock has passed for good. Chains with instant finality answer the
     * latest block's time.
     */
    default long confirmedBlockTime() {
        return latestBlockTime();
    }

    default TxResult lock(LockRequest request) {
        return lock(request, TxJournal.NONE);
    }

    default TxResult claim(String htlcId, Secret secret) {
        return claim(htlcId, secret, TxJournal.NONE);
    }

    default TxResult refund(String htlcId) {
        return refund(htlcId, TxJournal.NONE);
    }

    /** Decides from the chain what became of the transactions the intent's journal recorded. */
    Reconciliation reconcile(TxIntent intent);

    Optional<HtlcRecord> query(String htlcId);

    /** The relayer's balance of {@code asset} (token address / denom), base units. */
    BigInteger balance(String asset);

    /** Timestamp (unix seconds) of the latest block: what the contract compares timelocks with. */
    long latestBlockTime();
}
