package io.evmore.app.monitoring;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A minimal OTLP/HTTP trace receiver on 127.0.0.1: decodes each POST /v1/traces ({@code application/x-protobuf}, gzip or
 * not) with the protocol's generated classes and keeps every span with its resource's attributes. What a collector or
 * Jaeger receives, byte for byte.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One received span: ids in lowercase hex ("" for no parent), its attributes and its resource's, as strings. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, long startNanos, long endNanos,
            Map<String, String> attributes, Map<String, String> resource, int statusCode) {}

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new ArrayList<>();
    private final List<String> contentTypes = new ArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                        body = gz.readAllBytes();
                    }
                }
                ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(body);
                synchronized (spans) {
                    contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                    for (ResourceSpans rs : req.getResourceSpansList()) {
                        Map<String, String> resource = attributes(rs.getResource().getAttributesList());
                        for (ScopeSpans ss : rs.getScopeSpansList()) {
                            for (var s : ss.getSpansList()) {
                                spans.add(new ReceivedSpan(hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
                                        hex(s.getParentSpanId().toByteArray()), s.getName(), s.getStartTimeUnixNano(),
                                        s.getEndTimeUnixNano(), attributes(s.getAttributesList()), resource, s.getStatus().getCodeValue()));
                            }
                        }
                    }
                }
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) exchange.getResponseBody().write(answer);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            }
        });
        server.start();
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Map<String, String> attributes(List<KeyValue> kvs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (KeyValue kv : kvs) m.put(kv.getKey(), text(kv.getValue()));
        return m;
    }

    private static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            default -> v.toString();
        };
    }

    /** http://127.0.0.1:PORT, what tracing.otlpEndpoint names. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedSpan> spans() {
        synchronized (spans) {
            return List.copyOf(spans);
        }
    }

    public List<String> contentTypes() {
        synchronized (spans) {
            return List.copyOf(contentTypes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
