package io.evmore.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.secrets.testing.OpenBao;
import io.evmore.secrets.testing.SecretServers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provider {@code vault} against a real OpenBao dev server (KV v2 at secret/, tokens, AppRole, policies, seal). */
class VaultSecretsProviderIT {
    static final String KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    static final String MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    @TempDir
    static Path dir;
    static OpenBao bao;

    @BeforeAll
    static void start() throws Exception {
        bao = OpenBao.start(dir);
        bao.put("evmore/ethereum-private-key", Map.of("value", KEY));
        bao.put("evmore/cosmos-mnemonic", Map.of("value", MNEMONIC, "note", "relayer"));
        bao.put("evmore/database-password", Map.of("password", "db-Passw0rd-for-test"));
        bao.policy("evmore-read", "path \"secret/data/evmore/*\" { capabilities = [\"read\"] }");
        bao.policy("evmore-no-keys", "path \"secret/data/evmore/*\" { capabilities = [\"read\"] }\n"
                + "path \"secret/data/evmore/ethereum-private-key\" { capabilities = [\"deny\"] }");
    }

    @AfterAll
    static void stop() {
        if (bao != null) bao.close();
    }

    static VaultSecretsProvider provider(String token) {
        return provider(token, "secret/evmore", null);
    }

    static VaultSecretsProvider provider(String token, String mountPath, String field) {
        return new VaultSecretsProvider(new VaultSecretsProvider.Settings(bao.address, mountPath, field, "", token, null, null, null,
                Duration.ofSeconds(5)));
    }

    @Test
    void readsEachNameFromItsKvV2SecretAndSaysWhere() {
        String token = bao.token(List.of("evmore-read"), "1h", null, true);
        try (VaultSecretsProvider p = provider(token)) {
            Fetched key = p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow();
            assertThat(key.value().reveal()).isEqualTo(KEY);
            assertThat(key.source()).isEqualTo("vault " + bao.address + " secret/evmore/ethereum-private-key field value (version 1)")
                    .doesNotContain(KEY);
            assertThat(p.fetch(SecretName.COSMOS_MNEMONIC).orElseThrow().value().reveal()).isEqualTo(MNEMONIC);
            assertThat(key.toString()).doesNotContain(KEY);
        }
        try (VaultSecretsProvider p = provider(token, "/secret/evmore/", "password")) {
            assertThat(p.fetch(SecretName.DATABASE_PASSWORD).orElseThrow().value().reveal()).isEqualTo("db-Passw0rd-for-test");
        }
    }

    @Test
    void aNewVersionIsReadOnTheNextFetch() {
        bao.put("evmore/rotating/ethereum-private-key", Map.of("value", KEY));
        try (VaultSecretsProvider p = provider(OpenBao.ROOT_TOKEN, "secret/evmore/rotating", null)) {
            assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow().source()).endsWith("(version 1)");
            bao.put("evmore/rotating/ethereum-private-key", Map.of("value", KEY.replace('4', '5')));
            Fetched f = p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow();
            assertThat(f.value().reveal()).isEqualTo(KEY.replace('4', '5'));
            assertThat(f.source()).endsWith("(version 2)");
        }
    }

    @Test
    void aMissingPathIsMissingAndAMissingFieldIsAnErrorNamingTheFields() {
        try (VaultSecretsProvider p = provider(OpenBao.ROOT_TOKEN, "secret/nothing-here", null)) {
            assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).isEmpty();
        }
        try (VaultSecretsProvider p = provider(OpenBao.ROOT_TOKEN)) {
            assertThatThrownBy(() -> p.fetch(SecretName.DATABASE_PASSWORD))
                    .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.MALFORMED))
                    .hasMessage("secrets provider vault (" + bao.address + "): database-password: secret secret/evmore/database-password has no field "
                            + "\"value\" (its fields: password; set secrets.vault.field)")
                    .message().doesNotContain("db-Passw0rd-for-test");
        }
        try (VaultSecretsProvider p = provider(OpenBao.ROOT_TOKEN, "nomount/evmore", null)) {
            assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).isInstanceOf(SecretsException.class)
                    .hasMessageContaining("no KV v2 engine answers at nomount/");
        }
    }

    @Test
    void aNamespaceIsSentAsXVaultNamespace() {
        bao.root("POST", "/v1/sys/namespaces/team-a", Map.of());
        bao.rootIn("team-a", "POST", "/v1/sys/mounts/kv", Map.of("type", "kv", "options", Map.of("version", "2")));
        bao.rootIn("team-a", "POST", "/v1/kv/data/evmore/cosmos-mnemonic", Map.of("data", Map.of("value", MNEMONIC)));
        try (VaultSecretsProvider p = new VaultSecretsProvider(new VaultSecretsProvider.Settings(bao.address, "kv/evmore", null, "team-a",
                OpenBao.ROOT_TOKEN, null, null, null, Duration.ofSeconds(5)));
                VaultSecretsProvider rootNamespace = provider(OpenBao.ROOT_TOKEN, "kv/evmore", null)) {
            assertThat(p.fetch(SecretName.COSMOS_MNEMONIC).orElseThrow().value().reveal()).isEqualTo(MNEMONIC);
            assertThatThrownBy(() -> rootNamespace.fetch(SecretName.COSMOS_MNEMONIC)).as("no kv mount outside the namespace")
                    .hasMessageContaining("no KV v2 engine answers at kv/");
        }
    }

    @Test
    void aTokenWhosePolicyDeniesThePathGets403() {
        String token = bao.token(List.of("evmore-no-keys"), "1h", null, true);
        try (VaultSecretsProvider p = provider(token)) {
            assertThat(p.fetch(SecretName.COSMOS_MNEMONIC)).as("the policy allows this one").isPresent();
            assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                    .isInstanceOfSatisfying(SecretsException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SecretsException.Kind.DENIED);
                        assertThat(e.retryable()).isFalse();
                    })
                    .hasMessage("secrets provider vault (" + bao.address + "): ethereum-private-key: permission denied (HTTP 403) reading "
                            + "secret/evmore/ethereum-private-key: the token may not read it, or it expired or was revoked");
        }
    }

    @Test
    void aRevokedOrUnknownTokenIsRefusedAtTheFirstRead() {
        try (VaultSecretsProvider p = provider("not-a-token")) {
            assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).isInstanceOf(SecretsException.class)
                    .hasMessageContaining("permission denied (HTTP 403) looking up VAULT_TOKEN");
        }
    }

    @Test
    void aRenewableTokenIsRenewedBeforeItExpires() throws Exception {
        // Control: the same kind of token, not renewed, is dead after its TTL.
        String control = bao.token(List.of("evmore-read"), "3s", "1h", true);
        String token = bao.token(List.of("evmore-read"), "3s", "1h", true);
        try (VaultSecretsProvider p = provider(token)) {
            assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).isPresent();
            Thread.sleep(5_000);
            assertThat(bao.call("GET", "/v1/auth/token/lookup-self", null, control).statusCode()).as("the control token expired").isEqualTo(403);
            assertThat(p.renewals()).as("renewed at two thirds of 3 s, twice in 5 s").isGreaterThanOrEqualTo(2);
            assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow().value().reveal()).isEqualTo(KEY);
        }
    }

    @Test
    void appRoleLogsInAndLogsInAgainWhenItsTokenCanNoLongerBeRenewed() throws Exception {
        String[] ids = bao.appRole("evmore-relayer", List.of("evmore-read"), "2s", "3s");
        try (VaultSecretsProvider p = new VaultSecretsProvider(new VaultSecretsProvider.Settings(bao.address, "secret/evmore", null, "", null,
                ids[0], ids[1], null, Duration.ofSeconds(5)))) {
            assertThat(p.fetch(SecretName.COSMOS_MNEMONIC).orElseThrow().value().reveal()).isEqualTo(MNEMONIC);
            assertThat(p.logins()).isEqualTo(1);
            Thread.sleep(6_000); // past the token's max TTL of 3 s
            assertThat(p.fetch(SecretName.COSMOS_MNEMONIC)).isPresent();
            assertThat(p.logins()).as("a fresh login after the max TTL").isGreaterThanOrEqualTo(2);
        }
        try (VaultSecretsProvider p = new VaultSecretsProvider(new VaultSecretsProvider.Settings(bao.address, "secret/evmore", null, "", null,
                ids[0], "wrong-secret-id", null, Duration.ofSeconds(5)))) {
            assertThatThrownBy(() -> p.fetch(SecretName.COSMOS_MNEMONIC))
                    .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.AUTH))
                    .hasMessageContaining("AppRole login at auth/approle refused (HTTP 400").message().doesNotContain("wrong-secret-id");
        }
    }

    @Test
    void anUnreachableServerIsRetriedWithBackoffThenNamed() {
        int closed = SecretServers.freePort();
        List<Duration> waits = new ArrayList<>();
        VaultSecretsProvider inner = new VaultSecretsProvider(new VaultSecretsProvider.Settings(URI.create("http://127.0.0.1:" + closed),
                "secret/evmore", null, "", "t0ken-x", null, null, null, Duration.ofSeconds(2)));
        try (RetryingSecretsProvider p = new RetryingSecretsProvider(inner, Backoff.DEFAULT, waits::add)) {
            assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                    .hasMessage("secrets provider vault (http://127.0.0.1:" + closed + "): ethereum-private-key: cannot reach http://127.0.0.1:"
                            + closed + " (ConnectException) (after 4 attempts)");
        }
        assertThat(waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
    }

    /** Last: the server stays sealed. */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void aSealedServerFailsAtOnceSayingSo() throws Exception {
        OpenBao other = OpenBao.start(dir); // its own server: sealing is for good
        try (other; VaultSecretsProvider p = new VaultSecretsProvider(new VaultSecretsProvider.Settings(other.address, "secret/evmore", null,
                "", OpenBao.ROOT_TOKEN, null, null, null, Duration.ofSeconds(5)))) {
            other.put("evmore/ethereum-private-key", Map.of("value", KEY));
            assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).isPresent();
            other.seal();
            List<Duration> waits = new ArrayList<>();
            try (RetryingSecretsProvider r = new RetryingSecretsProvider(p, Backoff.DEFAULT, waits::add)) {
                assertThatThrownBy(() -> r.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                        .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.SEALED))
                        .hasMessage("secrets provider vault (" + other.address + "): ethereum-private-key: Vault is sealed (HTTP 503) reading "
                                + "secret/evmore/ethereum-private-key; unseal it (vault operator unseal)");
            }
            assertThat(waits).as("sealed is not retried").isEmpty();
        }
    }
}
