package io.evmore.app.monitoring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A JSON-RPC HTTP proxy on 127.0.0.1 in front of a node: forwards each POST as is and records the W3C
 * {@code traceparent} header of the requests that had one — what an RPC provider that traces would see.
 */
public final class RecordingProxy implements AutoCloseable {
    private final HttpServer server;
    // HTTP/1.1: the JDK client would otherwise ask a plain-http node to upgrade to h2c, which Hardhat answers with 400
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> traceparents = new ArrayList<>();
    private volatile int requests;

    public RecordingProxy(String target) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                requests++;
                String tp = exchange.getRequestHeaders().getFirst("traceparent");
                if (tp != null) {
                    synchronized (traceparents) {
                        traceparents.add(tp);
                    }
                }
                try {
                    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                    if (r.body().length > 0) exchange.getResponseBody().write(r.body());
                } catch (IOException | InterruptedException e) {
                    exchange.sendResponseHeaders(502, -1); // the node is gone
                }
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests;
    }

    public List<String> traceparents() {
        synchronized (traceparents) {
            return List.copyOf(traceparents);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
