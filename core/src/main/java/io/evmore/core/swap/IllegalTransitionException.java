package io.evmore.core.swap;

import io.evmore.core.error.PermanentException;

/** A transition the state table does not allow, or a stale expected state (someone else moved the swap). */
public final class IllegalTransitionException extends PermanentException {
    public IllegalTransitionException(String swapId, SwapState from, SwapState to) {
        super("swap " + swapId + ": transition " + from + " -> " + to + " is not allowed");
    }

    public IllegalTransitionException(String message) {
        super(message);
    }
}
