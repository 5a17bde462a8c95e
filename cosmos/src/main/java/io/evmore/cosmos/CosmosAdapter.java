package io.evmore.cosmos;

import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.cosmos.events.CosmosEventFollower;
import io.evmore.cosmos.events.DroppedEvents;
import io.evmore.cosmos.events.HtlcEventDecoder;
import io.evmore.cosmos.events.IbcEventDecoder;
import io.evmore.cosmos.ibc.IbcTransferSender;
import io.evmore.cosmos.ibc.SentTransfers;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometWebsocket;
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.GasEstimator;
import io.evmore.pool.Endpoint;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Wires one Cosmos chain: pooled RPC, signer, submitter, HTLC contract, IBC sender and event follower. The
 * shared metric holders ({@link PoolMetrics}, {@link DroppedEvents}, {@link CosmosEventFollower.Metrics}) are
 * created once per registry by the caller and passed to every chain.
 */
public final class CosmosAdapter implements AutoCloseable {
    /** Metric holders shared by all chains on one registry. */
    public record SharedMetrics(PoolMetrics pool, DroppedEvents dropped, CosmosEventFollower.Metrics follower) {}

    private final CosmosSettings settings;
    private final PooledCometTransport transport;
    private final CometRpcClient rpc;
    private final CosmosQueries queries;
    private final CosmosTxSubmitter submitter;
    private final CosmWasmHtlcChain htlcChain;
    private final SentTransfers sentTransfers = new SentTransfers();
    private final IbcTransferSender ibc;
    private final CosmosEventFollower follower;

    public CosmosAdapter(CosmosSettings settings, CosmosSigner signer, PoolSettings poolSettings, SharedMetrics metrics,
            CursorStore cursors, Clock clock) {
        this.settings = settings;
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < settings.rpcEndpoints().size(); i++) {
            endpoints.add(new Endpoint("rpc-" + i, settings.rpcEndpoints().get(i)));
        }
        String poolName = "cosmos:" + settings.chainId().value().toLowerCase();
        this.transport = PooledCometTransport.start(poolName, settings.chainId().value(), endpoints, poolSettings,
                metrics.pool(), Duration.ofSeconds(10));
        this.rpc = new CometRpcClient(transport);
        this.queries = new CosmosQueries(rpc);
        this.submitter = new CosmosTxSubmitter(settings.chainId().value(), settings.prefix(), signer, rpc,
                new GasEstimator(settings.gasMultiplier(), settings.gasPrice(), settings.feeDenom()),
                settings.inclusionTimeout(), settings.pollInterval().dividedBy(2), 5);
        this.htlcChain = new CosmWasmHtlcChain(settings, submitter, queries);
        this.ibc = new IbcTransferSender(submitter, sentTransfers, clock);
        String relayer = submitter.address();
        this.follower = new CosmosEventFollower(settings.chainId(), rpc, cursors,
                new HtlcEventDecoder(settings.chainId(), settings.contract(), settings.prefix(), metrics.dropped()),
                new IbcEventDecoder(settings.chainId(), relayer, sentTransfers, metrics.dropped()),
                settings.contract(), settings.rpcEndpoints().stream().map(CometWebsocket::websocketUri).toList(),
                new CosmosEventFollower.Options(settings.confirmations(), settings.pollInterval(),
                        settings.websocketSilence(), settings.startHeight(), 1000, settings.pollInterval()),
                metrics.follower());
    }

    public CosmosSettings settings() {
        return settings;
    }

    public CometRpcClient rpc() {
        return rpc;
    }

    public CosmosQueries queries() {
        return queries;
    }

    public CosmosTxSubmitter submitter() {
        return submitter;
    }

    public CosmWasmHtlcChain htlcChain() {
        return htlcChain;
    }

    public IbcTransferSender ibc() {
        return ibc;
    }

    public CosmosEventFollower follower() {
        return follower;
    }

    public PooledCometTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        follower.close();
        transport.close();
    }
}
