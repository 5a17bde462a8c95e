package io.evmore.app.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The effective configuration: built-in defaults, then the YAML file, then environment overrides. Every
 * field is present after loading (defaults fill gaps); optional sections are null when not configured.
 * Secret fields are marked in {@link ConfigRedactor}.
 */
public record RelayerConfig(
        Environment environment,
        String logLevel,
        Http http,
        Admin admin,
        Database database,
        Tracing tracing,
        Heap heap,
        Shutdown shutdown,
        LocalChains localChains,
        Chains chains) {

    public enum Environment {
        @JsonProperty("development") DEVELOPMENT,
        @JsonProperty("production") PRODUCTION,
        @JsonProperty("test") TEST
    }

    /** HTTP listener for /health, /metrics and /admin. */
    public record Http(String host, int port) {}

    /** Bearer token for /admin (secret; env ADMIN_TOKEN). Required in production. */
    public record Admin(String token) {}

    /**
     * @param url                    PostgreSQL URL (env DATABASE_URL); empty selects the embedded SQLite file
     * @param path                   SQLite file, relative to the working directory
     * @param password               PostgreSQL password when not in the URL (secret database-password)
     * @param maxConnections         JDBC pool size (PostgreSQL)
     * @param retentionDays          terminal swaps older than this are deleted
     * @param cleanupIntervalMinutes how often the retention cleanup runs
     */
    public record Database(String url, String path, String password, int maxConnections, int retentionDays,
            int cleanupIntervalMinutes) {}

    /** OpenTelemetry tracing (env ENABLE_TRACING), exported over OTLP (Jaeger accepts it). */
    public record Tracing(boolean enabled, String otlpEndpoint, String serviceName) {}

    /** Heap watch: warn when used heap exceeds the threshold. */
    public record Heap(int warnThresholdMb, int checkIntervalSeconds) {}

    /** Graceful stop: how long SIGTERM may take before the process exits anyway. */
    public record Shutdown(int timeoutSeconds) {}

    /**
     * Local chains for development and demos: when enabled the relayer starts a Hardhat node (HTLC contract
     * deployed) and the Cosmos devnet itself and points {@code chains} at them. Never in production.
     *
     * @param blockIntervalMs block interval of the local chains
     */
    public record LocalChains(boolean enabled, int blockIntervalMs) {}

    /** The guide's connection-pool settings (milliseconds, as in the guide). */
    public record Pool(int maxConnections, int minConnections, int acquireTimeout, int healthCheckInterval,
            int retryDelay) {}

    public record Chains(Ethereum ethereum, List<Cosmos> cosmos) {}

    /**
     * @param chainId       CAIP-2 id, e.g. eip155:1
     * @param rpcUrls       endpoints in preference order (env ETHEREUM_RPC_URL, comma-separated)
     * @param htlcContract  the HTLC contract address (0x…)
     * @param confirmations blocks a lock needs before the relayer acts on it
     */
    public record Ethereum(String chainId, List<String> rpcUrls, String htlcContract, int confirmations, Pool pool) {}

    /**
     * @param chainId      Cosmos chain id, e.g. osmosis-1
     * @param prefix       bech32 account prefix
     * @param denom        fee denom
     * @param rpcUrls      CometBFT RPC endpoints in preference order (env COSMOS_RPC_URL sets the first chain's)
     * @param htlcContract the HTLC contract address (bech32)
     * @param gasPrice     fee per unit of gas in {@code denom}, decimal
     */
    public record Cosmos(String chainId, String prefix, String denom, List<String> rpcUrls, String htlcContract,
            String gasPrice, Pool pool) {}
}
