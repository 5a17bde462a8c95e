package io.evmore.app.e2e;

import static io.evmore.app.e2e.SwapWorld.ETH_TO_DENOM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.Swapper;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MultiHopSwapScenarios} on the devnet in this JVM (its IBC relayer can be paused, its chains' clocks moved and
 * its IBC hooks switched off), plus what only the devnet can show: a route the chains contradict, a relayer killed
 * around its transfer, an unclaimed counter-lock refunded after devnet-c's clock passes T_dst.
 */
class MultiHopSwapIT extends MultiHopSwapScenarios {
    @Override
    SwapWorld startWorld(Path dir) throws Exception {
        return SwapWorld.startMultiHop(dir);
    }

    @Override
    void pauseIbc() {
        world.devnet.relayer().pause();
    }

    @Override
    void resumeIbc() {
        world.devnet.relayer().resume();
    }

    @Override
    void passFirstHopTimeout() {
        world.devnet.chain("devnet-b").advanceTime(Duration.ofSeconds(world.hopTimeout + 5));
        world.devnet.chain("devnet-b").produceBlock();
    }

    @Override
    void giveRoutedStakeOnC(String account, BigInteger amount) {
        world.devnet.chain("devnet-c").fund(world.cosmosAddress("devnet-c", account), world.routedStakeOnC(), amount);
    }

    @Override
    void withFailingHooksOnC(ThrowingRunnable swap) throws Exception {
        world.devnet.chain("devnet-c").failIbcHooks("contract refuses (test)");
        try {
            swap.run();
        } finally {
            world.devnet.chain("devnet-c").clearIbcHooksFault();
        }
    }

    @Test
    @Order(0)
    void aRouteTheChainsContradictIsRefusedAtStart() throws Exception {
        // devnet-c's end of the devnet-b channel is configured as a channel that does not face devnet-b's
        String real = "counterpartyChannel: " + world.channel("devnet-c", "devnet-b") + ", timeoutSeconds";
        assertThat(world.relayer().get("/health", null).statusCode()).as("the same configuration, unchanged, runs").isEqualTo(200);
        try (RelayerProcess wrong = world.startRelayerVariant(RelayerProcess.freePort(), y -> {
            int at = y.lastIndexOf(real); // the last hop's
            assertThat(at).isPositive();
            return y.substring(0, at) + "counterpartyChannel: channel-7, timeoutSeconds" + y.substring(at + real.length());
        })) {
            assertThat(wrong.awaitExit(Duration.ofSeconds(90))).as(wrong.output()).isEqualTo(1);
            assertThat(wrong.output()).contains("devnet-c").contains("channel-7");
        }
    }

    @ParameterizedTest(name = "SIGKILL at {0}: exactly one transfer")
    @ValueSource(strings = {"COUNTER_LOCK:journaled", "COUNTER_LOCK:sent", "COUNTER_LOCK:recorded"})
    @Order(4)
    void aKilledRelayerSendsExactlyOneTransfer(String haltAt) throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.valueOf(50));
        world.killRelayer();
        try (EthereumUserChain user = world.ethUser(5); CosmosUserChain claimer = world.cosmosUser("devnet-c", "carol")) {
            long sequenceBefore = relayerSequence("devnet-a");
            long nonceBefore = relayerNonce();
            Swapper.Locked locked = ethLock(user, amount, aliceOnC);
            String prefix = locked.secret().hashlock().hex().substring(0, 16);
            RelayerProcess relayer = world.startRelayerAllowingExit(Map.of("EVMORE_TEST_HALT_AT", haltAt + "@" + prefix));
            assertThat(relayer.awaitExit(Duration.ofSeconds(90))).as("halted at " + haltAt + ":\n" + relayer.output()).isEqualTo(137);
            assertThat(relayer.output()).contains("TEST HALT at " + haltAt);
            world.killRelayer();
            world.startRelayer();
            HtlcRecord counter = swapper.awaitCounterLock(claimer, aliceOnC, relayerOnC, locked, TERMS);
            swapper.claim(claimer, counter, locked);
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(90));
            assertThat(relayerSequence("devnet-a") - sequenceBefore).as("relayer txs on devnet-a: one transfer").isEqualTo(1);
            assertThat(relayerNonce() - nonceBefore).as("relayer txs on Ethereum: one source claim").isEqualTo(1);
            assertThat(claimer.locksFor(aliceOnC, locked.secret().hashlock())).as("one HTLC on devnet-c").hasSize(1);
        }
    }

    @Test
    @Order(6)
    void anUnclaimedCounterLockIsRefundedToTheRelayerOnTheFinalChainAndCountsAsInventoryThere() throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.valueOf(40));
        BigInteger expected = DirectSwapIT.quote(amount, ETH_TO_DENOM);
        try (EthereumUserChain user = world.ethUser(8); CosmosUserChain c = world.cosmosUser("devnet-c", "carol")) {
            BigInteger before = world.cosmosBalance("devnet-c", relayerOnC, stakeOnC);
            Swapper.Locked locked = ethLock(user, amount, aliceOnC);
            HtlcRecord counter = swapper.awaitCounterLock(c, aliceOnC, relayerOnC, locked, TERMS);
            world.awaitState(locked.secret().hashlock(), "COUNTER_LOCKED", Duration.ofSeconds(60));
            // alice never claims; devnet-c's clock passes T_dst
            long past = counter.timelock() - c.htlc().latestBlockTime() + 2;
            world.devnet.chain("devnet-c").advanceTime(Duration.ofSeconds(past));
            // Ethereum's clock moves as much, so that it stays ahead of devnet-c's for the swaps that follow
            world.hardhat.increaseTime(past);
            world.hardhat.mine(1);
            world.awaitState(locked.secret().hashlock(), "REFUNDED", Duration.ofSeconds(60));
            assertThat(c.htlc().query(counter.id()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
            BigInteger after = world.cosmosBalance("devnet-c", relayerOnC, stakeOnC);
            assertThat(after.subtract(before)).as("the refund paid the relayer's address on devnet-c (its fee is paid in ujuno)")
                    .isEqualTo(expected);
            JsonNode status = SwapWorld.JSON.readTree(world.relayer().get("/admin/services/status", SwapWorld.TOKEN).body());
            JsonNode held = null;
            for (JsonNode i : status.get("inventory")) {
                if (i.get("chain").asText().equals("devnet-c") && i.get("asset").asText().equals(stakeOnC)) held = i;
            }
            assertThat(held).as("devnet-c's voucher is inventory there: " + status.get("inventory")).isNotNull();
            assertThat(held.get("balance").asText()).isEqualTo(after.toString());
            assertThat(held.get("address").asText()).isEqualTo(relayerOnC);
        }
    }

    long relayerSequence(String chain) {
        var acc = world.devnet.chain(chain).state().account(world.relayerAddress(chain));
        return acc == null ? 0 : acc.getSequence();
    }

}
