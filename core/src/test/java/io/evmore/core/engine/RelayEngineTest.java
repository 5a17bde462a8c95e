package io.evmore.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.engine.RelayEngine.Intake;
import io.evmore.core.engine.RelayEngine.WorkKind;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RelayEngineTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RelayEngine engine = new RelayEngine(clock, RelayMetrics.NONE);

    @Test
    void pauseRefusesIntakeButRunsProtectiveWork() throws Exception {
        engine.pause("operator");
        assertThat(engine.status().intake()).isEqualTo(Intake.PAUSED);
        assertThat(engine.status().note()).contains("claims and refunds");
        assertThat(engine.submit(WorkKind.INTAKE, () -> {})).isFalse();

        CountDownLatch ran = new CountDownLatch(1);
        assertThat(engine.submit(WorkKind.PROTECTIVE, ran::countDown)).isTrue();
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void resumeTakesIntakeAgainAndRecordsWhen() {
        engine.pause("operator");
        clock.advance(Duration.ofMinutes(5));
        var status = engine.resume("operator");
        assertThat(status.intake()).isEqualTo(Intake.RUNNING);
        assertThat(status.since()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(engine.acceptsIntake()).isTrue();
    }

    @Test
    void stopWaitsForInFlightWorkThenRefusesEverything() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        engine.submit(WorkKind.PROTECTIVE, () -> {
            started.countDown();
            sleep(200);
            finished.incrementAndGet();
        });
        started.await(5, TimeUnit.SECONDS);
        assertThat(engine.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(finished.get()).isEqualTo(1);
        assertThat(engine.submit(WorkKind.PROTECTIVE, () -> {})).isFalse();
        assertThat(engine.resume("x").intake()).isEqualTo(Intake.STOPPED);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
