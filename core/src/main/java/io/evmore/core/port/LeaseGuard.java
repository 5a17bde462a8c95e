package io.evmore.core.port;

/**
 * "May this process still send?" Asked after a signed transaction was persisted and right before it is broadcast:
 * only the holder of the database lease may send with the relayer's keys. A process that cannot prove it still holds
 * the lease (deposed by another, its database session gone, or paused for longer than the lease) must send nothing.
 */
@FunctionalInterface
public interface LeaseGuard {
    /** @throws io.evmore.core.error.LeaseLostException when this process may no longer send */
    void checkHeld();

    /** No lease: a single process that owns its database (tests, tools). */
    LeaseGuard NONE = () -> {};
}
