package io.evmore.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.testing.ManualClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointPoolTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakeEndpoints fake = new FakeEndpoints();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PoolRegistry registry = new PoolRegistry(prometheus);
    private final List<EndpointPool<?>> opened = new ArrayList<>();

    private final PoolSettings settings = new PoolSettings(2, 1, Duration.ofMillis(300), Duration.ofSeconds(60),
            Duration.ofMillis(250), 3, Duration.ofMillis(500), 2, Duration.ofSeconds(30), 5, Duration.ZERO,
            Duration.ofSeconds(2));

    @AfterEach
    void closePools() {
        registry.close();
        opened.forEach(EndpointPool::close);
    }

    private EndpointPool<FakeEndpoints.Conn> pool(PoolSettings s, String... names) {
        List<Endpoint> eps = new ArrayList<>();
        for (String n : names) eps.add(new Endpoint(n, "https://user:pw@" + n + ".example:8545/v3/SECRETKEY"));
        EndpointPool<FakeEndpoints.Conn> p = EndpointPool.builder("ethereum", fake, fake).settings(s).endpoints(eps)
                .expectedChainId("test-1").clock(clock).sleeper(sleeps::add).metrics(registry.metrics()).build();
        registry.register(p);
        return p;
    }

    private String whoAnswers(EndpointPool<FakeEndpoints.Conn> p) {
        return p.execute(c -> {
            fake.call(c);
            return c.endpoint();
        });
    }

    @Test
    void primaryIsPreferredFailsOverAfterRetryDelayAndReturnsWhenHealthy() {
        var p = pool(settings, "primary", "secondary");
        p.checkHealthNow();
        assertThat(whoAnswers(p)).isEqualTo("primary");

        fake.node("primary").up = false;
        assertThat(whoAnswers(p)).isEqualTo("secondary");
        assertThat(sleeps).containsExactly(Duration.ofMillis(250));
        assertThat(whoAnswers(p)).isEqualTo("secondary");
        // two consecutive failures opened the primary's breaker: no more attempts (and no more sleeps) on it
        assertThat(p.status().endpoints().get(0).circuit()).isEqualTo(CircuitBreaker.State.OPEN);
        int sleepsBefore = sleeps.size();
        for (int i = 0; i < 5; i++) assertThat(whoAnswers(p)).isEqualTo("secondary");
        assertThat(sleeps).hasSize(sleepsBefore);

        p.checkHealthNow();
        assertThat(p.status().endpoints().get(0).state()).isEqualTo(EndpointState.UNHEALTHY);

        fake.node("primary").up = true;
        p.checkHealthNow(); // breaker still cooling down: stays open even though the probe succeeds
        assertThat(whoAnswers(p)).isEqualTo("secondary");
        clock.advance(Duration.ofSeconds(30));
        p.checkHealthNow();
        assertThat(p.status().endpoints().get(0).circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(p.status().endpoints().get(0).state()).isEqualTo(EndpointState.HEALTHY);
        assertThat(whoAnswers(p)).isEqualTo("primary");
    }

    /**
     * A health round cut short by an interrupt (a pool being closed or replaced while the relayer starts) learns nothing
     * about its endpoints: none is marked UNHEALTHY for it (it used to warn "probe failed: interrupted" on every start).
     */
    @Test
    void anInterruptedHealthRoundLeavesTheEndpointsAsTheyWere() throws Exception {
        var p = pool(settings, "primary");
        p.checkHealthNow();
        assertThat(p.status().endpoints().get(0).state()).isEqualTo(EndpointState.HEALTHY);
        fake.node("primary").delayMillis = 1_000; // the next probe is in flight when the round is interrupted
        Thread round = Thread.ofPlatform().start(p::checkHealthNow);
        Thread.sleep(100);
        round.interrupt();
        round.join(5_000);
        assertThat(round.isAlive()).isFalse();
        assertThat(p.status().endpoints().get(0).state()).as("not UNHEALTHY for an interrupt").isEqualTo(EndpointState.HEALTHY);
        // the control: a round that really fails does mark it
        fake.node("primary").delayMillis = 0;
        fake.node("primary").up = false;
        p.checkHealthNow();
        assertThat(p.status().endpoints().get(0).state()).isEqualTo(EndpointState.UNHEALTHY);
    }

    @Test
    void allEndpointsFailingGivesTransientErrorNamingPoolWithoutUrlSecrets() {
        var p = pool(settings.withBreaker(10, Duration.ofSeconds(30)), "a", "b");
        fake.node("a").up = false;
        fake.node("b").up = false;
        assertThatThrownBy(() -> whoAnswers(p)).isInstanceOf(TransientException.class)
                .hasMessageContaining("pool 'ethereum'").hasMessageContaining("3 attempt(s)")
                .hasMessageNotContaining("SECRETKEY").hasMessageNotContaining("pw@");
        assertThat(sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250));
        assertThat(p.status().endpoints()).allSatisfy(e -> {
            assertThat(e.lastError()).doesNotContain("SECRETKEY");
            assertThat(e.address()).isEqualTo("https://" + e.name() + ".example:8545");
        });
    }

    @Test
    void ourOwnInterruptIsNotChargedToTheEndpoint() {
        var p = pool(settings, "a");
        try {
            assertThatThrownBy(() -> p.execute(c -> {
                Thread.currentThread().interrupt(); // as close() of a caller does to its worker thread
                throw new java.io.IOException("Closed by interrupt");
            })).isInstanceOf(io.evmore.core.error.TransientException.class).hasMessageContaining("interrupted");
        } finally {
            Thread.interrupted(); // clear the flag for the next test
        }
        assertThat(p.status().endpoints().get(0).errors()).isZero();
        assertThat(p.status().endpoints().get(0).circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /**
     * A broadcast of signed bytes goes to one endpoint: a failure once the request may have left (a lost answer) is
     * the endpoint's and is thrown, never retried on the next endpoint, which might refuse what the first one took and
     * have the sender sign a second transaction. A request that never left is tried on the next one.
     */
    @Test
    void executeOnceTriesTheNextEndpointOnlyForARequestThatNeverLeft() {
        var p = pool(settings, "a", "b");
        List<String> asked = new CopyOnWriteArrayList<>();
        RpcCall<FakeEndpoints.Conn, String> answerLost = c -> {
            asked.add(c.endpoint());
            if (c.endpoint().equals("a")) throw new java.io.IOException("HTTP/1.1 header parser received no bytes");
            return c.endpoint();
        };
        assertThat(p.execute(answerLost)).as("a read fails over").isEqualTo("b");
        assertThat(asked).containsExactly("a", "b");

        asked.clear();
        assertThatThrownBy(() -> p.executeOnce(answerLost)).isInstanceOf(TransientException.class)
                .hasMessageContaining("may have reached it").hasMessageContaining("'a'").hasMessageNotContaining("SECRETKEY");
        assertThat(asked).as("the broadcast is not repeated elsewhere").containsExactly("a");
        assertThat(p.status().endpoints().get(0).errors()).as("charged to the endpoint").isEqualTo(2);

        asked.clear();
        // a's breaker is open after two failures: a second pool
        var q = EndpointPool.builder("cosmos", fake, fake).settings(settings)
                .endpoints(List.of(new Endpoint("c", "http://c.example:26657"), new Endpoint("d", "http://d.example:26657")))
                .expectedChainId("test-1").clock(clock).sleeper(sleeps::add).build();
        opened.add(q);
        RpcCall<FakeEndpoints.Conn, String> refused = c -> {
            asked.add(c.endpoint());
            if (c.endpoint().equals("c")) throw new RequestNotSentException("connection refused");
            return c.endpoint();
        };
        assertThat(q.executeOnce(refused)).as("never left: the next endpoint is asked").isEqualTo("d");
        assertThat(asked).containsExactly("c", "d");
    }

    @Test
    void permanentErrorsAreNotRetriedNorChargedToTheEndpoint() {
        var p = pool(settings, "a", "b");
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> p.execute(c -> {
            calls.incrementAndGet();
            throw new PermanentException("execution reverted");
        })).isInstanceOf(PermanentException.class);
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
        assertThat(p.status().endpoints().get(0).errors()).isZero();
    }

    @Test
    void acquireTimesOutUnderExhaustionNamingThePool() throws Exception {
        var p = pool(settings, "only");
        var l1 = p.acquire();
        var l2 = p.acquire();
        long t0 = System.nanoTime();
        assertThatThrownBy(p::acquire).isInstanceOf(PoolUnavailableException.class)
                .hasMessageContaining("pool 'ethereum'").hasMessageContaining("no connection available within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(p.status().connectionsActive()).isEqualTo(2);
        assertThat(counter("evmore_pool_acquire_timeouts")).as("one timed-out acquire counted").isEqualTo(1.0);
        // a returned connection is lent to a waiter that is really parked (not one that arrives after the return)
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> waiter = ex.submit(() -> {
                try (var l = p.acquire()) {
                    return l.endpoint().name();
                }
            });
            awaitWaiting(p, 1);
            assertThat(waiter.isDone()).isFalse();
            l1.close();
            assertThat(waiter.get(2, TimeUnit.SECONDS)).isEqualTo("only");
        }
        l2.close();
        assertThat(counter("evmore_pool_acquire_timeouts")).as("the served waiter did not time out").isEqualTo(1.0);
    }

    @Test
    void parkedWaiterRechecksWithoutASignalWhenABreakerCoolsDown() throws Exception {
        // the acquire timeout is long: only the periodic re-check (every 100 ms) can serve the waiter in time
        var s = new PoolSettings(2, 0, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMillis(250), 3,
                Duration.ofMillis(500), 2, Duration.ofSeconds(30), 5, Duration.ZERO, Duration.ofSeconds(2));
        var p = pool(s, "a", "b");
        fake.node("a").up = false;
        assertThat(whoAnswers(p)).isEqualTo("b");
        assertThat(whoAnswers(p)).isEqualTo("b");
        assertThat(p.status().endpoints().get(0).circuit()).isEqualTo(CircuitBreaker.State.OPEN);
        fake.node("a").up = true;
        var l1 = p.acquire();
        var l2 = p.acquire(); // b is full, a's breaker is open: the next acquire must wait
        assertThat(List.of(l1.endpoint().name(), l2.endpoint().name())).containsExactly("b", "b");
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> waiter = ex.submit(() -> {
                try (var l = p.acquire()) {
                    return l.endpoint().name();
                }
            });
            awaitWaiting(p, 1);
            clock.advance(Duration.ofSeconds(30)); // the cool-down ends; nothing signals the waiter
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("a");
        } finally {
            l1.close();
            l2.close();
        }
    }

    @Test
    void spillsOverToTheNextEndpointWhenThePrimaryIsFull() {
        var p = pool(settings, "a", "b");
        p.checkHealthNow();
        var l1 = p.acquire();
        var l2 = p.acquire();
        var l3 = p.acquire();
        assertThat(List.of(l1.endpoint().name(), l2.endpoint().name(), l3.endpoint().name())).containsExactly("a", "a", "b");
        l1.close();
        l2.close();
        l3.close();
    }

    @Test
    void keepsMinConnectionsWarmOnUsableEndpoints() {
        var p = pool(settings.withConnections(5, 3), "a", "b");
        fake.node("b").chainId = "other-chain";
        p.checkHealthNow();
        var st = p.status();
        assertThat(st.endpoints().get(0).connectionsIdle()).isEqualTo(3);
        assertThat(st.endpoints().get(1).state()).isEqualTo(EndpointState.UNHEALTHY);
        assertThat(st.endpoints().get(1).reason()).contains("wrong chain id other-chain");
        assertThat(st.endpoints().get(1).connectionsTotal()).isZero();
        assertThat(st.connectionsTotal()).isEqualTo(3);
        assertThat(gauge("evmore_pool_connections_total")).isEqualTo(3.0);
        assertThat(gauge("evmore_pool_connections_idle")).isEqualTo(3.0);
    }

    @Test
    void unhealthyEndpointIsUsedOnlyWhenNothingBetterIsLeft() {
        var p = pool(settings, "a", "b");
        fake.node("a").height = 50; // 50 behind b: unhealthy
        p.checkHealthNow();
        assertThat(p.status().endpoints().get(0).state()).isEqualTo(EndpointState.UNHEALTHY);
        assertThat(whoAnswers(p)).isEqualTo("b");
        // nothing better left: b fails, and the retry falls back to the unhealthy a rather than failing the call
        fake.node("b").up = false;
        int callsOnA = fake.node("a").calls.get();
        assertThat(whoAnswers(p)).isEqualTo("a");
        assertThat(fake.node("a").calls).hasValue(callsOnA + 1);
    }

    @Test
    void stalledProbeCountsAsFailure() {
        var p = pool(settings, "a", "b");
        fake.node("a").delayMillis = 2_000;
        p.checkHealthNow();
        var a = p.status().endpoints().get(0);
        assertThat(a.state()).isEqualTo(EndpointState.UNHEALTHY);
        assertThat(a.reason()).contains("no answer within 500 ms");
    }

    @Test
    void drainStopsLendingWaitsForBorrowedThenRefreshResumes() throws Exception {
        var p = pool(settings, "a");
        p.checkHealthNow();
        var lease = p.acquire();
        CountDownLatch draining = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<PoolStatus.DrainReport>> drain = ex.submit(() -> {
                draining.countDown();
                return registry.drain(Duration.ofSeconds(5));
            });
            draining.await();
            // wait for the state rather than a fixed sleep: the drain thread may be slow to run on a loaded machine
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.status().state() != PoolStatus.Lifecycle.DRAINING && System.nanoTime() < until) Thread.sleep(5);
            assertThatThrownBy(p::acquire).isInstanceOf(PoolUnavailableException.class).hasMessageContaining("draining");
            assertThat(drain.isDone()).isFalse();
            lease.close();
            var report = drain.get(5, TimeUnit.SECONDS).get(0);
            assertThat(report.drained()).isTrue();
            assertThat(report.stillBorrowed()).isZero();
            assertThat(report.closedConnections()).isEqualTo(1);
        }
        assertThat(p.status().state()).isEqualTo(PoolStatus.Lifecycle.DRAINED);
        assertThat(p.status().connectionsTotal()).isZero();
        assertThatThrownBy(p::acquire).hasMessageContaining("drained");

        var refreshed = registry.refresh().get(0);
        assertThat(refreshed.openedConnections()).isEqualTo(1);
        assertThat(p.status().state()).isEqualTo(PoolStatus.Lifecycle.ACTIVE);
        assertThat(whoAnswers(p)).isEqualTo("a");
    }

    @Test
    void drainReportsConnectionsStillBorrowedAfterTimeout() {
        var p = pool(settings, "a");
        var lease = p.acquire();
        var report = p.drain(Duration.ofMillis(100));
        assertThat(report.drained()).isFalse();
        assertThat(report.stillBorrowed()).isEqualTo(1);
        int closedBefore = fake.closed.get();
        lease.close();
        p.refresh();
        assertThat(fake.closed.get()).isGreaterThan(closedBefore);
    }

    @Test
    void refreshReplacesConnectionsEvenWhenBorrowed() {
        var p = pool(settings, "a");
        p.checkHealthNow();
        var lease = p.acquire();
        var old = lease.connection();
        p.refresh();
        int closedBefore = fake.closed.get();
        lease.close();
        assertThat(fake.closed.get()).as("a connection from before the refresh is closed on return").isEqualTo(closedBefore + 1);
        try (var l = p.acquire()) {
            assertThat(l.connection()).isNotEqualTo(old);
        }
    }

    @Test
    void exposesTheGuideMetricNames() {
        var p = pool(settings, "a");
        p.checkHealthNow();
        whoAnswers(p);
        fake.node("a").up = false;
        try {
            whoAnswers(p);
        } catch (TransientException expected) {
            // all attempts fail on the single endpoint
        }
        List<String> names = prometheus.scrape().stream().map(s -> s.getMetadata().getPrometheusName()).toList();
        assertThat(names).contains("evmore_pool_connections_total", "evmore_pool_connections_active",
                "evmore_pool_connections_idle", "evmore_pool_acquire_duration_seconds", "evmore_pool_endpoint_healthy",
                "evmore_rpc_errors");
        var errors = (io.prometheus.metrics.model.snapshots.CounterSnapshot) scrape("evmore_rpc_errors");
        assertThat(errors.getDataPoints().get(0).getValue()).isGreaterThanOrEqualTo(2.0);
        assertThat(errors.getDataPoints().get(0).getLabels().get("endpoint")).isEqualTo("a");
        // every call and probe is counted per endpoint; the probe and the first call succeeded, so more than failed
        var requests = (io.prometheus.metrics.model.snapshots.CounterSnapshot) scrape("evmore_rpc_requests");
        assertThat(requests.getDataPoints().get(0).getLabels().get("endpoint")).isEqualTo("a");
        assertThat(requests.getDataPoints().get(0).getValue()).isEqualTo(errors.getDataPoints().get(0).getValue() + 2);
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> new Endpoint("bad name", "http://x")).hasMessageContaining("invalid endpoint name");
        assertThatThrownBy(() -> new Endpoint("a", "ftp://x")).hasMessageContaining("endpoint 'a' url");
        assertThatThrownBy(() -> settings.withConnections(2, 3)).hasMessageContaining("minConnections");
        assertThatThrownBy(() -> pool(settings, "a", "a")).hasMessageContaining("used twice");
    }

    private MetricSnapshot scrape(String name) {
        return prometheus.scrape().stream().filter(s -> s.getMetadata().getPrometheusName().equals(name)).findFirst()
                .orElse(null);
    }

    private double counter(String name) {
        var c = (io.prometheus.metrics.model.snapshots.CounterSnapshot) scrape(name);
        assertThat(c).as(name + " is registered").isNotNull();
        return c.getDataPoints().stream().filter(d -> "ethereum".equals(d.getLabels().get("pool")))
                .mapToDouble(io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot::getValue)
                .sum();
    }

    private static void awaitWaiting(EndpointPool<?> p, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.status().waiting() < n && System.nanoTime() < until) Thread.sleep(5);
        assertThat(p.status().waiting()).as("acquire calls parked in the pool").isEqualTo(n);
    }

    private double gauge(String name) {
        var g = (io.prometheus.metrics.model.snapshots.GaugeSnapshot) scrape(name);
        return g.getDataPoints().get(0).getValue();
    }
}
