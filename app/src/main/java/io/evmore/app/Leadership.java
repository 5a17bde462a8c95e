package io.evmore.app;

import io.evmore.app.health.HealthCheck;
import io.evmore.core.error.LeaseLostException;
import io.evmore.core.error.RelayerException;
import io.evmore.store.AddressMismatchException;
import io.evmore.store.DatabaseLease;
import io.evmore.store.JdbcSwapStore;
import io.evmore.store.LeaseCandidate;
import io.evmore.store.LeaseHeldException;
import io.evmore.store.LeaseHolder;
import io.evmore.store.LeaseInfo;
import io.evmore.store.LeaseSettings;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may drive this database's swaps: this process's role and the database lease behind it (see
 * {@link DatabaseLease}). A <em>leader</em> holds the lease and runs the {@link Term} (engine, followers, retention); a
 * <em>standby</em> (PostgreSQL, {@code ha.standby}) asks for the lease every quarter of its duration and starts the term
 * the moment it gets it — the engine reconciles every open intent before it sends anything. A leader that loses the
 * lease (deposed, its session gone) stops the term at once (the lease guard already refuses every broadcast, the
 * fenced store every write) and stands by again, after one lease duration so that another standby goes first.
 *
 * <p>Reports: the {@code lease} component of /health, {@code evmore_lease_*} metrics, the admin gate (only the leader
 * answers /admin, except the status) and {@code lease} in /admin/services/status.
 */
final class Leadership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);
    static final String LEASE = "relayer";

    enum Role {
        STARTING, STANDBY, LEADER, LOST, STOPPING;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What runs while this process holds the lease. */
    interface Term {
        /** Starts the leader's work under {@code lease} (which fences its store and guards its broadcasts). */
        void start(DatabaseLease lease) throws Exception;

        /** Stops it; idempotent, and safe when the lease is already gone. */
        void stop();
    }

    private final LeaseSettings settings;
    private final boolean standbyAllowed;
    private final LeaseHolder holder = LeaseHolder.thisProcess();
    private final Term term;
    private final Consumer<Throwable> fatal;
    /** This process's signing addresses as far as known before the lease (a standby re-checks them while waiting). */
    private final Supplier<Map<String, String>> addresses;
    private final ExecutorService events = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("lease-events").factory());
    /** Watches the leader's lease: says at once (log) when it can no longer be proven, and when it can again. */
    private final java.util.concurrent.ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("lease-watch").factory());
    private volatile boolean unproven;
    private final Counter takeovers;
    private final Counter losses;
    private volatile JdbcSwapStore store;
    private volatile Role role = Role.STARTING;
    private volatile Instant roleSince = Instant.now();
    private volatile DatabaseLease lease;
    /** The holder as last seen by this standby, and when. */
    private volatile LeaseInfo leader;
    private volatile Instant leaderSeenAt;
    private volatile String lostReason;
    private volatile String waitProblem;
    private volatile Thread waiter;
    private volatile boolean closed;

    Leadership(LeaseSettings settings, boolean standbyAllowed, Term term, Consumer<Throwable> fatal,
            Supplier<Map<String, String>> addresses, PrometheusRegistry registry) {
        this.settings = settings;
        this.standbyAllowed = standbyAllowed;
        this.term = term;
        this.fatal = fatal;
        this.addresses = addresses;
        GaugeWithCallback.builder().name("evmore_lease_role")
                .help("This process's role: 1 for the current one of starting, standby, leader, lost, stopping")
                .labelNames("role")
                .callback(cb -> {
                    Role now = role;
                    for (Role r : Role.values()) cb.call(r == now ? 1 : 0, r.label());
                })
                .register(registry);
        GaugeWithCallback.builder().name("evmore_lease_held")
                .help("1 while this process holds the database lease and may send (renewed recently enough), else 0")
                .callback(cb -> cb.call(mayAct() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder().name("evmore_lease_epoch")
                .help("Epoch of the lease this process holds; on a standby, the leader's epoch it last saw")
                .callback(cb -> {
                    DatabaseLease l = lease;
                    LeaseInfo seen = leader;
                    cb.call(l != null ? l.epoch() : seen != null ? seen.epoch() : 0);
                })
                .register(registry);
        GaugeWithCallback.builder().name("evmore_lease_seconds_since_renewal")
                .help("Leader: seconds since its last successful renewal (monotonic clock). Standby: the leader's, by the"
                        + " database clock when last read")
                .callback(cb -> {
                    Duration d = sinceRenewal();
                    if (d != null) cb.call(d.toMillis() / 1000.0);
                })
                .register(registry);
        long period = Math.max(50, Math.min(500, settings.renewEvery().toMillis() / 2));
        watch.scheduleWithFixedDelay(this::watchLease, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        takeovers = Counter.builder().name("evmore_lease_acquired_total")
                .help("Times this process took the lease (at start or as a standby taking over)").register(registry);
        losses = Counter.builder().name("evmore_lease_lost_total")
                .help("Times this process lost the lease (deposed, or its database session ended)").register(registry);
    }

    // ---- start ------------------------------------------------------------------------------------------------------

    /** The lease was taken at start (SQLite: before the database opened; PostgreSQL: on the first try). */
    synchronized void held(JdbcSwapStore store, DatabaseLease lease) {
        this.store = store;
        this.lease = lease;
        takeovers.inc();
        setRole(Role.LEADER);
        if (lease.epoch() > 0) {
            log.info("lease '{}' held: epoch {}, {} ({})", LEASE, lease.epoch(), holder.describe(), lease.mechanism());
        } else {
            log.info("lease '{}' held by {} ({}); its epoch is counted once the database is open", LEASE, holder.describe(),
                    lease.mechanism());
        }
    }

    /** The lease is someone else's at start and this process may wait for it. */
    synchronized void standingBy(JdbcSwapStore store, LeaseHeldException e) {
        this.store = store;
        seen(e.holder().orElse(null));
        setRole(Role.STANDBY);
        log.warn("STANDBY: the lease is held by {}; this process waits for it (pools warm, no chain followed, nothing sent)",
                describeLeader());
    }

    /** Whether a process that found the lease held may wait for it. */
    boolean standbyAllowed() {
        return standbyAllowed;
    }

    LeaseSettings settings() {
        return settings;
    }

    /** Runs the first term now if this process leads (failures propagate: the start fails), else begins waiting. */
    void begin() throws Exception {
        if (role == Role.LEADER) {
            runTerm(lease);
        } else if (role == Role.STANDBY) {
            startWaiting(Duration.ZERO);
        }
    }

    private void runTerm(DatabaseLease l) throws Exception {
        l.onLost(reason -> events.execute(() -> lost(l, reason)));
        term.start(l);
        if (l.lostReason() != null) throw new LeaseLostException("lease lost while starting: " + l.lostReason());
    }

    // ---- losing and taking over ---------------------------------------------------------------------------------------

    /** The lease is gone for good: the term stops, the lease is let go, and this process stands by again. */
    private void lost(DatabaseLease l, String reason) {
        synchronized (this) {
            if (l != lease || closed) return;
            lostReason = reason;
            setRole(Role.LOST);
        }
        losses.inc();
        log.error("LEASE LOST (epoch {}): {}. Stopping the relay engine; this process sends nothing. The holder of the"
                + " current epoch finishes the swaps", l.epoch(), reason);
        try {
            term.stop();
        } catch (RuntimeException e) {
            log.warn("stopping the relay engine after the lease was lost: {}", e.toString());
        }
        l.close();
        synchronized (this) {
            if (closed) return;
            lease = null;
            setRole(Role.STANDBY);
        }
        log.warn("STANDBY: waiting for the lease again (first try in {} s, so that another standby takes over first)",
                settings.duration().toSeconds());
        startWaiting(settings.duration());
    }

    private synchronized void startWaiting(Duration backoff) {
        if (closed) return;
        if (store == null) { // SQLite: its lock cannot be taken over, so it cannot be lost to anyone either
            fatal.accept(new LeaseLostException("the SQLite lease was lost; this process must stop"));
            return;
        }
        Thread t = Thread.ofPlatform().daemon().name("lease-standby").unstarted(() -> waitForLease(backoff));
        waiter = t;
        t.start();
    }

    /** The standby's loop: one takeover attempt every quarter of the lease duration, until it wins or the process stops. */
    private void waitForLease(Duration backoff) {
        JdbcSwapStore s = store;
        long every = Math.max(100, settings.renewEvery().toMillis());
        try (LeaseCandidate candidate = s.leaseCandidate(LEASE, settings, holder)) {
            if (!backoff.isZero()) Thread.sleep(backoff.toMillis());
            while (!closed) {
                DatabaseLease won = null;
                try {
                    try {
                        // keys that are not the database's never take over (a rotation may be under way on the leader:
                        // this process's secrets refresh brings the new keys)
                        AddressMismatchException.check(s.describe(), s.boundAddresses(), addresses.get());
                    } catch (AddressMismatchException e) {
                        if (!e.getMessage().equals(waitProblem)) log.error("STANDBY: will not take over: {}", e.getMessage());
                        waitProblem = e.getMessage();
                        Thread.sleep(every);
                        continue;
                    }
                    won = candidate.tryAcquire();
                    waitProblem = null;
                } catch (LeaseHeldException e) {
                    waitProblem = null;
                    LeaseInfo before = leader;
                    seen(e.holder().orElse(null));
                    LeaseInfo now = leader;
                    if (now != null && (before == null || before.epoch() != now.epoch())) {
                        log.info("STANDBY: the lease is held by {}", describeLeader());
                    }
                } catch (RelayerException e) {
                    if (waitProblem == null) log.warn("STANDBY: cannot ask for the lease now: {}", e.getMessage());
                    waitProblem = e.getMessage();
                }
                if (won != null) {
                    tookOver(won);
                    return;
                }
                Thread.sleep(every);
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            if (!closed) fatal.accept(e);
        }
    }

    private void tookOver(DatabaseLease l) {
        LeaseInfo previous = leader;
        synchronized (this) {
            if (closed) {
                l.close();
                return;
            }
            lease = l;
            lostReason = null;
            setRole(Role.LEADER);
        }
        takeovers.inc();
        log.warn("TAKEOVER: lease '{}' acquired, epoch {} (previous holder {}); reconciling every open intent before anything"
                + " is sent", LEASE, l.epoch(), previous == null ? "unknown" : previous.describeHolder());
        try {
            runTerm(l);
            log.warn("TAKEOVER complete: this process leads (epoch {}), {} after it took the lease", l.epoch(),
                    Duration.between(l.acquiredAt() == null ? Instant.now() : l.acquiredAt(), Instant.now()));
        } catch (LeaseLostException e) {
            events.execute(() -> lost(l, e.getMessage()));
        } catch (Exception e) {
            l.close();
            fatal.accept(e);
        }
    }

    /**
     * A leader whose lease cannot be proven (no successful renewal for three quarters of its duration: the database slow
     * or unreachable, or this process was paused) sends nothing; say so when it starts and when it ends.
     */
    private void watchLease() {
        DatabaseLease l = lease;
        if (role != Role.LEADER || l == null || l.lostReason() != null) {
            unproven = false;
            return;
        }
        boolean held = l.isHeld();
        if (!held && !unproven) {
            unproven = true;
            log.error("lease '{}' (epoch {}) not renewed for {} ms: this process sends nothing until a renewal proves it still"
                    + " holds it", LEASE, l.epoch(), l.sinceLastRenewal().toMillis());
        } else if (held && unproven) {
            unproven = false;
            log.warn("lease '{}' (epoch {}) renewed again: this process sends again", LEASE, l.epoch());
        }
    }

    private void seen(LeaseInfo info) {
        leader = info;
        leaderSeenAt = Instant.now();
    }

    private void setRole(Role r) {
        role = r;
        roleSince = Instant.now();
    }

    // ---- reports ------------------------------------------------------------------------------------------------------

    Role role() {
        return role;
    }

    /** The lease this process holds now, or null. */
    DatabaseLease lease() {
        return lease;
    }

    /** True while this process leads and its lease is provably held: it may send. */
    boolean mayAct() {
        DatabaseLease l = lease;
        return role == Role.LEADER && l != null && l.isHeld();
    }

    private Duration sinceRenewal() {
        DatabaseLease l = lease;
        if (role == Role.LEADER && l != null) return l.sinceLastRenewal();
        LeaseInfo seen = leader;
        if (role == Role.STANDBY && seen != null && seen.sinceRenewal() != null) return seen.sinceRenewal();
        return null;
    }

    String describeLeader() {
        LeaseInfo seen = leader;
        if (seen == null) return "another process (not recorded)";
        StringBuilder b = new StringBuilder(seen.describeHolder());
        Duration since = seen.sinceRenewal();
        if (since != null) b.append(", renewed ").append(since.toMillis()).append(" ms before ").append(leaderSeenAt);
        return b.toString();
    }

    /** The {@code lease} component of /health: up only for a leader whose lease is provably held. */
    HealthCheck.Result health() {
        DatabaseLease l = lease;
        return switch (role) {
            case STARTING -> HealthCheck.Result.down("starting: taking the database lease");
            case STANDBY -> HealthCheck.Result.down("standby, leader is " + describeLeader()
                    + (waitProblem == null ? "" : "; cannot ask for the lease now: " + waitProblem));
            case LEADER -> l != null && l.isHeld()
                    ? HealthCheck.Result.up("leader since " + l.acquiredAt() + ", epoch " + l.epoch() + ", "
                            + (l.settings() == null ? l.mechanism() : "renewed " + l.sinceLastRenewal().toMillis() + " ms ago"))
                    : HealthCheck.Result.down(l == null ? "leader without a lease" : notHeld(l));
            case LOST -> HealthCheck.Result.down("lease lost: " + lostReason + "; this process sends nothing and stands by");
            case STOPPING -> HealthCheck.Result.down("stopping");
        };
    }

    private static String notHeld(DatabaseLease l) {
        try {
            l.checkHeld();
            return "lease held";
        } catch (LeaseLostException e) {
            return e.getMessage();
        }
    }

    /**
     * Why /admin is not served here now, or null when it is: only the leader answers the admin API (a standby has no
     * engine to pause, no pools to drain for the relay); {@code /admin/services/status} answers everywhere, so an
     * operator can ask a standby what it sees.
     */
    String adminUnavailable(String path) {
        Role r = role;
        if (r == Role.LEADER) return null;
        if ("/admin/services/status".equals(path) && r != Role.STARTING) return null;
        return switch (r) {
            case STARTING -> "starting: this process is taking the database lease";
            case STANDBY -> "standby: this process does not hold the lease; the leader is " + describeLeader();
            case LOST -> "lease lost: " + lostReason + "; this process no longer drives swaps";
            default -> "stopping";
        };
    }

    /** {@code lease} of /admin/services/status. */
    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role.label());
        m.put("since", roleSince);
        m.put("standbyEnabled", standbyAllowed);
        m.put("leaseSeconds", settings.duration().toSeconds());
        m.put("thisProcess", Map.of("host", holder.host(), "pid", holder.pid(), "started", holder.processStarted()));
        DatabaseLease l = lease;
        if (l != null) {
            m.put("epoch", l.epoch());
            m.put("held", l.isHeld());
            m.put("mechanism", l.mechanism());
            m.put("leader", Map.of("host", holder.host(), "pid", holder.pid(), "since", String.valueOf(l.acquiredAt())));
            if (l.settings() != null) m.put("sinceRenewalMs", l.sinceLastRenewal().toMillis());
        } else {
            LeaseInfo seen = leader;
            if (seen != null) {
                m.put("epoch", seen.epoch());
                Map<String, Object> who = new LinkedHashMap<>();
                who.put("host", seen.host());
                who.put("pid", seen.pid());
                who.put("since", seen.acquiredAt());
                who.put("processStarted", seen.processStarted());
                if (seen.sinceRenewal() != null) who.put("sinceRenewalMs", seen.sinceRenewal().toMillis());
                who.put("seenAt", leaderSeenAt);
                m.put("leader", who);
            }
        }
        if (lostReason != null) m.put("lastLoss", lostReason);
        if (waitProblem != null) m.put("problem", waitProblem);
        m.put("acquiredTotal", (long) takeovers.get());
        m.put("lostTotal", (long) losses.get());
        return m;
    }

    /** Stops waiting, stops the term and releases the lease (a standby may take it at once). Idempotent. */
    @Override
    public void close() {
        DatabaseLease l;
        Thread w;
        synchronized (this) {
            if (closed) return;
            closed = true;
            setRole(Role.STOPPING);
            l = lease;
            lease = null;
            w = waiter;
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            term.stop();
        } catch (RuntimeException e) {
            log.warn("stopping the relay engine: {}", e.toString());
        }
        if (l != null) l.close();
        events.shutdownNow();
        watch.shutdownNow();
    }

    /** For tests and logs. */
    List<String> roles() {
        return java.util.Arrays.stream(Role.values()).map(Role::label).toList();
    }
}
