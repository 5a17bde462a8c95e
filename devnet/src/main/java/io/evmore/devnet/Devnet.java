package io.evmore.devnet;

import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.chain.CosmosChain;
import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.ibc.IbcRelayer;
import io.evmore.devnet.rpc.CometRpcEndpoint;
import io.evmore.devnet.wasm.WasmContract;
import io.evmore.devnet.wasm.WasmContracts;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-chain Cosmos devnet: several chains in this process, each with CometBFT RPC endpoints on
 * 127.0.0.1, the HTLC contract, ICS-20 channels between them and an in-process relayer.
 *
 * <pre>
 * try (Devnet devnet = Devnet.builder().chain(new ChainSpec("devnet-a", "cosmos", "stake"))
 *         .chain(new ChainSpec("devnet-b", "osmo", "uosmo")).channel("devnet-a", "devnet-b")
 *         .manualBlocks().start()) { … }
 * </pre>
 */
public final class Devnet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Devnet.class);
    public static final BigInteger DEFAULT_FUNDING = new BigInteger("1000000000000");
    public static final List<String> DEFAULT_ACCOUNTS = List.of("alice", "bob", "carol", "relayer");

    private final Map<String, DevnetChain> chains;
    private final IbcRelayer relayer;
    private final List<TestAccount> accounts;
    private final ScheduledExecutorService scheduler;
    private final Duration blockInterval;

    private Devnet(Map<String, DevnetChain> chains, IbcRelayer relayer, List<TestAccount> accounts,
                   ScheduledExecutorService scheduler, Duration blockInterval) {
        this.chains = chains;
        this.relayer = relayer;
        this.accounts = accounts;
        this.scheduler = scheduler;
        this.blockInterval = blockInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default topology: devnet-a (home) ↔ devnet-b ↔ devnet-c, channel-N numbered per chain. */
    public static Builder defaultTopology() {
        return builder()
                .chain(new ChainSpec("devnet-a", "cosmos", "stake"))
                .chain(new ChainSpec("devnet-b", "osmo", "uosmo"))
                .chain(new ChainSpec("devnet-c", "juno", "ujuno"))
                .channel("devnet-a", "devnet-b")
                .channel("devnet-b", "devnet-c");
    }

    public DevnetChain chain(String chainId) {
        DevnetChain c = chains.get(chainId);
        if (c == null) {
            throw new IllegalArgumentException("no devnet chain " + chainId + " (have " + chains.keySet() + ")");
        }
        return c;
    }

    public List<DevnetChain> chains() {
        return List.copyOf(chains.values());
    }

    public IbcRelayer relayer() {
        return relayer;
    }

    public List<TestAccount> accounts() {
        return accounts;
    }

    public TestAccount account(String name) {
        return accounts.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no devnet account " + name));
    }

    /** Null in manual mode. */
    public Duration blockInterval() {
        return blockInterval;
    }

    /** Hands every due packet, ack and timeout to its chain now (they land in that chain's next block). */
    public void relayPackets() {
        relayer.flush();
    }

    public void advanceTime(Duration d) {
        chains.values().forEach(c -> c.advanceTime(d));
    }

    /**
     * Manual mode helper: produces blocks on every chain and relays until no tx, packet or ack is pending
     * (at most {@code maxRounds} rounds). Returns the number of rounds used.
     */
    public int settle(int maxRounds) {
        for (int round = 1; round <= maxRounds; round++) {
            for (DevnetChain c : chains.values()) {
                c.produceBlock();
            }
            relayer.flush();
            boolean idle = relayer.pending() == 0 && chains.values().stream().allMatch(c -> c.state().mempoolSize() == 0);
            if (idle) {
                return round;
            }
        }
        throw new IllegalStateException("devnet did not settle in " + maxRounds + " rounds (relayer paused: "
                + relayer.paused() + ", pending " + relayer.pending() + ")");
    }

    public int settle() {
        return settle(50);
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (DevnetChain c : chains.values()) {
            c.endpoints().forEach(CometRpcEndpoint::stop);
        }
    }

    public static final class Builder {
        private final List<ChainSpec> specs = new ArrayList<>();
        private final List<String[]> channels = new ArrayList<>();
        private Duration blockInterval = Duration.ofSeconds(1);
        private int endpointsPerChain = 1;
        private Duration relayDelay = Duration.ZERO;
        private List<TestAccount> accounts = DEFAULT_ACCOUNTS.stream().map(TestAccount::deterministic).toList();
        private BigInteger funding = DEFAULT_FUNDING;
        private Supplier<WasmContract> htlc = () -> WasmContracts.htlc().orElse(null);

        public Builder chain(ChainSpec spec) {
            specs.add(Objects.requireNonNull(spec));
            return this;
        }

        /** An ICS-20 channel between two chains (the next free channel-N on each side). */
        public Builder channel(String chainA, String chainB) {
            channels.add(new String[] {chainA, chainB});
            return this;
        }

        public Builder blockInterval(Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("block interval must be positive, got " + d);
            }
            blockInterval = d;
            return this;
        }

        /** Blocks only when a test calls produceBlock()/settle(). */
        public Builder manualBlocks() {
            blockInterval = null;
            return this;
        }

        public Builder rpcEndpointsPerChain(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("need at least one RPC endpoint per chain, got " + n);
            }
            endpointsPerChain = n;
            return this;
        }

        public Builder relayDelay(Duration d) {
            relayDelay = d;
            return this;
        }

        public Builder accounts(List<TestAccount> accounts) {
            this.accounts = List.copyOf(accounts);
            return this;
        }

        public Builder funding(BigInteger amount) {
            funding = amount;
            return this;
        }

        /** Replaces the hosted HTLC contract (default: io.evmore.devnet.wasm.htlc.HtlcContract if present). */
        public Builder htlcContract(Supplier<WasmContract> factory) {
            htlc = factory;
            return this;
        }

        public Devnet start() {
            if (specs.isEmpty()) {
                throw new IllegalStateException("a devnet needs at least one chain");
            }
            Map<String, CosmosChain> raw = new LinkedHashMap<>();
            for (ChainSpec s : specs) {
                if (raw.containsKey(s.chainId())) {
                    throw new IllegalArgumentException("duplicate chain id " + s.chainId());
                }
                raw.put(s.chainId(), new CosmosChain(s));
            }
            Map<String, Integer> nextChannel = new LinkedHashMap<>();
            for (String[] pair : channels) {
                CosmosChain a = raw.get(pair[0]);
                CosmosChain b = raw.get(pair[1]);
                if (a == null || b == null || a == b) {
                    throw new IllegalArgumentException("channel needs two distinct configured chains: " + pair[0] + " - " + pair[1]);
                }
                int na = nextChannel.merge(pair[0], 1, Integer::sum) - 1;
                int nb = nextChannel.merge(pair[1], 1, Integer::sum) - 1;
                a.addChannel(new Channel(pair[0], "channel-" + na, "connection-" + na, pair[1], "channel-" + nb));
                b.addChannel(new Channel(pair[1], "channel-" + nb, "connection-" + nb, pair[0], "channel-" + na));
            }
            IbcRelayer relayer = new IbcRelayer(raw);
            relayer.delay(relayDelay);
            Map<String, DevnetChain> chains = new LinkedHashMap<>();
            List<CometRpcEndpoint> started = new ArrayList<>();
            try {
                for (CosmosChain c : raw.values()) {
                    WasmContract contract = htlc.get();
                    String address = contract == null ? null : c.instantiate(contract);
                    for (TestAccount acc : accounts) {
                        c.fund(acc.address(c.spec().prefix()), c.spec().denom(), funding);
                    }
                    c.produceBlock(); // height 1: genesis state committed, so queries have a non-zero height
                    List<CometRpcEndpoint> eps = new ArrayList<>();
                    for (int i = 0; i < endpointsPerChain; i++) {
                        CometRpcEndpoint ep = new CometRpcEndpoint(c, i).start();
                        started.add(ep);
                        eps.add(ep);
                    }
                    chains.put(c.chainId(), new DevnetChain(c, eps, address));
                }
            } catch (RuntimeException e) {
                started.forEach(CometRpcEndpoint::stop);
                throw e;
            }
            ScheduledExecutorService scheduler = null;
            if (blockInterval != null) {
                scheduler = Executors.newScheduledThreadPool(raw.size() + 1, r -> {
                    Thread t = new Thread(r, "devnet-blocks");
                    t.setDaemon(true);
                    return t;
                });
                for (CosmosChain c : raw.values()) {
                    scheduler.scheduleAtFixedRate(() -> {
                        try {
                            c.produceBlockUnlessHalted();
                        } catch (RuntimeException e) {
                            log.error("{}: block production failed", c.chainId(), e);
                        }
                    }, blockInterval.toMillis(), blockInterval.toMillis(), TimeUnit.MILLISECONDS);
                }
                scheduler.scheduleAtFixedRate(relayer::flush, 100, 100, TimeUnit.MILLISECONDS);
            }
            return new Devnet(chains, relayer, accounts, scheduler, blockInterval);
        }
    }
}
