package io.evmore.devnet.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.chain.Block;
import io.evmore.devnet.chain.CheckTxResult;
import io.evmore.devnet.chain.CosmosChain;
import io.evmore.devnet.chain.IndexedTx;
import io.evmore.devnet.chain.MempoolException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CometBFT RPC endpoint of a devnet chain on 127.0.0.1: JSON-RPC over POST / and GET URI form, websocket
 * subscriptions, and fault injection (stop/start on the same port, answer delays, dropped answers).
 */
public final class CometRpcEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometRpcEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<String>> PARAM_ORDER = Map.of(
            "block", List.of("height"), "block_results", List.of("height"), "tx", List.of("hash", "prove"),
            "tx_search", List.of("query", "prove", "page", "per_page", "order_by"),
            "abci_query", List.of("path", "data", "height", "prove"), "broadcast_tx_sync", List.of("tx"),
            "broadcast_tx_async", List.of("tx"), "status", List.of(), "health", List.of(), "abci_info", List.of());

    private final CosmosChain chain;
    private final int index;
    private final String nodeId;
    private volatile Javalin server;
    private volatile int port;
    private volatile Duration delay = Duration.ZERO;
    private final AtomicInteger dropNext = new AtomicInteger();
    private volatile long lowestBlock = 1;
    private final Map<WsContext, List<Subscription>> subscriptions = new ConcurrentHashMap<>();

    record Subscription(JsonNode id, EventQuery query) {}

    /** A JSON-RPC error. */
    static final class RpcError extends RuntimeException {
        final int code;
        final String data;

        RpcError(int code, String message, String data) {
            super(message, null, false, false);
            this.code = code;
            this.data = data;
        }

        static RpcError internal(String data) {
            return new RpcError(-32603, "Internal error", data);
        }

        static RpcError invalidParams(String data) {
            return new RpcError(-32602, "Invalid params", "error converting json params to arguments: " + data);
        }
    }

    public CometRpcEndpoint(CosmosChain chain, int index) {
        this.chain = chain;
        this.index = index;
        this.nodeId = HexFormat.of().formatHex(io.evmore.devnet.crypto.AddressDerivation.sha256(
                (chain.chainId() + "/node/" + index).getBytes(StandardCharsets.UTF_8)), 0, 20);
        chain.addBlockListener(this::publish);
    }

    public synchronized CometRpcEndpoint start() {
        if (server != null) {
            return this;
        }
        Javalin app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = port;
            cfg.routes.post("/", this::handlePost);
            cfg.routes.post("/{method}", ctx -> respond(ctx, 200, error(JSON.nullNode(),
                    new RpcError(-32600, "Invalid Request", "invalid path " + ctx.path()))));
            cfg.routes.get("/{method}", this::handleGet);
            cfg.routes.ws("/websocket", ws -> {
                ws.onMessage(ctx -> handleWs(ctx, ctx.message()));
                ws.onClose(ctx -> subscriptions.remove(ctx));
                ws.onError(ctx -> subscriptions.remove(ctx));
            });
        });
        app.start();
        port = app.port();
        server = app;
        log.info("{}: RPC endpoint {} listening on {}", chain.chainId(), index, url());
        return this;
    }

    /** Stops answering (connection refused); {@link #start()} reopens the same port. */
    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
            subscriptions.clear();
        }
    }

    @Override
    public void close() {
        stop();
    }

    public boolean running() {
        return server != null;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String websocketUrl() {
        return "ws://127.0.0.1:" + port + "/websocket";
    }

    public int port() {
        return port;
    }

    /** Every answer is held back by {@code d} (zero turns it off). */
    public void delay(Duration d) {
        delay = d == null ? Duration.ZERO : d;
    }

    /** The next {@code n} HTTP requests get their connection closed without an answer. */
    public void dropNext(int n) {
        dropNext.set(Math.max(0, n));
    }

    /**
     * Fault injection (a pruned node): this endpoint no longer has the blocks below {@code height}: {@code block} and
     * {@code block_results} for them answer CometBFT's {@code height H is not available, lowest height is L} error and
     * {@code status} reports L as its earliest block. Other endpoints of the chain keep every block. 1 = nothing pruned.
     */
    public void pruneBlocksBelow(long height) {
        lowestBlock = Math.max(1, height);
    }

    /** The lowest block this endpoint serves (see {@link #pruneBlocksBelow(long)}). */
    public long lowestBlock() {
        return lowestBlock;
    }

    // ---------------------------------------------------------------- HTTP

    private boolean faults(Context ctx) throws InterruptedException {
        if (!delay.isZero()) {
            Thread.sleep(delay);
        }
        if (dropNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            org.eclipse.jetty.ee10.servlet.ServletContextRequest r =
                    org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
            r.getConnectionMetaData().getConnection().close();
            return true;
        }
        return false;
    }

    private void handlePost(Context ctx) throws Exception {
        if (faults(ctx)) {
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.bodyAsBytes());
            if (body == null) {
                throw new IllegalArgumentException("empty body");
            }
        } catch (Exception e) {
            respond(ctx, 500, error(JSON.getNodeFactory().numberNode(-1), new RpcError(-32700, "Parse error. Invalid JSON",
                    "error unmarshaling request: " + e.getMessage())));
            return;
        }
        if (body.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            for (JsonNode req : body) {
                out.add(handleRequest(req));
            }
            respond(ctx, 200, out);
        } else {
            respond(ctx, 200, handleRequest(body));
        }
    }

    private ObjectNode handleRequest(JsonNode req) {
        JsonNode id = req.has("id") ? req.get("id") : JSON.nullNode();
        if (!req.isObject() || !req.path("method").isTextual()) {
            return error(id, new RpcError(-32600, "Invalid Request", "missing method"));
        }
        String method = req.get("method").asText();
        JsonNode params = req.get("params");
        Map<String, JsonNode> named = new LinkedHashMap<>();
        if (params != null && params.isObject()) {
            params.properties().forEach(e -> named.put(e.getKey(), e.getValue()));
        } else if (params != null && params.isArray()) {
            List<String> order = PARAM_ORDER.getOrDefault(method, List.of());
            for (int i = 0; i < params.size() && i < order.size(); i++) {
                named.put(order.get(i), params.get(i));
            }
        }
        try {
            return ok(id, call(method, new Params(named, false)));
        } catch (RpcError e) {
            return error(id, e);
        } catch (RuntimeException e) {
            log.warn("{}: RPC {} failed", chain.chainId(), method, e);
            return error(id, RpcError.internal(String.valueOf(e.getMessage())));
        }
    }

    private void handleGet(Context ctx) throws Exception {
        if (faults(ctx)) {
            return;
        }
        String method = ctx.pathParam("method");
        JsonNode id = JSON.getNodeFactory().numberNode(-1);
        Map<String, JsonNode> named = new LinkedHashMap<>();
        String qs = ctx.queryString();
        if (qs != null && !qs.isEmpty()) {
            for (String pair : qs.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                named.put(k, JSON.getNodeFactory().textNode(v));
            }
        }
        if (!PARAM_ORDER.containsKey(method)) {
            respond(ctx, 404, error(id, new RpcError(-32601, "Method not found", null)));
            return;
        }
        try {
            respond(ctx, 200, ok(id, call(method, new Params(named, true))));
        } catch (RpcError e) {
            respond(ctx, 500, error(id, e));
        } catch (RuntimeException e) {
            respond(ctx, 500, error(id, RpcError.internal(String.valueOf(e.getMessage()))));
        }
    }

    private static void respond(Context ctx, int status, JsonNode body) throws Exception {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    private static ObjectNode ok(JsonNode id, JsonNode result) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jsonrpc", "2.0").set("id", id);
        o.set("result", result);
        return o;
    }

    private static ObjectNode error(JsonNode id, RpcError e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jsonrpc", "2.0").set("id", id);
        ObjectNode err = o.putObject("error");
        err.put("code", e.code).put("message", e.getMessage());
        if (e.data != null && !e.data.isEmpty()) {
            err.put("data", e.data);
        }
        return o;
    }

    /** Parameters of either form: JSON (strings/numbers, base64 bytes) or URI (quoted strings, 0x hex bytes). */
    record Params(Map<String, JsonNode> values, boolean uri) {
        String string(String name, String dflt) {
            JsonNode v = values.get(name);
            if (v == null || v.isNull()) {
                return dflt;
            }
            String s = v.asText();
            if (uri) {
                if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                    return s.substring(1, s.length() - 1);
                }
                if (s.isEmpty()) {
                    return dflt;
                }
            }
            return s;
        }

        long integer(String name, long dflt) {
            JsonNode v = values.get(name);
            if (v == null || v.isNull()) {
                return dflt;
            }
            String s = uri ? string(name, null) : v.asText();
            if (s == null || s.isEmpty()) {
                return dflt;
            }
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw RpcError.invalidParams("invalid integer for " + name + ": " + s);
            }
        }

        /** Bytes: base64 in JSON (or hex when {@code hexInJson}), 0x-hex or quoted string in URI form. */
        byte[] bytes(String name, boolean hexInJson) {
            JsonNode v = values.get(name);
            if (v == null || v.isNull()) {
                return new byte[0];
            }
            String s = v.asText();
            try {
                if (uri) {
                    if (s.startsWith("0x") || s.startsWith("0X")) {
                        return HexFormat.of().parseHex(s.substring(2));
                    }
                    if (s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2) {
                        return s.substring(1, s.length() - 1).getBytes(StandardCharsets.UTF_8);
                    }
                    return HexFormat.of().parseHex(s);
                }
                return hexInJson ? HexFormat.of().parseHex(s) : Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw RpcError.invalidParams("invalid " + (hexInJson || uri ? "hex" : "base64") + " for " + name);
            }
        }
    }

    // ---------------------------------------------------------------- methods

    JsonNode call(String method, Params p) {
        return switch (method) {
            case "health" -> JSON.createObjectNode();
            case "status" -> CometJson.status(chain, "tcp://127.0.0.1:" + port, nodeId, lowestBlock);
            case "abci_info" -> {
                ObjectNode r = JSON.createObjectNode();
                Block b = chain.latestBlock();
                r.putObject("response").put("data", "evmore-devnet").put("version", "0.50.0")
                        .put("last_block_height", Long.toString(chain.latestHeight()))
                        .put("last_block_app_hash", b == null ? "" : CometJson.b64(b.resultAppHash()));
                yield r;
            }
            case "block" -> CometJson.blockResult(chain, blockAt(p.integer("height", 0)));
            case "block_results" -> CometJson.blockResults(blockAt(p.integer("height", 0)));
            case "tx" -> {
                byte[] hash = p.bytes("hash", false);
                if (hash.length != 32) {
                    throw RpcError.invalidParams("tx hash must be 32 bytes, got " + hash.length);
                }
                IndexedTx t = chain.tx(hash);
                if (t == null) {
                    throw RpcError.internal("tx (" + CometJson.hex(hash) + ") not found");
                }
                yield CometJson.tx(t);
            }
            case "tx_search" -> txSearch(p);
            case "abci_query" -> {
                String path = p.string("path", "");
                byte[] data = p.bytes("data", true);
                long height = p.integer("height", 0);
                if (height < 0) {
                    throw RpcError.internal("height cannot be negative");
                }
                yield CometJson.abciQuery(chain.query(path, data, height));
            }
            case "broadcast_tx_sync", "broadcast_tx_async" -> {
                byte[] tx = p.bytes("tx", false);
                if (tx.length == 0) {
                    throw RpcError.invalidParams("tx is empty");
                }
                CheckTxResult r;
                try {
                    r = chain.broadcast(tx);
                } catch (MempoolException e) {
                    throw RpcError.internal(e.getMessage());
                }
                ObjectNode o = JSON.createObjectNode();
                o.put("code", r.code()).put("data", "").put("log", r.log()).put("codespace", r.codespace())
                        .put("hash", CometJson.hex(r.hash()));
                yield o;
            }
            default -> throw new RpcError(-32601, "Method not found", null);
        };
    }

    private Block blockAt(long height) {
        long latest = chain.latestHeight();
        if (height == 0) {
            height = latest;
        }
        if (height < 0) {
            throw RpcError.internal("height must be greater than 0, but got " + height);
        }
        if (height > latest) {
            throw RpcError.internal("height " + height + " must be less than or equal to the current blockchain height " + latest);
        }
        long base = Math.min(lowestBlock, latest);
        if (height < base) {
            throw RpcError.internal("height " + height + " is not available, lowest height is " + base);
        }
        Block b = chain.block(height);
        if (b == null) {
            throw RpcError.internal("height " + height + " is not available");
        }
        return b;
    }

    private JsonNode txSearch(Params p) {
        EventQuery q;
        try {
            q = EventQuery.parse(p.string("query", ""));
        } catch (IllegalArgumentException e) {
            throw RpcError.internal(e.getMessage());
        }
        long perPage = p.integer("per_page", 30);
        if (perPage < 1) {
            perPage = 30;
        }
        perPage = Math.min(perPage, 100);
        long page = p.integer("page", 1);
        String order = p.string("order_by", "asc");
        if (order.isEmpty()) {
            order = "asc";
        }
        if (!order.equals("asc") && !order.equals("desc")) {
            throw RpcError.internal("expected order_by to be either `asc` or `desc` or empty");
        }
        List<IndexedTx> matches = new ArrayList<>();
        String hash = q.txHash();
        if (hash != null) {
            try {
                IndexedTx t = chain.tx(HexFormat.of().parseHex(hash));
                if (t != null && q.matches(fixed(t, true), t.result().events())) {
                    matches.add(t);
                }
            } catch (IllegalArgumentException e) {
                // not a hex hash: matches nothing
            }
        } else {
            for (IndexedTx t : chain.indexedTxs()) {
                if (q.matches(fixed(t, true), t.result().events())) {
                    matches.add(t);
                }
            }
        }
        if (order.equals("desc")) {
            java.util.Collections.reverse(matches);
        }
        long pages = Math.max(1, (matches.size() + perPage - 1) / perPage);
        if (page < 1 || page > pages) {
            throw RpcError.internal("page should be within [1, " + pages + "] range, given " + page);
        }
        ObjectNode r = JSON.createObjectNode();
        ArrayNode txs = r.putArray("txs");
        int from = (int) ((page - 1) * perPage);
        for (int i = from; i < Math.min(matches.size(), from + perPage); i++) {
            txs.add(CometJson.tx(matches.get(i)));
        }
        r.put("total_count", Integer.toString(matches.size()));
        return r;
    }

    private static Map<String, String> fixed(IndexedTx t, boolean tmEvent) {
        Map<String, String> m = new LinkedHashMap<>();
        if (tmEvent) {
            m.put("tm.event", "Tx");
        }
        m.put("tx.hash", t.hashHex());
        m.put("tx.height", Long.toString(t.height()));
        return m;
    }

    // ---------------------------------------------------------------- websocket

    private void handleWs(WsContext ctx, String message) {
        JsonNode req;
        try {
            req = JSON.readTree(message);
        } catch (Exception e) {
            ctx.send(error(JSON.getNodeFactory().numberNode(-1), new RpcError(-32700, "Parse error. Invalid JSON", e.getMessage())).toString());
            return;
        }
        JsonNode id = req.has("id") ? req.get("id") : JSON.nullNode();
        String method = req.path("method").asText("");
        JsonNode params = req.path("params");
        try {
            switch (method) {
                case "subscribe" -> {
                    String query = params.isArray() ? params.path(0).asText("") : params.path("query").asText("");
                    EventQuery q;
                    try {
                        q = EventQuery.parse(query);
                    } catch (IllegalArgumentException e) {
                        throw RpcError.internal("failed to parse query: " + e.getMessage());
                    }
                    subscriptions.computeIfAbsent(ctx, k -> new CopyOnWriteArrayList<>()).add(new Subscription(id, q));
                    ctx.send(ok(id, JSON.createObjectNode()).toString());
                }
                case "unsubscribe" -> {
                    String query = params.isArray() ? params.path(0).asText("") : params.path("query").asText("");
                    List<Subscription> subs = subscriptions.getOrDefault(ctx, List.of());
                    boolean removed = subs.removeIf(s -> s.query().text().equals(query));
                    if (!removed) {
                        throw RpcError.internal("subscription not found");
                    }
                    ctx.send(ok(id, JSON.createObjectNode()).toString());
                }
                case "unsubscribe_all" -> {
                    subscriptions.remove(ctx);
                    ctx.send(ok(id, JSON.createObjectNode()).toString());
                }
                default -> ctx.send(ok(id, call(method, new Params(paramsMap(params), false))).toString());
            }
        } catch (RpcError e) {
            ctx.send(error(id, e).toString());
        } catch (RuntimeException e) {
            ctx.send(error(id, RpcError.internal(String.valueOf(e.getMessage()))).toString());
        }
    }

    private static Map<String, JsonNode> paramsMap(JsonNode params) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        if (params != null && params.isObject()) {
            params.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        }
        return m;
    }

    private void publish(Block b) {
        if (server == null || subscriptions.isEmpty()) {
            return;
        }
        Map<String, String> blockFixed = Map.of("tm.event", "NewBlock", "block.height", Long.toString(b.height()));
        for (var entry : subscriptions.entrySet()) {
            WsContext ws = entry.getKey();
            for (Subscription s : entry.getValue()) {
                try {
                    if (s.query().matches(blockFixed, b.finalizeEvents())) {
                        ObjectNode data = JSON.createObjectNode();
                        data.put("type", "tendermint/event/NewBlock");
                        data.set("value", CometJson.newBlockValue(chain, b));
                        ObjectNode events = JSON.createObjectNode();
                        events.putArray("tm.event").add("NewBlock");
                        events.putArray("block.height").add(Long.toString(b.height()));
                        send(ws, s, data, events);
                    }
                    for (int i = 0; i < b.txs().size(); i++) {
                        IndexedTx t = chain.tx(io.evmore.devnet.crypto.AddressDerivation.sha256(b.txs().get(i)));
                        if (t == null || t.height() != b.height()) {
                            t = new IndexedTx(io.evmore.devnet.crypto.AddressDerivation.sha256(b.txs().get(i)), b.height(), i,
                                    b.txs().get(i), b.results().get(i));
                        }
                        if (s.query().matches(fixed(t, true), t.result().events())) {
                            ObjectNode data = JSON.createObjectNode();
                            data.put("type", "tendermint/event/Tx");
                            ObjectNode txr = data.putObject("value").putObject("TxResult");
                            // The event is amino JSON with omitempty (not jsonpb like the tx RPC): a zero index and
                            // empty code/codespace/log/info are left out, as a real node does.
                            txr.put("height", Long.toString(t.height()));
                            if (t.index() != 0) txr.put("index", t.index());
                            txr.put("tx", CometJson.b64(t.tx()));
                            ObjectNode result = CometJson.execResult(t.result());
                            for (String k : List.of("code", "codespace", "log", "info")) {
                                JsonNode v = result.get(k);
                                if (v != null && (v.isNull() || (v.isNumber() && v.asLong() == 0) || (v.isTextual() && v.asText().isEmpty()))) {
                                    result.remove(k);
                                }
                            }
                            txr.set("result", result);
                            send(ws, s, data, CometJson.eventMapJson(CometJson.eventMap(t, true)));
                        }
                    }
                } catch (RuntimeException e) {
                    log.debug("{}: websocket push failed", chain.chainId(), e);
                }
            }
        }
    }

    private static void send(WsContext ws, Subscription s, ObjectNode data, ObjectNode events) {
        ObjectNode result = JSON.createObjectNode();
        result.put("query", s.query().text());
        result.set("data", data);
        result.set("events", events);
        ws.send(ok(s.id(), result).toString());
    }
}
