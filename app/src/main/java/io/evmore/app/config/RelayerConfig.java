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
        Chains chains,
        Swaps swaps,
        Secrets secrets,
        Ha ha) {

    /** The same configuration with another chains section (local chains fill it in at start). */
    public RelayerConfig withChains(Chains c) {
        return new RelayerConfig(environment, logLevel, http, admin, database, tracing, heap, shutdown, localChains, c, swaps,
                secrets, ha);
    }

    /** The same configuration with another swaps section (local chains fill in their pairs when the file has none). */
    public RelayerConfig withSwaps(Swaps s) {
        return new RelayerConfig(environment, logLevel, http, admin, database, tracing, heap, shutdown, localChains, chains, s,
                secrets, ha);
    }

    public enum Environment {
        @JsonProperty("development") DEVELOPMENT,
        @JsonProperty("production") PRODUCTION,
        @JsonProperty("test") TEST
    }

    /**
     * HTTP listener for /health, /metrics and /admin.
     *
     * @param metricsPort -1: /metrics is served on {@code port} (the guide's scrape target); otherwise on a listener of its
     *                    own at {@code host:metricsPort} (0 = any free port) and no longer on {@code port}, so that a
     *                    firewall can open it to the monitoring network only
     */
    public record Http(String host, int port, int metricsPort) {}

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

    /**
     * OpenTelemetry tracing (env ENABLE_TRACING), exported over OTLP/HTTP (Jaeger accepts it): one trace per swap.
     *
     * @param sampleRatio the share of swaps traced, 0 to 1 (decided per swap, from its trace id)
     */
    public record Tracing(boolean enabled, String otlpEndpoint, String serviceName, double sampleRatio) {}

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
     * @param confirmations blocks a lock needs before the relayer acts on it (and its own transactions before it counts them)
     * @param confirmationTiers more confirmations for larger amounts of an asset
     * @param blockTimeSeconds  average block time; finality F = confirmations × block time
     * @param claimInclusionSeconds G: worst-case time to get a claim included here, fee escalation included
     * @param startBlock    where following starts when no cursor is stored; -1 = the latest block at first start
     *                      (never a scan from genesis unless asked for)
     */
    public record Ethereum(String chainId, List<String> rpcUrls, String htlcContract, int confirmations, Pool pool,
            List<ConfirmationTier> confirmationTiers, int blockTimeSeconds, int claimInclusionSeconds, long startBlock) {}

    /**
     * @param chainId      Cosmos chain id, e.g. osmosis-1
     * @param prefix       bech32 account prefix
     * @param denom        fee denom
     * @param rpcUrls      CometBFT RPC endpoints in preference order (env COSMOS_RPC_URL sets the first chain's)
     * @param htlcContract the HTLC contract address (bech32)
     * @param gasPrice     fee per unit of gas in {@code denom}, decimal
     * @param confirmations blocks a lock needs (CometBFT is final at 1)
     * @param startHeight  where following starts when no cursor is stored; -1 = the latest block at first start
     * @param route        set when this chain is not the relayer's home chain: counter-locks reach it as an ICS-20
     *                     transfer from the home chain (null = direct: the relayer locks here itself)
     */
    public record Cosmos(String chainId, String prefix, String denom, List<String> rpcUrls, String htlcContract,
            String gasPrice, Pool pool, int confirmations, List<ConfirmationTier> confirmationTiers, int blockTimeSeconds,
            int claimInclusionSeconds, long startHeight, Route route) {

        /** A direct chain. */
        public Cosmos(String chainId, String prefix, String denom, List<String> rpcUrls, String htlcContract,
                String gasPrice, Pool pool, int confirmations, List<ConfirmationTier> confirmationTiers, int blockTimeSeconds,
                int claimInclusionSeconds, long startHeight) {
            this(chainId, prefix, denom, rpcUrls, htlcContract, gasPrice, pool, confirmations, confirmationTiers, blockTimeSeconds,
                    claimInclusionSeconds, startHeight, null);
        }
    }

    /**
     * The IBC path of counter-locks to a multi-hop destination (SPEC §3 step 3): one transfer of {@code denom} sent
     * from the home chain {@code from}, forwarded hop by hop (packet-forward middleware), creating the HTLC on the
     * last hop's chain through IBC hooks. {@code H} = sum over hops of timeoutSeconds × (retries + 1).
     *
     * @param from  the home chain (a configured Cosmos chain without a route) the transfer leaves from
     * @param denom the denom sent from the home chain (the relayer's inventory for this destination)
     * @param hops  in order; the last one reaches this chain
     */
    public record Route(String from, String denom, List<Hop> hops) {

        /** This route to {@code finalChainId} in the Cosmos adapter's terms (H, denoms, derived addresses). */
        public io.evmore.cosmos.ibc.IbcRoute toIbcRoute(String finalChainId) {
            List<io.evmore.cosmos.ibc.IbcRoute.Hop> out = new java.util.ArrayList<>();
            for (Hop h : hops) {
                out.add(new io.evmore.cosmos.ibc.IbcRoute.Hop(h.chainId(), h.prefix(), h.portOrDefault(), h.channel(),
                        h.counterpartyChannel(), java.time.Duration.ofSeconds(h.timeoutSeconds()), h.retriesOrDefault()));
            }
            return new io.evmore.cosmos.ibc.IbcRoute(from, finalChainId, out);
        }
    }

    /**
     * One hop of a route.
     *
     * @param chainId             the chain this hop reaches
     * @param prefix              that chain's bech32 prefix (the packet-forward and hooks addresses there derive from it)
     * @param port                source port on the sending chain (default transfer)
     * @param channel             source channel on the sending chain
     * @param counterpartyChannel the channel's end on the receiving chain (denom traces and the hooks sender use it)
     * @param timeoutSeconds      the packet's timeout on this hop (required)
     * @param retries             packet-forward retries on timeout (hops after the first), 0..255; absent = 0
     */
    public record Hop(String chainId, String prefix, String port, String channel, String counterpartyChannel, Integer timeoutSeconds,
            Integer retries) {

        /** {@code port} or its default {@code transfer}. */
        public String portOrDefault() {
            return port == null ? "transfer" : port;
        }

        /** {@code retries} or its default 0. */
        public int retriesOrDefault() {
            return retries == null ? 0 : retries;
        }
    }

    /** Locks of {@code asset} of at least {@code minAmount} base units need {@code confirmations} blocks. */
    public record ConfirmationTier(String asset, String minAmount, int confirmations) {}

    /** What the relayer swaps, under which time rules, and how it watches over swaps in flight. */
    public record Swaps(List<PairConfig> pairs, Timelocks timelocks, Safety safety) {
        public Swaps(List<PairConfig> pairs, Timelocks timelocks) {
            this(pairs, timelocks, Safety.DEFAULTS);
        }
    }

    /**
     * How the engine watches over swaps in flight (seconds).
     *
     * @param secretWatchSeconds   how often the destination chain is asked, by query, whether a swap's counter-lock (or
     *                             any HTLC with its hashlock) was claimed: the safety net under the follower's claim event
     * @param atRiskLeadSeconds    a swap is AT RISK this long before its claim deadline (T_src − G_src) while the source is
     *                             unclaimed, and this long after its own counter-lock expired unrefunded
     * @param feeEscalationSeconds a pending transaction is replaced at a higher fee after this long (sooner as its
     *                             deadline nears)
     */
    public record Safety(int secretWatchSeconds, int atRiskLeadSeconds, int feeEscalationSeconds) {
        public static final Safety DEFAULTS = new Safety(30, 300, 60);
    }

    /**
     * One pair: a user locks {@code fromAsset} on {@code from}; the relayer locks {@code toAsset} on {@code to}.
     * Amounts are base units (decimal strings: uint256 does not fit YAML integers).
     *
     * @param rate   destination base units per source base unit, decimal
     * @param feeBps relayer fee in basis points of the gross amount
     */
    public record PairConfig(String from, String fromAsset, String to, String toAsset, String rate, int feeBps,
            String minAmount, String maxAmount) {}

    /**
     * SPEC §3 timelock parameters (seconds): T_dst = T_src − (F_dst + P + G_src + M), and a lock is taken only if
     * T_dst − now ≥ W_user.
     *
     * @param pollDelaySeconds       P
     * @param safetyMarginSeconds    M
     * @param userClaimWindowSeconds W_user
     */
    public record Timelocks(int pollDelaySeconds, int safetyMarginSeconds, int userClaimWindowSeconds) {}

    /**
     * Where the relayer's secrets come from, under the guide's names {@code ethereum-private-key},
     * {@code cosmos-mnemonic} and {@code database-password}: {@code env} (ETHEREUM_PRIVATE_KEY, COSMOS_MNEMONIC,
     * DATABASE_PASSWORD), {@code file} (one owner-only file per name in {@code dir}), {@code vault} (HashiCorp Vault KV
     * v2), {@code aws} (AWS Secrets Manager) or {@code onepassword} (the op CLI with a service account, or a Connect
     * server), each configured in its section below.
     *
     * @param refreshIntervalSeconds re-read the secrets this often and pick up rotated values where safe (0 = only at
     *                               start and on reload)
     * @param timeoutSeconds         bound on one request to the provider
     */
    public record Secrets(String provider, String dir, int refreshIntervalSeconds, int timeoutSeconds, Vault vault, Aws aws,
            OnePassword onepassword) {

        /** Provider env or file, with the other settings at their defaults (tests, local worlds). */
        public Secrets(String provider, String dir) {
            this(provider, dir, 0, 10, Vault.DEFAULTS, Aws.DEFAULTS, OnePassword.DEFAULTS);
        }
    }

    /**
     * HashiCorp Vault (or OpenBao) KV v2. The token comes from VAULT_TOKEN, or from an AppRole login with {@code roleId}
     * (or VAULT_ROLE_ID) and the secret id in VAULT_SECRET_ID.
     *
     * @param endpoint    Vault's address (env VAULT_ADDR)
     * @param mountPath   KV v2 mount and path prefix: secret/evmore = mount secret, one secret per name under evmore/
     * @param field       the field of each secret that holds the value
     * @param namespace   Vault Enterprise namespace, sent as X-Vault-Namespace (env VAULT_NAMESPACE)
     * @param roleId      AppRole role id (env VAULT_ROLE_ID); empty = use VAULT_TOKEN
     * @param appRolePath where the AppRole auth method is mounted
     */
    public record Vault(String endpoint, String mountPath, String field, String namespace, String roleId, String appRolePath) {
        public static final Vault DEFAULTS = new Vault("", "secret/evmore", "value", "", "", "approle");
    }

    /**
     * AWS Secrets Manager: secret {@code secretPrefix + name} in {@code region}, credentials from the SDK's standard chain.
     *
     * @param region       e.g. us-east-1 (AWS_REGION when empty)
     * @param secretPrefix prepended to each name, e.g. evmore/
     * @param endpoint     endpoint override (VPC endpoint, test server); empty = AWS's own
     * @param jsonKey      when set, each secret is a JSON object and this member holds the value
     * @param maxAttempts  SDK attempts per read (retries with exponential backoff included)
     */
    public record Aws(String region, String secretPrefix, String endpoint, String jsonKey, int maxAttempts) {
        public static final Aws DEFAULTS = new Aws("", "evmore/", "", "", 4);
    }

    /**
     * 1Password: each name is an item of that title in {@code vault}, its value in the field {@code field}. With
     * {@code connectHost} empty, through the op CLI with OP_SERVICE_ACCOUNT_TOKEN; otherwise through that Connect server
     * with OP_CONNECT_TOKEN.
     *
     * @param vault       the vault, e.g. evmore-production
     * @param field       the item field that holds the value
     * @param connectHost a 1Password Connect server (env OP_CONNECT_HOST); empty = the op CLI
     * @param opPath      the op executable (looked up on PATH unless a path)
     */
    public record OnePassword(String vault, String field, String connectHost, String opPath) {
        public static final OnePassword DEFAULTS = new OnePassword("", "password", "", "op");
    }

    /**
     * Replicas on PostgreSQL: only the holder of the database lease drives swaps and signs; the lease expires
     * {@code leaseSeconds} after its holder's last renewal (database clock), at once if the holder's session ends.
     *
     * @param standby      true: a process that finds the lease held waits for it (a hot standby: /health 503, pools warm)
     *                     instead of exiting 1. PostgreSQL only
     * @param leaseSeconds how long a renewal keeps the lease; the holder renews every quarter of it and stops sending when
     *                     three quarters passed without a successful renewal
     */
    public record Ha(boolean standby, int leaseSeconds) {}
}
