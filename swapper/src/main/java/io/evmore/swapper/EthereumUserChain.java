package io.evmore.swapper;

import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Hashlock;
import io.evmore.ethereum.EthConnection;
import io.evmore.ethereum.EthereumLockFinder;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.Web3jConnections;
import io.evmore.ethereum.Web3jHtlcChain;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/** An EVM chain for a swapper: its own small pool, the user's key (never logged). */
public final class EthereumUserChain implements UserChain {
    private final EndpointPool<EthConnection> pool;
    private final Web3jHtlcChain htlc;
    private final EthereumLockFinder finder;
    private final long fromBlock;

    public EthereumUserChain(EthereumSettings settings, String privateKeyHex) {
        this.pool = Web3jConnections.pool("swapper", settings, PoolMetrics.unregistered(), Clock.system());
        try {
            this.htlc = Web3jHtlcChain.withKey(settings, pool, privateKeyHex, ChainMetrics.on(new PrometheusRegistry()));
        } catch (IllegalArgumentException e) {
            pool.close();
            throw e;
        }
        this.finder = new EthereumLockFinder(settings, pool);
        this.fromBlock = Math.max(0, finder.latestBlock() - 10);
    }

    @Override
    public HtlcChain htlc() {
        return htlc;
    }

    @Override
    public java.math.BigInteger balanceOf(String asset, String owner) {
        return htlc.balance(asset, owner);
    }

    @Override
    public List<HtlcRecord> locksFor(String receiver, Hashlock hashlock) {
        return finder.find(receiver, hashlock, fromBlock).stream()
                .map(h -> htlc.query(h.id()).orElse(h)) // the current status; the event only knows the creation
                .toList();
    }

    @Override
    public void close() {
        pool.close();
    }
}
