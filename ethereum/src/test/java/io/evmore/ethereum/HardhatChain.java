package io.evmore.ethereum;

import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.devnet.ethereum.HardhatNode;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;

/** Test fixture: a real Hardhat node, a pool on it, the HTLC contract deployed, and helpers to act as users. */
final class HardhatChain implements AutoCloseable {
    static final ChainId CHAIN = ChainId.evm(HardhatNode.CHAIN_ID);

    final HardhatNode node;
    final PrometheusRegistry prometheus = new PrometheusRegistry();
    final ChainMetrics metrics = ChainMetrics.on(prometheus);
    final EndpointPool<EthConnection> pool;
    final EthereumSettings settings;
    final String htlc;

    static PoolSettings testPool() {
        return new PoolSettings(16, 1, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(100), 3,
                Duration.ofSeconds(5), 3, Duration.ofSeconds(2), Long.MAX_VALUE / 4, Duration.ZERO, Duration.ofSeconds(2));
    }

    static EthereumSettings settings(List<Endpoint> endpoints, String contract) {
        return new EthereumSettings(CHAIN, endpoints, testPool(), contract, 1, Duration.ofMillis(100), 50, 0,
                GasPolicy.defaults(), Duration.ofSeconds(60));
    }

    HardhatChain() {
        this(HardhatNode.start());
    }

    HardhatChain(HardhatNode node) {
        this.node = node;
        EthereumSettings bootstrap = settings(List.of(new Endpoint("hardhat", node.url())), HtlcAbi.NATIVE);
        this.pool = Web3jConnections.pool(bootstrap, PoolMetrics.on(prometheus), Clock.system());
        try {
            this.htlc = transactor(bootstrap, 0).deploy(EvmoreHtlcArtifact.bytecode(), "deploy EvmoreHtlc");
        } catch (RuntimeException e) {
            // @AfterAll gets no fixture to close when @BeforeAll fails: stop the node here, not at JVM exit
            pool.close();
            node.close();
            throw e;
        }
        this.settings = bootstrap.withContract(htlc);
    }

    Credentials credentials(int account) {
        return Credentials.create(node.devPrivateKeys().get(account));
    }

    String address(int account) {
        return node.devAddresses().get(account);
    }

    EthereumTransactor transactor(int account) {
        return transactor(settings, account);
    }

    EthereumTransactor transactor(EthereumSettings s, int account) {
        return new EthereumTransactor(s, pool, credentials(account), metrics);
    }

    Web3jHtlcChain htlcChain(int account) {
        return new Web3jHtlcChain(settings, pool, transactor(account));
    }

    /** Deploys a test contract from contracts/ethereum/test with ABI-encoded constructor arguments. */
    @SuppressWarnings("rawtypes")
    String deployTest(String name, Type... constructorArgs) {
        String bytecode = EvmoreHtlcArtifact.load("/io/evmore/ethereum/contracts/test/" + name + ".json").get("bytecode").asText();
        String args = constructorArgs.length == 0 ? "" : FunctionEncoder.encodeConstructor(List.of(constructorArgs));
        return transactor(0).deploy(bytecode + args, "deploy " + name);
    }

    BigInteger ethBalance(String who) {
        return new BigInteger(node.rpc("eth_getBalance", who, "latest").asText().substring(2), 16);
    }

    long now() {
        return node.latestTimestamp();
    }

    @Override
    public void close() {
        pool.close();
        node.close();
    }
}
