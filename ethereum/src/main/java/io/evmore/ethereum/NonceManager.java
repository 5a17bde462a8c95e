package io.evmore.ethereum;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Hands out consecutive nonces for one account so many transactions can be in flight without waiting for
 * receipts. The next nonce is read from the chain ({@code eth_getTransactionCount(addr, "pending")}) on first use
 * and after {@link #resync()}; a nonce is consumed only when its transaction was accepted by a node
 * ({@link #commit}), so a refused transaction leaves no gap. Callers hold {@link #lock()} from {@link #peek()}
 * to {@link #commit}, which serialises signing+broadcast (milliseconds) but not mining. A {@link ReentrantLock},
 * not a monitor: the holder does network I/O, and on Java 21 a virtual thread blocked in {@code synchronized}
 * pins its carrier, so many pipelined senders could starve the threads the pool needs to hand back connections.
 *
 * <p>Nothing is persisted: after a restart the count comes from the chain again, so a journaled transaction the
 * node forgot may see its nonce reused by a new one. Only one of them can be included; {@link Web3jHtlcChain}'s
 * class comment explains why that is safe for exactly-once.
 */
public final class NonceManager {
    private final LongSupplier chainPendingNonce;
    private final ReentrantLock lock = new ReentrantLock();
    private long next = -1;

    /** @param chainPendingNonce reads the account's pending transaction count from the chain */
    public NonceManager(LongSupplier chainPendingNonce) {
        this.chainPendingNonce = chainPendingNonce;
    }

    public ReentrantLock lock() {
        return lock;
    }

    /** The nonce the next transaction should use. Call while holding {@link #lock()}. */
    public long peek() {
        assert lock.isHeldByCurrentThread();
        if (next < 0) {
            next = chainPendingNonce.getAsLong();
        }
        return next;
    }

    /** The transaction with {@code nonce} was accepted: the following one gets {@code nonce + 1}. */
    public void commit(long nonce) {
        assert lock.isHeldByCurrentThread();
        if (nonce + 1 > next) next = nonce + 1;
    }

    /**
     * Forgets the local count so the next {@link #peek()} asks the chain: after "nonce too low" (another sender
     * used the key, a restart, a replaced transaction) or a broadcast whose outcome is unknown.
     */
    public void resync() {
        lock.lock();
        try {
            next = -1;
        } finally {
            lock.unlock();
        }
    }
}
