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
import io.evmore.app.http.NotReadyException;
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
 * start in order — database and its lease (SQLite: the lock file before the database is even opened), HTTP, pools,
 * the lease holder's term ({@link Leadership}: admin token, local chains, retention, engine) or the standby's wait for
 * it, heap watch — and stop in reverse.
 */
public final class RelayerApp implements AdminOperations, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayerApp.class);

    private final LiveConfig config;
    private final Clock clock = Clock.system();
    private final RelayerMetrics metrics = new RelayerMetrics();
    private final HealthRegistry health = new HealthRegistry(5_000);
    private final ServiceController services = new ServiceController();
    private volatile io.evmore.app.relay.RelayWiring relay;
    /**
     * An operator's pause (or resume) that arrived before the engine existed (start-up): remembered here and applied to
     * the engine before its first step, so an emergency pause works at any moment. Null: none requested.
     */
    private final java.util.concurrent.atomic.AtomicReference<EarlyGate> earlyGate = new java.util.concurrent.atomic.AtomicReference<>();

    private record EarlyGate(boolean paused, String reason, Instant at) {}
    /** The lease of the running term (null between terms): what the operator's pause is written under. */
    private volatile io.evmore.store.DatabaseLease termLease;
    private final Instant startedAt = Instant.now();
    /** starting → running → stopping: /health is 503 with this detail until every service has started. */
    private volatile String phase = "starting";
    private volatile String adminToken;
    /** Where {@link #adminToken} came from, for the log and the reload answer (never the token itself). */
    private volatile String adminTokenSource;
    /** The configured admin.token the current token was resolved from ("" when generated). */
    private volatile String configuredAdminToken;
    private volatile StoreWiring store;
    private volatile Leadership leadership;
    /** The secrets provider and what it gave at start or at the last applied reload/refresh (never logged). */
    private volatile io.evmore.app.secrets.RelayerSecrets secrets;
    private volatile io.evmore.app.secrets.RelayerSecrets.Resolved resolvedSecrets;
    /** The last reload or periodic refresh of the secrets, for /admin/services/status (no values). */
    private volatile Map<String, Object> lastSecretsRefresh;
    private volatile HttpApi http;
    /** /metrics on its own port (http.metricsPort), or null. */
    private volatile io.evmore.app.metrics.MetricsServer metricsServer;
    /** The engine's tracing (tracing.enabled), or null. */
    private volatile io.evmore.app.tracing.OtelSwapTracing tracing;
    private final io.evmore.app.metrics.SwapGauges swapGauges = new io.evmore.app.metrics.SwapGauges();
    private final LocalChains localChains = new LocalChains();
    private final ChainPools pools;
    private final HeapWatch heapWatch;
    private final ScheduledExecutorService housekeeping =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("housekeeping").factory());

    public RelayerApp(Path configFile, RelayerConfig initial) {
        this.config = new LiveConfig(configFile, initial, path -> localChains.withChains(ConfigLoader.load(path)));
        this.pools = new ChainPools(() -> config.get().chains(), metrics.registry(), clock);
        this.heapWatch = new HeapWatch(initial.heap().warnThresholdMb());
        config.onChange(this::applyReloaded);
    }

    /**
     * Starts every service; on failure, what was started is stopped again and the error propagates. The database lease
     * comes first: a process refused by it has served nothing, started no chain, written no file and followed nothing.
     * A standby (PostgreSQL, {@code ha.standby}) returns from here serving /health and /metrics and waits for the lease
     * in the background.
     */
    public RelayerApp start() throws Exception {
        RelayerConfig c = config.get();
        LoggingSetup.configure(c.logLevel(), c.environment() == Environment.PRODUCTION);
        registerSecrets(c);
        log.info("EVMore relayer starting: environment={}, config={}", c.environment().name().toLowerCase(), config.file());
        // Secrets first: every value is registered with the log redactor before anything can print it, and a provider
        // that cannot answer (or a missing or malformed secret) stops the start here with one line naming both.
        secrets = io.evmore.app.secrets.RelayerSecrets.open(c.secrets(), System.getenv());
        resolvedSecrets = secrets.resolve(c);
        resolvedSecrets.sources().forEach((name, source) -> log.info("secret {}: {}", name.id(), source));
        // A configured token is known now (no file touched); a generated one is written once this process holds the lease.
        if (c.admin().token() != null && !c.admin().token().isBlank()) {
            adminToken = c.admin().token();
            SecretRedactor.register(adminToken);
        }
        if (c.tracing().enabled()) {
            // One trace per swap over OTLP/HTTP; started first so that it stops last (after the engine's last step).
            services.add(Service.of("tracing", () -> {
                tracing = io.evmore.app.tracing.OtelSwapTracing.start(c.tracing(), String.valueOf(RelayerApp.class.getPackage().getImplementationVersion()));
                log.info("tracing: one trace per swap, exported over OTLP/HTTP to {} as {} (sample ratio {})",
                        io.evmore.app.config.ConfigRedactor.redactUrl(c.tracing().otlpEndpoint()), c.tracing().serviceName(), c.tracing().sampleRatio());
            }, () -> {
                if (tracing != null) tracing.close();
            }));
        }
        leadership = new Leadership(io.evmore.store.LeaseSettings.ofSeconds(c.ha().leaseSeconds()), c.ha().standby(),
                new Leadership.Term() {
                    @Override
                    public void start(io.evmore.store.DatabaseLease lease) throws Exception {
                        startTerm(lease);
                    }

                    @Override
                    public void stop() {
                        stopTerm();
                    }
                }, this::fatal, () -> addressesFromConfiguredKeys(config.get()), metrics.registry());

        boolean sqlite = c.database().url() == null || c.database().url().isBlank();
        if (sqlite) {
            // The lock file first: a second process is refused here having served, opened and changed nothing.
            services.add(Service.of("lease-lock", () -> leadership.held(null, StoreWiring.lockSqlite(c)), () -> {
                io.evmore.store.DatabaseLease lock = leadership.lease();
                if (lock != null) lock.close(); // idempotent: the store's close released it already if it opened
            }));
            addLocalChains(c);
            addHttp(c);
            services.add(Service.of("database", () -> {
                if (c.localChains().enabled()) {
                    // Local chains are new on every start: what a previous run stored about its chains would only confuse
                    // this one. Kept aside (not deleted), under this process's lease, before the database opens.
                    LocalChains.setAsideUnderLease(Path.of(c.database().path()));
                }
                store = StoreWiring.open(c, resolvedSecrets.databasePassword());
                store.startTerm(leadership.lease()); // the database counts this holder's epoch
                log.info("database ready: {} (lease epoch {})", store.describe(), leadership.lease().epoch());
            }, () -> {
                if (store != null) store.close();
                io.evmore.store.DatabaseLease lock = leadership.lease();
                if (lock != null) lock.close(); // if the database never opened, the lock is released here
            }));
        } else {
            services.add(Service.of("database", () -> {
                if (c.localChains().enabled()) {
                    log.warn("local chains with DATABASE_URL: the database keeps the previous run's cursors and swaps of chains that no longer exist");
                }
                store = StoreWiring.open(c, resolvedSecrets.databasePassword());
                log.info("database ready: {}", store.describe());
                // Keys this process would sign with, against the ones the database belongs to: refused before any wait.
                io.evmore.store.AddressMismatchException.check(store.describe(), store.jdbc().boundAddresses(),
                        addressesFromConfiguredKeys(c));
                try {
                    leadership.held(store.jdbc(), store.acquireLease(leadership.settings()));
                } catch (io.evmore.store.LeaseHeldException e) {
                    if (!leadership.standbyAllowed()) throw e;
                    leadership.standingBy(store.jdbc(), e);
                }
            }, () -> {
                if (store != null) store.close();
            }));
            addLocalChains(c); // only reached by the lease holder: local chains and a standby are refused together
            // HTTP once the lease is decided: a standby serves /health (503, naming the leader) and /metrics; /admin
            // answers only on the leader (503 elsewhere, but for /admin/services/status).
            addHttp(c);
        }
        // A standby keeps its chain pools warm (health probes only: pools follow no chain and write nothing). With local
        // chains the pools start with them, in the leader's first term.
        services.add(Service.of("pools", () -> {
            if (!c.localChains().enabled()) pools.start();
        }, pools::close));
        services.add(Service.of("lease", () -> leadership.begin(), () -> leadership.close()));
        services.add(Service.of("heap-watch", () -> heapWatch.start(c.heap().checkIntervalSeconds()), heapWatch::close));
        services.add(Service.of("housekeeping", () -> {
            housekeeping.scheduleWithFixedDelay(this::refreshGauges, 0, 15, TimeUnit.SECONDS);
            int every = c.secrets().refreshIntervalSeconds();
            if (every > 0) {
                housekeeping.scheduleWithFixedDelay(this::periodicSecretsRefresh, every, every, TimeUnit.SECONDS);
                log.info("secrets: re-read from {} every {} s", secrets.describe(), every);
            }
        }, housekeeping::shutdownNow));

        health.register("lifecycle", () -> "running".equals(phase) ? HealthCheck.Result.up("running") : HealthCheck.Result.down(phase));
        health.register("lease", () -> leadership.health());
        health.register("database", () -> store != null && store.ping()
                ? HealthCheck.Result.up(store.describe()) : HealthCheck.Result.down("database not reachable: " + (store == null ? "not open" : store.describe())));
        health.register("engine", () -> {
            if (relay == null) return HealthCheck.Result.down("relay engine not started (" + leadership.role().label() + ")");
            RelayEngine.Status s = relay.engine().status();
            if (s.intake() == RelayEngine.Intake.STOPPED) return HealthCheck.Result.down(s.note());
            if (!relay.engine().schedulerAlive()) return HealthCheck.Result.down("relay engine scheduler is not running");
            return HealthCheck.Result.up(s.note());
        });
        health.register("followers", () -> {
            if (relay == null) return HealthCheck.Result.down("chain followers not started (" + leadership.role().label() + ")");
            List<String> stopped = relay.followers().stream().filter(f -> !followerAlive(f)).map(f -> f.chain().value()).toList();
            return stopped.isEmpty() ? HealthCheck.Result.up(relay.followers().size() + " follower(s) running")
                    : HealthCheck.Result.down("follower stopped: " + String.join(", ", stopped));
        });
        health.register("pools", pools::health);
        health.register("swaps", () -> {
            if (relay == null) return HealthCheck.Result.up("no swaps in flight yet");
            List<RelayEngine.AtRisk> risks = relay.engine().atRisk();
            if (risks.isEmpty()) return HealthCheck.Result.up("no swap at risk");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("atRisk", risks.size());
            data.put("swaps", risks.stream().limit(20).map(a -> Map.of("swap", a.swapId(), "kind", a.kind(),
                    "secondsLeft", a.secondsLeft())).toList());
            return HealthCheck.Result.degraded(risks.size() + " swap(s) AT RISK (see /admin/swaps/pending): "
                    + risks.getFirst().reason(), data);
        });
        metrics.registerHealth(health::check);

        services.start();
        phase = "running";
        log.info(leadership.role() == Leadership.Role.LEADER ? "EVMore relayer ready" : "EVMore relayer ready as a standby");
        return this;
    }

    /**
     * Local chains (development) begin as soon as this process holds the lease: Hardhat and the devnet boot in the
     * background while HTTP and the database start; the first term waits for them. They live until the process stops.
     */
    private void addLocalChains(RelayerConfig c) {
        if (!c.localChains().enabled()) return;
        services.add(Service.of("local-chains", () -> localChains.begin(Duration.ofMillis(c.localChains().blockIntervalMs()), dataDir(c)),
                localChains::close));
    }

    /** HTTP: /health/live and /metrics at once, /health 503 until the term runs, /admin only on the lease holder. */
    private void addHttp(RelayerConfig c) {
        services.add(Service.of("http", () -> {
            boolean ownMetricsPort = c.http().metricsPort() >= 0;
            if (ownMetricsPort) {
                metricsServer = io.evmore.app.metrics.MetricsServer.start(c.http().host(), c.http().metricsPort(), metrics.registry());
                log.info("metrics listening on {}:{} (/metrics only)", c.http().host(), metricsServer.port());
            }
            http = new HttpApi(c.http().host(), c.http().port(), health, metrics.registry(), new BearerAuth(() -> adminToken), this,
                    !ownMetricsPort, path -> leadership.adminUnavailable(path)).start();
            log.info("HTTP listening on {}:{} ({})", c.http().host(), http.port(), ownMetricsPort ? "/health, /admin" : "/health, /metrics, /admin");
        }, () -> {
            if (http != null) http.close();
            if (metricsServer != null) metricsServer.close();
        }));
    }

    /** Guards the term's start and stop against each other (a lease lost while its term is starting). */
    private final Object termLock = new Object();
    /** Whether a term ran before: local chains, their pools and a generated admin token belong to the first one. */
    private boolean firstTermStarted;

    /**
     * The leader's work under {@code lease}: on the first term the admin token file and local chains (with their
     * pools); on every term the retention job and the relay engine on the store fenced by this lease, the engine's
     * broadcasts guarded by it, the relayer's addresses checked against (or recorded in) the database, then recovery
     * (every open intent reconciled) before the followers and the scheduler run.
     */
    private void startTerm(io.evmore.store.DatabaseLease lease) throws Exception {
        synchronized (termLock) {
            RelayerConfig c = config.get();
            io.evmore.core.port.SwapStore fenced = store.fencedBy(lease);
            if (!firstTermStarted) {
                firstTermStarted = true;
                adminToken = resolveAdminToken(c);
                if (c.localChains().enabled()) {
                    localChains.awaitStarted(Duration.ofMinutes(2));
                    config.initialise(localChains.withChains(config.get()));
                    pools.start();
                }
            }
            store.startRetention(config.get(), clock, fenced);
            RelayerConfig now = config.get();
            io.evmore.app.secrets.RelayerKeys keys = io.evmore.app.secrets.RelayerKeys.from(resolvedSecrets, localChains.keys());
            io.evmore.app.relay.RelayWiring wiring = new io.evmore.app.relay.RelayWiring(now, keys, pools, fenced, metrics, clock);
            try {
                wiring.engine().leaseGuard(lease);
                if (tracing != null) wiring.engine().tracing(tracing);
                metrics.chains(wiring.chains().keySet().stream().map(io.evmore.core.chain.ChainId::value).toList());
                Map<String, String> bound = store.jdbc().bindAddresses(lease, wiring.addresses());
                log.info("relayer addresses of {}: {}", store.describe(), bound);
                synchronized (earlyGate) {
                    termLease = lease;
                    applyIntakeGate(wiring.engine(), lease);
                    relay = wiring; // from here on, pause/resume go to the engine itself
                }
                runningKeys = keys;
                wiring.start();
            } catch (Exception | Error e) {
                synchronized (earlyGate) {
                    if (relay == wiring) relay = null;
                }
                wiring.close();
                store.stopRetention();
                throw e;
            }
        }
    }

    /** Stops the term: the engine (intake, followers, in-flight steps) and the retention job. Idempotent. */
    private void stopTerm() {
        synchronized (termLock) {
            io.evmore.app.relay.RelayWiring r;
            synchronized (earlyGate) {
                r = relay;
                relay = null;
                termLease = null;
            }
            if (r != null) {
                r.engine().pause("this process no longer leads");
                boolean clean = r.stop(Duration.ofSeconds(Math.max(1, config.get().shutdown().timeoutSeconds() / 2)));
                if (!clean) log.warn("relay engine: in-flight work did not finish in time; the lease holder resumes it from the store");
                r.close();
            }
            if (store != null) store.stopRetention();
        }
    }

    /** The addresses this process would sign with, from its configured keys (empty for keys it does not have yet). */
    private Map<String, String> addressesFromConfiguredKeys(RelayerConfig c) {
        if (c.localChains().enabled()) return Map.of(); // the local chains' keys exist once they run
        try {
            return io.evmore.app.relay.RelayerAddresses.of(c, io.evmore.app.secrets.RelayerKeys.from(resolvedSecrets, null));
        } catch (RuntimeException e) {
            return Map.of(); // a key problem is reported by the engine's start with its own message
        }
    }

    private final java.util.concurrent.CompletableFuture<Throwable> fatal = new java.util.concurrent.CompletableFuture<>();

    /** Something this process cannot go on after (e.g. a standby whose keys are not the database's): it must exit 1. */
    private void fatal(Throwable e) {
        log.error("FATAL: {}", e.getMessage());
        fatal.complete(e);
    }

    /** Completes with the reason when this process must stop (exit 1). */
    public java.util.concurrent.CompletableFuture<Throwable> fatalError() {
        return fatal;
    }


    /** Graceful stop: intake first, then services in reverse start order. Idempotent. */
    @Override
    public void close() {
        phase = "stopping";
        if (relay != null) relay.engine().pause("shutdown");
        services.stop();
        if (secrets != null) secrets.close();
        log.info("EVMore relayer stopped");
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The port of the separate metrics listener (http.metricsPort), or -1 when /metrics is on the HTTP port. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
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

    /**
     * Exactly one admin token is valid: the configured one (file or ADMIN_TOKEN), else a fresh one generated into
     * {@code data/admin.token}. A generated file that no longer holds the valid token is removed, so the admin CLI
     * never picks up a dead one.
     */
    private synchronized String resolveAdminToken(RelayerConfig c) {
        String token = c.admin().token() == null ? "" : c.admin().token();
        Path file = adminTokenFile(c);
        configuredAdminToken = token;
        if (!token.isBlank()) {
            SecretRedactor.register(token);
            AdminToken.removeGenerated(file);
            String env = System.getenv("ADMIN_TOKEN");
            adminTokenSource = env != null && !env.isBlank() ? "environment (ADMIN_TOKEN)" : "config file (admin.token)";
            log.info("admin token: from the {}", adminTokenSource);
            return token;
        }
        // Validation already refused production without a token.
        String generated = AdminToken.generateInto(file);
        SecretRedactor.register(generated);
        adminTokenSource = "generated file " + file;
        log.warn("no admin token configured (ADMIN_TOKEN); generated one in {} (owner-only); the admin CLI reads it from there", file);
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
        String token = next.admin().token() == null ? "" : next.admin().token();
        if (!token.equals(configuredAdminToken)) {
            adminToken = resolveAdminToken(next); // the previous token, configured or generated, stops working here
        }
        if (store != null) store.reconfigureRetention(next, clock);
        log.info("configuration reloaded from {}", config.file());
    }

    private void refreshGauges() {
        try {
            if (store != null) metrics.swapsByState(store.store().countByState());
            if (store != null) metrics.swapGauges(swapGauges.refresh(store.store().pending(1000), relay == null ? null : relay.engine(), clock.now()));
            if (relay != null) relay.engine().inventory(); // also sets the inventory gauges
        } catch (RuntimeException e) {
            log.warn("could not refresh swap-state/inventory gauges: {}", e.getMessage());
        }
    }

    private static boolean followerAlive(io.evmore.core.chain.ChainEvents f) {
        if (f instanceof io.evmore.ethereum.EthereumEventFollower e) return e.isRunning();
        if (f instanceof io.evmore.cosmos.events.CosmosEventFollower cf) return cf.isRunning();
        return true;
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

    /**
     * Pauses intake. Works at any moment: while the relayer is still starting the request is remembered and the engine
     * starts paused (claims and refunds that protect funds still run once it starts).
     */
    @Override
    public Object pause() {
        synchronized (earlyGate) {
            io.evmore.app.relay.RelayWiring r = relay;
            if (r != null) {
                RelayEngine.Status st = r.engine().pause("admin API");
                return gateAnswer(st, keepIntakeGate(new EarlyGate(true, "admin API", clock.now())));
            }
            earlyGate.set(new EarlyGate(true, "admin API (during start-up)", clock.now()));
            log.warn("pause requested while the relayer is {}: the relay engine will start paused", phase);
            return Map.of("engine", earlyStatus());
        }
    }

    @Override
    public Object resume() {
        synchronized (earlyGate) {
            io.evmore.app.relay.RelayWiring r = relay;
            if (r != null) {
                RelayEngine.Status st = r.engine().resume("admin API");
                return gateAnswer(st, keepIntakeGate(new EarlyGate(false, "admin API", clock.now())));
            }
            earlyGate.set(new EarlyGate(false, "admin API (during start-up)", clock.now()));
            log.info("resume requested while the relayer is {}: the relay engine will start taking swaps", phase);
            return Map.of("engine", earlyStatus());
        }
    }

    /** The answer to a pause or resume: the engine's status and whether the database keeps it (else why not). */
    private static Map<String, Object> gateAnswer(RelayEngine.Status engine, String notKept) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", engine);
        m.put("keptInDatabase", notKept == null);
        if (notKept != null) m.put("warning", notKept);
        return m;
    }

    /**
     * Writes the operator's pause or resume to the database (fenced by this term's lease), so that a restart or a
     * standby's takeover keeps it. Returns null when kept, else what went wrong: this process still applies it, but the
     * next leader would not know.
     */
    private String keepIntakeGate(EarlyGate g) {
        io.evmore.store.DatabaseLease lease = termLease;
        try {
            if (lease == null) throw new IllegalStateException("this process holds no lease");
            store.jdbc().recordIntakeGate(lease, new io.evmore.store.IntakeGate(g.paused(), g.reason(), g.at(),
                    lease.holder().describe()));
            log.warn("intake {} by the {} at {}; kept in the database: a restart or a takeover keeps it",
                    g.paused() ? "PAUSED" : "resumed", g.reason(), g.at());
            return null;
        } catch (RuntimeException e) {
            String why = (g.paused() ? "paused" : "resumed") + " in this process only, NOT kept in the database ("
                    + e.getMessage() + "): a restart or a standby taking over would "
                    + (g.paused() ? "take new swaps again" : "still be paused") + "; repeat the request once the database answers";
            log.error("intake {}", why);
            return why;
        }
    }

    /**
     * Before the term's engine takes a step: a pause or resume asked for during start-up wins (and is kept in the
     * database); otherwise the operator's last one the database keeps applies, so a restart or a standby's takeover
     * starts paused when the operator had paused.
     */
    private void applyIntakeGate(RelayEngine engine, io.evmore.store.DatabaseLease lease) {
        EarlyGate g = earlyGate.getAndSet(null);
        if (g != null) {
            if (g.paused()) {
                engine.pause(g.reason() + " at " + g.at());
                log.warn("relay engine starts paused (requested during start-up at {}): no new swaps until resumed", g.at());
            }
            keepIntakeGate(g);
            return;
        }
        java.util.Optional<io.evmore.store.IntakeGate> kept;
        try {
            kept = store.jdbc().intakeGate();
        } catch (RuntimeException e) {
            // Unknown whether the operator paused: do not take new swaps on a guess (claims and refunds still run).
            engine.pause("the kept intake pause could not be read (" + e.getMessage() + ")");
            log.error("relay engine starts PAUSED: the operator's intake pause could not be read from the database ({});"
                    + " POST /admin/services/resume once you know intake may run", e.getMessage());
            return;
        }
        if (kept.isPresent() && kept.get().paused()) {
            io.evmore.store.IntakeGate k = kept.get();
            engine.pause(k.reason() + " at " + k.at() + " on " + k.by() + " (kept in the database)");
            log.warn("relay engine starts PAUSED: intake was paused by the {} at {} on {} and the database keeps the pause;"
                    + " no new swaps until POST /admin/services/resume (claims and refunds that protect funds run)",
                    k.reason(), k.at(), k.by());
        }
    }

    /** What /admin/services/status says of the engine before it exists. */
    private Map<String, Object> earlyStatus() {
        EarlyGate g = earlyGate.get();
        Map<String, Object> m = new LinkedHashMap<>();
        boolean paused = g != null && g.paused();
        m.put("intake", paused ? "PAUSED" : "NOT_STARTED");
        m.put("starting", true);
        if (g != null) {
            m.put("since", g.at());
            m.put("reason", g.reason());
        }
        m.put("note", paused ? "the relayer is " + phase + "; the relay engine will start paused: no new swaps are taken,"
                + " claims and refunds that protect funds will run" : "the relayer is " + phase + "; the relay engine has not started yet");
        return m;
    }

    @Override
    public Object servicesStatus() {
        Map<String, Object> body = new LinkedHashMap<>();
        io.evmore.app.relay.RelayWiring r = relay;
        body.put("engine", r == null ? earlyStatus() : r.engine().status());
        if (r != null) body.put("atRisk", r.engine().atRisk());
        if (r != null) {
            // Public addresses and holdings, so operators know what to fund.
            body.put("inventory", r.engine().inventory().stream().map(i -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("chain", i.chain().value());
                m.put("asset", i.asset());
                m.put("address", i.address());
                m.put("balance", i.balance() == null ? null : i.balance().toString());
                m.put("reserved", i.reserved().toString());
                m.put("available", i.available() == null ? null : i.available().toString());
                if (i.error() != null) m.put("error", i.error());
                return m;
            }).toList());
        }
        body.put("lease", leadership == null ? Map.of("role", "starting") : leadership.status());
        body.put("services", services.states());
        io.evmore.app.secrets.RelayerSecrets.Resolved rs = resolvedSecrets;
        if (rs != null) {
            Map<String, Object> sec = new LinkedHashMap<>();
            sec.put("provider", secrets.describe());
            sec.put("sources", rs.sourceView());
            if (lastSecretsRefresh != null) sec.put("lastRefresh", lastSecretsRefresh);
            body.put("secrets", sec);
        }
        body.put("startedAt", startedAt);
        body.put("environment", config.get().environment().name().toLowerCase());
        return body;
    }

    @Override
    public JsonNode config() {
        RelayerConfig c = config.get();
        JsonNode tree = ConfigRedactor.redactedTree(c);
        // Multi-hop routes: what the configuration implies, computed (H, and the denom the funds are at every hop)
        if (tree.path("chains").path("cosmos") instanceof com.fasterxml.jackson.databind.node.ArrayNode list) {
            for (int i = 0; i < list.size() && i < c.chains().cosmos().size(); i++) {
                var cc = c.chains().cosmos().get(i);
                if (cc.route() == null || !(list.get(i).path("route") instanceof com.fasterxml.jackson.databind.node.ObjectNode r)) continue;
                try {
                    var route = cc.route().toIbcRoute(cc.chainId());
                    r.put("worstCaseDeliverySeconds", route.worstCaseDelivery().toSeconds());
                    var denoms = r.putArray("denoms");
                    for (var d : route.denomsAlong(cc.route().denom())) {
                        denoms.addObject().put("chainId", d.chainId()).put("trace", d.trace()).put("denom", d.denom());
                    }
                } catch (RuntimeException e) {
                    r.put("error", e.getMessage());
                }
            }
        }
        return tree;
    }

    /** The keys the relay engine signs with now. */
    private volatile io.evmore.app.secrets.RelayerKeys runningKeys;

    /**
     * Re-reads the secrets from the running provider and applies what rotated, or refuses the whole change: a provider
     * that cannot answer, a malformed value, or a signing key that changed while swaps are in flight (a swap's
     * counter-lock and claims must be signed by the key that made its quote). A rotated signing key with no swap in
     * flight restarts the relay engine on the new key (intake paused during the switch, kept paused if it was); a rotated
     * database password is used by the next start (open connections keep working). Never shows a value.
     *
     * @param apply runs between the checks and the switch (the configuration reload), and may still refuse
     */
    private synchronized Map<String, Object> refreshSecrets(String trigger, Runnable apply) {
        io.evmore.app.secrets.RelayerSecrets.Resolved before = resolvedSecrets;
        io.evmore.app.secrets.RelayerSecrets.Resolved fresh;
        try {
            fresh = secrets.resolve(config.get());
        } catch (io.evmore.secrets.SecretsException e) {
            throw new io.evmore.app.secrets.ReloadRefusedException(e.getMessage());
        }
        List<io.evmore.secrets.SecretName> rotated = fresh.rotatedSince(before);
        List<String> rotatedIds = rotated.stream().map(io.evmore.secrets.SecretName::id).toList();
        boolean keysRotated = rotated.contains(io.evmore.secrets.SecretName.ETHEREUM_PRIVATE_KEY)
                || rotated.contains(io.evmore.secrets.SecretName.COSMOS_MNEMONIC);
        io.evmore.app.relay.RelayWiring r = relay;
        boolean wasPaused = r != null && r.engine().status().intake() == RelayEngine.Intake.PAUSED;
        if (keysRotated && r != null) {
            r.engine().pause("signing key rotation (" + trigger + ")");
            int inFlight = pendingCount();
            if (inFlight > 0) {
                if (!wasPaused) r.engine().resume("signing key rotation refused");
                throw new io.evmore.app.secrets.ReloadRefusedException(String.join(" and ", rotatedIds.stream()
                        .filter(n -> !n.equals("database-password")).toList()) + " changed at " + secrets.describe() + " while " + inFlight
                        + " swap(s) are in flight; the running key is kept. Pause intake (POST /admin/services/pause), wait until "
                        + "GET /admin/swaps/pending is empty, then reload again");
            }
        }
        try {
            apply.run();
        } catch (RuntimeException e) {
            if (keysRotated && r != null && !wasPaused) r.engine().resume("reload refused");
            throw e;
        }
        List<String> applied = new java.util.ArrayList<>();
        List<String> restartRequired = new java.util.ArrayList<>();
        resolvedSecrets = fresh;
        if (keysRotated && r != null) {
            io.evmore.app.secrets.RelayerKeys keys = io.evmore.app.secrets.RelayerKeys.from(fresh, localChains.keys());
            if (switchKeys(keys, wasPaused)) {
                rotated.stream().filter(n -> n != io.evmore.secrets.SecretName.DATABASE_PASSWORD).forEach(n -> applied.add(n.id()));
            } else {
                resolvedSecrets = before;
                throw new io.evmore.app.secrets.ReloadRefusedException(String.join(" and ", rotatedIds) + " changed at " + secrets.describe()
                        + " but a lock arrived during the switch; the running key is kept. Pause intake, wait until no swap is pending, "
                        + "then reload again");
            }
        } else if (keysRotated) {
            rotated.stream().filter(n -> n != io.evmore.secrets.SecretName.DATABASE_PASSWORD).forEach(n -> applied.add(n.id()));
        }
        if (rotated.contains(io.evmore.secrets.SecretName.DATABASE_PASSWORD)) restartRequired.add("database-password");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("provider", secrets.describe());
        out.put("trigger", trigger);
        out.put("at", Instant.now().toString());
        out.put("rotated", rotatedIds);
        out.put("applied", applied);
        out.put("restartRequired", restartRequired);
        out.put("sources", fresh.sourceView());
        lastSecretsRefresh = out;
        if (rotatedIds.isEmpty()) {
            log.info("secrets: {} from {}: nothing rotated", trigger, secrets.describe());
        } else {
            log.warn("secrets: {} from {}: rotated {}; applied {}; at next start {}", trigger, secrets.describe(), rotatedIds, applied,
                    restartRequired);
        }
        return out;
    }

    private int pendingCount() {
        StoreWiring s = store;
        return s == null ? 0 : s.store().pending(1000).size();
    }

    /**
     * Restarts the relay engine on new keys. The followers are stopped first; if a swap appeared meanwhile (a lock seen
     * while the intake was paused), the engine comes back on the old keys and the switch is refused.
     */
    private boolean switchKeys(io.evmore.app.secrets.RelayerKeys keys, boolean keepPaused) {
        synchronized (termLock) { // not while the lease's term starts or stops
            io.evmore.store.DatabaseLease lease = leadership.lease();
            if (lease == null) throw new io.evmore.core.error.LeaseLostException("this process no longer holds the lease");
            io.evmore.app.relay.RelayWiring old = relay;
            Duration stop = Duration.ofSeconds(Math.max(1, config.get().shutdown().timeoutSeconds() / 2));
            old.stop(stop);
            old.close();
            boolean clear = pendingCount() == 0;
            io.evmore.app.secrets.RelayerKeys use = clear ? keys : runningKeys;
            // the same term: the store fenced by the lease, the broadcasts guarded by it
            io.evmore.app.relay.RelayWiring next = new io.evmore.app.relay.RelayWiring(config.get(), use, pools, store.fencedBy(lease),
                    metrics, clock);
            next.engine().leaseGuard(lease);
            if (tracing != null) next.engine().tracing(tracing);
            // a deliberate rotation: the database now belongs to the new addresses (the old keys are refused from here on)
            if (clear) log.warn("relayer addresses of {}: {}", store.describe(), store.jdbc().rebindAddresses(lease, next.addresses()));
            synchronized (earlyGate) {
                // paused before it takes a step (and an operator's pause meanwhile waits for the switch, then reaches it)
                if (keepPaused) next.engine().pause("paused before the signing key rotation");
                relay = next;
            }
            next.start();
            if (clear) runningKeys = keys;
            log.warn("secrets: relay engine {} ({})", clear ? "restarted on the rotated signing keys" : "restarted on the running keys (rotation refused)",
                    next.chains().values().stream().map(ch -> ch.chain().value() + " as " + ch.relayerAddress()).toList());
            return clear;
        }
    }

    private void periodicSecretsRefresh() {
        try {
            refreshSecrets("periodic refresh", () -> {});
        } catch (io.evmore.app.secrets.ReloadRefusedException e) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("provider", secrets.describe());
            out.put("trigger", "periodic refresh");
            out.put("at", Instant.now().toString());
            out.put("refused", e.getMessage());
            lastSecretsRefresh = out;
            log.warn("secrets: periodic refresh refused, running values kept: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("secrets: periodic refresh failed, running values kept: {}", e.getClass().getSimpleName());
        }
    }

    @Override
    public Object reloadConfig() {
        LiveConfig.ReloadResult[] result = new LiveConfig.ReloadResult[1];
        Map<String, Object> secretsPart = refreshSecrets("reload", () -> result[0] = config.reload());
        LiveConfig.ReloadResult r = result[0];
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("file", r.file());
        body.put("changed", r.changed());
        body.put("applied", r.applied());
        body.put("restartRequired", r.restartRequired());
        body.put("adminTokenSource", adminTokenSource);
        body.put("secrets", secretsPart);
        return body;
    }

    @Override
    public Object pendingSwaps(int limit) {
        StoreWiring s = store; // HTTP starts before the database
        if (s == null) throw new NotReadyException("the database is not open yet (relayer " + phase + ")");
        List<Swap> swaps = s.store().pending(limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", swaps.size());
        body.put("limit", limit);
        body.put("atRisk", relay == null ? 0 : relay.engine().atRisk().size());
        Instant now = clock.now();
        RelayEngine engine = relay == null ? null : relay.engine();
        body.put("swaps", swaps.stream().map(sw -> SwapView.of(sw, now, engine)).toList());
        return body;
    }

    @Override
    public Object swap(String hashlockHex) {
        io.evmore.core.swap.Hashlock h = io.evmore.core.swap.Hashlock.fromHex(hashlockHex);
        StoreWiring st = store; // HTTP starts before the database
        if (st == null) throw new NotReadyException("the database is not open yet (relayer " + phase + ")");
        return st.store().inTransaction(tx -> tx.findByHashlock(h).map(s -> {
            Map<String, Object> body = new LinkedHashMap<>();
            RelayEngine engine = relay == null ? null : relay.engine();
            body.put("swap", SwapView.of(s, clock.now(), engine));
            body.put("transitions", tx.transitions(s.id()).stream().map(t -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("from", t.from() == null ? null : t.from().name());
                m.put("to", t.to().name());
                m.put("cause", t.cause());
                m.put("txHash", t.txHash());
                m.put("at", t.at());
                return m;
            }).toList());
            return (Object) body;
        }).orElse(null));
    }

    /**
     * Swap as JSON: amounts as decimal strings (uint256 does not fit a JSON number), hashlock as hex; its age, last
     * error and the next deadline that matters; for a multi-hop swap the counter-lock transfer's packet
     * ({@code <home chain>:<channel>/<sequence>}). Never the secret.
     */
    public record SwapView(String id, String state, long ageSeconds, String lastError, Object nextDeadline, Object atRisk, String fromChain,
            String toChain, String sourceHtlcId, String destHtlcId, String hashlock, String sender, String receiver,
            String sourceAsset, String sourceAmount, String destAsset, String destAmount, String feeAmount, long sourceTimelock,
            long destTimelock, long sourceHeight, String sourceTxHash, String counterPacket, Instant createdAt, Instant updatedAt) {
        static SwapView of(Swap s, Instant now, RelayEngine engine) {
            Object deadline = engine == null ? null : engine.deadline(s).map(d -> Map.of("what", d.what(), "at", d.at(),
                    "inSeconds", d.at() - now.getEpochSecond())).orElse(null);
            Object risk = engine == null ? null : engine.atRisk(s.id()).map(a -> Map.of("kind", a.kind(), "reason", a.reason(),
                    "secondsLeft", a.secondsLeft(), "since", a.since())).orElse(null);
            return new SwapView(s.id(), s.state().name(), Math.max(0, now.getEpochSecond() - s.createdAt().getEpochSecond()),
                    s.lastError(), deadline, risk, s.fromChain().value(), s.toChain().value(), s.sourceHtlcId(), s.destHtlcId(),
                    s.hashlock().hex(), s.sender(), s.receiver(), s.sourceAsset(), s.sourceAmount().toString(), s.destAsset(),
                    s.destAmount() == null ? null : s.destAmount().toString(), s.feeAmount() == null ? null : s.feeAmount().toString(),
                    s.sourceTimelock(), s.destTimelock(), s.sourceHeight(), s.sourceTxHash(),
                    s.counterPacket() == null ? null : s.counterPacket().text(), s.createdAt(), s.updatedAt());
        }
    }
}
