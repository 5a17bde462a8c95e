package io.evmore.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.health.HealthCheck;
import io.evmore.app.health.HealthRegistry;
import io.evmore.app.metrics.RelayerMetrics;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP layer on a real Jetty bound to 127.0.0.1 (ephemeral port), with stub admin operations. */
class HttpApiIT {
    private static final String TOKEN = "http-api-it-token-0c4f2a9d";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicBoolean databaseUp = new AtomicBoolean(false);
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static HttpApi api;
    private static RelayerMetrics metrics;

    @BeforeAll
    static void start() {
        HealthRegistry health = new HealthRegistry(5_000);
        health.register("database", () -> databaseUp.get() ? HealthCheck.Result.up("ok") : HealthCheck.Result.down("database not reachable"));
        metrics = new RelayerMetrics();
        metrics.registerHealth(health::check);
        api = new HttpApi("127.0.0.1", 0, health, metrics.registry(), new BearerAuth(() -> TOKEN), new StubAdmin()).start();
    }

    @AfterAll
    static void stop() {
        if (api != null) api.close();
    }

    static HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headCarriesTheStatusOfGet() throws Exception {
        databaseUp.set(false);
        assertThat(send("GET", "/health", null).statusCode()).isEqualTo(503);
        var head = send("HEAD", "/health", null);
        assertThat(head.statusCode()).isEqualTo(503);
        assertThat(head.body()).isEmpty();
        databaseUp.set(true);
        assertThat(send("GET", "/health", null).statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/health", null).statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/health/live", null).statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aWrongMethodOnAKnownPathIs405WithAllow() throws Exception {
        var delete = send("DELETE", "/admin/pools/drain", TOKEN);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("POST");
        assertThat(delete.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(JSON.readTree(delete.body()).get("error").asText()).contains("DELETE", "/admin/pools/drain", "POST");

        var getPause = send("GET", "/admin/services/pause", TOKEN);
        assertThat(getPause.statusCode()).isEqualTo(405);
        assertThat(getPause.headers().firstValue("Allow")).hasValue("POST");

        var postHealth = send("POST", "/health", null);
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("Allow")).hasValue("GET, HEAD");

        // Still 401 before anything else on /admin, and 404 for paths that do not exist.
        assertThat(send("DELETE", "/admin/pools/drain", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/admin/nope", TOKEN).statusCode()).isEqualTo(404);
    }

    /** A well-formed hashlock nobody swapped with is the route's own 404, naming it — not "no such endpoint". */
    @Test
    void anUnknownButWellFormedHashlockIsNoSwapWithThatHashlock() throws Exception {
        String unknown = "00".repeat(32);
        var r = send("GET", "/admin/swaps/" + unknown, TOKEN);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("no swap with hashlock " + unknown);
        var known = send("GET", "/admin/swaps/" + "ab".repeat(32), TOKEN);
        assertThat(known.statusCode()).as("the control: a swap that exists").isEqualTo(200);
        assertThat(send("GET", "/admin/swaps/not-hex", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void anOperationThatIsNotReadyAnswers503() throws Exception {
        var r = send("GET", "/admin/swaps/pending", TOKEN);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("the database is not open yet (test)");
    }

    @Test
    void jettysOwnErrorAnswersAreJson() throws Exception {
        String huge = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n";
        Raw tooLarge = raw(huge);
        assertThat(tooLarge.status).isEqualTo(431);
        assertThat(tooLarge.headers.toLowerCase()).contains("content-type: application/json");
        assertThat(JSON.readTree(tooLarge.body).get("error").asText()).isNotBlank();

        Raw bad = raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nthis is not a header\r\n\r\n");
        assertThat(bad.status).isEqualTo(400);
        assertThat(bad.headers.toLowerCase()).contains("content-type: application/json");
        assertThat(JSON.readTree(bad.body).get("error").asText()).isNotBlank();
    }

    @Test
    void anUnbindableHostIsReportedAsSuchNotAsAPortInUse() throws Exception {
        HealthRegistry health = new HealthRegistry(1_000);
        RelayerMetrics m = new RelayerMetrics();
        assertThatThrownBy(() -> new HttpApi("999.1.1.1", 0, health, m.registry(), new BearerAuth(() -> TOKEN), new StubAdmin()).start())
                .hasMessageContaining("999.1.1.1")
                .hasMessageContaining("not an IP address or resolvable name")
                .hasMessageNotContaining("in use");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> new HttpApi("127.0.0.1", port, health, m.registry(), new BearerAuth(() -> TOKEN), new StubAdmin()).start())
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void aMetricsScrapeAllocatesKilobytesNotMegabytes() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20; i++) assertThat(send("GET", "/metrics", null).statusCode()).isEqualTo(200); // warm-up
        int scrapes = 30;
        long before = mx.getTotalThreadAllocatedBytes();
        for (int i = 0; i < scrapes; i++) {
            var r = send("GET", "/metrics", null);
            assertThat(r.body()).contains("evmore_relay_queue_size");
        }
        long perScrape = (mx.getTotalThreadAllocatedBytes() - before) / scrapes;
        // Everything in this JVM counts (client, Jetty, the scrape itself); the writer on a virtual thread alone was ~18 MB.
        assertThat(perScrape).as("bytes allocated per scrape").isLessThan(3_000_000);
    }

    record Raw(int status, String headers, String body) {}

    /** One request on a raw socket (for requests HttpClient refuses to send); reads until the server closes or the body ends. */
    static Raw raw(String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (true) {
                String text = buf.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    var m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, end));
                    if (m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1))) break;
                }
                int n;
                try {
                    n = in.read(chunk);
                } catch (java.net.SocketException e) {
                    break; // the server closed after answering
                }
                if (n < 0) break;
                buf.write(chunk, 0, n);
            }
            String text = buf.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            return new Raw(status, head, body);
        }
    }

    static final class StubAdmin implements AdminOperations {
        @Override public Object poolsStatus() { return Map.of("pools", java.util.List.of()); }
        @Override public Object poolsDrain() { return Map.of("drained", java.util.List.of()); }
        @Override public Object poolsRefresh() { return Map.of("refreshed", java.util.List.of()); }
        @Override public Object pause() { return Map.of(); }
        @Override public Object resume() { return Map.of(); }
        @Override public Object servicesStatus() { return Map.of(); }
        @Override public JsonNode config() { return JSON.createObjectNode(); }
        @Override public Object reloadConfig() { return Map.of(); }
        @Override public Object pendingSwaps(int limit) { throw new NotReadyException("the database is not open yet (test)"); }
        @Override public Object swap(String hashlockHex) { return hashlockHex.startsWith("00") ? null : Map.of("swap", Map.of("id", "x")); }
    }
}
