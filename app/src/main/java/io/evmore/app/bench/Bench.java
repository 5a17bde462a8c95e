package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.chains.LocalWorld;
import io.evmore.app.http.HttpApi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 *   <li><b>reaction</b>: the relayer's own {@code evmore_relay_reaction_seconds} histograms after the swaps; with
 *       {@code warmupSwaps}, that many swaps run first (up to {@link #WARMUP_CONCURRENCY} at once) and the measured
 *       swaps' reactions are the histograms' growth since (the warm-up's are reported apart);</li>
 *   <li><b>catch-up</b>: {@code catchupBlocks} empty blocks mined on Hardhat (after {@code catchupEvents} extra HTLC
 *       locks), then a second relayer with a fresh database and a cold cursor (Ethereum from block 0, a key nobody
 *       locked for) until its cursor reaches the head.</li>
 * </ol>
 * Each phase is a class of its own ({@link CeilingPhase}, {@link SwapsPhase} with {@link MemoryWatch}, {@link CatchupPhase});
 * the reaction read and the Markdown are {@link BenchReport}'s, the relayer process {@link RelayerProcess}'s.
 */
public final class Bench {
    public enum Direction { ETH_TO_COSMOS, COSMOS_TO_ETH, BOTH }

    /** @param warmupSwaps swaps run (at most {@link #WARMUP_CONCURRENCY} at once) before the measured ones; 0: none */
    public record Options(int swaps, int concurrency, Direction direction, Path outDir, int ceilingSeconds, int holdSeconds,
            int catchupBlocks, int catchupEvents, String relayerHeap, Path jfr, int warmupSwaps) {
        public Options(int swaps, int concurrency, Direction direction, Path outDir, int ceilingSeconds, int holdSeconds,
                int catchupBlocks, int catchupEvents, String relayerHeap, Path jfr) {
            this(swaps, concurrency, direction, outDir, ceilingSeconds, holdSeconds, catchupBlocks, catchupEvents, relayerHeap, jfr, 0);
        }

        /** The warm-up's own run: its swaps, at most {@link #WARMUP_CONCURRENCY} at once, both directions, no hold. */
        Options warmup() {
            return new Options(warmupSwaps, Math.min(warmupSwaps, WARMUP_CONCURRENCY), Direction.BOTH, outDir, ceilingSeconds, 0,
                    catchupBlocks, catchupEvents, relayerHeap, jfr, 0);
        }
    }

    /** Swaps in flight at most during a warm-up: enough to run the relayer's step code a few thousand times quickly. */
    static final int WARMUP_CONCURRENCY = 50;

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

    // ------------------------------------------------------------------ the run

    public ObjectNode run() throws Exception {
        Path out = o.outDir().toAbsolutePath();
        Path runDir = out.resolve("run");
        BenchUtil.deleteTree(runDir);
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
            List<BenchClients.Signer> eth = new ArrayList<>();
            List<BenchClients.Signer> cosmos = new ArrayList<>();
            try {
                for (int i = 1; i < w.hardhat().devPrivateKeys().size(); i++) eth.add(BenchClients.ethSigner(w, i));
                for (String name : List.of("alice", "bob", "carol")) cosmos.add(BenchClients.cosmosSigner(w, name));

                // 1. the ceiling
                new CeilingPhase(o, say).run(w, eth.get(eth.size() - 1), cosmos.get(cosmos.size() - 1), report);

                // 2. the relayer, started as in production
                int port = BenchUtil.freePort();
                Path config = w.writeRelayerConfig(runDir, port, "info");
                RelayerProcess relayer = RelayerProcess.start(runDir, config, port, o.relayerHeap(), o.jfr(), "relayer");
                try {
                    double startup = relayer.awaitReady(Duration.ofSeconds(120), http);
                    report.put("startup_seconds", BenchUtil.round(startup, 3));
                    report.put("startup_jvm_cache", relayer.jvmCacheUsed());
                    say.accept(String.format(Locale.ROOT, "relayer: ready in %.2f s (spawn to /health 200, pid %d, %s)", startup, relayer.pid(),
                            relayer.jvmCacheUsed() ? "with the launcher's JVM start-up cache"
                                    : "without a JVM start-up cache: none recorded yet by ./evmore run, or other options"));

                    // 3. the swaps, after the warm-up's if asked (its reactions are reported apart, not in reaction_ms)
                    PromText beforeSwaps = null;
                    if (o.warmupSwaps() > 0) {
                        say.accept("warm-up: " + o.warmupSwaps() + " swap(s), " + o.warmup().concurrency()
                                + " at once, before the measured swaps (their reactions are reported apart)");
                        ObjectNode warm = report.deepCopy().put("direction", "both"); // the run so far (ceiling), its own swaps
                        new SwapsPhase(o.warmup(), say, http).run(w, eth, cosmos, relayer, warm);
                        beforeSwaps = new PromText(relayer.metrics(http));
                        ObjectNode wr = report.putObject("warmup");
                        wr.put("swaps", o.warmupSwaps()).put("concurrency", o.warmup().concurrency())
                                .put("swaps_completed", warm.path("swaps_completed").asInt());
                        BenchReport.putReaction(beforeSwaps, null, wr);
                    }
                    new SwapsPhase(o, say, http).run(w, eth, cosmos, relayer, report);

                    // 4. reaction, from the relayer's own histograms (the measured swaps' alone)
                    BenchReport.putReaction(new PromText(relayer.metrics(http)), beforeSwaps, report);
                } finally {
                    int code = relayer.stop();
                    say.accept("relayer: stopped (exit " + code + "); its log: " + relayer.log());
                }

                // 5. catch-up from a cold cursor
                new CatchupPhase(o, say, http).run(w, eth, runDir, report);
            } finally {
                for (BenchClients.Signer s : cosmos) BenchUtil.closeQuietly(s.closer());
                for (BenchClients.Signer s : eth) BenchUtil.closeQuietly(s.closer());
            }
        }
        return report;
    }
}
