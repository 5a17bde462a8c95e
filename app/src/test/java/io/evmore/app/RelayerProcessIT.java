package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.store.DatabaseSettings;
import io.evmore.store.JdbcSwapStore;
import io.evmore.store.SwapStores;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The real service as a process: every endpoint with and without the token, reload, SIGTERM. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayerProcessIT {
    private static final String TOKEN = "it-admin-token-5f3a9c1e7b2d4860";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> ADMIN = List.of(
            new String[] {"GET", "/admin/pools/status"}, new String[] {"POST", "/admin/pools/drain"},
            new String[] {"POST", "/admin/pools/refresh"}, new String[] {"POST", "/admin/services/pause"},
            new String[] {"POST", "/admin/services/resume"}, new String[] {"GET", "/admin/services/status"},
            new String[] {"GET", "/admin/config"}, new String[] {"POST", "/admin/config/reload"},
            new String[] {"GET", "/admin/swaps/pending"});

    @TempDir
    static Path dir;
    static Path configFile;
    static RelayerProcess relayer;

    static String config(int port, String logLevel) {
        return """
                environment: test
                logLevel: %s
                http: {host: 127.0.0.1, port: %d}
                database: {path: data/evmore.db}
                heap: {warnThresholdMb: 400}
                """.formatted(logLevel, port);
    }

    @BeforeAll
    static void start() throws Exception {
        int port = RelayerProcess.freePort();
        configFile = dir.resolve("relayer.yaml");
        Files.writeString(configFile, config(port, "info"));
        relayer = RelayerProcess.start(dir, port, Map.of("ADMIN_TOKEN", TOKEN), "run", "--config", configFile.toString());
        assertThat(relayer.awaitHealthy(Duration.ofSeconds(60))).as("relayer healthy; output:\n%s", relayer.output()).isTrue();
    }

    @AfterAll
    static void stop() {
        if (relayer != null) relayer.close();
    }

    static JsonNode body(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    @Order(1)
    void healthReportsEachComponent() throws Exception {
        var r = relayer.get("/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = body(r);
        assertThat(b.get("status").asText()).isEqualTo("UP");
        assertThat(b.get("components").get("database").get("status").asText()).isEqualTo("UP");
        assertThat(b.get("components").get("database").get("detail").asText()).startsWith("sqlite:");
        assertThat(b.get("components").has("engine")).isTrue();
    }

    @Test
    @Order(2)
    void metricsUseTheGuidesNames() throws Exception {
        var r = relayer.get("/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("evmore_relay_swaps_total{status=\"completed\"}", "evmore_relay_swaps_total{status=\"failed\"}",
                "evmore_relay_duration_seconds_bucket", "evmore_relay_queue_size", "evmore_health_status{service=\"relayer\"} 1.0",
                "evmore_health_status{service=\"monitor\"}", "process_cpu_seconds_total", "jvm_memory_used_bytes{area=\"heap\"}",
                "evmore_swaps_by_state{state=\"detected\"}");
    }

    @Test
    @Order(3)
    void everyAdminEndpointRefusesMissingOrWrongToken() throws Exception {
        for (String[] e : ADMIN) {
            var none = relayer.send(e[0], e[1], null);
            assertThat(none.statusCode()).as(e[0] + " " + e[1] + " without token").isEqualTo(401);
            assertThat(body(none).get("error").asText()).contains("bearer token");
            assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(relayer.send(e[0], e[1], TOKEN + "x").statusCode()).as(e[0] + " " + e[1] + " wrong token").isEqualTo(401);
        }
        // A refused pause must not have paused anything.
        assertThat(body(relayer.get("/admin/services/status", TOKEN)).get("engine").get("intake").asText()).isEqualTo("RUNNING");
    }

    @Test
    @Order(4)
    void everyAdminEndpointAnswersWithTheToken() throws Exception {
        for (String[] e : ADMIN) {
            if (e[1].endsWith("/reload") || e[1].endsWith("/pause")) continue; // checked on their own below
            var r = relayer.send(e[0], e[1], TOKEN);
            assertThat(r.statusCode()).as(e[0] + " " + e[1] + ": " + r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        }
        assertThat(body(relayer.get("/admin/pools/status", TOKEN)).get("pools").isArray()).isTrue();
        var services = body(relayer.get("/admin/services/status", TOKEN)).get("services");
        assertThat(services.get("database").asText()).isEqualTo("RUNNING");
        assertThat(services.get("http").asText()).isEqualTo("RUNNING");
    }

    @Test
    @Order(5)
    void pauseAndResumeFlipIntakeButKeepProtectiveWork() throws Exception {
        JsonNode before = body(relayer.get("/admin/services/status", TOKEN)).get("engine");
        assertThat(before.get("intake").asText()).isEqualTo("RUNNING");
        assertThat(before.get("note").asText()).doesNotContain("paused");
        JsonNode paused = body(relayer.post("/admin/services/pause", TOKEN)).get("engine");
        assertThat(paused.get("intake").asText()).isEqualTo("PAUSED");
        // What the operator reads after a pause: why and since when, and that protective work goes on. (The
        // protectiveWorkRunning flag is true in every state but STOPPED, so it proves nothing here.)
        JsonNode status = body(relayer.get("/admin/services/status", TOKEN)).get("engine");
        assertThat(status.get("intake").asText()).isEqualTo("PAUSED");
        assertThat(status.get("reason").asText()).isEqualTo("admin API");
        assertThat(java.time.Instant.parse(status.get("since").asText()))
                .isAfter(java.time.Instant.parse(before.get("since").asText()));
        assertThat(status.get("note").asText()).contains("no new swaps are taken")
                .contains("claims and refunds that protect funds keep running");
        JsonNode resumed = body(relayer.post("/admin/services/resume", TOKEN)).get("engine");
        assertThat(resumed.get("intake").asText()).isEqualTo("RUNNING");
        JsonNode after = body(relayer.get("/admin/services/status", TOKEN)).get("engine");
        assertThat(after.get("intake").asText()).isEqualTo("RUNNING");
        assertThat(after.get("note").asText()).isEqualTo(before.get("note").asText());
    }

    @Test
    @Order(6)
    void configIsShownWithTheTokenRedacted() throws Exception {
        var r = relayer.get("/admin/config", TOKEN);
        assertThat(r.body()).doesNotContain(TOKEN);
        JsonNode c = body(r);
        assertThat(c.get("admin").get("token").asText()).isEqualTo("***redacted***");
        assertThat(c.get("http").get("port").asInt()).isEqualTo(relayer.port);
        assertThat(c.get("database").get("retentionDays").asInt()).isEqualTo(30);
    }

    @Test
    @Order(7)
    void pendingSwapsComeFromTheStore() throws Exception {
        assertThat(body(relayer.get("/admin/swaps/pending", TOKEN)).get("count").asInt()).isZero();
        Instant now = Instant.now();
        try (JdbcSwapStore store = SwapStores.open(DatabaseSettings.sqlite(dir.resolve("data/evmore.db")))) {
            store.run(tx -> {
                tx.insert(swap("0xaaa", now), "test: user locked");
                Swap done = swap("0xbbb", now);
                tx.insert(done, "test: user locked");
                tx.transition(done, SwapState.DETECTED, SwapState.REJECTED, "test: amount too small", null, now);
            });
        }
        JsonNode pending = body(relayer.get("/admin/swaps/pending", TOKEN));
        assertThat(pending.get("count").asInt()).isEqualTo(1);
        JsonNode s = pending.get("swaps").get(0);
        assertThat(s.get("id").asText()).isEqualTo("eip155:31337/0xaaa");
        assertThat(s.get("state").asText()).isEqualTo("DETECTED");
        assertThat(s.get("sourceAmount").asText()).isEqualTo("123456789012345678901234567890");
        var bad = relayer.get("/admin/swaps/pending?limit=lots", TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(body(bad).get("error").asText()).contains("limit");
    }

    static Swap swap(String htlc, Instant now) {
        ChainId from = ChainId.of("eip155:31337");
        return new Swap(Swap.idFor(from, htlc), from, ChainId.of("devnet-a"), htlc, null, Secret.random().hashlock(),
                "0x1111111111111111111111111111111111111111", "cosmos1qqqq", "0x0000000000000000000000000000000000000000",
                new BigInteger("123456789012345678901234567890"), null, null, now.getEpochSecond() + 3600, 0,
                SwapState.DETECTED, now, now);
    }

    @Test
    @Order(8)
    void invalidReloadChangesNothingAndValidReloadAppliesWhatItCan() throws Exception {
        String before = relayer.get("/admin/config", TOKEN).body();
        Files.writeString(configFile, config(relayer.port, "debug").replace("warnThresholdMb: 400", "warnThresholdMb: 5"));
        var bad = relayer.post("/admin/config/reload", TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(body(bad).get("key").asText()).isEqualTo("heap.warnThresholdMb");
        assertThat(body(bad).get("error").asText()).contains("nothing changed");
        assertThat(relayer.get("/admin/config", TOKEN).body()).isEqualTo(before);

        Files.writeString(configFile, config(RelayerProcess.freePort(), "debug"));
        var ok = relayer.post("/admin/config/reload", TOKEN);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode r = body(ok);
        assertThat(r.get("applied").toString()).isEqualTo("[\"logLevel\"]");
        assertThat(r.get("restartRequired").toString()).isEqualTo("[\"http.port\"]");
        JsonNode after = body(relayer.get("/admin/config", TOKEN));
        assertThat(after.get("logLevel").asText()).isEqualTo("debug");
        assertThat(after.get("http").get("port").asInt()).isEqualTo(relayer.port);
    }

    @Test
    @Order(9)
    void reloadedLogLevelChangesWhatIsLogged() throws Exception {
        int mark = relayer.output().length();
        Files.writeString(configFile, config(relayer.port, "warn"));
        assertThat(relayer.post("/admin/config/reload", TOKEN).statusCode()).isEqualTo(200);
        // Control in the same window: a WARN line (pause) does reach the log, after the reload's INFO line would have.
        assertThat(relayer.post("/admin/services/pause", TOKEN).statusCode()).isEqualTo(200);
        assertThat(relayer.post("/admin/services/resume", TOKEN).statusCode()).isEqualTo(200);
        String atWarn = awaitOutput(mark, "admin: intake resumed");
        assertThat(atWarn).contains("admin: intake paused").doesNotContain("configuration reloaded");

        mark = relayer.output().length();
        Files.writeString(configFile, config(relayer.port, "info"));
        assertThat(relayer.post("/admin/config/reload", TOKEN).statusCode()).isEqualTo(200);
        assertThat(awaitOutput(mark, "configuration reloaded")).contains("INFO");
    }

    /** The process's output after {@code from}, once it contains {@code text} (at most 10 s). */
    private static String awaitOutput(int from, String text) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String out = relayer.output().substring(from);
        while (!out.contains(text) && System.nanoTime() < until) {
            Thread.sleep(50);
            out = relayer.output().substring(from);
        }
        assertThat(out).as("log after the mark").contains(text);
        return out;
    }

    @Test
    @Order(9)
    void unknownRoutesAnswerJson404() throws Exception {
        var r = relayer.get("/nope", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(body(r).get("error").asText()).contains("/nope");
    }

    @Test
    @Order(9)
    void adminCliTalksToTheRunningService() throws Exception {
        String url = "http://127.0.0.1:" + relayer.port;
        try (RelayerProcess cli = RelayerProcess.start(dir, 0, Map.of("ADMIN_TOKEN", TOKEN), "admin", "status", "--url", url)) {
            assertThat(cli.awaitExit(Duration.ofSeconds(60))).as(cli.output()).isZero();
            assertThat(JSON.readTree(cli.output()).get("engine").get("intake").asText()).isEqualTo("RUNNING");
        }
        try (RelayerProcess cli = RelayerProcess.start(dir, 0, Map.of("ADMIN_TOKEN", "wrong-token"), "admin", "pause", "--url", url)) {
            assertThat(cli.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(cli.output()).contains("missing or invalid bearer token");
        }
        try (RelayerProcess cli = RelayerProcess.start(dir, 0, Map.of("ADMIN_TOKEN", TOKEN), "admin", "explode", "--url", url)) {
            assertThat(cli.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(cli.output()).contains("unknown admin action 'explode'");
        }
        assertThat(body(relayer.get("/admin/services/status", TOKEN)).get("engine").get("intake").asText()).isEqualTo("RUNNING");
    }

    @Test
    @Order(10)
    void sigtermStopsGracefullyWithExitZeroAndNoSecretInTheLog() throws Exception {
        int code = relayer.terminate(Duration.ofSeconds(30));
        String out = relayer.output();
        assertThat(code).as("exit code; output:\n%s", out).isZero();
        assertThat(out).contains("service http stopped", "service database stopped", "EVMore relayer stopped");
        // HTTP starts first and stops last, so /health answers 503 "stopping" until the database is closed.
        assertThat(out.indexOf("service database stopped")).isLessThan(out.indexOf("service http stopped"));
        assertThat(out).doesNotContain(TOKEN);
    }
}
