package io.evmore.app.chains;

import io.evmore.app.config.RelayerConfig;
import io.evmore.app.health.HealthCheck;
import io.evmore.app.pools.PoolAdmin;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.Web3jConnections;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.EndpointState;
import io.evmore.pool.PoolRegistry;
import io.evmore.pool.PoolSettings;
import io.evmore.pool.PoolStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RPC endpoint pool per configured chain, in a {@link PoolRegistry}: what /admin/pools/* act on and what
 * /health reports per chain. Pools are named {@code ethereum} (the guide's label) and {@code cosmos:<chain id>}.
 */
public final class ChainPools implements PoolAdmin {
    private static final Logger log = LoggerFactory.getLogger(ChainPools.class);
    private final Supplier<RelayerConfig.Chains> chains;
    private final PoolRegistry registry;
    private final Clock clock;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private volatile EthereumSettings ethereumSettings;
    private volatile EndpointPool<io.evmore.ethereum.EthConnection> ethereumPool;
    private final Map<String, PooledCometTransport> cosmosTransports = new LinkedHashMap<>();

    public ChainPools(Supplier<RelayerConfig.Chains> chains, PrometheusRegistry metrics, Clock clock) {
        this.chains = chains;
        this.registry = new PoolRegistry(metrics);
        this.clock = clock;
    }

    /**
     * Upper bound on waiting for the pools' first health round at start: a probe gives up after the pools'
     * probeTimeout (10 s), so this is reached only if something hangs beyond that; start then goes on and
     * /health reports each pool as its checks complete.
     */
    static final Duration FIRST_CHECK_BOUND = Duration.ofSeconds(15);

    /**
     * Creates and starts every pool (no network I/O here: each pool's own scheduler runs its first health round at
     * once, so the pools are probed in parallel), then waits for every endpoint's first result, at most
     * {@link #FIRST_CHECK_BOUND}. A hung endpoint costs one probe timeout for the whole start, not one per pool.
     */
    @Override
    public void start() throws InterruptedException {
        begin();
        awaitFirstHealthRound();
    }

    /**
     * Creates and starts every pool and returns at once: their first health round runs on the pools' own threads
     * (so the relayer's start goes on meanwhile: HTTP, the database). {@link #awaitFirstHealthRound()} waits for it.
     */
    public void begin() {
        RelayerConfig.Chains c = chains.get();
        if (c.ethereum() != null) {
            var eth = c.ethereum();
            EthereumSettings settings = EthereumSettings.of(ChainId.of(eth.chainId()), Endpoint.numbered(eth.rpcUrls()), eth.htlcContract())
                    .withConfirmations(eth.confirmations())
                    .withPool(poolSettings(PoolSettings.ethereumDefaults(), eth.pool()));
            EndpointPool<io.evmore.ethereum.EthConnection> pool = Web3jConnections.pool(settings, registry.metrics(), clock);
            ethereumSettings = settings;
            ethereumPool = pool;
            registry.register(pool);
            owned.add(pool);
            pool.start();
        }
        for (var cc : c.cosmos()) {
            PooledCometTransport transport = PooledCometTransport.start(CosmosAdapter.poolName(cc.chainId()), cc.chainId(),
                    Endpoint.numbered(cc.rpcUrls()), poolSettings(PoolSettings.cosmosDefaults(), cc.pool()), registry.metrics(), Duration.ofSeconds(10));
            owned.add(transport);
            cosmosTransports.put(cc.chainId(), transport);
            registry.register(transport.pool());
        }
    }

    /** Waits for the first health round of the pools {@link #begin()} started, at most {@link #FIRST_CHECK_BOUND}. */
    public void awaitFirstHealthRound() throws InterruptedException {
        awaitFirstHealthRound(FIRST_CHECK_BOUND);
    }

    /** True when every endpoint of every pool has been probed once, within {@code bound}. */
    boolean awaitFirstHealthRound(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            List<String> pending = new ArrayList<>();
            for (PoolStatus p : registry.status()) {
                if (p.endpoints().stream().anyMatch(e -> e.lastCheckedAt() == null)) pending.add(p.pool());
            }
            if (pending.isEmpty()) return true;
            if (System.nanoTime() >= deadline) {
                log.warn("pools {}: first health check not finished after {} s; starting anyway, /health reports them as they complete",
                        pending, bound.toSeconds());
                return false;
            }
            Thread.sleep(25); // polling a status snapshot; the probes themselves run on the pools' threads
        }
    }

    /** The guide's five settings from the config over the adapter's defaults for the rest. */
    static PoolSettings poolSettings(PoolSettings defaults, RelayerConfig.Pool p) {
        return defaults.withConnections(p.maxConnections(), p.minConnections())
                .withAcquireTimeout(Duration.ofMillis(p.acquireTimeout()))
                .withHealthCheckInterval(Duration.ofMillis(p.healthCheckInterval()))
                .withRetry(Duration.ofMillis(p.retryDelay()), defaults.maxAttempts());
    }

    /** The Ethereum chain's settings and pool (the adapters share it: no second pool per chain); null if none. */
    public EthereumSettings ethereumSettings() {
        return ethereumSettings;
    }

    public EndpointPool<io.evmore.ethereum.EthConnection> ethereumPool() {
        return ethereumPool;
    }

    /** The pooled transport of a configured Cosmos chain. */
    public PooledCometTransport cosmosTransport(String chainId) {
        PooledCometTransport t = cosmosTransports.get(chainId);
        if (t == null) throw new IllegalArgumentException("no pool for Cosmos chain " + chainId);
        return t;
    }

    public PoolRegistry registry() {
        return registry;
    }

    @Override
    public Object status() {
        return Map.of("pools", registry.status());
    }

    @Override
    public Object drain(Duration timeout) {
        return Map.of("drained", registry.drain(timeout));
    }

    @Override
    public Object refresh() {
        return Map.of("refreshed", registry.refresh());
    }

    /** Ready when every pool is lending and has at least one usable endpoint. */
    @Override
    public HealthCheck.Result health() {
        List<PoolStatus> all = registry.status();
        if (all.isEmpty()) return HealthCheck.Result.up("no chain pools configured");
        Map<String, Object> data = new LinkedHashMap<>();
        List<String> down = new ArrayList<>();
        for (PoolStatus p : all) {
            long usable = p.endpoints().stream()
                    .filter(e -> e.state() == EndpointState.HEALTHY || e.state() == EndpointState.DEGRADED).count();
            data.put(p.pool(), Map.of("state", p.state(), "usableEndpoints", usable, "endpoints", p.endpoints().size()));
            if (p.state() != PoolStatus.Lifecycle.ACTIVE) {
                down.add(p.pool() + " is " + p.state().name().toLowerCase() + (p.state() == PoolStatus.Lifecycle.DRAINED ? " (refresh to resume)" : ""));
            } else if (usable == 0) {
                down.add(p.pool() + " has no healthy endpoint");
            }
        }
        return new HealthCheck.Result(down.isEmpty(), down.isEmpty() ? all.size() + " pool(s) ready" : String.join("; ", down), data);
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
        owned.clear();
        cosmosTransports.clear();
        ethereumPool = null;
    }
}
