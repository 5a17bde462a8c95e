package io.evmore.app.relay;

import io.evmore.core.engine.FaultPoint;
import io.evmore.core.swap.Swap;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash injection for the end-to-end tests, only with {@code environment: test}: {@code EVMORE_TEST_HALT_AT} lists
 * points ({@link FaultPoint}) at which the process stops at once, as SIGKILL would (no shutdown hooks, nothing
 * flushed): {@code POINT[@HASHLOCK_PREFIX][+DELAY_MS]}, comma-separated. With a delay the process stops that many
 * milliseconds after the point, e.g. {@code COUNTER_LOCK:journaled+150}: after the broadcast, before inclusion.
 *
 * <p>{@code EVMORE_TEST_PAUSE_AT} (same syntax) instead freezes the step at the point — it logs
 * {@code TEST PAUSED at POINT} and never goes on — so that a test can kill the process from outside ({@code kill -9})
 * in exactly that window. With a delay it freezes for that many milliseconds (interrupts ignored) and then goes on
 * ({@code TEST RESUMED at POINT}): e.g. the step of a leader that is deposed meanwhile, whose next write must be
 * refused.
 */
final class TestHaltPoints implements FaultPoint {
    private static final Logger log = LoggerFactory.getLogger(TestHaltPoints.class);
    static final String ENV = "EVMORE_TEST_HALT_AT";
    static final String PAUSE_ENV = "EVMORE_TEST_PAUSE_AT";

    private record Spec(String point, String hashlockPrefix, long delayMs, String text, boolean pause) {}

    private final List<Spec> specs;

    private TestHaltPoints(List<Spec> specs) {
        this.specs = specs;
    }

    /** Halt points from {@code halt} and pause points from {@code pause} (either may be null or blank). */
    static TestHaltPoints of(String halt, String pause) {
        List<Spec> all = new ArrayList<>();
        if (halt != null && !halt.isBlank()) all.addAll(parse(halt).specs);
        if (pause != null && !pause.isBlank()) {
            for (Spec s : parse(pause).specs) all.add(new Spec(s.point(), s.hashlockPrefix(), s.delayMs(), s.text(), true));
        }
        return new TestHaltPoints(List.copyOf(all));
    }

    static TestHaltPoints parse(String value) {
        List<Spec> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            long delay = 0;
            int plus = p.indexOf('+');
            String head = p;
            if (plus >= 0) {
                delay = Long.parseLong(p.substring(plus + 1));
                head = p.substring(0, plus);
            }
            int at = head.indexOf('@');
            String point = at >= 0 ? head.substring(0, at) : head;
            String prefix = at >= 0 ? head.substring(at + 1).toLowerCase() : "";
            out.add(new Spec(point, prefix, delay, p, false));
        }
        return new TestHaltPoints(List.copyOf(out));
    }

    @Override
    public void reached(String point, Swap swap) {
        for (Spec s : specs) {
            if (s.point().equals(point) && swap.hashlock().hex().startsWith(s.hashlockPrefix())) {
                if (s.pause() && s.delayMs() > 0) {
                    // A timed freeze: the step goes on afterwards, whatever happened meanwhile (interrupts included).
                    log.warn("TEST PAUSED at {} for swap {} ({}): for {} ms", point, swap.id(), s.text(), s.delayMs());
                    long until = System.nanoTime() + s.delayMs() * 1_000_000L;
                    for (long left; (left = until - System.nanoTime()) > 0; ) {
                        try {
                            Thread.sleep(Math.max(1, left / 1_000_000L));
                        } catch (InterruptedException e) {
                            // stay frozen for the whole time
                        }
                    }
                    log.warn("TEST RESUMED at {} for swap {}", point, swap.id());
                    continue;
                }
                if (s.pause()) {
                    log.warn("TEST PAUSED at {} for swap {} ({}): waiting to be killed", point, swap.id(), s.text());
                    while (true) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            // a shutdown: stay paused, the test kills the process
                        }
                    }
                }
                log.warn("TEST HALT at {} for swap {} ({})", point, swap.id(), s.text());
                if (s.delayMs() == 0) Runtime.getRuntime().halt(137);
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        Thread.sleep(s.delayMs());
                    } catch (InterruptedException e) {
                        // halt anyway
                    }
                    Runtime.getRuntime().halt(137);
                });
            }
        }
    }
}
