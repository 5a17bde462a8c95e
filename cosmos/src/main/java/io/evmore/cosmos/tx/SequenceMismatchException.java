package io.evmore.cosmos.tx;

import io.evmore.core.error.TransientException;
import java.util.OptionalLong;

/** The node expected another account sequence (sdk code 32); {@link #expected()} when the log says so. */
public final class SequenceMismatchException extends TransientException {
    private final OptionalLong expected;

    public SequenceMismatchException(String message, OptionalLong expected) {
        super(message);
        this.expected = expected;
    }

    public OptionalLong expected() {
        return expected;
    }
}
