package io.evmore.devnet.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
