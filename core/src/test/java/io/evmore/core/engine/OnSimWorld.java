package io.evmore.core.engine;

import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.port.RelayMetrics;

/** The engine's package-private parts over a {@link SimWorld}, for tests that drive one part of a step directly. */
final class OnSimWorld {
    private OnSimWorld() {}

    static SwapBook book(SimWorld w) {
        return new SwapBook(w.memory, w.clock, RelayMetrics.NONE);
    }

    /** Heights as the followers would have reported them: each chain's head now. */
    static ChainHeights heights(SimWorld w) {
        ChainHeights h = new ChainHeights();
        h.set(SimWorld.ETH, w.eth.height());
        h.set(SimWorld.DEVNET, w.devnet.height());
        return h;
    }
}
