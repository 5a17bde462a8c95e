package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.chains.LocalWorld;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.swap.Secret;
import io.evmore.devnet.TestAccount;
import io.evmore.ethereum.HtlcAbi;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.evmore.app.bench.BenchClients.*;
import static io.evmore.app.bench.BenchUtil.*;

/**
 * The bench's last phase, catch-up from a cold cursor: {@code catchupEvents} extra HTLC locks and {@code catchupBlocks}
 * empty blocks on Hardhat, then a second relayer with a fresh database, a key nobody locked for and its Ethereum cursor
 * at block 0, until its cursor reaches the head; the rate runs from the follower's first reported range.
 */
final class CatchupPhase {
    private final Bench.Options o;
    private final Consumer<String> say;
    private final HttpClient http;

    CatchupPhase(Bench.Options options, Consumer<String> say, HttpClient http) {
        this.o = options;
        this.say = say;
        this.http = http;
    }

    void run(LocalWorld w, List<Signer> eth, Path runDir, ObjectNode report) throws Exception {
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
        RelayerProcess r = RelayerProcess.start(dir, config, port, o.relayerHeap(),
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
}
