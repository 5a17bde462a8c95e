package io.evmore.core.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Independent chain reads of one step, made side by side: each is started on the step executor (a virtual thread in
 * the service; the caller's own thread, in order, where a test runs steps directly) inside the step's tracing context,
 * so the chain calls stay children of the step's span. Starting reads together decides nothing: the step still checks
 * every answer, in the order it always did, and one it never looks at is simply dropped.
 */
final class StepReads {
    private final Executor executor;
    private final SwapBook book;

    StepReads(Executor executor, SwapBook book) {
        this.executor = executor;
        this.book = book;
    }

    /** Starts {@code read} now; {@link io.evmore.core.util.Futures#join} its answer where the step needs it. */
    <T> CompletableFuture<T> start(Supplier<T> read) {
        return CompletableFuture.supplyAsync(book.tracing.inCurrentStep(read), executor);
    }

}
