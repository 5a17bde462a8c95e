package io.evmore.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.engine.RelayEngine.Intake;
import io.evmore.core.policy.Confirmations;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.TimelockPolicy;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's gate: pause stops intake only, resume takes it again, stop is final. */
class RelayEngineGateTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RelayEngine engine = new RelayEngine(clock, RelayMetrics.NONE, null, Map.of(),
            EngineSettings.defaults(new SwapValidator(List.of(), new TimelockPolicy(Map.of(), 0, 0, 1),
                    new Confirmations(Map.of()), Map.of())), Runnable::run);

    @Test
    void pauseRefusesIntakeAndSaysProtectiveWorkContinues() {
        var status = engine.pause("operator");
        assertThat(status.intake()).isEqualTo(Intake.PAUSED);
        assertThat(status.note()).contains("claims and refunds that protect funds keep running");
        assertThat(status.protectiveWorkRunning()).isTrue();
        assertThat(engine.acceptsIntake()).isFalse();
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
    void stopIsFinal() {
        assertThat(engine.stop(Duration.ofSeconds(1))).isTrue();
        assertThat(engine.resume("x").intake()).isEqualTo(Intake.STOPPED);
        assertThat(engine.status().protectiveWorkRunning()).isFalse();
    }
}
