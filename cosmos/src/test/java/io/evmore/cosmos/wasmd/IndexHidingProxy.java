package io.evmore.cosmos.wasmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lagging tx indexer in front of a real node: JSON-RPC POSTs on 127.0.0.1 are passed to the node unchanged, except
 * {@code tx} for a {@linkplain #hide hidden} hash, which gets the node's own "not found" error (what a CometBFT node
 * answers for a committed tx its indexer has not reached). Blocks, block results, status and queries are the node's.
 */
final class IndexHidingProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI target;
    private final Set<String> hidden = ConcurrentHashMap.newKeySet();

    IndexHidingProxy(String targetUrl) throws IOException {
        this.target = URI.create(targetUrl.endsWith("/") ? targetUrl : targetUrl + "/");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void hide(String txHash) {
        hidden.add(txHash.toUpperCase(Locale.ROOT));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            JsonNode req = null;
            try {
                req = JSON.readTree(body);
            } catch (IOException e) {
                // pass it on: the node answers invalid JSON itself
            }
            if (req != null && req.isObject() && "tx".equals(req.path("method").asText())) {
                String hash = HexFormat.of().withUpperCase().formatHex(
                        Base64.getDecoder().decode(req.path("params").path("hash").asText("")));
                if (hidden.contains(hash)) {
                    ObjectNode err = JSON.createObjectNode().put("jsonrpc", "2.0");
                    err.set("id", req.get("id"));
                    err.putObject("error").put("code", -32603).put("message", "Internal error")
                            .put("data", "tx (" + hash + ") not found");
                    send(ex, 200, JSON.writeValueAsBytes(err));
                    return;
                }
            }
            HttpResponse<byte[]> r;
            try {
                r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            send(ex, r.statusCode(), r.body());
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        http.shutdownNow();
    }
}
