package io.evmore.cosmos.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.ibc.SentTransfers;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.pool.Endpoint;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The primary endpoint pruned the blocks the follower needs ("height H is not available, lowest height is L"); the
 * second endpoint has every block. The follower reads them from the second instead of asking the primary forever.
 */
class PrunedEndpointIT {
    static final ChainId CHAIN = ChainId.of("devnet-p");
    final PrometheusRegistry registry = new PrometheusRegistry();
    Devnet devnet;
    DevnetChain chain;
    CosmosAdapter adapter;
    PooledCometTransport transport;

    @BeforeEach
    void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN.value(), "cosmos", "stake")).rpcEndpointsPerChain(2)
                .blockInterval(Duration.ofMillis(150)).start();
        chain = devnet.chain(CHAIN.value());
        CosmosSettings s = CosmosSettings.of(CHAIN, "cosmos", "stake", List.of(chain.rpcUrl(1)), new BigDecimal("0.025"),
                chain.htlcContractAddress()).withTimings(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(20));
        adapter = new CosmosAdapter(s, CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic()),
                PoolSettings.cosmosDefaults().withConnections(4, 0), registry, new InMemoryCursorStore(), Clock.system());
    }

    @AfterEach
    void stop() {
        if (transport != null) transport.close();
        if (adapter != null) adapter.close();
        if (devnet != null) devnet.close();
    }

    @Test
    void aPrunedPrimaryDoesNotStallTheFollowerWhileAnotherEndpointHasTheBlocks() {
        long from = chain.height();
        String id = adapter.htlcChain().lock(new LockRequest(devnet.account("bob").address("cosmos"), "stake", BigInteger.TEN,
                Secret.random().hashlock(), chain.state().now().getEpochSecond() + 3600, "eip155:1", "0xa")).htlcId();
        long locked = chain.height();
        await().atMost(Duration.ofSeconds(20)).until(() -> chain.height() > locked + 3);
        chain.endpoint(0).pruneBlocksBelow(locked + 2); // the primary no longer has the lock's block
        transport = PooledCometTransport.start("pruned-primary", CHAIN.value(),
                List.of(new Endpoint("pruned", chain.rpcUrl(0)), new Endpoint("full", chain.rpcUrl(1))),
                PoolSettings.cosmosDefaults().withConnections(4, 0), PoolMetrics.unregistered(), Duration.ofSeconds(10));
        CometRpcClient rpc = new CometRpcClient(transport);
        // Control: the primary answers the lock's block with the pruned node's error.
        var primaryAlone = new CometRpcClient(PooledCometTransport.direct(new io.evmore.cosmos.rpc.CometConnection("pruned",
                java.net.URI.create(chain.rpcUrl(0)), java.net.http.HttpClient.newHttpClient(), Duration.ofSeconds(10))));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> primaryAlone.block(locked))
                .hasMessageContaining("is not available, lowest height is");
        DroppedEvents dropped = new DroppedEvents(registry);
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        try (CosmosEventFollower f = new CosmosEventFollower(CHAIN, rpc, cursors,
                new HtlcEventDecoder(CHAIN, chain.htlcContractAddress(), "cosmos", dropped),
                new IbcEventDecoder(CHAIN, adapter.htlcChain().relayerAddress(), new SentTransfers(), dropped),
                chain.htlcContractAddress(), List.of(),
                new CosmosEventFollower.Options(1, Duration.ofMillis(200), Duration.ofSeconds(1), from, 0, Duration.ofMillis(200)),
                CosmosEventFollower.Metrics.on(registry))) {
            RecordingListener l = new RecordingListener(cursors);
            f.start(l);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(l.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id()).containsExactly(id));
        }
        assertThat(transport.pool().status().endpoints().get(0).lastError()).contains("is not available");
    }
}
