package io.evmore.devnet.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.MnemonicUtils;
import org.web3j.utils.Numeric;

class HardhatNodeIT {
    private static HardhatNode node;

    @BeforeAll
    static void start() {
        node = HardhatNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void answersOnLoopbackWithFixedChainIdAndFundedDevAccounts() {
        assertThat(node.url()).startsWith("http://127.0.0.1:");
        assertThat(Long.decode(node.rpc("eth_chainId").asText())).isEqualTo(31337L);
        String balance = node.rpc("eth_getBalance", node.devAddresses().get(0), "latest").asText();
        assertThat(new java.math.BigInteger(balance.substring(2), 16)).isPositive();
        assertThat(node.devPrivateKeys()).hasSize(node.devAddresses().size());
    }

    /**
     * hardhat.config.js lists the development keys instead of the mnemonic (Hardhat's own derivation costs ~0.7 s of
     * CPU per start): they must be exactly the mnemonic's first 20 accounts (m/44'/60'/0'/0/i), each with 10,000 ETH
     * at genesis, as the mnemonic gave before.
     */
    @Test
    void theAccountsAreTheDevelopmentMnemonicsFirstTwentyWithTenThousandEthEach() {
        byte[] seed = MnemonicUtils.generateSeed("test test test test test test test test test test test junk", "");
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(seed);
        List<String> expected = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int[] path = {44 | Bip32ECKeyPair.HARDENED_BIT, 60 | Bip32ECKeyPair.HARDENED_BIT, Bip32ECKeyPair.HARDENED_BIT, 0, i};
            Bip32ECKeyPair pair = Bip32ECKeyPair.deriveKeyPair(master, path);
            expected.add("0x" + Keys.getAddress(pair.getPublicKey()));
            keys.add(Numeric.toHexStringWithPrefixZeroPadded(pair.getPrivateKey(), 64));
        }
        List<String> accounts = new ArrayList<>();
        node.rpc("eth_accounts").forEach(a -> accounts.add(a.asText().toLowerCase()));
        assertThat(accounts).containsExactlyElementsOf(expected);
        assertThat(node.devAddresses()).isEqualTo(expected.subList(0, node.devAddresses().size()));
        assertThat(node.devPrivateKeys()).isEqualTo(keys.subList(0, node.devPrivateKeys().size()));
        for (String a : expected) {
            String wei = node.rpc("eth_getBalance", a, "0x0").asText();
            assertThat(new BigInteger(wei.substring(2), 16)).as("genesis balance of " + a).isEqualTo(BigInteger.TEN.pow(22));
        }
    }

    /** pid() names the Node.js program serving the chain (whose CPU the bench reads), not its shell wrapper. */
    @Test
    void pidIsTheNodeProgramThatServesTheChain() {
        ProcessHandle h = ProcessHandle.of(node.pid()).orElseThrow();
        assertThat(h.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("/node"));
        assertThat(h.parent().map(ProcessHandle::pid)).isPresent();
    }

    @Test
    void mineSnapshotRevertAndTimeTravel() {
        long h0 = node.blockNumber();
        String snap = node.snapshot();
        node.mine(5);
        assertThat(node.blockNumber()).isEqualTo(h0 + 5);
        assertThat(node.revert(snap)).isTrue();
        assertThat(node.blockNumber()).isEqualTo(h0);
        long t0 = node.latestTimestamp();
        node.increaseTime(3600);
        node.mine(1);
        assertThat(node.latestTimestamp()).isGreaterThanOrEqualTo(t0 + 3600);
    }

    @Test
    void nodeDiesWithItsJvmEvenOnSigkill() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Devmore.root=" + HardhatNode.findRoot(), HardhatNodeChild.class.getName())
                .redirectErrorStream(true).start();
        List<ProcessHandle> started = List.of();
        try {
            int port = -1;
            // readLine() blocks while the child is silent, past any deadline: lines go through a queue read with one
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) lines.add(line);
                } catch (IOException e) {
                    // the child is gone; the deadline below reports it
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (port < 0) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) break;
                if (line.startsWith("PORT ")) port = Integer.parseInt(line.substring(5).trim());
            }
            reader.interrupt();
            assertThat(port).as("child JVM started a node within 90 s").isPositive();
            assertThat(answers(port)).isTrue();

            started = child.descendants().toList(); // the wrapper and the node, to clean up if the test fails
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs in the child
            child.waitFor(10, TimeUnit.SECONDS);
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (answers(port) && System.nanoTime() < until) Thread.sleep(200);
            assertThat(answers(port)).as("node on port " + port + " stopped after its JVM was killed").isFalse();
        } finally {
            child.destroyForcibly();
            // Only the processes this test's child started, by pid: a failing test must not leave an orphan node.
            for (ProcessHandle h : started) {
                if (h.isAlive()) h.destroyForcibly();
            }
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void killAndRestartOnTheSamePort() {
        int port = node.port();
        node.kill();
        assertThat(node.isRunning()).isFalse();
        assertThatThrownBy(node::blockNumber).isInstanceOf(UncheckedIOException.class);
        node.restart();
        assertThat(node.port()).isEqualTo(port);
        assertThat(node.isRunning()).isTrue();
        assertThat(node.blockNumber()).isGreaterThanOrEqualTo(0);
    }
}
