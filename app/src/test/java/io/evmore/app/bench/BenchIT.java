package io.evmore.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small {@code ./evmore bench} run end to end — the local chains, the relayer as its own process, swappers both
 * ways, catch-up — with a warm-up: every swap completes, every required field is written, and the reaction figures
 * count the measured swaps alone (each swap journals one first counter-lock and one first source claim).
 */
class BenchIT {
    @Test
    void aSmallRunWithAWarmUpCompletesEverySwapAndReportsOnlyTheMeasuredSwapsReactions(@TempDir Path dir) throws Exception {
        List<String> said = new CopyOnWriteArrayList<>();
        ObjectNode r = new Bench(new Bench.Options(4, 2, Bench.Direction.BOTH, dir, 1, 0, 20, 0, "256m", null, 6), said::add).run();

        assertThat(r.path("swaps_completed").asInt()).as("measured swaps; the bench said:\n%s", String.join("\n", said)).isEqualTo(4);
        for (String field : BenchReport.REQUIRED) assertThat(r.has(field)).as(field).isTrue();
        JsonNode warmup = r.path("warmup");
        assertThat(warmup.path("swaps_completed").asInt()).isEqualTo(6);
        assertThat(warmup.path("reaction_ms").path("counter_lock").path("count").asLong()).isEqualTo(6);
        assertThat(warmup.path("reaction_ms").path("source_claim").path("count").asLong()).isEqualTo(6);
        assertThat(r.path("reaction_ms").path("counter_lock").path("count").asLong()).as("the measured swaps' alone").isEqualTo(4);
        assertThat(r.path("reaction_ms").path("source_claim").path("count").asLong()).isEqualTo(4);
        assertThat(r.path("reaction_ms").path("counter_lock").path("p50").asDouble()).isPositive();
        assertThat(BenchReport.markdown(r)).contains("6 warm-up swaps (6 at once, 6 completed)");
    }
}
