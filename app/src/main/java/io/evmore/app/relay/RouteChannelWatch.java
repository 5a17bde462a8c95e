package io.evmore.app.relay;

import io.evmore.app.config.ConfigException;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every IBC route's channels checked against the chains at its ends, and holds a route — no counter-lock is sent
 * over it — until they confirm it and whenever they contradict it. A wrong or closed channel sends the relayer's funds
 * somewhere else, so a route is never used on trust:
 * <ul>
 *   <li>at start, a route the chains contradict stops the relayer (a configuration error); a route whose chains cannot
 *       be reached is held, not used, and asked again every {@code retry} until they answer;</li>
 *   <li>afterwards every route is asked again every {@code recheck}: a channel closed or re-pointed since holds the route
 *       (ERROR, {@code evmore_route_held{chain}} 1, the waiting swaps' {@code lastError}); when the chains agree again it
 *       is released. A check that cannot reach a chain changes nothing (a confirmed route stays usable: a transfer into
 *       an unreachable chain fails on its own, and nothing is lost).</li>
 * </ul>
 * Swaps waiting on a held route stay CONFIRMED and are refused once too little time is left; transfers already sent
 * are followed as always.
 */
public final class RouteChannelWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouteChannelWatch.class);

    /** Asks the chains: the problems found (empty = the channels are as configured); throws when a chain cannot answer. */
    @FunctionalInterface
    public interface Check {
        List<String> problems() throws Exception;
    }

    /** A route to {@code destination}: how to check it, and its hold and release. */
    public record Route(String destination, Check check, Consumer<String> hold, Runnable release) {}

    private enum State { UNCHECKED, CONFIRMED, CONTRADICTED }

    private static final class Watched {
        final Route route;
        volatile State state = State.UNCHECKED;
        volatile String problems = "";
        volatile long lastCheckNanos;

        Watched(Route route) {
            this.route = route;
        }

        boolean held() {
            return state != State.CONFIRMED;
        }
    }

    private final List<Watched> routes = new ArrayList<>();
    private final Duration retry;
    private final Duration recheck;
    private ScheduledExecutorService timer;

    public RouteChannelWatch(List<Route> routes, Duration retry, Duration recheck, PrometheusRegistry registry) {
        for (Route r : routes) this.routes.add(new Watched(r));
        this.retry = retry;
        this.recheck = recheck;
        if (registry != null && !routes.isEmpty()) {
            GaugeWithCallback.builder()
                    .name("evmore_route_held")
                    .help("1 while an IBC route carries no counter-lock: its channels not yet confirmed by the chains at its ends,"
                            + " or contradicted by them (closed, or facing another channel); by destination chain")
                    .labelNames("chain")
                    .callback(cb -> {
                        for (Watched w : this.routes) cb.call(w.held() ? 1 : 0, w.route.destination());
                    })
                    .register(registry);
        }
    }

    /**
     * The check at start: every route held first, then asked once. A contradiction is a configuration error; a chain
     * that cannot answer leaves its route held (asked again by {@link #start()}'s timer).
     *
     * @throws ConfigException naming the route's key when the chains contradict it
     */
    public void checkAtStart() {
        for (Watched w : routes) w.route.hold().accept("its channels have not been checked against the chains yet");
        for (Watched w : routes) {
            List<String> problems;
            try {
                problems = w.route.check().problems();
            } catch (Exception e) {
                w.lastCheckNanos = System.nanoTime();
                String why = "its channels could not be checked against the chains yet (" + e.getMessage() + ")";
                w.route.hold().accept(why);
                log.warn("route to {}: {}; no counter-lock is sent over it until they answer (asking every {} s)",
                        w.route.destination(), why, retry.toSeconds());
                continue;
            }
            w.lastCheckNanos = System.nanoTime();
            if (!problems.isEmpty()) {
                throw new ConfigException("chains.cosmos[" + w.route.destination() + "].route", String.join("; ", problems));
            }
            confirm(w, false);
        }
    }

    /** Asks the chains again on a timer: held routes every {@code retry}, confirmed ones every {@code recheck}. */
    public synchronized void start() {
        if (timer != null || routes.isEmpty()) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-channel-watch");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(1, Math.min(retry.toMillis(), recheck.toMillis()));
        timer.scheduleWithFixedDelay(() -> {
            try {
                runOnce(false);
            } catch (RuntimeException e) {
                log.warn("route channel check failed: {}", e.toString());
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** One round: each route that is due (or every route, with {@code all}) is asked. */
    void runOnce(boolean all) {
        long now = System.nanoTime();
        for (Watched w : routes) {
            Duration every = w.held() ? retry : recheck;
            if (!all && now - w.lastCheckNanos < every.toNanos()) continue;
            List<String> problems;
            try {
                problems = w.route.check().problems();
            } catch (Exception e) {
                w.lastCheckNanos = System.nanoTime();
                log.debug("route to {}: could not check its channels now: {}", w.route.destination(), e.getMessage());
                continue; // nothing learnt: held stays held, confirmed stays usable
            }
            w.lastCheckNanos = System.nanoTime();
            if (problems.isEmpty()) {
                if (w.held()) confirm(w, true);
                continue;
            }
            String joined = String.join("; ", problems);
            boolean changed = w.state != State.CONTRADICTED || !joined.equals(w.problems);
            w.state = State.CONTRADICTED;
            w.problems = joined;
            w.route.hold().accept("the chains contradict its configuration: " + joined);
            if (changed) {
                log.error("route to {}: the chains contradict its configuration: {}; no counter-lock is sent over it until they"
                        + " agree (swaps to {} wait, and are refused once too little time is left)", w.route.destination(), joined,
                        w.route.destination());
            }
        }
    }

    private void confirm(Watched w, boolean resumed) {
        w.state = State.CONFIRMED;
        w.problems = "";
        w.route.release().run();
        if (resumed) {
            log.info("route to {}: channels confirmed by the chains; counter-locks over it resume", w.route.destination());
        } else {
            log.info("route to {}: channels checked against the chains", w.route.destination());
        }
    }

    /** Destinations whose route is held now (for status and tests). */
    public List<String> held() {
        return routes.stream().filter(Watched::held).map(w -> w.route.destination()).toList();
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
        timer = null;
    }
}
