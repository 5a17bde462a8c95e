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
 */
final class TestHaltPoints implements FaultPoint {
    private static final Logger log = LoggerFactory.getLogger(TestHaltPoints.class);
    static final String ENV = "EVMORE_TEST_HALT_AT";

    private record Spec(String point, String hashlockPrefix, long delayMs, String text) {}

    private final List<Spec> specs;

    private TestHaltPoints(List<Spec> specs) {
        this.specs = specs;
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
            out.add(new Spec(point, prefix, delay, p));
        }
        return new TestHaltPoints(List.copyOf(out));
    }

    @Override
    public void reached(String point, Swap swap) {
        for (Spec s : specs) {
            if (s.point().equals(point) && swap.hashlock().hex().startsWith(s.hashlockPrefix())) {
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
