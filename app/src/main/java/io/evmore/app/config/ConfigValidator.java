package io.evmore.app.config;

import io.evmore.app.config.RelayerConfig.Environment;
import io.evmore.core.chain.ChainId;
import io.evmore.store.PostgresUrl;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Range and presence checks after binding; the first problem found is thrown, naming its key. */
final class ConfigValidator {
    private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");
    private static final Pattern EVM_ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern BECH32_PREFIX = Pattern.compile("[a-z][a-z0-9]{0,31}");
    private static final Pattern DENOM = Pattern.compile("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}");
    static final int MIN_PRODUCTION_TOKEN_LENGTH = 16;

    private ConfigValidator() {}

    static void validate(RelayerConfig c) {
        required(c.environment(), "environment");
        required(c.logLevel(), "logLevel");
        if (!LOG_LEVELS.contains(c.logLevel())) {
            throw new ConfigException("logLevel", "expected one of error, warn, info, debug, trace, got \"" + c.logLevel() + "\"");
        }

        required(c.http(), "http");
        notBlank(c.http().host(), "http.host");
        range(c.http().port(), 0, 65535, "http.port");
        range(c.http().metricsPort(), -1, 65535, "http.metricsPort");
        if (c.http().metricsPort() > 0 && c.http().metricsPort() == c.http().port()) {
            throw new ConfigException("http.metricsPort", "must differ from http.port (" + c.http().port() + "), or be -1 to serve /metrics there");
        }

        required(c.admin(), "admin");
        String token = c.admin().token() == null ? "" : c.admin().token();
        if (c.environment() == Environment.PRODUCTION) {
            if (token.isBlank()) {
                throw new ConfigException("admin.token", "is required when environment is production (set ADMIN_TOKEN)");
            }
            if (token.length() < MIN_PRODUCTION_TOKEN_LENGTH) {
                throw new ConfigException("admin.token", "must be at least " + MIN_PRODUCTION_TOKEN_LENGTH + " characters in production");
            }
        }

        var db = required(c.database(), "database");
        String url = db.url() == null ? "" : db.url().trim();
        if (!url.isEmpty() && !PostgresUrl.looksLikePostgres(url)) {
            throw new ConfigException("database.url", "expected a PostgreSQL URL such as postgresql://user@host:5432/evmore (or empty for the embedded database), got \""
                    + ConfigRedactor.redactUrl(url) + "\"");
        }
        notBlank(db.path(), "database.path");
        range(db.maxConnections(), 1, 100, "database.maxConnections");
        range(db.retentionDays(), 1, 3650, "database.retentionDays");
        range(db.cleanupIntervalMinutes(), 1, 10080, "database.cleanupIntervalMinutes");

        var ha = required(c.ha(), "ha");
        range(ha.leaseSeconds(), 2, 120, "ha.leaseSeconds");
        if (ha.standby() && url.isEmpty()) {
            throw new ConfigException("ha.standby", "needs PostgreSQL (database.url / DATABASE_URL): the embedded SQLite database is"
                    + " one process on one machine, there is nothing to stand by for");
        }
        if (ha.standby() && c.localChains() != null && c.localChains().enabled()) {
            throw new ConfigException("ha.standby", "cannot be used with localChains.enabled: local chains are new on every start"
                    + " and live in the leader's process, a standby could not take them over");
        }

        var tracing = required(c.tracing(), "tracing");
        notBlank(tracing.serviceName(), "tracing.serviceName");
        if (tracing.enabled()) httpUrl(tracing.otlpEndpoint(), "tracing.otlpEndpoint", Set.of("http", "https"));
        if (!(tracing.sampleRatio() >= 0 && tracing.sampleRatio() <= 1)) { // NaN fails too
            throw new ConfigException("tracing.sampleRatio", "must be between 0 and 1 (the share of swaps traced), got " + tracing.sampleRatio());
        }

        var heap = required(c.heap(), "heap");
        range(heap.warnThresholdMb(), 16, 1_048_576, "heap.warnThresholdMb");
        range(heap.checkIntervalSeconds(), 1, 3600, "heap.checkIntervalSeconds");
        range(required(c.shutdown(), "shutdown").timeoutSeconds(), 1, 600, "shutdown.timeoutSeconds");

        var local = required(c.localChains(), "localChains");
        range(local.blockIntervalMs(), 100, 60_000, "localChains.blockIntervalMs");
        var chains = required(c.chains(), "chains");
        if (local.enabled()) {
            if (c.environment() == Environment.PRODUCTION) {
                throw new ConfigException("localChains.enabled", "local chains are for development and tests; not allowed when environment is production");
            }
            if (chains.ethereum() != null || (chains.cosmos() != null && !chains.cosmos().isEmpty())) {
                throw new ConfigException("chains", "must be empty when localChains.enabled is true (the local chains fill it in)");
            }
        }
        Set<String> ids = new HashSet<>();
        if (chains.ethereum() != null) {
            var eth = chains.ethereum();
            String k = "chains.ethereum";
            ChainId id = chainId(eth.chainId(), k + ".chainId");
            if (!id.isEvm()) throw new ConfigException(k + ".chainId", "expected eip155:<number>, got \"" + eth.chainId() + "\"");
            ids.add(id.value());
            urls(eth.rpcUrls(), k + ".rpcUrls", Set.of("http", "https", "ws", "wss"));
            if (eth.htlcContract() == null || eth.htlcContract().isEmpty()) throw new ConfigException(k + ".htlcContract", "is required");
            if (!EVM_ADDRESS.matcher(eth.htlcContract()).matches()) {
                throw new ConfigException(k + ".htlcContract", "expected a 0x-prefixed 20-byte hex address, got \"" + eth.htlcContract() + "\"");
            }
            range(eth.confirmations(), 1, 1000, k + ".confirmations");
            pool(eth.pool(), k + ".pool");
            timing(eth.confirmationTiers(), eth.blockTimeSeconds(), eth.claimInclusionSeconds(), k);
            if (eth.startBlock() < -1) throw new ConfigException(k + ".startBlock", "expected -1 (latest at first start) or a block number >= 0, got " + eth.startBlock());
        }
        List<RelayerConfig.Cosmos> cosmos = chains.cosmos() == null ? List.of() : chains.cosmos();
        for (int i = 0; i < cosmos.size(); i++) {
            var cc = cosmos.get(i);
            String k = "chains.cosmos[" + i + "]";
            if (cc == null) throw new ConfigException(k, "is empty; expected a mapping with chainId, prefix, denom, rpcUrls");
            ChainId id = chainId(cc.chainId(), k + ".chainId");
            if (id.isEvm()) throw new ConfigException(k + ".chainId", "expected a Cosmos chain id such as osmosis-1, got \"" + cc.chainId() + "\"");
            if (!ids.add(id.value())) throw new ConfigException(k + ".chainId", "chain \"" + id + "\" is configured twice");
            notBlank(cc.prefix(), k + ".prefix");
            if (!BECH32_PREFIX.matcher(cc.prefix()).matches()) {
                throw new ConfigException(k + ".prefix", "expected a lowercase bech32 prefix such as osmo, got \"" + cc.prefix() + "\"");
            }
            notBlank(cc.denom(), k + ".denom");
            if (!DENOM.matcher(cc.denom()).matches()) throw new ConfigException(k + ".denom", "is not a valid denom: \"" + cc.denom() + "\"");
            urls(cc.rpcUrls(), k + ".rpcUrls", Set.of("http", "https"));
            if (cc.htlcContract() == null || cc.htlcContract().isEmpty()) throw new ConfigException(k + ".htlcContract", "is required");
            if (!cc.htlcContract().startsWith(cc.prefix() + "1") || !io.evmore.cosmos.key.Bech32Address.isValid(cc.htlcContract(), cc.prefix())) {
                throw new ConfigException(k + ".htlcContract", "expected a bech32 address starting with " + cc.prefix() + "1 (checksum included), got \"" + cc.htlcContract() + "\"");
            }
            notBlank(cc.gasPrice(), k + ".gasPrice");
            try {
                if (new BigDecimal(cc.gasPrice()).signum() < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new ConfigException(k + ".gasPrice", "expected a non-negative decimal such as 0.025, got \"" + cc.gasPrice() + "\"");
            }
            pool(cc.pool(), k + ".pool");
            range(cc.confirmations(), 1, 1000, k + ".confirmations");
            timing(cc.confirmationTiers(), cc.blockTimeSeconds(), cc.claimInclusionSeconds(), k);
            if (cc.startHeight() < -1) throw new ConfigException(k + ".startHeight", "expected -1 (latest at first start) or a height >= 0, got " + cc.startHeight());
        }
        for (int i = 0; i < cosmos.size(); i++) {
            if (cosmos.get(i).route() != null) route(cosmos.get(i), cosmos, "chains.cosmos[" + i + "].route");
        }
        swaps(required(c.swaps(), "swaps"), local.enabled() ? null : ids);
        secrets(required(c.secrets(), "secrets"));
    }

    private static final Set<String> SECRET_PROVIDERS = Set.of("env", "file", "vault", "aws", "onepassword");
    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");

    /** The secrets section: the provider and the settings it needs (only the chosen provider's section is checked). */
    private static void secrets(RelayerConfig.Secrets secrets) {
        if (!SECRET_PROVIDERS.contains(secrets.provider())) {
            throw new ConfigException("secrets.provider", "expected env, file, vault, aws or onepassword, got \"" + secrets.provider() + "\"");
        }
        if (secrets.refreshIntervalSeconds() != 0) range(secrets.refreshIntervalSeconds(), 10, 86400, "secrets.refreshIntervalSeconds");
        range(secrets.timeoutSeconds(), 1, 300, "secrets.timeoutSeconds");
        switch (secrets.provider()) {
            case "file" -> {
                if (secrets.dir() == null || secrets.dir().isBlank()) {
                    throw new ConfigException("secrets.dir", "is required when secrets.provider is file");
                }
            }
            case "vault" -> {
                var v = required(secrets.vault(), "secrets.vault");
                if (v.endpoint() == null || v.endpoint().isBlank()) {
                    throw new ConfigException("secrets.vault.endpoint", "is required when secrets.provider is vault (or set VAULT_ADDR)");
                }
                httpUrl(v.endpoint(), "secrets.vault.endpoint", Set.of("http", "https"));
                notBlank(v.mountPath(), "secrets.vault.mountPath");
                if (v.mountPath().replace("/", "").isBlank()) throw new ConfigException("secrets.vault.mountPath", "must name a KV v2 mount, e.g. secret/evmore");
                notBlank(v.field(), "secrets.vault.field");
                notBlank(v.appRolePath(), "secrets.vault.appRolePath");
            }
            case "aws" -> {
                var a = required(secrets.aws(), "secrets.aws");
                if (a.region() == null || a.region().isBlank()) {
                    throw new ConfigException("secrets.aws.region", "is required when secrets.provider is aws (or set AWS_REGION)");
                }
                if (!AWS_REGION.matcher(a.region()).matches()) {
                    throw new ConfigException("secrets.aws.region", "expected an AWS region such as us-east-1, got \"" + a.region() + "\"");
                }
                if (a.endpoint() != null && !a.endpoint().isBlank()) httpUrl(a.endpoint(), "secrets.aws.endpoint", Set.of("http", "https"));
                range(a.maxAttempts(), 1, 10, "secrets.aws.maxAttempts");
            }
            case "onepassword" -> {
                var o = required(secrets.onepassword(), "secrets.onepassword");
                if (o.vault() == null || o.vault().isBlank()) {
                    throw new ConfigException("secrets.onepassword.vault", "is required when secrets.provider is onepassword (e.g. evmore-production)");
                }
                if (o.vault().contains("/")) throw new ConfigException("secrets.onepassword.vault", "must not contain '/'");
                notBlank(o.field(), "secrets.onepassword.field");
                if (o.connectHost() != null && !o.connectHost().isBlank()) {
                    httpUrl(o.connectHost(), "secrets.onepassword.connectHost", Set.of("http", "https"));
                } else {
                    notBlank(o.opPath(), "secrets.onepassword.opPath");
                }
            }
            default -> {
                // env: nothing to configure
            }
        }
    }

    private static final Pattern CHANNEL = Pattern.compile("channel-[0-9]{1,18}");
    static final int MAX_HOPS = 8;

    /** A multi-hop destination's route: from a configured direct chain, each hop well-formed, the last one reaching it. */
    private static void route(RelayerConfig.Cosmos dest, List<RelayerConfig.Cosmos> all, String k) {
        var r = dest.route();
        notBlank(r.from(), k + ".from");
        var home = all.stream().filter(c -> r.from().equals(c.chainId())).findFirst().orElseThrow(() -> new ConfigException(k + ".from",
                "names \"" + r.from() + "\", which is not a chain under chains.cosmos (the home chain must be configured too)"));
        if (home.chainId().equals(dest.chainId())) throw new ConfigException(k + ".from", "is the chain itself; a route starts at the home chain");
        if (home.route() != null) throw new ConfigException(k + ".from", "\"" + r.from() + "\" has a route itself; a route starts at a directly served home chain");
        notBlank(r.denom(), k + ".denom");
        if (!DENOM.matcher(r.denom()).matches()) throw new ConfigException(k + ".denom", "is not a valid denom: \"" + r.denom() + "\"");
        if (r.denom().startsWith("ibc/")) {
            throw new ConfigException(k + ".denom", "\"" + r.denom() + "\" is a voucher; a route sends a denom native to " + r.from()
                    + " (sending vouchers back along their path is not supported)");
        }
        if (r.hops() == null || r.hops().isEmpty()) throw new ConfigException(k + ".hops", "is empty; expected at least one hop");
        if (r.hops().size() > MAX_HOPS) throw new ConfigException(k + ".hops", "has " + r.hops().size() + " hops; at most " + MAX_HOPS);
        for (int h = 0; h < r.hops().size(); h++) {
            var hop = r.hops().get(h);
            String hk = k + ".hops[" + h + "]";
            if (hop == null) throw new ConfigException(hk, "is empty; expected chainId, prefix, channel, counterpartyChannel, timeoutSeconds");
            chainId(hop.chainId(), hk + ".chainId");
            notBlank(hop.prefix(), hk + ".prefix");
            if (!BECH32_PREFIX.matcher(hop.prefix()).matches()) {
                throw new ConfigException(hk + ".prefix", "expected a lowercase bech32 prefix, got \"" + hop.prefix() + "\"");
            }
            if (hop.port() != null && hop.port().isBlank()) throw new ConfigException(hk + ".port", "is blank; leave it out for \"transfer\"");
            if (hop.channel() == null || !CHANNEL.matcher(hop.channel()).matches()) {
                throw new ConfigException(hk + ".channel", "expected channel-N, got \"" + hop.channel() + "\"");
            }
            if (hop.counterpartyChannel() == null || !CHANNEL.matcher(hop.counterpartyChannel()).matches()) {
                throw new ConfigException(hk + ".counterpartyChannel", "expected channel-N (the channel's end on " + hop.chainId()
                        + "), got \"" + hop.counterpartyChannel() + "\"");
            }
            if (hop.timeoutSeconds() == null) throw new ConfigException(hk + ".timeoutSeconds", "is required (the packet's timeout on this hop, 1-86400)");
            range(hop.timeoutSeconds(), 1, 86_400, hk + ".timeoutSeconds");
            range(hop.retriesOrDefault(), 0, 255, hk + ".retries");
            String before = h == 0 ? r.from() : r.hops().get(h - 1).chainId();
            if (hop.chainId().equals(before)) throw new ConfigException(hk + ".chainId", "\"" + hop.chainId() + "\" is where the hop starts");
        }
        var last = r.hops().get(r.hops().size() - 1);
        if (!last.chainId().equals(dest.chainId())) {
            throw new ConfigException(k + ".hops[" + (r.hops().size() - 1) + "].chainId", "the last hop must reach " + dest.chainId()
                    + ", got \"" + last.chainId() + "\"");
        }
        if (!last.prefix().equals(dest.prefix())) {
            throw new ConfigException(k + ".hops[" + (r.hops().size() - 1) + "].prefix", "must be " + dest.chainId() + "'s prefix \""
                    + dest.prefix() + "\", got \"" + last.prefix() + "\"");
        }
    }

    private static void timing(List<RelayerConfig.ConfirmationTier> tiers, int blockTime, int claimInclusion, String k) {
        range(blockTime, 1, 3600, k + ".blockTimeSeconds");
        range(claimInclusion, 1, 86_400, k + ".claimInclusionSeconds");
        List<RelayerConfig.ConfirmationTier> list = tiers == null ? List.of() : tiers;
        for (int i = 0; i < list.size(); i++) {
            var t = list.get(i);
            String tk = k + ".confirmationTiers[" + i + "]";
            if (t == null) throw new ConfigException(tk, "is empty; expected asset, minAmount, confirmations");
            notBlank(t.asset(), tk + ".asset");
            amount(t.minAmount(), tk + ".minAmount", true);
            range(t.confirmations(), 1, 1000, tk + ".confirmations");
        }
    }

    /** @param chainIds the configured chains pairs must join (null: local chains, filled in at start) */
    private static void swaps(RelayerConfig.Swaps swaps, Set<String> chainIds) {
        var t = required(swaps.timelocks(), "swaps.timelocks");
        range(t.pollDelaySeconds(), 0, 86_400, "swaps.timelocks.pollDelaySeconds");
        range(t.safetyMarginSeconds(), 0, 7 * 86_400, "swaps.timelocks.safetyMarginSeconds");
        range(t.userClaimWindowSeconds(), 1, 7 * 86_400, "swaps.timelocks.userClaimWindowSeconds");
        var safety = required(swaps.safety(), "swaps.safety");
        range(safety.secretWatchSeconds(), 1, 3_600, "swaps.safety.secretWatchSeconds");
        range(safety.atRiskLeadSeconds(), 0, 7 * 86_400, "swaps.safety.atRiskLeadSeconds");
        range(safety.feeEscalationSeconds(), 1, 3_600, "swaps.safety.feeEscalationSeconds");
        List<RelayerConfig.PairConfig> pairs = swaps.pairs() == null ? List.of() : swaps.pairs();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < pairs.size(); i++) {
            var p = pairs.get(i);
            String k = "swaps.pairs[" + i + "]";
            if (p == null) throw new ConfigException(k, "is empty; expected from, fromAsset, to, toAsset, rate, feeBps, minAmount, maxAmount");
            chainId(p.from(), k + ".from");
            chainId(p.to(), k + ".to");
            if (p.from().equals(p.to())) throw new ConfigException(k + ".to", "must differ from " + k + ".from");
            if (chainIds != null && !chainIds.contains(p.from())) throw new ConfigException(k + ".from", "chain \"" + p.from() + "\" is not configured under chains");
            if (chainIds != null && !chainIds.contains(p.to())) throw new ConfigException(k + ".to", "chain \"" + p.to() + "\" is not configured under chains");
            notBlank(p.fromAsset(), k + ".fromAsset");
            notBlank(p.toAsset(), k + ".toAsset");
            for (var side : new String[][] {{p.from(), p.fromAsset(), ".fromAsset"}, {p.to(), p.toAsset(), ".toAsset"}}) {
                boolean evm = side[0].startsWith("eip155:");
                if (evm ? !EVM_ADDRESS.matcher(side[1]).matches() : !DENOM.matcher(side[1]).matches()) {
                    throw new ConfigException(k + side[2], "expected " + (evm ? "a 0x token address (0x000…000 for the native coin)" : "a denom") + ", got \"" + side[1] + "\"");
                }
            }
            notBlank(p.rate(), k + ".rate");
            try {
                if (new BigDecimal(p.rate()).signum() <= 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new ConfigException(k + ".rate", "expected a positive decimal (destination base units per source base unit), got \"" + p.rate() + "\"");
            }
            range(p.feeBps(), 0, 9_999, k + ".feeBps");
            BigInteger min = amount(p.minAmount(), k + ".minAmount", false);
            BigInteger max = amount(p.maxAmount(), k + ".maxAmount", false);
            if (max.compareTo(min) < 0) throw new ConfigException(k + ".maxAmount", "must be >= minAmount (" + min + "), got " + max);
            String key = p.from() + "|" + p.fromAsset().toLowerCase() + "|" + p.to();
            if (!seen.add(key)) throw new ConfigException(k, "a pair for " + p.fromAsset() + " from " + p.from() + " to " + p.to() + " is configured twice");
        }
    }

    private static BigInteger amount(String v, String key, boolean zeroAllowed) {
        notBlank(v, key);
        if (!v.matches("[0-9]{1,78}")) throw new ConfigException(key, "expected a whole number of base units as a string, got \"" + v + "\"");
        BigInteger n = new BigInteger(v);
        if (n.bitLength() > 256) throw new ConfigException(key, "exceeds uint256");
        if (!zeroAllowed && n.signum() == 0) throw new ConfigException(key, "must be > 0");
        return n;
    }

    private static void pool(RelayerConfig.Pool p, String k) {
        required(p, k);
        range(p.maxConnections(), 1, 1000, k + ".maxConnections");
        range(p.minConnections(), 0, p.maxConnections(), k + ".minConnections");
        range(p.acquireTimeout(), 1, 600_000, k + ".acquireTimeout");
        range(p.healthCheckInterval(), 1000, 3_600_000, k + ".healthCheckInterval");
        range(p.retryDelay(), 0, 60_000, k + ".retryDelay");
    }

    private static ChainId chainId(String value, String key) {
        notBlank(value, key);
        try {
            return ChainId.of(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    private static void urls(List<String> urls, String key, Set<String> schemes) {
        if (urls == null || urls.isEmpty()) throw new ConfigException(key, "is required: at least one endpoint URL");
        for (int i = 0; i < urls.size(); i++) httpUrl(urls.get(i), key + "[" + i + "]", schemes);
    }

    private static void httpUrl(String url, String key, Set<String> schemes) {
        notBlank(url, key);
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || !schemes.contains(u.getScheme()) || u.getHost() == null) throw new IllegalArgumentException();
        } catch (Exception e) {
            throw new ConfigException(key, "expected a URL with scheme " + String.join("/", schemes.stream().sorted().toList())
                    + " and a host, got \"" + ConfigRedactor.redactUrl(url) + "\"");
        }
    }

    private static <T> T required(T v, String key) {
        if (v == null) throw new ConfigException(key, "is required");
        return v;
    }

    private static void notBlank(String v, String key) {
        if (v == null || v.isBlank()) throw new ConfigException(key, "is required");
    }

    private static void range(int v, int min, int max, String key) {
        if (v < min || v > max) throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + v);
    }
}
