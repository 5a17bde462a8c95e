package io.evmore.app.bench;

import io.evmore.app.chains.LocalWorld;
import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.DevnetChain;
import io.evmore.ethereum.EthConnection;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.Web3jConnections;
import io.evmore.ethereum.Web3jHtlcChain;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local world's clients as the bench's users see it: one signer per account through the relayer's own client stack
 * (web3j transactor with pipelined nonces, the Cosmos submitter), and the settings the bench's followers use.
 */
final class BenchClients {
    private BenchClients() {}

    /** A chain as one signer sees it. */
    record Signer(String name, HtlcChain htlc, String address, AutoCloseable closer) {}

    static final CursorStore MEMORY_CURSORS = new CursorStore() {
        private final Map<ChainId, ChainCursor> map = new ConcurrentHashMap<>();

        @Override
        public Optional<ChainCursor> load(ChainId chain) {
            return Optional.ofNullable(map.get(chain));
        }

        @Override
        public void save(ChainCursor cursor) {
            map.put(cursor.chain(), cursor);
        }
    };

    /**
     * The users' pools: one endpoint that a loaded Hardhat sometimes answers with a dropped keep-alive connection, so a
     * breaker that opens after a few failures would fail the harness's own users, not measure the relayer.
     */
    static final PoolSettings USER_POOL = new PoolSettings(50, 1, Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofMillis(200), 8, Duration.ofSeconds(10), 1_000_000, Duration.ofSeconds(1), 1_000_000, Duration.ofMinutes(30),
            Duration.ofSeconds(10));

    static EthereumSettings ethSettings(LocalWorld w) {
        return EthereumSettings.of(w.ethereumChain(), List.of(new Endpoint("rpc-0", w.hardhat().url())), w.htlcContract())
                .withPool(USER_POOL)
                .withConfirmations(1).withPolling(Duration.ofMillis(250), 2_000).withReceiptTimeout(Duration.ofSeconds(180));
    }

    /** The bench runs on the devnet: its home chain (devnet-a) as the devnet serves it. */
    static DevnetChain devnetHome(LocalWorld w) {
        if (w.devnet() == null) throw new IllegalStateException("the bench runs on the local devnet, not on real chains");
        return w.devnet().chain(w.home().chainId());
    }

    static CosmosSettings cosmosSettings(LocalWorld w) {
        DevnetChain a = devnetHome(w);
        return CosmosSettings.of(ChainId.of(a.chainId()), a.prefix(), a.denom(), List.of(a.rpcUrl()), new BigDecimal("0.025"),
                a.htlcContractAddress()).withTimings(Duration.ofMillis(250), Duration.ofSeconds(15), Duration.ofSeconds(180));
    }

    static Signer ethSigner(LocalWorld w, int account) {
        EndpointPool<EthConnection> pool = Web3jConnections.pool("bench-user" + account, ethSettings(w), PoolMetrics.unregistered(),
                Clock.system());
        Web3jHtlcChain c = Web3jHtlcChain.withKey(ethSettings(w), pool, w.hardhat().devPrivateKeys().get(account),
                ChainMetrics.on(new PrometheusRegistry()));
        return new Signer("eth-user" + account, c, c.relayerAddress(), pool::close);
    }

    static Signer cosmosSigner(LocalWorld w, String account) {
        CosmosAdapter a = new CosmosAdapter(cosmosSettings(w), CosmosSigner.fromMnemonic(w.devnet().account(account).mnemonic()),
                USER_POOL.withConnections(16, 1), new PrometheusRegistry(), MEMORY_CURSORS, Clock.system());
        return new Signer(account, a.htlcChain(), a.htlcChain().relayerAddress(), a);
    }
}
