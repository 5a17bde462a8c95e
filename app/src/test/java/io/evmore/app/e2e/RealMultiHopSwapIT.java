package io.evmore.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.wasmd.WasmdChain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@link MultiHopSwapScenarios} on real chains: three wasmd 0.54.9 nodes built with packet-forward middleware and IBC
 * hooks (devnet-a ↔ devnet-b ↔ devnet-c, prefix {@code wasm}, denoms stake/uosmo/ujuno), the ICS-20 channels created
 * and relayed by Hermes 1.10.5, a real Hardhat node, and the relayer as a separate process. What the devnet fakes is
 * done for real here: IBC is paused by stopping Hermes; a first-hop timeout is waited for on devnet-b's clock (30 s per
 * hop in this world's relayer.yaml); bob gets the routed stake on devnet-c by his own two-hop transfer; an IBC-hooks
 * call that fails is one whose contract is not on devnet-c (the relayer restarted with such an address for devnet-c's
 * contract, on the same database, then restarted as it was).
 */
class RealMultiHopSwapIT extends MultiHopSwapScenarios {
    @Override
    SwapWorld startWorld(Path dir) throws Exception {
        return SwapWorld.startRealMultiHop(dir);
    }

    @Override
    void pauseIbc() {
        world.ibc.pauseRelaying();
    }

    @Override
    void resumeIbc() {
        world.ibc.resumeRelaying();
    }

    @Override
    void passFirstHopTimeout() throws Exception {
        Instant past = Instant.now().plusSeconds(world.hopTimeout + 3);
        WasmdChain b = world.ibc.chain("devnet-b");
        long deadline = System.nanoTime() + Duration.ofSeconds(world.hopTimeout + 60).toNanos();
        while (blockTime(b).isBefore(past)) {
            if (System.nanoTime() > deadline) throw new AssertionError("devnet-b's clock did not pass " + past);
            Thread.sleep(500);
        }
    }

    static Instant blockTime(WasmdChain c) {
        return Instant.parse(c.rpcGet("/status").path("result").path("sync_info").path("latest_block_time").asText());
    }

    @Override
    void giveRoutedStakeOnC(String account, BigInteger amount) throws Exception {
        WasmdChain a = world.ibc.chain("devnet-a");
        String to = world.cosmosAddress("devnet-c", account);
        BigInteger before = world.cosmosBalance("devnet-c", to, world.routedStakeOnC());
        // the account's own two-hop transfer: packet-forward on devnet-b sends it on to devnet-c
        String memo = "{\"forward\":{\"receiver\":\"" + to + "\",\"port\":\"transfer\",\"channel\":\""
                + world.channel("devnet-b", "devnet-c") + "\"}}";
        a.cliTx(account, 300_000, "ibc-transfer", "transfer", "transfer", world.channel("devnet-a", "devnet-b"),
                world.cosmosAddress("devnet-b", account), amount + "stake", "--memo", memo);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (world.cosmosBalance("devnet-c", to, world.routedStakeOnC()).subtract(before).compareTo(amount) < 0) {
            if (System.nanoTime() > deadline) throw new AssertionError(account + "'s two-hop transfer did not arrive on devnet-c");
            Thread.sleep(300);
        }
    }

    @Override
    void withFailingHooksOnC(ThrowingRunnable swap) throws Exception {
        String contract = world.ibc.chain("devnet-c").htlcContractAddress();
        String notAContract = Bech32Address.encode(world.prefix("devnet-c"), new byte[32]);
        world.killRelayer();
        world.startRelayer(y -> y.replace(contract, notAContract));
        try {
            swap.run();
        } finally {
            world.killRelayer();
            world.startRelayer(UnaryOperator.identity());
        }
    }

    /** Keeps Hermes' log (target/real-multihop-hermes.log) before the world goes. */
    @Override
    @org.junit.jupiter.api.AfterAll
    void stop() {
        try {
            if (world != null && world.ibc != null) {
                java.nio.file.Files.copy(world.ibc.hermes().logFile(), Path.of("target/real-multihop-hermes.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (java.io.IOException e) {
            // only a diagnostic
        }
        super.stop();
    }

    @Test
    @Order(10)
    void theProcessesDoingTheWorkAreRealWasmdNodesAndHermes() {
        for (WasmdChain c : world.ibc.chains()) {
            assertThat(ProcessHandle.of(c.nodePid()).flatMap(h -> h.info().command())).hasValueSatisfying(cmd -> assertThat(cmd).endsWith("/wasmd"));
        }
        assertThat(ProcessHandle.of(world.ibc.hermes().pid()).flatMap(h -> h.info().command()))
                .hasValueSatisfying(cmd -> assertThat(cmd).endsWith("/hermes"));
    }
}
