package io.evmore.core.engine.sim;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.engine.EngineSettings;
import io.evmore.core.engine.RelayEngine;
import io.evmore.core.policy.Confirmations;
import io.evmore.core.policy.Pair;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.TimelockPolicy;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.testing.InMemorySwapStore;
import io.evmore.core.testing.ManualClock;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * The simulated world the engine runs in: an EVM-like chain ({@code eip155:31337}, native ETH) and a Cosmos-like one
 * ({@code devnet-a}, uatom), each with its follower; one store (through which the process may crash); one clock; and
 * the engine, which is thrown away and rebuilt on the same store and chains after every simulated crash.
 *
 * <p>Timing: a block every {@link #BLOCK_SECONDS} on each chain; confirmations 3 (EVM; 5 from 80 000 wei) and 2
 * (devnet-a); F = confirmations × block time, P = 10, G = 30 (EVM) and 60 (devnet-a, whose stuck transactions must
 * first pass their {@code timeout_height}, {@link #COSMOS_TIMEOUT_BLOCKS} blocks), M = 60, W_user = 300 seconds. The
 * engine asks for secrets every {@link #SECRET_WATCH}, warns {@link #AT_RISK_LEAD} before a claim deadline and replaces
 * a pending transaction after {@link #FEE_ESCALATION}.
 *
 * <p>The relayer process can be down ({@link #down()}/{@link #up()}): nothing of it runs meanwhile (no follower, no
 * engine) while the chains and the users go on.
 */
public final class SimWorld {
    public static final ChainId ETH = ChainId.of("eip155:31337");
    public static final ChainId DEVNET = ChainId.of("devnet-a");
    /** Reached over IBC from devnet-a (two hops): the relayer's counter-lock there is a transfer from devnet-a. */
    public static final ChainId FINAL = ChainId.of("devnet-c");
    public static final String FINAL_RELAYER = "cosmos1" + "f".repeat(38);
    public static final String FINAL_HTLC = "cosmos1" + "e".repeat(58);
    public static final String ETH_NATIVE = "0x0000000000000000000000000000000000000000";
    public static final String UATOM = "uatom";
    public static final String ETH_RELAYER = "0x00000000000000000000000000000000000000aa";
    public static final String DEVNET_RELAYER = "cosmos1" + "r".repeat(38);
    public static final String ETH_HTLC = "0x000000000000000000000000000000000000c0de";
    public static final String DEVNET_HTLC = "cosmos1" + "c".repeat(58);
    public static final BigInteger RELAYER_FUNDS = BigInteger.valueOf(250_000);
    public static final int BLOCK_SECONDS = 5;
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    public static final int COSMOS_TIMEOUT_BLOCKS = 3;
    public static final Duration SECRET_WATCH = Duration.ofSeconds(15);
    public static final Duration AT_RISK_LEAD = Duration.ofSeconds(60);
    public static final Duration FEE_ESCALATION = Duration.ofSeconds(10);
    /** Held strongly: JUL forgets the level of a logger nobody references. Thousands of simulated swaps stay quiet. */
    private static final java.util.logging.Logger ENGINE_LOG = java.util.logging.Logger.getLogger("io.evmore.core.engine");

    static {
        ENGINE_LOG.setLevel(java.util.logging.Level.OFF);
    }

    public final ManualClock clock = new ManualClock(START);
    /**
     * How far the relayer process's own clock is behind the chains' (negative: ahead); read on every call, so a test can
     * step it like NTP does, or start a standby on a host whose clock differs.
     */
    public volatile Duration engineClockBehind = Duration.ZERO;
    public final Random random;
    public final InMemorySwapStore memory = new InMemorySwapStore();
    public final CrashingStore store;
    public final FakeHtlcChain eth;
    public final FakeHtlcChain devnet;
    public final FakeHtlcChain fin;
    public final FakeRoute route;
    public final FakeFollower ethFollower;
    public final FakeFollower devnetFollower;
    public final FakeFollower finFollower;
    public final EngineSettings settings;
    public RelayEngine engine;
    /** What the engine reports (a test may record it); set before {@link #restart()}. */
    public RelayMetrics metrics = RelayMetrics.NONE;
    private boolean paused;
    private boolean up = true;
    private int restarts;
    private long userCounter;
    /** Every swap the engine reported AT RISK, with the first time it did (epoch seconds). */
    public final Map<String, Long> everAtRisk = new java.util.HashMap<>();
    /** When the relayer first knew each swap's secret (epoch seconds). */
    public final Map<String, Long> secretKnownAt = new java.util.HashMap<>();
    /** Periods the relayer process was down: [from, to) epoch seconds. */
    public final List<long[]> downtimes = new java.util.ArrayList<>();
    private long downSince;
    /** The lease: its epoch (every start of an engine takes it anew) and until when the leader cannot prove it. */
    private int epoch;
    private long unprovenUntil = Long.MIN_VALUE;
    /** A deposed leader still running until {@link #deposedUntil}, and the bytes it froze before sending. */
    private RelayEngine deposed;
    private long deposedUntil;
    private Runnable lateSend;
    private long lateSendAt;
    private boolean deposedActing;
    public int depositions;
    public int unprovenPeriods;
    public int lateSends;
    /** Store transactions the fence refused, and sends the lease guard refused. */
    public int fenceRefusals;
    public int guardRefusals;

    public SimWorld(long seed) {
        this.random = new Random(seed);
        this.store = new CrashingStore(memory, random);
        this.eth = FakeHtlcChain.evm(ETH, ETH_RELAYER, ETH_HTLC, clock, random, new FakeHtlcChain.Faults(), 3);
        this.devnet = FakeHtlcChain.cosmos(DEVNET, DEVNET_RELAYER, DEVNET_HTLC, clock, random, new FakeHtlcChain.Faults(),
                COSMOS_TIMEOUT_BLOCKS);
        this.fin = FakeHtlcChain.cosmos(FINAL, FINAL_RELAYER, FINAL_HTLC, clock, random, new FakeHtlcChain.Faults(),
                COSMOS_TIMEOUT_BLOCKS);
        this.route = new FakeRoute(devnet, fin, UATOM, random);
        for (FakeHtlcChain c : List.of(eth, devnet, fin)) c.deposedActing(() -> deposedActing);
        eth.fund(ETH_RELAYER, ETH_NATIVE, RELAYER_FUNDS);
        devnet.fund(DEVNET_RELAYER, UATOM, RELAYER_FUNDS);
        this.ethFollower = new FakeFollower(eth, store, random);
        this.devnetFollower = new FakeFollower(devnet, store, random);
        this.finFollower = new FakeFollower(fin, store, random);
        this.settings = new EngineSettings(validator(), Duration.ofSeconds(BLOCK_SECONDS), Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(2), 3, SECRET_WATCH, AT_RISK_LEAD, FEE_ESCALATION);
    }

    public static final TimelockPolicy TIMELOCKS = new TimelockPolicy(Map.of(
            ETH, new TimelockPolicy.ChainTiming(3 * BLOCK_SECONDS, 30),
            DEVNET, new TimelockPolicy.ChainTiming(2 * BLOCK_SECONDS, 60),
            FINAL, new TimelockPolicy.ChainTiming(2 * BLOCK_SECONDS, 60)), 10, 60, 300, Map.of(FINAL, FakeRoute.H));

    public static final Pair ETH_TO_DEVNET = new Pair(ETH, ETH_NATIVE, DEVNET, UATOM, BigDecimal.ONE, 30,
            BigInteger.valueOf(1_000), BigInteger.valueOf(100_000));
    public static final Pair DEVNET_TO_ETH = new Pair(DEVNET, UATOM, ETH, ETH_NATIVE, BigDecimal.ONE, 50,
            BigInteger.valueOf(1_000), BigInteger.valueOf(100_000));
    public static final Pair ETH_TO_FINAL = new Pair(ETH, ETH_NATIVE, FINAL, FakeRoute.VOUCHER, BigDecimal.ONE, 30,
            BigInteger.valueOf(1_000), BigInteger.valueOf(100_000));
    public static final Pair FINAL_TO_ETH = new Pair(FINAL, FakeRoute.VOUCHER, ETH, ETH_NATIVE, BigDecimal.ONE, 50,
            BigInteger.valueOf(1_000), BigInteger.valueOf(100_000));

    public static SwapValidator validator() {
        Pattern evmAddress = Pattern.compile("0x[0-9a-fA-F]{40}");
        Pattern cosmosAddress = Pattern.compile("cosmos1[0-9a-z]{38}");
        return new SwapValidator(List.of(ETH_TO_DEVNET, DEVNET_TO_ETH, ETH_TO_FINAL, FINAL_TO_ETH), TIMELOCKS,
                new Confirmations(Map.of(
                        ETH, new Confirmations.Rule(3, List.of(new Confirmations.Tier(ETH_NATIVE, BigInteger.valueOf(80_000), 5))),
                        DEVNET, new Confirmations.Rule(2, List.of()),
                        FINAL, new Confirmations.Rule(2, List.of()))),
                Map.of(ETH, s -> evmAddress.matcher(s).matches(), DEVNET, s -> cosmosAddress.matcher(s).matches(),
                        FINAL, s -> cosmosAddress.matcher(s).matches()));
    }

    // ---- the relayer process --------------------------------------------------------------------------------------

    /**
     * A fresh engine on the same store and chains, recovered (again, if it crashes while recovering). Each start takes
     * the lease anew (issue 18): a new epoch, a store fenced by it ({@link FencedStore}) and a lease guard that refuses
     * once another term began or while the lease cannot be proven ({@link #unproven}).
     */
    public void restart() {
        while (true) {
            int term = ++epoch;
            engine = new RelayEngine(() -> clock.now().minus(engineClockBehind), metrics, new FencedStore(store, term, () -> epoch, () -> fenceRefusals++),
                    Map.of(ETH, eth, DEVNET, devnet, FINAL, fin), List.of(route), settings, Runnable::run);
            engine.leaseGuard(() -> {
                if (epoch != term) {
                    guardRefusals++;
                    throw new io.evmore.core.error.LeaseLostException("deposed: the lease's epoch is " + epoch + ", not " + term);
                }
                if (now() < unprovenUntil) {
                    guardRefusals++;
                    throw new io.evmore.core.error.LeaseLostException("lease (epoch " + term + ") not renewed in time");
                }
            });
            if (paused) engine.pause("operator (still paused after the restart)");
            try {
                engine.recover();
                return;
            } catch (SimulatedCrash crash) {
                restarts++;
            }
        }
    }

    public int restarts() {
        return restarts;
    }

    /** Runs {@code work}; if the process "dies" in it, starts a new engine; if it freezes, another one takes over. */
    public boolean safely(Runnable work) {
        try {
            work.run();
            return true;
        } catch (SimulatedFreeze freeze) {
            depose(freeze.lateBroadcast);
            return false;
        } catch (SimulatedCrash crash) {
            restarts++;
            restart();
            return false;
        }
    }

    public void pause() {
        paused = true;
        engine.pause("operator");
    }

    public boolean isPaused() {
        return paused;
    }

    public void resume() {
        paused = false;
        engine.resume("operator");
    }

    public void follow() {
        if (!up) return;
        safely(() -> ethFollower.poll(engine.listener(ETH), 50));
        safely(() -> devnetFollower.poll(engine.listener(DEVNET), 50));
        safely(() -> finFollower.poll(engine.listener(FINAL), 50));
    }

    // ---- replicas: the lease, a takeover, a deposed leader that keeps running ----------------------------------------

    /**
     * Another process takes the lease from the running one (the leader froze, or lost its database session), and the
     * old one goes on running for a while as a deposed leader that keeps trying to send ({@link #runDeposed}). A freeze
     * right before a broadcast ({@link SimulatedFreeze}) hands over the bytes the old leader will still send on waking.
     */
    public void depose(Runnable lateBroadcast) {
        deposed = engine;
        deposedUntil = now() + 10 + 5L * random.nextInt(120);
        lateSend = lateBroadcast;
        lateSendAt = now() + 5L * (1 + random.nextInt(Math.max(1, (int) (deposedUntil - now()) / 5)));
        depositions++;
        restart(); // the standby's term: a new epoch, recovered from the store
    }

    /**
     * The deposed engine's turn: it wakes, sends the bytes it held when it froze (if any, once their time comes), and runs
     * a whole round as if it still led. Everything it writes is refused by the fence and everything it newly signs by
     * the guard; it dies at the end of its time or at its first crash.
     */
    private void runDeposed() {
        if (deposed == null) return;
        if (now() >= deposedUntil) {
            deposed = null;
            return;
        }
        deposedActing = true;
        try {
            if (lateSend != null && now() >= lateSendAt) {
                Runnable send = lateSend;
                lateSend = null;
                lateSends++;
                send.run();
            }
            deposed.runOnce();
        } catch (SimulatedCrash crash) {
            deposed = null; // the deposed process died: nothing of it runs any more
        } catch (RuntimeException refused) {
            // the fence or the guard said no, again
        } finally {
            deposedActing = false;
        }
    }

    /** For the next {@code seconds} the leader cannot prove its lease (renewals slow): its guard refuses every send. */
    public void unproven(long seconds) {
        unprovenUntil = now() + seconds;
        unprovenPeriods++;
    }

    public boolean hasDeposedLeader() {
        return deposed != null;
    }

    public void runEngine() {
        if (!up) return;
        runDeposed();
        safely(() -> engine.runOnce());
        for (var r : engine.atRisk()) everAtRisk.putIfAbsent(r.swapId(), now());
        for (Swap s : memory.all()) if (s.secret() != null) secretKnownAt.putIfAbsent(s.id(), now());
    }

    /** The relayer process goes away (a crash, a machine lost): nothing of it runs until {@link #up()}. */
    public void down() {
        if (!up) return;
        up = false;
        downSince = now();
    }

    /** The relayer process starts again on the same store: a fresh engine, recovered. */
    public void up() {
        if (up) return;
        up = true;
        downtimes.add(new long[] {downSince, now()});
        restart();
    }

    public boolean isUp() {
        return up;
    }

    /** Whether the relayer was down at any moment of [from, to] (epoch seconds). */
    public boolean wasDownDuring(long from, long to) {
        for (long[] d : downtimes) if (d[0] <= to && d[1] >= from) return true;
        return !up && downSince <= to;
    }

    /** One block time passes: both chains mine, the followers deliver, the engine runs. */
    public void tick() {
        clock.advance(Duration.ofSeconds(BLOCK_SECONDS));
        mineAll();
        follow();
        runEngine();
    }

    /** One block on every chain, and the IBC relayers' work between devnet-a and devnet-c. */
    public void mineAll() {
        route.relay();
        eth.mine();
        devnet.mine();
        fin.mine();
    }

    public void ticks(int n) {
        for (int i = 0; i < n; i++) tick();
    }

    public long now() {
        return clock.nowEpochSeconds();
    }

    public FakeHtlcChain chain(ChainId id) {
        return id.equals(ETH) ? eth : id.equals(FINAL) ? fin : devnet;
    }

    public List<FakeHtlcChain> chains() {
        return List.of(eth, devnet, fin);
    }

    public static ChainId other(ChainId id) {
        return id.equals(ETH) ? DEVNET : ETH;
    }

    /** The relayer's funds on each chain at the start (devnet-c: none; what arrives there comes over the route). */
    public static BigInteger funds(ChainId id) {
        return id.equals(FINAL) ? BigInteger.ZERO : RELAYER_FUNDS;
    }

    public static String asset(ChainId id) {
        return id.equals(ETH) ? ETH_NATIVE : id.equals(FINAL) ? FakeRoute.VOUCHER : UATOM;
    }

    public static String relayer(ChainId id) {
        return id.equals(ETH) ? ETH_RELAYER : id.equals(FINAL) ? FINAL_RELAYER : DEVNET_RELAYER;
    }

    /** Who creates the relayer's counter-locks on {@code id}: the relayer itself, or the route's hooks intermediary. */
    public static String counterLockSender(ChainId id) {
        return id.equals(FINAL) ? FakeRoute.HOOKS_CREATOR : relayer(id);
    }

    // ---- users -------------------------------------------------------------------------------------------------------

    /** A user's address on {@code chain}, well-formed, made from the seeded Random. */
    public String newAddress(ChainId chain) {
        userCounter++;
        if (chain.equals(ETH)) return String.format("0x%040x", new BigInteger(64, random).add(BigInteger.valueOf(userCounter << 8)));
        StringBuilder b = new StringBuilder("cosmos1");
        String alphabet = "023456789acdefghjklmnpqrstuvwxyz";
        for (int i = 0; i < 38; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return b.toString();
    }

    public Secret newSecret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Secret.of(b);
    }

    /** A user's side of one swap: who, where, what, and the source lock once it landed. */
    public final class User {
        public final ChainId from;
        public final ChainId to;
        public final String sourceAddress;
        public final String destAddress;
        public final Secret secret;
        public final Hashlock hashlock;
        public final BigInteger amount;
        public final long sourceTimelock;
        private String lockTx;

        User(ChainId from, String destAddress, Secret secret, Hashlock hashlock, BigInteger amount, long sourceTimelock) {
            this(from, other(from), destAddress, secret, hashlock, amount, sourceTimelock);
        }

        User(ChainId from, ChainId to, String destAddress, Secret secret, Hashlock hashlock, BigInteger amount, long sourceTimelock) {
            this.from = from;
            this.to = to;
            this.sourceAddress = newAddress(from);
            this.destAddress = destAddress;
            this.secret = secret;
            this.hashlock = hashlock;
            this.amount = amount;
            this.sourceTimelock = sourceTimelock;
            chain(from).fund(sourceAddress, asset(from), amount.multiply(BigInteger.TWO));
        }

        /** Submits the source lock (mined with the next block). */
        public void lock() {
            FakeHtlcChain src = chain(from);
            src.userLock(sourceAddress, new LockRequest(relayer(from), asset(from), amount, hashlock, sourceTimelock,
                    to.value(), destAddress));
            // The user's lock is the last user transaction submitted: find it by content once mined.
            lockTx = "pending";
        }

        /** The user's source lock id, once it is on the canonical chain. */
        public Optional<String> sourceLockId() {
            return chain(from).htlcs().stream()
                    .filter(h -> h.sender().equals(sourceAddress) && h.hashlock().equals(hashlock))
                    .map(FakeHtlcChain.Htlc::id).findFirst();
        }

        public Optional<FakeHtlcChain.Htlc> sourceLock() {
            return sourceLockId().flatMap(id -> chain(from).htlc(id));
        }

        /** The relayer's counter-lock for this user, if any. */
        public Optional<FakeHtlcChain.Htlc> counterLock() {
            return chain(to).htlcs().stream()
                    .filter(h -> h.sender().equals(counterLockSender(to)) && h.receiver().equals(destAddress)
                            && h.hashlock().equals(hashlock))
                    .findFirst();
        }

        public Optional<Swap> swap() {
            return sourceLockId().flatMap(id -> memory.find(Swap.idFor(from, id)));
        }

        public void claim() {
            FakeHtlcChain.Htlc lock = counterLock().orElseThrow(() -> new AssertionError("no counter-lock to claim"));
            chain(to).userClaim(destAddress, lock.id(), secret);
        }

        public void refund() {
            chain(from).userRefund(sourceAddress, sourceLockId().orElseThrow());
        }

        public boolean locked() {
            return lockTx != null;
        }
    }

    /** A user swapping from {@code from} to {@code to} (one of them devnet-c: over the route). */
    public User user(ChainId from, ChainId to, BigInteger amount, long sourceTimelock) {
        Secret s = newSecret();
        return new User(from, to, newAddress(to), s, s.hashlock(), amount, sourceTimelock);
    }

    public User user(ChainId from, BigInteger amount, long sourceTimelock) {
        Secret s = newSecret();
        return new User(from, newAddress(other(from)), s, s.hashlock(), amount, sourceTimelock);
    }

    /** A user who (knowingly or not) reuses another swap's hashlock. */
    public User userReusing(User earlier, BigInteger amount, long sourceTimelock) {
        return new User(earlier.from, earlier.to, newAddress(earlier.to), earlier.secret, earlier.hashlock, amount, sourceTimelock);
    }
}
