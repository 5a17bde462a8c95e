package io.evmore.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static final String WITH_CHAIN = """
            environment: test
            admin: {token: first-admin-token-1234}
            chains:
              ethereum:
                chainId: eip155:1
                htlcContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3"
                rpcUrls: ["https://rpc.example.org"]
            """;

    @Test
    void anOptionalSectionThatBecomesNullIsReportedByItsLeavesWithoutANullToNullEntry() {
        // What a truncated file does under local chains: chains.ethereum goes from filled in to absent.
        RelayerConfig before = ConfigLoader.fromYaml(WITH_CHAIN, Map.of());
        RelayerConfig after = ConfigLoader.fromYaml("environment: test\nadmin: {token: first-admin-token-1234}\n", Map.of());
        ConfigDiff d = ConfigDiff.between(before, after);
        assertThat(d.changes()).noneMatch(c -> c.from().isNull() && c.to().isNull());
        assertThat(d.changes()).extracting(ConfigDiff.Change::key).contains("chains.ethereum.chainId").doesNotContain("chains.ethereum");
        ConfigDiff.Change chainId = d.changes().stream().filter(c -> c.key().equals("chains.ethereum.chainId")).findFirst().orElseThrow();
        assertThat(chainId.from().asText()).isEqualTo("eip155:1");
        assertThat(chainId.to().isNull()).isTrue();
    }

    @Test
    void aSecretChangeSaysSetOrClearedWithoutTheValue() {
        RelayerConfig set = ConfigLoader.fromYaml(WITH_CHAIN, Map.of());
        RelayerConfig cleared = ConfigLoader.fromYaml(WITH_CHAIN.replace("first-admin-token-1234", "\"\""), Map.of());
        ConfigDiff.Change c = ConfigDiff.between(set, cleared).changes().get(0);
        assertThat(c.key()).isEqualTo("admin.token");
        assertThat(c.from().asText()).isEqualTo(ConfigRedactor.REDACTED);
        assertThat(c.to().asText()).isEmpty();
        assertThat(ConfigDiff.between(set, cleared).toString()).doesNotContain("first-admin-token-1234");
    }
}
