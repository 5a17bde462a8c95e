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
import io.evmore.swapper.UserChain;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The relayer process is stopped like SIGKILL (Runtime.halt, no shutdown hooks) at a named point of a swap —
 * a state just entered, a transaction persisted but not broadcast, a transaction broadcast but not yet included
 * (halt 150 ms after the journal), a chain call that returned but was not recorded — then started again on the same
 * database. Every swap must complete, and the chain must show exactly one relayer transaction per action: the
 * relayer's Ethereum nonce and Cosmos account sequence each move by exactly the number of actions on that chain.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT extends OnSwapWorld {
    static final Swapper.Terms TERMS = new Swapper.Terms(BigInteger.ONE, Duration.ofSeconds(20), Duration.ofSeconds(120));

    @ParameterizedTest(name = "Ethereum -> devnet-a, halted at {0}")
    @ValueSource(strings = {"entered:CONFIRMED", "COUNTER_LOCK:journaled", "COUNTER_LOCK:journaled+150", "entered:COUNTER_LOCKED",
            "SOURCE_CLAIM:journaled", "SOURCE_CLAIM:sent"})
    @Order(1)
    void ethereumToDevnetA(String haltAt) throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(5); CosmosUserChain claimer = world.cosmosUser("devnet-a", "carol")) {
            Counts before = counts();
            long tSrc = user.htlc().latestBlockTime() + 400;
            Swapper.Locked locked = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, tSrc);
            runThroughHalt(haltAt, locked, claimer, bob, world.relayerAddress("devnet-a"));
            Counts after = counts();
            assertThat(after.ethNonce - before.ethNonce).as("relayer txs on Ethereum: one source claim").isEqualTo(1);
            assertThat(after.cosmosSequence - before.cosmosSequence).as("relayer txs on devnet-a: one counter-lock").isEqualTo(1);
            assertThat(claimer.locksFor(bob, locked.secret().hashlock())).hasSize(1);
            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        }
    }

    @ParameterizedTest(name = "devnet-a -> Ethereum, halted at {0}")
    @ValueSource(strings = {"entered:DETECTED", "COUNTER_LOCK:journaled+150", "COUNTER_LOCK:sent", "entered:SECRET_REVEALED",
            "entered:SOURCE_CLAIM_PENDING", "SOURCE_CLAIM:journaled+150"})
    @Order(2)
    void devnetAToEthereum(String haltAt) throws Exception {
        String receiver = world.hardhat.devAddresses().get(6);
        try (CosmosUserChain user = world.cosmosUser("devnet-a", "alice"); EthereumUserChain claimer = world.ethUser(7)) {
            Counts before = counts();
            long tSrc = user.htlc().latestBlockTime() + 400;
            Swapper.Locked locked = swapper.lock(user, world.relayerAddress("devnet-a"), "stake", BigInteger.valueOf(2_000_000),
                    world.eth, receiver, tSrc);
            runThroughHalt(haltAt, locked, claimer, receiver, world.relayerEthAddress());
            Counts after = counts();
            assertThat(after.ethNonce - before.ethNonce).as("relayer txs on Ethereum: one counter-lock").isEqualTo(1);
            assertThat(after.cosmosSequence - before.cosmosSequence).as("relayer txs on devnet-a: one source claim").isEqualTo(1);
            assertThat(claimer.locksFor(receiver, locked.secret().hashlock())).hasSize(1);
        }
    }

    /** The user never claims: the relayer refunds its own lock after T_dst (halted while refunding), the user refunds the source. */
    @ParameterizedTest(name = "user never claims, halted at {0}")
    @ValueSource(strings = {"DEST_REFUND:journaled", "DEST_REFUND:journaled+150", "DEST_REFUND:sent"})
    @Order(3)
    void userNeverClaims(String haltAt) throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(8); CosmosUserChain devnetA = world.cosmosUser("devnet-a", "carol")) {
            Counts before = counts();
            BigInteger relayerStake = world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a"));
            BigInteger userEth = world.ethBalance(world.hardhat.devAddresses().get(8));
            long tSrc = user.htlc().latestBlockTime() + 130;
            BigInteger amount = BigInteger.TEN.pow(16);
            Swapper.Locked locked = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, amount, ChainId.of("devnet-a"), bob, tSrc);
            RelayerProcess relayer = startWith(haltAt, locked);
            HtlcRecord counter = swapper.awaitCounterLock(devnetA, bob, world.relayerAddress("devnet-a"), locked, TERMS);
            // time passes on devnet-a beyond T_dst: the relayer must take its funds back
            world.devnet.advanceTime(Duration.ofSeconds(counter.timelock() - devnetA.htlc().latestBlockTime() + 2));
            assertThat(relayer.awaitExit(Duration.ofSeconds(60))).as(relayer.output()).isEqualTo(137);
            assertThat(relayer.output()).contains("TEST HALT at " + haltAt.replaceAll("\\+.*", ""));
            world.killRelayer();
            world.startRelayer();
            world.awaitState(locked.secret().hashlock(), "REFUNDED", Duration.ofSeconds(60));
            assertThat(devnetA.htlc().query(counter.id()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
            BigInteger stakeAfter = world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a"));
            assertThat(relayerStake.subtract(stakeAfter)).as("the relayer lost only its two transactions' fees")
                    .isPositive().isLessThan(BigInteger.valueOf(1_000_000));

            // the user refunds the source after T_src
            world.hardhat.increaseTime(tSrc - user.htlc().latestBlockTime() + 2);
            world.hardhat.mine(1);
            swapper.refund(user, locked.sourceLock().htlcId());
            world.awaitState(locked.secret().hashlock(), "EXPIRED", Duration.ofSeconds(60));
            BigInteger userLoss = userEth.subtract(world.ethBalance(world.hardhat.devAddresses().get(8)));
            assertThat(userLoss).as("the user got the 0.01 ETH back, paying only gas").isPositive()
                    .isLessThan(BigInteger.TEN.pow(15));
            Counts after = counts();
            assertThat(after.cosmosSequence - before.cosmosSequence).as("relayer txs on devnet-a: counter-lock and refund").isEqualTo(2);
            assertThat(after.ethNonce - before.ethNonce).as("no relayer tx on Ethereum").isZero();
            world.killRelayer();
        }
    }

    /**
     * {@code kill -9} from outside (not an in-process halt) in the counter-lock's most dangerous window: the transaction
     * is sent and included, its outcome not yet recorded. The restarted relayer finds it on chain and never locks twice.
     */
    @org.junit.jupiter.api.Test
    @Order(4)
    void killedFromOutsideAfterTheCounterLockWasSentBeforeItWasRecorded() throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(9); CosmosUserChain claimer = world.cosmosUser("devnet-a", "carol")) {
            RelayerProcess relayer = world.startRelayerAllowingExit(Map.of("EVMORE_TEST_PAUSE_AT", "COUNTER_LOCK:sent"));
            assertThat(relayer.awaitHealthy(Duration.ofSeconds(90))).as(relayer.output()).isTrue();
            Counts before = counts();
            long tSrc = user.htlc().latestBlockTime() + 400;
            Swapper.Locked locked = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, tSrc);
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!relayer.output().contains("TEST PAUSED at COUNTER_LOCK:sent") && System.nanoTime() < until) Thread.sleep(100);
            assertThat(relayer.output()).contains("TEST PAUSED at COUNTER_LOCK:sent");
            assertThat(counts().cosmosSequence - before.cosmosSequence).as("the counter-lock is on chain").isEqualTo(1);
            assertThat(relayer.killMinus9(Duration.ofSeconds(10))).as("killed by SIGKILL").isEqualTo(137);
            world.killRelayer();
            world.startRelayer();
            HtlcRecord counter = swapper.awaitCounterLock(claimer, bob, world.relayerAddress("devnet-a"), locked, TERMS);
            swapper.claim(claimer, counter, locked);
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(90));
            Counts after = counts();
            assertThat(after.cosmosSequence - before.cosmosSequence).as("one counter-lock, never a second").isEqualTo(1);
            assertThat(after.ethNonce - before.ethNonce).as("one source claim").isEqualTo(1);
            assertThat(claimer.locksFor(bob, locked.secret().hashlock())).hasSize(1);
            world.killRelayer();
        }
    }

    /**
     * The counter-lock cannot be made (the contract on Ethereum refuses its timelock: devnet-a's clock runs two days ahead,
     * so a lock there for 29 days asks Ethereum for a counter-lock beyond its 30-day horizon), the swap gives it up after
     * its attempts, and after T_src the relayer refunds the user's source lock for them (anyone may): halted while that
     * refund is journaled or right after it was sent, restarted, exactly one refund transaction and the user's funds
     * back. Runs last: it moves devnet-a's clock far ahead.
     */
    @ParameterizedTest(name = "counter-lock fails, the relayer refunds the user, halted at {0}")
    @ValueSource(strings = {"SOURCE_REFUND:journaled", "SOURCE_REFUND:sent"})
    @Order(9)
    void theRelayerRefundsTheUsersSourceAfterItsCounterLockFailed(String haltAt) throws Exception {
        String receiver = world.hardhat.devAddresses().get(6);
        try (CosmosUserChain user = world.cosmosUser("devnet-a", "alice")) {
            world.devnet.advanceTime(Duration.ofDays(2));
            RelayerProcess relayer = world.startRelayerAllowingExit(Map.of("EVMORE_TEST_HALT_AT", haltAt));
            assertThat(relayer.awaitHealthy(Duration.ofSeconds(90))).as(relayer.output()).isTrue();
            Counts before = counts();
            String alice = world.cosmosAddress("devnet-a", "alice");
            BigInteger amount = BigInteger.valueOf(2_000_000);
            long tSrc = user.htlc().latestBlockTime() + Duration.ofDays(29).toSeconds();
            Swapper.Locked locked = swapper.lock(user, world.relayerAddress("devnet-a"), "stake", amount, world.eth, receiver, tSrc);
            BigInteger aliceLocked = world.cosmosBalance("devnet-a", alice);
            JsonNode failed = world.awaitState(locked.secret().hashlock(), "COUNTER_FAILED", Duration.ofSeconds(90));
            assertThat(failed.path("swap").path("lastError").asText()).contains("3 attempts");
            assertThat(counts().ethNonce).as("no counter-lock landed").isEqualTo(before.ethNonce);
            // T_src passes on devnet-a: the relayer refunds the user's lock, and dies while doing it
            world.devnet.advanceTime(Duration.ofSeconds(tSrc - user.htlc().latestBlockTime() + 2));
            assertThat(relayer.awaitExit(Duration.ofSeconds(90))).as(relayer.output()).isEqualTo(137);
            assertThat(relayer.output()).contains("TEST HALT at " + haltAt);
            world.killRelayer();
            world.startRelayer();
            world.awaitState(locked.secret().hashlock(), "EXPIRED", Duration.ofSeconds(120));
            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
            assertThat(world.cosmosBalance("devnet-a", alice).subtract(aliceLocked)).as("the user's lock came back in full")
                    .isEqualTo(amount);
            Counts after = counts();
            assertThat(after.cosmosSequence - before.cosmosSequence).as("relayer txs on devnet-a: one refund").isEqualTo(1);
            assertThat(after.ethNonce - before.ethNonce).as("relayer txs on Ethereum: none").isZero();
        }
    }

    private void runThroughHalt(String haltAt, Swapper.Locked locked, UserChain claimerChain, String receiver, String relayerOnDest)
            throws Exception {
        RelayerProcess relayer = startWith(haltAt, locked);
        boolean claimPhase = haltAt.startsWith("SOURCE_CLAIM") || haltAt.equals("entered:SECRET_REVEALED")
                || haltAt.equals("entered:SOURCE_CLAIM_PENDING");
        if (claimPhase) {
            HtlcRecord counter = swapper.awaitCounterLock(claimerChain, receiver, relayerOnDest, locked, TERMS);
            swapper.claim(claimerChain, counter, locked);
        }
        assertThat(relayer.awaitExit(Duration.ofSeconds(90))).as("halted at " + haltAt + ":\n" + relayer.output()).isEqualTo(137);
        assertThat(relayer.output()).contains("TEST HALT at " + haltAt.replaceAll("\\+.*", ""));
        world.killRelayer();
        world.startRelayer();
        if (!claimPhase) {
            HtlcRecord counter = swapper.awaitCounterLock(claimerChain, receiver, relayerOnDest, locked, TERMS);
            swapper.claim(claimerChain, counter, locked);
        }
        world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(90));
        world.killRelayer();
    }

    private RelayerProcess startWith(String haltAt, Swapper.Locked locked) throws Exception {
        String prefix = locked.secret().hashlock().hex().substring(0, 16);
        String spec = haltAt.contains("+") ? haltAt.replace("+", "@" + prefix + "+") : haltAt + "@" + prefix;
        return world.startRelayerAllowingExit(Map.of("EVMORE_TEST_HALT_AT", spec));
    }

    record Counts(long ethNonce, long cosmosSequence) {}

    private static Counts counts() {
        long nonce = Long.decode(world.hardhat.rpc("eth_getTransactionCount", world.relayerEthAddress(), "latest").asText());
        var acc = world.devnet.chain("devnet-a").state().account(world.relayerAddress("devnet-a"));
        return new Counts(nonce, acc == null ? 0 : acc.getSequence());
    }
}
