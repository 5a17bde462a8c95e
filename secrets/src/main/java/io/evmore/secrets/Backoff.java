package io.evmore.secrets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The retry schedule for transient provider errors: {@code attempts} tries in all, waiting {@code first}, then twice
 * as long each time, never more than {@code max}. No jitter: one relayer process makes a handful of reads, so there is
 * no herd to spread, and a fixed schedule is one a test can pin.
 */
public record Backoff(int attempts, Duration first, Duration max) {
    /** 4 tries over about 1.4 s of waiting (0.2, 0.4, 0.8 s). */
    public static final Backoff DEFAULT = new Backoff(4, Duration.ofMillis(200), Duration.ofSeconds(5));

    public Backoff {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1");
    }

    /** The waits between the tries: attempts - 1 of them. */
    public List<Duration> delays() {
        List<Duration> out = new ArrayList<>();
        Duration d = first;
        for (int i = 1; i < attempts; i++) {
            out.add(d.compareTo(max) > 0 ? max : d);
            d = d.multipliedBy(2);
        }
        return out;
    }
}
