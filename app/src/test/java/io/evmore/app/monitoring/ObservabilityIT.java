package io.evmore.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.e2e.SwapWorld;
import io.evmore.app.monitoring.OtlpReceiver.ReceivedSpan;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.Swapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observability against the real thing, in one world shared by every check: a Hardhat node (behind a proxy that records
 * the W3C trace headers it receives) and the Cosmos devnet, the relayer as its own process with tracing on (exporting
 * OTLP/HTTP to a receiver here), and a real Prometheus and Alertmanager started from the repository's monitoring files.
 * A user swaps ETH → devnet-a and devnet-a → ETH with the swapper library; then:
 * <ol>
 * <li>every label value of /metrics is bounded (no swap id, address, hash or URL; none of the swaps' own values);</li>
 * <li>the swap's trace arrives over the wire: one trace id, the root span, a span per step, chain calls as children of
 *     steps, the trace headers on the JSON-RPC requests to Ethereum, and the secret in no attribute of any span;</li>
 * <li>Prometheus evaluates every dashboard query (each parses and returns data) and every alert rule (each healthy,
 *     every metric it names present, none firing or pending); the finished swaps' swap_duration log lines;</li>
 * <li>Hardhat is stopped: EvmoreEndpointDown and EvmorePoolDown fire for the ethereum pool, and Alertmanager pages.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final BigInteger ETHER = BigInteger.TEN.pow(18);
    static final Swapper.Terms ANY = new Swapper.Terms(BigInteger.ONE, Duration.ofSeconds(30), Duration.ofSeconds(90));

    @TempDir
    static Path dir;
    static SwapWorld world;
    static OtlpReceiver otlp;
    static RecordingProxy ethProxy;
    static MonitoringStack stack;
    static final Swapper swapper = new Swapper(line -> {});
    /** Values that belong to the swaps made here: none may appear in a label; the secrets in no span. */
    static final Set<String> swapValues = new LinkedHashSet<>();
    static final List<String> secrets = new ArrayList<>();
    static String ethToCosmosSwapId;

    @BeforeAll
    static void start() throws Exception {
        otlp = new OtlpReceiver();
        // devnet-c over two hops: the route metrics (evmore_route_held) exist, as every alert's metrics must
        world = SwapWorld.startMultiHop(Files.createDirectories(dir.resolve("world")));
        ethProxy = new RecordingProxy(world.hardhat.url());
        world.startRelayer(yaml -> {
            String hardhat = "rpcUrls: [\"" + world.hardhat.url() + "\"]";
            if (!yaml.contains(hardhat) || !yaml.contains("    startBlock: 0\n")) throw new AssertionError("relayer.yaml changed:\n" + yaml);
            return yaml.replace(hardhat, "rpcUrls: [\"" + ethProxy.url() + "\"]")
                    // health checks every 2 s so that a stopped chain shows in seconds, not the guide's minute
                    .replace("    startBlock: 0\n", "    startBlock: 0\n    pool: {maxConnections: 20, minConnections: 1, acquireTimeout: 30000,"
                            + " healthCheckInterval: 2000, retryDelay: 500}\n")
                    + "tracing: {enabled: true, otlpEndpoint: \"" + otlp.endpoint() + "\", sampleRatio: 1.0}\n";
        });
        stack = new MonitoringStack(Files.createDirectories(dir.resolve("monitoring")), world.relayer().port);
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
        if (world != null) world.close();
        if (ethProxy != null) ethProxy.close();
        if (otlp != null) otlp.close();
    }

    @Test
    @Order(1)
    void aUserSwapsBothWays() throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(1); CosmosUserChain claimer = world.cosmosUser("devnet-a", "carol")) {
            long tSrc = user.htlc().latestBlockTime() + 300;
            Swapper.Locked locked = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, ETHER.divide(BigInteger.TEN),
                    ChainId.of("devnet-a"), bob, tSrc);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, bob, world.relayerAddress("devnet-a"), locked, ANY);
            swapper.claim(claimer, counter, locked);
            JsonNode done = world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));
            ethToCosmosSwapId = done.get("swap").get("id").asText();
            remember(done, locked);
        }
        String receiver = world.hardhat.devAddresses().get(2);
        try (CosmosUserChain user = world.cosmosUser("devnet-a", "alice"); EthereumUserChain claimer = world.ethUser(3)) {
            long tSrc = user.htlc().latestBlockTime() + 300;
            Swapper.Locked locked = swapper.lock(user, world.relayerAddress("devnet-a"), "stake", BigInteger.valueOf(10_000_000),
                    world.eth, receiver, tSrc);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, receiver, world.relayerEthAddress(), locked, ANY);
            swapper.claim(claimer, counter, locked);
            remember(world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60)), locked);
        }
    }

    private static void remember(JsonNode swap, Swapper.Locked locked) {
        JsonNode s = swap.get("swap");
        for (String f : List.of("id", "sourceHtlcId", "destHtlcId", "hashlock", "sender", "receiver", "sourceTxHash")) {
            if (s.hasNonNull(f)) swapValues.add(s.get(f).asText());
        }
        for (JsonNode t : swap.get("transitions")) if (t.hasNonNull("txHash")) swapValues.add(t.get("txHash").asText());
        secrets.add(locked.secret().hex());
    }

    @Test
    @Order(2)
    void everyMetricLabelIsBounded() throws Exception {
        // the swap-state gauge is refreshed every 15 s: wait for the two completed swaps to show
        String exposition = world.relayer().get("/metrics", null).body();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!exposition.contains("evmore_swaps_by_state{state=\"completed\"} 2.0") && System.nanoTime() < until) {
            Thread.sleep(500);
            exposition = world.relayer().get("/metrics", null).body();
        }
        // configured assets are a bounded set (the pair table), even where they are token addresses
        JsonNode config = JSON.readTree(world.relayer().get("/admin/config", SwapWorld.TOKEN).body());
        Set<String> assets = new LinkedHashSet<>();
        for (JsonNode p : config.path("swaps").path("pairs")) {
            assets.add(p.path("fromAsset").asText().toLowerCase());
            assets.add(p.path("toAsset").asText().toLowerCase());
        }
        assertThat(swapValues).as("the swaps' values to look for").hasSizeGreaterThan(10);
        assertThat(MetricLabels.labels(exposition)).as("the exposition has labels").hasSizeGreaterThan(100);
        assertThat(exposition).contains("evmore_swaps_by_state{state=\"completed\"} 2.0");
        assertThat(MetricLabels.violations(exposition, assets, swapValues)).isEmpty();
    }

    @Test
    @Order(3)
    void aSwapIsOneTraceWithAStepSpanPerStepAndChainCallsAsChildren() throws Exception {
        String traceId = traceIdOf(ethToCosmosSwapId);
        List<ReceivedSpan> trace = awaitSpans(traceId, spans -> spans.stream().anyMatch(s -> s.parentSpanId().isEmpty()));
        ReceivedSpan root = trace.stream().filter(s -> s.parentSpanId().isEmpty()).findFirst().orElseThrow();
        assertThat(root.name()).isEqualTo("swap " + world.eth + " -> devnet-a");
        assertThat(root.attributes()).containsEntry("evmore.swap.id", ethToCosmosSwapId).containsEntry("evmore.swap.outcome", "completed");
        assertThat(root.resource()).containsEntry("service.name", "evmore-relayer");
        assertThat(trace).as("one trace for the swap: every span of it carries its id")
                .allSatisfy(s -> assertThat(s.traceId()).isEqualTo(traceId));
        assertThat(otlp.spans().stream().filter(s -> ethToCosmosSwapId.equals(s.attributes().get("evmore.swap.id"))))
                .allSatisfy(s -> assertThat(s.traceId()).isEqualTo(traceId));

        List<ReceivedSpan> steps = trace.stream().filter(s -> s.name().startsWith("step ")).toList();
        assertThat(steps).as("step spans are children of the swap's root").allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(root.spanId()));
        assertThat(steps).extracting(ReceivedSpan::name).contains("step DETECTED", "step SECRET_REVEALED");
        Set<String> stepIds = steps.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        List<ReceivedSpan> calls = trace.stream().filter(s -> s.attributes().containsKey("evmore.chain.operation")).toList();
        assertThat(calls).as("chain calls are children of steps").isNotEmpty()
                .allSatisfy(c -> assertThat(stepIds).contains(c.parentSpanId()));
        assertThat(calls).extracting(ReceivedSpan::name).contains("devnet-a lock", world.eth + " claim");

        // W3C context propagation: Ethereum's JSON-RPC requests made by this swap's chain calls carry their span
        Set<String> ethCallIds = calls.stream().filter(c -> c.name().startsWith(world.eth.value())).map(ReceivedSpan::spanId)
                .collect(Collectors.toSet());
        assertThat(ethProxy.traceparents()).as("traceparent headers received by the Ethereum endpoint")
                .anySatisfy(tp -> {
                    String[] p = tp.split("-");
                    assertThat(p[1]).isEqualTo(traceId);
                    assertThat(ethCallIds).contains(p[2]);
                });

        List<String> everything = otlp.spans().stream().flatMap(s -> s.attributes().values().stream()).toList();
        assertThat(secrets).hasSize(2);
        for (String secret : secrets) {
            assertThat(everything).as("no span attribute carries a swap's secret").noneMatch(v -> v.toLowerCase().contains(secret.toLowerCase()));
        }
        assertThat(otlp.contentTypes()).allMatch(t -> t.startsWith("application/x-protobuf"));
    }

    /** The trace id of a swap: the first 16 bytes of SHA-256("evmore-swap:" + id), as OtelSwapTracing derives it. */
    static String traceIdOf(String swapId) throws Exception {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(("evmore-swap:" + swapId).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(h, 0, 16);
    }

    private static List<ReceivedSpan> awaitSpans(String traceId, java.util.function.Predicate<List<ReceivedSpan>> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<ReceivedSpan> got = List.of();
        while (System.nanoTime() < deadline) {
            got = otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
            if (done.test(got)) return got;
            Thread.sleep(250);
        }
        throw new AssertionError("trace " + traceId + " incomplete after 30 s: " + got + "\nall spans: " + otlp.spans().size());
    }

    @Test
    @Order(4)
    void prometheusEvaluatesEveryDashboardQueryAndEveryAlertOnTheRealRelayer() throws Exception {
        // enough scrapes for rate() windows: at least 10 samples of the relayer (2 s apart)
        awaitTrue("count_over_time(up{job=\"evmore-relayer\"}[1m]) >= 10", Duration.ofSeconds(60));
        assertThat(value(stack.query("up{job=\"evmore-relayer\"}"))).isEqualTo("1");

        List<String> empty = new ArrayList<>();
        JsonNode dashboard = JSON.readTree(ObservabilityTools.ROOT.resolve("monitoring/grafana/dashboards/evmore-operations.json").toFile());
        int queries = 0;
        for (JsonNode p : dashboard.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText();
                JsonNode r = stack.query(expr);
                assertThat(r.path("status").asText()).as(p.path("title").asText() + ": " + expr + " → " + r).isEqualTo("success");
                if (r.path("data").path("result").isEmpty()) empty.add(p.path("title").asText() + ": " + expr);
                queries++;
            }
        }
        assertThat(queries).isGreaterThan(20);
        assertThat(empty).as("dashboard queries without data").isEmpty();

        // every rule evaluated without error, every metric an alert names exists
        JsonNode rules = stack.api("/api/v1/rules");
        List<String> names = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (JsonNode g : rules.path("data").path("groups")) {
            for (JsonNode r : g.path("rules")) {
                names.add(r.path("name").asText());
                assertThat(r.path("health").asText()).as(r.path("name").asText() + ": " + r.path("lastError")).isEqualTo("ok");
                for (String selector : selectors(r.path("query").asText())) {
                    if (stack.query(selector).path("data").path("result").isEmpty()) missing.add(r.path("name").asText() + ": " + selector);
                }
            }
        }
        assertThat(names).containsExactlyInAnyOrderElementsOf(MonitoringFilesIT.alertNames());
        assertThat(missing).as("alert expressions naming metrics the relayer does not export").isEmpty();

        // none active once the swaps are done (a swap's short source-claim headroom may be pending for a moment)
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode alerts = stack.api("/api/v1/alerts").path("data").path("alerts");
        while (!alerts.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            alerts = stack.api("/api/v1/alerts").path("data").path("alerts");
        }
        assertThat(alerts).as("active alerts").isEmpty();

        String log = world.relayerOutput();
        assertThat(log.lines().filter(l -> l.contains("swap_duration=") && l.contains("finished: COMPLETED")).count())
                .as("the guide's grep \"swap_duration\" finds each finished swap").isEqualTo(2);
    }

    /** Metric selectors (name and matchers) of a PromQL expression: the names of this relayer's metrics and up. */
    static List<String> selectors(String expr) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\b((?:evmore|jvm|process)_[a-zA-Z0-9_]+|up)\\b(\\{[^}]*})?").matcher(expr);
        while (m.find()) out.add(m.group(1) + (m.group(2) == null ? "" : m.group(2)));
        return out;
    }

    /**
     * Every {@code bash} block of docs/RUNBOOK.md but PostgreSQL's (RunbookPostgresIT), run as written against this relayer (EVMORE_URL, ADMIN_TOKEN), in a
     * folder with the repository's config/, the relayer's database as EVMORE_DB and its log as EVMORE_LOG.
     */
    @Test
    @Order(5)
    void everyRunbookCommandWorksAgainstTheRunningRelayer() throws Exception {
        Path work = Files.createDirectories(dir.resolve("runbook"));
        try (var files = Files.walk(ObservabilityTools.ROOT.resolve("config"))) {
            for (Path f : files.toList()) {
                Path to = work.resolve(ObservabilityTools.ROOT.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        Path log = work.resolve("relayer.log");
        Files.writeString(log, world.relayerOutput());
        String md = Files.readString(ObservabilityTools.ROOT.resolve("docs/RUNBOOK.md"));
        Matcher m = Pattern.compile("(?ms)^ *```bash\n(.*?)^ *```").matcher(md);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            if (!m.group(1).contains("DATABASE_URL")) blocks.add(m.group(1)); // PostgreSQL's: RunbookPostgresIT
        }
        assertThat(blocks).as("bash blocks of the runbook").hasSizeGreaterThanOrEqualTo(8);
        StringBuilder all = new StringBuilder();
        for (String block : blocks) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block).directory(work.toFile()).redirectErrorStream(true);
            pb.environment().put("EVMORE_URL", "http://127.0.0.1:" + world.relayer().port);
            pb.environment().put("ADMIN_TOKEN", SwapWorld.TOKEN);
            pb.environment().put("EVMORE_DB", dir.resolve("world/data/evmore.db").toString());
            pb.environment().put("EVMORE_LOG", log.toString());
            Process p = pb.start();
            String out;
            try (var in = p.getInputStream()) {
                assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("runbook block finishes: " + block).isTrue();
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(p.exitValue()).as("runbook block:\n" + block + "\noutput:\n" + out).isZero();
            all.append(out).append('\n');
        }
        String out = all.toString();
        assertThat(out).contains("UP").contains("evmore_relay_swaps_total{status=\"completed\"} 2.0").contains("swap_duration=")
                .contains("PAUSED").contains("RUNNING").contains("ok");
        assertThat(Files.list(work).map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("backup-") && n.endsWith(".db"));
        assertThat(world.relayer().get("/health", null).statusCode()).as("refreshed and resumed").isEqualTo(200);
    }

    @Test
    @Order(6)
    void stoppingAChainFiresTheEndpointDownAlertAndAlertmanagerPages() throws Exception {
        world.hardhat.close();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Set<String> firing = Set.of();
        while (System.nanoTime() < deadline) {
            firing = new LinkedHashSet<>();
            for (JsonNode a : stack.api("/api/v1/alerts").path("data").path("alerts")) {
                if (a.path("state").asText().equals("firing")) {
                    firing.add(a.path("labels").path("alertname").asText() + "{pool=" + a.path("labels").path("pool").asText() + "}");
                }
            }
            if (firing.contains("EvmoreEndpointDown{pool=ethereum}") && firing.contains("EvmorePoolDown{pool=ethereum}")
                    && stack.notifications().stream().anyMatch(n -> n.startsWith("/page ") && n.contains("EvmorePoolDown"))) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(firing).contains("EvmoreEndpointDown{pool=ethereum}", "EvmorePoolDown{pool=ethereum}");
        assertThat(stack.notifications()).as("Alertmanager pages for the critical pool alert")
                .anyMatch(n -> n.startsWith("/page ") && n.contains("EvmorePoolDown") && n.contains("\"pool\":\"ethereum\""));
    }

    private static void awaitTrue(String promql, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!stack.query(promql).path("data").path("result").isEmpty()) return;
            Thread.sleep(1000);
        }
        throw new AssertionError(promql + " not true after " + timeout + "\n" + stack.logs());
    }

    private static String value(JsonNode answer) {
        return answer.path("data").path("result").get(0).path("value").get(1).asText();
    }
}
