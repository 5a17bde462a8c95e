package io.evmore.ethereum;

import io.evmore.core.error.PermanentException;
import java.util.Locale;

/** The node refused a request (not a transport failure): a revert, a nonce problem, missing funds. */
public final class RpcErrorException extends PermanentException {
    private final int code;
    private final String rpcMessage;
    private final String data;

    RpcErrorException(String method, int code, String message, String data) {
        super(method + " refused (" + code + "): " + message + revertData(data));
        this.code = code;
        this.rpcMessage = message;
        this.data = data;
    }

    /** Revert data is public chain output; show a short one (it names the custom error). */
    private static String revertData(String data) {
        if (data == null) return "";
        String d = data.replace("\"", "");
        return d.matches("0x[0-9a-fA-F]{8,512}") ? " [revert data " + d + "]" : "";
    }

    public int code() {
        return code;
    }

    public String rpcMessage() {
        return rpcMessage;
    }

    /** Revert data (hex) when the node returned it. */
    public String data() {
        return data;
    }

    boolean nonceTooLow() {
        String m = rpcMessage.toLowerCase(Locale.ROOT);
        return m.contains("nonce too low") || m.contains("nonce is too low") || m.contains("nonce has already been used")
                || m.contains("transaction nonce") && m.contains("lower");
    }

    /** The call reverted (execution reverted / VM exception / revert data returned). */
    boolean reverted() {
        String m = rpcMessage.toLowerCase(Locale.ROOT);
        return m.contains("revert") || m.contains("vm exception") || data != null && data.replace("\"", "").matches("0x[0-9a-fA-F]{8,}");
    }

    boolean alreadyKnown() {
        String m = rpcMessage.toLowerCase(Locale.ROOT);
        return m.contains("already known") || m.contains("known transaction") || m.contains("already imported");
    }

    boolean underpriced() {
        String m = rpcMessage.toLowerCase(Locale.ROOT);
        return m.contains("underpriced") || m.contains("replacement fee too low") || m.contains("fee too low");
    }
}
