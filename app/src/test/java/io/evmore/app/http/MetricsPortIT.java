package io.evmore.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.health.HealthCheck;
import io.evmore.app.health.HealthRegistry;
import io.evmore.app.metrics.MetricsServer;
import io.evmore.app.metrics.RelayerMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * http.metricsPort: /metrics on a listener of its own (the guide's "metrics from the monitoring network only") and no
 * longer on the API port; the API port keeps /health and /admin.
 */
class MetricsPortIT {
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsMoveToTheirOwnPort() throws Exception {
        RelayerMetrics metrics = new RelayerMetrics();
        HealthRegistry health = new HealthRegistry(1_000);
        health.register("lifecycle", () -> HealthCheck.Result.up("running"));
        try (MetricsServer m = MetricsServer.start("127.0.0.1", 0, metrics.registry());
                HttpApi api = new HttpApi("127.0.0.1", 0, health, metrics.registry(), new BearerAuth(() -> "t".repeat(20)),
                        new HttpApiIT.StubAdmin(), false).start()) {
            var onOwn = get(m.port(), "/metrics");
            assertThat(onOwn.statusCode()).isEqualTo(200);
            assertThat(onOwn.body()).contains("evmore_relay_swaps_total{status=\"completed\"} 0.0");
            assertThat(get(m.port(), "/health").statusCode()).as("only /metrics on the metrics port").isEqualTo(404);
            var onApi = get(api.port(), "/metrics");
            assertThat(onApi.statusCode()).isEqualTo(404);
            assertThat(onApi.body()).doesNotContain("evmore_");
            assertThat(get(api.port(), "/health").statusCode()).isEqualTo(200);
        }
        // a control: by default /metrics stays on the API port, as the guide scrapes it
        try (HttpApi api = new HttpApi("127.0.0.1", 0, health, metrics.registry(), new BearerAuth(() -> "t".repeat(20)),
                new HttpApiIT.StubAdmin()).start()) {
            assertThat(get(api.port(), "/metrics").statusCode()).isEqualTo(200);
        }
    }
}
