package io.evmore.core.chain;

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
