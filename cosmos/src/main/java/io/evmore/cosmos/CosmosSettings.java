package io.evmore.cosmos;

import io.evmore.core.chain.ChainId;
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.cosmos.key.HdPath;
import io.evmore.cosmos.tx.GasEstimator;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * One Cosmos chain's adapter settings.
 *
 * @param rpcEndpoints        CometBFT RPC base urls, first = primary (names are for metrics: rpc-0, rpc-1, ...)
 * @param gasPrice            fee per unit of gas in {@code feeDenom}
 * @param gasMultiplier       simulated gas × this = gas limit
 * @param contract            the HTLC contract's address (events of other contracts are ignored)
 * @param hdPath              derivation path of the relayer key
 * @param confirmations       blocks after inclusion before acting (CometBFT is final at 1)
 * @param pollInterval        block polling interval (and websocket fallback)
 * @param websocketSilence    no websocket message for this long while blocks advance → reconnect
 * @param inclusionTimeout    how long to wait for a broadcast tx to be included
 * @param startHeight         first height to follow when no cursor is stored (0 = latest at start)
 * @param timeoutBlocks       every signed tx carries {@code timeout_height} = latest height + this, so that once the
 *                            chain is past it a tx not found is one that never can land (reconciliation). Reconciliation
 *                            scans the blocks from {@code timeout_height − timeoutBlocks}: do not lower it while
 *                            transactions signed with the larger value may still be unreconciled. It also bounds how soon
 *                            a stuck tx can be sent anew at a higher fee (Cosmos has no replace-by-fee): about
 *                            {@code timeoutBlocks × block time}
 * @param maxGasPrice         the highest gas price a fee escalation may bid: fee level N pays
 *                            {@code min(gasPrice × 1.5^N, maxGasPrice)} (default 10 × {@code gasPrice})
 */
public record CosmosSettings(ChainId chainId, String prefix, String denom, List<String> rpcEndpoints,
        BigDecimal gasPrice, BigDecimal gasMultiplier, String feeDenom, String contract, HdPath hdPath,
        int confirmations, Duration pollInterval, Duration websocketSilence, Duration inclusionTimeout,
        long startHeight, long timeoutBlocks, BigDecimal maxGasPrice) {

    /** Default {@link #timeoutBlocks}: 50 blocks (about 5 minutes at 6 s blocks). */
    public static final long DEFAULT_TIMEOUT_BLOCKS = 50;

    public CosmosSettings {
        if (chainId == null || chainId.isEvm()) throw new IllegalArgumentException("cosmos chainId must be a Cosmos chain id, got " + chainId);
        if (prefix == null || !prefix.matches("[a-z][a-z0-9]{0,82}")) {
            throw new IllegalArgumentException("cosmos prefix must be lowercase letters/digits, got '" + prefix + "'");
        }
        if (denom == null || !denom.matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new IllegalArgumentException("cosmos denom is invalid: '" + denom + "'");
        }
        if (rpcEndpoints == null || rpcEndpoints.isEmpty()) throw new IllegalArgumentException("cosmos rpcEndpoints is empty");
        rpcEndpoints = List.copyOf(rpcEndpoints);
        for (int i = 0; i < rpcEndpoints.size(); i++) checkUrl(rpcEndpoints.get(i), i);
        if (gasPrice == null || gasPrice.signum() < 0) throw new IllegalArgumentException("cosmos gasPrice must be >= 0");
        if (gasMultiplier == null || gasMultiplier.compareTo(BigDecimal.ONE) < 0) {
            throw new IllegalArgumentException("cosmos gasMultiplier must be >= 1, got " + gasMultiplier);
        }
        if (feeDenom == null || feeDenom.isEmpty()) feeDenom = denom;
        Bech32Address.parse(contract, prefix); // names the bad contract address
        if (hdPath == null) hdPath = HdPath.COSMOS_DEFAULT;
        if (confirmations < 1) throw new IllegalArgumentException("cosmos confirmations must be >= 1, got " + confirmations);
        positive(pollInterval, "pollInterval");
        positive(websocketSilence, "websocketSilence");
        positive(inclusionTimeout, "inclusionTimeout");
        if (startHeight < 0) throw new IllegalArgumentException("cosmos startHeight must be >= 0");
        if (timeoutBlocks < 2 || timeoutBlocks > 100_000) {
            throw new IllegalArgumentException("cosmos timeoutBlocks must be between 2 and 100000, got " + timeoutBlocks);
        }
        if (maxGasPrice == null) maxGasPrice = GasEstimator.defaultMaxGasPrice(gasPrice);
        if (maxGasPrice.compareTo(gasPrice) < 0) {
            throw new IllegalArgumentException("cosmos maxGasPrice must be >= gasPrice " + gasPrice + ", got " + maxGasPrice);
        }
    }

    /**
     * Defaults: gas × 1.4 (as cosmjs), poll 1 s, websocket silence 15 s, inclusion 60 s, 1 confirmation, timeout
     * height latest + 50, fee escalation capped at 10 × the gas price.
     */
    public static CosmosSettings of(ChainId chainId, String prefix, String denom, List<String> rpcEndpoints,
            BigDecimal gasPrice, String contract) {
        return new CosmosSettings(chainId, prefix, denom, rpcEndpoints, gasPrice, new BigDecimal("1.4"), denom, contract,
                HdPath.COSMOS_DEFAULT, 1, Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(60), 0,
                DEFAULT_TIMEOUT_BLOCKS, null);
    }

    public CosmosSettings withTimings(Duration poll, Duration wsSilence, Duration inclusion) {
        return new CosmosSettings(chainId, prefix, denom, rpcEndpoints, gasPrice, gasMultiplier, feeDenom, contract,
                hdPath, confirmations, poll, wsSilence, inclusion, startHeight, timeoutBlocks, maxGasPrice);
    }

    public CosmosSettings withStartHeight(long h) {
        return new CosmosSettings(chainId, prefix, denom, rpcEndpoints, gasPrice, gasMultiplier, feeDenom, contract,
                hdPath, confirmations, pollInterval, websocketSilence, inclusionTimeout, h, timeoutBlocks, maxGasPrice);
    }

    /** Transactions time out {@code blocks} blocks after the latest height at signing. */
    public CosmosSettings withTimeoutBlocks(long blocks) {
        return new CosmosSettings(chainId, prefix, denom, rpcEndpoints, gasPrice, gasMultiplier, feeDenom, contract,
                hdPath, confirmations, pollInterval, websocketSilence, inclusionTimeout, startHeight, blocks, maxGasPrice);
    }

    /** Fee escalation never bids a gas price above {@code price} (must be at least {@link #gasPrice()}). */
    public CosmosSettings withMaxGasPrice(BigDecimal price) {
        return new CosmosSettings(chainId, prefix, denom, rpcEndpoints, gasPrice, gasMultiplier, feeDenom, contract,
                hdPath, confirmations, pollInterval, websocketSilence, inclusionTimeout, startHeight, timeoutBlocks, price);
    }

    /** Endpoint urls may carry an API key (user info, path or query): only scheme://host:port is shown. */
    @Override
    public String toString() {
        return "CosmosSettings[chainId=" + chainId + ", prefix=" + prefix + ", denom=" + denom + ", rpcEndpoints="
                + rpcEndpoints.stream().map(CosmosSettings::redactedUrl).toList() + ", gasPrice=" + gasPrice
                + ", gasMultiplier=" + gasMultiplier + ", feeDenom=" + feeDenom + ", contract=" + contract
                + ", hdPath=" + hdPath + ", confirmations=" + confirmations + ", pollInterval=" + pollInterval
                + ", websocketSilence=" + websocketSilence + ", inclusionTimeout=" + inclusionTimeout
                + ", startHeight=" + startHeight + ", timeoutBlocks=" + timeoutBlocks + ", maxGasPrice=" + maxGasPrice + "]";
    }

    static String redactedUrl(String url) {
        try {
            URI u = new URI(url);
            return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
        } catch (URISyntaxException | RuntimeException e) {
            return "<invalid url>";
        }
    }

    private static void checkUrl(String url, int index) {
        URI u;
        try {
            u = url == null ? null : new URI(url);
        } catch (URISyntaxException e) {
            u = null;
        }
        // The url itself is not echoed: it may carry a key.
        if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new IllegalArgumentException("cosmos rpcEndpoints[" + index + "] must be an http(s)://host[:port] url");
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("cosmos " + name + " must be > 0");
    }
}
