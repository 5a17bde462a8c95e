package io.evmore.ethereum;

import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * Deploys the packaged HTLC contract with a given key: for local chains (./evmore run with localChains) and
 * demos. Production contracts are deployed and verified by the operator, not by the relayer.
 */
public final class HtlcDeployer {
    private static final String NO_CONTRACT_YET = "0x0000000000000000000000000000000000000000";

    private HtlcDeployer() {}

    /** Returns the new contract's address (lowercase 0x hex). The key is used once and not kept. */
    public static String deploy(ChainId chain, String rpcUrl, String privateKeyHex) {
        EthereumSettings settings = EthereumSettings.of(chain, List.of(new Endpoint("deploy", rpcUrl)), NO_CONTRACT_YET)
                .withConfirmations(1);
        PrometheusRegistry scratch = new PrometheusRegistry();
        try (EndpointPool<EthConnection> pool = Web3jConnections.pool("deploy", settings, PoolMetrics.on(scratch), Clock.system())) {
            pool.start();
            EthereumTransactor tx = new EthereumTransactor(settings, pool, Credentials.create(privateKeyHex), ChainMetrics.on(scratch));
            return tx.deploy(EvmoreHtlcArtifact.bytecode(), "deploy EvmoreHtlc");
        }
    }
}
