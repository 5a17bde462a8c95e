package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.chains.LocalWorld;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.swap.Secret;
import io.evmore.ethereum.HtlcAbi;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.evmore.app.bench.BenchClients.*;
import static io.evmore.app.bench.BenchUtil.*;

/**
 * Phase 1 of the bench, the ceiling: with no relayer running, one signer per chain sends HTLC locks from many
 * concurrent callers for a fixed window, on Ethereum and devnet-a at once; the included transactions per second of each
 * chain, and {@code ceiling_tx_per_second} = 2 x the slower chain's rate (a swap costs the relayer one transaction on
 * each chain).
 */
final class CeilingPhase {
    private final Bench.Options o;
    private final Consumer<String> say;

    CeilingPhase(Bench.Options options, Consumer<String> say) {
        this.o = options;
        this.say = say;
    }

    void run(LocalWorld w, Signer ethSigner, Signer cosmosSigner, ObjectNode report) throws Exception {
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
}
