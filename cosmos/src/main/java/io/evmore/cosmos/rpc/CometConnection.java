package io.evmore.cosmos.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.core.error.TransientException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON-RPC 2.0 over HTTP POST to one CometBFT endpoint. Transport failures and non-JSON answers are
 * {@link TransientException}s (the pool charges the endpoint and fails over); a JSON-RPC error object is a
 * {@link CometRpcException}. The endpoint name, never its url (it may carry an API key), goes into messages.
 */
public final class CometConnection {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();
    private final String name;
    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;

    public CometConnection(String name, URI uri, HttpClient http, Duration timeout) {
        this.name = name;
        this.uri = uri;
        this.http = http;
        this.timeout = timeout;
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
        HttpResponse<String> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req))).build(),
                    HttpResponse.BodyHandlers.ofString());
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

    private String redact(String message) {
        return message.replace(uri.toString(), "<" + name + ">");
    }

    @Override
    public String toString() {
        return "CometConnection[" + name + "]";
    }
}
