package io.evmore.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.Swapper;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fund safety from outside (issue 17), with a real Hardhat node, the devnet and the relayer as its own process:
 * <ul>
 * <li>the relayer's follower never sees the user's claim on the destination chain (the claim events are lost on purpose,
 *     {@code EVMORE_TEST_LOSE_EVENTS}, honoured only with {@code environment: test}) — the relayer still reads the secret
 *     from the chain and claims the user's source lock before T_src, in both directions;</li>
 * <li>an emergency pause sent while the relayer is still starting is honoured: the engine starts paused, sees and
 *     confirms new locks but pays for none until resumed.</li>
 * </ul>
 */
class FundSafetyIT extends OnSwapWorld {
    static final Swapper.Terms TERMS = new Swapper.Terms(BigInteger.ONE, Duration.ofSeconds(30), Duration.ofSeconds(90));

    @Test
    void aClaimOnDevnetAThatTheFollowerNeverSeesStillGetsTheEthereumSourceClaimedBeforeTSrc() throws Exception {
        RelayerProcess relayer = startLosing("claims@devnet-a");
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(2); CosmosUserChain claimer = world.cosmosUser("devnet-a", "carol")) {
            long tSrc = user.htlc().latestBlockTime() + 300;
            Swapper.Locked locked = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, tSrc);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, bob, world.relayerAddress("devnet-a"), locked, TERMS);
            swapper.claim(claimer, counter, locked);
            JsonNode done = world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(90));

            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).as("the user's ETH, claimed")
                    .isEqualTo(HtlcRecord.Status.CLAIMED);
            assertThat(user.htlc().latestBlockTime()).as("before T_src").isLessThan(tSrc);
            assertThat(relayer.output()).as("the claim event really was lost").contains("TEST LOST");
            assertThat(trail(done)).anySatisfy(t -> assertThat(t).contains("SECRET_REVEALED").contains("by query"));
        }
    }

    @Test
    void aClaimOnEthereumThatTheFollowerNeverSeesStillGetsTheDevnetSourceClaimedBeforeTSrc() throws Exception {
        RelayerProcess relayer = startLosing("claims@" + world.eth.value());
        String receiver = world.hardhat.devAddresses().get(3);
        try (CosmosUserChain user = world.cosmosUser("devnet-a", "alice"); EthereumUserChain claimer = world.ethUser(4)) {
            long tSrc = user.htlc().latestBlockTime() + 300;
            Swapper.Locked locked = swapper.lock(user, world.relayerAddress("devnet-a"), "stake", BigInteger.valueOf(2_000_000),
                    world.eth, receiver, tSrc);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, receiver, world.relayerEthAddress(), locked, TERMS);
            swapper.claim(claimer, counter, locked);
            JsonNode done = world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(90));

            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
            assertThat(user.htlc().latestBlockTime()).as("before T_src").isLessThan(tSrc);
            assertThat(relayer.output()).contains("TEST LOST");
            assertThat(trail(done)).anySatisfy(t -> assertThat(t).contains("SECRET_REVEALED").contains("by query"));
        }
    }

    @Test
    void aPauseSentInTheFirstSecondOfStartUpIsHonoured() throws Exception {
        RelayerProcess relayer = world.startRelayerAllowingExit(Map.of());
        long started = System.nanoTime();
        int status = -1;
        while (System.nanoTime() - started < Duration.ofSeconds(30).toNanos()) {
            try {
                status = relayer.post("/admin/services/pause", SwapWorld.TOKEN).statusCode();
                if (status == 200) break;
            } catch (java.io.IOException notListeningYet) {
                // HTTP is the first service up; keep knocking
            }
            Thread.sleep(20);
        }
        assertThat(status).as("pause during start-up:\n" + relayer.output()).isEqualTo(200);
        // the first request HTTP answered: sent as early as the process lets anyone in (its own start time varies with the
        // machine, so what is asserted is that the engine did not exist yet, not a number of seconds)
        JsonNode early = SwapWorld.JSON.readTree(relayer.get("/admin/services/status", SwapWorld.TOKEN).body());
        assertThat(early.path("engine").path("starting").asBoolean()).as("the pause arrived while the relayer was still "
                + "starting (the engine did not exist yet): " + early).isTrue();
        assertThat(early.path("engine").path("intake").asText()).isEqualTo("PAUSED");
        assertThat(relayer.awaitHealthy(Duration.ofSeconds(90))).as(relayer.output()).isTrue();
        JsonNode running = SwapWorld.JSON.readTree(relayer.get("/admin/services/status", SwapWorld.TOKEN).body());
        assertThat(running.path("engine").path("intake").asText()).as("the engine started paused").isEqualTo("PAUSED");
        assertThat(running.path("engine").path("reason").asText()).contains("start-up");

        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(5); CosmosUserChain claimer = world.cosmosUser("devnet-a", "carol")) {
            Swapper.Locked locked = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, user.htlc().latestBlockTime() + 300);
            // the relayer sees and confirms the lock (it is working) but pays for nothing while paused
            world.awaitState(locked.secret().hashlock(), "CONFIRMED", Duration.ofSeconds(30));
            long devnetHeight = world.devnet.chain("devnet-a").height();
            while (world.devnet.chain("devnet-a").height() < devnetHeight + 6) Thread.sleep(200);
            assertThat(world.swap(locked.secret().hashlock()).orElseThrow().path("swap").path("state").asText()).isEqualTo("CONFIRMED");
            assertThat(claimer.locksFor(bob, locked.secret().hashlock())).as("no counter-lock while paused").isEmpty();

            assertThat(relayer.post("/admin/services/resume", SwapWorld.TOKEN).statusCode()).isEqualTo(200);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, bob, world.relayerAddress("devnet-a"), locked, TERMS);
            swapper.claim(claimer, counter, locked);
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(90));
        }
    }

    private static RelayerProcess startLosing(String spec) throws Exception {
        RelayerProcess relayer = world.startRelayerAllowingExit(Map.of("EVMORE_TEST_LOSE_EVENTS", spec));
        assertThat(relayer.awaitHealthy(Duration.ofSeconds(90))).as(relayer.output()).isTrue();
        assertThat(relayer.output()).contains("loses every [claims] event");
        return relayer;
    }

    private static java.util.List<String> trail(JsonNode swap) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode t : swap.path("transitions")) out.add(t.path("to").asText() + ": " + t.path("cause").asText());
        return out;
    }
}
