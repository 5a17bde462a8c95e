package io.evmore.ethereum;

import io.evmore.core.chain.ChainId;
import io.evmore.pool.Endpoint;
import io.evmore.pool.PoolSettings;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything the Ethereum adapter needs to know about one EVM chain. Validation errors name the key.
 *
 * @param chain            {@code eip155:<chain id>}; endpoints must report this chain id
 * @param endpoints        RPC endpoints in priority order (http(s):// or ws(s)://; a ws endpoint also gives push)
 * @param pool             pool settings (guide: maxConnections, minConnections, acquireTimeout, ...)
 * @param contractAddress  the HTLC contract (0x + 40 hex)
 * @param confirmations    blocks on top of a block before its events are reported and a receipt is final
 *                         (1 = the including block itself is enough)
 * @param pollInterval     how often the follower and receipt waits poll when nothing pushes
 * @param getLogsMaxRange  largest eth_getLogs block range; the follower halves it on "too many results"
 * @param startBlock       where following starts when no cursor is stored (the contract's deployment block); -1 = the
 *                         chain's head at the first start
 * @param fees             EIP-1559 fee and escalation rules
 * @param receiptTimeout   how long a transaction may take to be mined and confirmed before the call fails
 * @param secretLookbackBlocks how many blocks below the head {@code revealedSecret} searches for {@code Claimed} logs
 *                         when the HTLC's creation height is unknown (default {@value #DEFAULT_SECRET_LOOKBACK_BLOCKS},
 *                         about a week of 12 s blocks; it must cover the time from a counter-lock's creation to its
 *                         timelock, so raise it for chains with faster blocks or longer timelocks)
 */
public record EthereumSettings(ChainId chain, List<Endpoint> endpoints, PoolSettings pool, String contractAddress,
        int confirmations, Duration pollInterval, long getLogsMaxRange, long startBlock, GasPolicy fees,
        Duration receiptTimeout, long secretLookbackBlocks) {

    public static final long DEFAULT_SECRET_LOOKBACK_BLOCKS = 50_000;
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    public EthereumSettings {
        if (chain == null || !chain.isEvm()) throw new IllegalArgumentException("ethereum.chain must be eip155:<chain id>, got " + chain);
        if (endpoints == null || endpoints.isEmpty()) throw new IllegalArgumentException("ethereum.endpoints: at least one endpoint is required");
        endpoints = List.copyOf(endpoints);
        if (pool == null) throw new IllegalArgumentException("ethereum.pool is missing");
        if (contractAddress == null || !ADDRESS.matcher(contractAddress).matches()) {
            throw new IllegalArgumentException("ethereum.contractAddress must be 0x followed by 40 hex digits");
        }
        contractAddress = contractAddress.toLowerCase();
        if (confirmations < 1 || confirmations > 1000) {
            throw new IllegalArgumentException("ethereum.confirmations must be 1..1000, got " + confirmations);
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("ethereum.pollInterval must be > 0");
        }
        if (getLogsMaxRange < 1 || getLogsMaxRange > 100_000) {
            throw new IllegalArgumentException("ethereum.getLogsMaxRange must be 1..100000, got " + getLogsMaxRange);
        }
        if (startBlock < -1) throw new IllegalArgumentException("ethereum.startBlock must be -1 (the head at first start) or >= 0, got " + startBlock);
        if (fees == null) throw new IllegalArgumentException("ethereum.fees is missing");
        if (receiptTimeout == null || receiptTimeout.isNegative() || receiptTimeout.isZero()) {
            throw new IllegalArgumentException("ethereum.receiptTimeout must be > 0");
        }
        if (secretLookbackBlocks < 1 || secretLookbackBlocks > 10_000_000) {
            throw new IllegalArgumentException("ethereum.secretLookbackBlocks must be 1..10000000, got " + secretLookbackBlocks);
        }
    }

    /** Settings with the default {@code secretLookbackBlocks} ({@value #DEFAULT_SECRET_LOOKBACK_BLOCKS}). */
    public EthereumSettings(ChainId chain, List<Endpoint> endpoints, PoolSettings pool, String contractAddress,
            int confirmations, Duration pollInterval, long getLogsMaxRange, long startBlock, GasPolicy fees,
            Duration receiptTimeout) {
        this(chain, endpoints, pool, contractAddress, confirmations, pollInterval, getLogsMaxRange, startBlock, fees,
                receiptTimeout, DEFAULT_SECRET_LOOKBACK_BLOCKS);
    }

    /** Production-minded defaults for the given chain, endpoints and contract. */
    public static EthereumSettings of(ChainId chain, List<Endpoint> endpoints, String contractAddress) {
        return new EthereumSettings(chain, endpoints, PoolSettings.ethereumDefaults(), contractAddress, 12,
                Duration.ofSeconds(4), 2_000, 0, GasPolicy.defaults(), Duration.ofMinutes(10), DEFAULT_SECRET_LOOKBACK_BLOCKS);
    }

    public long chainIdNumber() {
        return chain.evmChainId();
    }

    public EthereumSettings withConfirmations(int n) {
        return new EthereumSettings(chain, endpoints, pool, contractAddress, n, pollInterval, getLogsMaxRange, startBlock,
                fees, receiptTimeout, secretLookbackBlocks);
    }

    public EthereumSettings withPool(PoolSettings p) {
        return new EthereumSettings(chain, endpoints, p, contractAddress, confirmations, pollInterval, getLogsMaxRange,
                startBlock, fees, receiptTimeout, secretLookbackBlocks);
    }

    public EthereumSettings withPolling(Duration poll, long maxRange) {
        return new EthereumSettings(chain, endpoints, pool, contractAddress, confirmations, poll, maxRange, startBlock,
                fees, receiptTimeout, secretLookbackBlocks);
    }

    public EthereumSettings withStartBlock(long block) {
        return new EthereumSettings(chain, endpoints, pool, contractAddress, confirmations, pollInterval, getLogsMaxRange,
                block, fees, receiptTimeout, secretLookbackBlocks);
    }

    public EthereumSettings withFees(GasPolicy f) {
        return new EthereumSettings(chain, endpoints, pool, contractAddress, confirmations, pollInterval, getLogsMaxRange,
                startBlock, f, receiptTimeout, secretLookbackBlocks);
    }

    public EthereumSettings withContract(String address) {
        return new EthereumSettings(chain, endpoints, pool, address, confirmations, pollInterval, getLogsMaxRange,
                startBlock, fees, receiptTimeout, secretLookbackBlocks);
    }

    public EthereumSettings withReceiptTimeout(Duration d) {
        return new EthereumSettings(chain, endpoints, pool, contractAddress, confirmations, pollInterval, getLogsMaxRange,
                startBlock, fees, d, secretLookbackBlocks);
    }

    public EthereumSettings withSecretLookbackBlocks(long blocks) {
        return new EthereumSettings(chain, endpoints, pool, contractAddress, confirmations, pollInterval, getLogsMaxRange,
                startBlock, fees, receiptTimeout, blocks);
    }
}
