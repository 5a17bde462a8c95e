package io.evmore.pool;

import io.evmore.core.error.TransientException;

/** No connection could be lent: acquire timed out, every endpoint's breaker is open, or the pool is drained. */
public final class PoolUnavailableException extends TransientException {
    private final String pool;

    public PoolUnavailableException(String pool, String message) {
        super("pool '" + pool + "': " + message);
        this.pool = pool;
    }

    public String pool() {
        return pool;
    }
}
