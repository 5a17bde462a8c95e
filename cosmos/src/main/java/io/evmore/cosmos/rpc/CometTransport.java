package io.evmore.cosmos.rpc;

import java.util.function.Function;

/**
 * Runs a request with a connection to one of a chain's endpoints. Production goes through the shared endpoint
 * pool ({@link PooledCometTransport}); a failing call is retried on another endpoint there.
 */
@FunctionalInterface
public interface CometTransport {
    <T> T execute(Function<CometConnection, T> call);

    /**
     * As {@link #execute}, on at most one endpoint once the request may have left: for broadcasts of signed bytes
     * ({@link io.evmore.pool.EndpointPool#executeOnce}). A transport bound to one connection has nothing else to try.
     */
    default <T> T executeOnce(Function<CometConnection, T> call) {
        return execute(call);
    }
}
