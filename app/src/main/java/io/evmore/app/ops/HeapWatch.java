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
 * Warns when used heap exceeds a threshold (230 MB by default: 90% of the launcher's 256 MiB heap ceiling): once when it crosses, then at most every
 * {@link #REPEAT_EVERY_CHECKS} checks while it stays above, and once when it falls back.
 */
public final class HeapWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeapWatch.class);
    static final int REPEAT_EVERY_CHECKS = 10;

    private final LongSupplier usedBytes;
    private volatile long thresholdBytes;
    private boolean above;
    private int checksAbove;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> task;

    public HeapWatch(long thresholdMb) {
        this(thresholdMb, heapUsed());
    }

    HeapWatch(long thresholdMb, LongSupplier usedBytes) {
        this.usedBytes = usedBytes;
        setThresholdMb(thresholdMb);
    }

    private static LongSupplier heapUsed() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        return () -> mx.getHeapMemoryUsage().getUsed();
    }

    public void setThresholdMb(long mb) {
        this.thresholdBytes = mb * 1024 * 1024;
    }

    public synchronized void start(long intervalSeconds) {
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
