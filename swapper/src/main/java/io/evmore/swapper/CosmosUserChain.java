package io.evmore.swapper;

import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.core.swap.Hashlock;
import io.evmore.cosmos.CosmWasmHtlcChain;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A CosmWasm chain for a swapper: its own small pool, the user's mnemonic (never logged). */
public final class CosmosUserChain implements UserChain {
    private final CosmosAdapter adapter;

    public CosmosUserChain(CosmosSettings settings, String mnemonic) {
        this.adapter = new CosmosAdapter(settings, CosmosSigner.fromMnemonic(mnemonic),
                PoolSettings.cosmosDefaults().withConnections(4, 1), new PrometheusRegistry(), NO_CURSORS, Clock.system());
    }

    private static final CursorStore NO_CURSORS = new CursorStore() {
        @Override
        public Optional<io.evmore.core.chain.ChainCursor> load(io.evmore.core.chain.ChainId chain) {
            return Optional.empty();
        }

        @Override
        public void save(io.evmore.core.chain.ChainCursor cursor) {}
    };

    @Override
    public HtlcChain htlc() {
        return adapter.htlcChain();
    }

    @Override
    public java.math.BigInteger balanceOf(String denom, String owner) {
        return adapter.queries().balance(owner, denom);
    }

    @Override
    public List<HtlcRecord> locksFor(String receiver, Hashlock hashlock) {
        CosmWasmHtlcChain c = adapter.htlcChain();
        List<HtlcRecord> out = new ArrayList<>();
        String after = null;
        while (true) {
            List<HtlcRecord> page = c.list(after, 30);
            for (HtlcRecord h : page) {
                if (h.receiver().equals(receiver) && h.hashlock().equals(hashlock)) out.add(h);
            }
            if (page.size() < 30) break;
            after = page.get(page.size() - 1).id();
        }
        return out;
    }

    @Override
    public void close() {
        adapter.close();
    }
}
