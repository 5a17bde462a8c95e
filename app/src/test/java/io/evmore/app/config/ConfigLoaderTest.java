package io.evmore.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.app.config.RelayerConfig.Environment;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    static Path fixture(String name) {
        try {
            return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    static ConfigException errorOf(String fixture, Map<String, String> env) {
        try {
            ConfigLoader.load(fixture(fixture), env);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError(fixture + " was accepted but should fail");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "unknown-key.yaml          | http.prot                         | unknown key",
            "unknown-top-level.yaml    | databse                           | unknown key",
            "wrong-type.yaml           | http.port                         | expected an integer",
            "wrong-type-float.yaml     | http.port                         | expected an integer",
            "wrong-type-bool.yaml      | tracing.enabled                   | expected true or false",
            "out-of-range.yaml         | http.port                         | must be between 0 and 65535, got 70000",
            "pool-out-of-range.yaml    | chains.ethereum.pool.minConnections | must be between 0 and 5, got 10",
            "missing-required.yaml     | chains.cosmos[0].prefix           | is required",
            "missing-rpc.yaml          | chains.ethereum.rpcUrls           | at least one endpoint URL",
            "bad-enum.yaml             | environment                       | one of development, production, test",
            "production-no-token.yaml  | admin.token                       | required when environment is production",
            "bad-database-url.yaml     | database.url                      | expected a PostgreSQL URL",
            "local-chains-production.yaml | localChains.enabled            | not allowed when environment is production",
            "local-chains-with-chains.yaml | chains                        | must be empty when localChains.enabled",
            "missing-contract.yaml     | chains.ethereum.htlcContract      | is required",
    })
    void eachErrorNamesItsKey(String fixture, String key, String problem) {
        ConfigException e = errorOf(fixture, Map.of());
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.getMessage()).startsWith(key + ": ").contains(problem);
        assertThat(e.getMessage()).doesNotContain("\n");
    }

    @Test
    void haStandbyNeedsPostgresAndNoLocalChainsAndTheLeaseHasABoundedDuration() {
        RelayerConfig c = ConfigLoader.fromYaml("ha: {standby: true, leaseSeconds: 7}\n",
                Map.of("DATABASE_URL", "postgresql://relayer@db:5432/evmore"));
        assertThat(c.ha().standby()).isTrue();
        assertThat(c.ha().leaseSeconds()).isEqualTo(7);
        RelayerConfig defaults = ConfigLoader.fromYaml("", Map.of());
        assertThat(defaults.ha().standby()).isFalse();
        assertThat(defaults.ha().leaseSeconds()).isEqualTo(5);

        assertThatThrownBy(() -> ConfigLoader.fromYaml("ha: {standby: true}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ha.standby: needs PostgreSQL");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("ha: {standby: true}\nlocalChains: {enabled: true}\n",
                Map.of("DATABASE_URL", "postgresql://relayer@db:5432/evmore")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ha.standby: cannot be used with localChains.enabled");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("ha: {leaseSeconds: 1}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessage("ha.leaseSeconds: must be between 2 and 120, got 1");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("ha: {standy: true}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ha.standy: unknown key");
    }

    @Test
    void invalidYamlNamesTheFileAndLine() {
        ConfigException e = errorOf("bad-yaml.yaml", Map.of());
        assertThat(e.getMessage()).contains("bad-yaml.yaml").contains("not valid YAML").contains("line 3");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("no/such/relayer.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no/such/relayer.yaml does not exist");
    }

    @Test
    void secretInABadValueIsNotEchoed() {
        ConfigException e = errorOf("bad-database-url.yaml", Map.of());
        assertThat(e.getMessage()).doesNotContain("hunter2secret");
    }

    @Test
    void defaultsFillGapsIncludingTheGuidesPoolSettings() {
        RelayerConfig c = ConfigLoader.load(fixture("valid-full.yaml"), Map.of());
        assertThat(c.environment()).isEqualTo(Environment.TEST);
        assertThat(c.http().port()).isEqualTo(3100);
        assertThat(c.database().retentionDays()).isEqualTo(7);
        assertThat(c.database().cleanupIntervalMinutes()).isEqualTo(60);
        assertThat(c.heap().warnThresholdMb()).isEqualTo(500); // the guide's 500 MB (HeapWatch lowers it under a smaller heap)
        var eth = c.chains().ethereum().pool();
        assertThat(eth).isEqualTo(new RelayerConfig.Pool(50, 10, 30000, 60000, 1000));
        assertThat(c.chains().cosmos().get(0).pool()).isEqualTo(new RelayerConfig.Pool(4, 2, 15000, 60000, 1000));
        assertThat(c.chains().cosmos().get(0).gasPrice()).isEqualTo("0.025");
    }

    @Test
    void cosmosDefaultMinConnectionsAboveAnExplicitMaxIsRejectedNamingTheKey() {
        // valid-full sets maxConnections 4 but the guide's default minConnections is 5: the operator must see why.
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                chains:
                  cosmos:
                    - {chainId: devnet-a, prefix: cosmos, denom: stake, rpcUrls: [http://127.0.0.1:1], htlcContract: cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr, pool: {maxConnections: 2}}
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("chains.cosmos[0].pool.minConnections: must be between 0 and 2, got 5");
    }

    /** Home devnet-a and devnet-c two hops away, with {@code hops} as the route's hop list. */
    static String routed(String route) {
        return """
                chains:
                  cosmos:
                    - {chainId: devnet-a, prefix: cosmos, denom: stake, rpcUrls: [http://127.0.0.1:1], htlcContract: cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr, pool: {maxConnections: 8}}
                    - {chainId: devnet-c, prefix: juno, denom: ujuno, rpcUrls: [http://127.0.0.1:2], htlcContract: juno14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9skjuwg8, pool: {maxConnections: 8},
                       route: %s}
                """.formatted(route);
    }

    static final String TWO_HOPS = "{chainId: devnet-b, prefix: osmo, channel: channel-0, counterpartyChannel: channel-0, timeoutSeconds: 60},"
            + " {chainId: devnet-c, prefix: juno, channel: channel-1, counterpartyChannel: channel-0, timeoutSeconds: 60, retries: 2}";

    @Test
    void aRouteIsReadWithItsHops() {
        RelayerConfig c = ConfigLoader.fromYaml(routed("{from: devnet-a, denom: stake, hops: [" + TWO_HOPS + "]}"), Map.of());
        var route = c.chains().cosmos().get(1).route();
        assertThat(route.from()).isEqualTo("devnet-a");
        assertThat(route.hops()).hasSize(2);
        assertThat(route.hops().get(1).retries()).isEqualTo(2);
        assertThat(route.hops().get(0).retriesOrDefault()).isZero();
        assertThat(route.hops().get(0).portOrDefault()).isEqualTo("transfer");
        assertThat(c.chains().cosmos().get(0).route()).isNull();
        // H = 60 × 1 + 60 × 3, and the denom at every hop (ICS-20: ibc/ + sha256 of the trace on the receiving side)
        var r = c.chains().cosmos().get(1).route().toIbcRoute("devnet-c");
        assertThat(r.worstCaseDelivery()).isEqualTo(java.time.Duration.ofSeconds(240));
        assertThat(r.denomsAlong("stake").getLast().trace()).isEqualTo("transfer/channel-0/transfer/channel-0/stake");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "{from: devnet-x, denom: stake, hops: [HOPS]}      | chains.cosmos[1].route.from | not a chain under chains.cosmos",
            "{from: devnet-c, denom: stake, hops: [HOPS]}      | chains.cosmos[1].route.from | is the chain itself",
            "{from: devnet-a, denom: ibc/ABC, hops: [HOPS]}    | chains.cosmos[1].route.denom | is a voucher",
            "{from: devnet-a, denom: stake, hops: []}          | chains.cosmos[1].route.hops | at least one hop",
            "{from: devnet-a, denom: stake, hops: [{chainId: devnet-c, prefix: juno, channel: chan-1, counterpartyChannel: channel-0, timeoutSeconds: 60}]} | chains.cosmos[1].route.hops[0].channel | expected channel-N",
            "{from: devnet-a, denom: stake, hops: [{chainId: devnet-c, prefix: juno, channel: channel-1, timeoutSeconds: 60}]} | chains.cosmos[1].route.hops[0].counterpartyChannel | expected channel-N",
            "{from: devnet-a, denom: stake, hops: [{chainId: devnet-c, prefix: juno, channel: channel-1, counterpartyChannel: channel-0}]} | chains.cosmos[1].route.hops[0].timeoutSeconds | is required",
            "{from: devnet-a, denom: stake, hops: [{chainId: devnet-c, prefix: juno, channel: channel-1, counterpartyChannel: channel-0, timeoutSeconds: 60, retries: 256}]} | chains.cosmos[1].route.hops[0].retries | must be between 0 and 255",
            "{from: devnet-a, denom: stake, hops: [{chainId: devnet-b, prefix: osmo, channel: channel-0, counterpartyChannel: channel-0, timeoutSeconds: 60}]} | chains.cosmos[1].route.hops[0].chainId | the last hop must reach devnet-c",
            "{from: devnet-a, denom: stake, hops: [{chainId: devnet-c, prefix: osmo, channel: channel-1, counterpartyChannel: channel-0, timeoutSeconds: 60}]} | chains.cosmos[1].route.hops[0].prefix | must be devnet-c's prefix"})
    void aBadRouteIsRefusedNamingTheKey(String route, String key, String message) {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(routed(route.replace("HOPS", TWO_HOPS)), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void environmentOverridesTheFile() {
        RelayerConfig c = ConfigLoader.load(fixture("valid-full.yaml"), Map.of(
                "FUSION_ENV", "production",
                "LOG_LEVEL", "WARN",
                "ENABLE_TRACING", "true",
                "DATABASE_URL", "postgresql://relayer@127.0.0.1:5432/evmore",
                "ADMIN_TOKEN", "env-token-0123456789",
                "ETHEREUM_RPC_URL", "http://a:8545, http://b:8545",
                "COSMOS_RPC_URL", "http://c:26657"));
        assertThat(c.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(c.logLevel()).isEqualTo("warn");
        assertThat(c.tracing().enabled()).isTrue();
        assertThat(c.database().url()).isEqualTo("postgresql://relayer@127.0.0.1:5432/evmore");
        assertThat(c.admin().token()).isEqualTo("env-token-0123456789");
        assertThat(c.chains().ethereum().rpcUrls()).containsExactly("http://a:8545", "http://b:8545");
        assertThat(c.chains().cosmos().get(0).rpcUrls()).containsExactly("http://c:26657");
    }

    @Test
    void badEnvironmentValuesNameTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(fixture("valid-full.yaml"), Map.of("ENABLE_TRACING", "yes please")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ENABLE_TRACING: expected true or false");
        assertThatThrownBy(() -> ConfigLoader.load(fixture("valid-full.yaml"), Map.of("LOG_LEVEL", "loud")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("logLevel: expected one of error, warn");
        assertThatThrownBy(() -> ConfigLoader.load(fixture("unknown-key.yaml"), Map.of("COSMOS_RPC_URL", "http://x:1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("COSMOS_RPC_URL: is set but no Cosmos chain");
        // A bad URL is shown so it can be fixed; only its credentials are masked.
        assertThatThrownBy(() -> ConfigLoader.load(fixture("valid-full.yaml"), Map.of("ETHEREUM_RPC_URL", "htps//relayer:pa55word@rpc.example.org:8545")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("chains.ethereum.rpcUrls[0]: ")
                .hasMessageContaining("\"htps//relayer:***redacted***@rpc.example.org:8545\"")
                .hasMessageNotContaining("pa55word");
        assertThatThrownBy(() -> ConfigLoader.load(fixture("valid-full.yaml"), Map.of("FUSION_ENV", "production", "ADMIN_TOKEN", "short")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admin.token: must be at least 16 characters");
    }

    @Test
    void theShippedConfigFileIsValid() {
        Path shipped = Path.of("..", "config", "relayer.yaml");
        RelayerConfig c = ConfigLoader.load(shipped, Map.of());
        assertThat(c.http().port()).isEqualTo(3000);
        assertThat(c.database().url()).isEmpty();
    }
}
