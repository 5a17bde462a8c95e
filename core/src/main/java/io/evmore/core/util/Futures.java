package io.evmore.core.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** What a future gives back as a direct call would have: its value, or what its work threw (not wrapped). */
public final class Futures {
    private Futures() {}

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
