package io.evmore.ethereum;

import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import org.web3j.crypto.Credentials;

/** Deploys the EvmoreHtlc contract (local chains, demos, tests); production uses an already deployed address. */
public final class HtlcDeployer {
    private HtlcDeployer() {}

    /**
     * Deploys from the account of {@code privateKeyHex} (never logged) and waits for one confirmation.
     *
     * @return the contract address, 0x lowercase
     */
    public static String deploy(ChainId chain, String rpcUrl, String privateKeyHex) {
        Credentials credentials;
        try {
            credentials = Credentials.create(privateKeyHex);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("deployer private key is not a valid secp256k1 key"); // no cause: it quotes the key
        }
        EthereumSettings s = new EthereumSettings(chain, List.of(new Endpoint("deployer", rpcUrl)),
                PoolSettings.ethereumDefaults().withConnections(2, 0), HtlcAbi.NATIVE, 1, Duration.ofMillis(200), 2_000, 0,
                GasPolicy.defaults(), Duration.ofMinutes(5));
        try (EndpointPool<EthConnection> pool = Web3jConnections.pool("deployer", s, PoolMetrics.unregistered(), Clock.system())) {
            EthereumTransactor tx = new EthereumTransactor(s, pool, credentials, ChainMetrics.on(new PrometheusRegistry()));
            return tx.deploy(EvmoreHtlcArtifact.bytecode(), "deploy EvmoreHtlc");
        }
    }
}
