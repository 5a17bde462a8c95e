package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.SwapState;
import io.evmore.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RetentionJobTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    /** Records the cutoffs it is asked to delete before; fails the first {@code failures} calls. */
    static final class RecordingSwapStore implements SwapStore {
        final List<Instant> cutoffs = new CopyOnWriteArrayList<>();
        final CountDownLatch calls;
        int failures;

        RecordingSwapStore(int expectedCalls, int failures) {
            this.calls = new CountDownLatch(expectedCalls);
            this.failures = failures;
        }

        @Override
        public <T> T inTransaction(Function<Tx, T> work) {
            throw new UnsupportedOperationException("not used by the retention job");
        }

        @Override
        public synchronized int deleteTerminalBefore(Instant cutoff) {
            cutoffs.add(cutoff);
            calls.countDown();
            if (failures-- > 0) throw new IllegalStateException("database briefly down");
            return 3;
        }

        @Override
        public Map<SwapState, Long> countByState() {
            return Map.of();
        }
    }

    @Test
    void runOnceDeletesBeforeNowMinusTheRetentionPeriod() {
        RecordingSwapStore store = new RecordingSwapStore(1, 0);
        RetentionJob job = new RetentionJob(store, new ManualClock(NOW));

        assertThat(job.runOnce()).isEqualTo(3);
        assertThat(store.cutoffs).containsExactly(NOW.minus(Duration.ofDays(30)));
        assertThat(job.retention()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void scheduleKeepsRunningAfterAFailedPass() throws InterruptedException {
        RecordingSwapStore store = new RecordingSwapStore(3, 1);
        ManualClock clock = new ManualClock(NOW);
        try (RetentionJob job = new RetentionJob(store, clock, Duration.ofDays(7), Duration.ofMillis(20))) {
            job.start();
            assertThat(store.calls.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(store.cutoffs).hasSizeGreaterThanOrEqualTo(3).allMatch(c -> c.equals(NOW.minus(Duration.ofDays(7))));
    }

    @Test
    void periodsMustBePositive() {
        RecordingSwapStore store = new RecordingSwapStore(0, 0);
        ManualClock clock = new ManualClock(NOW);
        assertThatThrownBy(() -> new RetentionJob(store, clock, Duration.ZERO, Duration.ofHours(1)))
                .hasMessageContaining("retention period");
        assertThatThrownBy(() -> new RetentionJob(store, clock, Duration.ofDays(1), Duration.ofSeconds(-1)))
                .hasMessageContaining("retention interval");
    }
}
