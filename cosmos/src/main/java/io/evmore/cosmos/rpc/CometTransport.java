package io.evmore.cosmos.rpc;

import java.util.function.Function;

/**
 * Runs a request with a connection to one of a chain's endpoints. Production goes through the shared endpoint
 * pool ({@link PooledCometTransport}); a failing call is retried on another endpoint there.
 */
@FunctionalInterface
public interface CometTransport {
    <T> T execute(Function<CometConnection, T> call);
}
