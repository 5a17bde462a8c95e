package io.evmore.core.engine.sim;

/**
 * The relayer process freezes here (a long GC pause, SIGSTOP, a VM migrated) after the journal persisted a signed
 * transaction and the lease guard let it through, right before the broadcast. Another process takes the lease
 * meanwhile; when this one wakes it still sends those very bytes ({@link #lateBroadcast}) and then keeps running as a
 * deposed leader. Where nothing handles a freeze it is a crash.
 */
public final class SimulatedFreeze extends SimulatedCrash {
    public final transient Runnable lateBroadcast;

    public SimulatedFreeze(String where, Runnable lateBroadcast) {
        super("frozen " + where);
        this.lateBroadcast = lateBroadcast;
    }
}
