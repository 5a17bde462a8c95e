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
}
