package io.evmore.cosmos.rpc;

import io.evmore.core.error.PermanentException;
import io.evmore.cosmos.ChainText;

/**
 * The node answered with a JSON-RPC error object. It is the request's answer, not the endpoint's failure, so it
 * is a {@link PermanentException} for the pool (no failover); callers interpret {@link #code()} and the text
 * (e.g. "tx already exists in cache", "height N must be less than or equal to the current blockchain height M").
 */
public class CometRpcException extends PermanentException {
    private final int code;
    private final String rpcMessage;
    private final String data;

    /** The node's message and data are kept bounded (500 chars) and on one line: they reach logs. */
    public CometRpcException(String method, int code, String rpcMessage, String data) {
        super("CometBFT RPC " + method + " failed: " + code + " " + ChainText.bounded(rpcMessage, 500)
                + (data == null ? "" : ": " + ChainText.bounded(data, 500)));
        this.code = code;
        this.rpcMessage = ChainText.bounded(rpcMessage, 500);
        this.data = ChainText.bounded(data, 500);
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
