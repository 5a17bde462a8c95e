package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.chains.LocalWorld;
import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.TestAccount;
import io.evmore.ethereum.EthConnection;
import io.evmore.ethereum.EthereumEventFollower;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.ethereum.Web3jConnections;
import io.evmore.pool.ChainMetrics;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.PoolMetrics;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.evmore.app.bench.BenchClients.*;
import static io.evmore.app.bench.BenchUtil.*;
import static io.evmore.app.bench.Bench.COSMOS_AMOUNT;
import static io.evmore.app.bench.Bench.ETH_AMOUNT;
import static io.evmore.app.bench.Bench.WAIT;

/**
 * The bench's swaps and swappers: {@code swaps} swaps by {@code concurrency} concurrent swappers acting as users (lock on
 * the source, wait for the relayer's counter-lock as this process's own chain followers see it, claim it, wait for the
 * relayer's source claim on chain), alternating directions with {@code --direction both}; the relayer's memory is
 * watched meanwhile ({@link MemoryWatch}). Writes {@code swaps_completed}, {@code swaps_per_second}, {@code ceiling_ratio},
 * {@code heap_mib}, {@code rss_mib} and {@code memory}.
 */
final class SwapsPhase {
    private final Bench.Options o;
    private final Consumer<String> say;
    private final HttpClient http;

    SwapsPhase(Bench.Options options, Consumer<String> say, HttpClient http) {
        this.o = options;
        this.say = say;
        this.http = http;
    }

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

    /** A user's chain calls at once: its Cosmos client's connections (BenchClients: 16; Ethereum's have 50). */
    static final int USER_CALLS_AT_ONCE = 16;

    void run(LocalWorld w, List<Signer> eth, List<Signer> cosmos, RelayerProcess relayer, ObjectNode report) throws Exception {
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

        MemoryWatch memoryWatch = new MemoryWatch(relayer, http, say);
        memoryWatch.start();
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
        // A user's calls to its chain queue here, at most as many at once as its client has connections, instead of in
        // its connection pool, whose 60 s bound failed 1,573 of 10,000 swaps before they were locked in a 10,000-in-flight
        // run (the users' own pools, not the relayer's, were saturated by this harness).
        Map<Signer, Semaphore> userCalls = new ConcurrentHashMap<>();
        java.util.function.Function<Signer, Semaphore> calls = s -> userCalls.computeIfAbsent(s, x -> new Semaphore(USER_CALLS_AT_ONCE, true));
        // How long a user waits for its counter-lock: 300 s, plus 50 ms per swap of the run, since the relayer sends the
        // counter-locks of one chain in order (10,000 swaps: 800 s; their timelocks leave 1800 s + 4 s per swap).
        long counterLockWaitSeconds = WAIT.toSeconds() + o.swaps() / 20;
        ChainLoad load = new ChainLoad(w, say);
        load.begin(relayer.metrics(http), relayer.pid());
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
                        LockRequest request = toCosmos
                                ? new LockRequest(relayerEth, HtlcAbi.NATIVE, ETH_AMOUNT, t.hashlock, ethNow + timelockSeconds, cosmosId.value(), receiverCosmos)
                                : new LockRequest(relayerCosmos, w.home().denom(), COSMOS_AMOUNT, t.hashlock, cosmosNow + timelockSeconds,
                                        ethId.value(), receiverEth);
                        TxResult r;
                        calls.apply(src).acquire();
                        try {
                            r = src.htlc().lock(request);
                        } finally {
                            calls.apply(src).release();
                        }
                        t.sourceId = r.htlcId().toLowerCase(Locale.ROOT);
                        bySourceId.put((toCosmos ? ethId : cosmosId).value() + "/" + t.sourceId, t);
                        locked.incrementAndGet();
                        HtlcRecord counter = t.counterLock.get(counterLockWaitSeconds, TimeUnit.SECONDS);
                        countered.incrementAndGet();
                        allCountered.countDown();
                        counted = true;
                        if (o.holdSeconds() > 0) releaseHold.await();
                        calls.apply(dst).acquire();
                        try {
                            dst.htlc().claim(counter.id(), secret);
                        } finally {
                            calls.apply(dst).release();
                        }
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
            memoryWatch.soak(o.holdSeconds(), allCountered, countered, inFlight, releaseHold, memory);
        } else {
            memoryWatch.liveHeapWhenLocked(() -> locked.get() + failures.size() >= o.swaps() || swappers.stream().noneMatch(Thread::isAlive),
                    inFlight, memory);
        }
        for (Thread t : swappers) t.join();
        long t1 = lastDone.get() == 0 ? System.nanoTime() : lastDone.get();
        progress.interrupt();
        memoryWatch.stop();
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
        memoryWatch.report(report, memory, o.relayerHeap());
        load.end(relayer.metrics(http), seconds, completed.get(), report);
        if (!failures.isEmpty()) {
            say.accept("swaps: " + failures.size() + " failed; the first: " + failures.get(0));
            report.putArray("failures").addAll(failures.stream().limit(20).map(report::textNode).toList());
        }
        say.accept(String.format(Locale.ROOT, "swaps: %d of %d completed in %.1f s: %.2f swaps/s (%.1f relayer tx/s, %.0f%% of the ceiling)",
                completed.get(), o.swaps(), seconds, perSecond, 2 * perSecond, ceiling > 0 ? 200 * perSecond / ceiling : 0));
    }
}
