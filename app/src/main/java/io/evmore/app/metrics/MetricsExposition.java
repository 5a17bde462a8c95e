package io.evmore.app.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Prometheus text exposition of a registry, encoded on one platform thread into one reused buffer.
 *
 * <p>Why not in the request's thread: HTTP requests run on virtual threads, and there the text writer of the
 * Prometheus library (a BufferedWriter over an OutputStreamWriter) allocated about 18 MB per scrape of a 12 KB
 * exposition on JDK 25, against about 40 KB on a platform thread; 20 concurrent scrapers drove the process to
 * 1.3–1.6 GiB RSS. Concurrent scrapes queue on the encoder thread (one scrape takes about a millisecond), and
 * each answer costs one copy of the finished exposition. See {@code scripts/bench-metrics.sh}.
 */
public final class MetricsExposition implements AutoCloseable {
    /** Start size of the reused buffer; it grows once if the exposition is larger and then stays. */
    static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** reset() keeps the grown array: after the first scrapes no scrape grows it again. */
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(INITIAL_BUFFER_BYTES);
    private final ExecutorService encoder =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("metrics-encoder").factory());
    private final long timeoutMillis;

    public MetricsExposition(PrometheusRegistry registry, long timeoutMillis) {
        this.registry = registry;
        this.timeoutMillis = timeoutMillis;
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** Scrapes the registry and returns the exposition (a fresh array the caller owns). */
    public byte[] scrape() throws InterruptedException, TimeoutException {
        Future<byte[]> f = encoder.submit(this::encode);
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    /** Runs on the encoder thread only, so the buffer needs no lock. */
    private byte[] encode() {
        buffer.reset();
        try {
            writer.write(buffer, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return buffer.toByteArray();
    }

    @Override
    public void close() {
        encoder.shutdownNow();
    }
}
