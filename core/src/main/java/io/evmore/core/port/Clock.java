package io.evmore.core.port;

import java.time.Instant;

/** Injected time source: core never reads the wall clock, so timelock logic is testable. */
@FunctionalInterface
public interface Clock {
    Instant now();

    static Clock system() {
        return Instant::now;
    }

    default long nowEpochSeconds() {
        return now().getEpochSecond();
    }
}
