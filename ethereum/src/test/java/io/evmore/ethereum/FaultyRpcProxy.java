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
 * it stalls (answers late), refuses {@code eth_getLogs} over too many blocks, or adds hostile entries to the
 * logs it returns.
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
            String method = req.path("method").asText();
            methods.add(method);
            String[] p = pair;
            for (int i = 0; p != null && i < 2; i++) {
                if (p[i].equals(method) && pairSeen[i].getCount() > 0) {
                    pairSeen[i].countDown();
                    if (!pairSeen[1 - i].await(5, java.util.concurrent.TimeUnit.SECONDS)) pairApart.set(true);
                }
            }
            if ("eth_getLogs".equals(req.path("method").asText())) {
                JsonNode f = req.path("params").path(0);
                long from = Long.decode(f.path("fromBlock").asText());
                long to = Long.decode(f.path("toBlock").asText());
                if (to - from + 1 > maxLogsRange) {
                    refusedLogs.incrementAndGet();
                    reply(ex, "{\"jsonrpc\":\"2.0\",\"id\":" + req.path("id") + ",\"error\":{\"code\":-32005,"
                            + "\"message\":\"query returned more than 10000 results\"}}");
                    return;
                }
                servedLogRanges.add(to - from + 1);
            }
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(upstream))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if ("eth_sendRawTransaction".equals(req.path("method").asText()) && loseSendAnswers.getAndUpdate(
                    n -> Math.max(0, n - 1)) > 0) {
                return; // the node took it, the caller never hears: closing the exchange unanswered drops the connection
            }
            byte[] answer = resp.body();
            var inject = extraLogs;
            if (inject != null && "eth_getLogs".equals(req.path("method").asText())) {
                JsonNode f = req.path("params").path(0);
                JsonNode parsed = JSON.readTree(answer);
                if (parsed.path("result").isArray()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) parsed.get("result"))
                            .addAll(inject.apply(Long.decode(f.path("fromBlock").asText()), Long.decode(f.path("toBlock").asText())));
                    answer = JSON.writeValueAsBytes(parsed);
                }
            }
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(resp.statusCode(), answer.length);
            ex.getResponseBody().write(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // upstream down: drop the connection like a dead endpoint would
        }
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
