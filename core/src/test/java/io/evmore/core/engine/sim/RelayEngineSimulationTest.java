package io.evmore.core.engine.sim;

import static io.evmore.core.engine.sim.SimWorld.DEVNET;
import static io.evmore.core.engine.sim.SimWorld.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random schedules of the whole relay engine on simulated chains: several swaps in both directions, users who
 * claim at random times or never and refund after T_src, hashlock reuse, bad receivers and amounts, operator pauses,
 * the relayer process dying at random points (inside store transactions, before signing, after the journal, after the
 * broadcast) and restarting on the same store, lost answers, delayed inclusion, and reorgs of source locks before they
 * are confirmed. Restarts are immediate and delays bounded (≤ 3 blocks), so no outage exceeds the safety margin: a swap
 * may then never end CLAIM_MISSED.
 *
 * <p>After each schedule, once time has run past every timelock:
 * (a) no funds lost: every counter-lock the user claimed is matched by the relayer's claim of the source lock, and the
 * relayer's balances changed by exactly Σ over completed swaps of (source amount − counter-lock amount) ≥ 0;
 * (b) at most one landed transaction per action per swap; (c) every swap terminal and no relayer lock left open;
 * (d) no counter-lock for a source lock a reorg removed; (e) every counter-lock respects the timelock rule.
 *
 * <p>{@code -Dsim.seed=S -Dsim.schedules=1} replays one schedule.
 */
class RelayEngineSimulationTest {
    private static final int SCHEDULES = Integer.getInteger("sim.schedules", 1000);
    private static final long FIRST_SEED = Long.getLong("sim.seed", 20_260_101L);

    private final Map<String, Integer> totals = new HashMap<>();
    private final Map<SwapState, Integer> outcomes = new EnumMap<>(SwapState.class);

    @Test
    void randomSchedulesNeverLoseTheRelayersFundsNorSendTwice() {
        long started = System.nanoTime();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < SCHEDULES; i++) {
            long seed = FIRST_SEED + i;
            try {
                runSchedule(seed);
            } catch (Throwable e) {
                throw new AssertionError("schedule with seed " + seed + " failed (replay: -Dsim.seed=" + seed
                        + " -Dsim.schedules=1): " + e.getMessage(), e);
            }
        }
        System.out.printf("relay engine simulation: %d schedules from seed %d in %.1f s (%.1f s CPU); outcomes %s; faults %s%n",
                SCHEDULES, FIRST_SEED, (System.nanoTime() - started) / 1e9,
                (threads.getCurrentThreadCpuTime() - cpuStarted) / 1e9, outcomes, totals);
        if (SCHEDULES >= 200) {
            // The generator really exercises what it claims to.
            assertThat(outcomes).containsKeys(SwapState.COMPLETED, SwapState.REFUNDED, SwapState.REJECTED, SwapState.EXPIRED);
            assertThat(totals).allSatisfy((k, v) -> assertThat(v).as(k).isPositive());
        }
    }

    /** A user's plan in one schedule. */
    private static final class Plan {
        SimWorld.User user;
        long lockAt;
        Long claimAt; // null: never claims
        Long refundAt; // null: never refunds
        boolean locked;
        boolean claimed;
        boolean refunded;
    }

    private void runSchedule(long seed) {
        SimWorld w = new SimWorld(seed);
        Random r = w.random;
        for (FakeHtlcChain c : List.of(w.eth, w.devnet)) {
            FakeHtlcChain.Faults f = c.faults();
            f.crashBeforeSign = r.nextInt(3) == 0 ? 0.05 : 0;
            f.crashAfterJournal = r.nextInt(3) == 0 ? 0.1 : 0;
            f.crashAfterBroadcast = r.nextInt(3) == 0 ? 0.1 : 0;
            f.lostAnswer = r.nextInt(2) == 0 ? 0.2 : 0;
            f.delay = r.nextInt(2) == 0 ? 0.25 : 0;
            f.revert = r.nextInt(3) == 0 ? 0.15 : 0;
            f.maxDelayBlocks = 3; // ≤ 15 s late: within G = 30 s
        }
        w.store.crashProbability(new double[] {0, 0, 1e-4, 3e-4}[r.nextInt(4)]);
        double reorgChance = r.nextBoolean() ? 0.05 : 0;
        long start = w.now();
        long pauseFrom = r.nextInt(4) == 0 ? start + 5L * r.nextInt(40) : Long.MAX_VALUE;
        long pauseUntil = pauseFrom == Long.MAX_VALUE ? Long.MAX_VALUE : pauseFrom + 5L * (1 + r.nextInt(60));

        List<Plan> plans = new ArrayList<>();
        int n = 2 + r.nextInt(5);
        long end = start;
        for (int i = 0; i < n; i++) {
            Plan p = new Plan();
            ChainId from = r.nextBoolean() ? ETH : DEVNET;
            p.lockAt = start + 5L * r.nextInt(60);
            long tSrc = p.lockAt + 300 + r.nextInt(1000);
            BigInteger amount = BigInteger.valueOf(500 + r.nextInt(110_000));
            if (!plans.isEmpty() && r.nextInt(10) == 0) {
                Plan earlier = plans.get(r.nextInt(plans.size()));
                p.user = w.userReusing(earlier.user, amount, tSrc);
            } else if (r.nextInt(20) == 0) {
                var secret = w.newSecret();
                p.user = w.new User(from, "not-an-address", secret, secret.hashlock(), amount, tSrc);
            } else {
                p.user = w.user(from, amount, tSrc);
            }
            p.claimAt = r.nextInt(5) == 0 ? null : p.lockAt + 20 + r.nextInt((int) (tSrc - p.lockAt));
            p.refundAt = r.nextInt(5) == 0 ? null : tSrc + r.nextInt(200);
            plans.add(p);
            end = Math.max(end, tSrc + 200); // users refund within 200 s of T_src
        }

        w.restart();
        while (true) {
            w.clock.advance(Duration.ofSeconds(SimWorld.BLOCK_SECONDS));
            long now = w.now();
            for (Plan p : plans) act(w, p, now);
            if (now == pauseFrom) w.pause();
            if (now == pauseUntil) w.resume();
            for (FakeHtlcChain c : List.of(w.eth, w.devnet)) {
                if (r.nextDouble() < reorgChance) {
                    int maxDepth = c == w.eth ? 2 : 1; // < confirmations (3 on eip155:31337, 2 on devnet-a)
                    c.reorg(1 + r.nextInt(maxDepth));
                }
            }
            w.eth.mine();
            w.devnet.mine();
            w.follow();
            w.runEngine();
            if (now > end && w.memory.all().stream().allMatch(s -> s.state().isTerminal())) break;
            assertThat(now).as("(c) every swap terminal once time ran out; still open: %s",
                    w.memory.all().stream().filter(s -> !s.state().isTerminal()).toList()).isLessThan(end + 3_600);
        }
        check(w, plans);
        count("restarts", w.restarts());
        count("store crashes", w.store.crashes());
        count("reorged locks", w.eth.reorgedLocks().size() + w.devnet.reorgedLocks().size());
        for (String line : List.of(w.eth.stats(), w.devnet.stats())) {
            count("lost answers", Integer.parseInt(line.replaceAll(".*lost answers (\\d+).*", "$1")));
            count("delays", Integer.parseInt(line.replaceAll(".*delayed (\\d+).*", "$1")));
            count("chain crashes", Integer.parseInt(line.replaceAll(".*crashes (\\d+).*", "$1")));
        }
        for (Swap s : w.memory.all()) outcomes.merge(s.state(), 1, Integer::sum);
    }

    private void count(String what, int n) {
        totals.merge(what, n, Integer::sum);
    }

    private static void act(SimWorld w, Plan p, long now) {
        SimWorld.User u = p.user;
        if (!p.locked && now >= p.lockAt) {
            u.lock();
            p.locked = true;
        }
        if (p.claimAt != null && !p.claimed && now >= p.claimAt) {
            Optional<FakeHtlcChain.Htlc> lock = u.counterLock();
            if (lock.isPresent() && lock.get().status() == HtlcRecord.Status.OPEN && now < lock.get().timelock()) {
                u.claim();
                p.claimed = true;
            }
        }
        if (p.refundAt != null && !p.refunded && now >= p.refundAt) {
            Optional<FakeHtlcChain.Htlc> source = u.sourceLock();
            if (source.isPresent() && source.get().status() == HtlcRecord.Status.OPEN) {
                u.refund();
                p.refunded = true;
            }
        }
    }

    private void check(SimWorld w, List<Plan> plans) {
        List<Swap> swaps = w.memory.all();
        for (Swap s : swaps) {
            if (s.state() != SwapState.CLAIM_MISSED) continue;
            List<String> trail = w.memory.inTransaction(tx -> tx.transitions(s.id())).stream()
                    .map(t -> t.at().getEpochSecond() - SimWorld.START.getEpochSecond() + "s " + t.to() + ": " + t.cause()).toList();
            throw new AssertionError("(a) CLAIM_MISSED without an outage beyond the margin: " + s + " T_src +"
                    + (s.sourceTimelock() - SimWorld.START.getEpochSecond()) + " T_dst +"
                    + (s.destTimelock() - SimWorld.START.getEpochSecond()) + "\n  " + String.join("\n  ", trail)
                    + "\n  intents " + w.memory.inTransaction(tx -> tx.intentsOf(s.id())));
        }
        assertThat(swaps).as("(c) every swap terminal").allMatch(s -> s.state().isTerminal());

        BigInteger expectedGain = BigInteger.ZERO;
        BigInteger actualGain = BigInteger.ZERO;
        for (FakeHtlcChain dst : List.of(w.eth, w.devnet)) {
            ChainId to = dst.chain();
            FakeHtlcChain src = w.chain(SimWorld.other(to));
            actualGain = actualGain.add(dst.balance(SimWorld.asset(to)).subtract(SimWorld.RELAYER_FUNDS));

            // (b) at most one landed transaction per action per swap; another one only after an included failure.
            Map<String, List<FakeHtlcChain.Receipt>> perAction = new HashMap<>();
            for (FakeHtlcChain.Receipt rc : dst.relayerReceipts()) {
                String key = rc.tx().kind() == FakeHtlcChain.Kind.LOCK ? "LOCK " + rc.hashlock() : rc.tx().kind() + " " + rc.htlcId();
                perAction.computeIfAbsent(key, k -> new ArrayList<>()).add(rc);
            }
            perAction.forEach((key, receipts) -> {
                assertThat(receipts.stream().filter(FakeHtlcChain.Receipt::success).count()).as("(b) %s on %s succeeded", key, to)
                        .isLessThanOrEqualTo(1);
                assertThat(receipts.subList(0, receipts.size() - 1)).as("(b) %s on %s sent again after it succeeded", key, to)
                        .noneMatch(FakeHtlcChain.Receipt::success);
                count("reverted sends", (int) receipts.stream().filter(x -> !x.success()).count());
            });

            for (FakeHtlcChain.Htlc lock : dst.htlcs()) {
                if (!lock.sender().equals(dst.relayerAddress())) continue;
                assertThat(lock.status()).as("(c) relayer lock %s left open", lock.id()).isNotEqualTo(HtlcRecord.Status.OPEN);
                Swap s = swaps.stream().filter(x -> x.toChain().equals(to) && lock.id().equals(x.destHtlcId())).findFirst()
                        .orElseThrow(() -> new AssertionError("relayer lock " + lock.id() + " on " + to + " belongs to no swap"));
                // (d) its source lock is on the canonical chain, made out to the relayer with the same hashlock.
                FakeHtlcChain.Htlc source = src.htlc(s.sourceHtlcId()).orElseThrow(() -> new AssertionError(
                        "(d) counter-lock " + lock.id() + " for source lock " + s.sourceHtlcId() + " that is not on " + src.chain()));
                assertThat(source.receiver()).isEqualTo(src.relayerAddress());
                assertThat(source.hashlock()).isEqualTo(lock.hashlock());
                assertThat(lock.amount()).isEqualTo(s.destAmount());
                assertThat(lock.amount()).isLessThanOrEqualTo(source.amount());
                assertThat(lock.receiver()).isEqualTo(s.receiver());
                // (e) T_dst ≤ T_src − (F_dst + P + G_src + M), and the user had W_user when the relayer signed.
                assertThat(lock.timelock()).as("(e) T_dst of %s", s.id())
                        .isLessThanOrEqualTo(source.timelock() - SimWorld.TIMELOCKS.gap(s.fromChain(), to));
                long signedAt = dst.relayerReceipts().stream().filter(rc -> lock.id().equals(rc.htlcId())
                        && rc.tx().kind() == FakeHtlcChain.Kind.LOCK).findFirst().orElseThrow().tx().signedAt();
                assertThat(lock.timelock() - signedAt).as("(e) user window of %s", s.id())
                        .isGreaterThanOrEqualTo(SimWorld.TIMELOCKS.userWindow());
                // (a) a counter-lock the user claimed is paid for by the source lock, claimed for the relayer.
                if (lock.status() == HtlcRecord.Status.CLAIMED) {
                    assertThat(source.status()).as("(a) source lock of %s", s.id()).isEqualTo(HtlcRecord.Status.CLAIMED);
                    assertThat(s.state()).as("(a) swap %s", s.id()).isEqualTo(SwapState.COMPLETED);
                }
            }
        }
        for (Swap s : swaps) {
            if (s.state() != SwapState.COMPLETED) continue;
            FakeHtlcChain.Htlc source = w.chain(s.fromChain()).htlc(s.sourceHtlcId()).orElseThrow();
            assertThat(source.status()).isEqualTo(HtlcRecord.Status.CLAIMED);
            FakeHtlcChain.Htlc counter = w.chain(s.toChain()).htlc(s.destHtlcId()).orElseThrow();
            assertThat(counter.status()).as("(a) completed swap %s: the user claimed", s.id()).isEqualTo(HtlcRecord.Status.CLAIMED);
            expectedGain = expectedGain.add(source.amount().subtract(counter.amount()));
        }
        assertThat(actualGain).as("(a) relayer balance change = Σ completed (source − counter-lock)").isEqualTo(expectedGain);
        assertThat(actualGain.signum()).isNotNegative();

        // (d) no swap survives for a source lock a reorg removed.
        for (FakeHtlcChain c : List.of(w.eth, w.devnet)) {
            for (FakeHtlcChain.Htlc gone : c.reorgedLocks()) {
                Optional<Swap> s = w.memory.find(Swap.idFor(c.chain(), gone.id()));
                assertThat(s.map(Swap::state).orElse(SwapState.REJECTED)).as("(d) swap of reorged lock %s", gone.id())
                        .isEqualTo(SwapState.REJECTED);
            }
        }
    }
}
