package io.evmore.store;

import java.time.Duration;
import java.time.Instant;

/**
 * A lease as the database (or, for SQLite, the lock file) records it: who holds it since when, and its epoch.
 * Fields the source does not know are null (0 for numbers).
 *
 * @param epoch          grows by one with every takeover; 0 = never held
 * @param holderId       the holder's random process id; null = free (released)
 * @param acquiredAt     when the holder took it (its term began)
 * @param renewedAt      last renewal (PostgreSQL)
 * @param expiresAt      when another process may take it unless renewed (PostgreSQL, database clock)
 * @param databaseNow    the database's clock when this was read (PostgreSQL)
 * @param holderSession  whether the holder's lease session is still connected (PostgreSQL)
 */
public record LeaseInfo(String name, long epoch, String holderId, String host, long pid, Instant processStarted,
        Instant acquiredAt, Instant renewedAt, Instant expiresAt, Instant databaseNow, boolean holderSession) {

    public boolean held() {
        return holderId != null;
    }

    /** {@code host/pid since <time>} (or what is known of it). */
    public String describeHolder() {
        if (holderId == null) return "nobody (released)";
        StringBuilder b = new StringBuilder().append(host == null ? "unknown host" : host).append('/').append(pid);
        if (acquiredAt != null) b.append(" since ").append(acquiredAt);
        if (epoch > 0) b.append(" (epoch ").append(epoch).append(')');
        return b.toString();
    }

    /** Time since the holder's last renewal by the database's clock; null when unknown. */
    public Duration sinceRenewal() {
        return renewedAt == null || databaseNow == null ? null : Duration.between(renewedAt, databaseNow);
    }

    /** Time until the lease may be taken by another process (negative: already expired); null when unknown. */
    public Duration untilExpiry() {
        return expiresAt == null || databaseNow == null ? null : Duration.between(databaseNow, expiresAt);
    }
}
