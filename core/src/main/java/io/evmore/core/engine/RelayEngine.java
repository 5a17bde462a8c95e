package io.evmore.core.engine;

import io.evmore.core.port.Clock;
import io.evmore.core.port.RelayMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs relay work on virtual threads and owns the intake gate operators control with pause/resume.
 *
 * <p>Two kinds of work: <em>intake</em> (taking on a new swap: validation, counter-lock) and
 * <em>protective</em> (claims and refunds that secure funds already committed). Pausing stops intake only:
 * stopping protective work while paused could let a timelock pass and lose money.
 */
public final class RelayEngine {

    public enum Intake { RUNNING, PAUSED, STOPPED }

    public enum WorkKind { INTAKE, PROTECTIVE }

    /** A snapshot for /admin/services/status and /health. */
    public record Status(Intake intake, Instant since, String reason, int queued, int inFlight, boolean protectiveWorkRunning,
            String note) {}

    private record State(Intake intake, Instant since, String reason) {}

    private final Clock clock;
    private final RelayMetrics metrics;
    private final AtomicReference<State> state;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("relay-", 0).factory());

    public RelayEngine(Clock clock, RelayMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        this.state = new AtomicReference<>(new State(Intake.RUNNING, clock.now(), "started"));
    }

    /** Stops taking new swaps; protective work continues. Idempotent. */
    public Status pause(String reason) {
        state.updateAndGet(s -> s.intake() == Intake.RUNNING ? new State(Intake.PAUSED, clock.now(), reason) : s);
        return status();
    }

    /** Takes new swaps again (unless the engine is stopping). Idempotent. */
    public Status resume(String reason) {
        state.updateAndGet(s -> s.intake() == Intake.PAUSED ? new State(Intake.RUNNING, clock.now(), reason) : s);
        return status();
    }

    public boolean acceptsIntake() {
        return state.get().intake() == Intake.RUNNING;
    }

    /**
     * Queues work. Intake work is refused while paused or stopping; protective work is refused only once the
     * engine has stopped (then the caller must persist it for the next start).
     *
     * @return false if refused
     */
    public boolean submit(WorkKind kind, Runnable work) {
        Intake intake = state.get().intake();
        if (intake == Intake.STOPPED || (kind == WorkKind.INTAKE && intake != Intake.RUNNING)) {
            return false;
        }
        metrics.queueSize(queued.incrementAndGet());
        try {
            workers.execute(() -> {
                metrics.queueSize(queued.decrementAndGet());
                inFlight.incrementAndGet();
                try {
                    work.run();
                } finally {
                    inFlight.decrementAndGet();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            metrics.queueSize(queued.decrementAndGet());
            return false;
        }
    }

    public Status status() {
        State s = state.get();
        String note = switch (s.intake()) {
            case RUNNING -> "taking new swaps; claims and refunds run as needed";
            case PAUSED -> "paused: no new swaps are taken; claims and refunds that protect funds keep running";
            case STOPPED -> "stopped: in-flight work finished or persisted for the next start";
        };
        return new Status(s.intake(), s.since(), s.reason(), queued.get(), inFlight.get(), s.intake() != Intake.STOPPED, note);
    }

    /**
     * Stops intake and waits up to {@code timeout} for queued and running work to finish.
     *
     * @return true if everything finished in time
     */
    public boolean stop(Duration timeout) {
        state.set(new State(Intake.STOPPED, clock.now(), "shutdown"));
        workers.shutdown();
        try {
            return workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
