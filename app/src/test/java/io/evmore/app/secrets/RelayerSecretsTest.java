package io.evmore.app.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.app.config.ConfigException;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.ConfigRedactor;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.logging.SecretRedactor;
import io.evmore.secrets.Fetched;
import io.evmore.secrets.SecretName;
import io.evmore.secrets.SecretValue;
import io.evmore.secrets.SecretsException;
import io.evmore.secrets.SecretsProvider;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the app asks of the secrets: which are needed, their form, redaction, rotation, and the config keys. */
class RelayerSecretsTest {
    static final String KEY = "0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
    static final String MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    static final String CHAINS = """
            chains:
              ethereum: {chainId: "eip155:1", rpcUrls: ["https://eth.example"], htlcContract: "0x00000000000000000000000000000000000000aa"}
              cosmos:
                - {chainId: devnet-a, prefix: cosmos, denom: stake, rpcUrls: ["https://cosmos.example"], htlcContract: cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr}
            """;

    /** Answers canned values. */
    static final class StubProvider implements SecretsProvider {
        final Map<SecretName, String> values = new EnumMap<>(SecretName.class);

        @Override
        public String kind() {
            return "stub";
        }

        @Override
        public String describe() {
            return "stub (test)";
        }

        @Override
        public String where(SecretName name) {
            return "stub/" + name.id();
        }

        @Override
        public Optional<Fetched> fetch(SecretName name) {
            String v = values.get(name);
            return v == null ? Optional.empty() : Optional.of(new Fetched(name, SecretValue.of(v), "stub/" + name.id()));
        }
    }

    static RelayerConfig config(String yaml) {
        return ConfigLoader.fromYaml("environment: test\n" + yaml, Map.of());
    }

    @Test
    void aRequiredKeyThatIsMissingStopsTheStartNamingProviderSecretAndWhy() {
        StubProvider p = new StubProvider();
        p.values.put(SecretName.COSMOS_MNEMONIC, MNEMONIC);
        assertThatThrownBy(() -> RelayerSecrets.of(p).resolve(config(CHAINS)))
                .isInstanceOf(SecretsException.class)
                .hasMessage("secrets provider stub (test): ethereum-private-key: not found at stub/ethereum-private-key (required: chains.ethereum is configured)");
    }

    @Test
    void malformedValuesAreRefusedWithoutShowingThem() {
        StubProvider p = new StubProvider();
        p.values.put(SecretName.COSMOS_MNEMONIC, MNEMONIC);
        p.values.put(SecretName.ETHEREUM_PRIVATE_KEY, KEY.substring(0, 64)); // 62 hex digits
        assertThatThrownBy(() -> RelayerSecrets.of(p).resolve(config(CHAINS)))
                .hasMessage("secrets provider stub (test): ethereum-private-key: the value at stub/ethereum-private-key is not a 32-byte private key: "
                        + "62 hex digits instead of 64 (value not shown)");
        p.values.put(SecretName.ETHEREUM_PRIVATE_KEY, "0x" + "0".repeat(64));
        assertThatThrownBy(() -> RelayerSecrets.of(p).resolve(config(CHAINS))).hasMessageEndingWith("out of range (value not shown)");
        p.values.put(SecretName.ETHEREUM_PRIVATE_KEY, KEY);
        String badChecksum = MNEMONIC.replace("about", "abandon");
        p.values.put(SecretName.COSMOS_MNEMONIC, badChecksum);
        assertThatThrownBy(() -> RelayerSecrets.of(p).resolve(config(CHAINS)))
                .hasMessage("secrets provider stub (test): cosmos-mnemonic: the value at stub/cosmos-mnemonic is not a valid BIP-39 mnemonic: "
                        + "mnemonic is not a valid BIP39 mnemonic (unknown word or bad checksum) (value not shown)")
                .message().doesNotContain("abandon");
    }

    @Test
    void resolvedValuesAreRegisteredWithTheRedactorInEveryFormAndSourcesNeverHoldThem() {
        StubProvider p = new StubProvider();
        p.values.put(SecretName.ETHEREUM_PRIVATE_KEY, KEY.toUpperCase().replace("0X", "0x"));
        p.values.put(SecretName.COSMOS_MNEMONIC, MNEMONIC);
        p.values.put(SecretName.DATABASE_PASSWORD, "db-pass-7c1e0a");
        RelayerSecrets.Resolved r = RelayerSecrets.of(p).resolve(config(CHAINS));
        String hex = KEY.substring(2);
        String line = "k=" + hex + " K=0x" + hex.toUpperCase() + " m=" + MNEMONIC + " p=db-pass-7c1e0a";
        assertThat(SecretRedactor.redact(line)).doesNotContain(hex).doesNotContain(hex.toUpperCase()).doesNotContain("abandon")
                .doesNotContain("db-pass-7c1e0a");
        assertThat(r.sourceView()).containsEntry("ethereum-private-key", "stub/ethereum-private-key")
                .containsEntry("database-password", "stub/database-password");
        assertThat(r.toString()).doesNotContain(hex.toUpperCase()).doesNotContain("abandon");
    }

    @Test
    void rotationNamesWhatChangedOnly() {
        StubProvider p = new StubProvider();
        p.values.put(SecretName.ETHEREUM_PRIVATE_KEY, KEY);
        p.values.put(SecretName.COSMOS_MNEMONIC, MNEMONIC);
        RelayerSecrets s = RelayerSecrets.of(p);
        RelayerSecrets.Resolved first = s.resolve(config(CHAINS));
        assertThat(s.resolve(config(CHAINS)).rotatedSince(first)).isEmpty();
        p.values.put(SecretName.ETHEREUM_PRIVATE_KEY, KEY.replace("1f1e", "2f1e"));
        p.values.put(SecretName.DATABASE_PASSWORD, "new-db-pass-01");
        assertThat(s.resolve(config(CHAINS)).rotatedSince(first)).containsExactly(SecretName.ETHEREUM_PRIVATE_KEY, SecretName.DATABASE_PASSWORD);
    }

    @Test
    void whatIsNeededFollowsTheConfiguration() {
        RelayerSecrets.Resolved r = RelayerSecrets.of(new StubProvider()).resolve(config(""));
        assertThat(r.sourceView()).containsEntry("ethereum-private-key", "not set (no chains.ethereum)")
                .containsEntry("database-password", "not set (embedded database)");
        assertThat(RelayerSecrets.needs(ConfigLoader.fromYaml("environment: test\n", Map.of("DATABASE_URL", "postgresql://evmore@db:5432/evmore"))))
                .filteredOn(n -> n.name() == SecretName.DATABASE_PASSWORD).singleElement()
                .satisfies(n -> assertThat(n.required()).isTrue());
    }

    @Test
    void providerSettingsAreReadAndCheckedNamingTheKey() {
        RelayerConfig c = ConfigLoader.fromYaml("""
                environment: test
                secrets:
                  provider: vault
                  refreshIntervalSeconds: 300
                  vault: {mountPath: kv/evmore, roleId: 1b2c3d4e-role}
                """, Map.of("VAULT_ADDR", "https://vault.example:8200", "VAULT_NAMESPACE", "team-a"));
        assertThat(c.secrets().vault().endpoint()).isEqualTo("https://vault.example:8200");
        assertThat(c.secrets().vault().namespace()).isEqualTo("team-a");
        assertThat(c.secrets().vault().field()).isEqualTo("value");
        var tree = ConfigRedactor.redactedTree(c).get("secrets");
        assertThat(tree.get("vault").get("roleId").asText()).isEqualTo(ConfigRedactor.REDACTED);
        assertThat(tree.get("aws").get("secretPrefix").asText()).as("a name prefix, not a secret").isEqualTo("evmore/");

        assertThatThrownBy(() -> ConfigLoader.fromYaml("secrets: {provider: vault}\n", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("secrets.vault.endpoint: is required when secrets.provider is vault (or set VAULT_ADDR)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("secrets: {provider: aws}\n", Map.of()))
                .hasMessage("secrets.aws.region: is required when secrets.provider is aws (or set AWS_REGION)");
        assertThat(ConfigLoader.fromYaml("secrets: {provider: aws}\n", Map.of("AWS_REGION", "eu-west-1")).secrets().aws().region()).isEqualTo("eu-west-1");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("secrets: {provider: onepassword}\n", Map.of()))
                .hasMessage("secrets.onepassword.vault: is required when secrets.provider is onepassword (e.g. evmore-production)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("secrets: {provider: keychain}\n", Map.of()))
                .hasMessage("secrets.provider: expected env, file, vault, aws or onepassword, got \"keychain\"");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("secrets: {provider: vault, vault: {endpoint: \"https://v\", mountPoint: x}}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("secrets.vault.mountPoint: unknown key");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("secrets: {refreshIntervalSeconds: 5}\n", Map.of()))
                .hasMessageStartingWith("secrets.refreshIntervalSeconds: must be between 10 and 86400");
    }
}
