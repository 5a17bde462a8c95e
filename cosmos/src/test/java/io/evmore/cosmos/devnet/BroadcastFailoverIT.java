package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.evmore.core.error.TransientException;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.GasEstimator;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.pool.Endpoint;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.evmore.proto.cosmos.tx.v1beta1.AuthInfo;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broadcast whose answer is lost must not be repeated on another endpoint. Two endpoints in front of one devnet
 * node: the first takes the relayer's transaction into the node's mempool and loses the answer (a timeout, a reset);
 * the second is a node behind, which refuses that transaction's sequence ("expected N-1"). Were the broadcast failed
 * over, the refusal would have the submitter sign the same transfer again at another sequence, and both would land:
 * a counter-lock paid twice. It must end as "may have been broadcast" (the engine then reconciles the journaled bytes).
 */
class BroadcastFailoverIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAIN = "devnet-a";
    Devnet devnet;
    DevnetChain chain;
    HttpClient http;
    final List<HttpServer> proxies = new CopyOnWriteArrayList<>();
    PooledCometTransport transport;

    @BeforeEach
    void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).blockInterval(Duration.ofMillis(200)).start();
        chain = devnet.chain(CHAIN);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        if (transport != null) transport.close();
        proxies.forEach(p -> p.stop(0));
        if (http != null) http.shutdownNow();
        if (devnet != null) devnet.close();
    }

    /** How a proxy treats one broadcast_tx_sync: returns false to pass it on as it is. */
    @FunctionalInterface
    interface OnBroadcast {
        boolean handle(HttpExchange ex, JsonNode req, byte[] body) throws Exception;
    }

    private String proxy(OnBroadcast onBroadcast) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                JsonNode req = JSON.readTree(body);
                if ("broadcast_tx_sync".equals(req.path("method").asText()) && onBroadcast.handle(ex, req, body)) return;
                reply(ex, forward(body));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // drop the connection
            }
        });
        server.start();
        proxies.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private byte[] forward(byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(chain.rpcUrl(0))).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    private static void reply(HttpExchange ex, byte[] answer) throws IOException {
        ex.getResponseHeaders().add("content-type", "application/json");
        ex.sendResponseHeaders(200, answer.length);
        ex.getResponseBody().write(answer);
    }

    @Test
    void aBroadcastWhoseAnswerIsLostIsNotRepeatedOnANodeThatWouldHaveItSignedAgain() throws Exception {
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger refusedBehind = new AtomicInteger();
        // first endpoint: the node takes the first broadcast, its answer never comes back
        String taker = proxy((ex, req, body) -> {
            if (taken.getAndIncrement() > 0) return false;
            forward(body);
            return true; // closed unanswered
        });
        // second endpoint: a node behind, refusing the first transaction it is handed as the SDK does ("expected N-1")
        String behind = proxy((ex, req, body) -> {
            if (refusedBehind.getAndIncrement() > 0) return false;
            byte[] tx = Base64.getDecoder().decode(req.path("params").path("tx").asText());
            long sequence = AuthInfo.parseFrom(TxRaw.parseFrom(tx).getAuthInfoBytes()).getSignerInfos(0).getSequence();
            ObjectNode result = JSON.createObjectNode().put("code", 32).put("data", "").put("codespace", "sdk")
                    .put("log", "account sequence mismatch, expected " + (sequence - 1) + ", got " + sequence
                            + ": incorrect account sequence")
                    .put("hash", HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(tx)));
            ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
            answer.set("id", req.path("id"));
            answer.set("result", result);
            reply(ex, JSON.writeValueAsBytes(answer));
            return true;
        });
        transport = PooledCometTransport.start("broadcast-failover", CHAIN,
                List.of(new Endpoint("taker", taker), new Endpoint("behind", behind)), PoolSettings.cosmosDefaults(),
                PoolMetrics.unregistered(), Duration.ofSeconds(10));
        CosmosSigner relayer = CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic());
        CosmosTxSubmitter submitter = new CosmosTxSubmitter(CHAIN, "cosmos", relayer, new CometRpcClient(transport),
                new GasEstimator(new BigDecimal("1.4"), new BigDecimal("0.025"), "stake"), Duration.ofSeconds(20),
                Duration.ofMillis(50), 3, 50);
        String bob = devnet.account("bob").address("cosmos");
        BigInteger before = chain.balance(bob, "stake");
        List<io.evmore.core.chain.SignedTx> signed = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> submitter.broadcast(List.of(CosmosMessages.send(submitter.address(), bob,
                CosmosMessages.coin("stake", BigInteger.valueOf(7)))), "lost answer", signed::add))
                .isInstanceOf(TransientException.class).hasMessageContaining("may have reached it");

        await().atMost(Duration.ofSeconds(10)).until(() -> chain.balance(bob, "stake").equals(before.add(BigInteger.valueOf(7))));
        assertThat(signed).as("one transaction signed").hasSize(1);
        assertThat(refusedBehind).as("the broadcast was not repeated on the node behind").hasValue(0);

        // The submitter could act in that window: the next transfer goes through the same pool and lands, once.
        submitter.submit(List.of(CosmosMessages.send(submitter.address(), bob, CosmosMessages.coin("stake", BigInteger.ONE))),
                "next", signed::add);
        assertThat(chain.balance(bob, "stake")).as("7 once, then 1: nothing paid twice")
                .isEqualTo(before.add(BigInteger.valueOf(8)));
    }
}
