package io.evmore.ethereum;

import io.evmore.pool.ConnectionFactory;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.HealthProbe;
import io.evmore.pool.PoolMetrics;
import io.evmore.core.port.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.protocol.websocket.WebSocketService;

/**
 * Opens web3j connections for the pool (HTTP, or websocket for ws:// urls) and probes endpoints with
 * {@code eth_chainId} + {@code eth_blockNumber}. HTTP connections share one OkHttp client (its own connection
 * pool and dispatcher), so a pooled "connection" is a cheap lease of a concurrency slot on an endpoint.
 */
public final class Web3jConnections implements ConnectionFactory<EthConnection>, HealthProbe<EthConnection> {
    private final OkHttpClient http;

    public Web3jConnections(Duration requestTimeout) {
        okhttp3.ConnectionPool idle = new okhttp3.ConnectionPool(); // OkHttp's default: 5 idle, kept 5 minutes
        this.http = new OkHttpClient.Builder()
                .connectionPool(idle)
                .connectTimeout(Math.min(5_000, requestTimeout.toMillis()), TimeUnit.MILLISECONDS)
                .readTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false) // the pool decides where to retry
                .addInterceptor(chain -> onceMoreIfClosedUnanswered(chain, idle))
                // the caller's trace context (W3C traceparent) when tracing is on: runs on the calling thread
                .addInterceptor(chain -> {
                    java.util.Map<String, String> trace = io.evmore.pool.TraceHeaders.current();
                    if (trace.isEmpty()) return chain.proceed(chain.request());
                    okhttp3.Request.Builder b = chain.request().newBuilder();
                    trace.forEach(b::header);
                    return chain.proceed(b.build());
                })
                .build();
    }

    /**
     * A request the server answered with nothing but the end of the connection is sent once more at once, on a fresh
     * connection. That is how a kept-alive connection looks when the node closed it as idle just as the request was
     * written (Node.js servers, Hardhat among them, close idle connections after 5 s): without this the pool charged
     * the endpoint and waited its {@code retryDelay} (1 s) before the next attempt. The idle connections are dropped
     * first, so the second try opens a fresh one — the reaction-time outliers of
     * docs/BENCHMARKS.md "Reaction at light load (round 3)". Every call the relayer makes is a read or the broadcast
     * of an already signed, journaled transaction (resending it is answered "already known"), which the pool repeats
     * anyway; a second failure goes to the pool as before.
     */
    static okhttp3.Response onceMoreIfClosedUnanswered(okhttp3.Interceptor.Chain chain, okhttp3.ConnectionPool idle) throws IOException {
        try {
            return chain.proceed(chain.request());
        } catch (IOException e) {
            if (!closedUnanswered(e) || chain.call().isCanceled()) throw e;
            // The node closes every connection idle as long at the same moment: the other idle ones are as stale as
            // this one (the second try picked one of them in the first bench run). Connections in use are not touched.
            idle.evictAll();
            try {
                return chain.proceed(chain.request());
            } catch (IOException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    /** OkHttp's "unexpected end of stream": the connection ended before a single byte of the response. */
    static boolean closedUnanswered(IOException e) {
        return e.getCause() instanceof java.io.EOFException && String.valueOf(e.getMessage()).startsWith("unexpected end of stream");
    }

    /** Builds the chain's pool named {@code ethereum} (the guide's label), not started. */
    public static EndpointPool<EthConnection> pool(EthereumSettings settings, PoolMetrics metrics, Clock clock) {
        return pool("ethereum", settings, metrics, clock);
    }

    /** Builds a pool (not started) with the adapter's factory and probe; name it per chain when there are several. */
    public static EndpointPool<EthConnection> pool(String name, EthereumSettings settings, PoolMetrics metrics, Clock clock) {
        Web3jConnections c = new Web3jConnections(Duration.ofSeconds(30));
        return EndpointPool.builder(name, c, c).settings(settings.pool())
                .endpoints(settings.endpoints()).expectedChainId(Long.toString(settings.chainIdNumber()))
                .metrics(metrics).clock(clock).build();
    }

    @Override
    public EthConnection create(Endpoint endpoint) throws Exception {
        if (endpoint.isWebSocket()) {
            WebSocketService ws = new WebSocketService(endpoint.url(), false);
            ws.connect();
            return new EthConnection(Web3j.build(ws), ws, endpoint.name());
        }
        HttpService service = new HttpService(endpoint.url(), http, false);
        return new EthConnection(Web3j.build(service), service, endpoint.name());
    }

    @Override
    public void close(EthConnection c) {
        // Not web3j.shutdown(): it would stop web3j's shared default executor used by every other client.
        try {
            c.service().close();
        } catch (IOException | RuntimeException e) {
            // already broken; nothing to release
        }
    }

    @Override
    public Sample probe(EthConnection c) throws Exception {
        long chainId = Rpc.send(c.web3j().ethChainId(), "eth_chainId").getChainId().longValueExact();
        long height = Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact();
        return new Sample(Long.toString(chainId), height);
    }
}
