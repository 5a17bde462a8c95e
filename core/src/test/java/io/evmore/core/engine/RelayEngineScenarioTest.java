package io.evmore.core.engine;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.DEVNET_RELAYER;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static io.evmore.core.engine.sim.SimWorld.ETH_NATIVE;
import static io.evmore.core.engine.sim.SimWorld.ETH_RELAYER;
import static io.evmore.core.engine.sim.SimWorld.RELAYER_FUNDS;
import static io.evmore.core.engine.sim.SimWorld.UATOM;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.engine.sim.FakeHtlcChain;
import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol, one readable story per case, on the simulated chains with no random faults. */
class RelayEngineScenarioTest {
    private static final BigInteger AMOUNT = BigInteger.valueOf(10_000);
    private SimWorld world;
    private SimWorld.User user;

    @BeforeEach
    void start() {
        world = new SimWorld(42);
        world.restart();
    }

    // ---- happy paths ------------------------------------------------------------------------------------------------

    @Test
    void ethereumToDevnetA() {
        userLocksOnEthereum();
        relayerCounterLocks();
        assertThat(user.counterLock().orElseThrow().amount()).isEqualTo(9_970); // 10 000 - ceil(30 bps)
        userClaimsOnDevnetA();
        relayerClaimsSource();
        assertThat(world.eth.balance(ETH_NATIVE)).isEqualTo(RELAYER_FUNDS.add(AMOUNT));
        assertThat(world.devnet.balance(UATOM)).isEqualTo(RELAYER_FUNDS.subtract(BigInteger.valueOf(9_970)));
        assertThat(world.devnet.balanceOf(user.destAddress, UATOM)).isEqualTo(9_970);
    }

    @Test
    void devnetAToEthereum() {
        userLocksOnDevnetA();
        relayerCounterLocks();
        assertThat(user.counterLock().orElseThrow().amount()).isEqualTo(9_950); // 50 bps
        userClaimsOnEthereum();
        relayerClaimsSource();
        assertThat(world.devnet.balance(UATOM)).isEqualTo(RELAYER_FUNDS.add(AMOUNT));
        assertThat(world.eth.balanceOf(user.destAddress, ETH_NATIVE)).isEqualTo(9_950);
    }

    // ---- the user never claims --------------------------------------------------------------------------------------

    @Test
    void userNeverClaimsSoTheRelayerRefundsAfterTDst() {
        userLocksOnEthereum();
        relayerCounterLocks();
        long tDst = user.counterLock().orElseThrow().timelock();
        timePassesUntil(tDst - SimWorld.BLOCK_SECONDS);
        assertThat(user.counterLock().orElseThrow().status()).isEqualTo(HtlcRecord.Status.OPEN); // never before T_dst
        timePassesUntil(tDst + 3 * SimWorld.BLOCK_SECONDS);
        assertThat(user.counterLock().orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
        assertThat(swap().state()).isEqualTo(SwapState.REFUNDED);
        assertThat(world.devnet.balance(UATOM)).isEqualTo(RELAYER_FUNDS);
        // The user takes the source back after T_src; the swap records it.
        timePassesUntil(user.sourceTimelock);
        user.refund();
        world.ticks(2);
        assertThat(swap().state()).isEqualTo(SwapState.EXPIRED);
    }

    // ---- refusals -----------------------------------------------------------------------------------------------

    @Test
    void aReusedHashlockIsRejectedWithItsReason() {
        userLocksOnEthereum();
        relayerCounterLocks();
        SimWorld.User copycat = world.userReusing(user, AMOUNT, world.now() + 1_200);
        copycat.lock();
        world.ticks(6);
        Swap rejected = copycat.swap().orElseThrow();
        assertThat(rejected.state()).isEqualTo(SwapState.REJECTED);
        assertThat(rejected.lastError()).contains("hashlock").contains("already used");
        assertThat(world.devnet.relayerReceipts()).hasSize(1); // only the first user's counter-lock
        assertThat(swap().state()).isEqualTo(SwapState.COUNTER_LOCKED);
    }

    // ---- crashes and lost answers -------------------------------------------------------------------------------

    @Test
    void crashAfterTheJournalBeforeTheBroadcastThenRestartLocksExactlyOnce() {
        userLocksOnEthereum();
        world.devnet.faults().crashAfterJournal = 1; // the process dies with the signed counter-lock journaled
        awaitSwap(SwapState.COUNTER_PENDING);
        world.devnet.faults().crashAfterJournal = 0;
        assertThat(world.restarts()).isPositive();
        assertThat(world.devnet.relayerReceipts()).isEmpty(); // never broadcast
        TxIntent journaled = world.memory.allIntents().getLast();
        assertThat(journaled.mayHaveBeenBroadcast()).isTrue();
        relayerCounterLocks();
        assertThat(world.devnet.relayerReceipts()).singleElement()
                .satisfies(r -> assertThat(r.tx().hash()).isEqualTo(journaled.hashes().getFirst()));
        userClaimsOnDevnetA();
        relayerClaimsSource();
        assertThat(world.devnet.relayerReceipts()).hasSize(1);
    }

    @Test
    void aLostAnswerIsReconciledWithTheChainAndNeverSentTwice() {
        userLocksOnEthereum();
        world.devnet.faults().lostAnswer = 1; // the counter-lock lands but the call throws
        awaitSwap(SwapState.COUNTER_PENDING);
        world.devnet.faults().lostAnswer = 0;
        assertThat(world.devnet.relayerReceipts()).hasSize(1);
        relayerCounterLocks();
        assertThat(world.devnet.relayerReceipts()).hasSize(1);
        assertThat(swap().destHtlcId()).isEqualTo(user.counterLock().orElseThrow().id());
        userClaimsOnDevnetA();
        world.eth.faults().lostAnswer = 1; // the source claim too
        relayerClaimsSource();
        assertThat(world.eth.relayerReceipts()).hasSize(1);
    }

    @Test
    void aSourceClaimThatRevertedTwiceIsSentAgainOnceItsBackoffIsOver() {
        userLocksOnDevnetA();
        relayerCounterLocks();
        world.devnet.faults().revert = 1; // included but out of gas, again and again
        userClaimsOnEthereum();
        world.tick();
        world.devnet.faults().revert = 0;
        awaitSwap(SwapState.COMPLETED);
        var claims = world.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.CLAIM).toList();
        assertThat(claims.stream().filter(r -> !r.success()).count()).isGreaterThanOrEqualTo(2);
        assertThat(claims.getLast().success()).isTrue();
        assertThat(claims.stream().filter(FakeHtlcChain.Receipt::success).count()).isEqualTo(1);
    }

    // ---- pause ------------------------------------------------------------------------------------------------------

    @Test
    void pauseStopsNewCounterLocksButNotTheClaimOfALockedSwap() {
        userLocksOnEthereum();
        relayerCounterLocks();
        SimWorld.User first = user;
        world.pause();
        userLocksOnDevnetA();
        world.ticks(10);
        assertThat(swap().state()).isEqualTo(SwapState.CONFIRMED);
        assertThat(user.counterLock()).isEmpty();
        SimWorld.User second = user;
        user = first;
        userClaimsOnDevnetA();
        relayerClaimsSource(); // protective work goes on while paused
        user = second;
        world.resume();
        relayerCounterLocks();
    }

    // ---- reorg ---------------------------------------------------------------------------------------------------------

    @Test
    void aReorgOfADetectedSwapDeletesItAndNothingIsLocked() {
        userLocksOnEthereum();
        world.tick(); // mined and followed: 1 of 3 confirmations
        Swap detected = swap();
        assertThat(detected.state()).isEqualTo(SwapState.DETECTED);
        List<FakeHtlcChain.Htlc> gone = world.eth.reorg(1); // drops the lock's block: the swap had 1 of 3 confirmations
        assertThat(gone).extracting(FakeHtlcChain.Htlc::hashlock).containsExactly(user.hashlock);
        world.ticks(10);
        assertThat(world.memory.find(detected.id())).isEmpty();
        assertThat(world.devnet.relayerReceipts()).isEmpty();
        assertThat(world.eth.balanceOf(user.sourceAddress, ETH_NATIVE)).isEqualTo(AMOUNT.multiply(BigInteger.TWO));
    }

    // ---- the protocol's steps -----------------------------------------------------------------------------------------

    private void userLocksOnEthereum() {
        user = world.user(ETH, AMOUNT, world.now() + 1_200);
        user.lock();
    }

    private void userLocksOnDevnetA() {
        user = world.user(DEVNET, AMOUNT, world.now() + 1_200);
        user.lock();
    }

    private void relayerCounterLocks() {
        awaitSwap(SwapState.COUNTER_LOCKED);
        FakeHtlcChain.Htlc lock = user.counterLock().orElseThrow();
        assertThat(lock.sender()).isEqualTo(user.to.equals(DEVNET) ? DEVNET_RELAYER : ETH_RELAYER);
        assertThat(lock.hashlock()).isEqualTo(user.hashlock);
        assertThat(lock.timelock()).isEqualTo(user.sourceTimelock - SimWorld.TIMELOCKS.gap(user.from, user.to));
        assertThat(swap().destHtlcId()).isEqualTo(lock.id());
    }

    private void userClaimsOnDevnetA() {
        assertThat(user.to).isEqualTo(DEVNET);
        user.claim();
        world.tick();
    }

    private void userClaimsOnEthereum() {
        assertThat(user.to).isEqualTo(ETH);
        user.claim();
        world.tick();
    }

    private void relayerClaimsSource() {
        awaitSwap(SwapState.COMPLETED);
        assertThat(user.sourceLock().orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(world.chain(user.from).relayerReceipts()).filteredOn(r -> r.tx().kind() == FakeHtlcChain.Kind.CLAIM)
                .filteredOn(r -> r.hashlock().equals(user.hashlock)).hasSize(1);
    }

    private Swap swap() {
        return user.swap().orElseThrow(() -> new AssertionError("no swap for the user's lock"));
    }

    private void awaitSwap(SwapState state) {
        await(() -> user.swap().map(Swap::state).orElse(null) == state, "swap " + state);
    }

    private void timePassesUntil(long epochSeconds) {
        while (world.now() < epochSeconds) world.tick();
    }

    private void await(Supplier<Boolean> condition, String what) {
        for (int i = 0; i < 100; i++) {
            if (condition.get()) return;
            world.tick();
        }
        throw new AssertionError("timed out waiting for " + what + "; swap: " + user.swap() + ", "
                + world.memory.allIntents());
    }
}
