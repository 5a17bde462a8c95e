package io.evmore.core.engine.sim;

/**
 * The relayer process dies here: thrown at a chosen point (inside a store transaction, after the journal persisted a
 * transaction, after a broadcast, before signing). An {@link Error}, so no {@code catch (RuntimeException)} in the
 * engine can swallow it; the test then drops the engine object and starts a new one on the same store and chains.
 */
public class SimulatedCrash extends Error {
    public SimulatedCrash(String where) {
        super("simulated crash: " + where, null, false, false);
    }
}
