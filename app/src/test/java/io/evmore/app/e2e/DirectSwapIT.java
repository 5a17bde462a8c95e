package io.evmore.app.e2e;

import static io.evmore.app.e2e.SwapWorld.DENOM_TO_ETH;
import static io.evmore.app.e2e.SwapWorld.ETH_TO_DENOM;
import static io.evmore.app.e2e.SwapWorld.FEE_BPS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.Swapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct swaps end to end: a real Hardhat node and the devnet, the relayer as a separate process, and the swapper
 * library as the user. Each swap checks every balance against the quote computed here, independently of the relayer.
 * With {@code -Dcosmos.chain=wasmd} the Cosmos chain is a real wasmd node running the project's compiled contract
 * (see {@link SwapWorld}); CI runs the first two swaps that way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectSwapIT {
    static final BigInteger ETHER = BigInteger.TEN.pow(18);
    static final Swapper.Terms ANY_REASONABLE = new Swapper.Terms(BigInteger.ONE, Duration.ofSeconds(30), Duration.ofSeconds(90));

    @TempDir
    static Path dir;
    static SwapWorld world;
    static final List<String> progress = new ArrayList<>();
    static final Swapper swapper = new Swapper(line -> {
        synchronized (progress) {
            progress.add(line);
        }
    });

    @BeforeAll
    static void start() throws Exception {
        world = SwapWorld.start(dir);
        world.startRelayer();
    }

    @AfterAll
    static void stop() {
        if (world != null) world.close();
    }

    /** What the relayer must lock: floor(amount × rate) minus ceil(0.3 %) of that. */
    static BigInteger quote(BigInteger amount, BigDecimal rate) {
        BigInteger gross = new BigDecimal(amount).multiply(rate).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        BigInteger fee = new BigDecimal(gross).multiply(BigDecimal.valueOf(FEE_BPS)).divide(BigDecimal.valueOf(10_000), 0, RoundingMode.CEILING)
                .toBigIntegerExact();
        return gross.subtract(fee);
    }

    @Test
    @Order(1)
    void ethereumToDevnetA() throws Exception {
        BigInteger amount = ETHER.divide(BigInteger.TEN); // 0.1 ETH
        BigInteger expected = quote(amount, ETH_TO_DENOM); // 9_970_000 stake
        String bob = world.cosmosAddress(world.chainA(), "bob");
        try (EthereumUserChain user = world.ethUser(1); CosmosUserChain claimer = world.cosmosUser(world.chainA(), "carol")) {
            BigInteger bobBefore = world.cosmosBalance(world.chainA(), bob);
            BigInteger relayerEthBefore = world.ethBalance(world.relayerEthAddress());
            BigInteger relayerStakeBefore = world.cosmosBalance(world.chainA(), world.relayerAddress(world.chainA()));
            BigInteger contractBefore = world.ethBalance(world.htlc);

            Swapper.Locked locked = userLocksOnEthereum(user, amount, ChainId.of(world.chainA()), bob, 300);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, bob, world.relayerAddress(world.chainA()), locked, ANY_REASONABLE);
            assertThat(counter.amount()).as("the relayer locks exactly the quote").isEqualTo(expected);
            assertThat(counter.asset()).isEqualTo("stake");
            assertThat(counter.timelock()).as("T_dst = T_src - (F_dst + P + G_src + M)")
                    .isEqualTo(locked.sourceTimelock() - (1 + SwapWorld.POLL + SwapWorld.ETH_CLAIM_INCLUSION + SwapWorld.MARGIN));
            JsonNode counterLocked = world.awaitState(locked.secret().hashlock(), "COUNTER_LOCKED", Duration.ofSeconds(30));
            assertThat(counterLocked.get("swap").get("destAmount").asText()).isEqualTo(expected.toString());

            swapper.claim(claimer, counter, locked); // carol pays the fee; bob receives
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));

            assertThat(world.cosmosBalance(world.chainA(), bob).subtract(bobBefore)).isEqualTo(expected);
            assertThat(world.ethBalance(world.htlc)).as("the source lock paid out").isEqualTo(contractBefore);
            HtlcRecord source = user.htlc().query(locked.sourceLock().htlcId()).orElseThrow();
            assertThat(source.status()).isEqualTo(HtlcRecord.Status.CLAIMED);
            BigInteger relayerEthGain = world.ethBalance(world.relayerEthAddress()).subtract(relayerEthBefore);
            assertThat(relayerEthGain).as("the relayer got the 0.1 ETH, less only its claim's gas")
                    .isLessThan(amount).isGreaterThan(amount.subtract(ETHER.divide(BigInteger.valueOf(1000))));
            BigInteger relayerStakeSpent = relayerStakeBefore.subtract(world.cosmosBalance(world.chainA(), world.relayerAddress(world.chainA())));
            assertThat(relayerStakeSpent).as("the relayer paid the quote plus its counter-lock's fee")
                    .isGreaterThan(expected).isLessThan(expected.add(BigInteger.valueOf(1_000_000)));
        }
    }

    @Test
    @Order(2)
    void devnetAToEthereum() throws Exception {
        BigInteger amount = BigInteger.valueOf(10_000_000); // 10 whole units
        BigInteger expected = quote(amount, DENOM_TO_ETH); // 0.0997 ETH
        String receiver = world.hardhat.devAddresses().get(2);
        try (CosmosUserChain user = world.cosmosUser(world.chainA(), "alice"); EthereumUserChain claimer = world.ethUser(3)) {
            BigInteger receiverBefore = world.ethBalance(receiver);
            BigInteger relayerStakeBefore = world.cosmosBalance(world.chainA(), world.relayerAddress(world.chainA()));
            long tSrc = user.htlc().latestBlockTime() + 300;
            Swapper.Locked locked = swapper.lock(user, world.relayerAddress(world.chainA()), "stake", amount, world.eth, receiver, tSrc);
            HtlcRecord counter = swapper.awaitCounterLock(claimer, receiver, world.relayerEthAddress(), locked, ANY_REASONABLE);
            assertThat(counter.amount()).isEqualTo(expected);
            assertThat(counter.asset()).isEqualTo(HtlcAbi.NATIVE);
            assertThat(counter.timelock()).isEqualTo(tSrc - (1L * SwapWorld.ETH_CONFIRMATIONS + SwapWorld.POLL
                    + SwapWorld.COSMOS_CLAIM_INCLUSION + SwapWorld.MARGIN));

            swapper.claim(claimer, counter, locked); // dev account 3 pays the gas; account 2 receives
            world.awaitState(locked.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));

            assertThat(world.ethBalance(receiver).subtract(receiverBefore)).isEqualTo(expected);
            BigInteger relayerStakeGain = world.cosmosBalance(world.chainA(), world.relayerAddress(world.chainA())).subtract(relayerStakeBefore);
            assertThat(relayerStakeGain).as("the relayer claimed the 10 units, less its claim's fee")
                    .isLessThan(amount).isGreaterThan(amount.subtract(BigInteger.valueOf(1_000_000)));
            assertThat(user.htlc().query(locked.sourceLock().htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        }
    }

    @Test
    @Order(3)
    void unsafeOrUnknownLocksAreRejectedWithTheReasonAndNothingIsSent() throws Exception {
        String bob = world.cosmosAddress(world.chainA(), "bob");
        try (EthereumUserChain user = world.ethUser(4); CosmosUserChain devnetA = world.cosmosUser(world.chainA(), "carol")) {
            BigInteger relayerStake = world.cosmosBalance(world.chainA(), world.relayerAddress(world.chainA()));

            // a control swap in the same window: the relayer is able to act, and does
            Swapper.Locked control = userLocksOnEthereum(user, ETHER.divide(BigInteger.valueOf(100)), ChainId.of(world.chainA()), bob, 300);

            Swapper.Locked tooShort = userLocksOnEthereum(user, ETHER.divide(BigInteger.TEN), ChainId.of(world.chainA()), bob, 100);
            Swapper.Locked tooMuch = userLocksOnEthereum(user, ETHER.multiply(BigInteger.valueOf(11)), ChainId.of(world.chainA()), bob, 300);
            Swapper.Locked tooLittle = userLocksOnEthereum(user, BigInteger.TEN.pow(14), ChainId.of(world.chainA()), bob, 300);
            Swapper.Locked noSuchChain = userLocksOnEthereum(user, ETHER.divide(BigInteger.TEN), ChainId.of("osmosis-1"), "osmo1xyz", 300);
            Swapper.Locked badReceiver = userLocksOnEthereum(user, ETHER.divide(BigInteger.TEN), ChainId.of(world.chainA()), "0xnot-a-cosmos-address", 300);
            // the same hashlock again (a reused secret is public once the first swap completes)
            long t = user.htlc().latestBlockTime() + 300;
            user.htlc().lock(new io.evmore.core.chain.LockRequest(world.relayerEthAddress(), HtlcAbi.NATIVE, ETHER.divide(BigInteger.TEN),
                    control.secret().hashlock(), t, world.chainA(), bob));

            assertRejected(tooShort, "too little time left");
            assertRejected(tooMuch, "outside the pair's limits");
            assertRejected(tooLittle, "outside the pair's limits");
            assertRejected(noSuchChain, "no pair configured");
            assertRejected(badReceiver, "is not a valid address on " + world.chainA());

            HtlcRecord counter = swapper.awaitCounterLock(devnetA, bob, world.relayerAddress(world.chainA()), control, ANY_REASONABLE);
            JsonNode controlSwap = world.awaitState(control.secret().hashlock(), "COUNTER_LOCKED", Duration.ofSeconds(30));
            assertThat(counter.id()).isEqualTo(controlSwap.get("swap").get("destHtlcId").asText());
            // the reused hashlock is a second source lock with the control's hashlock: rejected, never counter-locked
            assertThat(world.relayer().get("/admin/swaps/pending", SwapWorld.TOKEN).body())
                    .doesNotContain("\"state\":\"DETECTED\"").doesNotContain("\"state\":\"CONFIRMED\"");
            assertThat(devnetA.locksFor(bob, control.secret().hashlock())).as("exactly one counter-lock for the hashlock").hasSize(1);
            BigInteger spent = relayerStake.subtract(world.cosmosBalance(world.chainA(), world.relayerAddress(world.chainA())));
            assertThat(spent).as("only the control swap's counter-lock left the relayer")
                    .isGreaterThanOrEqualTo(counter.amount()).isLessThan(counter.amount().add(BigInteger.valueOf(1_000_000)));
            swapper.claim(devnetA, counter, control);
            world.awaitState(control.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));
        }
        String metrics = world.relayer().get("/metrics", null).body();
        assertThat(metrics).contains("evmore_relay_swaps_total{status=\"completed\"} 3.0")
                .contains("evmore_relay_swaps_total{status=\"rejected\"} 6.0")
                .contains("evmore_relay_duration_seconds_count 9");
    }

    @Test
    @Order(4)
    void aSecondRelayerOnTheSameDatabaseRefusesToRun() throws Exception {
        int port = io.evmore.app.testing.RelayerProcess.freePort();
        try (var second = world.startSecondRelayer(port)) {
            assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.output()).isEqualTo(1);
            assertThat(second.output()).contains("another relayer is already running on this database");
        }
        assertThat(world.relayer().get("/health", null).statusCode()).as("the first keeps running").isEqualTo(200);
    }

    @Test
    @Order(5)
    void locksOnALookAlikeContractOrOfAnUnpairedTokenOrBeyondInventoryAreRejected() throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        String otherHtlc = io.evmore.ethereum.HtlcDeployer.deploy(world.eth, world.hardhat.url(), world.hardhat.devPrivateKeys().get(9));
        try (io.evmore.ethereum.DevToken token = io.evmore.ethereum.DevToken.deploy(world.eth, world.hardhat.url(),
                world.hardhat.devPrivateKeys().get(9));
                EthereumUserChain user = world.ethUser(9); EthereumUserChain onOther = world.ethUser(9, otherHtlc)) {
            token.mint(List.of(world.hardhat.devAddresses().get(9)), ETHER.multiply(BigInteger.TEN));
            long tSrc = user.htlc().latestBlockTime() + 300;
            Swapper.Locked lookAlike = swapper.lock(onOther, world.relayerEthAddress(), HtlcAbi.NATIVE, ETHER.divide(BigInteger.TEN),
                    ChainId.of("devnet-a"), bob, tSrc);
            Swapper.Locked unpaired = swapper.lock(user, world.relayerEthAddress(), token.address(), ETHER, ChainId.of("devnet-a"), bob, tSrc);
            // devnet-b's pair pays 10^6 times more: 1 ETH asks for 10^14 uosmo, more than the relayer holds (10^12)
            Swapper.Locked beyond = swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, ETHER, ChainId.of("devnet-b"),
                    world.cosmosAddress("devnet-b", "bob"), tSrc);
            assertRejected(lookAlike, "not the relayer's HTLC contract " + world.htlc);
            assertRejected(unpaired, "no pair configured for " + token.address());
            assertRejected(beyond, "insufficient inventory");
        }
        // the inventory the relayer reports is the chain's
        JsonNode status = SwapWorld.JSON.readTree(world.relayer().get("/admin/services/status", SwapWorld.TOKEN).body());
        for (JsonNode i : status.get("inventory")) {
            if (i.get("chain").asText().equals("devnet-a")) {
                assertThat(new BigInteger(i.get("balance").asText()))
                        .isEqualTo(world.cosmosBalance("devnet-a", world.relayerAddress("devnet-a")));
                assertThat(i.get("address").asText()).isEqualTo(world.relayerAddress("devnet-a"));
            }
        }
    }

    @Test
    @Order(6)
    void aSourceLockRemovedByAReorgBeforeItIsConfirmedIsNeverCounterLocked() throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(4); CosmosUserChain devnetA = world.cosmosUser("devnet-a", "carol");
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            world.hardhat.setIntervalMining(0);
            world.hardhat.setAutomine(false);
            Swapper.Locked reorged;
            try {
                String snapshot = world.hardhat.snapshot();
                long tSrc = user.htlc().latestBlockTime() + 300;
                var pending = pool.submit(() -> swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE,
                        ETHER.divide(BigInteger.valueOf(20)), ChainId.of("devnet-a"), bob, tSrc));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (world.hardhat.rpc("eth_getBlockByNumber", "pending", false).get("transactions").isEmpty()) {
                    if (System.nanoTime() > deadline) throw new AssertionError("the user's lock never reached the mempool");
                    Thread.sleep(50);
                }
                world.hardhat.mine(1); // included: 1 of the 2 confirmations the relayer waits for
                reorged = pending.get(30, java.util.concurrent.TimeUnit.SECONDS);
                world.awaitState(reorged.secret().hashlock(), "DETECTED", Duration.ofSeconds(30));
                assertThat(world.hardhat.revert(snapshot)).isTrue(); // the lock's block leaves the chain
                world.hardhat.mine(3); // a longer canonical chain without it
            } finally {
                world.hardhat.setAutomine(true);
                world.hardhat.setIntervalMining(1000);
            }
            // control in the same window: a lock made now is counter-locked, so the relayer was able to act (a fresh
            // client: the reorg took the user's nonce back, and the first one's nonce manager remembers the lost one)
            Swapper.Locked control;
            try (EthereumUserChain again = world.ethUser(4)) {
                control = swapper.lock(again, world.relayerEthAddress(), HtlcAbi.NATIVE, ETHER.divide(BigInteger.valueOf(20)),
                        ChainId.of("devnet-a"), bob, again.htlc().latestBlockTime() + 300);
            }
            HtlcRecord counter = swapper.awaitCounterLock(devnetA, bob, world.relayerAddress("devnet-a"), control, ANY_REASONABLE);
            assertThat(world.swap(reorged.secret().hashlock())).as("the reorged swap is gone from the store").isEmpty();
            assertThat(devnetA.locksFor(bob, reorged.secret().hashlock())).as("never counter-locked").isEmpty();
            swapper.claim(devnetA, counter, control);
            world.awaitState(control.secret().hashlock(), "COMPLETED", Duration.ofSeconds(60));
        }
    }

    private static Swapper.Locked userLocksOnEthereum(EthereumUserChain user, BigInteger amount, ChainId to, String receiver,
            long seconds) {
        long tSrc = user.htlc().latestBlockTime() + seconds;
        return swapper.lock(user, world.relayerEthAddress(), HtlcAbi.NATIVE, amount, to, receiver, tSrc);
    }

    private static void assertRejected(Swapper.Locked locked, String reason) throws Exception {
        JsonNode s = world.awaitState(locked.secret().hashlock(), "REJECTED", Duration.ofSeconds(30));
        assertThat(s.get("swap").get("lastError").asText()).contains(reason);
        assertThat(s.get("swap").get("destHtlcId").isNull()).isTrue();
    }
}
