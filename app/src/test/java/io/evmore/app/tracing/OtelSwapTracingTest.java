package io.evmore.app.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.app.config.ConfigException;
import io.evmore.app.config.ConfigLoader;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.SwapTracing;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The OpenTelemetry side of the port, with an exporter that keeps what it is given (no network). */
class OtelSwapTracingTest {
    static final class Keep implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    static Swap swap(String id, SwapState state) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new Swap(id, ChainId.of("eip155:1"), ChainId.of("osmosis-1"), "0x" + "ab".repeat(32), null,
                Hashlock.fromHex("cd".repeat(32)), "0x" + "11".repeat(20), "osmo1x", "0x" + "00".repeat(20), BigInteger.TEN, null, null,
                t.getEpochSecond() + 3600, 0, state, t, t.plusSeconds(30));
    }

    private static void runSwap(SwapTracing t, String id) {
        try (SwapTracing.Step step = t.step(swap(id, SwapState.DETECTED))) {
            t.chainCall(ChainId.of("eip155:1"), "query", Map.of("htlc.id", "x"), () -> 1);
        }
        t.swapFinished(swap(id, SwapState.COMPLETED), "completed");
    }

    @Test
    void aSwapIsOneTraceWhoseStepsHangUnderItsRootAndChainCallsUnderTheirStep() {
        Keep keep = new Keep();
        try (OtelSwapTracing t = new OtelSwapTracing(keep, "evmore-relayer", "test", 1.0, Duration.ofMillis(10))) {
            runSwap(t, "eip155:1/0x01");
            t.chainCall(ChainId.of("eip155:1"), "balance", Map.of(), () -> 2); // outside a step: no span
            t.flush();
        }
        assertThat(keep.spans).extracting(SpanData::getName).containsExactlyInAnyOrder("step DETECTED", "eip155:1 query",
                "swap eip155:1 -> osmosis-1");
        String[] ids = OtelSwapTracing.SwapIds.of("eip155:1/0x01");
        assertThat(keep.spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(ids[0]));
        SpanData root = keep.spans.stream().filter(s -> s.getName().startsWith("swap")).findFirst().orElseThrow();
        SpanData step = keep.spans.stream().filter(s -> s.getName().startsWith("step")).findFirst().orElseThrow();
        SpanData call = keep.spans.stream().filter(s -> s.getName().endsWith("query")).findFirst().orElseThrow();
        assertThat(root.getSpanId()).isEqualTo(ids[1]);
        assertThat(root.getParentSpanContext().isValid()).isFalse();
        assertThat(root.getStartEpochNanos()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1_000_000);
        assertThat(step.getParentSpanId()).isEqualTo(root.getSpanId());
        assertThat(call.getParentSpanId()).isEqualTo(step.getSpanId());
    }

    @Test
    void aReadTheStepMakesOnAnotherThreadIsStillACallUnderThatStep() throws Exception {
        Keep keep = new Keep();
        try (OtelSwapTracing t = new OtelSwapTracing(keep, "evmore-relayer", "test", 1.0, Duration.ofMillis(10))) {
            try (SwapTracing.Step step = t.step(swap("eip155:1/0x02", SwapState.DETECTED))) {
                java.util.function.Supplier<Integer> read = t.inCurrentStep(
                        () -> t.chainCall(ChainId.of("eip155:1"), "latestBlockTime", Map.of(), () -> 3));
                try (var other = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    assertThat(other.submit(read::get).get()).isEqualTo(3);
                }
            }
            t.flush();
        }
        SpanData step = keep.spans.stream().filter(s -> s.getName().startsWith("step")).findFirst().orElseThrow();
        assertThat(keep.spans).filteredOn(s -> s.getName().endsWith("latestBlockTime")).singleElement()
                .satisfies(call -> assertThat(call.getParentSpanId()).isEqualTo(step.getSpanId()));
    }

    @Test
    void aSampleRatioOfZeroExportsNothing() {
        Keep keep = new Keep();
        try (OtelSwapTracing t = new OtelSwapTracing(keep, "evmore-relayer", "test", 0.0, Duration.ofMillis(10))) {
            for (int i = 0; i < 20; i++) runSwap(t, "eip155:1/0x" + i);
            t.flush();
        }
        assertThat(keep.spans).isEmpty();
    }

    @Test
    void theSampleRatioIsValidatedAndTheOtlpPathAppended() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("tracing: {sampleRatio: 1.5}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.sampleRatio");
        assertThat(ConfigLoader.fromYaml("tracing: {sampleRatio: 0.25}\n", Map.of()).tracing().sampleRatio()).isEqualTo(0.25);
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http: {port: 3000, metricsPort: 3000}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.metricsPort");
        assertThat(OtelSwapTracing.tracesUrl("http://jaeger:4318")).isEqualTo("http://jaeger:4318/v1/traces");
        assertThat(OtelSwapTracing.tracesUrl("http://c:4318/v1/traces")).isEqualTo("http://c:4318/v1/traces");
    }
}
