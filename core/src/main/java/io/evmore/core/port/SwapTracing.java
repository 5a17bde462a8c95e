package io.evmore.core.port;

import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.Swap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the relay engine reports the shape of its work for tracing: one trace per swap, a span per step, and a span per
 * chain call inside a step. The engine never depends on a tracing library; the app implements this port (OpenTelemetry)
 * and {@link #NONE} costs nothing. Nothing passed here is secret: the engine never hands a preimage or a key to it.
 */
public interface SwapTracing {

    /** The span of one step of a swap, open while the step runs on the calling thread. */
    interface Step extends AutoCloseable {
        /** The step ended with an exception (recorded on the span; the engine handles it as before). */
        void failed(Throwable error);

        /** Ends the step's span. */
        @Override
        void close();

        Step NONE = new Step() {
            @Override
            public void failed(Throwable error) {}

            @Override
            public void close() {}
        };
    }

    /** A step of {@code swap} begins (in the swap's current state) on this thread; close the result when it ends. */
    Step step(Swap swap);

    /**
     * Runs {@code call}, a call to {@code chain}'s adapter, as a child of the current step; outside a step it just runs
     * it. {@code attributes} describe the call (ids, never a secret).
     */
    <T> T chainCall(ChainId chain, String operation, Map<String, String> attributes, Supplier<T> call);

    /**
     * {@code call} carrying the calling thread's current step: run on another thread (a step's reads made side by side),
     * its chain calls are still children of that step. The identity where there is nothing to carry.
     */
    default <T> Supplier<T> inCurrentStep(Supplier<T> call) {
        return call;
    }

    /** {@code swap} reached a terminal state with {@code outcome} (the guide's status label): its trace is complete. */
    void swapFinished(Swap swap, String outcome);

    /** No tracing. */
    SwapTracing NONE = new SwapTracing() {
        @Override
        public Step step(Swap swap) {
            return Step.NONE;
        }

        @Override
        public <T> T chainCall(ChainId chain, String operation, Map<String, String> attributes, Supplier<T> call) {
            return call.get();
        }

        @Override
        public void swapFinished(Swap swap, String outcome) {}
    };
}
