package io.evmore.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

/** A minimal CometBFT JSON-RPC client for the devnet tests. */
final class RpcClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;

    RpcClient(String url) {
        this.url = url;
    }

    /** The whole JSON-RPC response (result or error). */
    JsonNode call(String method, ObjectNode params) throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", method);
        req.set("params", params == null ? JSON.createObjectNode() : params);
        return post(req.toString());
    }

    JsonNode post(String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode result(String method, ObjectNode params) throws IOException, InterruptedException {
        JsonNode r = call(method, params);
        if (r.has("error")) {
            throw new AssertionError(method + " failed: " + r.get("error"));
        }
        return r.get("result");
    }

    JsonNode broadcast(byte[] tx) throws IOException, InterruptedException {
        return result("broadcast_tx_sync", JSON.createObjectNode().put("tx", Base64.getEncoder().encodeToString(tx)));
    }

    JsonNode abciQuery(String path, byte[] data) throws IOException, InterruptedException {
        return result("abci_query", JSON.createObjectNode().put("path", path).put("data", HexFormat.of().formatHex(data))
                .put("height", "0").put("prove", false)).get("response");
    }
}
