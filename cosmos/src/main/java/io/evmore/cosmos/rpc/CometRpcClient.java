package io.evmore.cosmos.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.core.error.TransientException;
import io.evmore.cosmos.rpc.CometTypes.AbciQueryResult;
import io.evmore.cosmos.rpc.CometTypes.Block;
import io.evmore.cosmos.rpc.CometTypes.BlockResults;
import io.evmore.cosmos.rpc.CometTypes.BroadcastResult;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CometTypes.Status;
import io.evmore.cosmos.rpc.CometTypes.TxSearchPage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * CometBFT 0.38 RPC methods the relayer uses, with the wire's encodings (COSMOS_WIRE §1): int64 as decimal
 * strings, int32 as numbers, hashes as uppercase hex, tx bytes/values as base64. Every answer is validated; a
 * malformed one is a {@link TransientException} naming the field (another endpoint may answer correctly).
 */
public final class CometRpcClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HASH = Pattern.compile("[0-9A-Fa-f]{64}");
    private final CometTransport transport;

    public CometRpcClient(CometTransport transport) {
        this.transport = transport;
    }

    public CometTransport transport() {
        return transport;
    }

    public Status status() {
        JsonNode r = call("status", null);
        JsonNode ni = r.path("node_info");
        JsonNode si = r.path("sync_info");
        return new Status(text(ni, "network", "status"), ni.path("version").asText(""),
                int64(si, "latest_block_height", "status"), si.path("latest_block_hash").asText(""),
                time(si, "latest_block_time", "status"), si.path("catching_up").asBoolean(false));
    }

    public Block block(long height) {
        JsonNode r = callAtHeight("block", params().put("height", Long.toString(height)));
        String hash = text(r.path("block_id"), "hash", "block");
        if (!HASH.matcher(hash).matches()) throw malformed("block", "block_id.hash", hash);
        JsonNode header = r.path("block").path("header");
        long h = int64(header, "height", "block");
        if (h != height) throw malformed("block", "header.height", h + " (asked for " + height + ")");
        List<String> hashes = new ArrayList<>();
        JsonNode txs = r.path("block").path("data").path("txs");
        if (txs.isArray()) {
            for (JsonNode tx : txs) hashes.add(txHash(base64(tx, "block", "data.txs")));
        }
        String parent = header.path("last_block_id").path("hash").asText("");
        if (!parent.isEmpty() && !HASH.matcher(parent).matches()) throw malformed("block", "last_block_id.hash", parent);
        return new Block(h, hash.toUpperCase(), parent.toUpperCase(), time(header, "time", "block"), hashes);
    }

    public BlockResults blockResults(long height) {
        JsonNode r = callAtHeight("block_results", params().put("height", Long.toString(height)));
        long h = int64(r, "height", "block_results");
        if (h != height) throw malformed("block_results", "height", h + " (asked for " + height + ")");
        List<TxExecResult> results = new ArrayList<>();
        JsonNode txs = r.get("txs_results");
        if (txs != null && txs.isArray()) {
            for (JsonNode t : txs) results.add(execResult(t, "block_results"));
        }
        return new BlockResults(h, results, events(r.get("finalize_block_events"), "block_results"));
    }

    /** The transaction with this hash, or empty if the node does not know it (yet). */
    public Optional<IndexedTx> tx(String hashHex) {
        if (!HASH.matcher(hashHex).matches()) throw new IllegalArgumentException("tx hash must be 64 hex chars");
        try {
            JsonNode r = call("tx", params().put("hash",
                    Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hashHex))).put("prove", false));
            return Optional.of(indexedTx(r, "tx"));
        } catch (CometRpcException e) {
            if (e.text().contains("not found")) return Optional.empty();
            throw e;
        }
    }

    public TxSearchPage txSearch(String query, int page, int perPage, boolean ascending) {
        JsonNode r = call("tx_search", params().put("query", query).put("prove", false)
                .put("page", Integer.toString(page)).put("per_page", Integer.toString(perPage))
                .put("order_by", ascending ? "asc" : "desc"));
        List<IndexedTx> txs = new ArrayList<>();
        for (JsonNode t : r.path("txs")) txs.add(indexedTx(t, "tx_search"));
        return new TxSearchPage(txs, int64(r, "total_count", "tx_search"));
    }

    /** ABCI query at {@code height} (0 = latest). */
    public AbciQueryResult abciQuery(String path, byte[] data, long height) {
        JsonNode r = call("abci_query", params().put("path", path).put("data", HexFormat.of().formatHex(data))
                .put("height", Long.toString(height)).put("prove", false)).path("response");
        JsonNode v = r.get("value");
        byte[] value = v == null || v.isNull() ? new byte[0] : base64(v, "abci_query", "response.value");
        return new AbciQueryResult(int32(r, "code", "abci_query"), r.path("codespace").asText(""),
                r.path("log").asText(""), value, r.hasNonNull("height") ? int64(r, "height", "abci_query") : 0);
    }

    /**
     * Hands signed bytes to one node's mempool. Never retried on another endpoint once the request may have left
     * ({@link CometTransport#executeOnce}): the caller re-signs at another sequence when a node refuses the sequence,
     * which is only safe if the refused bytes reached no other node. A failure is "may have been broadcast".
     */
    public BroadcastResult broadcastTxSync(byte[] tx) {
        ObjectNode params = params().put("tx", Base64.getEncoder().encodeToString(tx));
        JsonNode r = transport.executeOnce(c -> c.call("broadcast_tx_sync", params));
        String hash = text(r, "hash", "broadcast_tx_sync");
        if (!HASH.matcher(hash).matches()) throw malformed("broadcast_tx_sync", "hash", hash);
        return new BroadcastResult(int32(r, "code", "broadcast_tx_sync"), r.path("codespace").asText(""),
                r.path("log").asText(""), hash.toUpperCase());
    }

    // ------------------------------------------------------------------------------------------------ parsing

    private JsonNode call(String method, ObjectNode params) {
        return transport.execute(c -> c.call(method, params));
    }

    /**
     * A read of one height. An endpoint without that height (pruned below it, its ABCI results discarded, or behind it)
     * answers a JSON-RPC error that is about the endpoint, not the request: another endpoint may have it, so it is a
     * {@link HeightUnavailableException}, which the pool charges to the endpoint and retries elsewhere. As a
     * {@link CometRpcException} it would be final, and a pruned primary would stall the follower while a backup has
     * every block.
     */
    private JsonNode callAtHeight(String method, ObjectNode params) {
        return transport.execute(c -> {
            try {
                return c.call(method, params);
            } catch (CometRpcException e) {
                if (HeightUnavailableException.isOne(e)) throw new HeightUnavailableException(c.name(), e);
                throw e;
            }
        });
    }

    private static ObjectNode params() {
        return JSON.createObjectNode();
    }

    private IndexedTx indexedTx(JsonNode r, String method) {
        String hash = text(r, "hash", method);
        if (!HASH.matcher(hash).matches()) throw malformed(method, "hash", hash);
        return new IndexedTx(hash.toUpperCase(), int64(r, "height", method), int32(r, "index", method),
                execResult(r.path("tx_result"), method));
    }

    static TxExecResult execResult(JsonNode t, String method) {
        JsonNode d = t.get("data");
        byte[] data = d == null || d.isNull() ? new byte[0] : base64(d, method, "data");
        return new TxExecResult(int32(t, "code", method), t.path("codespace").asText(""), data,
                t.path("log").asText(""), optInt64(t, "gas_wanted", method), optInt64(t, "gas_used", method),
                events(t.get("events"), method));
    }

    static List<AbciEvent> events(JsonNode arr, String method) {
        List<AbciEvent> out = new ArrayList<>();
        if (arr == null || arr.isNull()) return out;
        if (!arr.isArray()) throw malformed(method, "events", "not an array");
        for (JsonNode e : arr) {
            List<AbciEvent.Attribute> attrs = new ArrayList<>();
            for (JsonNode a : e.path("attributes")) {
                attrs.add(new AbciEvent.Attribute(a.path("key").asText(""),
                        a.get("value") == null || a.get("value").isNull() ? "" : a.get("value").asText()));
            }
            out.add(new AbciEvent(e.path("type").asText(""), attrs));
        }
        return out;
    }

    static String txHash(byte[] tx) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(tx));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(JsonNode n, String field, String method) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw malformed(method, field, String.valueOf(v));
        return v.asText();
    }

    /** int64 fields are JSON strings of decimal digits. */
    static long int64(JsonNode n, String field, String method) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw malformed(method, field, String.valueOf(v) + " (int64 must be a string)");
        try {
            return Long.parseLong(v.asText());
        } catch (NumberFormatException e) {
            throw malformed(method, field, v.asText());
        }
    }

    static long optInt64(JsonNode n, String field, String method) {
        return n.hasNonNull(field) ? int64(n, field, method) : 0;
    }

    static int int32(JsonNode n, String field, String method) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return 0; // jsonpb may omit zero
        if (!v.isInt()) throw malformed(method, field, v + " (int32 must be a number)");
        return v.asInt();
    }

    static byte[] base64(JsonNode v, String method, String field) {
        if (!v.isTextual()) throw malformed(method, field, "not a base64 string");
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw malformed(method, field, "invalid base64");
        }
    }

    static Instant time(JsonNode n, String field, String method) {
        String s = text(n, field, method);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw malformed(method, field, s);
        }
    }

    static TransientException malformed(String method, String field, String value) {
        String v = io.evmore.cosmos.ChainText.bounded(value, 120);
        return new TransientException("malformed CometBFT " + method + " answer: field " + field + " = " + v);
    }
}
