package io.evmore.core.error;

/** Retrying may succeed: a timeout, an unreachable endpoint, a node that is behind, a nonce race. */
public non-sealed class TransientException extends RelayerException {
    public TransientException(String message) {
        super(message);
    }

    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
