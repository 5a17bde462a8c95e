package io.evmore.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.secrets.testing.OpenBao;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * From outside: {@code evmore devnet --out DIR} as its own process, the relayer's keys moved into a running OpenBao (KV v2)
 * and DIR/secrets removed, the relayer started from DIR/relayer.yaml (provider vault, DEBUG) with nothing in its
 * environment but VAULT_TOKEN, and {@code evmore swap start} as a user, both ways. The swaps complete with the balances
 * the quotes say, and the relayer's DEBUG log holds neither key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VaultKeysSwapIT {
    static final String ETH = DevnetCli.ETH;

    @TempDir
    static Path dir;
    static DevnetCli cli;
    static OpenBao bao;
    static RelayerProcess relayer;
    static String ethKey;
    static String mnemonic;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        cli = DevnetCli.start(dir);
        bao = OpenBao.start(dir);
        Path secrets = cli.out.resolve("secrets");
        ethKey = Files.readString(secrets.resolve("ethereum-private-key")).strip();
        mnemonic = Files.readString(secrets.resolve("cosmos-mnemonic")).strip();
        bao.put("evmore/ethereum-private-key", Map.of("value", ethKey));
        bao.put("evmore/cosmos-mnemonic", Map.of("value", mnemonic));
        bao.policy("evmore-relayer", "path \"secret/data/evmore/*\" { capabilities = [\"read\"] }");
        token = bao.token(List.of("evmore-relayer"), "1h", null, true);
        try (Stream<Path> files = Files.list(secrets)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(secrets);

        Path config = cli.out.resolve("relayer.yaml");
        String yaml = Files.readString(config);
        int at = yaml.indexOf("\nsecrets:");
        assertThat(at).as("the world's relayer.yaml has a secrets section").isPositive();
        yaml = yaml.substring(0, at + 1).replace("logLevel: info", "logLevel: debug")
                + "secrets:\n  provider: vault\n  vault:\n    endpoint: \"" + bao.address + "\"\n    mountPath: secret/evmore\n";
        Files.writeString(config, yaml);

        relayer = RelayerProcess.startWithOnly(dir, cli.relayerPort, Map.of("VAULT_TOKEN", token), "run", "--config", config.toString());
        if (!relayer.awaitHealthy(Duration.ofSeconds(120))) {
            throw new AssertionError("relayer not healthy:\n" + relayer.output());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (relayer != null) relayer.terminate(Duration.ofSeconds(30));
        if (bao != null) bao.close();
        if (cli != null) cli.stop();
    }

    static BigInteger quote(BigInteger amount, String rate) {
        BigInteger gross = new BigDecimal(amount).multiply(new BigDecimal(rate)).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        BigInteger fee = new BigDecimal(gross).multiply(BigDecimal.valueOf(30)).divide(BigDecimal.valueOf(10_000), 0, RoundingMode.CEILING)
                .toBigIntegerExact();
        return gross.subtract(fee);
    }

    @Test
    @Order(1)
    void theRelayerReadItsKeysFromVaultAndHasNoOtherSource() throws Exception {
        assertThat(cli.out.resolve("secrets")).doesNotExist();
        String environ = Files.readString(Path.of("/proc/" + relayer.pid() + "/environ"));
        assertThat(environ.split("\0")).containsExactly("VAULT_TOKEN=" + token);
        String out = relayer.output();
        assertThat(out).contains("secret ethereum-private-key: vault " + bao.address + " secret/evmore/ethereum-private-key field value (version 1)")
                .contains("secret cosmos-mnemonic: vault " + bao.address + " secret/evmore/cosmos-mnemonic field value (version 1)");
        String status = relayer.get("/admin/services/status", Files.readString(cli.out.resolve("data/admin.token")).strip()).body();
        assertThat(status).as("the relayer signs as the world's relayer accounts").containsIgnoringCase(cli.eth("relayer"))
                .contains(cli.cosmos("relayer", "devnet-a"));
    }

    @Test
    @Order(2)
    void ethToDevnetA() throws Exception {
        BigInteger amount = BigInteger.TEN.pow(17); // 0.1 ETH
        BigInteger expected = quote(amount, "0.0000000001");
        String bob = cli.cosmos("bob", "devnet-a");
        BigInteger before = cli.balance("devnet-a", "stake", bob);
        DevnetCli.Run r = cli.swap("start", "--from", ETH, "--to", "devnet-a", "--amount", "0.1", "--asset", "ETH", "--receiver", bob,
                "--min-receive", "9.9", "--account", "user1", "--claim-account", "carol", "--json");
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode s = DevnetCli.lastJson(r.output());
        assertThat(s.get("status").asText()).isEqualTo("CLAIMED");
        assertThat(cli.balance("devnet-a", "stake", bob).subtract(before)).isEqualTo(expected);
        awaitCompleted(s.get("hashlock").asText());
    }

    @Test
    @Order(3)
    void devnetAToEth() throws Exception {
        BigInteger amount = BigInteger.valueOf(10_000_000); // 10 stake
        BigInteger expected = quote(amount, "10000000000");
        String receiver = cli.eth("user2");
        BigInteger before = cli.balance(ETH, "ETH", receiver);
        DevnetCli.Run r = cli.swap("start", "--from", "devnet-a", "--to", ETH, "--amount", "10", "--asset", "stake", "--receiver", receiver,
                "--min-receive", "0.099", "--account", "alice", "--claim-account", "user3", "--json");
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode s = DevnetCli.lastJson(r.output());
        assertThat(cli.balance(ETH, "ETH", receiver).subtract(before)).isEqualTo(expected);
        awaitCompleted(s.get("hashlock").asText());
    }

    @Test
    @Order(4)
    void theDebugLogHoldsNeitherKey() throws Exception {
        String out = relayer.output();
        assertThat(out).as("DEBUG logging was on").contains(" DEBUG ");
        String hex = ethKey.startsWith("0x") ? ethKey.substring(2) : ethKey;
        assertThat(out).doesNotContain(hex).doesNotContain(hex.toUpperCase()).doesNotContain(mnemonic).doesNotContain(token);
        for (String part : List.of(mnemonic.split(" ")[0] + " " + mnemonic.split(" ")[1] + " " + mnemonic.split(" ")[2])) {
            assertThat(out).as("no run of the mnemonic's words").doesNotContain(part);
        }
    }

    @Test
    @Order(5)
    void aSigningKeyRotatedWhileASwapIsInFlightIsRefusedAndTheRunningKeyKept() throws Exception {
        String admin = Files.readString(cli.out.resolve("data/admin.token")).strip();
        // A swap left in flight: the user refuses the counter-lock (asks for more than the quote), so it stays COUNTER_LOCKED.
        DevnetCli.Run r = cli.swap("start", "--from", ETH, "--to", "devnet-a", "--amount", "0.1", "--asset", "ETH", "--receiver",
                cli.cosmos("bob", "devnet-a"), "--min-receive", "99", "--account", "user6", "--claim-account", "carol", "--json");
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        // the user saw the counter-lock on chain; the relayer records it a moment later
        String pending = "";
        for (long until = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < until; Thread.sleep(200)) {
            pending = relayer.get("/admin/swaps/pending", admin).body();
            if (pending.contains("COUNTER_LOCKED")) break;
        }
        assertThat(pending).contains("COUNTER_LOCKED");

        byte[] entropy = new byte[16];
        new java.security.SecureRandom().nextBytes(entropy);
        String other = org.web3j.crypto.MnemonicUtils.generateMnemonic(entropy);
        bao.put("evmore/cosmos-mnemonic", Map.of("value", other));
        var refused = relayer.post("/admin/config/reload", admin);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("reload refused, nothing changed: cosmos-mnemonic changed at vault (" + bao.address + ") while 1 swap(s) "
                + "are in flight; the running key is kept").doesNotContain(other).doesNotContain(mnemonic);
        String status = relayer.get("/admin/services/status", admin).body();
        assertThat(status).as("still the running key's address").contains(cli.cosmos("relayer", "devnet-a"));
        assertThat(status).contains("\"intake\" : \"RUNNING\"");

        bao.put("evmore/cosmos-mnemonic", Map.of("value", mnemonic)); // put back: nothing rotated any more
        var ok = relayer.post("/admin/config/reload", admin);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body().replaceAll("\\s", "")).contains("\"rotated\":[]");
        assertThat(relayer.output()).doesNotContain(other);
    }

    static void awaitCompleted(String hashlock) throws Exception {
        String admin = Files.readString(cli.out.resolve("data/admin.token")).strip();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            var resp = relayer.get("/admin/swaps/" + hashlock, admin);
            last = resp.body();
            if (resp.statusCode() == 200 && DevnetCli.JSON.readTree(last).get("swap").get("state").asText().equals("COMPLETED")) return;
            Thread.sleep(300);
        }
        throw new AssertionError("swap " + hashlock + " not COMPLETED: " + last + "\n" + relayer.output());
    }
}
