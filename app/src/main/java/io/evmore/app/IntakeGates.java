package io.evmore.app;

import io.evmore.app.relay.RelayWiring;
import io.evmore.core.engine.RelayEngine;
import io.evmore.core.port.Clock;
import io.evmore.store.DatabaseLease;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's pause and resume of intake, at any moment: to the running engine, and kept in the database under
 * the term's lease so that a restart or a standby's takeover keeps it; before the engine exists (start-up), remembered
 * and applied to the engine before its first step; at a term's start, the one the database keeps. The app installs
 * and removes its relay wiring under {@link #lock()}, so a pause never falls between two engines.
 */
final class IntakeGates {
    private static final Logger log = LoggerFactory.getLogger(RelayerApp.class);

    private record EarlyGate(boolean paused, String reason, Instant at) {}

    /**
     * An operator's pause (or resume) that arrived before the engine existed (start-up): remembered here and applied to
     * the engine before its first step, so an emergency pause works at any moment. Null: none requested. Its monitor
     * is {@link #lock()}.
     */
    private final AtomicReference<EarlyGate> earlyGate = new AtomicReference<>();
    /** The lease of the running term (null between terms): what the operator's pause is written under. */
    private volatile DatabaseLease termLease;
    private final Clock clock;
    private final Supplier<RelayWiring> relay;
    private final Supplier<StoreWiring> store;
    private final Supplier<String> phase;

    IntakeGates(Clock clock, Supplier<RelayWiring> relay, Supplier<StoreWiring> store, Supplier<String> phase) {
        this.clock = clock;
        this.relay = relay;
        this.store = store;
        this.phase = phase;
    }

    /** The monitor under which the app installs or removes its relay wiring (and a pause reaches the engine). */
    Object lock() {
        return earlyGate;
    }

    /** The running term's lease, or null between terms. Set under {@link #lock()}. */
    void termLease(DatabaseLease lease) {
        termLease = lease;
    }

    /** The admin API's pause: to the engine, kept in the database; or, before the engine exists, remembered. */
    Object pause() {
        return gate(true);
    }

    /** The admin API's resume, like {@link #pause}. */
    Object resume() {
        return gate(false);
    }

    private Object gate(boolean paused) {
        synchronized (earlyGate) {
            RelayWiring r = relay.get();
            if (r != null) {
                RelayEngine.Status st = paused ? r.engine().pause("admin API") : r.engine().resume("admin API");
                return gateAnswer(st, keepIntakeGate(new EarlyGate(paused, "admin API", clock.now())));
            }
            earlyGate.set(new EarlyGate(paused, "admin API (during start-up)", clock.now()));
            if (paused) {
                log.warn("pause requested while the relayer is {}: the relay engine will start paused", phase.get());
            } else {
                log.info("resume requested while the relayer is {}: the relay engine will start taking swaps", phase.get());
            }
            return Map.of("engine", earlyStatus());
        }
    }

    /** The answer to a pause or resume: the engine's status and whether the database keeps it (else why not). */
    private static Map<String, Object> gateAnswer(RelayEngine.Status engine, String notKept) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", engine);
        m.put("keptInDatabase", notKept == null);
        if (notKept != null) m.put("warning", notKept);
        return m;
    }

    /**
     * Writes the operator's pause or resume to the database (fenced by this term's lease), so that a restart or a
     * standby's takeover keeps it. Returns null when kept, else what went wrong: this process still applies it, but the
     * next leader would not know.
     */
    private String keepIntakeGate(EarlyGate g) {
        DatabaseLease lease = termLease;
        try {
            if (lease == null) throw new IllegalStateException("this process holds no lease");
            store.get().jdbc().recordIntakeGate(lease, new io.evmore.store.IntakeGate(g.paused(), g.reason(), g.at(),
                    lease.holder().describe()));
            log.warn("intake {} by the {} at {}; kept in the database: a restart or a takeover keeps it",
                    g.paused() ? "PAUSED" : "resumed", g.reason(), g.at());
            return null;
        } catch (RuntimeException e) {
            String why = (g.paused() ? "paused" : "resumed") + " in this process only, NOT kept in the database ("
                    + e.getMessage() + "): a restart or a standby taking over would "
                    + (g.paused() ? "take new swaps again" : "still be paused") + "; repeat the request once the database answers";
            log.error("intake {}", why);
            return why;
        }
    }

    /**
     * Before the term's engine takes a step: a pause or resume asked for during start-up wins (and is kept in the
     * database); otherwise the operator's last one the database keeps applies, so a restart or a standby's takeover
     * starts paused when the operator had paused.
     */
    void apply(RelayEngine engine, DatabaseLease lease) {
        EarlyGate g = earlyGate.getAndSet(null);
        if (g != null) {
            if (g.paused()) {
                engine.pause(g.reason() + " at " + g.at());
                log.warn("relay engine starts paused (requested during start-up at {}): no new swaps until resumed", g.at());
            }
            keepIntakeGate(g);
            return;
        }
        java.util.Optional<io.evmore.store.IntakeGate> kept;
        try {
            kept = store.get().jdbc().intakeGate();
        } catch (RuntimeException e) {
            // Unknown whether the operator paused: do not take new swaps on a guess (claims and refunds still run).
            engine.pause("the kept intake pause could not be read (" + e.getMessage() + ")");
            log.error("relay engine starts PAUSED: the operator's intake pause could not be read from the database ({});"
                    + " POST /admin/services/resume once you know intake may run", e.getMessage());
            return;
        }
        if (kept.isPresent() && kept.get().paused()) {
            io.evmore.store.IntakeGate k = kept.get();
            engine.pause(k.reason() + " at " + k.at() + " on " + k.by() + " (kept in the database)");
            log.warn("relay engine starts PAUSED: intake was paused by the {} at {} on {} and the database keeps the pause;"
                    + " no new swaps until POST /admin/services/resume (claims and refunds that protect funds run)",
                    k.reason(), k.at(), k.by());
        }
    }

    /** What /admin/services/status says of the engine before it exists. */
    Map<String, Object> earlyStatus() {
        EarlyGate g = earlyGate.get();
        Map<String, Object> m = new LinkedHashMap<>();
        boolean paused = g != null && g.paused();
        m.put("intake", paused ? "PAUSED" : "NOT_STARTED");
        m.put("starting", true);
        if (g != null) {
            m.put("since", g.at());
            m.put("reason", g.reason());
        }
        m.put("note", paused ? "the relayer is " + phase.get() + "; the relay engine will start paused: no new swaps are taken,"
                + " claims and refunds that protect funds will run" : "the relayer is " + phase.get() + "; the relay engine has not started yet");
        return m;
    }
}
