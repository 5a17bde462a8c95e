package io.evmore.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HeapWatchTest {
    @Test
    void warnsOnCrossingThenOnlyPeriodicallyWhileAbove() {
        AtomicLong used = new AtomicLong(100L << 20);
        HeapWatch watch = new HeapWatch(500, used::get);
        assertThat(watch.check()).isFalse();
        used.set(600L << 20);
        assertThat(watch.check()).isTrue();
        int warnings = 0;
        for (int i = 0; i < HeapWatch.REPEAT_EVERY_CHECKS; i++) {
            if (watch.check()) warnings++;
        }
        assertThat(warnings).isEqualTo(1);
        used.set(100L << 20);
        assertThat(watch.check()).isFalse();
        used.set(600L << 20);
        assertThat(watch.check()).isTrue();
    }

    @Test
    void thresholdCanChangeAtRunTime() {
        AtomicLong used = new AtomicLong(600L << 20);
        HeapWatch watch = new HeapWatch(500, used::get);
        watch.setThresholdMb(1000);
        assertThat(watch.check()).isFalse();
    }

    /** Under a 256 MiB heap the default 500 MB could never be reached: the watch warns at 90% of the heap instead. */
    @Test
    void aThresholdTheHeapCannotReachIsLoweredToNinetyPercentOfTheMaximumHeap() {
        AtomicLong used = new AtomicLong(200L << 20);
        HeapWatch watch = new HeapWatch(500, used::get, 256L << 20);
        assertThat(watch.thresholdBytes()).isEqualTo((long) ((256L << 20) * 0.9));
        assertThat(watch.check()).isFalse();
        used.set(240L << 20); // above 230.4 MiB, far below 500 MB
        assertThat(watch.check()).isTrue();
        // a reachable threshold is kept as configured, also when changed at run time
        watch.setThresholdMb(100);
        assertThat(watch.thresholdBytes()).isEqualTo(100L << 20);
        HeapWatch big = new HeapWatch(500, used::get, 1024L << 20);
        assertThat(big.thresholdBytes()).isEqualTo(500L << 20);
    }

    /**
     * The watch is built before the relayer's logging is set up (production logs are JSON lines), so the lowered
     * threshold is said when it starts, not when it is built: a plain line before that broke PostgresRelayerIT's check
     * that every production log line is JSON.
     */
    @Test
    void theLoweredThresholdIsSaidAtStartNotWhenBuilt() {
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(HeapWatch.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        try (HeapWatch watch = new HeapWatch(500, () -> 0L, 256L << 20)) {
            assertThat(lines.list).isEmpty();
            watch.start(3600);
            assertThat(lines.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("heap.warnThresholdMb 500 MB is above 90% of the JVM's maximum heap (256 MiB)"));
            watch.start(3600); // a restart of the schedule says nothing new
            assertThat(lines.list).hasSize(1);
        } finally {
            logger.detachAppender(lines);
        }
    }
}
