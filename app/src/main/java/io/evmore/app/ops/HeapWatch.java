package io.evmore.app.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when used heap exceeds a threshold ({@code heap.warnThresholdMb}, 500 MB by default): once when it crosses, then
 * at most every {@link #REPEAT_EVERY_CHECKS} checks while it stays above, and once when it falls back. A threshold the
 * heap can never reach (at or above 90% of the JVM's maximum heap, e.g. 500 MB under {@code ./evmore run}'s 256 MiB) is
 * lowered to 90% of that maximum, with one INFO line saying so: a watch that cannot fire watches nothing.
 */
public final class HeapWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeapWatch.class);
    static final int REPEAT_EVERY_CHECKS = 10;

    /** Of every threshold, at most this share of the maximum heap. */
    static final double MAX_HEAP_SHARE = 0.9;

    private final LongSupplier usedBytes;
    /** The JVM's maximum heap, or -1 when it has none. */
    private final long maxHeapBytes;
    private volatile long thresholdBytes;
    private volatile long configuredMb;
    private boolean above;
    private int checksAbove;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> task;

    public HeapWatch(long thresholdMb) {
        this(thresholdMb, heapUsed(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax());
    }

    HeapWatch(long thresholdMb, LongSupplier usedBytes) {
        this(thresholdMb, usedBytes, -1);
    }

    HeapWatch(long thresholdMb, LongSupplier usedBytes, long maxHeapBytes) {
        this.usedBytes = usedBytes;
        this.maxHeapBytes = maxHeapBytes;
        // Built before the relayer's logging is set up (production: JSON lines): a lowered threshold is said at start().
        apply(thresholdMb, false);
    }

    private static LongSupplier heapUsed() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        return () -> mx.getHeapMemoryUsage().getUsed();
    }

    public void setThresholdMb(long mb) {
        apply(mb, true);
    }

    private void apply(long mb, boolean say) {
        long wanted = mb * 1024 * 1024;
        long reachable = effectiveThresholdBytes(mb, maxHeapBytes);
        configuredMb = mb;
        if (wanted > reachable && say) {
            log.info("heap.warnThresholdMb {} MB is above {}% of the JVM's maximum heap ({} MiB): warning above {} MB instead"
                    + " (raise the heap with EVMORE_HEAP_MAX to watch a higher threshold)", mb, Math.round(MAX_HEAP_SHARE * 100),
                    maxHeapBytes >> 20, reachable >> 20);
        }
        this.thresholdBytes = Math.min(wanted, reachable);
    }

    /** The threshold the watch uses for {@code mb} under a maximum heap of {@code maxHeapBytes} (-1: none). */
    public static long effectiveThresholdBytes(long mb, long maxHeapBytes) {
        long wanted = mb * 1024 * 1024;
        return maxHeapBytes > 0 ? Math.min(wanted, (long) (maxHeapBytes * MAX_HEAP_SHARE)) : wanted;
    }

    /** The threshold in force, in bytes. */
    long thresholdBytes() {
        return thresholdBytes;
    }

    public synchronized void start(long intervalSeconds) {
        if (task == null && thresholdBytes < configuredMb * 1024 * 1024) apply(configuredMb, true); // say it once, now
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("heap-watch").factory());
        }
        if (task != null) task.cancel(false);
        task = scheduler.scheduleAtFixedRate(this::check, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    /** One check; returns true if a warning was logged. */
    synchronized boolean check() {
        long used = usedBytes.getAsLong();
        long limit = thresholdBytes;
        if (used > limit) {
            boolean warn = !above || ++checksAbove % REPEAT_EVERY_CHECKS == 0;
            if (!above) checksAbove = 0;
            above = true;
            if (warn) {
                log.warn("High memory usage detected: heap used {} MB exceeds the {} MB threshold", used >> 20, limit >> 20);
            }
            return warn;
        }
        if (above) {
            log.info("Heap usage back to {} MB, below the {} MB threshold", used >> 20, limit >> 20);
        }
        above = false;
        return false;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) scheduler.shutdownNow();
        scheduler = null;
        task = null;
    }
}
