package io.evmore.cosmos.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.core.error.TransientException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON-RPC 2.0 over HTTP POST to one CometBFT endpoint. Transport failures and non-JSON answers are
 * {@link TransientException}s (the pool charges the endpoint and fails over); a JSON-RPC error object is a
 * {@link CometRpcException}. The endpoint name, never its url (it may carry an API key), goes into messages.
 */
public final class CometConnection {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();
    /**
     * Default bound on one answer. Large {@code block_results} stay far below it; without a bound a broken or
     * hostile endpoint could exhaust the relayer's memory with one answer.
     */
    public static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;
    private final String name;
    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;
    private final int maxAnswerBytes;

    public CometConnection(String name, URI uri, HttpClient http, Duration timeout) {
        this(name, uri, http, timeout, MAX_ANSWER_BYTES);
    }

    /** @param maxAnswerBytes a longer answer is a transport failure (the node is broken or hostile) */
    public CometConnection(String name, URI uri, HttpClient http, Duration timeout, int maxAnswerBytes) {
        if (maxAnswerBytes < 1) throw new IllegalArgumentException("maxAnswerBytes must be >= 1");
        this.name = name;
        this.uri = uri;
        this.http = http;
        this.timeout = timeout;
        this.maxAnswerBytes = maxAnswerBytes;
    }

    public String name() {
        return name;
    }

    /** The endpoint's base URI (for the websocket at {@code /websocket}). */
    public URI uri() {
        return uri;
    }

    /** Calls {@code method}; returns the {@code result} node. */
    public JsonNode call(String method, ObjectNode params) {
        long id = IDS.incrementAndGet();
        ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        req.set("params", params == null ? JSON.createObjectNode() : params);
        HttpResponse<byte[]> resp;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req)));
            io.evmore.pool.TraceHeaders.current().forEach(request::header); // W3C traceparent when tracing is on
            resp = http.send(request.build(), info -> new BoundedBody(maxAnswerBytes));
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
            // no connection, so nothing reached the node: a broadcast may be tried on another endpoint
            throw new io.evmore.pool.RequestNotSentException("CometBFT RPC " + method + " on " + name + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + redact(e.getMessage())));
        } catch (IOException e) {
            throw new TransientException("CometBFT RPC " + method + " on " + name + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + redact(e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientException("interrupted during CometBFT RPC " + method + " on " + name);
        }
        JsonNode body;
        try {
            body = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new TransientException("CometBFT RPC " + method + " on " + name + ": HTTP " + resp.statusCode()
                    + " with a body that is not JSON");
        }
        if (body == null || !body.isObject()) {
            throw new TransientException("CometBFT RPC " + method + " on " + name + ": HTTP " + resp.statusCode()
                    + " with no JSON-RPC envelope");
        }
        JsonNode err = body.get("error");
        if (err != null && !err.isNull()) {
            throw new CometRpcException(method, err.path("code").asInt(), err.path("message").asText(""),
                    err.hasNonNull("data") ? err.get("data").asText() : null);
        }
        JsonNode result = body.get("result");
        if (result == null || result.isNull()) {
            throw new TransientException("CometBFT RPC " + method + " on " + name + ": HTTP " + resp.statusCode()
                    + " without result");
        }
        return result;
    }

    /** Collects the answer's bytes, failing (and cancelling the download) once it exceeds the bound. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("answer larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }

    private String redact(String message) {
        return message.replace(uri.toString(), "<" + name + ">");
    }

    @Override
    public String toString() {
        return "CometConnection[" + name + "]";
    }
}
