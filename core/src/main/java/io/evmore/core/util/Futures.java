package io.evmore.core.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** What a future gives back as a direct call would have (its value, or what its work threw, not wrapped), and reads started beside others. */
public final class Futures {
    private Futures() {}

    private static final Executor BESIDE = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("side-read-", 0).factory());

    /** Starts {@code work} now on a virtual thread of its own: a read made beside another one the caller makes meanwhile. */
    public static <T> CompletableFuture<T> beside(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, BESIDE);
    }

    /** Waits for {@code future}; a RuntimeException or Error of its work is rethrown as it was thrown. */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }
}
