package io.evmore.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.secrets.testing.ConnectEmulator;
import io.evmore.secrets.testing.StandInOp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider {@code onepassword}: the service-account path through {@code op read} (a stand-in {@code op} first on PATH
 * checks the arguments and the environment it gets and fails like the real one), and the Connect path through an HTTP
 * emulation of the Connect API.
 */
class OnePasswordProvidersIT {
    static final String TOKEN = "ops_eyJzaWduSW5BZGRyZXNzIjoidGVzdCJ9_service_account_token";
    static final String CONNECT_TOKEN = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImNvbm5lY3QtdGVzdCJ9.connect.token";
    static final String MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    @TempDir
    Path dir;

    OnePasswordCliProvider cli(StandInOp op, String token, String field) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", op.path());
        if (token != null) env.put(OnePasswordCliProvider.TOKEN_ENV, token);
        return new OnePasswordCliProvider(new OnePasswordCliProvider.Settings(null, "evmore-production", field, Duration.ofSeconds(20)), env);
    }

    @Test
    void opReadWithTheServiceAccountTokenInItsEnvironmentOnly() throws Exception {
        StandInOp op = StandInOp.install(dir, TOKEN);
        op.put("evmore-production", "cosmos-mnemonic", "password", MNEMONIC);
        Fetched f = cli(op, TOKEN, null).fetch(SecretName.COSMOS_MNEMONIC).orElseThrow();
        assertThat(f.value().reveal()).isEqualTo(MNEMONIC);
        assertThat(f.source()).isEqualTo("onepassword op://evmore-production/cosmos-mnemonic/password (op)");
        assertThat(op.calls()).containsExactly("args=read --no-newline op://evmore-production/cosmos-mnemonic/password token=ok");
    }

    @Test
    void aMissingItemIsMissingAndAMissingFieldOrVaultIsAnError() throws Exception {
        StandInOp op = StandInOp.install(dir, TOKEN);
        op.put("evmore-production", "ethereum-private-key", "credential", "0xabc");
        OnePasswordCliProvider p = cli(op, TOKEN, null);
        assertThat(p.fetch(SecretName.DATABASE_PASSWORD)).isEmpty();
        assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.MALFORMED))
                .hasMessage("secrets provider onepassword (op, vault evmore-production): ethereum-private-key: item ethereum-private-key has no "
                        + "field \"password\" (secrets.onepassword.field): could not read secret "
                        + "'op://evmore-production/ethereum-private-key/password': \"password\" isn't a field in the \"ethereum-private-key\" item");
        assertThat(cli(op, TOKEN, "credential").fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow().value().reveal()).isEqualTo("0xabc");
        OnePasswordCliProvider otherVault = new OnePasswordCliProvider(new OnePasswordCliProvider.Settings(null, "nope", null, null),
                Map.of("PATH", op.path(), OnePasswordCliProvider.TOKEN_ENV, TOKEN));
        assertThatThrownBy(() -> otherVault.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).hasMessageContaining("no vault \"nope\" shared with the service account");
    }

    @Test
    void aMissingOrWrongTokenIsRefusedLikeTheRealCli() throws Exception {
        StandInOp op = StandInOp.install(dir, TOKEN);
        op.put("evmore-production", "cosmos-mnemonic", "password", MNEMONIC);
        assertThatThrownBy(() -> cli(op, null, null).fetch(SecretName.COSMOS_MNEMONIC))
                .hasMessage("secrets provider onepassword (op, vault evmore-production): cosmos-mnemonic: OP_SERVICE_ACCOUNT_TOKEN is not set "
                        + "(the service account's token)");
        assertThat(op.calls()).as("op is not even run without a token").isEmpty();
        assertThatThrownBy(() -> cli(op, "ops_wrong_token_value", null).fetch(SecretName.COSMOS_MNEMONIC))
                .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.AUTH))
                .hasMessageContaining("op refused OP_SERVICE_ACCOUNT_TOKEN: failed to session.ResolveServiceAccount")
                .message().doesNotContain("ops_wrong_token_value");
        assertThat(op.calls()).containsExactly("args=read --no-newline op://evmore-production/cosmos-mnemonic/password token=wrong");
    }

    @Test
    void aBadReferenceFailsNamingIt() throws Exception {
        StandInOp op = StandInOp.install(dir, TOKEN);
        op.put("evmore-production", "cosmos-mnemonic", "password", MNEMONIC);
        op.put("evmore-production", "cosmos-mnemonic", "keys/password", MNEMONIC);
        assertThat(cli(op, TOKEN, "keys/password").fetch(SecretName.COSMOS_MNEMONIC)).as("a field in a section").isPresent();
        assertThatThrownBy(() -> cli(op, TOKEN, "a/b/c").fetch(SecretName.COSMOS_MNEMONIC))
                .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessage("secrets provider onepassword (op, vault evmore-production): cosmos-mnemonic: op read "
                        + "op://evmore-production/cosmos-mnemonic/a/b/c failed (exit 1): could not read secret "
                        + "'op://evmore-production/cosmos-mnemonic/a/b/c': invalid secret reference "
                        + "'op://evmore-production/cosmos-mnemonic/a/b/c': expected op://<vault>/<item>/[<section>/]<field>");
    }

    @Test
    void throttlingIsRetriedWithBackoff() throws Exception {
        StandInOp op = StandInOp.install(dir, TOKEN);
        op.put("evmore-production", "cosmos-mnemonic", "password", MNEMONIC);
        op.throttle(true);
        List<Duration> waits = new ArrayList<>();
        RetryingSecretsProvider p = new RetryingSecretsProvider(cli(op, TOKEN, null), Backoff.DEFAULT, d -> {
            waits.add(d);
            if (waits.size() == 2) {
                try {
                    op.throttle(false);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertThat(p.fetch(SecretName.COSMOS_MNEMONIC)).isPresent();
        assertThat(waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(op.calls()).hasSize(3);
    }

    @Test
    void noOpExecutable() {
        OnePasswordCliProvider p = new OnePasswordCliProvider(new OnePasswordCliProvider.Settings(dir.resolve("no-op").toString(),
                "evmore-production", null, null), Map.of(OnePasswordCliProvider.TOKEN_ENV, TOKEN));
        assertThatThrownBy(() -> p.fetch(SecretName.COSMOS_MNEMONIC)).hasMessageContaining("cannot run the 1Password CLI");
    }

    // ---- Connect

    OnePasswordConnectProvider connect(ConnectEmulator c, String token, String vault) {
        return new OnePasswordConnectProvider(new OnePasswordConnectProvider.Settings(c.uri(), vault, null, token, Duration.ofSeconds(5)));
    }

    @Test
    void connectFindsTheVaultAndTheItemByTitleAndReadsTheField() {
        try (ConnectEmulator c = ConnectEmulator.start(CONNECT_TOKEN)) {
            String vault = c.vault("evmore-production");
            String item = c.item(vault, "cosmos-mnemonic", "password", MNEMONIC);
            OnePasswordConnectProvider p = connect(c, CONNECT_TOKEN, "evmore-production");
            Fetched f = p.fetch(SecretName.COSMOS_MNEMONIC).orElseThrow();
            assertThat(f.value().reveal()).isEqualTo(MNEMONIC);
            assertThat(f.source()).isEqualTo("onepassword Connect " + c.uri() + " op://evmore-production/cosmos-mnemonic/password (item " + item
                    + ", version 2)");
            assertThat(p.fetch(SecretName.DATABASE_PASSWORD)).as("no such item").isEmpty();
            c.item(vault, "ethereum-private-key", "credential", "0xabc");
            assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                    .hasMessageEndingWith("ethereum-private-key: item ethereum-private-key has no field \"password\" (its fields: notesPlain, "
                            + "credential; set secrets.onepassword.field)").message().doesNotContain("0xabc");
        }
    }

    @Test
    void connectErrors401And403AndAnUnknownVault() {
        try (ConnectEmulator c = ConnectEmulator.start(CONNECT_TOKEN)) {
            c.vault("evmore-production");
            c.forbiddenVault("locked");
            assertThatThrownBy(() -> connect(c, "wrong.token", "evmore-production").fetch(SecretName.COSMOS_MNEMONIC))
                    .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.AUTH))
                    .hasMessage("secrets provider onepassword (Connect " + c.uri() + ", vault evmore-production): cosmos-mnemonic: the Connect "
                            + "server refused OP_CONNECT_TOKEN (HTTP 401: Invalid token signature) finding vault evmore-production");
            assertThatThrownBy(() -> connect(c, CONNECT_TOKEN, "locked").fetch(SecretName.COSMOS_MNEMONIC))
                    .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.DENIED))
                    .hasMessageEndingWith("cosmos-mnemonic: access denied (HTTP 403: Unauthorized access) listing items titled cosmos-mnemonic");
            assertThatThrownBy(() -> connect(c, CONNECT_TOKEN, "elsewhere").fetch(SecretName.COSMOS_MNEMONIC))
                    .hasMessageEndingWith("cosmos-mnemonic: no vault titled \"elsewhere\" is shared with this Connect token (secrets.onepassword.vault)");
            assertThatThrownBy(() -> connect(c, null, "evmore-production").fetch(SecretName.COSMOS_MNEMONIC))
                    .hasMessageEndingWith("OP_CONNECT_TOKEN is not set (the Connect server's access token)");
        }
    }
}
