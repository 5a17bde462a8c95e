package io.evmore.app.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthRegistryTest {
    @Test
    void allUpIsUp() {
        HealthRegistry h = new HealthRegistry(1_000);
        h.register("database", () -> HealthCheck.Result.up("sqlite"));
        h.register("engine", () -> HealthCheck.Result.up("running"));
        HealthRegistry.Report r = h.check();
        assertThat(r.up()).isTrue();
        assertThat(r.components()).containsOnlyKeys("database", "engine");
    }

    @Test
    void aHungOrThrowingCheckIsDownAndNamedWithoutHangingTheEndpoint() {
        HealthRegistry h = new HealthRegistry(300);
        // Hung the way a blocked socket read is: it ignores interruption.
        h.register("database", () -> {
            long until = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ignored) {
                    // keep hanging
                }
            }
            return HealthCheck.Result.up("never");
        });
        h.register("pools", () -> { throw new IllegalStateException("no endpoint"); });
        h.register("engine", () -> HealthCheck.Result.up("running"));
        long start = System.nanoTime();
        HealthRegistry.Report r = h.check();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.up()).isFalse();
        assertThat(r.components().get("database").up()).isFalse();
        assertThat(r.components().get("database").detail()).contains("timed out after 300 ms");
        assertThat(r.components().get("pools").detail()).isEqualTo("IllegalStateException: no endpoint");
        assertThat(r.components().get("engine").up()).isTrue();
        // Not a performance claim: only that the 20 s check was abandoned rather than awaited.
        assertThat(tookMs).isLessThan(10_000);
    }
}
