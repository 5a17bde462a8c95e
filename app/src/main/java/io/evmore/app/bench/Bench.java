package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.chains.LocalWorld;
import io.evmore.app.http.HttpApi;
import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.Clock;
import io.evmore.core.port.CursorStore;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.TestAccount;
import io.evmore.ethereum.EthConnection;
import io.evmore.ethereum.EthereumEventFollower;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.ethereum.Web3jConnections;
import io.evmore.ethereum.Web3jHtlcChain;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The relayer benchmark behind {@code ./evmore bench}: the local world (Hardhat + HTLC, the Cosmos devnet) in this
 * process, the relayer as a separate process on the embedded database (as {@code ./evmore run}), and swappers acting as
 * users through the same client stack the relayer uses (web3j transactor with pipelined nonces, the Cosmos submitter).
 *
 * <p>Phases, all in one run so ratios compare like with like:
 * <ol>
 *   <li><b>ceiling</b>: with no relayer running, one signer per chain sends HTLC locks from many concurrent callers
 *       for a fixed window, on Ethereum and devnet-a at once; the included transactions per second of each chain;</li>
 *   <li><b>start-up</b>: the relayer process from spawn to {@code /health} 200;</li>
 *   <li><b>swaps</b>: {@code swaps} swaps by {@code concurrency} concurrent swappers: lock on the source, wait for the
 *       relayer's counter-lock (seen by this process's own chain followers), claim it, wait for the relayer's source
 *       claim on chain; memory (heap from /metrics, RSS from /proc) sampled throughout, the live heap after a forced
 *       full GC when every swap is locked; with {@code holdSeconds} the swappers keep every swap in flight (counter-lock
 *       made, not claimed) that long before claiming (the soak);</li>
 *   <li><b>reaction</b>: the relayer's own {@code evmore_relay_reaction_seconds} histograms after the swaps;</li>
 *   <li><b>catch-up</b>: {@code catchupBlocks} empty blocks mined on Hardhat (after {@code catchupEvents} extra HTLC
 *       locks), then a second relayer with a fresh database and a cold cursor (Ethereum from block 0, a key nobody
 *       locked for) until its cursor reaches the head.</li>
 * </ol>
 */
public final class Bench {
    public enum Direction { ETH_TO_COSMOS, COSMOS_TO_ETH, BOTH }

    public record Options(int swaps, int concurrency, Direction direction, Path outDir, int ceilingSeconds, int holdSeconds,
            int catchupBlocks, int catchupEvents, String relayerHeap, Path jfr) {}

    static final BigInteger ETH_AMOUNT = new BigInteger("10000000000000000"); // 0.01 ETH
    static final BigInteger COSMOS_AMOUNT = BigInteger.valueOf(1_000_000); // 1 whole unit of devnet-a's denom
    static final Duration WAIT = Duration.ofSeconds(300);

    private final Options o;
    private final Consumer<String> say;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Bench(Options options, Consumer<String> say) {
        this.o = options;
        this.say = say;
    }

    // ------------------------------------------------------------------ the world's clients

    /** A chain as one signer sees it. */
    private record Signer(String name, HtlcChain htlc, String address, AutoCloseable closer) {}

    private static final CursorStore MEMORY_CURSORS = new CursorStore() {
        private final Map<ChainId, ChainCursor> map = new ConcurrentHashMap<>();

        @Override
        public Optional<ChainCursor> load(ChainId chain) {
            return Optional.ofNullable(map.get(chain));
        }

        @Override
        public void save(ChainCursor cursor) {
            map.put(cursor.chain(), cursor);
        }
    };

    /**
     * The users' pools: one endpoint that a loaded Hardhat sometimes answers with a dropped keep-alive connection, so a
     * breaker that opens after a few failures would fail the harness's own users, not measure the relayer.
     */
    private static final PoolSettings USER_POOL = new PoolSettings(50, 1, Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofMillis(200), 8, Duration.ofSeconds(10), 1_000_000, Duration.ofSeconds(1), 1_000_000, Duration.ofMinutes(30),
            Duration.ofSeconds(10));

    private EthereumSettings ethSettings(LocalWorld w) {
        return EthereumSettings.of(w.ethereumChain(), List.of(new Endpoint("rpc-0", w.hardhat().url())), w.htlcContract())
                .withPool(USER_POOL)
                .withConfirmations(1).withPolling(Duration.ofMillis(250), 2_000).withReceiptTimeout(Duration.ofSeconds(180));
    }

    /** The bench runs on the devnet: its home chain (devnet-a) as the devnet serves it. */
    private static DevnetChain devnetHome(LocalWorld w) {
        if (w.devnet() == null) throw new IllegalStateException("the bench runs on the local devnet, not on real chains");
        return w.devnet().chain(w.home().chainId());
    }

    private CosmosSettings cosmosSettings(LocalWorld w) {
        DevnetChain a = devnetHome(w);
        return CosmosSettings.of(ChainId.of(a.chainId()), a.prefix(), a.denom(), List.of(a.rpcUrl()), new BigDecimal("0.025"),
                a.htlcContractAddress()).withTimings(Duration.ofMillis(250), Duration.ofSeconds(15), Duration.ofSeconds(180));
    }

    private Signer ethSigner(LocalWorld w, int account) {
        EndpointPool<EthConnection> pool = Web3jConnections.pool("bench-user" + account, ethSettings(w), PoolMetrics.unregistered(),
                Clock.system());
        Web3jHtlcChain c = Web3jHtlcChain.withKey(ethSettings(w), pool, w.hardhat().devPrivateKeys().get(account),
                ChainMetrics.on(new PrometheusRegistry()));
        return new Signer("eth-user" + account, c, c.relayerAddress(), pool::close);
    }

    private Signer cosmosSigner(LocalWorld w, String account) {
        CosmosAdapter a = new CosmosAdapter(cosmosSettings(w), CosmosSigner.fromMnemonic(w.devnet().account(account).mnemonic()),
                USER_POOL.withConnections(16, 1), new PrometheusRegistry(), MEMORY_CURSORS, Clock.system());
        return new Signer(account, a.htlcChain(), a.htlcChain().relayerAddress(), a);
    }

    // ------------------------------------------------------------------ the run

    public ObjectNode run() throws Exception {
        Path out = o.outDir().toAbsolutePath();
        Path runDir = out.resolve("run");
        deleteTree(runDir);
        Files.createDirectories(runDir);
        ObjectNode report = HttpApi.JSON.createObjectNode();
        report.put("date", Instant.now().toString());
        report.put("machine", Machine.describe());
        report.put("swaps_requested", o.swaps()).put("concurrency", o.concurrency())
                .put("direction", o.direction().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("hold_seconds", o.holdSeconds());

        say.accept("bench: starting the local chains (Hardhat + HTLC, Cosmos devnet) in this process");
        ByteArrayOutputStream worldLines = new ByteArrayOutputStream();
        try (LocalWorld w = LocalWorld.start(Duration.ofSeconds(1), 1, new PrintStream(worldLines, true, StandardCharsets.UTF_8))) {
            List<Signer> eth = new ArrayList<>();
            List<Signer> cosmos = new ArrayList<>();
            try {
                for (int i = 1; i < w.hardhat().devPrivateKeys().size(); i++) eth.add(ethSigner(w, i));
                for (String name : List.of("alice", "bob", "carol")) cosmos.add(cosmosSigner(w, name));

                // 1. the ceiling
                ceiling(w, eth.get(eth.size() - 1), cosmos.get(cosmos.size() - 1), report);

                // 2. the relayer, started as in production
                int port = freePort();
                Path config = w.writeRelayerConfig(runDir, port, "info");
                Relayer relayer = Relayer.start(runDir, config, port, o.relayerHeap(), o.jfr(), "relayer");
                try {
                    double startup = relayer.awaitReady(Duration.ofSeconds(120), http);
                    report.put("startup_seconds", round(startup, 3));
                    say.accept(String.format(Locale.ROOT, "relayer: ready in %.2f s (spawn to /health 200, pid %d)", startup, relayer.pid()));

                    // 3. the swaps
                    swaps(w, eth, cosmos, relayer, report);

                    // 4. reaction, from the relayer's own histograms
                    PromText m = new PromText(relayer.metrics(http));
                    ObjectNode reaction = report.putObject("reaction_ms");
                    for (String kind : List.of("counter_lock", "source_claim")) {
                        var b = m.buckets("evmore_relay_reaction_seconds", Map.of("kind", kind));
                        ObjectNode k = reaction.putObject(kind);
                        k.put("p50", round(PromText.quantile(0.50, b) * 1000, 2));
                        k.put("p99", round(PromText.quantile(0.99, b) * 1000, 2));
                        k.put("count", b.isEmpty() ? 0 : b.lastEntry().getValue().longValue());
                    }
                } finally {
                    int code = relayer.stop();
                    say.accept("relayer: stopped (exit " + code + "); its log: " + relayer.log());
                }

                // 5. catch-up from a cold cursor
                catchup(w, eth, runDir, report);
            } finally {
                for (Signer s : cosmos) closeQuietly(s.closer());
                for (Signer s : eth) closeQuietly(s.closer());
            }
        }
        return report;
    }

    // ------------------------------------------------------------------ 1. ceiling

    private void ceiling(LocalWorld w, Signer ethSigner, Signer cosmosSigner, ObjectNode report) throws Exception {
        int callers = Math.max(64, Math.min(o.concurrency(), 1000));
        say.accept("ceiling: " + o.ceilingSeconds() + " s of HTLC locks from one signer per chain, " + callers
                + " concurrent callers each, Ethereum and devnet-a at once, no relayer");
        String ethReceiver = w.hardhat().devAddresses().get(8);
        String cosmosReceiver = w.devnet().account("bob").address(w.home().prefix());
        long ethTime = w.hardhat().latestTimestamp();
        long cosmosTime = cosmosSigner.htlc().latestBlockTime();
        CeilingRun e = new CeilingRun("ethereum", () -> ethSigner.htlc().lock(new LockRequest(ethReceiver, HtlcAbi.NATIVE,
                BigInteger.valueOf(1000), Secret.random().hashlock(), ethTime + 3600, w.home().chainId(), cosmosReceiver)));
        CeilingRun c = new CeilingRun("devnet-a", () -> cosmosSigner.htlc().lock(new LockRequest(cosmosReceiver, w.home().denom(),
                BigInteger.ONE, Secret.random().hashlock(), cosmosTime + 3600, w.ethereumChain().value(), ethReceiver)));
        e.start(callers, o.ceilingSeconds());
        c.start(callers, o.ceilingSeconds());
        e.await();
        c.await();
        ObjectNode n = report.putObject("ceiling");
        n.put("callers_per_chain", callers).put("window_seconds", o.ceilingSeconds());
        n.put("ethereum_tx_per_second", round(e.rate(), 1)).put("ethereum_included", e.included.get()).put("ethereum_failed", e.failed.get());
        n.put("cosmos_tx_per_second", round(c.rate(), 1)).put("cosmos_included", c.included.get()).put("cosmos_failed", c.failed.get());
        // a swap costs the relayer one transaction on each chain: the pair of chains takes 2 x the slower chain's rate
        double ceiling = 2 * Math.min(e.rate(), c.rate());
        report.put("ceiling_tx_per_second", round(ceiling, 1));
        say.accept(String.format(Locale.ROOT, "ceiling: Ethereum %.1f tx/s (%d included, %d failed), devnet-a %.1f tx/s (%d included, %d failed): "
                + "%.1f relayer tx/s", e.rate(), e.included.get(), e.failed.get(), c.rate(), c.included.get(), c.failed.get(), ceiling));
        if (e.firstError != null) say.accept("ceiling: first Ethereum failure: " + e.firstError);
        if (c.firstError != null) say.accept("ceiling: first devnet-a failure: " + c.firstError);
    }

    /** Callers sending for a window; the rate is what was included over the time from the first send to the last inclusion. */
    private static final class CeilingRun {
        final String name;
        final Runnable send;
        final AtomicInteger included = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong lastIncluded = new AtomicLong();
        volatile String firstError;
        long started;
        final List<Thread> threads = new ArrayList<>();

        CeilingRun(String name, Runnable send) {
            this.name = name;
            this.send = send;
        }

        void start(int callers, int seconds) {
            started = System.nanoTime();
            long until = started + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = 0; i < callers; i++) {
                threads.add(Thread.ofVirtual().name("ceiling-" + name + "-" + i).start(() -> {
                    while (System.nanoTime() < until) {
                        try {
                            send.run();
                            included.incrementAndGet();
                            lastIncluded.accumulateAndGet(System.nanoTime(), Math::max);
                        } catch (RuntimeException ex) {
                            failed.incrementAndGet();
                            if (firstError == null) firstError = oneLine(ex);
                        }
                    }
                }));
            }
        }

        void await() throws InterruptedException {
            for (Thread t : threads) t.join();
        }

        double rate() {
            long took = lastIncluded.get() - started;
            return took <= 0 ? 0 : included.get() / (took / 1e9);
        }
    }

    // ------------------------------------------------------------------ 3. swaps

    /** One swap as the harness follows it. */
    private static final class Track {
        final Hashlock hashlock;
        final ChainId dest;
        final String destRelayer;
        volatile String sourceId;
        final java.util.concurrent.CompletableFuture<HtlcRecord> counterLock = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CompletableFuture<Long> sourceClaimed = new java.util.concurrent.CompletableFuture<>();

        Track(Hashlock hashlock, ChainId dest, String destRelayer) {
            this.hashlock = hashlock;
            this.dest = dest;
            this.destRelayer = destRelayer;
        }
    }

    private final Map<Hashlock, Track> byHashlock = new ConcurrentHashMap<>();
    private final Map<String, Track> bySourceId = new ConcurrentHashMap<>();

    private ChainEvents.Listener watcher(ChainId chain) {
        return new ChainEvents.Listener() {
            @Override
            public void onBlock(ChainCursor cursor, List<ChainEvent> events) {
                for (ChainEvent e : events) {
                    if (e instanceof ChainEvent.HtlcLocked l) {
                        Track t = byHashlock.get(l.htlc().hashlock());
                        if (t != null && t.dest.equals(chain) && (l.htlc().sender().equalsIgnoreCase(t.destRelayer)
                                || t.destRelayer.equalsIgnoreCase(l.htlc().refundAddress()))) {
                            t.counterLock.complete(l.htlc());
                        }
                    } else if (e instanceof ChainEvent.HtlcClaimed c) {
                        Track t = bySourceId.get(chain.value() + "/" + c.htlcId().toLowerCase(Locale.ROOT));
                        if (t != null) t.sourceClaimed.complete(System.nanoTime());
                    }
                }
            }

            @Override
            public void onRollback(ChainCursor commonAncestor) {}
        };
    }

    private void swaps(LocalWorld w, List<Signer> eth, List<Signer> cosmos, Relayer relayer, ObjectNode report) throws Exception {
        ChainId ethId = w.ethereumChain();
        ChainId cosmosId = ChainId.of(w.home().chainId());
        String relayerEth = w.hardhat().devAddresses().get(0);
        String relayerCosmos = w.devnet().account("relayer").address(w.home().prefix());
        String receiverCosmos = w.devnet().account("bob").address(w.home().prefix());
        String receiverEth = w.hardhat().devAddresses().get(8);

        // this process's own followers (the relayer's follower code, from the current heads)
        EndpointPool<EthConnection> followPool = Web3jConnections.pool("bench-follow", ethSettings(w), PoolMetrics.unregistered(), Clock.system());
        EthereumEventFollower ethFollower = new EthereumEventFollower(ethSettings(w).withStartBlock(w.hardhat().blockNumber()), followPool,
                MEMORY_CURSORS, Clock.system(), ChainMetrics.on(new PrometheusRegistry()));
        CosmosAdapter cosmosFollow = new CosmosAdapter(cosmosSettings(w).withStartHeight(devnetHome(w).height()),
                CosmosSigner.fromMnemonic(TestAccount.deterministic("bench-watch").mnemonic()), PoolSettings.cosmosDefaults(),
                new PrometheusRegistry(), MEMORY_CURSORS, Clock.system());
        ethFollower.start(watcher(ethId));
        cosmosFollow.follower().start(watcher(cosmosId));

        Sampler sampler = new Sampler(relayer);
        Thread samplerThread = Thread.ofPlatform().daemon().name("bench-sampler").start(sampler);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger locked = new AtomicInteger();
        AtomicInteger countered = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong lastDone = new AtomicLong();
        List<String> failures = new CopyOnWriteArrayList<>();
        CountDownLatch allCountered = new CountDownLatch(o.swaps());
        CountDownLatch releaseHold = new CountDownLatch(1);
        // every chain's clock and this machine's: the relayer checks the time left against the later of them
        long ethNow = Math.max(Math.max(w.hardhat().latestTimestamp(), cosmos.get(0).htlc().latestBlockTime()), Instant.now().getEpochSecond());
        long cosmosNow = ethNow;
        say.accept("swaps: clocks: Hardhat " + w.hardhat().latestTimestamp() + ", devnet-a " + cosmos.get(0).htlc().latestBlockTime()
                + ", this machine " + Instant.now().getEpochSecond());
        // The local Hardhat mines a block per transaction (automine), each a second later than the one before: its clock
        // runs ahead by about a second per Ethereum transaction of the run (a swap makes two to four). The timelocks leave
        // room for that, or late swaps would be refused for too little time left.
        long timelockSeconds = 1800 + o.holdSeconds() + 4L * o.swaps();
        say.accept("swaps: " + o.swaps() + " swap(s), " + o.concurrency() + " concurrent swapper(s), direction " + report.get("direction").asText()
                + (o.holdSeconds() > 0 ? ", every swap held in flight " + o.holdSeconds() + " s before the claims" : ""));
        sampler.inFlight = inFlight;
        long t0 = System.nanoTime();
        List<Thread> swappers = new ArrayList<>();
        for (int c = 0; c < Math.min(o.concurrency(), o.swaps()); c++) {
            swappers.add(Thread.ofVirtual().name("swapper-" + c).start(() -> {
                int i;
                while ((i = next.getAndIncrement()) < o.swaps()) {
                    boolean toCosmos = switch (o.direction()) {
                        case ETH_TO_COSMOS -> true;
                        case COSMOS_TO_ETH -> false;
                        case BOTH -> i % 2 == 0;
                    };
                    Signer src = toCosmos ? eth.get(i % eth.size()) : cosmos.get(i % cosmos.size());
                    Signer dst = toCosmos ? cosmos.get(i % cosmos.size()) : eth.get(i % eth.size());
                    Secret secret = Secret.random();
                    Track t = new Track(secret.hashlock(), toCosmos ? cosmosId : ethId, toCosmos ? relayerCosmos : relayerEth);
                    byHashlock.put(t.hashlock, t);
                    boolean counted = false;
                    inFlight.incrementAndGet();
                    try {
                        TxResult r = src.htlc().lock(toCosmos
                                ? new LockRequest(relayerEth, HtlcAbi.NATIVE, ETH_AMOUNT, t.hashlock, ethNow + timelockSeconds, cosmosId.value(), receiverCosmos)
                                : new LockRequest(relayerCosmos, w.home().denom(), COSMOS_AMOUNT, t.hashlock, cosmosNow + timelockSeconds,
                                        ethId.value(), receiverEth));
                        t.sourceId = r.htlcId().toLowerCase(Locale.ROOT);
                        bySourceId.put((toCosmos ? ethId : cosmosId).value() + "/" + t.sourceId, t);
                        locked.incrementAndGet();
                        HtlcRecord counter = t.counterLock.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        countered.incrementAndGet();
                        allCountered.countDown();
                        counted = true;
                        if (o.holdSeconds() > 0) releaseHold.await();
                        dst.htlc().claim(counter.id(), secret);
                        long doneAt = t.sourceClaimed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        completed.incrementAndGet();
                        lastDone.accumulateAndGet(doneAt, Math::max);
                    } catch (Exception e) {
                        failures.add("swap " + i + ": " + oneLine(e));
                    } finally {
                        if (!counted) allCountered.countDown();
                        inFlight.decrementAndGet();
                        byHashlock.remove(t.hashlock);
                    }
                }
            }));
        }
        Thread progress = Thread.ofPlatform().daemon().name("bench-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(5_000);
                    say.accept(String.format(Locale.ROOT, "swaps: %5.0f s: %d locked, %d counter-locked, %d completed, %d failed, %d in flight",
                            (System.nanoTime() - t0) / 1e9, locked.get(), countered.get(), completed.get(), failures.size(), inFlight.get()));
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        ObjectNode memory = report.putObject("memory");
        if (o.holdSeconds() > 0) {
            allCountered.await();
            say.accept("soak: " + countered.get() + " swap(s) in flight (counter-locked, unclaimed); holding " + o.holdSeconds() + " s");
            List<Double> live = new ArrayList<>();
            long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.holdSeconds());
            while (true) {
                double heap = relayer.liveHeapMib(http);
                live.add(heap);
                sampler.liveHeap.add(heap);
                say.accept(String.format(Locale.ROOT, "soak: live heap %.1f MiB, RSS %.1f MiB, %d in flight", heap, relayer.rssMib(), inFlight.get()));
                long left = holdEnd - System.nanoTime();
                if (left <= 0) break;
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left), 60_000));
            }
            memory.put("soak_live_heap_first_mib", round(live.get(0), 1)).put("soak_live_heap_last_mib", round(live.get(live.size() - 1), 1));
            memory.put("soak_live_heap_growth_mib", round(live.get(live.size() - 1) - live.get(0), 1));
            memory.put("in_flight_held", countered.get());
            releaseHold.countDown();
        } else {
            // the live heap once (nearly) every swap is locked: the most in flight this run reaches
            while (locked.get() + failures.size() < o.swaps() && swappers.stream().anyMatch(Thread::isAlive)) Thread.sleep(50);
            int peak = inFlight.get();
            double heap = relayer.liveHeapMib(http);
            sampler.liveHeap.add(heap);
            say.accept(String.format(Locale.ROOT, "swaps: every swap locked, %d in flight: live heap after a full GC %.1f MiB", peak, heap));
            memory.put("in_flight_at_live_heap", peak);
        }
        for (Thread t : swappers) t.join();
        long t1 = lastDone.get() == 0 ? System.nanoTime() : lastDone.get();
        progress.interrupt();
        sampler.stop = true;
        samplerThread.join();
        ethFollower.close();
        cosmosFollow.close();
        followPool.close();

        double seconds = (t1 - t0) / 1e9 - (o.holdSeconds() > 0 ? o.holdSeconds() : 0);
        report.put("swaps_completed", completed.get());
        report.put("swaps_failed", failures.size());
        report.put("swaps_seconds", round(seconds, 2));
        double perSecond = completed.get() / Math.max(seconds, 1e-3);
        report.put("swaps_per_second", round(perSecond, 2));
        double ceiling = report.path("ceiling_tx_per_second").asDouble();
        report.put("ceiling_ratio", ceiling > 0 ? round(2 * perSecond / ceiling, 3) : 0);
        report.put("heap_mib", round(sampler.liveHeap.stream().mapToDouble(d -> d).max().orElse(Double.NaN), 1));
        report.put("rss_mib", round(Math.max(sampler.maxRss, relayer.rssPeakMib()), 1));
        memory.put("heap_used_peak_mib", round(sampler.maxHeapUsed, 1));
        memory.put("rss_peak_mib", round(relayer.rssPeakMib(), 1));
        memory.put("relayer_max_heap", o.relayerHeap());
        if (!failures.isEmpty()) {
            say.accept("swaps: " + failures.size() + " failed; the first: " + failures.get(0));
            report.putArray("failures").addAll(failures.stream().limit(20).map(report::textNode).toList());
        }
        say.accept(String.format(Locale.ROOT, "swaps: %d of %d completed in %.1f s: %.2f swaps/s (%.1f relayer tx/s, %.0f%% of the ceiling)",
                completed.get(), o.swaps(), seconds, perSecond, 2 * perSecond, ceiling > 0 ? 200 * perSecond / ceiling : 0));
    }

    /** Samples the relayer's heap (from /metrics) and RSS (from /proc) every second. */
    private final class Sampler implements Runnable {
        final Relayer relayer;
        volatile boolean stop;
        volatile AtomicInteger inFlight;
        volatile double maxHeapUsed;
        volatile double maxRss;
        final List<Double> liveHeap = new CopyOnWriteArrayList<>();

        Sampler(Relayer relayer) {
            this.relayer = relayer;
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    PromText m = new PromText(relayer.metrics(http));
                    double heap = m.sum("jvm_memory_used_bytes", Map.of("area", "heap")) / (1 << 20);
                    if (!Double.isNaN(heap)) maxHeapUsed = Math.max(maxHeapUsed, heap);
                    maxRss = Math.max(maxRss, relayer.rssMib());
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a scrape that failed: the next one counts
                }
            }
        }
    }

    // ------------------------------------------------------------------ 5. catch-up

    private void catchup(LocalWorld w, List<Signer> eth, Path runDir, ObjectNode report) throws Exception {
        ObjectNode n = report.putObject("catchup");
        if (o.catchupEvents() > 0) {
            say.accept("catch-up: adding " + o.catchupEvents() + " HTLC lock(s) to the chain's history");
            // Hardhat's clock moves a second per transaction: the last of these locks must still be in the future
            long t = w.hardhat().latestTimestamp() + 3600 + 2L * o.catchupEvents();
            String receiver = w.hardhat().devAddresses().get(8);
            AtomicInteger nextEvent = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicInteger attempts = new AtomicInteger();
            List<String> errors = new CopyOnWriteArrayList<>();
            List<Thread> ts = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                ts.add(Thread.ofVirtual().start(() -> {
                    int i;
                    while ((i = nextEvent.getAndIncrement()) < o.catchupEvents()) {
                        for (int attempt = 1; ; attempt++) { // a loaded Hardhat drops a request now and then: the lock is sent again
                            attempts.incrementAndGet();
                            try {
                                eth.get(i % eth.size()).htlc().lock(new LockRequest(receiver, HtlcAbi.NATIVE, BigInteger.valueOf(1000),
                                        Secret.random().hashlock(), t, w.home().chainId(), "cosmos1bench"));
                                break;
                            } catch (RuntimeException e) {
                                if (errors.size() < 3) errors.add(oneLine(e));
                                if (attempt == 5) {
                                    failed.incrementAndGet();
                                    break;
                                }
                            }
                        }
                    }
                }));
            }
            for (Thread x : ts) x.join();
            if (!errors.isEmpty()) say.accept("catch-up: some locks were sent again (" + attempts.get() + " attempts); first error: " + errors.get(0));
            n.put("events_added", o.catchupEvents() - failed.get());
        }
        long events = countLockEvents(w);
        say.accept("catch-up: mining " + o.catchupBlocks() + " block(s) on Hardhat");
        w.hardhat().mine(o.catchupBlocks());
        long head = w.hardhat().blockNumber();
        n.put("blocks", head).put("htlc_lock_events", events);
        // a relayer nobody locked for (a new key), a new database, Ethereum from block 0
        Path dir = runDir.resolve("catchup");
        Files.createDirectories(dir);
        int port = freePort();
        Path config = w.writeRelayerConfig(dir, port, "info");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(dir.resolve("secrets").resolve(io.evmore.app.secrets.RelayerKeys.ETHEREUM_PRIVATE_KEY), "0x" + HexFormat.of().formatHex(key) + "\n");
        Files.writeString(dir.resolve("secrets").resolve(io.evmore.app.secrets.RelayerKeys.COSMOS_MNEMONIC),
                TestAccount.deterministic("bench-catchup").mnemonic() + "\n");
        String yaml = Files.readString(config).replaceAll("(?m)^(\\s+startHeight: )\\d+$", "$1" + devnetHome(w).height());
        Files.writeString(config, yaml);
        say.accept("catch-up: a relayer with a fresh database and a cold Ethereum cursor, " + head + " blocks holding " + events + " HTLC lock events");
        Relayer r = Relayer.start(dir, config, port, o.relayerHeap(),
                o.jfr() == null ? null : o.jfr().resolveSibling(o.jfr().getFileName() + ".catchup.jfr"), "catchup");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            long firstAt = 0;
            double firstHeight = 0;
            String label = w.ethereumChain().value();
            while (System.nanoTime() < deadline) {
                String text;
                try {
                    text = r.metrics(http);
                } catch (IOException e) {
                    if (!r.alive()) throw new IllegalStateException("the catch-up relayer exited; see " + r.log());
                    Thread.sleep(20);
                    continue;
                }
                double h = new PromText(text).sum("evmore_chain_cursor_height", Map.of("chain", label));
                long now = System.nanoTime();
                if (Double.isNaN(h)) {
                    Thread.sleep(20); // the follower has not finished its first range yet (or the relayer is still starting)
                    continue;
                }
                if (firstAt == 0) {
                    // from the follower's first reported range: the relayer's own start-up is start-up, not catch-up
                    firstAt = now;
                    firstHeight = h;
                }
                if (h >= head) {
                    double secs = (now - firstAt) / 1e9;
                    double rate = secs > 0 ? (head - firstHeight) / secs : Double.NaN;
                    n.put("measured_blocks", (long) (head - firstHeight)).put("seconds", round(secs, 3));
                    report.put("catchup_blocks_per_second", round(rate, 0));
                    say.accept(String.format(Locale.ROOT, "catch-up: %d blocks in %.2f s: %.0f blocks/s", (long) (head - firstHeight), secs, rate));
                    return;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("the catch-up relayer did not reach block " + head + " in 30 minutes; see " + r.log());
        } finally {
            r.stop();
        }
    }

    private static long countLockEvents(LocalWorld w) {
        var logs = w.hardhat().rpc("eth_getLogs", Map.of("fromBlock", "0x0", "toBlock", "latest", "address", w.htlcContract(),
                "topics", List.of(HtlcAbi.LOCKED_TOPIC)));
        return logs.size();
    }

    // ------------------------------------------------------------------ the relayer process

    static final class Relayer {
        private final Process process;
        private final Path log;
        private final int port;
        private final long spawnedAt;

        private Relayer(Process process, Path log, int port, long spawnedAt) {
            this.process = process;
            this.log = log;
            this.port = port;
            this.spawnedAt = spawnedAt;
        }

        static Relayer start(Path dir, Path config, int port, String heap, Path jfr, String name) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("-Xmx" + heap);
            if (jfr != null) cmd.add("-XX:StartFlightRecording=filename=" + jfr.toAbsolutePath() + ",settings=profile");
            cmd.add("-cp");
            // absolute: the relayer runs in its own folder
            cmd.add(java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .map(e -> Path.of(e).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
            cmd.add("io.evmore.app.cli.EvmoreCli");
            cmd.addAll(List.of("run", "--config", config.toString()));
            Path log = dir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            for (String k : List.of("FUSION_ENV", "LOG_LEVEL", "ENABLE_TRACING", "DATABASE_URL", "ADMIN_TOKEN", "ETHEREUM_RPC_URL",
                    "COSMOS_RPC_URL", "ETHEREUM_PRIVATE_KEY", "COSMOS_MNEMONIC")) {
                pb.environment().remove(k);
            }
            long at = System.nanoTime();
            Process p = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return new Relayer(p, log, port, at);
        }

        long pid() {
            return process.pid();
        }

        Path log() {
            return log;
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Seconds from spawn to the first {@code /health} 200. */
        double awaitReady(Duration timeout, HttpClient http) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IllegalStateException("the relayer exited with " + process.exitValue() + "; see " + log);
                try {
                    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) return (System.nanoTime() - spawnedAt) / 1e9;
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("the relayer was not ready within " + timeout.toSeconds() + " s; see " + log);
        }

        String metrics(HttpClient http) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        /** The heap in use right after a full GC the bench asks for (jcmd GC.run): the live set. */
        double liveHeapMib(HttpClient http) throws Exception {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            return new PromText(metrics(http)).sum("jvm_memory_used_bytes", Map.of("area", "heap")) / (1 << 20);
        }

        double rssMib() {
            return status("VmRSS:");
        }

        double rssPeakMib() {
            return status("VmHWM:");
        }

        private double status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not Linux
            }
            return 0;
        }

        int stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                return -1;
            }
            return process.exitValue();
        }
    }

    // ------------------------------------------------------------------ helpers

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return v;
        return BigDecimal.valueOf(v).setScale(places, java.math.RoundingMode.HALF_UP).doubleValue();
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while ((root instanceof java.util.concurrent.ExecutionException || root instanceof java.util.concurrent.CompletionException)
                && root.getCause() != null) {
            root = root.getCause();
        }
        String m = root.getClass().getSimpleName() + ": " + root.getMessage();
        return m.replace('\n', ' ');
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
