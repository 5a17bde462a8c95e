package io.evmore.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a real node that misbehaves on demand like public endpoints do:
 * it stalls (answers late), refuses {@code eth_getLogs} over too many blocks, adds hostile entries to the logs it
 * returns, or answers as a node some blocks behind ({@link #behind}).
 */
final class FaultyRpcProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String upstream;
    /** While set, every request waits until {@link #release()} (a stalled node, for as long as the test needs). */
    private volatile java.util.concurrent.CountDownLatch stalled;

    void stall() {
        stalled = new java.util.concurrent.CountDownLatch(1);
    }

    void release() {
        java.util.concurrent.CountDownLatch gate = stalled;
        stalled = null;
        if (gate != null) gate.countDown();
    }

    /**
     * While set: the first request for either of two methods is held (up to 5 s) until the first request for the other
     * has come in too. A caller that sends the two one after the other makes the first wait out the 5 s, and
     * {@link #pairApart} is set; one that sends them side by side leaves it false.
     */
    private volatile String[] pair;
    private final java.util.concurrent.CountDownLatch[] pairSeen = {
            new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.CountDownLatch(1)};
    final java.util.concurrent.atomic.AtomicBoolean pairApart = new java.util.concurrent.atomic.AtomicBoolean();
    final List<String> methods = new CopyOnWriteArrayList<>();

    void holdPair(String one, String other) {
        pair = new String[] {one, other};
    }

    boolean pairSeen() {
        return pairSeen[0].getCount() == 0 && pairSeen[1].getCount() == 0;
    }

    volatile long maxLogsRange = Long.MAX_VALUE;
    final AtomicInteger refusedLogs = new AtomicInteger();
    final List<Long> servedLogRanges = new CopyOnWriteArrayList<>();
    /** Given an eth_getLogs range (from, to), log objects to append to the real answer; null adds nothing. */
    volatile java.util.function.BiFunction<Long, Long, List<JsonNode>> extraLogs;
    /**
     * While 0 or more: answers as a node that many blocks behind the upstream, the way such a node answers — its head is
     * lower, blocks above it are null, and {@code eth_getLogs} covers only the blocks it has: an empty list for a range
     * above its head (what Hardhat itself answers for a range beyond its head), the part up to its head otherwise.
     */
    volatile int behind = -1;
    /**
     * With {@link #behind}: only {@code eth_getLogs} answers as the lagging node, everything else as the upstream — a
     * load balancer whose backends are not at the same height.
     */
    volatile boolean behindForLogsOnly;
    /** How many eth_getLogs calls to refuse as a busy node does (-32005, rate limited): the pool asks another endpoint. */
    /**
     * Answers {@code eth_getTransactionReceipt} and {@code eth_getTransactionByHash} with null, as a node whose
     * transaction index lags (or a load balancer's backend behind the block) does for a transaction that is in a block.
     */
    volatile boolean hideTransactions;
    /** Refuses {@code eth_getTransactionReceipt} as geth does while it builds its transaction index after a start. */
    volatile boolean receiptsIndexing;
    /** Takes {@code status} out of every receipt it passes on (web3j reads a receipt without one as a success). */
    volatile boolean stripReceiptStatus;
    /** Answers a batch in reverse order, as JSON-RPC allows (a batch's answers may come in any order). */
    volatile boolean reverseBatches;
    final AtomicInteger failLogs = new AtomicInteger();
    /** How many eth_getLogs calls were refused so. */
    final AtomicInteger failedLogs = new AtomicInteger();
    /**
     * How many eth_sendRawTransaction calls to forward and then answer "nonce too low" — a node that refuses a
     * transaction it took (or passed on to its peers first) — and then deny knowing: {@code eth_getTransactionByHash} of
     * a hash it lied about answers null, as the lying node or a load balancer's backend without it would.
     */
    final AtomicInteger lieAboutSends = new AtomicInteger();
    private final java.util.Set<String> deniedHashes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** How many eth_sendRawTransaction calls to forward and then answer by dropping the connection. */
    final AtomicInteger loseSendAnswers = new AtomicInteger();

    FaultyRpcProxy(String upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            java.util.concurrent.CountDownLatch gate = stalled;
            if (gate != null) {
                gate.await(120, java.util.concurrent.TimeUnit.SECONDS); // until released: no race with the caller's timeout
            }
            JsonNode req = JSON.readTree(body);
            if (behind >= 0 && (!behindForLogsOnly || hasMethod(req, "eth_getLogs"))) {
                reply(ex, JSON.writeValueAsString(asIfBehind(req, behind)));
                return;
            }
            JsonNode answer;
            if (req.isArray()) { // a batch: each request answered as it would be alone
                com.fasterxml.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
                for (JsonNode r : req) {
                    JsonNode one = answer(r);
                    if (one == null) return;
                    all.add(one);
                }
                if (reverseBatches) {
                    com.fasterxml.jackson.databind.node.ArrayNode reversed = JSON.createArrayNode();
                    for (int i = all.size() - 1; i >= 0; i--) reversed.add(all.get(i));
                    all = reversed;
                }
                answer = all;
            } else {
                answer = answer(req);
                if (answer == null) return;
            }
            reply(ex, JSON.writeValueAsString(answer));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // upstream down: drop the connection like a dead endpoint would
        }
    }

    /** The answer to one request (alone or in a batch); null: drop the connection unanswered. */
    private JsonNode answer(JsonNode req) throws IOException, InterruptedException {
        String method = req.path("method").asText();
        methods.add(method);
        String[] p = pair;
        for (int i = 0; p != null && i < 2; i++) {
            if (p[i].equals(method) && pairSeen[i].getCount() > 0) {
                pairSeen[i].countDown();
                if (!pairSeen[1 - i].await(5, java.util.concurrent.TimeUnit.SECONDS)) pairApart.set(true);
            }
        }
        if ((hideTransactions && ("eth_getTransactionReceipt".equals(method) || "eth_getTransactionByHash".equals(method)))
                || ("eth_getTransactionByHash".equals(method) && deniedHashes.contains(req.path("params").path(0).asText().toLowerCase()))) {
            com.fasterxml.jackson.databind.node.ObjectNode none = JSON.createObjectNode().put("jsonrpc", "2.0");
            none.set("id", req.path("id"));
            none.putNull("result");
            return none;
        }
        if (receiptsIndexing && "eth_getTransactionReceipt".equals(method)) {
            return error(req, -32000, "transaction indexing is in progress");
        }
        if ("eth_getLogs".equals(method) && failLogs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failedLogs.incrementAndGet();
            return error(req, -32005, "rate limit exceeded");
        }
        if ("eth_getLogs".equals(req.path("method").asText())) {
            long[] range = blocksOf(req.path("params").path(0));
            long from = range[0];
            long to = range[1];
            if (to - from + 1 > maxLogsRange) {
                refusedLogs.incrementAndGet();
                return error(req, -32005, "query returned more than 10000 results");
            }
            servedLogRanges.add(to - from + 1);
        }
        JsonNode answer = upstream(req);
        if ("eth_sendRawTransaction".equals(method) && lieAboutSends.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            deniedHashes.add(org.web3j.crypto.Hash.sha3(req.path("params").path(0).asText()).toLowerCase());
            return error(req, -32000, "nonce too low: next nonce 1000, tx nonce 0");
        }
        if ("eth_sendRawTransaction".equals(req.path("method").asText()) && loseSendAnswers.getAndUpdate(
                n -> Math.max(0, n - 1)) > 0) {
            return null; // the node took it, the caller never hears: closing the exchange unanswered drops the connection
        }
        if (stripReceiptStatus && "eth_getTransactionReceipt".equals(method) && answer.path("result").isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) answer.get("result")).remove("status");
        }
        var inject = extraLogs;
        if (inject != null && "eth_getLogs".equals(req.path("method").asText())) {
            long[] range = blocksOf(req.path("params").path(0));
            if (answer.path("result").isArray()) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) answer.get("result")).addAll(inject.apply(range[0], range[1]));
            }
        }
        return answer;
    }

    private static JsonNode error(JsonNode req, int code, String message) {
        com.fasterxml.jackson.databind.node.ObjectNode e = JSON.createObjectNode().put("jsonrpc", "2.0");
        e.set("id", req.path("id"));
        e.set("error", JSON.createObjectNode().put("code", code).put("message", message));
        return e;
    }

    /** The answer of a node {@code lag} blocks behind the upstream, to one request or a batch. */
    private JsonNode asIfBehind(JsonNode req, int lag) throws IOException, InterruptedException {
        if (req.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
            for (JsonNode r : req) out.add(asIfBehind(r, lag));
            return out;
        }
        String method = req.path("method").asText();
        methods.add(method);
        long head = Math.max(0, Long.decode(upstream(call("eth_blockNumber", JSON.createArrayNode())).path("result").asText()) - lag);
        com.fasterxml.jackson.databind.node.ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", req.path("id"));
        switch (method) {
            case "eth_blockNumber" -> answer.put("result", "0x" + Long.toHexString(head));
            case "eth_getBlockByNumber" -> {
                String tag = req.path("params").path(0).asText();
                long n = "latest".equals(tag) ? head : Long.decode(tag);
                if (n > head) {
                    answer.putNull("result");
                } else {
                    com.fasterxml.jackson.databind.node.ArrayNode params = JSON.createArrayNode().add("0x" + Long.toHexString(n))
                            .add(req.path("params").path(1).asBoolean(false));
                    answer.set("result", upstream(call(method, params)).path("result"));
                }
            }
            case "eth_getLogs" -> {
                com.fasterxml.jackson.databind.node.ObjectNode f = ((com.fasterxml.jackson.databind.node.ObjectNode) req.path("params").path(0)).deepCopy();
                long[] range = blocksOf(f);
                long from = range[0];
                long to = range[1];
                if (f.hasNonNull("blockHash")) {
                    // by hash (EIP-234): a node that does not have the block refuses, as Hardhat does
                    if (from < 0 || from > head) {
                        answer.set("error", JSON.createObjectNode().put("code", -32602).put("message", "blockHash cannot be found"));
                    } else {
                        answer.set("result", upstream(call(method, JSON.createArrayNode().add(f))).path("result"));
                    }
                    return answer;
                }
                if (from > head) {
                    answer.set("result", JSON.createArrayNode());
                } else {
                    f.put("toBlock", "0x" + Long.toHexString(Math.min(to, head)));
                    answer.set("result", upstream(call(method, JSON.createArrayNode().add(f))).path("result"));
                }
            }
            default -> {
                return upstream(req);
            }
        }
        return answer;
    }

    private static boolean hasMethod(JsonNode req, String method) {
        if (!req.isArray()) return method.equals(req.path("method").asText());
        for (JsonNode r : req) if (method.equals(r.path("method").asText())) return true;
        return false;
    }

    /** The blocks an eth_getLogs filter covers, {from, to}; by block hash, that block's height twice (-1: unknown). */
    private long[] blocksOf(JsonNode filter) throws IOException, InterruptedException {
        if (filter.hasNonNull("blockHash")) {
            JsonNode b = upstream(call("eth_getBlockByHash", JSON.createArrayNode().add(filter.path("blockHash").asText()).add(false)))
                    .path("result");
            long n = b.isObject() ? Long.decode(b.path("number").asText()) : -1;
            return new long[] {n, n};
        }
        return new long[] {Long.decode(filter.path("fromBlock").asText()), Long.decode(filter.path("toBlock").asText())};
    }

    private static JsonNode call(String method, JsonNode params) {
        com.fasterxml.jackson.databind.node.ObjectNode r = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method);
        r.set("params", params);
        return r;
    }

    private JsonNode upstream(JsonNode req) throws IOException, InterruptedException {
        HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(upstream)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(req))).build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode answer = JSON.readTree(resp.body());
        if (answer.isObject()) ((com.fasterxml.jackson.databind.node.ObjectNode) answer).set("id", req.path("id"));
        return answer;
    }

    private static void reply(HttpExchange ex, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("content-type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
