package io.evmore.cosmos.devnet;

import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up the IBC tests share: a fresh devnet A ↔ B ↔ C (A channel-0 ↔ B channel-0, B channel-1 ↔ C channel-0)
 * with 200 ms blocks for every test, the relayer's key, and relayer adapters on its chains, closed after the test.
 */
abstract class ThreeChainDevnet {
    Devnet devnet;
    DevnetChain a;
    DevnetChain b;
    DevnetChain c;
    CosmosSigner relayer;
    final PrometheusRegistry registry = new PrometheusRegistry();
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() {
        devnet = Devnet.defaultTopology().blockInterval(Duration.ofMillis(200)).start();
        a = devnet.chain("devnet-a");
        b = devnet.chain("devnet-b");
        c = devnet.chain("devnet-c");
        relayer = CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable x : closeables.reversed()) x.close();
        devnet.close();
    }

    /** The relayer's adapter on {@code chain}; with {@code listenerOut}, its follower reports to a new listener put there. */
    CosmosAdapter adapter(DevnetChain chain, RecordingListener[] listenerOut) {
        return adapter(settings(chain), listenerOut);
    }

    /** {@link #adapter(DevnetChain, RecordingListener[])} whose transactions time out after {@code timeoutBlocks}. */
    CosmosAdapter adapter(DevnetChain chain, RecordingListener[] listenerOut, long timeoutBlocks) {
        return adapter(settings(chain).withTimeoutBlocks(timeoutBlocks), listenerOut);
    }

    private static CosmosSettings settings(DevnetChain chain) {
        return CosmosSettings.of(ChainId.of(chain.chainId()), chain.prefix(), chain.denom(),
                List.of(chain.rpcUrl()), new BigDecimal("0.025"), chain.htlcContractAddress())
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20));
    }

    private CosmosAdapter adapter(CosmosSettings s, RecordingListener[] listenerOut) {
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        CosmosAdapter adapter = new CosmosAdapter(s, relayer, PoolSettings.cosmosDefaults().withConnections(4, 0)
                .withHeightChecks(50, Duration.ZERO), registry, cursors, Clock.system());
        closeables.add(adapter);
        if (listenerOut != null) {
            listenerOut[0] = new RecordingListener(cursors);
            adapter.follower().start(listenerOut[0]);
        }
        return adapter;
    }
}
