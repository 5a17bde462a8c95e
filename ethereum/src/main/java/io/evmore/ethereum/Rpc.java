package io.evmore.ethereum;

import java.io.IOException;
import java.util.Locale;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/** Sends a web3j request and turns a JSON-RPC error into an exception of the right kind. */
final class Rpc {
    private Rpc() {}

    /**
     * @throws RpcErrorException when the node answered with an error about the request (revert, nonce, funds);
     *         not the endpoint's fault, so the pool does not fail over
     * @throws IOException       transport failure or an endpoint-side error (rate limit, overload, not synced),
     *         which the pool charges to the endpoint and retries elsewhere
     */
    static <R extends Response<?>> R send(Request<?, R> request, String method) throws IOException {
        return checked(request.send(), method);
    }

    /** One answer (of a request or of a JSON-RPC batch), its error turned into an exception as {@link #send} does. */
    static <R extends Response<?>> R checked(R r, String method) throws IOException {
        if (r == null) {
            throw new IOException(method + ": empty response");
        }
        if (r.hasError()) {
            Response.Error e = r.getError();
            String msg = e.getMessage() == null ? "" : e.getMessage();
            if (requestTooBig(msg)) {
                throw new RpcErrorException(method, e.getCode(), truncate(msg), e.getData());
            }
            if (endpointSide(e.getCode(), msg)) {
                throw new IOException(method + ": endpoint error " + e.getCode() + ": " + truncate(msg));
            }
            throw new RpcErrorException(method, e.getCode(), truncate(msg), e.getData());
        }
        return r;
    }

    /**
     * The receipt of {@code hash}, or empty when the node has none. A receipt must be of that transaction and say how it
     * ended: web3j reads a missing {@code status} as success, so a malformed or hostile answer could make a reverted
     * claim look landed (and the source never claimed). Anything else is the endpoint's fault (the pool asks another).
     */
    static java.util.Optional<org.web3j.protocol.core.methods.response.TransactionReceipt> receipt(org.web3j.protocol.Web3j w,
            String hash) throws IOException {
        var found = send(w.ethGetTransactionReceipt(hash), "eth_getTransactionReceipt").getTransactionReceipt();
        if (found.isEmpty()) return found;
        var r = found.get();
        String status = r.getStatus();
        if (r.getTransactionHash() == null || !r.getTransactionHash().equalsIgnoreCase(hash)
                || status == null || !(status.equals("0x0") || status.equals("0x1"))
                || (r.getBlockNumberRaw() != null && (r.getBlockHash() == null || !r.getBlockHash().matches("0x[0-9a-fA-F]{64}")))) {
            throw new IOException("eth_getTransactionReceipt(" + hash + "): malformed receipt (not that transaction's, or"
                    + " without a status) in the answer");
        }
        return found;
    }

    /** The logs {@code eth_getLogs} answers for {@code filter} (an answer without any: none). */
    static java.util.List<org.web3j.protocol.core.methods.response.Log> logs(org.web3j.protocol.Web3j w,
            org.web3j.protocol.core.methods.request.EthFilter filter) throws IOException {
        java.util.List<org.web3j.protocol.core.methods.response.Log> out = new java.util.ArrayList<>();
        var results = send(w.ethGetLogs(filter), "eth_getLogs").getLogs();
        if (results != null) {
            for (var r : results) {
                if (r.get() instanceof org.web3j.protocol.core.methods.response.Log l) out.add(l);
            }
        }
        return out;
    }

    /** eth_getLogs over too many blocks or results: the caller must ask for less, not fail over. */
    static boolean requestTooBig(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("query returned more than") || m.contains("too many results") || m.contains("block range")
                || m.contains("response size") || m.contains("range is too large") || m.contains("exceed maximum block range");
    }

    private static boolean endpointSide(int code, String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return code == -32005 || code == -32603 && !m.contains("revert") && !m.contains("nonce")
                || m.contains("rate limit") || m.contains("too many requests") || m.contains("header not found")
                || m.contains("timeout") || m.contains("timed out") || m.contains("busy") || m.contains("unavailable");
    }

    /** Node text reaches logs and exceptions: bounded and on one line so it cannot forge log lines. */
    static String truncate(String s) {
        String one = s.replaceAll("\\p{Cntrl}", " ");
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }
}
