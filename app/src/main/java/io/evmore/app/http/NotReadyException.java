package io.evmore.app.http;

/** An admin operation asked for a component that has not started yet (or has stopped): answered 503. */
public final class NotReadyException extends RuntimeException {
    public NotReadyException(String message) {
        super(message);
    }
}
