package io.evmore.core.chain;

import io.evmore.core.swap.Secret;
import java.util.Optional;

/**
 * One chain's HTLC contract as the relay engine sees it. Calls block until the transaction is included
 * (virtual threads make that cheap); failures are {@link io.evmore.core.error.TransientException} or
 * {@link io.evmore.core.error.PermanentException}.
 */
public interface HtlcChain {
    ChainId chain();

    /** The relayer's own address on this chain (receiver of user locks). */
    String relayerAddress();

    TxResult lock(LockRequest request);

    TxResult claim(String htlcId, Secret secret);

    TxResult refund(String htlcId);

    Optional<HtlcRecord> query(String htlcId);
}
