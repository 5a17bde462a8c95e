package io.evmore.cosmos.tx;

import io.evmore.core.error.TransientException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out account sequences for one account. The lock is held only while a transaction is signed and handed
 * to the mempool (CheckTx), not while it waits for inclusion: transactions are pipelined, each with the next
 * sequence. A sequence mismatch (e.g. after an outside transaction from the same account; code 32 from CheckTx, or
 * the text inside a real node's code-6 simulation error) resyncs — from the "expected N" in the node's log, else
 * from the chain — and the SAME logical transaction is signed again with the new sequence, up to
 * {@code maxAttempts}. Any other failure that mentions the sequence, and any failure that may have reached a node,
 * drops the cached sequence; only a refusal known to leave the sequence unused (a contract error in simulation,
 * {@link NotSent}) keeps it.
 */
public final class AccountSequencer {
    private static final Logger log = LoggerFactory.getLogger(AccountSequencer.class);

    /** The account as the chain reports it. */
    public record AccountState(long accountNumber, long sequence) {}

    /**
     * Thrown by an {@link Attempt} that stopped before anything reached a node (e.g. the intent journal refused the
     * transaction): the sequence stays unused and cached, and {@link #submit} rethrows the cause unchanged.
     */
    public static final class NotSent extends RuntimeException {
        public NotSent(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    /** Signs and broadcasts one transaction with the given sequence; returns once CheckTx accepted it. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run(long accountNumber, long sequence);
    }

    private final String account;
    private final Supplier<AccountState> chainState;
    private final int maxAttempts;
    private volatile Runnable onResync = () -> {};
    private final ReentrantLock lock = new ReentrantLock();
    private long accountNumber = -1;
    private long nextSequence = -1;

    /**
     * @param account     the address (for messages)
     * @param chainState  reads the committed account state from the chain
     */
    public AccountSequencer(String account, Supplier<AccountState> chainState, int maxAttempts) {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
        this.account = account;
        this.chainState = chainState;
        this.maxAttempts = maxAttempts;
    }

    public <T> T submit(Attempt<T> attempt) {
        lock.lock();
        try {
            SequenceMismatchException last = null;
            for (int i = 1; i <= maxAttempts; i++) {
                if (nextSequence < 0) resync();
                long seq = nextSequence;
                try {
                    T out = attempt.run(accountNumber, seq);
                    nextSequence = seq + 1;
                    return out;
                } catch (SequenceMismatchException e) {
                    last = e;
                    onResync.run();
                    if (e.expected().isPresent() && accountNumber >= 0) {
                        nextSequence = e.expected().getAsLong();
                    } else {
                        nextSequence = -1;
                    }
                    log.info("account {}: sequence {} rejected, resyncing to {} (attempt {}/{})", account, seq,
                            nextSequence < 0 ? "chain state" : nextSequence, i, maxAttempts);
                } catch (NotSent e) {
                    throw e.getCause(); // nothing left this process: the same sequence serves the next transaction
                } catch (RuntimeException e) {
                    // Unknown whether the mempool took it (e.g. a timeout), or the node refused the sequence in a
                    // way not recognised as a mismatch: ask the chain next time. Never keep a sequence the chain
                    // refused (a real node reports a stale one in simulation as code 6 with the text inside).
                    if (!(e instanceof io.evmore.core.error.PermanentException) || mentionsSequence(e)) {
                        nextSequence = -1;
                    }
                    throw e;
                }
            }
            throw new TransientException("account " + account + ": sequence mismatch persisted after " + maxAttempts
                    + " attempts: " + last.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Called on every sequence mismatch (metrics). */
    public void onResync(Runnable r) {
        this.onResync = r == null ? () -> {} : r;
    }

    /** Forgets the cached sequence (e.g. after a transaction was dropped from the mempool). */
    public void invalidate() {
        lock.lock();
        try {
            nextSequence = -1;
        } finally {
            lock.unlock();
        }
    }

    private static boolean mentionsSequence(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("sequence")) return true;
        }
        return false;
    }

    private void resync() {
        AccountState s = chainState.get();
        accountNumber = s.accountNumber();
        nextSequence = s.sequence();
    }
}
