package io.evmore.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.bench.Bench;
import io.evmore.app.bench.BenchReport;
import io.evmore.app.http.HttpApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** ./evmore bench: throughput against the chains' own ceiling, reaction, memory, catch-up and start-up (docs/BENCHMARKS.md). */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the relayer on the local chains, as in production: the chains in this process (Hardhat + HTLC, the Cosmos",
                "devnet), the relayer as a separate process on the embedded database, concurrent swappers acting as users.",
                "In one run: the chains' own ceiling (signed HTLC locks from one signer per chain, no relayer), the relayer's",
                "start-up, the swaps (throughput, memory), its reaction histograms, and a catch-up from a cold cursor.",
                "Writes DIR/report.json and DIR/report.md. Method and latest figures: docs/BENCHMARKS.md.",
                "Exit codes: 0 when every swap completed, 1 otherwise (the report is still written), 2 on bad options."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--swaps", defaultValue = "200", description = "swaps to run (default: ${DEFAULT-VALUE})")
    int swaps;

    @Option(names = "--concurrency", defaultValue = "200", description = "concurrent swappers, i.e. swaps in flight at most (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--direction", defaultValue = "both", description = "eth-to-cosmos, cosmos-to-eth or both (alternating) (default: ${DEFAULT-VALUE})")
    String direction;

    @Option(names = "--hold-seconds", defaultValue = "0",
            description = "soak: keep every swap in flight (counter-locked, unclaimed) this long, sampling the live heap each minute (default: ${DEFAULT-VALUE})")
    int holdSeconds;

    @Option(names = "--warmup-swaps", defaultValue = "0",
            description = "swaps run first, up to 50 at once, whose reactions are reported apart from the measured swaps'"
                    + " (a long-running relayer's code is compiled; a fresh one's is not) (default: ${DEFAULT-VALUE})")
    int warmupSwaps;

    @Option(names = "--ceiling-seconds", defaultValue = "10", description = "length of the ceiling window (default: ${DEFAULT-VALUE})")
    int ceilingSeconds;

    @Option(names = "--catchup-blocks", defaultValue = "10000", description = "empty blocks mined before the catch-up (default: ${DEFAULT-VALUE})")
    int catchupBlocks;

    @Option(names = "--catchup-events", defaultValue = "0", description = "extra HTLC locks added to the history before the catch-up (default: ${DEFAULT-VALUE})")
    int catchupEvents;

    @Option(names = "--relayer-heap", defaultValue = "256m", description = "the relayer's -Xmx, as ./evmore run's default (default: ${DEFAULT-VALUE})")
    String relayerHeap;

    @Option(names = "--jfr", paramLabel = "FILE", description = "record the relayer with Java Flight Recorder (profile settings) into FILE")
    Path jfr;

    @Option(names = "--out", defaultValue = "target/bench", paramLabel = "DIR", description = "report folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        OptionChecks check = OptionChecks.of(spec);
        Bench.Direction d = check.choice(Bench.Direction.class, direction,
                "--direction must be eth-to-cosmos, cosmos-to-eth or both, got '" + direction + "'");
        check.require(swaps >= 1 && concurrency >= 1 && holdSeconds >= 0 && ceilingSeconds >= 1 && catchupBlocks >= 0
                        && catchupEvents >= 0 && warmupSwaps >= 0 && relayerHeap.matches("[0-9]+[kKmMgG]?"),
                "--swaps, --concurrency and --ceiling-seconds must be positive, --hold-seconds, --catchup-blocks,"
                        + " --catchup-events and --warmup-swaps not negative, --relayer-heap like 256m");
        // the chains and swappers in this process log at warn: the bench's own lines are the report
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        long t0 = System.nanoTime();
        ObjectNode report = new Bench(new Bench.Options(swaps, concurrency, d, out, ceilingSeconds, holdSeconds, catchupBlocks, catchupEvents,
                relayerHeap, jfr, warmupSwaps), line -> {
                    System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
                    System.out.flush();
                }).run();
        nullNaN(report);
        Files.createDirectories(out);
        Path json = out.resolve("report.json");
        Path md = out.resolve("report.md");
        Files.writeString(json, HttpApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        Files.writeString(md, BenchReport.markdown(report));
        System.out.println();
        System.out.print(BenchReport.markdown(report));
        System.out.println();
        System.out.println("bench: wrote " + json.toAbsolutePath() + " and " + md.toAbsolutePath());
        return report.path("swaps_completed").asInt() == swaps ? 0 : 1;
    }

    /** JSON has no NaN: a figure that could not be measured is null. */
    static void nullNaN(JsonNode node) {
        if (!(node instanceof ObjectNode o)) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isDouble() && (Double.isNaN(e.getValue().asDouble()) || Double.isInfinite(e.getValue().asDouble()))) {
                e.setValue(o.nullNode());
            } else {
                nullNaN(e.getValue());
            }
        }
    }
}
