package io.evmore.core.error;

/**
 * This process no longer holds (or cannot prove it holds) the database lease that lets it drive swaps and sign with the
 * relayer's keys: another process took over (a higher epoch), the lease expired, or its session was lost. Whatever
 * raised it was not done — no write committed, no transaction broadcast. Retrying in this process cannot help until it
 * holds the lease again; the current holder finishes the work.
 */
public class LeaseLostException extends PermanentException {
    public LeaseLostException(String message) {
        super(message);
    }

    public LeaseLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
