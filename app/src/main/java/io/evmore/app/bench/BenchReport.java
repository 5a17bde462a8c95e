package io.evmore.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bench's Markdown report: each figure next to its target (issue 21) and the same run's ceiling. The JSON
 * fields every report has are {@link #REQUIRED}.
 */
public final class BenchReport {
    private BenchReport() {}

    /**
     * {@code reaction_ms}: p50, p99 and count of the relayer's {@code evmore_relay_reaction_seconds} histograms, per kind;
     * with {@code before} (a scrape taken earlier, null: none) only what was observed since.
     */
    static void putReaction(PromText m, PromText before, ObjectNode report) {
        ObjectNode reaction = report.putObject("reaction_ms");
        for (String kind : List.of("counter_lock", "source_claim")) {
            var b = m.buckets("evmore_relay_reaction_seconds", Map.of("kind", kind));
            if (before != null) b = PromText.since(b, before.buckets("evmore_relay_reaction_seconds", Map.of("kind", kind)));
            ObjectNode k = reaction.putObject(kind);
            k.put("p50", BenchUtil.round(PromText.quantile(0.50, b) * 1000, 2));
            k.put("p99", BenchUtil.round(PromText.quantile(0.99, b) * 1000, 2));
            k.put("count", b.isEmpty() ? 0 : b.lastEntry().getValue().longValue());
        }
    }

    /** Fields every report.json has (at the top level; reaction_ms holds counter_lock and source_claim, each p50 and p99). */
    public static final List<String> REQUIRED = List.of("swaps_completed", "swaps_per_second", "ceiling_tx_per_second", "ceiling_ratio",
            "reaction_ms", "heap_mib", "rss_mib", "catchup_blocks_per_second", "startup_seconds");

    /** A target: the field, how it compares, the bound, and what it means. */
    record Target(String label, double value, boolean atLeast, double bound, String unit) {
        String verdict() {
            if (Double.isNaN(value)) return "not measured";
            return (atLeast ? value >= bound : value <= bound) ? "met" : "MISSED";
        }
    }

    static List<Target> targets(JsonNode r) {
        return List.of(
                new Target("throughput / ceiling (relayer tx only)", r.path("ceiling_ratio").asDouble(Double.NaN), true, 0.80, "ratio"),
                new Target("busiest chain's load / its one-signer ceiling (every swap tx)", r.path("chain_utilization").asDouble(Double.NaN), true, 0.80, "ratio"),
                new Target("reaction counter-lock p50", r.path("reaction_ms").path("counter_lock").path("p50").asDouble(Double.NaN), false, 20, "ms"),
                new Target("reaction counter-lock p99", r.path("reaction_ms").path("counter_lock").path("p99").asDouble(Double.NaN), false, 100, "ms"),
                new Target("reaction source claim p50", r.path("reaction_ms").path("source_claim").path("p50").asDouble(Double.NaN), false, 20, "ms"),
                new Target("reaction source claim p99", r.path("reaction_ms").path("source_claim").path("p99").asDouble(Double.NaN), false, 100, "ms"),
                new Target("live heap", r.path("heap_mib").asDouble(Double.NaN), false, 256, "MiB"),
                new Target("RSS (peak)", r.path("rss_mib").asDouble(Double.NaN), false, 512, "MiB"),
                new Target("catch-up", r.path("catchup_blocks_per_second").asDouble(Double.NaN), true, 5000, "blocks/s"),
                new Target("start to ready (chains already running" + (!r.has("startup_jvm_cache") ? ""
                        : r.path("startup_jvm_cache").asBoolean() ? ", the launcher's JVM cache" : ", no JVM cache") + ")", r.path("startup_seconds").asDouble(Double.NaN), false, 1.5, "s"));
    }

    public static String markdown(JsonNode r) {
        StringBuilder m = new StringBuilder();
        m.append("# EVMore relayer bench\n\n");
        m.append("- date: ").append(r.path("date").asText()).append("\n");
        m.append("- machine: ").append(r.path("machine").asText()).append("\n");
        m.append("- swaps: ").append(r.path("swaps_completed").asInt()).append(" of ").append(r.path("swaps_requested").asInt())
                .append(" completed (").append(r.path("swaps_failed").asInt()).append(" failed), concurrency ").append(r.path("concurrency").asInt())
                .append(", direction ").append(r.path("direction").asText());
        if (r.path("hold_seconds").asInt() > 0) m.append(", held in flight ").append(r.path("hold_seconds").asInt()).append(" s");
        m.append("\n");
        JsonNode c = r.path("ceiling");
        m.append(String.format(Locale.ROOT, "- same-run ceiling: Ethereum %.1f tx/s, devnet-a %.1f tx/s (one signer each, %d callers, %d s) -> %.1f relayer tx/s%n",
                c.path("ethereum_tx_per_second").asDouble(), c.path("cosmos_tx_per_second").asDouble(), c.path("callers_per_chain").asInt(),
                c.path("window_seconds").asInt(), r.path("ceiling_tx_per_second").asDouble()));
        m.append(String.format(Locale.ROOT, "- relayer: %.2f swaps/s = %.1f relayer tx/s over %.1f s%n", r.path("swaps_per_second").asDouble(),
                2 * r.path("swaps_per_second").asDouble(), r.path("swaps_seconds").asDouble()));
        JsonNode l = r.path("chain_load");
        if (!l.isMissingNode()) {
            m.append(String.format(Locale.ROOT, "- chain load during the swaps (every transaction the chains included): Ethereum %.1f tx/s (%.2f per swap,"
                            + " %.0f%% of its ceiling), devnet-a %.1f tx/s (%.2f per swap, %.0f%% of its ceiling). Half of a swap's transactions are"
                            + " the users' (lock, claim): on a full chain at most half of what it includes is the relayer's;"
                            + " relayer RPC calls per swap: %s; CPU cores used over the swaps: %s%n", l.path("ethereum_tx_per_second").asDouble(), l.path("ethereum_tx_per_swap").asDouble(),
                    100 * l.path("ethereum_utilization").asDouble(), l.path("cosmos_tx_per_second").asDouble(), l.path("cosmos_tx_per_swap").asDouble(),
                    100 * l.path("cosmos_utilization").asDouble(), l.path("relayer_rpc_calls_per_swap"), l.path("cpu_cores_used")));
        }
        m.append("\n| figure | measured | target | |\n|---|---|---|---|\n");
        for (Target t : targets(r)) {
            m.append("| ").append(t.label()).append(" | ").append(fmt(t.value())).append(' ').append(t.unit()).append(" | ")
                    .append(t.atLeast() ? "≥ " : "≤ ").append(fmt(t.bound())).append(' ').append(t.unit()).append(" | ").append(t.verdict()).append(" |\n");
        }
        JsonNode mem = r.path("memory");
        m.append("\nMemory: live heap = heap in use right after a full GC the bench requests (jcmd GC.run) with the swaps in flight");
        if (mem.has("in_flight_at_live_heap")) m.append(" (").append(mem.path("in_flight_at_live_heap").asInt()).append(" in flight then)");
        if (mem.has("in_flight_held")) {
            m.append(String.format(Locale.ROOT, "; soak with %d held in flight: live heap %.1f -> %.1f MiB (growth %.1f MiB)",
                    mem.path("in_flight_held").asInt(), mem.path("soak_live_heap_first_mib").asDouble(), mem.path("soak_live_heap_last_mib").asDouble(),
                    mem.path("soak_live_heap_growth_mib").asDouble()));
        }
        m.append(String.format(Locale.ROOT, "; heap in use at most %.1f MiB (-Xmx%s); RSS peak %.1f MiB.%n", mem.path("heap_used_peak_mib").asDouble(),
                mem.path("relayer_max_heap").asText(), mem.path("rss_peak_mib").asDouble()));
        JsonNode k = r.path("catchup");
        m.append(String.format(Locale.ROOT, "Catch-up: %d blocks holding %d HTLC lock events, cold cursor; %d of them timed (from the follower's"
                + " first reported range to the head) in %.2f s.%n", k.path("blocks").asLong(), k.path("htlc_lock_events").asLong(),
                k.path("measured_blocks").asLong(), k.path("seconds").asDouble()));
        m.append(String.format(Locale.ROOT, "Reaction: from the relayer's evmore_relay_reaction_seconds histograms (%d counter-locks, %d source claims), "
                + "quantiles interpolated inside buckets%s.%n", r.path("reaction_ms").path("counter_lock").path("count").asLong(),
                r.path("reaction_ms").path("source_claim").path("count").asLong(), warmup(r.path("warmup"))));
        return m.toString();
    }

    /** What the reaction line says about a warm-up run before the measured swaps (nothing without one). */
    private static String warmup(JsonNode w) {
        if (w.isMissingNode()) return "";
        JsonNode c = w.path("reaction_ms").path("counter_lock");
        JsonNode s = w.path("reaction_ms").path("source_claim");
        return String.format(Locale.ROOT, "; these swaps only: %d warm-up swaps (%d at once, %d completed) ran first on the same relayer,"
                        + " their own reaction: counter-lock p50 %s / p99 %s ms, source claim p50 %s / p99 %s ms",
                w.path("swaps").asInt(), w.path("concurrency").asInt(), w.path("swaps_completed").asInt(),
                fmt(c.path("p50").asDouble(Double.NaN)), fmt(c.path("p99").asDouble(Double.NaN)),
                fmt(s.path("p50").asDouble(Double.NaN)), fmt(s.path("p99").asDouble(Double.NaN)));
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (v == Math.rint(v) && Math.abs(v) < 1e12) return String.format(Locale.ROOT, "%,d", (long) v);
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
