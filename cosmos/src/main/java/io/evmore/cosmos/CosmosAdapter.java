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
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * Wires one Cosmos chain: pooled RPC, signer, submitter, HTLC contract, IBC sender and event follower. Metrics
 * go to {@code registry} through the per-registry shared holders ({@link PoolMetrics#on}, {@code ChainMetrics.on}),
 * so several chains (and the Ethereum adapter) can share one registry.
 */
public final class CosmosAdapter implements AutoCloseable {
    private final CosmosSettings settings;
    private final PooledCometTransport transport;
    private final CometRpcClient rpc;
    private final CosmosQueries queries;
    private final CosmosTxSubmitter submitter;
    private final CosmWasmHtlcChain htlcChain;
    private final SentTransfers sentTransfers = new SentTransfers();
    private final IbcTransferSender ibc;
    private final IntentReconciler reconciler;
    private final CosmosEventFollower follower;

    private final boolean ownsTransport;

    public CosmosAdapter(CosmosSettings settings, CosmosSigner signer, PoolSettings poolSettings, PrometheusRegistry registry,
            CursorStore cursors, Clock clock) {
        this(settings, signer, PooledCometTransport.start(poolName(settings.chainId().value()), settings.chainId().value(),
                Endpoint.numbered(settings.rpcEndpoints()), poolSettings,
                PoolMetrics.on(registry), Duration.ofSeconds(10)), true, registry, cursors, clock);
    }

    /** On a pool someone else owns (the app's per-chain pool): closing the adapter leaves it open. */
    public CosmosAdapter(CosmosSettings settings, CosmosSigner signer, PooledCometTransport transport, PrometheusRegistry registry,
            CursorStore cursors, Clock clock) {
        this(settings, signer, transport, false, registry, cursors, clock);
    }

    private final io.evmore.cosmos.ibc.PacketOutcomes packetOutcomes;

    private CosmosAdapter(CosmosSettings settings, CosmosSigner signer, PooledCometTransport transport, boolean ownsTransport,
            PrometheusRegistry registry, CursorStore cursors, Clock clock) {
        this.settings = settings;
        this.ownsTransport = ownsTransport;
        this.transport = transport;
        this.rpc = new CometRpcClient(transport);
        this.queries = new CosmosQueries(rpc);
        this.submitter = new CosmosTxSubmitter(settings.chainId().value(), settings.prefix(), signer, rpc,
                new GasEstimator(settings.gasMultiplier(), settings.gasPrice(), settings.feeDenom(),
                        GasEstimator.DEFAULT_MAX_GAS_LIMIT, settings.maxGasPrice()),
                settings.inclusionTimeout(), settings.pollInterval().dividedBy(2), 5, settings.timeoutBlocks());
        io.evmore.pool.ChainMetrics chainMetrics = io.evmore.pool.ChainMetrics.on(registry);
        String label = settings.chainId().value();
        submitter.sequencer().onResync(() -> chainMetrics.nonceResyncs.labelValues(label).inc());
        submitter.onBroadcast(() -> chainMetrics.txSubmitted.labelValues(label).inc());
        this.htlcChain = new CosmWasmHtlcChain(settings, submitter, queries);
        this.reconciler = new IntentReconciler(settings.chainId(), submitter, queries, settings.timeoutBlocks());
        this.ibc = new IbcTransferSender(submitter, sentTransfers, clock);
        String relayer = submitter.address();
        DroppedEvents dropped = new DroppedEvents(registry);
        // recognises the relayer's packets by their sender alone: what the follower already settled is still found
        this.packetOutcomes = new io.evmore.cosmos.ibc.PacketOutcomes(rpc,
                new IbcEventDecoder(settings.chainId(), relayer, new io.evmore.cosmos.ibc.SentTransfers(), dropped));
        this.follower = new CosmosEventFollower(settings.chainId(), rpc, cursors,
                new HtlcEventDecoder(settings.chainId(), settings.contract(), settings.prefix(), dropped),
                new IbcEventDecoder(settings.chainId(), relayer, sentTransfers, dropped),
                settings.contract(), settings.rpcEndpoints().stream().map(CometWebsocket::websocketUri).toList(),
                new CosmosEventFollower.Options(settings.confirmations(), settings.pollInterval(),
                        settings.websocketSilence(), settings.startHeight(), 1000, settings.pollInterval()),
                CosmosEventFollower.Metrics.on(registry));
    }

    /** The pool (and metrics label) of a Cosmos chain: {@code cosmos:<chain id>}. */
    public static String poolName(String chainId) {
        return "cosmos:" + chainId.toLowerCase();
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

    /** Packets this chain's relayer account sent (what the follower matches acks and timeouts against). */
    public SentTransfers sentTransfers() {
        return sentTransfers;
    }

    /**
     * The counter-lock over {@code route} from this (home) chain: sends {@code homeDenom}, creates the HTLC on the
     * route's final chain at {@code finalContract} with refund address {@code relayerOnFinal}.
     *
     * @throws IllegalArgumentException if the route does not start at this chain or a value does not fit it
     */
    public io.evmore.cosmos.ibc.CosmosIbcCounterLock counterLockOver(io.evmore.cosmos.ibc.IbcRoute route, String homeDenom,
            String finalContract, String relayerOnFinal) {
        return new io.evmore.cosmos.ibc.CosmosIbcCounterLock(settings.chainId(), submitter.address(), ibc, reconciler,
                packetOutcomes, route, homeDenom, finalContract, relayerOnFinal);
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
        if (ownsTransport) transport.close();
    }
}
