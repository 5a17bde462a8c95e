package io.evmore.store;

import java.time.Duration;

/**
 * Timings of a PostgreSQL lease. The holder renews every {@link #renewEvery()}; the database lets another process take
 * the lease once {@code duration} has passed since the last renewal by its own clock (at once if the holder's session
 * ended). The holder itself counts the lease as held only while its last successful renewal was <em>sent</em> less
 * than {@link #validity()} ago (a monotonic clock): that is earlier than the database's expiry by a margin, so a
 * process that was paused or cut off stops sending before anyone can take over.
 *
 * @param duration how long a renewal keeps the lease (database clock)
 */
public record LeaseSettings(Duration duration) {
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(5);
    public static final LeaseSettings DEFAULT = new LeaseSettings(DEFAULT_DURATION);

    public LeaseSettings {
        if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("lease duration must be 1 s to 10 min, got " + duration);
        }
    }

    public static LeaseSettings ofSeconds(long seconds) {
        return new LeaseSettings(Duration.ofSeconds(seconds));
    }

    /** A quarter of the duration: two renewals may fail before the holder stops trusting its lease. */
    public Duration renewEvery() {
        return duration.dividedBy(4);
    }

    /** How long after sending its last successful renewal the holder trusts its lease: the duration less a quarter. */
    public Duration validity() {
        return duration.minus(duration.dividedBy(4));
    }
}
