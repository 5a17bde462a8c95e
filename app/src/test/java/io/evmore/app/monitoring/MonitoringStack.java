package io.evmore.app.monitoring;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.evmore.app.testing.RelayerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus and Alertmanager on 127.0.0.1, started from the repository's monitoring files with only what a
 * test must change: the scrape target (the relayer's port instead of relayer:3000), the Alertmanager target, absolute
 * rule paths, shorter scrape and evaluation intervals (2 s instead of 10/15 s; the rules' own {@code for} durations are
 * kept), and the receivers' webhook host (a recording receiver here). Each change is asserted to have happened, so a
 * file that moves on fails here instead of being tested unchanged.
 */
public final class MonitoringStack implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final Process prometheus;
    private final Process alertmanager;
    public final int prometheusPort;
    public final int alertmanagerPort;
    private final HttpServer webhook;
    private final List<String> received = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path dir;

    public MonitoringStack(Path dir, int relayerPort) throws Exception {
        this.dir = dir;
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        webhook.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                synchronized (received) {
                    received.add(exchange.getRequestURI().getPath() + " " + body);
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        webhook.start();

        alertmanagerPort = RelayerProcess.freePort();
        Path am = dir.resolve("alertmanager.yml");
        Files.writeString(am, replace(Files.readString(ROOT.resolve("monitoring/alertmanager.yml")),
                Map.of("http://alert-receiver:5001/", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/")));
        alertmanager = start(dir.resolve("alertmanager.log"), ObservabilityTools.tool("ALERTMANAGER").toString(),
                "--config.file=" + am, "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort, "--cluster.listen-address=");

        prometheusPort = RelayerProcess.freePort();
        Path cfg = dir.resolve("prometheus.yml");
        Files.writeString(cfg, replace(Files.readString(ROOT.resolve("monitoring/prometheus.yml")), Map.of(
                "targets: ['relayer:3000']", "targets: ['127.0.0.1:" + relayerPort + "']",
                "targets: ['alertmanager:9093']", "targets: ['127.0.0.1:" + alertmanagerPort + "']",
                "  - alerts.yml", "  - " + ROOT.resolve("monitoring/alerts.yml"),
                "scrape_interval: 15s", "scrape_interval: 2s",
                "evaluation_interval: 15s", "evaluation_interval: 2s",
                "scrape_interval: 10s", "scrape_interval: 2s")));
        prometheus = start(dir.resolve("prometheus.log"), ObservabilityTools.tool("PROMETHEUS").toString(),
                "--config.file=" + cfg, "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prom-data")),
                "--web.listen-address=127.0.0.1:" + prometheusPort);
        awaitReady("http://127.0.0.1:" + prometheusPort + "/-/ready", prometheus, "prometheus.log");
        awaitReady("http://127.0.0.1:" + alertmanagerPort + "/-/ready", alertmanager, "alertmanager.log");
    }

    private static String replace(String text, Map<String, String> changes) {
        String out = text;
        for (var e : changes.entrySet()) {
            if (!out.contains(e.getKey())) throw new AssertionError("monitoring file no longer contains " + e.getKey());
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    private static Process start(Path log, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return p;
    }

    private void awaitReady(String url, Process p, String log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError(log + ":\n" + Files.readString(dir.resolve(log)));
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " not ready in 60 s:\n" + Files.readString(dir.resolve(log)));
    }

    /** GET on Prometheus's HTTP API; the parsed answer (status "success" asserted by callers). */
    public JsonNode api(String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** An instant query: the whole answer (status, data.result or error). */
    public JsonNode query(String promql) throws Exception {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** What the Alertmanager webhooks received: "PATH BODY" per notification. */
    public List<String> notifications() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public String logs() throws IOException {
        return "prometheus:\n" + Files.readString(dir.resolve("prometheus.log")) + "\nalertmanager:\n"
                + Files.readString(dir.resolve("alertmanager.log"));
    }

    @Override
    public void close() {
        prometheus.destroy();
        alertmanager.destroy();
        webhook.stop(0);
        try {
            if (!prometheus.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(10), java.util.concurrent.TimeUnit.MILLISECONDS)) prometheus.destroyForcibly();
            if (!alertmanager.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) alertmanager.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
