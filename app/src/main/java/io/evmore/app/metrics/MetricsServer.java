package io.evmore.app.metrics;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * /metrics on a listener of its own ({@code http.metricsPort}), so that the operations guide's network rule can hold:
 * the API port open to the load balancer, the metrics port to the monitoring network only. Answers GET and HEAD on
 * /metrics; 404 for any other path, 405 for other methods. Nothing else is served here.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final MetricsExposition exposition;
    private final ExecutorService executor =
            Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("metrics-http-", 0).factory());

    private MetricsServer(HttpServer server, MetricsExposition exposition) {
        this.server = server;
        this.exposition = exposition;
    }

    /** Binds {@code host:port} (0: any free port) and serves; a failure to bind names the key. */
    public static MetricsServer start(String host, int port, PrometheusRegistry registry) {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " (http.host, http.metricsPort): " + e.getMessage(), e);
        }
        MetricsServer m = new MetricsServer(s, new MetricsExposition(registry, 10_000));
        s.setExecutor(m.executor);
        s.createContext("/", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                byte[] body;
                int status;
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    status = 404;
                    body = "{\"error\":\"only /metrics is served on this port\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                } else if (!method.equals("GET") && !method.equals("HEAD")) {
                    status = 405;
                    body = "{\"error\":\"GET or HEAD only\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                } else {
                    try {
                        body = m.exposition.scrape();
                        status = 200;
                        exchange.getResponseHeaders().set("Content-Type", m.exposition.contentType());
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                        status = 503;
                        body = ("{\"error\":\"scrape failed: " + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8);
                    }
                }
                boolean head = method.equals("HEAD");
                exchange.sendResponseHeaders(status, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        s.start();
        return m;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        exposition.close();
    }
}
