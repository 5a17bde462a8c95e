package io.evmore.core.error;

/** Retrying cannot help: invalid input, a contract revert, a state the protocol forbids. */
public non-sealed class PermanentException extends RelayerException {
    public PermanentException(String message) {
        super(message);
    }

    public PermanentException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
