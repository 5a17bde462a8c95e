package io.evmore.cosmos.rpc;

import io.evmore.pool.ConnectionFactory;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.HealthProbe;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * CometBFT RPC through the shared {@link EndpointPool}: health-scored endpoints, circuit breakers, and failover
 * of transport failures to the next endpoint. JSON-RPC error answers ({@link CometRpcException}) are permanent
 * for the pool and never charged to the endpoint.
 */
public final class PooledCometTransport implements CometTransport, AutoCloseable {
    private final EndpointPool<CometConnection> pool;
    private final HttpClient http;

    public PooledCometTransport(EndpointPool<CometConnection> pool) {
        this(pool, null);
    }

    private PooledCometTransport(EndpointPool<CometConnection> pool, HttpClient http) {
        this.pool = pool;
        this.http = http;
    }

    /**
     * Builds and starts a pool named {@code poolName} (the metrics label) over {@code endpoints}, which must all
     * serve {@code chainId}.
     */
    public static PooledCometTransport start(String poolName, String chainId, List<Endpoint> endpoints,
            PoolSettings settings, PoolMetrics metrics, Duration requestTimeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(requestTimeout)
                .version(HttpClient.Version.HTTP_1_1).build();
        ConnectionFactory<CometConnection> factory = new ConnectionFactory<>() {
            @Override
            public CometConnection create(Endpoint e) {
                return new CometConnection(e.name(), URI.create(e.url()), http, requestTimeout);
            }

            @Override
            public void close(CometConnection c) {
                // HTTP connections are shared by the client; nothing to release per lease
            }
        };
        HealthProbe<CometConnection> probe = c -> {
            CometTypes.Status s = new CometRpcClient(direct(c)).status();
            return new HealthProbe.Sample(s.chainId(), s.latestHeight());
        };
        EndpointPool<CometConnection> pool = EndpointPool.builder(poolName, factory, probe).settings(settings)
                .endpoints(endpoints).expectedChainId(chainId).metrics(metrics).build();
        pool.start();
        return new PooledCometTransport(pool, http);
    }

    public EndpointPool<CometConnection> pool() {
        return pool;
    }

    @Override
    public <T> T execute(Function<CometConnection, T> call) {
        return pool.execute(call::apply);
    }

    @Override
    public <T> T executeOnce(Function<CometConnection, T> call) {
        return pool.executeOnce(call::apply);
    }

    /** A transport bound to one connection (health probes, tests). */
    public static CometTransport direct(CometConnection c) {
        return new CometTransport() {
            @Override
            public <T> T execute(Function<CometConnection, T> call) {
                return call.apply(c);
            }
        };
    }

    @Override
    public void close() {
        pool.close();
        // The client's selector thread and connections would otherwise outlive the adapter.
        if (http != null) http.shutdownNow();
    }
}
