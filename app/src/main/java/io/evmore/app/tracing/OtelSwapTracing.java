package io.evmore.app.tracing;

import io.evmore.app.config.RelayerConfig;
import io.evmore.core.chain.ChainId;
import io.evmore.core.port.SwapTracing;
import io.evmore.core.swap.Swap;
import io.evmore.pool.TraceHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The relay engine's {@link SwapTracing} port on the OpenTelemetry SDK, exported over OTLP/HTTP (protobuf) with the
 * JDK's HttpClient: Jaeger, Tempo and the OpenTelemetry Collector accept it.
 *
 * <p><b>One trace per swap.</b> A swap's steps happen minutes apart, on different threads, possibly in different
 * processes (a restart): the trace id and the id of the swap's root span are derived from the swap id (SHA-256), so every
 * step of a swap lands in the same trace, each step span a child of the root. The root span ("swap …") is exported when
 * the swap finishes, with the swap's creation time as its start. Chain calls made inside a step are children of that
 * step's span; the HTTP requests they make carry the W3C {@code traceparent} of the chain call
 * ({@link TraceHeaders}).
 *
 * <p><b>Sampling</b> ({@code tracing.sampleRatio}) is decided once per swap from its trace id, so a swap is traced
 * entirely or not at all.
 *
 * <p><b>Nothing secret.</b> Attributes are ids, chains, states, amounts and hashes the chains publish; the swap's secret
 * is never passed to this class, and a failed call is recorded by its exception type only (an adapter's message could
 * quote a signed transaction, whose calldata holds the secret of a claim).
 */
public final class OtelSwapTracing implements SwapTracing, AutoCloseable {
    private static final AttributeKey<String> SWAP_ID = AttributeKey.stringKey("evmore.swap.id");
    private static final AttributeKey<String> SWAP_STATE = AttributeKey.stringKey("evmore.swap.state");
    private static final AttributeKey<String> FROM = AttributeKey.stringKey("evmore.swap.from_chain");
    private static final AttributeKey<String> TO = AttributeKey.stringKey("evmore.swap.to_chain");
    private static final AttributeKey<String> HASHLOCK = AttributeKey.stringKey("evmore.swap.hashlock");
    private static final AttributeKey<String> CHAIN = AttributeKey.stringKey("evmore.chain");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("evmore.chain.operation");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("evmore.swap.outcome");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> carrier.put(key, value);

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final Sampler ratio;
    private final SwapIds ids = new SwapIds();

    OtelSwapTracing(SpanExporter exporter, String serviceName, String serviceVersion, double sampleRatio, Duration exportDelay) {
        this.ratio = Sampler.traceIdRatioBased(sampleRatio);
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", serviceName).put("service.version", serviceVersion).build()));
        this.provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setIdGenerator(ids)
                // a step's parent is the swap's root (sampled or not by the ratio); the root itself by the ratio
                .setSampler(Sampler.parentBased(ratio))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(exportDelay).build())
                .build();
        this.tracer = provider.get("io.evmore.relayer");
    }

    /** Exporting to {@code tracing.otlpEndpoint} over OTLP/HTTP; installs the W3C trace headers for the chain adapters. */
    public static OtelSwapTracing start(RelayerConfig.Tracing c, String serviceVersion) {
        SpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(tracesUrl(c.otlpEndpoint()))
                .setTimeout(Duration.ofSeconds(10))
                .build();
        OtelSwapTracing t = new OtelSwapTracing(exporter, c.serviceName(), serviceVersion, c.sampleRatio(), Duration.ofSeconds(2));
        TraceHeaders.install(OtelSwapTracing::currentHeaders);
        return t;
    }

    /** The OTLP/HTTP traces URL: the endpoint as given when it names {@code /v1/traces}, else that path appended. */
    static String tracesUrl(String endpoint) {
        String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        return e.endsWith("/v1/traces") ? e : e + "/v1/traces";
    }

    /** W3C trace context of the current span (a chain call), for outgoing RPC requests. */
    static Map<String, String> currentHeaders() {
        if (!Span.current().getSpanContext().isValid()) return Map.of();
        Map<String, String> h = new LinkedHashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.current(), h, SETTER);
        return h;
    }

    @Override
    public Step step(Swap swap) {
        Span span = tracer.spanBuilder("step " + swap.state())
                .setParent(swapContext(swap.id()))
                .setAttribute(SWAP_ID, swap.id())
                .setAttribute(SWAP_STATE, swap.state().name())
                .setAttribute(FROM, swap.fromChain().value())
                .setAttribute(TO, swap.toChain().value())
                .setAttribute(HASHLOCK, swap.hashlock().hex())
                .startSpan();
        Scope scope = span.makeCurrent();
        return new Step() {
            @Override
            public void failed(Throwable error) {
                span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
                span.setAttribute(ERROR_TYPE, error.getClass().getName());
            }

            @Override
            public void close() {
                scope.close();
                span.end();
            }
        };
    }

    @Override
    public <T> T chainCall(ChainId chain, String operation, Map<String, String> attributes, Supplier<T> call) {
        if (!Span.current().getSpanContext().isValid()) return call.get(); // not inside a step: no trace to join
        var b = tracer.spanBuilder(chain.value() + " " + operation).setSpanKind(SpanKind.CLIENT)
                .setAttribute(CHAIN, chain.value()).setAttribute(OPERATION, operation);
        attributes.forEach((k, v) -> b.setAttribute("evmore." + k, v));
        Span span = b.startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return call.get();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            span.setAttribute(ERROR_TYPE, e.getClass().getName());
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public <T> Supplier<T> inCurrentStep(Supplier<T> call) {
        Context step = Context.current();
        return () -> {
            try (Scope ignored = step.makeCurrent()) {
                return call.get();
            }
        };
    }

    @Override
    public void swapFinished(Swap swap, String outcome) {
        String[] id = SwapIds.of(swap.id());
        Instant start = swap.createdAt().isBefore(swap.updatedAt()) ? swap.createdAt() : swap.updatedAt();
        Span root = ids.withIds(id[0], id[1], () -> tracer.spanBuilder("swap " + swap.fromChain() + " -> " + swap.toChain())
                .setNoParent()
                .setStartTimestamp(start.toEpochMilli(), TimeUnit.MILLISECONDS)
                .setAttribute(SWAP_ID, swap.id())
                .setAttribute(SWAP_STATE, swap.state().name())
                .setAttribute(OUTCOME, outcome)
                .setAttribute(FROM, swap.fromChain().value())
                .setAttribute(TO, swap.toChain().value())
                .setAttribute(HASHLOCK, swap.hashlock().hex())
                .startSpan());
        root.end(swap.updatedAt().toEpochMilli() < start.toEpochMilli() ? start.toEpochMilli() : swap.updatedAt().toEpochMilli(),
                TimeUnit.MILLISECONDS);
    }

    /** The swap's root span as the (not yet exported) parent of its steps, sampled by the swap's trace id. */
    private Context swapContext(String swapId) {
        String[] id = SwapIds.of(swapId);
        boolean sampled = ratio.shouldSample(Context.root(), id[0], "swap", SpanKind.INTERNAL, Attributes.empty(), List.of())
                .getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
        SpanContext root = SpanContext.create(id[0], id[1], sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault());
        return Context.root().with(Span.wrap(root));
    }

    /** Exports what is buffered (bounded). */
    public void flush() {
        provider.forceFlush().join(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        TraceHeaders.install(null);
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    /**
     * Span and trace ids: random, except for a swap's root span, whose ids are derived from the swap id so that its
     * steps (exported earlier, maybe by another process) already name it as their parent.
     */
    static final class SwapIds implements io.opentelemetry.sdk.trace.IdGenerator {
        private final io.opentelemetry.sdk.trace.IdGenerator random = io.opentelemetry.sdk.trace.IdGenerator.random();
        private final ThreadLocal<String[]> next = new ThreadLocal<>();

        /** {trace id (32 hex), root span id (16 hex)} of a swap. */
        static String[] of(String swapId) {
            try {
                byte[] h = MessageDigest.getInstance("SHA-256").digest(("evmore-swap:" + swapId).getBytes(StandardCharsets.UTF_8));
                HexFormat hex = HexFormat.of();
                String trace = hex.formatHex(h, 0, 16);
                String span = hex.formatHex(h, 16, 24);
                // all-zero ids are invalid (2^-128 and 2^-64): never in practice, but never invalid either
                if (trace.chars().allMatch(c -> c == '0')) trace = "0".repeat(31) + "1";
                if (span.chars().allMatch(c -> c == '0')) span = "0".repeat(15) + "1";
                return new String[] {trace, span};
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        <T> T withIds(String traceId, String spanId, Supplier<T> body) {
            next.set(new String[] {traceId, spanId});
            try {
                return body.get();
            } finally {
                next.remove();
            }
        }

        @Override
        public String generateSpanId() {
            String[] n = next.get();
            return n == null ? random.generateSpanId() : n[1];
        }

        @Override
        public String generateTraceId() {
            String[] n = next.get();
            return n == null ? random.generateTraceId() : n[0];
        }
    }
}
