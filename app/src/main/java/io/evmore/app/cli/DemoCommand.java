package io.evmore.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.RelayerApp;
import io.evmore.app.chains.LocalChains;
import io.evmore.app.chains.LocalWorld;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.http.HttpApi;
import io.evmore.app.swap.Amounts;
import io.evmore.app.swap.Network;
import io.evmore.app.swap.Signer;
import io.evmore.app.swap.SwapSession;
import io.evmore.app.swap.SwapStateStore;
import io.evmore.core.swap.Hashlock;
import io.evmore.swapper.UserChain;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * ./evmore demo: the local world, the relayer in this process (embedded database, HTTP on port 3000) and three swaps
 * done by the swapper code the CLI uses, with a line per step and a balance table; then it keeps serving until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"See atomic swaps happen on local chains, in one command:",
                " 1. start the local world (Hardhat with the HTLC and the DEV token, the Cosmos devnet devnet-a <-> devnet-b <-> devnet-c),",
                " 2. start the relayer in this process on the embedded database (DIR/data) with HTTP on --port,",
                " 3. swap 0.1 ETH -> devnet-a, 0.1 ETH -> devnet-c over two IBC hops (devnet-a -> devnet-b -> devnet-c),",
                "    and 10 stake devnet-a -> Ethereum, printing a line per step (chain, transaction, elapsed time),",
                " 4. print the balances before and after, then keep serving /health, /metrics and /admin until Ctrl-C.",
                "Exit codes: 0 after Ctrl-C (or at the end with --no-serve), 1 when a swap or the start failed."})
final class DemoCommand implements Callable<Integer> {
    static final String TWO_HOP_UNAVAILABLE = "the relayer's configuration has no pair delivering to devnet-c over IBC";

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", defaultValue = "data/demo", paramLabel = "DIR",
            description = "folder for devnet.json, relayer.yaml, secrets, the database and swap state (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--port", defaultValue = "3000", description = "relayer HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--block-interval", defaultValue = "1s", description = "block interval of every chain (default: ${DEFAULT-VALUE})")
    String blockInterval;

    @Option(names = "--no-serve", description = "exit after the swaps instead of serving until Ctrl-C")
    boolean noServe;

    @Option(names = "--real", description = "real Cosmos chains instead of the devnet: three wasmd nodes with packet-forward"
            + " and IBC hooks, relayed by Hermes (build them first: ./evmore wasmd-setup)")
    boolean real;

    private final long t0 = System.nanoTime();
    private final PrintStream out = System.out;

    private void say(String line) {
        out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }

    /** A row of the balance table: whose balance of what, where. */
    record Holding(String who, Network.Chain chain, Network.Asset asset, String address) {}

    @Override
    public Integer call() throws Exception {
        Duration interval = OptionChecks.of(spec).blockInterval(blockInterval);
        CountDownLatch stop = OptionChecks.stopSignal();
        Path home = dir.toAbsolutePath();
        say("demo: starting the local chains (Hardhat + HTLC + DEV token, Cosmos devnet-a <-> devnet-b <-> devnet-c"
                + (real ? " as real wasmd nodes relayed by Hermes)" : ")"));
        LocalWorld world;
        try {
            PrintStream lines = new PrintStream(new StartupLines(this::say), true, StandardCharsets.UTF_8);
            world = real ? LocalWorld.startReal(interval, lines) : LocalWorld.start(interval, 1, lines);
        } catch (RuntimeException e) {
            System.err.println("demo: the local chains did not start: " + SwapCommand.oneLine(e));
            return 1;
        }
        RelayerApp app = null;
        try {
            Path devnetJson = world.writeDescription(home);
            LocalChains.setAsidePreviousRun(home.resolve("data/evmore.db")); // a new world: the old database's chains are gone
            Path config = world.writeRelayerConfig(home, port, "warn");
            say("demo: wrote " + devnetJson + " (owner-only) and " + config);
            RelayerConfig cfg = ConfigLoader.load(config);
            app = new RelayerApp(config, cfg);
            say("relayer: starting in this process (embedded database " + cfg.database().path() + ", relayer logs at warn)");
            app.start();
            say("relayer: ready on http://127.0.0.1:" + app.httpPort() + " (/health, /metrics, /admin; admin token in "
                    + RelayerApp.adminTokenFile(cfg) + ")");

            Network net = Network.load(devnetJson);
            SwapStateStore states = new SwapStateStore(home.resolve("swaps"));
            Network.Chain eth = net.chain("ethereum", world.ethereumChain().value());
            Network.Chain a = net.chain("devnet-a", "devnet-a");
            Network.Chain c = net.chain("devnet-c", "devnet-c");
            String bob = world.cosmosAddress("bob", "devnet-a");
            String carolC = world.cosmosAddress("carol", "devnet-c");
            String user2 = world.hardhat().devAddresses().get(2);
            String ethId = eth.id();
            Optional<String> twoHopAsset = twoHopAsset(app.config(), ethId, "devnet-c");

            List<Holding> table = new ArrayList<>();
            table.add(new Holding("user1 (swapper)", eth, net.asset(eth, "", "ETH"), world.hardhat().devAddresses().get(1)));
            table.add(new Holding("bob (receiver)", a, net.asset(a, "", "stake"), bob));
            twoHopAsset.ifPresent(x -> table.add(new Holding("carol (receiver)", c, net.asset(c, "", x), carolC)));
            table.add(new Holding("alice (swapper)", a, net.asset(a, "", "stake"), world.cosmosAddress("alice", "devnet-a")));
            table.add(new Holding("user2 (receiver)", eth, net.asset(eth, "", "ETH"), user2));
            table.add(new Holding("relayer", eth, net.asset(eth, "", "ETH"), world.hardhat().devAddresses().get(0)));
            table.add(new Holding("relayer", a, net.asset(a, "", "stake"), world.cosmosAddress("relayer", "devnet-a")));
            List<BigInteger> before = balances(net, table);

            int completed = 0;
            int attempted = 0;
            say("swap 1/3: 0.1 ETH on " + ethId + " -> bob on devnet-a (direct)");
            attempted++;
            completed += swap(app, states, new SwapSession.StartRequest(net, ethId, "devnet-a", "0.1", "ETH", bob, null, "9.9", 60, 600,
                    180, Signer.account("user1"), Signer.account("carol"), null)) ? 1 : 0;

            if (twoHopAsset.isPresent()) {
                say("swap 2/3: 0.1 ETH on " + ethId + " -> carol on devnet-c, delivered over two IBC hops (devnet-a -> devnet-b -> devnet-c) as "
                        + twoHopAsset.get());
                attempted++;
                completed += swap(app, states, new SwapSession.StartRequest(net, ethId, "devnet-c", "0.1", "ETH", carolC, twoHopAsset.get(),
                        "9.9", 60, 900, 300, Signer.account("user1"), Signer.account("carol"), null)) ? 1 : 0;
            } else {
                say("swap 2/3: skipped: " + TWO_HOP_UNAVAILABLE + " (the relayer offers no pair from " + ethId
                        + " to devnet-c delivered over IBC from devnet-a; the direct ETH -> ujuno pair is not a two-hop swap, so it is not used here)");
            }

            say("swap 3/3: 10 stake on devnet-a -> user2 on " + ethId + " (direct)");
            attempted++;
            completed += swap(app, states, new SwapSession.StartRequest(net, "devnet-a", ethId, "10", "stake", user2, null, "0.099", 60, 600,
                    180, Signer.account("alice"), Signer.account("user3"), null)) ? 1 : 0;

            List<BigInteger> after = balances(net, table);
            printTable(table, before, after);
            if (completed < attempted) {
                say("demo: " + (attempted - completed) + " of " + attempted + " swap(s) did not complete; see the lines above");
                return 1;
            }
            say("demo: " + completed + " swap(s) completed" + (twoHopAsset.isEmpty() ? " (the two-hop swap was skipped: " + TWO_HOP_UNAVAILABLE + ")" : ""));
            if (noServe) return 0;
            say("demo: serving http://127.0.0.1:" + app.httpPort() + "/health, /metrics and /admin until Ctrl-C;"
                    + " try: ./evmore swap start --devnet " + devnetJson + " --help");
            stop.await();
            say("demo: stopping");
            return 0;
        } catch (Exception e) {
            System.err.println("demo failed: " + SwapCommand.oneLine(e));
            return 1;
        } finally {
            if (app != null) app.close();
            world.close();
        }
    }

    /** The asset of a pair from Ethereum to {@code chain} delivered over IBC (an {@code ibc/…} voucher), if the relayer has one. */
    static Optional<String> twoHopAsset(JsonNode config, String eth, String chain) {
        for (JsonNode p : config.path("swaps").path("pairs")) {
            if (p.path("from").asText().equals(eth) && p.path("to").asText().equals(chain) && p.path("toAsset").asText().startsWith("ibc/")) {
                return Optional.of(p.path("toAsset").asText());
            }
        }
        return Optional.empty();
    }

    /** One swap through the swapper code, with the relayer's own steps (from its swap record) as they happen. */
    private boolean swap(RelayerApp app, SwapStateStore states, SwapSession.StartRequest request) throws InterruptedException {
        AtomicReference<Hashlock> hashlock = new AtomicReference<>();
        Set<String> seen = new HashSet<>();
        Thread follower = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Hashlock h = hashlock.get();
                    if (h != null) printTransitions(app, h, seen);
                    Thread.sleep(300);
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        try {
            ObjectNode s = new SwapSession(states, line -> say("  user    " + line.replaceFirst("^\\[[ 0-9.]+s\\] ", "")))
                    .onLocked(hashlock::set).start(request);
            if (!SwapSession.CLAIMED.equals(s.path("status").asText())) {
                say("  swap refused: " + s.path("reason").asText());
                return false;
            }
            Hashlock h = hashlock.get();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                String state = relayerState(app, h);
                if ("COMPLETED".equals(state)) {
                    follower.interrupt();
                    follower.join();
                    printTransitions(app, h, seen);
                    say("  swap complete: the receiver got " + Amounts.format(new BigInteger(s.get("counter_amount").asText()),
                            s.get("to_asset_decimals").asInt()) + " " + s.get("to_asset_symbol").asText());
                    return true;
                }
                Thread.sleep(300);
            }
            say("  the relayer did not complete the swap in 90 s; its state: " + relayerState(app, h));
            return false;
        } catch (RuntimeException e) {
            say("  swap failed: " + SwapCommand.oneLine(e));
            return false;
        } finally {
            follower.interrupt();
        }
    }

    private static String relayerState(RelayerApp app, Hashlock h) {
        JsonNode rec = record(app, h);
        return rec == null ? "not seen" : rec.path("swap").path("state").asText();
    }

    private static JsonNode record(RelayerApp app, Hashlock h) {
        Object r = app.swap(h.hex());
        return r == null ? null : HttpApi.JSON.valueToTree(r);
    }

    private synchronized void printTransitions(RelayerApp app, Hashlock h, Set<String> seen) {
        JsonNode rec = record(app, h);
        if (rec == null) return;
        String from = rec.path("swap").path("fromChain").asText();
        String to = rec.path("swap").path("toChain").asText();
        for (JsonNode t : rec.path("transitions")) {
            String key = t.path("to").asText() + "|" + t.path("at").asText();
            if (!seen.add(key)) continue;
            String state = t.path("to").asText();
            String chain = switch (state) {
                case "COUNTER_PENDING", "COUNTER_LOCKED", "SECRET_REVEALED", "DEST_REFUND_PENDING", "REFUNDED" -> to;
                default -> from;
            };
            String tx = t.path("txHash").isNull() || t.path("txHash").asText().isEmpty() ? "" : " tx " + t.path("txHash").asText();
            say("  relayer " + chain + ": " + state + " (" + t.path("cause").asText() + ")" + tx);
        }
    }

    private static List<BigInteger> balances(Network net, List<Holding> rows) {
        List<BigInteger> out = new ArrayList<>();
        // any account of the file can read balances; the signer does not matter
        for (Holding h : rows) {
            String key = new Signer(h.chain().isEthereum() ? "user9" : "carol", null).secretFor(h.chain(), "demo");
            try (UserChain chain = Network.connect(h.chain(), key)) {
                out.add(chain.balanceOf(h.asset().id(), h.address()));
            }
        }
        return out;
    }

    private void printTable(List<Holding> rows, List<BigInteger> before, List<BigInteger> after) {
        say("balances (whole units; the relayer's and claimers' changes include transaction fees):");
        String fmt = "  %-18s %-14s %-6s %22s %22s %22s%n";
        out.printf(fmt, "account", "chain", "asset", "before", "after", "change");
        for (int i = 0; i < rows.size(); i++) {
            Holding h = rows.get(i);
            int d = h.asset().decimals();
            BigInteger delta = after.get(i).subtract(before.get(i));
            out.printf(fmt, h.who(), h.chain().id(), h.asset().symbol().length() > 6 ? "ibc/…" : h.asset().symbol(),
                    Amounts.format(before.get(i), d), Amounts.format(after.get(i), d),
                    (delta.signum() > 0 ? "+" : delta.signum() < 0 ? "-" : "") + Amounts.format(delta.abs(), d));
        }
        out.flush();
    }

    /** The world's start-up lines (chains and contracts) go to the demo's output; per-block and packet lines do not. */
    private static final class StartupLines extends OutputStream {
        private final java.util.function.Consumer<String> sink;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        StartupLines(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (s.startsWith("ethereum:") || s.matches("devnet: devnet-[a-z] \\(.*")) sink.accept(s);
        }
    }
}
