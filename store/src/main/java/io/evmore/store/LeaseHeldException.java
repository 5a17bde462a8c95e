package io.evmore.store;

import io.evmore.core.error.PermanentException;
import java.util.Optional;

/**
 * Another process holds the lease on this database: a second relayer on the same database would drive the same
 * swaps with the same keys (double sends, nonce fights). Retrying does not help until that process stops (or, on
 * PostgreSQL, until its lease expires: a standby waits for that).
 */
public final class LeaseHeldException extends PermanentException {
    private final String leaseName;
    private final LeaseInfo holder;

    LeaseHeldException(String leaseName, String mechanism, LeaseInfo holder) {
        super("another relayer is already running on this database (lease '" + leaseName + "' held by "
                + (holder == null ? "a process that did not record itself" : holder.describeHolder()) + "; " + mechanism
                + "); stop that process first, point this one at another database, or (PostgreSQL) run this one as a"
                + " standby (ha.standby: true)");
        this.leaseName = leaseName;
        this.holder = holder;
    }

    public String leaseName() {
        return leaseName;
    }

    /** Who holds it, as recorded (absent if the holder recorded nothing). */
    public Optional<LeaseInfo> holder() {
        return Optional.ofNullable(holder);
    }
}
