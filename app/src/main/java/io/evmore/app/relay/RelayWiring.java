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
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.ethereum.EthereumEventFollower;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.Web3jHtlcChain;
import io.evmore.pool.ChainMetrics;
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
    private final SwapStore store;

    public RelayWiring(RelayerConfig c, RelayerKeys keys, ChainPools pools, SwapStore store, RelayerMetrics metrics, Clock clock) {
        this.store = store;
        CursorStore cursors = CursorStore.of(store, clock);
        Map<ChainId, HtlcChain> adapters = new LinkedHashMap<>();
        Map<ChainId, Predicate<String>> receivers = new LinkedHashMap<>();
        Map<ChainId, Confirmations.Rule> confirmations = new LinkedHashMap<>();
        Map<ChainId, TimelockPolicy.ChainTiming> timings = new LinkedHashMap<>();

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
        for (var cc : c.chains().cosmos()) {
            if (keys.cosmosMnemonic() == null) {
                throw new ConfigException("secrets." + RelayerKeys.COSMOS_MNEMONIC,
                        "is required to relay on " + cc.chainId() + " (set COSMOS_MNEMONIC or a file in secrets.dir)");
            }
            ChainId id = ChainId.of(cc.chainId());
            CosmosSettings settings = CosmosSettings.of(id, cc.prefix(), cc.denom(), cc.rpcUrls(), new BigDecimal(cc.gasPrice()),
                    cc.htlcContract()).withStartHeight(Math.max(0, cc.startHeight()));
            CosmosAdapter adapter = new CosmosAdapter(settings, CosmosSigner.fromMnemonic(keys.cosmosMnemonic()),
                    pools.cosmosTransport(cc.chainId()), metrics.registry(), cursors, clock);
            cosmosAdapters.add(adapter);
            adapters.put(id, adapter.htlcChain());
            followers.add(adapter.follower());
            String prefix = cc.prefix();
            receivers.put(id, a -> a != null && Bech32Address.isValid(a, prefix));
            confirmations.put(id, new Confirmations.Rule(cc.confirmations(), tiers(cc.confirmationTiers())));
            timings.put(id, new TimelockPolicy.ChainTiming((long) cc.confirmations() * cc.blockTimeSeconds(), cc.claimInclusionSeconds()));
            log.info("relay: {} as {} on contract {}", id, adapter.htlcChain().relayerAddress(), cc.htlcContract());
        }
        this.chains = Map.copyOf(adapters);
        var t = c.swaps().timelocks();
        TimelockPolicy policy = new TimelockPolicy(timings, t.pollDelaySeconds(), t.safetyMarginSeconds(), t.userClaimWindowSeconds());
        SwapValidator validator = new SwapValidator(pairs(c.swaps().pairs()), policy, new Confirmations(confirmations), receivers);
        this.engine = new RelayEngine(clock, metrics, store, chains, EngineSettings.defaults(validator));
        String halt = System.getenv(TestHaltPoints.ENV);
        if (halt != null && !halt.isBlank()) {
            if (c.environment() == RelayerConfig.Environment.TEST) {
                engine.faultPoints(TestHaltPoints.parse(halt));
                log.warn("{} is set: this test process stops itself at {}", TestHaltPoints.ENV, halt);
            } else {
                log.warn("{} is ignored outside environment: test", TestHaltPoints.ENV);
            }
        }
    }

    /** Recovery first (open intents reconciled), then the followers, then the scheduler. */
    public void start() {
        engine.recover();
        for (ChainEvents f : followers) f.start(engine.listener(f.chain()));
        engine.start();
        log.info("relay engine running on {} chain(s), {} pair(s)", chains.size(), engine.status());
    }

    public RelayEngine engine() {
        return engine;
    }

    public Map<ChainId, HtlcChain> chains() {
        return chains;
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
        return engine.stop(timeout);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
        for (CosmosAdapter a : cosmosAdapters) a.close();
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
