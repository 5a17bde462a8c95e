package io.evmore.pool;

/**
 * Work done with one borrowed connection. Throw {@link io.evmore.core.error.PermanentException} when the request
 * itself is wrong (a revert, invalid input): that is not the endpoint's fault and is not retried. Anything else
 * is charged to the endpoint and retried on another one.
 */
@FunctionalInterface
public interface RpcCall<C, T> {
    T apply(C connection) throws Exception;
}
