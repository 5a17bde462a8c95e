package io.evmore.app.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.testing.RelayerProcess;
import io.evmore.secrets.testing.OpenBao;
import io.evmore.secrets.testing.SecretServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process with provider vault on a real OpenBao: {@code check-config} says where each secret comes from, and
 * {@code run} stops with exit 1 and one last line naming the provider and the secret (never the value) when a
 * required secret is missing, the token may not read it, a value is malformed, or the server cannot be reached.
 */
class SecretsStartupIT {
    static final String KEY = "0x6c875bfb4f247fcbcd37fd56f564fca0cfaf6458cc4cab4e1d65ff1e6fc2d44b";
    static final String MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
    static final String BAD_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank thank";
    static final String ETH_CHAIN = "chains:\n  ethereum: {chainId: \"eip155:31337\", rpcUrls: [\"http://127.0.0.1:1\"], "
            + "htlcContract: \"0x00000000000000000000000000000000000000aa\"}\n";

    @TempDir
    static Path dir;
    static OpenBao bao;
    static String reader;
    static String noKeys;

    @BeforeAll
    static void start() throws Exception {
        bao = OpenBao.start(dir);
        bao.put("evmore/ethereum-private-key", Map.of("value", KEY));
        bao.put("evmore/cosmos-mnemonic", Map.of("value", MNEMONIC));
        bao.put("bad/ethereum-private-key", Map.of("value", KEY));
        bao.put("bad/cosmos-mnemonic", Map.of("value", BAD_MNEMONIC));
        bao.policy("reader", "path \"secret/data/*\" { capabilities = [\"read\"] }");
        bao.policy("no-keys", "path \"secret/data/*\" { capabilities = [\"read\"] }\n"
                + "path \"secret/data/evmore/ethereum-private-key\" { capabilities = [\"deny\"] }");
        reader = bao.token(List.of("reader"), "1h", null, true);
        noKeys = bao.token(List.of("no-keys"), "1h", null, true);
    }

    @AfterAll
    static void stop() {
        if (bao != null) bao.close();
    }

    record Run(int exit, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\\R");
            return lines[lines.length - 1];
        }
    }

    static Run run(String yaml, String token, String... args) throws Exception {
        Path cfg = Files.createTempFile(dir, "relayer", ".yaml");
        Files.writeString(cfg, "environment: test\nhttp: {port: " + RelayerProcess.freePort() + "}\ndatabase: {path: \"" + dir.resolve("db-"
                + cfg.getFileName() + "/evmore.db") + "\"}\n" + yaml);
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = cfg.toString();
        try (RelayerProcess p = RelayerProcess.startWithOnly(dir, 0, Map.of("VAULT_TOKEN", token), all)) {
            int code = p.awaitExit(Duration.ofSeconds(90));
            return new Run(code, p.output());
        }
    }

    static String vault(String mountPath) {
        return "secrets: {provider: vault, vault: {endpoint: \"" + bao.address + "\", mountPath: " + mountPath + "}}\n";
    }

    @Test
    void checkConfigSaysWhereEachSecretComesFrom() throws Exception {
        Run r = run(ETH_CHAIN + vault("secret/evmore"), reader, "check-config");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("secrets: provider vault (" + bao.address + ")\n"
                + "  ethereum-private-key: vault " + bao.address + " secret/evmore/ethereum-private-key field value (version 1)\n"
                + "  cosmos-mnemonic: vault " + bao.address + " secret/evmore/cosmos-mnemonic field value (version 1)\n"
                + "  database-password: not set (embedded database)\n"
                + "config ok: ");
        assertThat(r.output()).doesNotContain(KEY.substring(2)).doesNotContain(reader);
    }

    @Test
    void checkConfigFailsOnASecretItCannotRead() throws Exception {
        Run r = run(ETH_CHAIN + vault("secret/evmore"), noKeys, "check-config");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.lastLine()).isEqualTo("secrets error: secrets provider vault (" + bao.address + "): ethereum-private-key: permission denied "
                + "(HTTP 403) reading secret/evmore/ethereum-private-key: the token may not read it, or it expired or was revoked");
    }

    @Test
    void aMissingRequiredSecretStopsTheStart() throws Exception {
        Run r = run(ETH_CHAIN + vault("secret/elsewhere"), reader, "run");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.lastLine()).isEqualTo("start failed: secrets provider vault (" + bao.address + "): ethereum-private-key: not found at "
                + "secret/elsewhere/ethereum-private-key field value (required: chains.ethereum is configured)");
    }

    @Test
    void aForbiddenSecretStopsTheStart() throws Exception {
        Run r = run(ETH_CHAIN + vault("secret/evmore"), noKeys, "run");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.lastLine()).startsWith("start failed: secrets provider vault (" + bao.address + "): ethereum-private-key: permission denied (HTTP 403)");
    }

    @Test
    void aMnemonicWithABadChecksumStopsTheStartWithoutShowingIt() throws Exception {
        Run r = run("chains:\n  cosmos:\n    - {chainId: devnet-a, prefix: cosmos, denom: stake, rpcUrls: [\"http://127.0.0.1:1\"], htlcContract: "
                + "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr}\n" + vault("secret/bad"), reader, "run");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.lastLine()).isEqualTo("start failed: secrets provider vault (" + bao.address + "): cosmos-mnemonic: the value at "
                + "secret/bad/cosmos-mnemonic field value is not a valid BIP-39 mnemonic: mnemonic is not a valid BIP39 mnemonic (unknown word or "
                + "bad checksum) (value not shown)");
        assertThat(r.output()).doesNotContain("wave sausage").doesNotContain(KEY.substring(2));
    }

    @Test
    void aPeriodicRefreshAppliesARotatedKeyAndKeepsTheRunningOneWhenTheNewOneIsMalformed() throws Exception {
        bao.put("periodic/ethereum-private-key", Map.of("value", KEY));
        int port = RelayerProcess.freePort();
        Path cfg = Files.createTempFile(dir, "relayer-periodic", ".yaml");
        Files.writeString(cfg, "environment: test\nhttp: {port: " + port + "}\nadmin: {token: periodic-admin-token-1234}\ndatabase: {path: \""
                + dir.resolve("db-periodic/evmore.db") + "\"}\nsecrets: {provider: vault, refreshIntervalSeconds: 10, vault: {endpoint: \""
                + bao.address + "\", mountPath: secret/periodic}}\n");
        try (RelayerProcess p = RelayerProcess.startWithOnly(dir, port, Map.of("VAULT_TOKEN", reader), "run", "--config", cfg.toString())) {
            assertThat(p.awaitHealthy(Duration.ofSeconds(60))).as(p.output()).isTrue();
            String rotated = "0x" + "7".repeat(64);
            bao.put("periodic/ethereum-private-key", Map.of("value", rotated));
            String status = awaitStatus(p, "\"rotated\":[\"ethereum-private-key\"]");
            assertThat(status.replaceAll("\\s", "")).contains("\"trigger\":\"periodicrefresh\"").contains("\"applied\":[\"ethereum-private-key\"]")
                    .contains("secret/periodic/ethereum-private-keyfieldvalue(version2)");

            bao.put("periodic/ethereum-private-key", Map.of("value", "0x1234"));
            status = awaitStatus(p, "\"refused\":");
            assertThat(status).contains("ethereum-private-key: the value at secret/periodic/ethereum-private-key field value is not a 32-byte private key")
                    .contains("(version 2)");
            assertThat(p.get("/health", null).statusCode()).as("still running on the last good key").isEqualTo(200);
            assertThat(p.terminate(Duration.ofSeconds(30))).isZero();
            assertThat(p.output()).contains("secrets: periodic refresh refused, running values kept: secrets provider vault")
                    .doesNotContain(rotated.substring(2)).doesNotContain(KEY.substring(2)).doesNotContain(reader);
        }
    }

    static String awaitStatus(RelayerProcess p, String needle) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = p.get("/admin/services/status", "periodic-admin-token-1234").body();
            if (body.replaceAll("\\s", "").contains(needle)) return body;
            Thread.sleep(500);
        }
        throw new AssertionError("no " + needle + " in the status within 40 s: " + body + "\n" + p.output());
    }

    @Test
    void anUnreachableServerStopsTheStartAfterRetries() throws Exception {
        int closed = SecretServers.freePort();
        Run r = run(ETH_CHAIN + "secrets: {provider: vault, vault: {endpoint: \"http://127.0.0.1:" + closed + "\"}}\n", reader, "run");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.lastLine()).isEqualTo("start failed: secrets provider vault (http://127.0.0.1:" + closed + "): ethereum-private-key: cannot reach "
                + "http://127.0.0.1:" + closed + " (ConnectException) (after 4 attempts)");
        assertThat(r.output()).contains("(attempt 3 of 4; trying again in 800 ms)");
    }
}
