package io.evmore.pool;

import io.evmore.core.error.TransientException;

/**
 * A request that never left for its endpoint: the connection was refused or could not be made in time. Unlike any
 * other failure, it is known not to have reached the node, so even a request that must reach at most one endpoint
 * ({@link EndpointPool#executeOnce}) is tried on the next one.
 */
public class RequestNotSentException extends TransientException {
    public RequestNotSentException(String message) {
        super(message);
    }
}
