package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometConnection;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.GasEstimator;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The submitter reads the latest height (for {@code timeout_height}) while the node simulates: between the node and
 * the submitter, whichever of {@code status} and the simulation arrives first is held until the other has arrived. A
 * submitter that asks one after the other waits out the hold (5 s) and the test fails. What is signed still carries the latest height + timeoutBlocks. (That the
 * simulated body is never shorter than the signed one: {@code io.evmore.cosmos.tx.SimulationSizeTest}.)
 */
class SubmitterSideReadsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAIN = "devnet-a";
    static final long TIMEOUT_BLOCKS = 50;
    Devnet devnet;
    DevnetChain chain;
    HttpServer proxy;
    HttpClient http;
    final List<String> methods = new CopyOnWriteArrayList<>();
    final CountDownLatch simulationSeen = new CountDownLatch(1);
    final CountDownLatch statusSeen = new CountDownLatch(1);
    /** Set when the first of the two waited its 5 s for the other: they were asked one after the other. */
    final AtomicBoolean apart = new AtomicBoolean();
    volatile long statusHeightAnswered = -1;

    @BeforeEach
    void start() throws IOException {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).blockInterval(Duration.ofMillis(200)).start();
        chain = devnet.chain(CHAIN);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        proxy.createContext("/", this::forward);
        proxy.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) proxy.stop(0);
        if (http != null) http.shutdownNow();
        if (devnet != null) devnet.close();
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            JsonNode req = JSON.readTree(body);
            String method = req.path("method").asText();
            methods.add(method);
            // whichever of the two comes first is held until the other has come too
            if ("abci_query".equals(method) && req.path("params").path("path").asText().endsWith("/Simulate")
                    && simulationSeen.getCount() > 0) {
                simulationSeen.countDown();
                if (!statusSeen.await(5, TimeUnit.SECONDS)) apart.set(true);
            }
            if ("status".equals(method) && statusSeen.getCount() > 0) {
                statusSeen.countDown();
                if (!simulationSeen.await(5, TimeUnit.SECONDS)) apart.set(true);
            }
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(chain.rpcUrl(0)))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if ("status".equals(method)) {
                statusHeightAnswered = Long.parseLong(JSON.readTree(resp.body()).path("result").path("sync_info")
                        .path("latest_block_height").asText());
            }
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(resp.statusCode(), resp.body().length);
            ex.getResponseBody().write(resp.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void theLatestHeightIsReadWhileTheNodeSimulatesAndTheSignedTransactionCarriesIt() throws Exception {
        CometRpcClient rpc = new CometRpcClient(PooledCometTransport.direct(new CometConnection("proxy",
                URI.create("http://127.0.0.1:" + proxy.getAddress().getPort() + "/"), http, Duration.ofSeconds(10))));
        CosmosSigner relayer = CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic());
        CosmosTxSubmitter submitter = new CosmosTxSubmitter(CHAIN, "cosmos", relayer, rpc,
                new GasEstimator(new BigDecimal("1.4"), new BigDecimal("0.025"), "stake"), Duration.ofSeconds(20),
                Duration.ofMillis(50), 3, TIMEOUT_BLOCKS);
        String bob = devnet.account("bob").address("cosmos");
        BigInteger before = chain.balance(bob, "stake");

        List<io.evmore.core.chain.SignedTx> signed = new CopyOnWriteArrayList<>();
        TxOutcome out = submitter.submit(List.of(CosmosMessages.send(submitter.address(), bob,
                CosmosMessages.coin("stake", BigInteger.valueOf(7)))), "side by side", signed::add);

        assertThat(chain.balance(bob, "stake")).as("included and executed").isEqualTo(before.add(BigInteger.valueOf(7)));
        assertThat(methods).as("the height was read and the transaction simulated").contains("status", "abci_query");
        assertThat(simulationSeen.getCount() + statusSeen.getCount()).as("both were asked").isZero();
        assertThat(apart).as("the height and the simulation were asked side by side, not one after the other").isFalse();
        assertThat(signed).hasSize(1);
        assertThat(signed.get(0).txHash()).isEqualToIgnoringCase(out.hash());
        assertThat(signed.get(0).timeoutHeight()).isEqualTo(statusHeightAnswered + TIMEOUT_BLOCKS);
        byte[] raw = java.util.HexFormat.of().parseHex(signed.get(0).rawTx());
        assertThat(TxBody.parseFrom(TxRaw.parseFrom(raw).getBodyBytes()).getTimeoutHeight())
                .as("the signed timeout_height is the height read + timeoutBlocks").isEqualTo(statusHeightAnswered + TIMEOUT_BLOCKS);
    }
}
