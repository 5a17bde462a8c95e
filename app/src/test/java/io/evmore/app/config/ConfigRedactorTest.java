package io.evmore.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigRedactorTest {
    private static final String YAML = """
            environment: test
            admin: {token: super-secret-admin-token-123}
            database: {url: "postgresql://relayer:db-pass-987@db.internal:5432/evmore?sslmode=require", password: other-db-secret}
            chains:
              ethereum:
                chainId: eip155:1
                htlcContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3"
                rpcUrls: ["https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", "https://rpc.example.org/?apikey=k3y-value"]
            """;

    @Test
    void secretsAndCredentialsInUrlsNeverAppear() {
        RelayerConfig c = ConfigLoader.fromYaml(YAML, Map.of());
        String json = ConfigRedactor.redactedTree(c).toString();
        assertThat(json).doesNotContain("super-secret-admin-token-123", "db-pass-987", "other-db-secret",
                "0123456789abcdef0123456789abcdef", "k3y-value");
        assertThat(json).contains("postgresql://relayer:***redacted***@db.internal:5432/evmore?***redacted***");
        assertThat(json).contains("https://mainnet.infura.io/v3/***redacted***");
        assertThat(json).contains("\"token\":\"***redacted***\"");
        // Non-secret values stay readable.
        assertThat(json).contains("\"chainId\":\"eip155:1\"").contains("\"retentionDays\":30");
    }

    @Test
    void anUnparseableUrlIsShownWithOnlyItsCredentialsMasked() {
        // The operator must see what is wrong with it; only the parts shaped like credentials are hidden.
        assertThat(ConfigRedactor.redactUrl("htps//relayer:s3cr3t-pass@rpc.example.org:8545/v3/0123456789abcdef0123456789abcdef?key=abc"))
                .isEqualTo("htps//relayer:***redacted***@rpc.example.org:8545/v3/***redacted***?***redacted***");
        assertThat(ConfigRedactor.redactUrl("http://rpc example.org:8545")).isEqualTo("http://rpc example.org:8545");
        assertThat(ConfigRedactor.redactUrl("localhost:8545")).isEqualTo("localhost:8545");
        assertThat(ConfigRedactor.redactUrl("http://user:p@ss word@host:8545/")).doesNotContain("p@ss", "word@").contains("host:8545");
    }

    @Test
    void diffReportsChangedKeysWithoutSecretValues() {
        RelayerConfig a = ConfigLoader.fromYaml(YAML, Map.of());
        RelayerConfig b = ConfigLoader.fromYaml(YAML.replace("super-secret-admin-token-123", "rotated-admin-token-456")
                + "logLevel: debug\nhttp: {port: 3999}\n", Map.of());
        ConfigDiff d = ConfigDiff.between(a, b);
        assertThat(d.changes()).extracting(ConfigDiff.Change::key).containsExactly("admin.token", "http.port", "logLevel");
        assertThat(d.reloadable()).containsExactly("admin.token", "logLevel");
        assertThat(d.restartRequired()).containsExactly("http.port");
        assertThat(d.toString()).doesNotContain("rotated-admin-token-456", "super-secret-admin-token-123");
        assertThat(ConfigDiff.between(a, a).isEmpty()).isTrue();
    }
}
