package io.evmore.core.engine;

import io.evmore.core.swap.Swap;

/**
 * Named places in the engine where a test may stop the process, to prove that recovery finishes every swap with one
 * transaction per action whatever the moment of a crash. Points: {@code entered:<STATE>} (a state change committed),
 * {@code <ACTION>:journaled} (a signed transaction persisted, not yet broadcast) and {@code <ACTION>:sent} (the chain
 * call returned, its outcome not yet recorded). Production runs {@link #NONE}.
 */
@FunctionalInterface
public interface FaultPoint {
    void reached(String point, Swap swap);

    FaultPoint NONE = (point, swap) -> {};
}
