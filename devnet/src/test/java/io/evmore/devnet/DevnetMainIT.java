package io.evmore.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.devnet.crypto.DevnetKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evmore devnet --out DIR}: the devnet.json it writes describes chains that really answer. */
class DevnetMainIT {
    @TempDir
    Path dir;

    @Test
    void writesDevnetJsonDescribingLiveChainsAndFundedAccounts() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (Devnet devnet = DevnetMain.launch(dir, Duration.ofMillis(200), 2, out)) {
            JsonNode doc = RpcClient.JSON.readTree(Files.readString(dir.resolve("devnet.json")));
            // It holds the accounts' mnemonics: owner-only, like admin.token.
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("devnet.json"))))
                    .isEqualTo("rw-------");
            assertThat(doc.get("chains")).hasSize(3);
            JsonNode a = doc.get("chains").get(0);
            assertThat(a.get("chain_id").asText()).isEqualTo("devnet-a");
            assertThat(a.get("prefix").asText()).isEqualTo("cosmos");
            assertThat(a.get("denom").asText()).isEqualTo("stake");
            assertThat(a.get("rpc")).hasSize(2);
            assertThat(a.get("htlc_contract").asText()).startsWith("cosmos1").hasSize("cosmos".length() + 59);
            assertThat(a.at("/channels/0/channel_id").asText()).isEqualTo("channel-0");
            assertThat(a.at("/channels/0/counterparty_chain_id").asText()).isEqualTo("devnet-b");
            JsonNode b = doc.get("chains").get(1);
            assertThat(b.get("channels")).hasSize(2);
            assertThat(b.at("/channels/1/counterparty_chain_id").asText()).isEqualTo("devnet-c");

            JsonNode alice = doc.get("accounts").get(0);
            String mnemonic = alice.get("mnemonic").asText();
            String address = DevnetKey.fromMnemonic(mnemonic).address("cosmos");
            assertThat(alice.at("/addresses/devnet-a").asText()).isEqualTo(address);
            for (JsonNode chain : doc.get("chains")) {
                RpcClient rpc = new RpcClient(chain.get("rpc").get(1).asText());
                assertThat(rpc.result("status", null).at("/node_info/network").asText()).isEqualTo(chain.get("chain_id").asText());
            }
            assertThat(devnet.chain("devnet-a").balance(address, "stake")).isEqualTo(Devnet.DEFAULT_FUNDING);
            long h0 = devnet.chain("devnet-c").height();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> devnet.chain("devnet-c").height() > h0 + 1);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("devnet: devnet-a (cosmos, stake) RPC http://127.0.0.1:")
                .contains("wrote " + dir.resolve("devnet.json").toAbsolutePath());
    }

    @Test
    void rejectsMissingOutAndUnknownOptions() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(DevnetMain.run(new String[0], System.out, e)).isEqualTo(2);
        assertThat(DevnetMain.run(new String[] {"--frobnicate"}, System.out, e)).isEqualTo(2);
        assertThat(DevnetMain.run(new String[] {"--out", "x", "--endpoints", "two"}, System.out, e)).isEqualTo(2);
        assertThat(DevnetMain.run(new String[] {"--out", "x", "--block-interval", "0s"}, System.out, e)).isEqualTo(2);
        assertThat(DevnetMain.run(new String[] {"--out"}, System.out, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing --out DIR").contains("unknown option --frobnicate")
                .contains("--endpoints must be a number from 1 to 99, got 'two'")
                .contains("--block-interval must be a positive duration").contains("--out needs a value");
        assertThat(DevnetMain.parseBlockInterval("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DevnetMain.parseBlockInterval("250ms")).isEqualTo(Duration.ofMillis(250));
    }
}
