package io.evmore.core.engine;

import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.policy.Pair;
import io.evmore.core.port.Clock;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.port.SwapStore;
import io.evmore.core.port.SwapTracing;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The relay engine: takes the followers' events into the store, drives every pending swap one step at a time
 * ({@link SwapFlow}) and owns the intake gate operators control with pause/resume.
 *
 * <p>It touches the world only through its ports (chains, store, clock, the step executor), so a test can drive it
 * deterministically with simulated chains: {@link #recover()} then {@link #runOnce()} with a direct executor.
 * In the service, {@link #start()} recovers and then runs a scheduler thread that calls {@link #runOnce()} every
 * tick and whenever an event wakes it; steps run on virtual threads, never two at once for one swap.
 *
 * <p>Two kinds of work: <em>intake</em> (counter-locking for a new swap) and <em>protective</em> (claims and refunds
 * that secure funds already committed). Pausing stops intake only: stopping protective work while paused could let a
 * timelock pass and lose money. New locks are still recorded while paused, so nothing is lost.
 */
public final class RelayEngine {
    private static final System.Logger log = System.getLogger(RelayEngine.class.getName());

    public enum Intake { RUNNING, PAUSED, STOPPED }

    /** A snapshot for /admin/services/status and /health. */
    public record Status(Intake intake, Instant since, String reason, int queued, int inFlight, boolean protectiveWorkRunning,
            String note, boolean recovered, int undecidedAtStart) {}

    /** The relayer's holdings of one asset on one chain: balance on chain and what accepted swaps reserved of it. */
    public record Inventory(ChainId chain, String asset, String address, BigInteger balance, BigInteger reserved,
            BigInteger available, String error) {}

    /** The next time that matters for a swap, and what happens then. */
    public record Deadline(String what, long at) {}

    /**
     * A swap AT RISK: close to a loss, early enough for an operator to act. {@code kind} is a bounded label
     * ({@code claim_deadline}, {@code refund_overdue}); {@code secondsLeft} is the time to its deadline (negative: past).
     */
    public record AtRisk(String swapId, String kind, String reason, long secondsLeft, Instant since) {}

    private record Gate(Intake intake, Instant since, String reason) {}

    private final Clock clock;
    private final RelayMetrics metrics;
    private final Map<ChainId, HtlcChain> chains;
    /** Multi-hop destinations by final chain. */
    private final Map<ChainId, IbcCounterLock> routes;
    private final EngineSettings settings;
    private final SwapBook book;
    private final ChainHeights heights = new ChainHeights();
    private final SwapFlow flow;
    private final Executor steps;
    private final ExecutorService ownedSteps;
    private final AtomicReference<Gate> gate;
    private final Map<String, Instant> due = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** Swaps an event touched since their step last read them: a running step looks again when it ends. */
    private final Set<String> wokenWhileRunning = ConcurrentHashMap.newKeySet();
    /** DETECTED swaps waiting for confirmations: the followed height of their source chain that completes them. */
    private final Map<String, Depth> awaitingDepth = new ConcurrentHashMap<>();
    private record Depth(ChainId chain, long height) {}
    /** Set by {@link #start()}: an event starts its swap's step at once, without waiting for a scheduler pass. */
    private volatile boolean directWake;
    private final AtomicInteger queued = new AtomicInteger();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition woken = wakeLock.newCondition();
    private volatile boolean wakeRequested;
    private volatile boolean recovered;
    private volatile int undecidedAtStart;
    private volatile Thread scheduler;
    private final RiskWatch risks;
    /** The tracing port ({@link #tracing(SwapTracing)}); the chains' wrappers and the book read it. */
    private final AtomicReference<SwapTracing> tracing = new AtomicReference<>(SwapTracing.NONE);
    /** How often {@link #runOnce()} looks for swaps at risk. */
    static final Duration RISK_SCAN = Duration.ofSeconds(5);
    private volatile Instant nextRiskScan = Instant.MIN;

    /** The service's engine: steps on virtual threads. */
    public RelayEngine(Clock clock, RelayMetrics metrics, SwapStore store, Map<ChainId, HtlcChain> chains,
            EngineSettings settings) {
        this(clock, metrics, store, chains, settings, null);
    }

    /** @param stepExecutor runs steps; null = a virtual thread per step (a test passes {@code Runnable::run}) */
    public RelayEngine(Clock clock, RelayMetrics metrics, SwapStore store, Map<ChainId, HtlcChain> chains,
            EngineSettings settings, Executor stepExecutor) {
        this(clock, metrics, store, chains, List.of(), settings, stepExecutor);
    }

    /**
     * @param routes     destinations reached over IBC from a home chain (each final chain and its home chain must also
     *                   be in {@code chains}: claims, refunds and events happen there)
     * @param stepExecutor runs steps; null = a virtual thread per step
     */
    public RelayEngine(Clock clock, RelayMetrics metrics, SwapStore store, Map<ChainId, HtlcChain> chains,
            List<IbcCounterLock> routes, EngineSettings settings, Executor stepExecutor) {
        this.clock = clock;
        this.metrics = metrics;
        // every chain call of a step is reported to the tracing port (a pass-through while tracing is NONE)
        this.chains = TracedChains.wrap(Map.copyOf(chains), tracing::get);
        routes = TracedChains.wrap(routes, tracing::get);
        Map<ChainId, IbcCounterLock> byFinal = new LinkedHashMap<>();
        for (IbcCounterLock r : routes) {
            if (!this.chains.containsKey(r.homeChain()) || !this.chains.containsKey(r.finalChain())) {
                throw new IllegalArgumentException("IBC route " + r.homeChain() + " -> " + r.finalChain()
                        + " needs an adapter for both chains");
            }
            if (byFinal.put(r.finalChain(), r) != null) throw new IllegalArgumentException("two IBC routes to " + r.finalChain());
        }
        this.routes = Map.copyOf(byFinal);
        this.settings = settings;
        this.book = new SwapBook(store, clock, metrics, dest -> {
            IbcCounterLock r = this.routes.get(dest.chain());
            return r != null ? new SwapBook.Funds(r.homeChain(), r.homeAsset()) : dest;
        });
        this.gate = new AtomicReference<>(new Gate(Intake.RUNNING, clock.now(), "started"));
        if (stepExecutor == null) {
            this.ownedSteps = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("swap-step-", 0).factory());
            this.steps = ownedSteps;
        } else {
            this.ownedSteps = null;
            this.steps = stepExecutor;
        }
        // a step's independent reads run side by side on virtual threads in the service; where a test runs the steps
        // (its own executor) they run on the step's thread, one after another, as the test expects
        this.flow = new SwapFlow(this.chains, this.routes, book, clock, settings, heights, this::acceptsIntake,
                ownedSteps != null ? ownedSteps : Runnable::run);
        this.risks = new RiskWatch(this.chains, flow.deadlines(), book, clock, metrics, settings.atRiskLead());
        book.firstBroadcast = new Reactions(book, heights, settings, clock, metrics)::firstBroadcast;
    }

    /**
     * Installs the lease guard: asked after every signed transaction is journaled and before it is broadcast, so that a
     * process that lost the database lease sends nothing ({@link io.evmore.core.port.LeaseGuard#NONE} by default).
     */
    public void leaseGuard(io.evmore.core.port.LeaseGuard guard) {
        book.guard = guard == null ? io.evmore.core.port.LeaseGuard.NONE : guard;
    }

    /**
     * Installs the tracing port: a span per step of a swap and per chain call inside it, the swap's trace ended when it
     * finishes ({@link SwapTracing#NONE} by default).
     */
    public void tracing(SwapTracing tracing) {
        SwapTracing t = tracing == null ? SwapTracing.NONE : tracing;
        this.tracing.set(t);
        book.tracing = t;
    }

    /** Installs a test's crash points (see {@link FaultPoint}); production never calls this. */
    public void faultPoints(FaultPoint points) {
        book.faults = points == null ? FaultPoint.NONE : points;
    }

    /** The listener a chain's follower reports to. */
    public ChainEvents.Listener listener(ChainId chain) {
        HtlcChain adapter = chains.get(chain);
        if (adapter == null) throw new IllegalArgumentException("no chain adapter for " + chain);
        return new SwapEvents(adapter, routes.get(chain), book, settings.validator(), clock, heights, this::wake,
                this::heightReached);
    }

    // ---- start-up ------------------------------------------------------------------------------------------------

    /** Recovery (unless {@link #recover()} already ran), then the scheduler thread. */
    public void start() {
        if (!recovered) recover();
        wakeStepsAtOnce();
        Thread t = Thread.ofPlatform().daemon().name("relay-scheduler").unstarted(this::schedulerLoop);
        scheduler = t;
        t.start();
    }

    /** From now on an event starts its swap's step at once ({@link #wake}); {@link #start()} does this. */
    void wakeStepsAtOnce() {
        directWake = true;
    }

    /**
     * Before anything is sent: followed heights from the stored cursors, and every open intent reconciled with its
     * chain (a transaction that landed while the relayer was down is recorded; one that never landed is closed).
     */
    public void recover() {
        for (ChainId c : chains.keySet()) {
            book.store().cursor(c).ifPresent(cur -> heights.set(c, cur.height()));
        }
        int undecided = 0;
        for (ChainId c : chains.keySet()) {
            List<TxIntent> open = book.store().read(tx -> tx.openIntents(c));
            for (TxIntent i : open) {
                if (i.swapId() == null) continue;
                Optional<Swap> s = book.store().find(i.swapId());
                if (s.isEmpty()) continue;
                try {
                    if (!settle(s.get(), i)) undecided++;
                } catch (RuntimeException e) {
                    undecided++;
                    log.log(System.Logger.Level.WARNING, "recovery: could not reconcile " + i + ": " + e.getMessage());
                }
            }
        }
        undecidedAtStart = undecided;
        recovered = true;
        log.log(System.Logger.Level.INFO, "relay engine recovered: open intents reconciled"
                + (undecided > 0 ? ", " + undecided + " still undecided (checked again as they come due)" : ""));
    }

    private boolean settle(Swap s, TxIntent i) {
        if (!s.state().isTerminal()) return flow.settle(s, i);
        // The swap ended meanwhile (an event): only the intent's own record is left to close.
        if (!i.mayHaveBeenBroadcast()) {
            book.closeIntent(i, TxIntent.Status.FAILED, s, "never signed");
            return true;
        }
        Reconciliation r = flow.reconcile(s, i);
        if (r instanceof Reconciliation.Undecided) return false;
        book.store().run(tx -> tx.saveIntent(i.withStatus(r instanceof Reconciliation.Landed
                ? TxIntent.Status.CONFIRMED : TxIntent.Status.FAILED, clock.now())));
        return true;
    }

    // ---- scheduling -----------------------------------------------------------------------------------------------

    /**
     * Looks at every pending swap once and runs a step for each that is due and not already running; every
     * {@link #RISK_SCAN} it also looks for swaps at risk ({@link #atRisk()}).
     */
    public void runOnce() {
        Instant now = clock.now();
        List<Swap> pending = book.allPending();
        if (!now.isBefore(nextRiskScan)) {
            nextRiskScan = now.plus(RISK_SCAN);
            try {
                risks.scan(pending);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "relay engine: looking for swaps at risk failed: " + e.getMessage());
            }
        }
        for (Swap s : pending) {
            Instant at = due.get(s.id());
            if (at != null && at.isAfter(now)) continue;
            submit(s.id());
        }
    }

    /** Runs the swap's steps on the step executor unless they are running already (never two at once for a swap). */
    private void submit(String swapId) {
        if (!running.add(swapId)) return;
        queued.incrementAndGet();
        metrics.queueSize(queued.get());
        try {
            steps.execute(() -> runSteps(swapId));
        } catch (RuntimeException e) {
            queued.decrementAndGet();
            running.remove(swapId);
            throw e;
        }
    }

    /** Steps a swap while it has immediate work (bounded), then records when it is due next. */
    private void runSteps(String swapId) {
        metrics.queueSize(queued.decrementAndGet());
        try {
            for (int i = 0; i < 16; i++) {
                // an event from here on is either read below or wakes the swap again when this ends
                wokenWhileRunning.remove(swapId);
                Optional<Swap> s = book.store().find(swapId);
                if (s.isEmpty() || s.get().state().isTerminal()) {
                    due.remove(swapId);
                    awaitingDepth.remove(swapId);
                    flow.forget(swapId);
                    return;
                }
                SwapFlow.Next next;
                SwapTracing.Step span = book.tracing.step(s.get());
                try {
                    next = flow.step(s.get());
                } catch (RuntimeException e) {
                    span.failed(e);
                    log.log(System.Logger.Level.WARNING, "swap " + swapId + " (" + s.get().state() + "): step failed: " + e.getMessage());
                    book.note(s.get(), "step failed: " + e.getMessage());
                    next = new SwapFlow.Next(clock.now().plus(settings.retryDelay()));
                } finally {
                    span.close();
                }
                if (next.at() == null) {
                    due.remove(swapId);
                    awaitingDepth.remove(swapId);
                    return;
                }
                if (next.at().isAfter(clock.now())) {
                    due.put(swapId, next.at());
                    awaitDepth(s.get());
                    return;
                }
            }
            due.put(swapId, clock.now().plus(settings.tick()));
        } finally {
            running.remove(swapId);
            // an event that came while the step ran (its wake found the swap running): look again now, not when due
            if (wokenWhileRunning.remove(swapId)) {
                due.remove(swapId);
                if (directWake) submit(swapId);
                else signalScheduler();
            }
        }
    }

    /**
     * A DETECTED swap still short of its confirmations is woken by the block that completes them
     * ({@link #heightReached}), not left to its next due time.
     */
    private void awaitDepth(Swap s) {
        if (s.state() != SwapState.DETECTED || s.sourceHeight() <= 0) {
            awaitingDepth.remove(s.id());
            return;
        }
        long needed = s.sourceHeight() + settings.validator().requiredConfirmations(s.fromChain(), s.sourceAsset(), s.sourceAmount()) - 1;
        awaitingDepth.put(s.id(), new Depth(s.fromChain(), needed));
        // the block may have come after the step counted and before the line above: then look again when this ends
        if (heights.height(s.fromChain()) >= needed && awaitingDepth.remove(s.id()) != null) wokenWhileRunning.add(s.id());
    }

    /** {@code chain}'s follower reached {@code height}: the swaps whose confirmations that completes are due now. */
    void heightReached(ChainId chain, long height) {
        for (var e : awaitingDepth.entrySet()) {
            Depth d = e.getValue();
            if (d.chain().equals(chain) && d.height() <= height && awaitingDepth.remove(e.getKey(), d)) wake(e.getKey());
        }
    }

    /**
     * An event touched {@code swapId} (null: a new block, anything may be due): look again now. Once the engine runs
     * ({@link #start()}) the swap's step starts at once on the step executor, without waiting for a scheduler pass; a
     * swap whose step is running looks again as soon as that step ends.
     */
    void wake(String swapId) {
        if (swapId != null) {
            due.remove(swapId);
            if (directWake) {
                wokenWhileRunning.add(swapId);
                if (gate.get().intake() != Intake.STOPPED) submit(swapId);
            } else if (running.contains(swapId)) {
                wokenWhileRunning.add(swapId);
            }
        }
        signalScheduler();
    }

    private void signalScheduler() {
        wakeRequested = true;
        wakeLock.lock();
        try {
            woken.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    private void schedulerLoop() {
        while (gate.get().intake() != Intake.STOPPED) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "relay engine: scheduling pass failed: " + e.getMessage());
            }
            wakeLock.lock();
            try {
                if (!wakeRequested) woken.await(settings.tick().toMillis(), TimeUnit.MILLISECONDS);
                wakeRequested = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                wakeLock.unlock();
            }
        }
    }

    // ---- operator controls ---------------------------------------------------------------------------------------

    /** The swaps at risk as of the last scan (at most {@link #RISK_SCAN} old), oldest first. */
    public List<AtRisk> atRisk() {
        return risks.current().values().stream()
                .map(r -> new AtRisk(r.swapId(), r.kind().label(), r.reason(), r.secondsLeft(), r.since())).toList();
    }

    /** Why {@code swapId} is at risk, if it is (as of the last scan). */
    public Optional<AtRisk> atRisk(String swapId) {
        RiskWatch.Risk r = risks.current().get(swapId);
        return r == null ? Optional.empty()
                : Optional.of(new AtRisk(r.swapId(), r.kind().label(), r.reason(), r.secondsLeft(), r.since()));
    }

    /** Stops taking new swaps; protective work continues. Idempotent. */
    public Status pause(String reason) {
        gate.updateAndGet(s -> s.intake() == Intake.RUNNING ? new Gate(Intake.PAUSED, clock.now(), reason) : s);
        return status();
    }

    /** Takes new swaps again (unless the engine is stopping). Idempotent. */
    public Status resume(String reason) {
        gate.updateAndGet(s -> s.intake() == Intake.PAUSED ? new Gate(Intake.RUNNING, clock.now(), reason) : s);
        wake(null);
        return status();
    }

    public boolean acceptsIntake() {
        return gate.get().intake() == Intake.RUNNING;
    }

    public Status status() {
        Gate s = gate.get();
        String note = switch (s.intake()) {
            case RUNNING -> "taking new swaps; claims and refunds run as needed";
            case PAUSED -> "paused: no new swaps are taken; claims and refunds that protect funds keep running";
            case STOPPED -> "stopped: in-flight work finished or persisted for the next start";
        };
        return new Status(s.intake(), s.since(), s.reason(), queued.get(), running.size(), s.intake() != Intake.STOPPED,
                note, recovered, undecidedAtStart);
    }

    /** Whether the scheduler is alive (for /health). */
    public boolean schedulerAlive() {
        Thread t = scheduler;
        return t != null && t.isAlive();
    }

    /**
     * Stops intake and the scheduler, and waits up to {@code timeout} for running steps. A step cut short loses
     * nothing: its intent is in the store and the next start reconciles it.
     *
     * @return true if every step finished in time
     */
    public boolean stop(Duration timeout) {
        gate.set(new Gate(Intake.STOPPED, clock.now(), "shutdown"));
        Thread t = scheduler;
        if (t != null) t.interrupt();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (ownedSteps != null) ownedSteps.shutdownNow();
        return running.isEmpty();
    }

    // ---- views ----------------------------------------------------------------------------------------------------

    /** Balance, reservations and what is free, per chain and asset the pair table locks on that chain. */
    public List<Inventory> inventory() {
        Map<ChainId, Set<String>> assets = new LinkedHashMap<>();
        for (Pair p : settings.validator().pairs()) {
            SwapBook.Funds f = book.funding(p.toChain(), p.toAsset());
            if (chains.containsKey(f.chain())) assets.computeIfAbsent(f.chain(), c -> new LinkedHashSet<>()).add(f.asset());
            // a multi-hop destination too: refunds of the relayer's expired locks there come back in its denom
            if (chains.containsKey(p.toChain())) assets.computeIfAbsent(p.toChain(), c -> new LinkedHashSet<>()).add(p.toAsset());
        }
        List<Inventory> out = new ArrayList<>();
        for (var e : assets.entrySet()) {
            HtlcChain c = chains.get(e.getKey());
            for (String asset : e.getValue()) {
                BigInteger reserved = book.reserved(e.getKey(), asset, null);
                try {
                    BigInteger balance = c.balance(asset);
                    metrics.inventory(e.getKey(), asset, balance, reserved);
                    out.add(new Inventory(e.getKey(), asset, c.relayerAddress(), balance, reserved, balance.subtract(reserved), null));
                } catch (RuntimeException ex) {
                    out.add(new Inventory(e.getKey(), asset, c.relayerAddress(), null, reserved, null, ex.getMessage()));
                }
            }
        }
        return out;
    }

    private Optional<Deadline> claimDeadline(Swap s) {
        return Optional.of(new Deadline("relayer must claim the source before its claim deadline (T_src − G_src; T_src "
                + s.sourceTimelock() + ")", flow.deadlines().claimDeadline(s)));
    }

    /** The next time that matters for {@code s} (empty for a terminal swap or one between chains no longer configured). */
    public Optional<Deadline> deadline(Swap s) {
        long wUser = settings.validator().timelocks().userWindow();
        var timings = settings.validator().timelocks().chains();
        return switch (s.state()) {
            case DETECTED -> timings.containsKey(s.fromChain()) && timings.containsKey(s.toChain())
                    ? Optional.of(new Deadline("confirm and counter-lock before (T_src − gap − W_user)",
                            s.sourceTimelock() - settings.validator().timelocks().gap(s.fromChain(), s.toChain()) - wUser))
                    : Optional.empty();
            case CONFIRMED, COUNTER_PENDING -> s.secret() != null ? claimDeadline(s) : Optional.of(new Deadline(
                    "counter-lock before (T_dst − W_user − H)", flow.deadlines().deadline(s, SwapFlow.COUNTER_LOCK)));
            case COUNTER_LOCKED -> Optional.of(new Deadline("user claims before, else the relayer refunds (T_dst)", s.destTimelock()));
            case SECRET_REVEALED, SOURCE_CLAIM_PENDING -> claimDeadline(s);
            case SOURCE_CLAIMED -> Optional.of(new Deadline("source claimed; the user may claim the counter-lock until T_dst,"
                    + " else the relayer refunds it", s.destTimelock()));
            case DEST_REFUND_PENDING -> Optional.of(new Deadline("relayer refunds its lock (T_dst passed)", s.destTimelock()));
            case COUNTER_FAILED -> s.secret() != null ? claimDeadline(s)
                    : Optional.of(new Deadline("the user's source lock becomes refundable (T_src)", s.sourceTimelock()));
            default -> Optional.empty();
        };
    }
}
