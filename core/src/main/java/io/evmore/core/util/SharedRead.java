package io.evmore.core.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A read of a chain's current state done once for every caller waiting at the same moment, and never older than the
 * call: a caller that arrives while a read is under way waits for the next read, which starts when that one ends and
 * serves everyone who arrived meanwhile. A caller alone reads at once, as a direct call would; a failed read fails every
 * caller it serves. Used for the latest block time of each chain (the engine's {@code FlowClock}) and the latest base
 * fee (the Ethereum transactor): with a thousand swaps in flight the bench saw one such query per step or transaction
 * queued at a busy node.
 */
public final class SharedRead<T> {
    /** A read, and who leads it. */
    private static final class Round<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
    }

    private final Supplier<T> read;
    private final ReentrantLock lock = new ReentrantLock(); // not a monitor: callers are virtual threads
    private Round<T> running; // the read under way
    private Round<T> next; // the read that starts when it ends; callers arriving now join it

    public SharedRead(Supplier<T> read) {
        this.read = read;
    }

    /** The value of a read sent no earlier than this call; a failed read throws its exception. */
    public T get() {
        Round<T> mine;
        Round<T> before = null;
        boolean lead = false;
        lock.lock();
        try {
            if (next != null) {
                mine = next; // its leader is waiting for the read under way
            } else if (running == null) {
                mine = running = new Round<>();
                lead = true;
            } else {
                before = running;
                mine = next = new Round<>();
                lead = true;
            }
        } finally {
            lock.unlock();
        }
        if (lead) {
            if (before != null) {
                before.result.handle((v, e) -> null).join(); // a read sent before this call is not fresh enough
                lock.lock();
                try {
                    running = mine;
                    next = null;
                } finally {
                    lock.unlock();
                }
            }
            try {
                mine.result.complete(read.get());
            } catch (RuntimeException | Error e) {
                mine.result.completeExceptionally(e);
            } finally {
                lock.lock();
                try {
                    if (running == mine) running = null;
                } finally {
                    lock.unlock();
                }
            }
        }
        return Futures.join(mine.result);
    }
}
