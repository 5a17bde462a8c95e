package io.evmore.devnet.wasmd;

import io.evmore.devnet.Devnet;
import io.evmore.devnet.TestAccount;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * N independent single-node wasmd chains started side by side, each with the same funded test accounts (the devnet's
 * deterministic alice, bob, carol and relayer by default) and the project's contract instantiated. No IBC between
 * them: wasmd has neither packet-forward middleware nor IBC hooks, so multi-hop stays on the devnet.
 *
 * <pre>{@code
 * try (WasmdNetwork net = WasmdNetwork.start("wasmd-a", "wasmd-b")) {
 *     WasmdChain a = net.chain("wasmd-a");
 *     a.rpcUrl(); a.websocketUrl(); a.htlcContractAddress(); a.address("relayer"); a.balance(addr, "stake");
 * }
 * }</pre>
 */
public final class WasmdNetwork implements AutoCloseable {
    public static final String DENOM = "stake";
    public static final BigInteger FUNDING = BigInteger.TEN.pow(12);
    private final Map<String, WasmdChain> chains;

    private WasmdNetwork(Map<String, WasmdChain> chains) {
        this.chains = chains;
    }

    /** Chains with these ids, denom {@value #DENOM}, the devnet's default accounts funded with 10^12 each. */
    public static WasmdNetwork start(String... chainIds) {
        return start(List.of(chainIds), DENOM, Devnet.DEFAULT_ACCOUNTS.stream().map(TestAccount::deterministic).toList(),
                FUNDING);
    }

    public static WasmdNetwork start(List<String> chainIds, String denom, List<TestAccount> accounts, BigInteger funding) {
        WasmdTools.locate(); // fail fast, once, with the setup hint
        return new WasmdNetwork(startInParallel(chainIds, id -> WasmdChain.start(id, denom, accounts, funding)));
    }

    /**
     * Starts one chain per id side by side; returns them by id, in the ids' order. If any fails, the ones that started
     * are closed again and the failures are thrown together.
     */
    static Map<String, WasmdChain> startInParallel(List<String> chainIds, Function<String, WasmdChain> start) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, chainIds.size()));
        List<Future<WasmdChain>> futures = new ArrayList<>();
        for (String id : chainIds) futures.add(pool.submit(() -> start.apply(id)));
        pool.shutdown();
        Map<String, WasmdChain> started = new LinkedHashMap<>();
        RuntimeException failure = null;
        for (int i = 0; i < futures.size(); i++) {
            try {
                started.put(chainIds.get(i), futures.get(i).get());
            } catch (ExecutionException e) {
                RuntimeException r = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                if (failure == null) failure = r; else failure.addSuppressed(r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("interrupted", e);
            }
        }
        if (failure != null) {
            started.values().forEach(WasmdChain::close);
            throw failure;
        }
        return started;
    }

    public WasmdChain chain(String chainId) {
        WasmdChain c = chains.get(chainId);
        if (c == null) throw new IllegalArgumentException("no wasmd chain " + chainId + "; have " + chains.keySet());
        return c;
    }

    public List<WasmdChain> chains() {
        return List.copyOf(chains.values());
    }

    @Override
    public void close() {
        chains.values().forEach(WasmdChain::close);
    }
}
