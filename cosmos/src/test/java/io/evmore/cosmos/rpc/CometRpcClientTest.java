package io.evmore.cosmos.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.evmore.core.error.TransientException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against canned CometBFT 0.38 answers (shapes from COSMOS_WIRE §1) served over real HTTP by a JDK
 * server on 127.0.0.1, so the JSON-RPC envelope and error paths are exercised too.
 */
class CometRpcClientTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final Map<String, String> answers = new ConcurrentHashMap<>();
    final List<JsonNode> requests = new ArrayList<>();
    HttpServer server;
    HttpClient http;
    CometRpcClient client;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            synchronized (requests) {
                requests.add(req);
            }
            String result = answers.get(req.path("method").asText());
            String body = result == null
                    ? "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}"
                    : result.startsWith("ERROR:") ? "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id")
                            + ",\"error\":{\"code\":-32603,\"message\":\"Internal error\",\"data\":\"" + result.substring(6) + "\"}}"
                    : "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + result + "}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        http = HttpClient.newHttpClient();
        client = new CometRpcClient(PooledCometTransport.direct(
                new CometConnection("test", uri, http, Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.shutdownNow();
    }

    @Test
    void anAnswerLargerThanTheBoundIsATransportFailureNotAnOutOfMemory() {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        CometRpcClient small = new CometRpcClient(PooledCometTransport.direct(
                new CometConnection("small", uri, http, Duration.ofSeconds(5), 4096)));
        String status = "{\"node_info\":{\"network\":\"devnet-1\",\"version\":\"" + "x".repeat(10_000)
                + "\"},\"sync_info\":{\"latest_block_hash\":\"" + "AB".repeat(32) + "\",\"latest_block_height\":\"42\","
                + "\"latest_block_time\":\"2026-01-01T00:00:01Z\"}}";
        answers.put("status", status);
        assertThatThrownBy(small::status).isInstanceOf(TransientException.class)
                .hasMessageContaining("larger than 4096 bytes").hasMessageContaining("on small");
        assertThat(client.status().latestHeight()).isEqualTo(42); // the default bound takes it
    }

    @Test
    void parsesStatusWithInt64Strings() {
        answers.put("status", "{\"node_info\":{\"network\":\"devnet-1\",\"version\":\"0.38.17\"},\"sync_info\":{"
                + "\"latest_block_hash\":\"" + "AB".repeat(32) + "\",\"latest_block_height\":\"42\","
                + "\"latest_block_time\":\"2026-01-01T00:00:01.5Z\",\"catching_up\":false}}");
        var s = client.status();
        assertThat(s.chainId()).isEqualTo("devnet-1");
        assertThat(s.latestHeight()).isEqualTo(42);
        assertThat(s.latestBlockTime().toString()).isEqualTo("2026-01-01T00:00:01.500Z");
        // int64 as a JSON number is not what CometBFT sends: rejected with the field named.
        answers.put("status", "{\"node_info\":{\"network\":\"devnet-1\"},\"sync_info\":{\"latest_block_height\":42}}");
        assertThatThrownBy(client::status).isInstanceOf(TransientException.class)
                .hasMessageContaining("latest_block_height");
    }

    @Test
    void parsesBlockAndComputesTxHashes() {
        byte[] tx = "hello".getBytes(StandardCharsets.UTF_8);
        answers.put("block", "{\"block_id\":{\"hash\":\"" + "CD".repeat(32) + "\",\"parts\":{\"total\":1}},\"block\":{"
                + "\"header\":{\"height\":\"7\",\"time\":\"2026-01-01T00:00:00Z\",\"last_block_id\":{\"hash\":\""
                + "AB".repeat(32) + "\"}},\"data\":{\"txs\":[\"" + Base64.getEncoder().encodeToString(tx) + "\"]}}}");
        var b = client.block(7);
        assertThat(b.hash()).isEqualTo("CD".repeat(32));
        assertThat(b.parentHash()).isEqualTo("AB".repeat(32));
        // sha256("hello")
        assertThat(b.txHashes()).containsExactly("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824");
        assertThat(requests.getLast().path("params").path("height").asText()).isEqualTo("7");
        assertThatThrownBy(() -> client.block(8)).hasMessageContaining("asked for 8");
    }

    @Test
    void parsesBlockResultsEventsAndNullData() {
        answers.put("block_results", "{\"height\":\"7\",\"txs_results\":[{\"code\":0,\"data\":null,\"log\":\"\","
                + "\"gas_wanted\":\"100\",\"gas_used\":\"90\",\"events\":[{\"type\":\"wasm\",\"attributes\":["
                + "{\"key\":\"method\",\"value\":\"refund\",\"index\":true}]}],\"codespace\":\"\"},"
                + "{\"code\":5,\"codespace\":\"wasm\",\"log\":\"boom\",\"data\":\"AQ==\",\"events\":[]}],"
                + "\"finalize_block_events\":[{\"type\":\"acknowledge_packet\",\"attributes\":[]}],\"app_hash\":\"\"}");
        var r = client.blockResults(7);
        assertThat(r.txResults()).hasSize(2);
        assertThat(r.txResults().get(0).events().get(0).attr("method")).contains("refund");
        assertThat(r.txResults().get(0).gasUsed()).isEqualTo(90);
        assertThat(r.txResults().get(1).ok()).isFalse();
        assertThat(r.txResults().get(1).data()).containsExactly(1);
        assertThat(r.finalizeBlockEvents()).extracting(AbciEvent::type).containsExactly("acknowledge_packet");
    }

    @Test
    void txNotFoundIsEmptyAndOtherRpcErrorsAreTyped() {
        answers.put("tx", "ERROR:tx (" + "AB".repeat(32) + ") not found");
        assertThat(client.tx("AB".repeat(32))).isEmpty();
        assertThat(requests.getLast().path("params").path("hash").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex("AB".repeat(32))));
        answers.put("broadcast_tx_sync", "ERROR:tx already exists in cache");
        assertThatThrownBy(() -> client.broadcastTxSync(new byte[] {1})).isInstanceOfSatisfying(CometRpcException.class,
                e -> assertThat(e.text()).contains("tx already exists in cache"));
        // Node text reaches our messages bounded and on one line (a forged log line stays inside ours).
        answers.put("broadcast_tx_sync", "ERROR:boom\\nERROR fake line " + "x".repeat(2000));
        assertThatThrownBy(() -> client.broadcastTxSync(new byte[] {1})).isInstanceOfSatisfying(CometRpcException.class,
                e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").contains("boom?ERROR fake line").hasSizeLessThan(1200);
                    assertThat(e.data()).hasSize(501);
                });
    }

    @Test
    void abciQueryAndBroadcast() {
        answers.put("abci_query", "{\"response\":{\"code\":22,\"log\":\"account x not found\",\"info\":\"\","
                + "\"index\":\"0\",\"key\":null,\"value\":null,\"proofOps\":null,\"height\":\"9\",\"codespace\":\"sdk\"}}");
        var q = client.abciQuery("/cosmos.auth.v1beta1.Query/Account", new byte[] {10, 1, 65}, 0);
        assertThat(q.code()).isEqualTo(22);
        assertThat(q.value()).isEmpty();
        assertThat(q.height()).isEqualTo(9);
        assertThat(requests.getLast().path("params").path("data").asText()).isEqualTo("0a0141");
        answers.put("broadcast_tx_sync", "{\"code\":32,\"data\":\"\",\"log\":\"account sequence mismatch, expected 5, "
                + "got 4: incorrect account sequence\",\"codespace\":\"sdk\",\"hash\":\"" + "ef".repeat(32) + "\"}");
        var b = client.broadcastTxSync(new byte[] {1, 2});
        assertThat(b.code()).isEqualTo(32);
        assertThat(b.hash()).isEqualTo("EF".repeat(32));
        assertThat(requests.getLast().path("params").path("tx").asText()).isEqualTo("AQI=");
    }

    @Test
    void nonJsonAnswerIsTransient() {
        server.removeContext("/");
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(502, 3);
            ex.getResponseBody().write("bad".getBytes());
            ex.close();
        });
        assertThatThrownBy(client::status).isInstanceOf(TransientException.class).hasMessageContaining("HTTP 502")
                .hasMessageNotContaining("127.0.0.1");
    }
}
