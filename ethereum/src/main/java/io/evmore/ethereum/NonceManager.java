package io.evmore.ethereum;

import java.util.function.LongSupplier;

/**
 * Hands out consecutive nonces for one account so many transactions can be in flight without waiting for
 * receipts. The next nonce is read from the chain ({@code eth_getTransactionCount(addr, "pending")}) on first use
 * and after {@link #resync()}; a nonce is consumed only when its transaction was accepted by a node
 * ({@link #commit}), so a refused transaction leaves no gap. Callers hold {@link #lock()} from {@link #peek()}
 * to {@link #commit}/{@link #release}, which serialises signing+broadcast (milliseconds) but not mining.
 */
public final class NonceManager {
    private final LongSupplier chainPendingNonce;
    private final Object lock = new Object();
    private long next = -1;

    /** @param chainPendingNonce reads the account's pending transaction count from the chain */
    public NonceManager(LongSupplier chainPendingNonce) {
        this.chainPendingNonce = chainPendingNonce;
    }

    public Object lock() {
        return lock;
    }

    /** The nonce the next transaction should use. Call while holding {@link #lock()}. */
    public long peek() {
        assert Thread.holdsLock(lock);
        if (next < 0) {
            next = chainPendingNonce.getAsLong();
        }
        return next;
    }

    /** The transaction with {@code nonce} was accepted: the following one gets {@code nonce + 1}. */
    public void commit(long nonce) {
        assert Thread.holdsLock(lock);
        if (nonce + 1 > next) next = nonce + 1;
    }

    /**
     * Forgets the local count so the next {@link #peek()} asks the chain: after "nonce too low" (another sender
     * used the key, a restart, a replaced transaction) or a broadcast whose outcome is unknown.
     */
    public void resync() {
        synchronized (lock) {
            next = -1;
        }
    }
}
