package io.evmore.app.bench;

import io.evmore.app.health.HealthCheck;
import io.evmore.app.health.HealthRegistry;
import io.evmore.app.http.AdminOperations;
import io.evmore.app.http.BearerAuth;
import io.evmore.app.http.HttpApi;
import io.evmore.app.metrics.RelayerMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark harness (not a test): what one /metrics scrape costs the relayer. Starts the real HTTP API on
 * 127.0.0.1 (ephemeral port) with the relayer's metrics registry (JVM metrics included) and scrapes it over
 * keep-alive sockets from {@code clients} platform threads that read into reused buffers, so the client side
 * allocates next to nothing. Reports, after a warm-up:
 * <ul>
 *   <li>server bytes allocated per scrape: all threads' allocation (com.sun.management.ThreadMXBean
 *       getTotalThreadAllocatedBytes; virtual threads are counted on their carriers) minus the client threads'
 *       own (getThreadAllocatedBytes), divided by the number of scrapes;</li>
 *   <li>scrapes per second with that many concurrent scrapers;</li>
 *   <li>the exposition size in bytes.</li>
 * </ul>
 * Run: {@code scripts/bench-metrics.sh [clients] [scrapesPerClient]} (defaults 20 and 500).
 */
public final class MetricsScrapeBench {
    private MetricsScrapeBench() {}

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        RelayerMetrics metrics = new RelayerMetrics();
        HealthRegistry health = new HealthRegistry(5_000);
        health.register("bench", () -> HealthCheck.Result.up("bench"));
        metrics.registerHealth(health::check);
        try (HttpApi http = new HttpApi("127.0.0.1", 0, health, metrics.registry(), new BearerAuth(() -> "unused-bench-token"),
                new NoAdmin()).start()) {
            int port = http.port();
            run(port, clients, Math.max(20, perClient / 5), mx); // warm-up (JIT, buffers, connection set-up)
            Result r = run(port, clients, perClient, mx);
            System.out.printf("metrics scrape bench: %d clients x %d scrapes, exposition %d bytes%n", clients, perClient, r.bodyBytes);
            System.out.printf("  server allocation per scrape: %,d bytes (%.2f MB)%n", r.serverBytes / r.scrapes,
                    r.serverBytes / (double) r.scrapes / 1e6);
            System.out.printf("  throughput: %.0f scrapes/s (%d scrapes in %d ms)%n", r.scrapes * 1000.0 / r.millis, r.scrapes, r.millis);
            System.out.printf("  heap used after: %d MB, max heap: %d MB%n",
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    record Result(long scrapes, long serverBytes, long millis, long bodyBytes) {}

    private static Result run(int port, int clients, int perClient, com.sun.management.ThreadMXBean mx) throws Exception {
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(clients);
        AtomicLong clientBytes = new AtomicLong();
        AtomicLong bodyBytes = new AtomicLong();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("bench-client-" + i).start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    OutputStream out = s.getOutputStream();
                    InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 64 * 1024);
                    byte[] request = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                    byte[] body = new byte[1 << 20];
                    StringBuilder line = new StringBuilder(256);
                    ready.countDown();
                    go.await();
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int n = 0; n < perClient; n++) {
                        out.write(request);
                        out.flush();
                        bodyBytes.set(readResponse(in, body, line));
                    }
                    clientBytes.addAndGet(mx.getCurrentThreadAllocatedBytes() - before);
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    done.countDown();
                }
            }));
        }
        ready.await();
        long allBefore = mx.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        go.countDown();
        done.await();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        long allAfter = mx.getTotalThreadAllocatedBytes();
        for (Thread t : threads) t.join();
        if (!errors.isEmpty()) throw new IllegalStateException("scrape failed", errors.get(0));
        return new Result((long) clients * perClient, allAfter - allBefore - clientBytes.get(), Math.max(1, millis), bodyBytes.get());
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked) into {@code body}; returns the body length. */
    private static int readResponse(InputStream in, byte[] body, StringBuilder line) throws IOException {
        String status = readLine(in, line);
        if (!status.startsWith("HTTP/1.1 200")) throw new IOException("unexpected status line: " + status);
        int length = -1;
        boolean chunked = false;
        for (String h = readLine(in, line); !h.isEmpty(); h = readLine(in, line)) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        if (!chunked) {
            readFully(in, body, 0, length);
            return length;
        }
        int total = 0;
        for (int size = Integer.parseInt(readLine(in, line).trim(), 16); size > 0; size = Integer.parseInt(readLine(in, line).trim(), 16)) {
            readFully(in, body, total, size);
            total += size;
            readLine(in, line);
        }
        readLine(in, line);
        return total;
    }

    private static void readFully(InputStream in, byte[] buf, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(buf, off, len);
            if (n < 0) throw new IOException("connection closed mid-body");
            off += n;
            len -= n;
        }
    }

    private static String readLine(InputStream in, StringBuilder line) throws IOException {
        line.setLength(0);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    private static final class NoAdmin implements AdminOperations {
        @Override public Object poolsStatus() { return null; }
        @Override public Object poolsDrain() { return null; }
        @Override public Object poolsRefresh() { return null; }
        @Override public Object pause() { return null; }
        @Override public Object resume() { return null; }
        @Override public Object servicesStatus() { return null; }
        @Override public com.fasterxml.jackson.databind.JsonNode config() { return null; }
        @Override public Object reloadConfig() { return null; }
        @Override public Object pendingSwaps(int limit) { return null; }
        @Override public Object swap(String hashlockHex) { return null; }
    }
}
