package io.evmore.ethereum;

import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;

/**
 * The mintable ERC-20 of local chains ({@code contracts/ethereum/dev/DevToken.sol}, symbol {@value #SYMBOL},
 * {@value #DECIMALS} decimals): deployed by the devnet, the demo and {@code localChains}, never on a real network.
 * Only the deployer may mint. Keys are never logged.
 */
public final class DevToken implements AutoCloseable {
    public static final String RESOURCE = "/io/evmore/ethereum/contracts/dev/DevToken.json";
    public static final String SYMBOL = "DEV";
    public static final int DECIMALS = 18;

    private final String address;
    private final EndpointPool<EthConnection> pool;
    private final EthereumTransactor transactor;

    private DevToken(String address, EndpointPool<EthConnection> pool, EthereumTransactor transactor) {
        this.address = address;
        this.pool = pool;
        this.transactor = transactor;
    }

    /** Deploys a new token from the account of {@code minterKeyHex}, which becomes its only minter. */
    public static DevToken deploy(ChainId chain, String rpcUrl, String minterKeyHex) {
        EndpointPool<EthConnection> pool = pool(chain, rpcUrl);
        try {
            EthereumTransactor tx = transactor(chain, rpcUrl, pool, minterKeyHex);
            String address = tx.deploy(EvmoreHtlcArtifact.load(RESOURCE).get("bytecode").asText(), "deploy DevToken");
            return new DevToken(address, pool, tx);
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /** The token's address, 0x lowercase. */
    public String address() {
        return address;
    }

    /** Mints {@code amount} base units to each address, one transaction each, waiting for each receipt. */
    public void mint(Collection<String> to, BigInteger amount) {
        for (String a : to) {
            String data = FunctionEncoder.encode(new Function("mint", List.of(new Address(a), new Uint256(amount)), List.of()));
            transactor.send(new EthereumTransactor.TxRequest(address, BigInteger.ZERO, data, null, "mint DEV"));
        }
    }

    private static EndpointPool<EthConnection> pool(ChainId chain, String rpcUrl) {
        return Web3jConnections.pool("dev-token", settings(chain, rpcUrl), PoolMetrics.unregistered(), Clock.system());
    }

    private static EthereumSettings settings(ChainId chain, String rpcUrl) {
        return new EthereumSettings(chain, List.of(new Endpoint("dev-token", rpcUrl)),
                PoolSettings.ethereumDefaults().withConnections(2, 0), HtlcAbi.NATIVE, 1, Duration.ofMillis(200), 2_000, 0,
                GasPolicy.defaults(), Duration.ofMinutes(5));
    }

    private static EthereumTransactor transactor(ChainId chain, String rpcUrl, EndpointPool<EthConnection> pool, String keyHex) {
        Credentials credentials;
        try {
            credentials = Credentials.create(keyHex);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("minter private key is not a valid secp256k1 key"); // no cause: it quotes the key
        }
        return new EthereumTransactor(settings(chain, rpcUrl), pool, credentials, ChainMetrics.on(new PrometheusRegistry()));
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "DevToken[" + address.toLowerCase(Locale.ROOT) + "]";
    }
}
