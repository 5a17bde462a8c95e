package io.evmore.app.secrets;

/**
 * A reload (or a periodic refresh) of the secrets that is refused as a whole, nothing changed: the provider could not
 * answer, a value is malformed, or a signing key changed while swaps are in flight. The message never holds a value.
 */
public final class ReloadRefusedException extends RuntimeException {
    public ReloadRefusedException(String message) {
        super(message);
    }
}
