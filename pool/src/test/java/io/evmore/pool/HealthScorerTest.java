package io.evmore.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthScorerTest {
    private final PoolSettings settings = PoolSettings.ethereumDefaults()
            .withHeightChecks(5, Duration.ofMinutes(3)).withSlowLatency(Duration.ofMillis(500));
    private final HealthScorer scorer = new HealthScorer(settings, "1");

    private HealthScorer.Assessment assess(String chain, long height, long latencyMs, long best, long stalledSec, double errors) {
        return scorer.assess(new HealthProbe.Sample(chain, height), Duration.ofMillis(latencyMs), best,
                Duration.ofSeconds(stalledSec), errors);
    }

    @Test
    void fastCurrentRightChainIsHealthyWithFullScore() {
        var a = assess("1", 100, 20, 100, 0, 0);
        assertThat(a.state()).isEqualTo(EndpointState.HEALTHY);
        assertThat(a.score()).isEqualTo(100);
    }

    @Test
    void wrongChainIsUnhealthy() {
        var a = assess("5", 100, 20, 100, 0, 0);
        assertThat(a.state()).isEqualTo(EndpointState.UNHEALTHY);
        assertThat(a.reason()).contains("wrong chain id 5");
    }

    @Test
    void chainIdFromAHostileNodeCannotForgeLogLines() {
        var a = assess("5\n12:00:00 INFO all good" + "x".repeat(5000), 100, 20, 100, 0, 0);
        assertThat(a.state()).isEqualTo(EndpointState.UNHEALTHY);
        assertThat(a.reason()).doesNotContain("\n").doesNotContain("all good").hasSizeLessThan(100);
    }

    @Test
    void lagBeyondLimitIsUnhealthyWithinLimitCostsPoints() {
        assertThat(assess("1", 94, 20, 100, 0, 0).state()).isEqualTo(EndpointState.UNHEALTHY);
        var within = assess("1", 95, 20, 100, 0, 0);
        assertThat(within.state()).isEqualTo(EndpointState.HEALTHY);
        assertThat(within.score()).isEqualTo(80);
    }

    @Test
    void stalledHeightIsUnhealthyUnlessStallCheckDisabled() {
        assertThat(assess("1", 100, 20, 100, 180, 0).state()).isEqualTo(EndpointState.UNHEALTHY);
        assertThat(assess("1", 100, 20, 100, 179, 0).state()).isEqualTo(EndpointState.HEALTHY);
        var noStall = new HealthScorer(settings.withHeightChecks(5, Duration.ZERO), "1");
        assertThat(noStall.assess(new HealthProbe.Sample("1", 100), Duration.ofMillis(1), 100, Duration.ofDays(1), 0)
                .state()).isEqualTo(EndpointState.HEALTHY);
    }

    @Test
    void slownessAndErrorsDegrade() {
        assertThat(assess("1", 100, 750, 100, 0, 0).score()).isEqualTo(80);
        assertThat(assess("1", 100, 5000, 100, 0, 0).score()).isEqualTo(70);
        var slowAndFailing = assess("1", 100, 5000, 100, 0, 0.5);
        assertThat(slowAndFailing.score()).isEqualTo(50);
        assertThat(slowAndFailing.state()).isEqualTo(EndpointState.DEGRADED);
    }

    @Test
    void probeFailureIsUnhealthy() {
        assertThat(scorer.probeFailed("connection refused").state()).isEqualTo(EndpointState.UNHEALTHY);
    }
}
