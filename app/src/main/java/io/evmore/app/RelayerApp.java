package io.evmore.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.chains.ChainPools;
import io.evmore.app.chains.LocalChains;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.ConfigRedactor;
import io.evmore.app.config.LiveConfig;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.config.RelayerConfig.Environment;
import io.evmore.app.health.HealthCheck;
import io.evmore.app.health.HealthRegistry;
import io.evmore.app.http.AdminOperations;
import io.evmore.app.http.BearerAuth;
import io.evmore.app.http.HttpApi;
import io.evmore.app.lifecycle.Service;
import io.evmore.app.lifecycle.ServiceController;
import io.evmore.app.logging.LoggingSetup;
import io.evmore.app.logging.SecretRedactor;
import io.evmore.app.metrics.RelayerMetrics;
import io.evmore.app.ops.AdminToken;
import io.evmore.app.ops.HeapWatch;
import io.evmore.core.engine.RelayEngine;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.store.PostgresUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the relayer from its configuration and runs it: the only place that knows every module. Services
 * start in order (database, retention, engine, pools, heap watch, HTTP) and stop in reverse.
 */
public final class RelayerApp implements AdminOperations, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayerApp.class);

    private final LiveConfig config;
    private final Clock clock = Clock.system();
    private final RelayerMetrics metrics = new RelayerMetrics();
    private final HealthRegistry health = new HealthRegistry(5_000);
    private final ServiceController services = new ServiceController();
    private final RelayEngine engine;
    private final Instant startedAt = Instant.now();
    private volatile String adminToken;
    private volatile StoreWiring store;
    private volatile HttpApi http;
    private final LocalChains localChains = new LocalChains();
    private final ChainPools pools;
    private final HeapWatch heapWatch;
    private final ScheduledExecutorService housekeeping =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("housekeeping").factory());

    public RelayerApp(Path configFile, RelayerConfig initial) {
        this.config = new LiveConfig(configFile, initial, path -> localChains.withChains(ConfigLoader.load(path)));
        this.pools = new ChainPools(() -> config.get().chains(), metrics.registry(), clock);
        this.engine = new RelayEngine(clock, metrics);
        this.heapWatch = new HeapWatch(initial.heap().warnThresholdMb());
        config.onChange(this::applyReloaded);
    }

    /** Starts every service; on failure, what was started is stopped again and the error propagates. */
    public RelayerApp start() throws Exception {
        RelayerConfig c = config.get();
        LoggingSetup.configure(c.logLevel(), c.environment() == Environment.PRODUCTION);
        registerSecrets(c);
        log.info("EVMore relayer starting: environment={}, config={}", c.environment().name().toLowerCase(), config.file());
        adminToken = resolveAdminToken(c);
        if (c.tracing().enabled()) {
            // Say so rather than pretend: spans (one trace per swap) come with the relay engine's swap protocol.
            log.warn("tracing.enabled (ENABLE_TRACING) is set, but this version exports no spans yet; nothing is sent to {}",
                    c.tracing().otlpEndpoint());
        }

        if (c.localChains().enabled()) {
            services.add(Service.of("local-chains", () -> {
                localChains.start(Duration.ofMillis(c.localChains().blockIntervalMs()), dataDir(c));
                config.initialise(localChains.withChains(config.get()));
            }, localChains::close));
        }
        services.add(Service.of("database", () -> {
            store = StoreWiring.open(c);
            log.info("database ready: {}", store.describe());
        }, () -> {
            if (store != null) store.close();
        }));
        services.add(Service.of("retention", () -> store.startRetention(c, clock), () -> store.stopRetention()));
        services.add(Service.of("engine", () -> log.info("relay engine intake: {}", engine.status().intake()),
                () -> {
                    boolean clean = engine.stop(Duration.ofSeconds(Math.max(1, config.get().shutdown().timeoutSeconds() / 2)));
                    if (!clean) log.warn("relay engine: in-flight work did not finish in time; it resumes from the store on next start");
                }));
        services.add(Service.of("pools", pools::start, pools::close));
        services.add(Service.of("heap-watch", () -> heapWatch.start(c.heap().checkIntervalSeconds()), heapWatch::close));
        services.add(Service.of("housekeeping", () -> housekeeping.scheduleWithFixedDelay(this::refreshGauges, 0, 15, TimeUnit.SECONDS),
                housekeeping::shutdownNow));
        services.add(Service.of("http", () -> {
            http = new HttpApi(c.http().host(), c.http().port(), health, metrics.registry(), new BearerAuth(() -> adminToken), this).start();
            log.info("HTTP listening on {}:{} (/health, /metrics, /admin)", c.http().host(), http.port());
        }, () -> {
            if (http != null) http.close();
        }));

        health.register("database", () -> store != null && store.ping()
                ? HealthCheck.Result.up(store.describe()) : HealthCheck.Result.down("database not reachable: " + (store == null ? "not open" : store.describe())));
        health.register("engine", () -> {
            RelayEngine.Status s = engine.status();
            return s.intake() == RelayEngine.Intake.STOPPED ? HealthCheck.Result.down(s.note()) : HealthCheck.Result.up(s.note());
        });
        health.register("pools", pools::health);
        metrics.registerHealth(health::check);

        services.start();
        log.info("EVMore relayer ready");
        return this;
    }

    /** Graceful stop: intake first, then services in reverse start order. Idempotent. */
    @Override
    public void close() {
        engine.pause("shutdown");
        services.stop();
        log.info("EVMore relayer stopped");
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public LiveConfig liveConfig() {
        return config;
    }

    /** Registers every secret of the configuration with the log redactor. Package-private for its test. */
    static void registerSecrets(RelayerConfig c) {
        SecretRedactor.register(c.admin().token());
        SecretRedactor.register(c.database().password());
        String url = c.database().url();
        if (url != null && !url.isBlank()) {
            try {
                String password = PostgresUrl.parse(url).password();
                if (password != null) {
                    SecretRedactor.register(password);
                    // The form written in the URL (%40 for @) too: exactly as written (%2b and %2B are both
                    // valid), and as an encoder would write it.
                    SecretRedactor.register(java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8));
                    SecretRedactor.register(writtenPassword(url));
                }
            } catch (IllegalArgumentException e) {
                // The store refuses the URL at open, with a message that names the bad part but not its value.
            }
        }
    }

    /** The password part of the URL's user info as written (still percent-encoded), or null. */
    private static String writtenPassword(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) return null;
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? null : userInfo.substring(colon + 1);
    }

    private String resolveAdminToken(RelayerConfig c) {
        String token = c.admin().token();
        if (token != null && !token.isBlank()) return token;
        // Validation already refused production without a token.
        Path file = adminTokenFile(c);
        String generated = AdminToken.generateInto(file);
        SecretRedactor.register(generated);
        log.warn("no admin token configured (ADMIN_TOKEN); generated one for this run in {} (owner-only); the admin CLI reads it from there", file);
        return generated;
    }

    /** Where a generated admin token is written: beside the embedded database. */
    public static Path adminTokenFile(RelayerConfig c) {
        return dataDir(c).resolve("admin.token");
    }

    /** The folder of the embedded database: generated token and local-chain files live there too. */
    static Path dataDir(RelayerConfig c) {
        return Path.of(c.database().path()).toAbsolutePath().getParent();
    }

    private void applyReloaded(RelayerConfig next) {
        LoggingSetup.setLevel(next.logLevel());
        heapWatch.setThresholdMb(next.heap().warnThresholdMb());
        if (!next.admin().token().isBlank()) {
            SecretRedactor.register(next.admin().token());
            adminToken = next.admin().token();
        }
        if (store != null) store.reconfigureRetention(next, clock);
        log.info("configuration reloaded from {}", config.file());
    }

    private void refreshGauges() {
        try {
            if (store != null) metrics.swapsByState(store.store().countByState());
        } catch (RuntimeException e) {
            log.warn("could not refresh swap-state gauges: {}", e.getMessage());
        }
    }

    // ---- AdminOperations -------------------------------------------------------------------------

    @Override
    public Object poolsStatus() {
        return pools.status();
    }

    @Override
    public Object poolsDrain() {
        return pools.drain(Duration.ofMillis(30_000));
    }

    @Override
    public Object poolsRefresh() {
        return pools.refresh();
    }

    @Override
    public Object pause() {
        return Map.of("engine", engine.pause("admin API"));
    }

    @Override
    public Object resume() {
        return Map.of("engine", engine.resume("admin API"));
    }

    @Override
    public Object servicesStatus() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("engine", engine.status());
        body.put("services", services.states());
        body.put("startedAt", startedAt);
        body.put("environment", config.get().environment().name().toLowerCase());
        return body;
    }

    @Override
    public JsonNode config() {
        return ConfigRedactor.redactedTree(config.get());
    }

    @Override
    public Object reloadConfig() {
        return config.reload();
    }

    @Override
    public Object pendingSwaps(int limit) {
        List<Swap> swaps = store.store().pending(limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", swaps.size());
        body.put("limit", limit);
        body.put("swaps", swaps.stream().map(SwapView::of).toList());
        return body;
    }

    /** Swap as JSON: amounts as decimal strings (uint256 does not fit a JSON number), hashlock as hex. */
    public record SwapView(String id, String state, String fromChain, String toChain, String sourceHtlcId, String destHtlcId,
            String hashlock, String sender, String receiver, String sourceAsset, String sourceAmount, String destAsset,
            String destAmount, long sourceTimelock, long destTimelock, Instant createdAt, Instant updatedAt) {
        static SwapView of(Swap s) {
            return new SwapView(s.id(), s.state().name(), s.fromChain().value(), s.toChain().value(), s.sourceHtlcId(), s.destHtlcId(),
                    s.hashlock().hex(), s.sender(), s.receiver(), s.sourceAsset(), s.sourceAmount().toString(), s.destAsset(),
                    s.destAmount() == null ? null : s.destAmount().toString(), s.sourceTimelock(), s.destTimelock(),
                    s.createdAt(), s.updatedAt());
        }
    }
}
