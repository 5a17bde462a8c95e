package io.evmore.cosmos.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.evmore.core.error.PermanentException;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometConnection;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.PooledCometTransport;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Waiting for inclusion against a node whose {@code tx} lookups fail for a while (served over real HTTP by a JDK
 * server on 127.0.0.1): a failing lookup is not the transaction's failure.
 */
class InclusionWaitTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HASH = "AB".repeat(32);
    static final String INCLUDED = "{\"hash\":\"" + HASH + "\",\"height\":\"7\",\"index\":0,\"tx_result\":{\"code\":0,"
            + "\"data\":null,\"log\":\"\",\"gas_wanted\":\"100\",\"gas_used\":\"90\",\"events\":[]}}";
    final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger lookups = new AtomicInteger();
    HttpServer server;
    HttpClient http;
    CometRpcClient rpc;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            lookups.incrementAndGet();
            String body = failuresLeft.getAndDecrement() > 0
                    ? "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id")
                            + ",\"error\":{\"code\":-32603,\"message\":\"Internal error\",\"data\":\"indexer is busy\"}}"
                    : "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + INCLUDED + "}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        http = HttpClient.newHttpClient();
        rpc = new CometRpcClient(PooledCometTransport.direct(new CometConnection("test",
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), http, Duration.ofSeconds(5))));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.shutdownNow();
    }

    CosmosTxSubmitter submitter(Duration inclusionTimeout) {
        CosmosSigner key = CosmosSigner.fromMnemonic("abandon abandon abandon abandon abandon abandon abandon abandon "
                + "abandon abandon abandon about");
        return new CosmosTxSubmitter("devnet-1", "cosmos", key, rpc,
                new GasEstimator(new BigDecimal("1.4"), new BigDecimal("0.025"), "stake"), inclusionTimeout,
                Duration.ofMillis(20), 3);
    }

    @Test
    void failingLookupsAreRetriedUntilTheTransactionIsFound() {
        failuresLeft.set(3);
        TxOutcome out = submitter(Duration.ofSeconds(30)).awaitInclusion(HASH);
        assertThat(out.height()).isEqualTo(7);
        assertThat(lookups.get()).isEqualTo(4);
    }

    @Test
    void lookupsFailingUntilTheDeadlineGiveAPendingTransactionWithItsHashNotAPermanentError() {
        failuresLeft.set(Integer.MAX_VALUE);
        assertThatThrownBy(() -> submitter(Duration.ofMillis(200)).awaitInclusion(HASH))
                .isInstanceOfSatisfying(TxPendingException.class, e -> assertThat(e.txHash()).isEqualTo(HASH))
                .isNotInstanceOf(PermanentException.class).hasMessageContaining("indexer is busy");
    }
}
