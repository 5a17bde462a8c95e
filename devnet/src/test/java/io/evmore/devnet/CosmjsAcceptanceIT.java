package io.evmore.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.devnet.chain.ChainSpec;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The independent check: cosmjs 0.39 (tools/node) signs a MsgSend and a MsgExecuteContract, broadcasts them over the
 * devnet's RPC with "auto" fees, and gets a tampered signature, a wrong chain id and a stale sequence rejected with
 * the SDK's codes. The devnet's own state must show the accepted txs applied and the rejected ones not.
 */
class CosmjsAcceptanceIT {

    static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("tools/node"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root (a folder with tools/node) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    @Test
    void cosmjsSignedTxsAreAcceptedAndBadOnesRejectedWithSdkCodes() throws Exception {
        Path root = projectRoot();
        Path modules = root.resolve("tools/node/node_modules");
        assertThat(modules.resolve("@cosmjs/cosmwasm-stargate")).as("cosmjs installed (cd tools/node && npm ci)").isDirectory();
        Path script = root.resolve("devnet/src/test/js/cosmjs-acceptance.cjs");
        requireNodeVersion();

        try (Devnet devnet = Devnet.builder().chain(new ChainSpec("devnet-cosmjs-1", "cosmos", "stake"))
                .blockInterval(Duration.ofMillis(300)).start()) {
            DevnetChain chain = devnet.chain("devnet-cosmjs-1");
            TestAccount alice = devnet.account("alice");
            String aliceAddr = alice.address("cosmos");
            String bobAddr = devnet.account("bob").address("cosmos");
            BigInteger bobBefore = chain.balance(bobAddr, "stake");
            long seqBefore = chain.state().account(aliceAddr).getSequence();

            ProcessBuilder pb = new ProcessBuilder("node", script.toString()).directory(root.resolve("tools/node").toFile());
            pb.environment().put("NODE_PATH", modules.toString());
            pb.environment().put("DEVNET_RPC", chain.rpcUrl());
            pb.environment().put("DEVNET_PREFIX", "cosmos");
            pb.environment().put("DEVNET_DENOM", "stake");
            pb.environment().put("DEVNET_CHAIN_ID", chain.chainId());
            pb.environment().put("DEVNET_CONTRACT", chain.htlcContractAddress());
            pb.environment().put("DEVNET_RECIPIENT", bobAddr);
            pb.environment().put("DEVNET_MNEMONIC", alice.mnemonic());
            // Both streams go to files: a hung script then fails the bounded wait below instead of blocking a read.
            Path stderr = Files.createTempFile("cosmjs", ".err");
            Path stdoutFile = Files.createTempFile("cosmjs", ".out");
            pb.redirectError(stderr.toFile());
            pb.redirectOutput(stdoutFile.toFile());
            Process node = pb.start();
            Thread killer = new Thread(node::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(killer);
            String stdout;
            try {
                boolean done = node.waitFor(120, TimeUnit.SECONDS);
                assertThat(done).as("cosmjs script finished within 120 s; stderr: " + read(stderr)).isTrue();
                stdout = Files.readString(stdoutFile, StandardCharsets.UTF_8);
            } finally {
                node.destroyForcibly();
                Runtime.getRuntime().removeShutdownHook(killer);
                Files.deleteIfExists(stdoutFile);
            }
            assertThat(node.exitValue()).as("cosmjs exit; stderr: " + read(stderr)).isZero();
            Files.deleteIfExists(stderr);
            JsonNode out = RpcClient.JSON.readTree(stdout);

            assertThat(out.get("address").asText()).isEqualTo(aliceAddr); // same address from the same mnemonic
            assertThat(out.get("chainId").asText()).isEqualTo(chain.chainId());
            assertThat(out.at("/send/code").asInt()).as("send: " + chain.state().indexedTxs().stream()
                    .map(t -> t.result().code() + " " + t.result().log() + " wanted " + t.result().gasWanted()).toList()).isZero();
            assertThat(out.at("/execute/htlcId").asText()).isEqualTo("htlc_1");
            assertThat(out.at("/htlc/sender").asText()).isEqualTo(aliceAddr);
            assertThat(out.at("/htlc/amount").asText()).isEqualTo("777");
            assertThat(out.at("/htlc/state").asText()).isEqualTo("open");

            assertThat(out.at("/rejections/tamperedSignature/code").asInt()).isEqualTo(4);
            assertThat(out.at("/rejections/wrongChainId/code").asInt()).isEqualTo(4);
            assertThat(out.at("/rejections/wrongChainId/log").asText()).contains("chain-id (devnet-cosmjs-1)").endsWith("unauthorized");
            assertThat(out.at("/rejections/staleSequence/code").asInt()).isEqualTo(32);
            assertThat(out.at("/rejections/staleSequence/log").asText()).isEqualTo("account sequence mismatch, expected "
                    + (seqBefore + 2) + ", got " + (seqBefore + 1) + ": incorrect account sequence");

            // the devnet applied exactly the two accepted txs
            assertThat(chain.balance(bobAddr, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(1234)));
            assertThat(out.get("recipientBalance").asText()).isEqualTo(bobBefore.add(BigInteger.valueOf(1234)).toString());
            assertThat(chain.balance(chain.htlcContractAddress(), "stake")).isEqualTo(BigInteger.valueOf(777));
            assertThat(chain.state().account(aliceAddr).getSequence()).isEqualTo(seqBefore + 2);
            assertThat(out.get("finalSequence").asLong()).isEqualTo(seqBefore + 2);
        }
    }

    /**
     * cosmjs 0.39 is CommonJS that require()s the ESM-only @noble/* 2.x: that needs Node.js 20.19 or newer
     * (Debian 12's packaged nodejs is 18). Say so instead of failing with ERR_REQUIRE_ESM deep in cosmjs.
     */
    static void requireNodeVersion() throws IOException, InterruptedException {
        Process v = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        // wait (bounded) before reading: a read of a silent child's stdout would block past any deadline
        boolean done = v.waitFor(30, TimeUnit.SECONDS);
        if (!done) v.destroyForcibly();
        String text = done ? new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()
                : "(no answer within 30 s)";
        assertThat(done && v.exitValue() == 0).as("`node --version`: " + text).isTrue();
        var m = java.util.regex.Pattern.compile("v(\\d+)\\.(\\d+)\\..*").matcher(text);
        assertThat(m.matches()).as("unexpected `node --version` output: " + text).isTrue();
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        assertThat(major > 20 || (major == 20 && minor >= 19)).as("cosmjs 0.39 needs Node.js >= 20.19 (it requires"
                + " the ESM-only @noble/* 2.x); found " + text + ". Install a newer Node.js (e.g. from NodeSource).")
                .isTrue();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
