package io.evmore.store;

import io.evmore.core.error.PermanentException;

/**
 * Another process holds the lease on this database: a second relayer on the same database would drive the same
 * swaps with the same keys (double sends, nonce fights). Retrying does not help until that process stops.
 */
public final class LeaseHeldException extends PermanentException {
    private final String leaseName;

    LeaseHeldException(String leaseName, String mechanism) {
        super("another relayer is already running on this database (lease '" + leaseName + "' held; " + mechanism
                + "); stop that process first or point this one at another database");
        this.leaseName = leaseName;
    }

    public String leaseName() {
        return leaseName;
    }
}
