package io.evmore.cosmos.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.ibc.SentTransfers;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometWebsocket;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.pool.PoolSettings;
import io.javalin.Javalin;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The follower's push, watchdog and catch-up paths against the devnet. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosmosEventFollowerIT {
    static final ChainId CHAIN = ChainId.of("devnet-f");
    Devnet devnet;
    DevnetChain chain;
    CosmosAdapter adapter;
    final PrometheusRegistry registry = new PrometheusRegistry();

    @BeforeAll
    void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN.value(), "cosmos", "stake"))
                .blockInterval(Duration.ofMillis(150)).start();
        chain = devnet.chain(CHAIN.value());
        CosmosSettings s = CosmosSettings.of(CHAIN, "cosmos", "stake", List.of(chain.rpcUrl()), new BigDecimal("0.025"),
                chain.htlcContractAddress()).withTimings(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(20));
        adapter = new CosmosAdapter(s, CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic()),
                PoolSettings.cosmosDefaults().withConnections(4, 0).withHeightChecks(50, Duration.ZERO), registry,
                new InMemoryCursorStore(), Clock.system());
    }

    @AfterAll
    void stop() {
        if (adapter != null) adapter.close();
        if (devnet != null) devnet.close();
    }

    CosmosEventFollower follower(InMemoryCursorStore cursors, List<URI> websockets, Duration poll, long catchUpAbove,
            long startHeight) {
        return follower(adapter.rpc(), cursors, websockets, poll, catchUpAbove, startHeight);
    }

    CosmosEventFollower follower(io.evmore.cosmos.rpc.CometRpcClient rpc, InMemoryCursorStore cursors, List<URI> websockets,
            Duration poll, long catchUpAbove, long startHeight) {
        DroppedEvents dropped = new DroppedEvents(registry);
        return new CosmosEventFollower(CHAIN, rpc, cursors,
                new HtlcEventDecoder(CHAIN, chain.htlcContractAddress(), "cosmos", dropped),
                new IbcEventDecoder(CHAIN, adapter.htlcChain().relayerAddress(), new SentTransfers(), dropped),
                chain.htlcContractAddress(), websockets,
                new CosmosEventFollower.Options(1, poll, Duration.ofSeconds(1), startHeight, catchUpAbove,
                        Duration.ofMillis(200)),
                CosmosEventFollower.Metrics.on(registry));
    }

    String lock() {
        return adapter.htlcChain().lock(new LockRequest(devnet.account("bob").address("cosmos"), "stake", BigInteger.TEN,
                Secret.random().hashlock(), chain.state().now().getEpochSecond() + 3600, "eip155:1", "0xa")).htlcId();
    }

    @Test
    void websocketPushDeliversBlocksLongBeforeThePollInterval() {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosEventFollower f = follower(cursors, List.of(CometWebsocket.websocketUri(chain.rpcUrl())),
                Duration.ofSeconds(60), 1000, 0)) {
            RecordingListener l = new RecordingListener(cursors);
            f.start(l);
            await().atMost(Duration.ofSeconds(30)).until(f::websocketConnected);
            long seen = l.cursors().isEmpty() ? 0 : l.cursors().getLast().height();
            // With a 60 s poll interval only the websocket can wake the follower for these blocks.
            await().atMost(Duration.ofSeconds(30)).until(() -> !l.cursors().isEmpty() && l.cursors().getLast().height() > seen + 3);
            String id = lock();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(l.events(ChainEvent.HtlcLocked.class))
                    .extracting(e -> e.htlc().id()).contains(id));
        }
    }

    @Test
    void aSilentWebsocketIsNoticedAndReplaced() {
        // A websocket endpoint that accepts the subscription and then never says anything.
        Javalin silent = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = 0;
            cfg.routes.ws("/websocket", ws -> ws.onMessage(ctx -> { }));
        }).start();
        try {
            URI silentUri = URI.create("ws://127.0.0.1:" + silent.port() + "/websocket");
            InMemoryCursorStore cursors = new InMemoryCursorStore();
            double before = CosmosEventFollower.Metrics.on(registry).websocketConnects(CHAIN);
            try (CosmosEventFollower f = follower(cursors,
                    List.of(silentUri, CometWebsocket.websocketUri(chain.rpcUrl())), Duration.ofMillis(200), 1000, 0)) {
                f.start(new RecordingListener(cursors));
                await().atMost(Duration.ofSeconds(30)).until(() -> f.lastWebsocketHeight() > 0
                        && CosmosEventFollower.Metrics.on(registry).websocketConnects(CHAIN) >= before + 2);
                long h = f.lastWebsocketHeight();
                // Now on the live endpoint: it keeps announcing blocks.
                await().atMost(Duration.ofSeconds(30)).until(() -> f.lastWebsocketHeight() > h + 2);
            }
        } finally {
            silent.stop();
        }
    }

    @Test
    void aRestartResumesFromTheStoredCursorAndAFailingListenerGetsTheBlockAgain() {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        RecordingListener first = new RecordingListener(cursors);
        try (CosmosEventFollower f = follower(cursors, List.of(), Duration.ofMillis(100), 1000, 0)) {
            f.start(first);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.cursors().size() >= 2);
        }
        ChainCursor stored = cursors.load(CHAIN).orElseThrow();
        String whileDown = lock(); // happens while no follower runs
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        RecordingListener recorder = new RecordingListener(cursors);
        io.evmore.core.chain.ChainEvents.Listener flaky = new io.evmore.core.chain.ChainEvents.Listener() {
            @Override
            public void onBlock(ChainCursor cursor, List<ChainEvent> events) {
                if (!events.isEmpty() && failures.getAndIncrement() == 0) {
                    throw new IllegalStateException("database unavailable"); // nothing persisted
                }
                recorder.onBlock(cursor, events);
            }

            @Override
            public void onRollback(ChainCursor ancestor) {
                recorder.onRollback(ancestor);
            }
        };
        try (CosmosEventFollower f = follower(cursors, List.of(), Duration.ofMillis(100), 1000, 0)) {
            f.start(flaky);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    recorder.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id()).containsExactly(whileDown));
            assertThat(failures.get()).isGreaterThanOrEqualTo(2);
            assertThat(recorder.cursors().getFirst().height()).isEqualTo(stored.height() + 1);
            List<ChainCursor> cs = recorder.cursors();
            for (int i = 1; i < cs.size(); i++) assertThat(cs.get(i).height()).isEqualTo(cs.get(i - 1).height() + 1);
        }
    }

    @Test
    void aLongGapIsCrossedWithTxSearchAndNoEventIsMissed() {
        long from = chain.height();
        String first = lock();
        String second = lock();
        long h = chain.height();
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.height() > h + 12);
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosEventFollower f = follower(cursors, List.of(), Duration.ofMillis(200), 5, from)) {
            RecordingListener l = new RecordingListener(cursors);
            f.start(l);
            // Wait for the catch-up to end on its target too: the events alone may arrive before the final jump.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(l.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id())
                        .containsExactly(first, second);
                assertThat(l.cursors().getLast().height()).isGreaterThan(h + 12);
            });
            List<ChainCursor> cs = l.cursors();
            // The catch-up skipped blocks without relevant transactions: the cursor jumped.
            assertThat(cs.get(0).height()).isGreaterThan(from);
            assertThat(cs.stream().anyMatch(c -> cs.indexOf(c) > 0 && c.height() > cs.get(cs.indexOf(c) - 1).height() + 1))
                    .isTrue();
            assertThat(cs.getLast().blockHash()).isEqualTo(adapter.rpc().block(cs.getLast().height()).hash());
        }
    }

    /**
     * A long gap crossed while the node's indexer lags: the lock is in a block but not yet in the index that tx_search
     * reads. The pre-fix catch-up searched up to the head and jumped there, losing the lock for good; the catch-up now
     * searches only up to a height the index provably covers and reads the rest block by block.
     */
    @Test
    void aCatchUpWhileTheIndexLagsMissesNoEvent() throws Exception {
        long from = chain.height();
        chain.indexLag(60);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.List<io.evmore.core.chain.SignedTx> journaled = new java.util.concurrent.CopyOnWriteArrayList<>();
            var locking = pool.submit(() -> adapter.htlcChain().lock(new LockRequest(devnet.account("bob").address("cosmos"),
                    "stake", BigInteger.TEN, Secret.random().hashlock(), chain.state().now().getEpochSecond() + 3600,
                    "eip155:1", "0xa"), journaled::add));
            await().atMost(Duration.ofSeconds(30)).until(() -> !journaled.isEmpty() && chain.state().notYetIndexed() > 0
                    && chain.state().mempoolSize() == 0);
            String hash = journaled.getFirst().txHash();
            long h = chain.height();
            await().atMost(Duration.ofSeconds(30)).until(() -> chain.height() > h + 8);
            // Control: the fault is on while the follower catches up.
            assertThat(adapter.rpc().tx(hash)).isEmpty();
            InMemoryCursorStore cursors = new InMemoryCursorStore();
            try (CosmosEventFollower f = follower(cursors, List.of(), Duration.ofMillis(200), 5, from)) {
                RecordingListener l = new RecordingListener(cursors);
                f.start(l);
                await().atMost(Duration.ofSeconds(30)).until(() -> !l.cursors().isEmpty() && l.cursors().getLast().height() > h + 8);
                chain.indexLag(0);
                String id = locking.get().htlcId();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(l.events(ChainEvent.HtlcLocked.class))
                        .extracting(e -> e.htlc().id()).containsExactly(id));
            }
        } finally {
            chain.indexLag(0);
        }
    }

    /**
     * A node that indexes only some event keys ({@code index-events} in app.toml): {@code tx.height} and
     * {@code tx.hash} are always indexed, a query on the contract's events finds nothing. The catch-up must still find
     * every lock in the gap.
     */
    @Test
    void aCatchUpOnANodeThatIndexesOnlySomeEventKeysMissesNoEvent() throws Exception {
        long from = chain.height();
        String first = lock();
        String second = lock();
        long h = chain.height();
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.height() > h + 12);
        try (SearchProxy proxy = new SearchProxy(chain.rpcUrl())) {
            proxy.eventKeysUnindexed = true;
            var rpc = proxy.client();
            // Control: through this node, the contract's events are not found by query, its transactions by height are.
            assertThat(rpc.txSearch("wasm._contract_address='" + chain.htlcContractAddress() + "' AND tx.height>=" + from,
                    1, 100, true).txs()).isEmpty();
            assertThat(rpc.txSearch("tx.height>=" + from + " AND tx.height<=" + h, 1, 100, true).txs()).isNotEmpty();
            catchUpThrough(rpc, from, h + 12, first, second);
            assertThat(proxy.searches.get()).as("the gap was crossed with tx_search").isPositive();
        }
    }

    /**
     * Behind a load balancer, the index proof ({@code tx} by hash, blocks) can come from a backend whose index is
     * current and the search from one whose index lags: its answers lack the newest transactions. Those must not be
     * skipped: the search's answers are checked against the blocks the proof read, and the gap is read block by block.
     */
    @Test
    void aCatchUpWhoseSearchAnswersLagTheProofMissesNoEvent() throws Exception {
        long from = chain.height();
        String first = lock();
        String second = lock();
        long secondHeight = chain.height();
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.height() > secondHeight + 12);
        try (SearchProxy proxy = new SearchProxy(chain.rpcUrl())) {
            var rpc = proxy.client();
            long last = rpc.txSearch("tx.height>=" + from, 1, 100, true).txs().stream()
                    .mapToLong(io.evmore.cosmos.rpc.CometTypes.IndexedTx::height).max().orElseThrow();
            proxy.searchIndexedBelow = last; // the search's backend has not indexed the newest transaction's block
            assertThat(rpc.txSearch("tx.height>=" + from, 1, 100, true).txs()).as("control: the lagging answers")
                    .allMatch(t -> t.height() < last);
            catchUpThrough(rpc, from, secondHeight + 12, first, second);
            assertThat(proxy.searches.get()).as("tx_search was asked").isPositive();
        }
    }

    /** Follows from {@code from} with catch-up above 5 blocks until past {@code above}: exactly these locks, in order. */
    private void catchUpThrough(io.evmore.cosmos.rpc.CometRpcClient rpc, long from, long above, String... locks) {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosEventFollower f = follower(rpc, cursors, List.of(), Duration.ofMillis(200), 5, from)) {
            RecordingListener l = new RecordingListener(cursors);
            f.start(l);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(l.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id()).containsExactly(locks);
                assertThat(l.cursors().getLast().height()).isGreaterThan(above);
            });
        }
    }

    /** In front of the devnet's RPC: tx_search answered as a node with restricted event indexing, or a lagging index. */
    static final class SearchProxy implements AutoCloseable {
        static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
        final com.sun.net.httpserver.HttpServer server;
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        final String target;
        final java.util.concurrent.atomic.AtomicInteger searches = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean eventKeysUnindexed;
        volatile long searchIndexedBelow = Long.MAX_VALUE;

        SearchProxy(String target) throws java.io.IOException {
            this.target = target;
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", ex -> {
                try (ex) {
                    byte[] body = ex.getRequestBody().readAllBytes();
                    var req = JSON.readTree(body);
                    byte[] answer = forward(body);
                    if ("tx_search".equals(req.path("method").asText())) {
                        searches.incrementAndGet();
                        answer = search(req, answer);
                    }
                    ex.getResponseHeaders().add("content-type", "application/json");
                    ex.sendResponseHeaders(200, answer.length);
                    ex.getResponseBody().write(answer);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }

        private byte[] search(com.fasterxml.jackson.databind.JsonNode req, byte[] answer) throws java.io.IOException {
            String query = req.path("params").path("query").asText();
            var parsed = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(answer);
            if (!parsed.path("result").isObject()) return answer;
            var result = (com.fasterxml.jackson.databind.node.ObjectNode) parsed.get("result");
            boolean onlyHeightOrHash = query.replaceAll("tx\\.height\\s*[<>=]+\\s*\\d+", "").replaceAll("tx\\.hash\\s*=\\s*'[0-9A-Fa-f]+'", "")
                    .replace("AND", "").isBlank();
            var kept = JSON.createArrayNode();
            for (var t : result.path("txs")) {
                if (eventKeysUnindexed && !onlyHeightOrHash) continue;
                if (Long.parseLong(t.path("height").asText()) >= searchIndexedBelow) continue;
                kept.add(t);
            }
            long dropped = result.path("txs").size() - kept.size();
            result.set("txs", kept);
            result.put("total_count", Long.toString(Long.parseLong(result.path("total_count").asText("0")) - dropped));
            return JSON.writeValueAsBytes(parsed);
        }

        private byte[] forward(byte[] body) throws java.io.IOException, InterruptedException {
            return http.send(java.net.http.HttpRequest.newBuilder(URI.create(target)).header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        }

        io.evmore.cosmos.rpc.CometRpcClient client() {
            return new io.evmore.cosmos.rpc.CometRpcClient(io.evmore.cosmos.rpc.PooledCometTransport.direct(
                    new io.evmore.cosmos.rpc.CometConnection("search-proxy",
                            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), http, Duration.ofSeconds(10))));
        }

        @Override
        public void close() {
            server.stop(0);
            http.shutdownNow();
        }
    }

    @Test
    void aListenerFailureDuringCatchUpResumesAfterTheLastAcceptedBlock() {
        long from = chain.height();
        String first = lock();
        String second = lock();
        long h = chain.height();
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.height() > h + 12);
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        RecordingListener recorder = new RecordingListener(cursors);
        java.util.concurrent.atomic.AtomicBoolean failedOnce = new java.util.concurrent.atomic.AtomicBoolean();
        io.evmore.core.chain.ChainEvents.Listener failsOnTheSecondLock = new io.evmore.core.chain.ChainEvents.Listener() {
            @Override
            public void onBlock(ChainCursor cursor, List<ChainEvent> events) {
                boolean hasSecond = events.stream().anyMatch(e -> e instanceof ChainEvent.HtlcLocked l
                        && l.htlc().id().equals(second));
                if (hasSecond && failedOnce.compareAndSet(false, true)) {
                    throw new IllegalStateException("database unavailable"); // nothing persisted
                }
                recorder.onBlock(cursor, events);
            }

            @Override
            public void onRollback(ChainCursor ancestor) {
                recorder.onRollback(ancestor);
            }
        };
        try (CosmosEventFollower f = follower(cursors, List.of(), Duration.ofMillis(200), 5, from)) {
            f.start(failsOnTheSecondLock);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(recorder.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id())
                        .containsExactly(first, second); // each once: the block of the first is not handed over again
                assertThat(recorder.cursors().getLast().height()).isGreaterThan(h + 12);
            });
            assertThat(failedOnce).isTrue();
            List<ChainCursor> cs = recorder.cursors();
            for (int i = 1; i < cs.size(); i++) assertThat(cs.get(i).height()).isGreaterThan(cs.get(i - 1).height());
        }
    }
}
