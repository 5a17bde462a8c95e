package io.evmore.pool;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The trace context of the calling thread as HTTP headers (W3C {@code traceparent}, {@code tracestate}), for the chain
 * adapters to send with every JSON-RPC request they make: an RPC provider that traces sees the relayer's swap trace.
 * Empty unless the app installs a source (tracing on). Headers carry only trace and span ids, never request data.
 */
public final class TraceHeaders {
    private static volatile Supplier<Map<String, String>> source = Map::of;

    private TraceHeaders() {}

    /** Installs where the headers come from (null: none). */
    public static void install(Supplier<Map<String, String>> headers) {
        source = headers == null ? Map::of : headers;
    }

    /** The headers for a request made now on this thread (empty when there is no trace context). */
    public static Map<String, String> current() {
        try {
            return source.get();
        } catch (RuntimeException e) {
            return Map.of(); // tracing never breaks a call
        }
    }
}
