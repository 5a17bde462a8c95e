package io.evmore.app.e2e;

import static io.evmore.app.e2e.SwapWorld.DENOM_TO_ETH;
import static io.evmore.app.e2e.SwapWorld.ETH_TO_DENOM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.Swapper;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-hop swaps end to end (SPEC §3 step 3): devnet-c is two IBC hops from the relayer's home chain devnet-a. The
 * relayer's counter-lock is one ICS-20 transfer of stake from devnet-a, forwarded by devnet-b (packet-forward) and
 * creating the HTLC on devnet-c through IBC hooks. Real Hardhat, the relayer as a separate process, and the swapper
 * library as the user; the Cosmos side is the world a subclass starts: the devnet in this JVM ({@link MultiHopSwapIT})
 * or three real wasmd nodes relayed by Hermes ({@link RealMultiHopSwapIT}). The scenarios here run on both; what only
 * one world can do (move a chain's clock, switch hooks off) is behind the abstract methods.
 *
 * <p>Amounts are checked against the quote computed here, and where the relayer's own fee makes its balance inexact,
 * against the ICS-20 escrow accounts, which move by exactly the amount sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MultiHopSwapScenarios {
    static final BigInteger ETHER = BigInteger.TEN.pow(18);
    static final Swapper.Terms TERMS = new Swapper.Terms(BigInteger.ONE, Duration.ofSeconds(30), Duration.ofSeconds(120));
    /** T_src − now: W_user 60 + H 120 + the gap 53, with room for confirmations. */
    static final long SOURCE_WINDOW = 400;

    SwapWorld world;
    final Swapper swapper = new Swapper(line -> {});
    /** Alice on devnet-c, who receives the Ethereum -> devnet-c swaps (carol claims for her). */
    String aliceOnC;
    /** devnet-a's stake as it arrives on devnet-c over the two hops: the counter-locks' asset. */
    String stakeOnC;
    /** The relayer's address on devnet-c: the counter-locks' refund address. */
    String relayerOnC;

    /** Starts the world (Hardhat and the three Cosmos chains), not the relayer. */
    abstract SwapWorld startWorld(Path dir) throws Exception;

    /** Holds IBC packets: nothing is relayed between the Cosmos chains until {@link #resumeIbc()}. */
    abstract void pauseIbc() throws Exception;

    abstract void resumeIbc() throws Exception;

    /** While IBC is paused: gets devnet-b's clock past the first hop's timeout of a packet sent now. */
    abstract void passFirstHopTimeout() throws Exception;

    /** Gives {@code address} on devnet-c {@code amount} of devnet-a's stake as it arrives there over two hops. */
    abstract void giveRoutedStakeOnC(String account, BigInteger amount) throws Exception;

    /**
     * Runs {@code swap} while IBC-hooks executions of the relayer's counter-locks fail on devnet-c, with the relayer to
     * ask about the swap; returns once {@code swap} has.
     */
    abstract void withFailingHooksOnC(ThrowingRunnable swap) throws Exception;

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        world = startWorld(dir);
        aliceOnC = world.cosmosAddress("devnet-c", "alice");
        stakeOnC = world.routedStakeOnC();
        relayerOnC = world.relayerAddress("devnet-c");
        world.startRelayer();
    }

    @AfterAll
    void stop() {
        if (world != null) world.close();
    }

    String escrow(String chain, String channel) {
        return Bech32Address.encode(world.prefix(chain), AddressDerivation.escrow("transfer", channel));
    }

    /** Where packet-forward puts the funds on devnet-b: derived from devnet-b's end of the channel and the relayer's address. */
    String pfmIntermediateOnB() {
        return Bech32Address.encode(world.prefix("devnet-b"), AddressDerivation.pfmReceiver(world.channel("devnet-b", "devnet-a"),
                world.relayerAddress("devnet-a")));
    }

    /** The sender devnet-c's contract sees for the relayer's transfers: the IBC-hooks intermediary. */
    String hooksCreatorOnC() {
        return Bech32Address.encode(world.prefix("devnet-c"), AddressDerivation.hooksSender(world.channel("devnet-c", "devnet-b"),
                pfmIntermediateOnB()));
    }

    Swapper.Locked ethLock(EthereumUserChain user, BigInteger amount, String receiverOnC) {
        long tSrc = user.htlc().latestBlockTime() + SOURCE_WINDOW;
        return swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, amount, ChainId.of("devnet-c"), receiverOnC, tSrc);
    }

    @Test
    @Order(1)
    void ethereumToDevnetCOverTwoHops() throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.TEN);
        BigInteger expected = DirectSwapIT.quote(amount, ETH_TO_DENOM);
        String escrowA = escrow("devnet-a", world.channel("devnet-a", "devnet-b"));
        String escrowB = escrow("devnet-b", world.channel("devnet-b", "devnet-c"));
        try (EthereumUserChain user = world.ethUser(1); CosmosUserChain claimer = world.cosmosUser("devnet-c", "carol")) {
            BigInteger escrowABefore = world.cosmosBalance("devnet-a", escrowA, "stake");
            BigInteger escrowBBefore = world.cosmosBalance("devnet-b", escrowB, world.routedStakeOnB());
            BigInteger relayerStakeBefore = world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a"));
            BigInteger relayerEthBefore = world.ethBalance(world.relayerEthAddress());

            Swapper.Locked locked = ethLock(user, amount, aliceOnC);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, aliceOnC, relayerOnC, locked, TERMS);
            assertThat(counter.amount()).as("the quote arrives unchanged over two hops").isEqualTo(expected);
            assertThat(counter.asset()).as("as devnet-a's stake routed through devnet-b").isEqualTo(stakeOnC);
            assertThat(counter.sender()).as("created by the hooks from the relayer's own transfer").isEqualTo(hooksCreatorOnC());
            assertThat(counter.refundAddress()).isEqualTo(relayerOnC);
            assertThat(counter.timelock()).as("T_dst = T_src - (F_dst + P + G_src + M)")
                    .isEqualTo(locked.sourceTimelock() - (1 + SwapWorld.POLL + SwapWorld.ETH_CLAIM_INCLUSION + SwapWorld.MARGIN));
            JsonNode lockedView = world.awaitState(locked.secret().hashlock(), "COUNTER_LOCKED", Duration.ofSeconds(60));
            assertThat(lockedView.get("swap").get("destHtlcId").asText()).isEqualTo(counter.id());

            swapper.claim(claimer, counter, locked);
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));

            assertThat(world.cosmosBalance("devnet-c", aliceOnC, stakeOnC)).as("alice holds exactly the quote").isEqualTo(expected);
            assertThat(world.cosmosBalance("devnet-a", escrowA, "stake").subtract(escrowABefore)).as("escrowed on devnet-a").isEqualTo(expected);
            assertThat(world.cosmosBalance("devnet-b", escrowB, world.routedStakeOnB()).subtract(escrowBBefore))
                    .as("forwarded by devnet-b and escrowed there").isEqualTo(expected);
            assertThat(world.cosmosBalance("devnet-b", pfmIntermediateOnB(), world.routedStakeOnB())).as("nothing left at the intermediary").isZero();
            assertThat(world.cosmosBalance("devnet-c", hooksCreatorOnC(), stakeOnC)).as("nothing left with the hooks").isZero();
            BigInteger stakeSpent = relayerStakeBefore.subtract(world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a")));
            assertThat(stakeSpent).as("the quote plus one transaction's fee").isGreaterThan(expected).isLessThan(expected.add(BigInteger.valueOf(1_000_000)));
            BigInteger ethGain = world.ethBalance(world.relayerEthAddress()).subtract(relayerEthBefore);
            assertThat(ethGain).as("the 0.1 ETH less the claim's gas").isLessThan(amount).isGreaterThan(amount.subtract(ETHER.divide(BigInteger.valueOf(1000))));
            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        }
    }

    @Test
    @Order(2)
    void devnetCToEthereum() throws Exception {
        BigInteger amount = BigInteger.valueOf(10_000_000);
        BigInteger expected = DirectSwapIT.quote(amount, DENOM_TO_ETH);
        String receiver = world.hardhat.devAddresses().get(2);
        try (CosmosUserChain user = world.cosmosUser("devnet-c", "alice"); EthereumUserChain claimer = world.ethUser(3)) {
            BigInteger receiverBefore = world.ethBalance(receiver);
            BigInteger relayerJunoBefore = world.cosmosBalance("devnet-c", relayerOnC);
            long tSrc = user.htlc().latestBlockTime() + SOURCE_WINDOW;
            Swapper.Locked locked = swapper.lock(user, relayerOnC, world.denom("devnet-c"), amount, world.eth, receiver, tSrc);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, receiver, world.relayerEthAddress(), locked, TERMS);
            assertThat(counter.amount()).isEqualTo(expected);
            swapper.claim(claimer, counter, locked);
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));
            assertThat(world.ethBalance(receiver).subtract(receiverBefore)).isEqualTo(expected);
            BigInteger junoGain = world.cosmosBalance("devnet-c", relayerOnC).subtract(relayerJunoBefore);
            assertThat(junoGain).as("the relayer claimed the 10 ujuno-units on devnet-c, less its claim's fee")
                    .isLessThan(amount).isGreaterThan(amount.subtract(BigInteger.valueOf(1_000_000)));
        }
    }

    @Test
    @Order(3)
    void aLookAlikeHtlcMadeByAThirdPartyIsNeverTakenAsTheCounterLock() throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.valueOf(20));
        BigInteger expected = DirectSwapIT.quote(amount, ETH_TO_DENOM);
        String bob = world.cosmosAddress("devnet-c", "bob");
        giveRoutedStakeOnC("bob", expected.multiply(BigInteger.TWO));
        try (EthereumUserChain user = world.ethUser(4); CosmosUserChain claimer = world.cosmosUser("devnet-c", "carol");
                CosmosUserChain thirdParty = world.cosmosUser("devnet-c", "bob")) {
            pauseIbc(); // the real counter-lock is held on its way
            Swapper.Locked locked;
            HtlcRecord lookAlike;
            try {
                locked = ethLock(user, amount, aliceOnC);
                awaitPacket(locked);
                // bob copies everything the user will see: receiver, hashlock, amount, denom, timelock
                long tDst = locked.sourceTimelock() - (1 + SwapWorld.POLL + SwapWorld.ETH_CLAIM_INCLUSION + SwapWorld.MARGIN);
                String id = thirdParty.htlc().lock(new LockRequest(aliceOnC, stakeOnC, expected, locked.secret().hashlock(), tDst,
                        "devnet-c", aliceOnC)).htlcId();
                lookAlike = thirdParty.htlc().query(id).orElseThrow();
                // the relayer's follower sees it (a control: the chain moved on) and the swap stays pending
                long seenAt = world.cosmosHeight("devnet-c");
                awaitFollowed("devnet-c", seenAt);
                JsonNode pending = world.swap(locked.secret().hashlock()).orElseThrow();
                assertThat(pending.get("swap").get("state").asText()).isEqualTo("COUNTER_PENDING");
                assertThat(pending.get("swap").path("destHtlcId").isNull() || pending.get("swap").path("destHtlcId").isMissingNode()).isTrue();
            } finally {
                resumeIbc();
            }
            JsonNode lockedView = world.awaitState(locked.secret().hashlock(), "COUNTER_LOCKED", Duration.ofSeconds(60));
            String real = lockedView.get("swap").get("destHtlcId").asText();
            assertThat(real).isNotEqualTo(lookAlike.id());
            HtlcRecord counter = claimer.htlc().query(real).orElseThrow();
            assertThat(counter.sender()).isEqualTo(hooksCreatorOnC());
            assertThat(swapper.awaitCounterLock(claimer, aliceOnC, relayerOnC, locked, TERMS).id())
                    .as("the user, too, takes the lock refundable to the relayer").isEqualTo(real);
            swapper.claim(claimer, counter, locked);
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));
            assertThat(claimer.htlc().query(lookAlike.id()).orElseThrow().status()).as("nobody touched bob's lock").isEqualTo(HtlcRecord.Status.OPEN);
        }
    }

    @Test
    @Order(5)
    void anErrorAcknowledgementOnTheLastHopFailsTheCounterLockAndNobodyLoses() throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.valueOf(25));
        BigInteger expected = DirectSwapIT.quote(amount, ETH_TO_DENOM);
        try (EthereumUserChain user = world.ethUser(6)) {
            BigInteger escrowBefore = world.cosmosBalance("devnet-a", escrow("devnet-a", world.channel("devnet-a", "devnet-b")), "stake");
            BigInteger stakeBefore = world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a"));
            Swapper.Locked[] holder = new Swapper.Locked[1];
            JsonNode[] failedHolder = new JsonNode[1];
            withFailingHooksOnC(() -> {
                holder[0] = ethLock(user, amount, aliceOnC);
                failedHolder[0] = world.awaitState(holder[0].secret().hashlock(), "COUNTER_FAILED", Duration.ofSeconds(90));
                userRefundsAfterTSrc(user, holder[0], amount, 6);
            });
            Swapper.Locked locked = holder[0];
            JsonNode failed = failedHolder[0];
            assertThat(failed.get("swap").get("lastError").asText()).contains("error acknowledgement");
            assertThat(failed.toString()).contains("packet");
            assertThat(world.cosmosBalance("devnet-a", escrow("devnet-a", world.channel("devnet-a", "devnet-b")), "stake"))
                    .as("the escrow gave the funds back").isEqualTo(escrowBefore);
            BigInteger lost = stakeBefore.subtract(world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a")));
            assertThat(lost).as("the relayer got the " + expected + " back, paying only the transfer's fee").isPositive()
                    .isLessThan(BigInteger.valueOf(1_000_000));
            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
        }
    }

    @Test
    @Order(7) // last: devnet-b's clock stays ahead, and the relayer counts hop timeouts from its own clock
    void aTimeoutOnTheFirstHopFailsTheCounterLockAndNobodyLoses() throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.valueOf(25));
        try (EthereumUserChain user = world.ethUser(7)) {
            BigInteger stakeBefore = world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a"));
            pauseIbc();
            Swapper.Locked locked;
            try {
                locked = ethLock(user, amount, aliceOnC);
                awaitPacket(locked);
                // devnet-b's clock passes the first hop's timeout before the packet is relayed
                passFirstHopTimeout();
            } finally {
                resumeIbc();
            }
            JsonNode failed = world.awaitState(locked.secret().hashlock(), "COUNTER_FAILED", Duration.ofSeconds(90));
            assertThat(failed.get("swap").get("lastError").asText()).contains("timeout");
            BigInteger lost = stakeBefore.subtract(world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a")));
            assertThat(lost).as("the relayer's stake came back, less the transfer's fee").isPositive().isLessThan(BigInteger.valueOf(1_000_000));
            try (CosmosUserChain c = world.cosmosUser("devnet-c", "carol")) {
                assertThat(c.locksFor(aliceOnC, locked.secret().hashlock())).as("no HTLC reached devnet-c").isEmpty();
            }
            userRefundsAfterTSrc(user, locked, amount, 7);
        }
    }

    /** After T_src the source lock is refunded (by the user or by the relayer, which may also do it): the user paid only gas. */
    void userRefundsAfterTSrc(EthereumUserChain user, Swapper.Locked locked, BigInteger amount, int devIndex) throws Exception {
        String address = world.hardhat.devAddresses().get(devIndex);
        BigInteger before = world.ethBalance(address);
        world.hardhat.increaseTime(locked.sourceTimelock() - user.htlc().latestBlockTime() + 2);
        world.hardhat.mine(1);
        try {
            swapper.refund(user, locked.sourceLock().htlcId());
        } catch (RuntimeException e) {
            // the relayer refunded it first (it does so for COUNTER_FAILED swaps): the chain says which below
        }
        world.awaitState(locked.secret().hashlock(), "EXPIRED", Duration.ofSeconds(60));
        assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
        BigInteger back = world.ethBalance(address).subtract(before);
        assertThat(back).as("the locked amount came back to the user, less at most one refund's gas")
                .isLessThanOrEqualTo(amount).isGreaterThan(amount.subtract(ETHER.divide(BigInteger.valueOf(1000))));
    }

    /** Waits until the relayer recorded the counter-lock transfer's packet (the transfer is included on devnet-a). */
    void awaitPacket(Swapper.Locked locked) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var s = world.swap(locked.secret().hashlock());
            if (s.isPresent() && !s.get().get("swap").path("counterPacket").isMissingNode() && !s.get().get("swap").path("counterPacket").isNull()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the relayer never recorded a counter-lock packet; relayer output:\n" + SwapWorld.tail(world.relayerOutput()));
    }

    /** Waits until the relayer's follower of {@code chain} processed a block above {@code height} (its cursor metric). */
    void awaitFollowed(String chain, long height) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "(?m)^evmore_chain_cursor_height\\{chain=\"" + java.util.regex.Pattern.quote(chain) + "\"\\} ([0-9.E]+)$");
        while (System.nanoTime() < deadline) {
            var m = line.matcher(world.relayer().get("/metrics", null).body());
            if (m.find() && Double.parseDouble(m.group(1)) > height) return;
            Thread.sleep(200);
        }
        throw new AssertionError("the relayer did not follow " + chain + " past " + height);
    }

    long relayerNonce() {
        return Long.decode(world.hardhat.rpc("eth_getTransactionCount", world.relayerEthAddress(), "latest").asText());
    }
}
