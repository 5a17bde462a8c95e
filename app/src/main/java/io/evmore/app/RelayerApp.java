package io.evmore.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.chains.ChainPools;
import io.evmore.app.chains.EthereumCryptoWarmup;
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
import io.evmore.app.metrics.RelayerMetrics;
import io.evmore.app.ops.HeapWatch;
import io.evmore.core.engine.RelayEngine;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
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
 *
 * <p>Its parts: the operator's intake pause {@link IntakeGates}, the secrets and their refresh {@link SecretsRefresh},
 * the admin token {@link AdminTokens}, the admin API's views {@link AdminViews} and {@link SwapView}.
 */
public final class RelayerApp implements AdminOperations, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayerApp.class);

    private final LiveConfig config;
    private final Clock clock = Clock.system();
    private final RelayerMetrics metrics = new RelayerMetrics();
    private final HealthRegistry health = new HealthRegistry(5_000);
    private final ServiceController services = new ServiceController();
    private volatile io.evmore.app.relay.RelayWiring relay;
    /** The operator's pause and resume; {@link IntakeGates#lock()} guards {@link #relay}'s changes. */
    private final IntakeGates intake = new IntakeGates(clock, () -> this.relay, () -> this.store, () -> this.phase);
    private final Instant startedAt = Instant.now();
    /** starting → running → stopping: /health is 503 with this detail until every service has started. */
    private volatile String phase = "starting";
    private final AdminTokens adminTokens = new AdminTokens(this);
    private volatile StoreWiring store;
    private volatile Leadership leadership;
    /** The secrets provider, and what it gave at start or at the last applied reload/refresh (never logged). */
    private volatile io.evmore.app.secrets.RelayerSecrets secrets;
    private volatile SecretsRefresh secretsRefresh;
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
        ConfigSecrets.register(c);
        log.info("EVMore relayer starting: environment={}, config={}", c.environment().name().toLowerCase(), config.file());
        // Secrets first: every value is registered with the log redactor before anything can print it, and a provider
        // that cannot answer (or a missing or malformed secret) stops the start here with one line naming both.
        secrets = io.evmore.app.secrets.RelayerSecrets.open(c.secrets(), System.getenv());
        secretsRefresh = new SecretsRefresh(secrets, secrets.resolve(c), config, new SecretsRefresh.App() {
            @Override
            public io.evmore.app.relay.RelayWiring relay() {
                return relay;
            }

            @Override
            public int pendingCount() {
                return RelayerApp.this.pendingCount();
            }

            @Override
            public io.evmore.app.secrets.RelayerKeys localKeys() {
                return localChains.keys();
            }

            @Override
            public boolean switchKeys(io.evmore.app.secrets.RelayerKeys keys, boolean keepPaused) {
                return RelayerApp.this.switchKeys(keys, keepPaused);
            }
        }, this);
        secretsRefresh.resolved().sources().forEach((name, source) -> log.info("secret {}: {}", name.id(), source));
        if (c.chains().ethereum() != null || c.localChains().enabled()) EthereumCryptoWarmup.begin();
        // A configured token is known now (no file touched); a generated one is written once this process holds the lease.
        if (c.admin().token() != null && !c.admin().token().isBlank()) {
            adminTokens.useConfigured(c.admin().token());
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
            addPoolsBegin(c);
            addHttp(c);
            services.add(Service.of("database", () -> {
                if (c.localChains().enabled()) {
                    // Local chains are new on every start: what a previous run stored about its chains would only confuse
                    // this one. Kept aside (not deleted), under this process's lease, before the database opens.
                    LocalChains.setAsideUnderLease(Path.of(c.database().path()));
                }
                store = StoreWiring.open(c, secretsRefresh.resolved().databasePassword());
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
                store = StoreWiring.open(c, secretsRefresh.resolved().databasePassword());
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
            addPoolsBegin(c);
            // HTTP once the lease is decided: a standby serves /health (503, naming the leader) and /metrics; /admin
            // answers only on the leader (503 elsewhere, but for /admin/services/status).
            addHttp(c);
        }
        // The pools' first health round, begun above, is awaited here (at most ChainPools.FIRST_CHECK_BOUND).
        services.add(Service.of("pools-ready", () -> {
            if (!c.localChains().enabled()) pools.awaitFirstHealthRound();
        }, () -> {}));
        services.add(Service.of("lease", () -> leadership.begin(), () -> leadership.close()));
        services.add(Service.of("heap-watch", () -> heapWatch.start(c.heap().checkIntervalSeconds()), heapWatch::close));
        services.add(Service.of("housekeeping", () -> {
            housekeeping.scheduleWithFixedDelay(this::refreshGauges, 0, 15, TimeUnit.SECONDS);
            int every = c.secrets().refreshIntervalSeconds();
            if (every > 0) {
                housekeeping.scheduleWithFixedDelay(secretsRefresh::periodic, every, every, TimeUnit.SECONDS);
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

    /**
     * The chain pools begin once the lease is decided (SQLite: its lock file; PostgreSQL: the database): their first
     * health round (a connection and a status call per endpoint, and the RPC clients' class loading) runs on the pools'
     * own threads while HTTP and the database start, instead of after them. A standby keeps its chain pools warm
     * (health probes only: pools follow no chain and write nothing). With local chains the pools start with them, in
     * the leader's first term.
     */
    private void addPoolsBegin(RelayerConfig c) {
        services.add(Service.of("pools", () -> {
            if (!c.localChains().enabled()) pools.begin();
        }, pools::close));
    }

    /** HTTP: /health/live and /metrics at once, /health 503 until the term runs, /admin only on the lease holder. */
    private void addHttp(RelayerConfig c) {
        services.add(Service.of("http", () -> {
            boolean ownMetricsPort = c.http().metricsPort() >= 0;
            if (ownMetricsPort) {
                metricsServer = io.evmore.app.metrics.MetricsServer.start(c.http().host(), c.http().metricsPort(), metrics.registry());
                log.info("metrics listening on {}:{} (/metrics only)", c.http().host(), metricsServer.port());
            }
            http = new HttpApi(c.http().host(), c.http().port(), health, metrics.registry(), new BearerAuth(adminTokens::token), this,
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
                adminTokens.resolve(c);
                if (c.localChains().enabled()) {
                    localChains.awaitStarted(Duration.ofMinutes(2));
                    config.initialise(localChains.withChains(config.get()));
                    pools.start();
                }
            }
            store.startRetention(config.get(), clock, fenced);
            RelayerConfig now = config.get();
            io.evmore.app.secrets.RelayerKeys keys = io.evmore.app.secrets.RelayerKeys.from(secretsRefresh.resolved(), localChains.keys());
            io.evmore.app.relay.RelayWiring wiring = new io.evmore.app.relay.RelayWiring(now, keys, pools, fenced, metrics, clock);
            try {
                wiring.engine().leaseGuard(lease);
                if (tracing != null) wiring.engine().tracing(tracing);
                metrics.chains(wiring.chains().keySet().stream().map(io.evmore.core.chain.ChainId::value).toList());
                Map<String, String> bound = store.jdbc().bindAddresses(lease, wiring.addresses());
                log.info("relayer addresses of {}: {}", store.describe(), bound);
                synchronized (intake.lock()) {
                    intake.termLease(lease);
                    intake.apply(wiring.engine(), lease);
                    relay = wiring; // from here on, pause/resume go to the engine itself
                }
                runningKeys = keys;
                wiring.start();
            } catch (Exception | Error e) {
                synchronized (intake.lock()) {
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
            synchronized (intake.lock()) {
                r = relay;
                relay = null;
                intake.termLease(null);
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
            return io.evmore.app.relay.RelayerAddresses.of(c, io.evmore.app.secrets.RelayerKeys.from(secretsRefresh.resolved(), null));
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
        adminTokens.reloaded(next);
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
        return intake.pause();
    }

    @Override
    public Object resume() {
        return intake.resume();
    }

    @Override
    public Object servicesStatus() {
        Map<String, Object> body = new LinkedHashMap<>();
        io.evmore.app.relay.RelayWiring r = relay;
        body.put("engine", r == null ? intake.earlyStatus() : r.engine().status());
        if (r != null) body.put("atRisk", r.engine().atRisk());
        if (r != null) {
            // Public addresses and holdings, so operators know what to fund.
            body.put("inventory", AdminViews.inventory(r.engine().inventory()));
        }
        body.put("lease", leadership == null ? Map.of("role", "starting") : leadership.status());
        body.put("services", services.states());
        io.evmore.app.secrets.RelayerSecrets.Resolved rs = secretsRefresh == null ? null : secretsRefresh.resolved();
        if (rs != null) {
            Map<String, Object> sec = new LinkedHashMap<>();
            sec.put("provider", secrets.describe());
            sec.put("sources", rs.sourceView());
            if (secretsRefresh.lastRefresh() != null) sec.put("lastRefresh", secretsRefresh.lastRefresh());
            body.put("secrets", sec);
        }
        body.put("startedAt", startedAt);
        body.put("environment", config.get().environment().name().toLowerCase());
        return body;
    }

    @Override
    public JsonNode config() {
        return AdminViews.config(config.get());
    }

    /** The keys the relay engine signs with now. */
    private volatile io.evmore.app.secrets.RelayerKeys runningKeys;

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
            synchronized (intake.lock()) {
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

    @Override
    public Object reloadConfig() {
        LiveConfig.ReloadResult[] result = new LiveConfig.ReloadResult[1];
        Map<String, Object> secretsPart = secretsRefresh.refresh("reload", () -> result[0] = config.reload());
        LiveConfig.ReloadResult r = result[0];
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("file", r.file());
        body.put("changed", r.changed());
        body.put("applied", r.applied());
        body.put("restartRequired", r.restartRequired());
        body.put("adminTokenSource", adminTokens.source());
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
        RelayEngine engine = relay == null ? null : relay.engine();
        return st.store().inTransaction(tx -> tx.findByHashlock(h)
                .map(s -> (Object) AdminViews.swap(s, tx.transitions(s.id()), clock.now(), engine)).orElse(null));
    }
}
