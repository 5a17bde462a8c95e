package io.evmore.core.error;

/**
 * Root of the relayer's errors. Every chain or store error is converted into one of two kinds:
 * {@link TransientException} (retry later: network, rate limit, node behind) or {@link PermanentException}
 * (retrying cannot help: reject, drop or alert).
 */
public abstract sealed class RelayerException extends RuntimeException permits TransientException, PermanentException {
    protected RelayerException(String message) {
        super(message);
    }

    protected RelayerException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract boolean isRetryable();
}
