package io.evmore.core.engine.sim;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the ways the engine could lose a counter-lock quietly (issue 17), each told as a bad day in
 * production: a claim event that never arrives, a gas spike across a restart, a node that answers "not found", a clock
 * that runs ahead, a reorg after confirmation, a griefer copying a hashlock. Deterministic: the simulated chains of
 * {@link SimWorld} without random faults; each test injects exactly the fault it is about.
 */
class FundSafetyEngineTest {
    SimWorld w;
    final Map<String, Integer> atRisk = new ConcurrentHashMap<>();

    @BeforeEach
    void world() {
        w = new SimWorld(42);
        w.metrics = new RelayMetrics() {
            @Override public void swapFinished(String status, Duration duration) {}
            @Override public void queueSize(int size) {}
            @Override public void atRisk(String kind, int count) {
                atRisk.put(kind, count);
            }
        };
        w.restart();
    }

    // ---- 1. the secret, from wherever it shows up --------------------------------------------------------------------

    /** The follower never delivers the user's claim: the engine finds the secret by query and claims the source in time. */
    @Test
    void aClaimTheFollowerNeverSawStillGetsTheSourceClaimedBeforeTSrc() {
        w.devnetFollower.lose = e -> e instanceof ChainEvent.HtlcClaimed;
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        u.claim();
        runUntil(() -> state(u) == SwapState.COMPLETED, 10);

        assertThat(u.sourceLock().orElseThrow().status()).as("the user's source lock, claimed for the relayer")
                .isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(w.now()).isLessThan(u.sourceTimelock);
        assertThat(w.devnetFollower.dropped()).as("the claim event really was lost").isPositive();
        java.util.List<io.evmore.core.swap.SwapTransition> trail = w.memory.inTransaction(tx -> tx.transitions(u.swap().orElseThrow().id()));
        assertThat(trail.stream().anyMatch(t -> t.to() == SwapState.SECRET_REVEALED && t.cause().contains("by query"))).isTrue();
    }

    /** The user claims a look-alike HTLC (same hashlock, a third party's money) while the relayer's own lock stays open. */
    @Test
    void aSecretRevealedByALookAlikeClaimsTheSourceAndTheOwnLockIsRefundedAfterTDst() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        claimALookAlike(u);
        runUntil(() -> state(u) == SwapState.SOURCE_CLAIMED, 10);
        assertThat(u.sourceLock().orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(u.counterLock().orElseThrow().status()).as("the relayer's own lock is still the user's to claim")
                .isEqualTo(HtlcRecord.Status.OPEN);

        long tDst = u.swap().orElseThrow().destTimelock();
        runUntil(() -> state(u) == SwapState.COMPLETED, (int) ((tDst - w.now()) / SimWorld.BLOCK_SECONDS) + 10);
        assertThat(u.counterLock().orElseThrow().status()).as("refunded to the relayer after T_dst").isEqualTo(HtlcRecord.Status.REFUNDED);
    }

    /**
     * The same look-alike, but the source claim never gets in before T_src: the source claim is missed, yet nobody
     * claimed the relayer's own counter-lock, so nothing is lost — the relayer refunds that lock itself (REFUNDED, not
     * CLAIM_MISSED), loudly, and a known secret does not send the swap back to claiming a source it can no longer claim.
     */
    @Test
    void aSourceClaimMissedAfterALookAlikeRefundsTheOwnCounterLockAndNothingIsLost() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        BigInteger before = w.devnet.balanceOf(SimWorld.DEVNET_RELAYER, SimWorld.UATOM);
        w.eth.faults().revert = 1.0; // every relayer transaction on the source reverts
        claimALookAlike(u);
        runUntil(() -> state(u) != null && state(u).isTerminal(), (int) ((u.sourceTimelock - w.now()) / SimWorld.BLOCK_SECONDS) + 40);
        assertThat(state(u)).isEqualTo(SwapState.REFUNDED);
        assertThat(u.counterLock().orElseThrow().status()).as("the relayer's own lock, refunded to it").isEqualTo(HtlcRecord.Status.REFUNDED);
        assertThat(w.devnet.balanceOf(SimWorld.DEVNET_RELAYER, SimWorld.UATOM).subtract(before)).as("all of it came back")
                .isEqualTo(u.swap().orElseThrow().destAmount());
        java.util.List<io.evmore.core.swap.SwapTransition> trail = w.memory.inTransaction(tx -> tx.transitions(u.swap().orElseThrow().id()));
        assertThat(trail.stream().anyMatch(t -> t.to() == SwapState.DEST_REFUND_PENDING && t.cause().contains("SOURCE CLAIM MISSED, NOTHING LOST")))
                .as("said loudly, in the trail").isTrue();
        assertThat(trail.stream().noneMatch(t -> t.to() == SwapState.CLAIM_MISSED)).isTrue();
    }

    /**
     * As above, but the destination's clock runs behind: when the source claim is missed the relayer's own lock is not
     * yet past T_dst on its chain, and the user claims it while the relayer waits to refund it (its claim event missed:
     * the refund step finds it claimed). Then it is lost after all: CLAIM_MISSED, saying so — never a refund that waits
     * forever on a claimed lock, nor a swap sent back to claiming a source it can no longer claim.
     */
    @Test
    void anOwnCounterLockClaimedWhileItWaitsForItsRefundEndsClaimMissed() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        w.devnet.timeLag = 150; // devnet-a's blocks fall behind the wall clock (and Ethereum's)
        w.eth.faults().revert = 1.0;
        claimALookAlike(u);
        runUntil(() -> state(u) == SwapState.DEST_REFUND_PENDING, (int) ((u.sourceTimelock - w.now()) / SimWorld.BLOCK_SECONDS) + 40);
        Swap s = u.swap().orElseThrow();
        assertThat(w.devnet.timeAt(w.devnet.height())).as("the own lock is still claimable on its chain").isLessThan(s.destTimelock());
        w.devnetFollower.lose = e -> e instanceof ChainEvent.HtlcClaimed; // the refund step, not the event, meets the claim
        u.claim();
        runUntil(() -> state(u) == SwapState.CLAIM_MISSED, 20);
        assertThat(u.counterLock().orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(u.swap().orElseThrow().lastError()).contains("CLAIM MISSED").contains("claimed while it was being refunded");
    }

    /**
     * Over a route, the swap's recorded counter-lock is a look-alike some third party made through the same IBC hooks
     * (same terms, refundable to itself: a candidate its event put there first), while the user claims the relayer's
     * real one. When the source claim is then missed, the open look-alike must not pass for the relayer's own lock:
     * that would end the swap REFUNDED, "nothing lost", by refunding a third party — the loss is real: CLAIM_MISSED.
     */
    @Test
    void aSourceClaimMissedOverARouteIsNotCalledNothingLostBecauseOfAnOpenLookAlike() {
        SimWorld.User u = w.user(ETH, SimWorld.FINAL, BigInteger.valueOf(50_000), w.now() + 1_800);
        u.lock();
        Swap locked = runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 40);
        Swap s = u.swap().orElseThrow();
        String real = s.destHtlcId();
        String third = w.newAddress(SimWorld.FINAL);
        w.fin.ibcCreate(FakeRoute.HOOKS_CREATOR, new io.evmore.core.chain.LockRequest(s.receiver(), s.destAsset(), s.destAmount(),
                s.hashlock(), s.destTimelock(), "", ""), third);
        w.tick();
        String lookAlike = w.fin.htlcs().stream().filter(h -> h.hashlock().equals(u.hashlock) && !h.id().equals(real))
                .findFirst().orElseThrow().id();
        // the look-alike's event came first: it is what the swap holds as its counter-lock
        w.memory.inTransaction(tx -> tx.update(tx.find(s.id()).orElseThrow().withDestHtlcId(lookAlike, w.clock.now()), SwapState.COUNTER_LOCKED));
        w.eth.faults().revert = 1.0; // the source claim never gets in
        w.fin.userClaim(u.destAddress, real, u.secret); // the user takes the relayer's real counter-lock
        runUntil(() -> state(u) != null && state(u).isTerminal(), (int) ((u.sourceTimelock - w.now()) / SimWorld.BLOCK_SECONDS) + 60);
        assertThat(state(u)).isEqualTo(SwapState.CLAIM_MISSED);
        assertThat(w.fin.htlc(lookAlike).orElseThrow().status()).as("the third party's look-alike was not refunded by the relayer")
                .isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(locked).isNotNull();
    }

    // ---- 2. deadlines, escalation and alarms --------------------------------------------------------------------------

    /** A gas spike keeps the claim out of blocks and the relayer restarts: the persisted intent is replaced at higher fees. */
    @Test
    void aClaimStuckBehindAFeeSpikeAcrossARestartIsReplacedAtHigherFeesAndLands() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        w.eth.spike(5, w.now() + 400); // the user's claim (a user transaction) lands; the relayer's low bids do not
        u.claim();
        runUntil(() -> state(u) == SwapState.SOURCE_CLAIM_PENDING, 10);
        w.ticks(2);
        w.restart(); // the in-memory await and its escalation are gone
        runUntil(() -> state(u) == SwapState.COMPLETED, 60);

        assertThat(w.eth.stats()).as("the pending claim was replaced on its nonce").doesNotContain("replacements 0,");
        var landed = w.eth.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.CLAIM && r.success()).toList();
        assertThat(landed).hasSize(1);
        assertThat(landed.getFirst().tx().feeLevel()).as("it landed bidding above the spike").isGreaterThanOrEqualTo(5);
        assertThat(w.now()).isLessThan(u.sourceTimelock - SimWorld.TIMELOCKS.timing(ETH).claimInclusion());
    }

    /** A claim that cannot get in (the spike is above any bid) is AT RISK well before its deadline, loudly. */
    @Test
    void aClaimThatCannotGetInIsAtRiskBeforeItsDeadline() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        w.eth.spike(FakeHtlcChain.MAX_FEE_LEVEL + 1, u.sourceTimelock + 3_600);
        u.claim();
        Swap s = runUntil(() -> state(u) == SwapState.SOURCE_CLAIM_PENDING, 10);
        long deadline = s.sourceTimelock() - SimWorld.TIMELOCKS.timing(ETH).claimInclusion();
        // a control first: far from the deadline the stuck claim is not (yet) at risk
        assertThat(w.engine.atRisk()).isEmpty();
        runUntil(() -> !w.engine.atRisk().isEmpty(), (int) ((deadline - w.now()) / SimWorld.BLOCK_SECONDS) + 2);

        assertThat(w.now()).as("flagged before the deadline").isLessThan(deadline);
        assertThat(w.now()).as("…and within the lead").isGreaterThanOrEqualTo(deadline - SimWorld.AT_RISK_LEAD.toSeconds() - 10);
        var risk = w.engine.atRisk().getFirst();
        assertThat(risk.kind()).isEqualTo("claim_deadline");
        assertThat(risk.reason()).contains("not claimed").contains("claim deadline");
        assertThat(atRisk).containsEntry("claim_deadline", 1);
        assertThat(w.memory.find(s.id()).orElseThrow().lastError()).startsWith("AT RISK");
    }

    /**
     * A fee spike keeps a counter-lock on Ethereum out of blocks past its deadline; another swap's source claim, signed
     * next on the same account, waits behind its nonce. Without a cancel the lock stays pending at the level it had
     * reached (never pushed past its deadline) and the claim behind it cannot land before T_src: CLAIM_MISSED, a whole
     * counter-lock lost. The engine takes the late lock's nonce back (a transfer of nothing to itself, bid up to the
     * spike), the claim lands in time, and the late swap gives its counter-lock up without paying it.
     */
    @Test
    void aCounterLockStuckPastItsDeadlineIsCancelledSoTheClaimsBehindItsNonceLand() {
        SimWorld.User claimer = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 1_500);
        claimer.lock();
        runUntil(() -> state(claimer) == SwapState.COUNTER_LOCKED, 20);
        w.eth.spike(FakeHtlcChain.MAX_FEE_LEVEL, claimer.sourceTimelock + 3_600);
        // a swap into Ethereum whose counter-lock deadline (T_dst − W_user) is less than a minute after it is sent
        SimWorld.User late = w.user(DEVNET, BigInteger.valueOf(40_000), w.now() + 445 + 45);
        late.lock();
        Swap pending = runUntil(() -> state(late) == SwapState.COUNTER_PENDING
                && w.memory.allIntents().stream().anyMatch(i -> i.swapId().equals(late.swap().orElseThrow().id()) && i.mayHaveBeenBroadcast()), 20);
        long lockDeadline = pending.destTimelock() - SimWorld.TIMELOCKS.userWindow();
        assertThat(lockDeadline - w.now()).as("the late lock's deadline is near").isBetween(5L, 60L);
        claimer.claim(); // the secret: the relayer's source claim on Ethereum is signed behind the late lock's nonce
        runUntil(() -> state(claimer) == SwapState.SOURCE_CLAIM_PENDING, 10);
        runUntil(() -> w.now() > lockDeadline, 20);
        assertThat(w.eth.relayerReceipts()).as("a control: the spike kept the late lock and the claim out up to the deadline")
                .noneMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK || r.tx().kind() == FakeHtlcChain.Kind.CLAIM);

        runUntil(() -> state(claimer) == SwapState.COMPLETED || state(claimer) == SwapState.CLAIM_MISSED,
                (int) ((claimer.sourceTimelock - w.now()) / SimWorld.BLOCK_SECONDS) + 20);
        assertThat(state(claimer)).as("the claim behind the late lock's nonce landed before T_src").isEqualTo(SwapState.COMPLETED);
        assertThat(w.eth.relayerReceipts()).as("the late lock's nonce went to a cancel")
                .anyMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.CANCEL)
                .noneMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK);
        assertThat(late.counterLock()).as("the late counter-lock was never paid").isEmpty();
        runUntil(() -> state(late) == SwapState.COUNTER_FAILED || state(late) == SwapState.EXPIRED, 10);
        assertThat(late.swap().orElseThrow().lastError()).contains("too little time");
    }

    /** "Not found" from a lagging node and a wall clock past T_src do not make a claim MISSED while the chain says it is not. */
    @Test
    void claimMissedIsDecidedOnlyByTheSourceChainsConfirmedTimeNeverByNotFoundOrTheWallClock() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        w.eth.timeLag = 0;
        w.eth.failNext = FakeHtlcChain.Kind.CLAIM; // the first claim is included but fails
        w.eth.hideReads = 3;                       // and the next reads of the source lock come from a node that lacks it
        u.claim();
        runUntil(() -> state(u) == SwapState.COMPLETED || state(u) == SwapState.CLAIM_MISSED, 30);
        assertThat(state(u)).isEqualTo(SwapState.COMPLETED);
    }

    @Test
    void aWallClockAheadOfTheSourceChainDoesNotMakeTheClaimMissed() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        Swap s = u.swap().orElseThrow();
        // Both chains' blocks fall behind the wall clock (slow block production): the wall clock passes T_src while the
        // chains' own clocks are still before T_dst, so the user can still claim and the relayer still claim after them.
        long behind = s.sourceTimelock() - w.now() + 60;
        w.eth.timeLag = behind;
        w.devnet.timeLag = behind;
        w.clock.advance(Duration.ofSeconds(s.sourceTimelock() - w.now() + 30));
        w.eth.failNext = FakeHtlcChain.Kind.CLAIM; // the relayer's first claim is included but fails
        u.claim();
        runUntil(() -> state(u) == SwapState.COMPLETED || state(u) == SwapState.CLAIM_MISSED, 20);
        assertThat(w.now()).as("the wall clock is past T_src").isGreaterThan(s.sourceTimelock());
        assertThat(state(u)).as("the source chain's own time decides, and it is before T_src").isEqualTo(SwapState.COMPLETED);
        assertThat(w.eth.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.CLAIM).count())
                .as("the failed claim, then the one that landed").isEqualTo(2);
    }

    // ---- 4. look again before paying ---------------------------------------------------------------------------------

    /** A confirmed lock that a reorg deeper than the confirmations removes is never paid for. */
    @Test
    void aSourceLockReorgedAwayAfterConfirmationIsNeverCounterLocked() {
        w.pause(); // confirmations complete, the counter-lock waits: the window a deep reorg can hit
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        runUntil(() -> state(u) == SwapState.CONFIRMED, 20);
        w.ticks(2);
        String id = u.swap().orElseThrow().id();
        // the lock's block and the blocks after it, deeper than 3 confirmations, replaced by empty ones
        int depth = (int) (w.eth.height() - u.swap().orElseThrow().sourceHeight()) + 1;
        assertThat(depth).isGreaterThan(3);
        assertThat(w.eth.reorg(depth)).as("the reorg happened").isNotNull().isNotEmpty();
        w.resume();
        w.ticks(5);
        assertThat(u.counterLock()).as("no counter-lock for a lock that is gone").isEmpty();
        runUntil(() -> w.memory.find(id).orElseThrow().state() == SwapState.REJECTED, 200);
        assertThat(w.memory.find(id).orElseThrow().lastError()).contains("too little time");
        assertThat(w.devnet.relayerReceipts()).noneMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK);
    }

    /** A backlog confirmed during a long pause is re-checked against the timelock rule when intake resumes. */
    @Test
    void aBacklogConfirmedDuringAPauseIsCheckedForTimeLeftBeforeItIsPaidFor() {
        w.pause();
        SimWorld.User early = w.user(ETH, BigInteger.valueOf(20_000), w.now() + 2_000);
        SimWorld.User late = w.user(ETH, BigInteger.valueOf(20_000), w.now() + 700);
        early.lock();
        late.lock();
        runUntil(() -> state(early) == SwapState.CONFIRMED && state(late) == SwapState.CONFIRMED, 20);
        // long enough for the late one's T_dst − W_user to pass, not the early one's
        w.ticks(60);
        w.resume();
        runUntil(() -> state(late) == SwapState.REJECTED && state(early) == SwapState.COUNTER_LOCKED, 10);
        assertThat(late.counterLock()).isEmpty();
        assertThat(late.swap().orElseThrow().lastError()).contains("too little time");
        assertThat(early.counterLock()).as("the control: intake really resumed").isPresent();
    }

    /**
     * At confirmation the engine reads the source lock from the chain and refuses a lock the chain does not hold as the
     * event told it: another receiver, hashlock, amount, timelock or asset, or a lock no longer open. The first case is
     * the control: the record as it is gets counter-locked.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({
            "as it is,",
            "receiver,is not the relayer",
            "hashlock,hashlock on chain differs",
            "amount,amount on chain differs",
            "timelock,timelock on chain differs",
            "asset,asset on chain differs",
            "claimed,not open"})
    void theConfirmTimeReadOfTheSourceLockRefusesWhatTheChainDoesNotHold(String field, String reason) {
        java.util.function.UnaryOperator<HtlcRecord> tamper = h -> switch (field) {
            case "receiver" -> copy(h, "0x00000000000000000000000000000000000000bb", h.hashlock(), h.amount(), h.timelock(), h.asset(), h.status());
            case "hashlock" -> copy(h, h.receiver(), w.newSecret().hashlock(), h.amount(), h.timelock(), h.asset(), h.status());
            case "amount" -> copy(h, h.receiver(), h.hashlock(), h.amount().add(BigInteger.ONE), h.timelock(), h.asset(), h.status());
            case "timelock" -> copy(h, h.receiver(), h.hashlock(), h.amount(), h.timelock() + 1, h.asset(), h.status());
            case "asset" -> copy(h, h.receiver(), h.hashlock(), h.amount(), h.timelock(), "0x00000000000000000000000000000000000000ee", h.status());
            case "claimed" -> copy(h, h.receiver(), h.hashlock(), h.amount(), h.timelock(), h.asset(), HtlcRecord.Status.CLAIMED);
            default -> h;
        };
        w.engine = new io.evmore.core.engine.RelayEngine(w.clock, w.metrics, w.store,
                Map.of(ETH, new TamperedReads(w.eth, tamper), DEVNET, w.devnet, SimWorld.FINAL, w.fin), java.util.List.of(w.route),
                w.settings, Runnable::run);
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        u.lock();
        if (reason == null) {
            runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
            return;
        }
        runUntil(() -> state(u) == SwapState.REJECTED, 20);
        assertThat(u.swap().orElseThrow().lastError()).contains(reason);
        assertThat(w.devnet.relayerReceipts()).as("nothing paid").isEmpty();
    }

    private static HtlcRecord copy(HtlcRecord h, String receiver, io.evmore.core.swap.Hashlock hashlock, BigInteger amount,
            long timelock, String asset, HtlcRecord.Status status) {
        return new HtlcRecord(h.chain(), h.id(), h.sender(), receiver, asset, amount, hashlock, timelock, h.targetChain(),
                h.targetAddress(), status, h.refundAddress());
    }

    /** A chain whose {@code query} answers a changed record (what the chain holds differs from what the event said). */
    private record TamperedReads(FakeHtlcChain fake, java.util.function.UnaryOperator<HtlcRecord> tamper)
            implements io.evmore.core.chain.HtlcChain {
        @Override public io.evmore.core.chain.ChainId chain() { return fake.chain(); }
        @Override public String relayerAddress() { return fake.relayerAddress(); }
        @Override public String contract() { return fake.contract(); }
        @Override public io.evmore.core.chain.TxResult lock(io.evmore.core.chain.LockRequest r, io.evmore.core.chain.TxJournal j) { return fake.lock(r, j); }
        @Override public io.evmore.core.chain.TxResult claim(String id, io.evmore.core.swap.Secret s, io.evmore.core.chain.TxJournal j) { return fake.claim(id, s, j); }
        @Override public io.evmore.core.chain.TxResult refund(String id, io.evmore.core.chain.TxJournal j) { return fake.refund(id, j); }
        @Override public io.evmore.core.chain.Reconciliation reconcile(io.evmore.core.swap.TxIntent i) { return fake.reconcile(i); }
        @Override public java.util.Optional<HtlcRecord> query(String id) { return fake.query(id).map(tamper); }
        @Override public java.util.Optional<HtlcRecord> queryConfirmed(String id, long c) { return fake.queryConfirmed(id, c); }
        @Override public BigInteger balance(String asset) { return fake.balance(asset); }
        @Override public long latestBlockTime() { return fake.latestBlockTime(); }
    }

    // ---- 5. no griefing through hashlocks ----------------------------------------------------------------------------

    /** Someone copies a pending lock's hashlock into a bad lock that is rejected at once: the good lock is still served. */
    @Test
    void aRejectedLockWithACopiedHashlockDoesNotGetTheGoodLockRejected() {
        SimWorld.User victim = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        SimWorld.User griefer = w.new User(ETH, "not-an-address", victim.secret, victim.hashlock, BigInteger.valueOf(5_000),
                w.now() + 900);
        griefer.lock();
        w.tick();
        assertThat(state(griefer)).isEqualTo(SwapState.REJECTED);
        victim.lock();
        runUntil(() -> state(victim) == SwapState.COUNTER_LOCKED, 20);
        victim.claim();
        runUntil(() -> state(victim) == SwapState.COMPLETED, 10);
    }

    /** A second good-looking lock with a hashlock another swap holds is refused; the holder is served. */
    @Test
    void aHashlockHeldByASwapWithALiveCounterLockIsNotTakenTwice() {
        SimWorld.User first = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        first.lock();
        runUntil(() -> state(first) == SwapState.COUNTER_LOCKED, 20);
        SimWorld.User copy = w.userReusing(first, BigInteger.valueOf(40_000), w.now() + 900);
        copy.lock();
        runUntil(() -> state(copy) == SwapState.REJECTED, 20);
        assertThat(copy.swap().orElseThrow().lastError()).contains("already used by another swap");
        assertThat(w.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK).count()).isEqualTo(1);
    }

    /**
     * A counter-lock reaches a mempool, but the answer is a refusal (a node behind says its sequence is wrong) and the
     * re-signed one is refused in simulation. The first may land: the intent is reconciled with the chain, never
     * closed as failed on that answer, which would have the next step pay a second counter-lock beside the first.
     */
    @Test
    void aCounterLockRefusedOnReSignAfterItsFirstBroadcastIsReconciledNotSentTwice() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        w.devnet.refuseResignAfterBroadcast = FakeHtlcChain.Kind.LOCK;
        u.lock();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        w.ticks(10); // time for a second counter-lock, had the first been taken for failed
        assertThat(w.devnet.refuseResignAfterBroadcast).as("the fault was injected").isNull();
        assertThat(w.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK).count())
                .as("one counter-lock on the destination").isEqualTo(1);
        u.claim();
        runUntil(() -> state(u) == SwapState.COMPLETED, 10);
    }

    /**
     * The relayer's clock runs two minutes ahead when its first counter-lock reverts, then NTP steps it back; the next
     * counter-lock lands, but its answer and its event are lost. Its intent was written "before" the failed one by the wall clock:
     * attempts are ordered by their number, so the open one is still the last and is reconciled, instead of a third
     * counter-lock being paid beside it. (A standby whose clock is behind the deposed leader's is the same case.)
     */
    @Test
    void aClockSteppedBackDoesNotHideAnOpenCounterLockAndPayASecond() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        w.engineClockBehind = Duration.ofMinutes(-2);
        w.devnet.failNext = FakeHtlcChain.Kind.LOCK;
        java.util.concurrent.atomic.AtomicInteger locks = new java.util.concurrent.atomic.AtomicInteger();
        w.devnet.beforeAnswer = kind -> {
            if (kind == FakeHtlcChain.Kind.LOCK && locks.incrementAndGet() == 1) {
                w.engineClockBehind = Duration.ZERO; // stepped back after the first attempt
                w.devnet.faults().lostAnswer = 1.0; // the next one lands, its answer is lost
                w.devnetFollower.lose = e -> e instanceof ChainEvent.HtlcLocked; // and its event too
            }
        };
        u.lock();
        runUntil(() -> w.devnet.relayerReceipts().stream().anyMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK && r.success()), 30);
        w.devnet.faults().lostAnswer = 0;
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 20);
        w.ticks(10); // time for another counter-lock, had the open one been missed
        assertThat(locks).as("the first reverted, the second was sent under the stepped-back clock").hasValueGreaterThanOrEqualTo(2);
        assertThat(w.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK && r.success()).count())
                .as("one counter-lock landed").isEqualTo(1);
        u.claim();
        runUntil(() -> state(u) == SwapState.COMPLETED, 10);
    }

    /**
     * A counter-lock lands, its answer is lost, and reconcile's evidence lies (an endpoint showed the chain without it):
     * the attempt is closed as never landed. Before paying again the engine searches the destination for a lock of its
     * own with the swap's hashlock and terms, finds the landed one and adopts it: one counter-lock, the swap completes.
     * While the destination cannot be searched, nothing is sent again.
     */
    @Test
    void aCounterLockThatReconcileWronglyCalledNeverLandedIsFoundAndAdoptedNotPaidTwice() {
        SimWorld.User u = w.user(ETH, BigInteger.valueOf(50_000), w.now() + 900);
        w.devnet.faults().lostAnswer = 1.0; // the lock lands, its answer is lost
        w.devnet.lieNeverLanded = FakeHtlcChain.Kind.LOCK;
        w.devnet.searchUnavailable = true;
        u.lock();
        runUntil(() -> w.devnet.relayerReceipts().stream().anyMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK), 30);
        w.devnet.faults().lostAnswer = 0;
        runUntil(() -> w.devnet.lieNeverLanded == null, 20); // reconcile told its lie: the attempt is closed as failed
        w.ticks(4);
        assertThat(state(u)).as("the retry waits while the destination cannot be searched").isEqualTo(SwapState.COUNTER_PENDING);
        assertThat(w.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK).count()).isEqualTo(1);
        w.devnet.searchUnavailable = false;
        Swap locked = runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 10);
        assertThat(u.swap().orElseThrow().destHtlcId()).isEqualTo(u.counterLock().orElseThrow().id());
        assertThat(u.swap().orElseThrow().lastError()).contains("adopted");
        w.ticks(5);
        assertThat(w.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.LOCK).count())
                .as("one counter-lock, never a second").isEqualTo(1);
        u.claim();
        runUntil(() -> state(u) == SwapState.COMPLETED, 10);
        assertThat(locked).isNotNull();
    }

    /**
     * The same over a route: the transfer lands on the home chain, its answer is lost and the relayer goes down; the
     * packet is delivered meanwhile (the HTLC created on the final chain, its event missed), and after the restart
     * reconcile wrongly calls the transfer never landed (on Cosmos that answer comes only after its timeout height, by
     * when a landed transfer is usually delivered). Before a second transfer the engine finds that HTLC (made by the
     * route's creator, refunding to the relayer, with the swap's terms) and adopts it.
     */
    @Test
    void aRouteTransferThatReconcileWronglyCalledNeverLandedIsFoundOnTheFinalChainNotSentTwice() {
        SimWorld.User u = w.user(ETH, SimWorld.FINAL, BigInteger.valueOf(50_000), w.now() + 3_600);
        w.devnet.faults().lostAnswer = 1.0; // the transfer lands, its answer is lost
        w.finFollower.lose = e -> e instanceof ChainEvent.HtlcLocked; // and the final chain's event of its HTLC is missed
        u.lock();
        runUntil(() -> w.devnet.relayerReceipts().stream().anyMatch(r -> r.tx().kind() == FakeHtlcChain.Kind.TRANSFER), 30);
        w.down();
        w.devnet.faults().lostAnswer = 0;
        runUntil(() -> w.fin.htlcs().stream().anyMatch(h -> h.hashlock().equals(u.hashlock)), 20);
        w.devnet.lieNeverLanded = FakeHtlcChain.Kind.TRANSFER;
        w.up();
        runUntil(() -> state(u) == SwapState.COUNTER_LOCKED, 40);
        assertThat(w.devnet.lieNeverLanded).as("reconcile told its lie").isNull();
        assertThat(u.swap().orElseThrow().lastError()).contains("adopted");
        w.ticks(5);
        assertThat(w.devnet.relayerReceipts().stream().filter(r -> r.tx().kind() == FakeHtlcChain.Kind.TRANSFER).count())
                .as("one transfer, never a second").isEqualTo(1);
        assertThat(w.fin.htlcs().stream().filter(h -> h.hashlock().equals(u.hashlock)).count()).isEqualTo(1);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** A third party locks on the destination with the user's hashlock; the user claims that look-alike, revealing the secret. */
    private void claimALookAlike(SimWorld.User u) {
        String third = w.newAddress(DEVNET);
        w.devnet.fund(third, SimWorld.UATOM, BigInteger.valueOf(1_000));
        w.devnet.userLock(third, new io.evmore.core.chain.LockRequest(u.destAddress, SimWorld.UATOM, BigInteger.valueOf(1_000),
                u.hashlock, w.now() + 600, "", ""));
        w.tick();
        String lookAlike = w.devnet.htlcs().stream().filter(h -> h.sender().equals(third)).findFirst().orElseThrow().id();
        w.devnet.userClaim(u.destAddress, lookAlike, u.secret);
    }

    private SwapState state(SimWorld.User u) {
        return u.swap().map(Swap::state).orElse(null);
    }

    private Swap runUntil(java.util.function.BooleanSupplier done, int maxTicks) {
        for (int i = 0; i < maxTicks && !done.getAsBoolean(); i++) w.tick();
        assertThat(done.getAsBoolean()).as("reached within %s blocks; swaps: %s", maxTicks, w.memory.all()).isTrue();
        return w.memory.all().isEmpty() ? null : w.memory.all().getLast();
    }
}
