package io.evmore.cosmos.rpc;

import io.evmore.core.error.PermanentException;

/**
 * The node answered with a JSON-RPC error object. It is the request's answer, not the endpoint's failure, so it
 * is a {@link PermanentException} for the pool (no failover); callers interpret {@link #code()} and the text
 * (e.g. "tx already exists in cache", "height N must be less than or equal to the current blockchain height M").
 */
public class CometRpcException extends PermanentException {
    private final int code;
    private final String rpcMessage;
    private final String data;

    public CometRpcException(String method, int code, String rpcMessage, String data) {
        super("CometBFT RPC " + method + " failed: " + code + " " + rpcMessage + (data == null ? "" : ": " + data));
        this.code = code;
        this.rpcMessage = rpcMessage;
        this.data = data == null ? "" : data;
    }

    public int code() {
        return code;
    }

    public String rpcMessage() {
        return rpcMessage;
    }

    public String data() {
        return data;
    }

    /** The full text to match on (CometBFT puts the handler's message into data). */
    public String text() {
        return rpcMessage + " " + data;
    }
}
