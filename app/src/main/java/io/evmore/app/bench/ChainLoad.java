package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.chains.LocalWorld;
import io.evmore.devnet.chain.Block;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static io.evmore.app.bench.BenchClients.devnetHome;
import static io.evmore.app.bench.BenchUtil.round;

/**
 * What the chains included while the swaps ran, read from the chains themselves: every transaction in the blocks
 * between the swap phase's start and end, per chain, against that chain's own ceiling from the same run. Nothing but the
 * swaps sends in that window (the users' locks and claims, the relayer's counter-locks and claims), so this is the load
 * the swaps put on each chain. Each swap puts two transactions on each chain (on the source: the user's lock and the
 * relayer's claim; on the destination: the relayer's counter-lock and the user's claim), half of them the users': on a
 * chain that is full at most half of what it includes is the relayer's. The ceiling is one signer's (as the relayer has
 * one key per chain); a chain may include more from many signers (the users), so a utilization above 1 is possible.
 *
 * <p>Also the relayer's RPC calls per completed swap, per pool, from its {@code evmore_rpc_requests_total} (calls and
 * health probes): the reads and sends the relayer adds to the nodes' load.
 */
final class ChainLoad {
    private final LocalWorld w;
    private final Consumer<String> say;
    private long ethFrom;
    private long cosmosFrom;
    private Map<String, Double> rpcFrom = Map.of();
    private Map<String, Long> processes = Map.of();
    private Map<String, Double> cpuFrom = Map.of();
    private double machineBusyFrom;
    private double machineTotalFrom;
    private long wallFrom;

    ChainLoad(LocalWorld w, Consumer<String> say) {
        this.w = w;
        this.say = say;
    }

    /** Notes the chains' heights and the relayer's RPC counts as the swaps begin. */
    void begin(String relayerMetrics, long relayerPid) {
        processes = Map.of("hardhat", w.hardhat().pid(), "relayer", relayerPid, "bench_and_devnet", ProcessHandle.current().pid());
        cpuFrom = cpuSeconds(processes);
        double[] m = machineTicks();
        machineBusyFrom = m[0];
        machineTotalFrom = m[1];
        wallFrom = System.nanoTime();
        ethFrom = w.hardhat().blockNumber();
        cosmosFrom = devnetHome(w).height();
        rpcFrom = rpcByPool(relayerMetrics);
    }

    /**
     * Counts what was included since {@link #begin} and writes {@code chain_load} and {@code chain_utilization} (the
     * busier chain's included transactions per second over its own ceiling rate).
     */
    void end(String relayerMetrics, double seconds, int completed, ObjectNode report) {
        long ethTo = w.hardhat().blockNumber();
        long cosmosTo = devnetHome(w).height();
        long ethTxs = 0;
        for (long b = ethFrom + 1; b <= ethTo; b++) {
            ethTxs += Long.decode(w.hardhat().rpc("eth_getBlockTransactionCountByNumber", "0x" + Long.toHexString(b)).asText());
        }
        long cosmosTxs = 0;
        for (long h = cosmosFrom + 1; h <= cosmosTo; h++) {
            Block b = devnetHome(w).state().block(h);
            if (b != null) cosmosTxs += b.txs().size();
        }
        ObjectNode n = report.putObject("chain_load");
        n.put("window_seconds", round(seconds, 2));
        Included eth = new Included(ethTxs, seconds, report.path("ceiling").path("ethereum_tx_per_second").asDouble());
        Included cosmos = new Included(cosmosTxs, seconds, report.path("ceiling").path("cosmos_tx_per_second").asDouble());
        eth.write(n, "ethereum", ethTo - ethFrom, completed);
        cosmos.write(n, "cosmos", cosmosTo - cosmosFrom, completed);
        Map<String, Double> rpcTo = rpcByPool(relayerMetrics);
        double wall = (System.nanoTime() - wallFrom) / 1e9;
        Map<String, Double> cpuTo = cpuSeconds(processes);
        ObjectNode cpu = n.putObject("cpu_cores_used");
        cpuTo.forEach((name, v) -> {
            if (cpuFrom.containsKey(name)) cpu.put(name, round((v - cpuFrom.get(name)) / wall, 2));
        });
        double[] m = machineTicks();
        if (m[1] > machineTotalFrom) {
            cpu.put("machine_busy_share", round((m[0] - machineBusyFrom) / (m[1] - machineTotalFrom), 2));
        }
        cpu.put("cores", Runtime.getRuntime().availableProcessors());
        ObjectNode calls = n.putObject("relayer_rpc_calls_per_swap");
        rpcTo.forEach((pool, v) -> calls.put(pool, completed > 0 ? round((v - rpcFrom.getOrDefault(pool, 0.0)) / completed, 1) : 0));
        double busiest = Math.max(eth.utilization(), cosmos.utilization());
        report.put("chain_utilization", round(busiest, 3));
        say.accept(String.format(Locale.ROOT, "chains during the swaps: Ethereum %d tx in %d blocks (%.1f tx/s, %.0f%% of its ceiling), "
                        + "devnet-a %d tx in %d blocks (%.1f tx/s, %.0f%% of its ceiling); relayer RPC calls per swap %s; CPU cores used %s",
                ethTxs, ethTo - ethFrom, eth.perSecond(), 100 * eth.utilization(), cosmosTxs, cosmosTo - cosmosFrom,
                cosmos.perSecond(), 100 * cosmos.utilization(), calls, cpu));
    }

    /** One chain's included transactions over the window, against its ceiling rate. */
    record Included(long txs, double seconds, double ceiling) {
        double perSecond() {
            return txs / Math.max(seconds, 1e-3);
        }

        double utilization() {
            return ceiling > 0 ? perSecond() / ceiling : 0;
        }

        void write(ObjectNode n, String chain, long blocks, int completed) {
            n.put(chain + "_blocks", blocks);
            n.put(chain + "_tx_included", txs);
            n.put(chain + "_tx_per_second", round(perSecond(), 1));
            n.put(chain + "_tx_per_swap", completed > 0 ? round((double) txs / completed, 2) : 0);
            n.put(chain + "_utilization", round(utilization(), 3));
        }
    }

    /** CPU seconds (user + system) each live process has used so far, from /proc/PID/stat; a gone process is left out. */
    static Map<String, Double> cpuSeconds(Map<String, Long> pids) {
        Map<String, Double> out = new TreeMap<>();
        pids.forEach((name, pid) -> {
            try {
                out.put(name, cpuSecondsOf(java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid.toString(), "stat"))));
            } catch (java.io.IOException | RuntimeException e) {
                // not Linux, or the process ended: no figure rather than a wrong one
            }
        });
        return out;
    }

    /** utime + stime of a /proc/PID/stat line, in seconds (USER_HZ 100); the command in parentheses may hold spaces. */
    static double cpuSecondsOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /** The machine's busy and total CPU ticks (the first line of /proc/stat); zeros where it cannot be read. */
    private static double[] machineTicks() {
        try {
            return machineTicksOf(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0));
        } catch (java.io.IOException | RuntimeException e) {
            return new double[] {0, 0};
        }
    }

    /** From "cpu user nice system idle iowait irq softirq steal ...": busy = total - idle - iowait. */
    static double[] machineTicksOf(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        double total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) total += Double.parseDouble(f[i]);
        double idle = Double.parseDouble(f[4]) + (f.length > 5 ? Double.parseDouble(f[5]) : 0);
        return new double[] {total - idle, total};
    }

    static Map<String, Double> rpcByPool(String metrics) {
        Map<String, Double> out = new TreeMap<>();
        if (metrics == null) return out;
        for (PromText.Sample s : new PromText(metrics).samples()) {
            if (s.name().equals("evmore_rpc_requests_total")) out.merge(s.labels().getOrDefault("pool", "?"), s.value(), Double::sum);
        }
        return out;
    }
}
