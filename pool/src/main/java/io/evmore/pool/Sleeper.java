package io.evmore.pool;

import java.time.Duration;

/** Waits between retries; injected so tests can record the schedule instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    static Sleeper system() {
        return d -> {
            if (!d.isZero()) Thread.sleep(d);
        };
    }
}
