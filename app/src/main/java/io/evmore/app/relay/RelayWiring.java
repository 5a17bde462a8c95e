package io.evmore.app.relay;

import io.evmore.app.chains.ChainPools;
import io.evmore.app.config.ConfigException;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.metrics.RelayerMetrics;
import io.evmore.app.secrets.RelayerKeys;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.engine.EngineSettings;
import io.evmore.core.engine.RelayEngine;
import io.evmore.core.policy.Confirmations;
import io.evmore.core.policy.Pair;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.TimelockPolicy;
import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.core.port.SwapStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.ibc.CosmosIbcCounterLock;
import io.evmore.cosmos.ibc.IbcRoute;
import io.evmore.cosmos.ibc.IbcRouteCheck;
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.ethereum.EthereumEventFollower;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.Web3jHtlcChain;
import io.evmore.pool.ChainMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the relay engine of the running service: one HTLC adapter and one follower per configured chain, on the
 * pools {@link ChainPools} already owns (no second pool per chain), the validator from the pair table and timelock
 * parameters, and the engine. {@link #start()} recovers open intents before the followers and the scheduler run.
 */
public final class RelayWiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayWiring.class);

    private final RelayEngine engine;
    private final Map<ChainId, HtlcChain> chains;
    private final List<ChainEvents> followers = new ArrayList<>();
    private final List<CosmosAdapter> cosmosAdapters = new ArrayList<>();
    /** Multi-hop destinations, with the adapters their start-up check asks. */
    private final List<RoutedDestination> routes = new ArrayList<>();
    /** Held routes are asked again this often; confirmed ones every {@link #ROUTE_RECHECK}. */
    static final Duration ROUTE_RETRY = Duration.ofSeconds(30);
    static final Duration ROUTE_RECHECK = Duration.ofMinutes(5);
    private final RouteChannelWatch routeWatch;

    /** A configured route: the counter-lock port, and the home and final chains' adapters for the channel check. */
    record RoutedDestination(CosmosIbcCounterLock counterLock, CosmosAdapter home, CosmosAdapter finalChain) {}
    private final SwapStore store;
    /** Test only ({@code environment: test}): events the followers lose on purpose; null otherwise. */
    private final TestLostEvents lostEvents;

    public RelayWiring(RelayerConfig c, RelayerKeys keys, ChainPools pools, SwapStore store, RelayerMetrics metrics, Clock clock) {
        this.store = store;
        CursorStore cursors = CursorStore.of(store, clock);
        Map<ChainId, HtlcChain> adapters = new LinkedHashMap<>();
        Map<ChainId, Predicate<String>> receivers = new LinkedHashMap<>();
        Map<ChainId, Confirmations.Rule> confirmations = new LinkedHashMap<>();
        Map<ChainId, TimelockPolicy.ChainTiming> timings = new LinkedHashMap<>();
        Map<String, CosmosAdapter> cosmosById = new LinkedHashMap<>();

        var eth = c.chains().ethereum();
        if (eth != null) {
            if (keys.ethereumPrivateKey() == null) {
                throw new ConfigException("secrets." + RelayerKeys.ETHEREUM_PRIVATE_KEY,
                        "is required to relay on " + eth.chainId() + " (set ETHEREUM_PRIVATE_KEY or a file in secrets.dir)");
            }
            EthereumSettings settings = pools.ethereumSettings();
            // -1: the follower takes the chain's head when it first starts (no call to a chain during start-up)
            long start = eth.startBlock();
            Web3jHtlcChain chain = Web3jHtlcChain.withKey(settings, pools.ethereumPool(), keys.ethereumPrivateKey(),
                    ChainMetrics.on(metrics.registry()));
            ChainId id = settings.chain();
            adapters.put(id, chain);
            // The engine counts confirmations itself (tiered by value): the follower reports every block and rolls back reorgs.
            followers.add(new EthereumEventFollower(settings.withConfirmations(1).withStartBlock(start), pools.ethereumPool(),
                    cursors, clock, ChainMetrics.on(metrics.registry()), chain.relayerAddress()));
            receivers.put(id, a -> a != null && a.matches("0x[0-9a-fA-F]{40}"));
            confirmations.put(id, new Confirmations.Rule(eth.confirmations(), tiers(eth.confirmationTiers())));
            timings.put(id, new TimelockPolicy.ChainTiming((long) eth.confirmations() * eth.blockTimeSeconds(), eth.claimInclusionSeconds()));
            log.info("relay: {} as {} on contract {}", id, chain.relayerAddress(), settings.contractAddress());
        }
        CosmosSigner cosmosSigner = null; // one derivation (BIP39 seed: 2,048 HMAC-SHA512 rounds) for every Cosmos chain
        for (var cc : c.chains().cosmos()) {
            if (keys.cosmosMnemonic() == null) {
                throw new ConfigException("secrets." + RelayerKeys.COSMOS_MNEMONIC,
                        "is required to relay on " + cc.chainId() + " (set COSMOS_MNEMONIC or a file in secrets.dir)");
            }
            ChainId id = ChainId.of(cc.chainId());
            CosmosSettings settings = CosmosSettings.of(id, cc.prefix(), cc.denom(), cc.rpcUrls(), new BigDecimal(cc.gasPrice()),
                    cc.htlcContract()).withStartHeight(Math.max(0, cc.startHeight()));
            if (cosmosSigner == null) cosmosSigner = CosmosSigner.fromMnemonic(keys.cosmosMnemonic());
            CosmosAdapter adapter = new CosmosAdapter(settings, cosmosSigner,
                    pools.cosmosTransport(cc.chainId()), metrics.registry(), cursors, clock);
            cosmosAdapters.add(adapter);
            cosmosById.put(cc.chainId(), adapter);
            adapters.put(id, adapter.htlcChain());
            followers.add(adapter.follower());
            String prefix = cc.prefix();
            receivers.put(id, a -> a != null && Bech32Address.isValid(a, prefix));
            confirmations.put(id, new Confirmations.Rule(cc.confirmations(), tiers(cc.confirmationTiers())));
            timings.put(id, new TimelockPolicy.ChainTiming((long) cc.confirmations() * cc.blockTimeSeconds(), cc.claimInclusionSeconds()));
            log.info("relay: {} as {} on contract {}", id, adapter.htlcChain().relayerAddress(), cc.htlcContract());
        }
        this.chains = Map.copyOf(adapters);
        Map<ChainId, Long> routeSeconds = new LinkedHashMap<>();
        for (var cc : c.chains().cosmos()) {
            if (cc.route() == null) continue;
            CosmosAdapter home = cosmosById.get(cc.route().from());
            CosmosAdapter fin = cosmosById.get(cc.chainId());
            IbcRoute route = cc.route().toIbcRoute(cc.chainId());
            CosmosIbcCounterLock lock = home.counterLockOver(route, cc.route().denom(), cc.htlcContract(), fin.htlcChain().relayerAddress());
            routes.add(new RoutedDestination(lock, home, fin));
            routeSeconds.put(ChainId.of(cc.chainId()), lock.worstCaseDeliverySeconds());
            checkPairs(c.swaps().pairs(), cc.chainId(), lock.finalAsset(), route, cc.route().denom());
            log.info("relay: {} is reached over IBC from {}: {} arrives as {} (H = {} s); HTLCs there are created by {} and refund to {}",
                    cc.chainId(), cc.route().from(), cc.route().denom(), lock.finalAsset(), lock.worstCaseDeliverySeconds(),
                    lock.finalCreator(), lock.refundAddress());
        }
        this.routeWatch = routeWatch(routes, metrics.registry());
        var t = c.swaps().timelocks();
        TimelockPolicy policy = new TimelockPolicy(timings, t.pollDelaySeconds(), t.safetyMarginSeconds(), t.userClaimWindowSeconds(),
                routeSeconds);
        SwapValidator validator = new SwapValidator(pairs(c.swaps().pairs()), policy, new Confirmations(confirmations), receivers);
        var safety = c.swaps().safety();
        EngineSettings engineSettings = EngineSettings.defaults(validator)
                .withSecretWatch(Duration.ofSeconds(safety.secretWatchSeconds()))
                .withAtRiskLead(Duration.ofSeconds(safety.atRiskLeadSeconds()))
                .withFeeEscalation(Duration.ofSeconds(safety.feeEscalationSeconds()));
        this.engine = new RelayEngine(clock, metrics, store, chains,
                routes.stream().map(r -> (io.evmore.core.chain.IbcCounterLock) r.counterLock()).toList(),
                engineSettings, null);
        String lose = System.getenv(TestLostEvents.ENV);
        if (lose != null && !lose.isBlank() && c.environment() == RelayerConfig.Environment.TEST) {
            this.lostEvents = TestLostEvents.parse(lose);
        } else {
            if (lose != null && !lose.isBlank()) log.warn("{} is ignored outside environment: test", TestLostEvents.ENV);
            this.lostEvents = null;
        }
        String halt = System.getenv(TestHaltPoints.ENV);
        String pause = System.getenv(TestHaltPoints.PAUSE_ENV);
        boolean anyHalt = halt != null && !halt.isBlank() || pause != null && !pause.isBlank();
        if (anyHalt) {
            if (c.environment() == RelayerConfig.Environment.TEST) {
                engine.faultPoints(TestHaltPoints.of(halt, pause));
                log.warn("{}/{} set: this test process stops itself at {} / freezes at {}", TestHaltPoints.ENV,
                        TestHaltPoints.PAUSE_ENV, halt, pause);
            } else {
                log.warn("{} and {} are ignored outside environment: test", TestHaltPoints.ENV, TestHaltPoints.PAUSE_ENV);
            }
        }
    }

    /**
     * Routes checked against the chains' channels (a route whose chains cannot answer is held, and asked again on a timer), recovery (open intents reconciled), then the
     * followers, then the scheduler.
     *
     * @throws ConfigException when a chain contradicts a configured route (a wrong or closed channel)
     */
    public void start() {
        routeWatch.checkAtStart();
        routeWatch.start();
        engine.recover();
        for (ChainEvents f : followers) {
            ChainEvents.Listener l = engine.listener(f.chain());
            f.start(lostEvents == null ? l : lostEvents.wrap(f.chain(), l));
        }
        engine.start();
        log.info("relay engine running on {} chain(s), {} pair(s)", chains.size(), engine.status());
    }

    public RelayEngine engine() {
        return engine;
    }

    public Map<ChainId, HtlcChain> chains() {
        return chains;
    }

    /** The relayer's signing address per chain (chain id → address), as its adapters sign. */
    public Map<String, String> addresses() {
        Map<String, String> out = new java.util.TreeMap<>();
        chains.forEach((id, c) -> out.put(id.value(), c.relayerAddress()));
        return out;
    }

    public List<ChainEvents> followers() {
        return List.copyOf(followers);
    }

    public SwapStore store() {
        return store;
    }

    /** Followers first (no new events), then the engine (steps finish or stay persisted). */
    public boolean stop(Duration timeout) {
        for (ChainEvents f : followers) {
            try {
                f.close();
            } catch (RuntimeException e) {
                log.warn("closing follower of {}: {}", f.chain(), e.getMessage());
            }
        }
        routeWatch.close();
        return engine.stop(timeout);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
        for (CosmosAdapter a : cosmosAdapters) a.close();
    }

    /** Pairs into a routed destination lock what the route delivers there: its final ibc/ denom. */
    private static void checkPairs(List<RelayerConfig.PairConfig> pairs, String dest, String finalDenom, IbcRoute route, String homeDenom) {
        for (int i = 0; i < pairs.size(); i++) {
            var p = pairs.get(i);
            if (p.to().equals(dest) && !p.toAsset().equals(finalDenom)) {
                throw new ConfigException("swaps.pairs[" + i + "].toAsset", "must be " + finalDenom + ": " + dest + " is reached over IBC and "
                        + homeDenom + " from " + route.homeChainId() + " arrives there as " + finalDenom + " (trace "
                        + route.denomsAlong(homeDenom).getLast().trace() + "), got \"" + p.toAsset() + "\"");
            }
        }
    }

    /**
     * Whether the configured channels exist, are open and face each other, asked of the home and final chains: at start
     * (a contradiction stops the relayer; a chain that cannot answer holds its route until it does) and then on a
     * timer (see {@link RouteChannelWatch}).
     */
    private static RouteChannelWatch routeWatch(List<RoutedDestination> routes, PrometheusRegistry registry) {
        List<RouteChannelWatch.Route> watched = new ArrayList<>();
        for (RoutedDestination r : routes) {
            CosmosIbcCounterLock lock = r.counterLock();
            watched.add(new RouteChannelWatch.Route(lock.finalChain().value(),
                    () -> IbcRouteCheck.check(lock.route(), r.home().queries(), r.finalChain().queries()), lock::hold, lock::release));
        }
        return new RouteChannelWatch(watched, ROUTE_RETRY, ROUTE_RECHECK, registry);
    }

    static List<Pair> pairs(List<RelayerConfig.PairConfig> configured) {
        List<Pair> out = new ArrayList<>();
        for (var p : configured) {
            out.add(new Pair(ChainId.of(p.from()), p.fromAsset().toLowerCase().startsWith("0x") ? p.fromAsset().toLowerCase() : p.fromAsset(),
                    ChainId.of(p.to()), p.toAsset().toLowerCase().startsWith("0x") ? p.toAsset().toLowerCase() : p.toAsset(),
                    new BigDecimal(p.rate()), p.feeBps(), new BigInteger(p.minAmount()), new BigInteger(p.maxAmount())));
        }
        return out;
    }

    private static List<Confirmations.Tier> tiers(List<RelayerConfig.ConfirmationTier> tiers) {
        if (tiers == null) return List.of();
        return tiers.stream().map(t -> new Confirmations.Tier(t.asset(), new BigInteger(t.minAmount()), t.confirmations())).toList();
    }
}
