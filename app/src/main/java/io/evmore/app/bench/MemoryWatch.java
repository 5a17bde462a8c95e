package io.evmore.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.evmore.app.bench.BenchUtil.round;

/**
 * The relayer's memory during the swaps: heap in use (from /metrics) and RSS (from /proc) sampled every second; the
 * live heap after a full GC the bench asks for, once every swap is locked (the most in flight), or every minute of the
 * soak ({@code --hold-seconds}) while every swap is held in flight.
 */
final class MemoryWatch implements Runnable {
    private final RelayerProcess relayer;
    private final HttpClient http;
    private final Consumer<String> say;
    private volatile boolean stop;
    private volatile double maxHeapUsed;
    private volatile double maxRss;
    private final List<Double> liveHeap = new CopyOnWriteArrayList<>();
    private Thread thread;

    MemoryWatch(RelayerProcess relayer, HttpClient http, Consumer<String> say) {
        this.relayer = relayer;
        this.http = http;
        this.say = say;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("bench-sampler").start(this);
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

    /** The soak: once every swap is counter-locked, the live heap every minute for {@code holdSeconds}, then the swappers go on. */
    void soak(int holdSeconds, CountDownLatch allCountered, AtomicInteger countered, AtomicInteger inFlight, CountDownLatch releaseHold,
            ObjectNode memory) throws Exception {
        allCountered.await();
        say.accept("soak: " + countered.get() + " swap(s) in flight (counter-locked, unclaimed); holding " + holdSeconds + " s");
        List<Double> live = new ArrayList<>();
        long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
        while (true) {
            double heap = relayer.liveHeapMib(http);
            live.add(heap);
            liveHeap.add(heap);
            say.accept(String.format(Locale.ROOT, "soak: live heap %.1f MiB, RSS %.1f MiB, %d in flight", heap, relayer.rssMib(), inFlight.get()));
            long left = holdEnd - System.nanoTime();
            if (left <= 0) break;
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left), 60_000));
        }
        memory.put("soak_live_heap_first_mib", round(live.get(0), 1)).put("soak_live_heap_last_mib", round(live.get(live.size() - 1), 1));
        memory.put("soak_live_heap_growth_mib", round(live.get(live.size() - 1) - live.get(0), 1));
        memory.put("in_flight_held", countered.get());
        releaseHold.countDown();
    }

    /** The live heap once (nearly) every swap is locked: the most in flight this run reaches. */
    void liveHeapWhenLocked(BooleanSupplier lockingDone, AtomicInteger inFlight, ObjectNode memory) throws Exception {
        while (!lockingDone.getAsBoolean()) Thread.sleep(50);
        int peak = inFlight.get();
        double heap = relayer.liveHeapMib(http);
        liveHeap.add(heap);
        say.accept(String.format(Locale.ROOT, "swaps: every swap locked, %d in flight: live heap after a full GC %.1f MiB", peak, heap));
        memory.put("in_flight_at_live_heap", peak);
    }

    void stop() throws InterruptedException {
        stop = true;
        thread.join();
    }

    /** {@code heap_mib}, {@code rss_mib} and the details in {@code memory}. */
    void report(ObjectNode report, ObjectNode memory, String relayerHeap) {
        report.put("heap_mib", round(liveHeap.stream().mapToDouble(d -> d).max().orElse(Double.NaN), 1));
        report.put("rss_mib", round(Math.max(maxRss, relayer.rssPeakMib()), 1));
        memory.put("heap_used_peak_mib", round(maxHeapUsed, 1));
        memory.put("rss_peak_mib", round(relayer.rssPeakMib(), 1));
        memory.put("relayer_max_heap", relayerHeap);
    }
}
