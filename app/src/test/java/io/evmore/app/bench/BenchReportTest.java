package io.evmore.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.http.HttpApi;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The bench's arithmetic and report, without chains: quantiles from the relayer's histogram text, the targets' verdicts. */
class BenchReportTest {

    static final String METRICS = """
            # HELP evmore_relay_reaction_seconds How fast the relayer reacts
            # TYPE evmore_relay_reaction_seconds histogram
            evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="0.01"} 40
            evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="0.02"} 90
            evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="0.1"} 100
            evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="+Inf"} 100
            evmore_relay_reaction_seconds_count{kind="counter_lock"} 100
            evmore_relay_reaction_seconds_bucket{kind="source_claim",le="0.01"} 0
            evmore_relay_reaction_seconds_bucket{kind="source_claim",le="0.02"} 0
            evmore_relay_reaction_seconds_bucket{kind="source_claim",le="0.1"} 0
            evmore_relay_reaction_seconds_bucket{kind="source_claim",le="+Inf"} 4
            jvm_memory_used_bytes{area="heap"} 1.048576E8
            jvm_memory_used_bytes{area="nonheap"} 5.24288E7
            evmore_chain_cursor_height{chain="eip155:31337"} 12345.0
            """;

    @Test
    void quantilesInterpolateInsideTheirBucketAsHistogramQuantileDoes() {
        PromText m = new PromText(METRICS);
        TreeMap<Double, Double> b = m.buckets("evmore_relay_reaction_seconds", Map.of("kind", "counter_lock"));
        assertThat(b).hasSize(4);
        // rank 50 of 100: 10 into the (0.01, 0.02] bucket of 50 -> 0.01 + 0.01 * 10/50
        assertThat(PromText.quantile(0.5, b)).isCloseTo(0.012, org.assertj.core.data.Offset.offset(1e-9));
        // rank 99: 9 into the (0.02, 0.1] bucket of 10 -> 0.02 + 0.08 * 9/10
        assertThat(PromText.quantile(0.99, b)).isCloseTo(0.092, org.assertj.core.data.Offset.offset(1e-9));
        // everything above the highest finite bound: that bound, never a made-up smaller figure
        TreeMap<Double, Double> slow = m.buckets("evmore_relay_reaction_seconds", Map.of("kind", "source_claim"));
        assertThat(PromText.quantile(0.5, slow)).isEqualTo(0.1);
        assertThat(PromText.quantile(0.5, new TreeMap<>())).isNaN();
    }

    @Test
    void afterAWarmUpOnlyTheMeasuredSwapsReactionsCount() {
        // the warm-up left 5 slow counter-locks in (0.02, 0.1]; the measured swaps then grew the histogram to METRICS
        PromText before = new PromText("""
                evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="0.01"} 0
                evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="0.02"} 0
                evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="0.1"} 5
                evmore_relay_reaction_seconds_bucket{kind="counter_lock",le="+Inf"} 5
                """);
        ObjectNode r = HttpApi.JSON.createObjectNode();
        BenchReport.putReaction(new PromText(METRICS), before, r);
        // since: 40 in <= 0.01, 50 in (0.01, 0.02], 5 in (0.02, 0.1]: 95 observations
        JsonNode c = r.path("reaction_ms").path("counter_lock");
        assertThat(c.path("count").asLong()).isEqualTo(95);
        // rank 47.5: 7.5 into the 50 of (0.01, 0.02]; rank 94.05: 4.05 into the 5 of (0.02, 0.1]
        assertThat(c.path("p50").asDouble()).isCloseTo(11.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(c.path("p99").asDouble()).isCloseTo(84.8, org.assertj.core.data.Offset.offset(0.01));
        ObjectNode all = HttpApi.JSON.createObjectNode();
        BenchReport.putReaction(new PromText(METRICS), null, all);
        assertThat(all.path("reaction_ms").path("counter_lock").path("count").asLong()).isEqualTo(100);
        assertThat(all.path("reaction_ms").path("counter_lock").path("p99").asDouble()).isCloseTo(92.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void samplesAreFoundByNameAndLabels() {
        PromText m = new PromText(METRICS);
        assertThat(m.sum("jvm_memory_used_bytes", Map.of("area", "heap"))).isEqualTo(104857600.0);
        assertThat(m.sum("jvm_memory_used_bytes", Map.of())).isEqualTo(104857600.0 + 52428800.0);
        assertThat(m.sum("evmore_chain_cursor_height", Map.of("chain", "eip155:31337"))).isEqualTo(12345.0);
        assertThat(m.sum("evmore_chain_cursor_height", Map.of("chain", "devnet-a"))).isNaN();
    }

    @Test
    void theMarkdownPutsEveryFigureNextToItsTargetAndTheSameRunCeiling() {
        ObjectNode r = HttpApi.JSON.createObjectNode();
        r.put("swaps_completed", 200).put("swaps_requested", 200).put("swaps_per_second", 10.0).put("ceiling_tx_per_second", 40.0)
                .put("ceiling_ratio", 0.5).put("heap_mib", 30.0).put("rss_mib", 600.0).put("catchup_blocks_per_second", 6000.0)
                .put("startup_seconds", 1.2).put("startup_jvm_cache", true);
        ObjectNode reaction = r.putObject("reaction_ms");
        reaction.putObject("counter_lock").put("p50", 12.0).put("p99", 150.0);
        reaction.putObject("source_claim").put("p50", 25.0).put("p99", 90.0);
        r.putObject("ceiling").put("ethereum_tx_per_second", 20.0).put("cosmos_tx_per_second", 30.0);
        for (String f : BenchReport.REQUIRED) assertThat(r.has(f)).as(f).isTrue();

        String md = BenchReport.markdown(r);
        assertThat(md).contains("| throughput / ceiling (relayer tx only) | 0.50 ratio | ≥ 0.80 ratio | MISSED |")
                .contains("| busiest chain's load / its one-signer ceiling (every swap tx) | n/a ratio | ≥ 0.80 ratio | not measured |")
                .contains("| reaction counter-lock p50 | 12 ms | ≤ 20 ms | met |")
                .contains("| reaction counter-lock p99 | 150 ms | ≤ 100 ms | MISSED |")
                .contains("| reaction source claim p50 | 25 ms | ≤ 20 ms | MISSED |")
                .contains("| live heap | 30 MiB | ≤ 256 MiB | met |")
                .contains("| RSS (peak) | 600 MiB | ≤ 512 MiB | MISSED |")
                .contains("| catch-up | 6,000 blocks/s | ≥ 5,000 blocks/s | met |")
                .contains("| start to ready (chains already running, the launcher's JVM cache) | 1.20 s | ≤ 1.50 s | met |")
                .contains("Ethereum 20.0 tx/s, devnet-a 30.0 tx/s")
                .contains("-> 40.0 relayer tx/s");
        r.put("chain_utilization", 0.9);
        r.putObject("chain_load").put("ethereum_tx_per_second", 18.0).put("ethereum_tx_per_swap", 2.0).put("ethereum_utilization", 0.9)
                .put("cosmos_tx_per_second", 18.0).put("cosmos_tx_per_swap", 2.0).put("cosmos_utilization", 0.6)
                .putObject("relayer_rpc_calls_per_swap").put("ethereum", 12.5);
        assertThat(BenchReport.markdown(r)).contains("| busiest chain's load / its one-signer ceiling (every swap tx) | 0.90 ratio | ≥ 0.80 ratio | met |")
                .contains("Ethereum 18.0 tx/s (2.00 per swap, 90% of its ceiling), devnet-a 18.0 tx/s (2.00 per swap, 60% of its ceiling)")
                .contains("relayer RPC calls per swap: {\"ethereum\":12.5}");
        r.put("startup_jvm_cache", false);
        assertThat(BenchReport.markdown(r)).contains("| start to ready (chains already running, no JVM cache) | 1.20 s |");
    }

    @Test
    void chainLoadIsIncludedTransactionsOverTheWindowAgainstTheChainsOwnCeiling() {
        ChainLoad.Included eth = new ChainLoad.Included(400, 10.0, 50.0);
        assertThat(eth.perSecond()).isEqualTo(40.0);
        assertThat(eth.utilization()).isEqualTo(0.8);
        assertThat(new ChainLoad.Included(400, 10.0, 0).utilization()).isZero();
        ObjectNode n = HttpApi.JSON.createObjectNode();
        eth.write(n, "ethereum", 420, 200);
        assertThat(n.path("ethereum_tx_per_swap").asDouble()).isEqualTo(2.0);
        assertThat(n.path("ethereum_blocks").asLong()).isEqualTo(420);
        assertThat(n.path("ethereum_utilization").asDouble()).isEqualTo(0.8);
    }

    @Test
    void cpuTimeIsReadFromProcStatEvenWhenTheCommandHoldsSpacesAndParentheses() {
        // fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (node (hardhat) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 566 0 0 20 0 11 0 500 0 0";
        assertThat(ChainLoad.cpuSecondsOf(stat)).isEqualTo(18.0);
        assertThat(ChainLoad.cpuSecondsOf(java.nio.file.Path.of("/proc/self/stat").toFile().exists()
                ? readQuietly("/proc/self/stat") : stat)).isPositive();
        double[] m = ChainLoad.machineTicksOf("cpu  100 5 50 800 40 3 2 0 0 0");
        assertThat(m[1]).isEqualTo(1000.0);
        assertThat(m[0]).isEqualTo(160.0); // total - idle - iowait
    }

    private static String readQuietly(String path) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void relayerRpcCallsAreSummedPerPoolOverEndpoints() {
        String text = """
                evmore_rpc_requests_total{endpoint="rpc-0",pool="ethereum"} 10.0
                evmore_rpc_requests_total{endpoint="rpc-1",pool="ethereum"} 5.0
                evmore_rpc_requests_total{endpoint="rpc-0",pool="cosmos-devnet-a"} 7.0
                evmore_rpc_errors_total{endpoint="rpc-0",pool="ethereum"} 3.0
                """;
        assertThat(ChainLoad.rpcByPool(text)).containsExactly(Map.entry("cosmos-devnet-a", 7.0), Map.entry("ethereum", 15.0));
    }
}
