package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.evmore.core.port.Clock;
import io.evmore.devnet.ethereum.HardhatNode;
import io.evmore.pool.Endpoint;
import io.evmore.pool.EndpointPool;
import io.evmore.pool.EndpointState;
import io.evmore.pool.PoolRegistry;
import io.evmore.pool.PoolSettings;
import io.evmore.pool.PoolStatus;
import io.evmore.pool.PoolUnavailableException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two real Hardhat nodes behind one pool: kill the primary mid-run, traffic stays up and comes back after restart. */
class EthereumPoolFailoverIT {
    static HardhatNode primary;
    static HardhatNode secondary;

    @BeforeAll
    static void start() {
        primary = HardhatNode.start();
        try {
            secondary = HardhatNode.start();
        } catch (RuntimeException e) {
            primary.close(); // @AfterAll does run, but do not leave the first node up on a failed start either
            primary = null;
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (primary != null) primary.close();
        if (secondary != null) secondary.close();
    }

    private static PoolSettings settings() {
        // Two independent dev chains have unrelated heights: the lag rule is off here (unit tests pin it).
        return new PoolSettings(4, 1, Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofMillis(50), 3,
                Duration.ofSeconds(2), 2, Duration.ofMillis(800), Long.MAX_VALUE / 4, Duration.ZERO, Duration.ofSeconds(2));
    }

    private static EndpointPool<EthConnection> pool(PoolRegistry registry, PoolSettings s) {
        Web3jConnections c = new Web3jConnections(Duration.ofSeconds(5));
        return registry.register(EndpointPool.builder("ethereum", c, c).settings(s)
                .endpoints(List.of(new Endpoint("primary", primary.url()), new Endpoint("secondary", secondary.url())))
                .expectedChainId("31337").metrics(registry.metrics()).clock(Clock.system()).build());
    }

    /** A real request that also tells which endpoint served it. */
    private static String served(EndpointPool<EthConnection> pool) {
        return pool.execute(c -> {
            Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber");
            return c.endpointName();
        });
    }

    @Test
    void primaryKilledMidRunRequestsKeepSucceedingOnSecondaryAndReturnAfterRestart() throws Exception {
        try (PoolRegistry registry = new PoolRegistry(new PrometheusRegistry())) {
            EndpointPool<EthConnection> pool = pool(registry, settings()).start();
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.status().endpoints().get(0).state() == EndpointState.HEALTHY);
            assertThat(served(pool)).isEqualTo("primary");

            Map<String, AtomicInteger> byEndpoint = new ConcurrentHashMap<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> workers = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                workers.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            byEndpoint.computeIfAbsent(served(pool), k -> new AtomicInteger()).incrementAndGet();
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }
                }));
            }
            try {
                // mid-run: the workers are busy on the primary when it dies
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> byEndpoint.getOrDefault("primary", new AtomicInteger()).get() > 20);
                primary.kill();
                int secondaryBefore = byEndpoint.getOrDefault("secondary", new AtomicInteger()).get();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> byEndpoint.getOrDefault("secondary", new AtomicInteger()).get() > secondaryBefore + 50);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> pool.status().endpoints().get(0).state() == EndpointState.UNHEALTHY);

                primary.restart();
                int primaryAfterRestart = byEndpoint.getOrDefault("primary", new AtomicInteger()).get();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> byEndpoint.getOrDefault("primary", new AtomicInteger()).get() > primaryAfterRestart + 50);
            } finally {
                running.set(false); // a failed await must not leave the workers hammering the pool
                for (Thread t : workers) t.join();
            }

            assertThat(failures).as("no request failed during failover").isEmpty();
            assertThat(served(pool)).isEqualTo("primary");
            PoolStatus.EndpointStatus p = pool.status().endpoints().get(0);
            assertThat(p.state()).isEqualTo(EndpointState.HEALTHY);
            assertThat(p.errors()).isPositive();
        }
    }

    @Test
    void stalledEndpointIsDemotedAndReturnsWhenItAnswersAgain() throws Exception {
        // The stalled endpoint never answers until released, so the probe timeout can be generous: no healthy
        // answer on a loaded machine comes near it, and the outcome does not depend on timing.
        PoolSettings s = settings().withProbeTimeout(Duration.ofSeconds(2));
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(primary.url());
                PoolRegistry registry = new PoolRegistry(new PrometheusRegistry())) {
            Web3jConnections c = new Web3jConnections(Duration.ofSeconds(10)); // the probe timeout decides, not the socket
            EndpointPool<EthConnection> pool = registry.register(EndpointPool.builder("ethereum", c, c).settings(s)
                    .endpoints(List.of(new Endpoint("primary", proxy.url()), new Endpoint("secondary", secondary.url())))
                    .expectedChainId("31337").metrics(registry.metrics()).clock(Clock.system()).build());
            pool.checkHealthNow();
            assertThat(served(pool)).isEqualTo("primary");

            proxy.stall();
            pool.checkHealthNow();
            PoolStatus.EndpointStatus stalled = pool.status().endpoints().get(0);
            assertThat(stalled.state()).isEqualTo(EndpointState.UNHEALTHY);
            assertThat(stalled.reason()).contains("no answer within 2000 ms");
            // control in the same health check: the direct endpoint answered in time
            assertThat(pool.status().endpoints().get(1).state()).isEqualTo(EndpointState.HEALTHY);
            assertThat(served(pool)).isEqualTo("secondary");

            proxy.release();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                pool.checkHealthNow();
                return pool.status().endpoints().get(0).state() == EndpointState.HEALTHY;
            });
            assertThat(served(pool)).isEqualTo("primary");
        }
    }

    @Test
    void wrongChainEndpointIsNeverPreferred() {
        try (PoolRegistry registry = new PoolRegistry(new PrometheusRegistry())) {
            Web3jConnections c = new Web3jConnections(Duration.ofSeconds(5));
            EndpointPool<EthConnection> pool = registry.register(EndpointPool.builder("mainnet", c, c).settings(settings())
                    .endpoints(List.of(new Endpoint("primary", primary.url()))).expectedChainId("1")
                    .metrics(registry.metrics()).clock(Clock.system()).build());
            pool.checkHealthNow();
            assertThat(pool.status().endpoints().get(0).state()).isEqualTo(EndpointState.UNHEALTHY);
            assertThat(pool.status().endpoints().get(0).reason()).contains("wrong chain id 31337");
        }
    }

    @Test
    void acquireTimesOutUnderExhaustionThenDrainAndRefresh() throws Exception {
        PoolSettings s = settings().withConnections(1, 1).withAcquireTimeout(Duration.ofMillis(400));
        try (PoolRegistry registry = new PoolRegistry(new PrometheusRegistry())) {
            EndpointPool<EthConnection> pool = pool(registry, s);
            pool.checkHealthNow();
            var a = pool.acquire();
            var b = pool.acquire();
            assertThat(List.of(a.endpoint().name(), b.endpoint().name())).containsExactly("primary", "secondary");
            assertThatThrownBy(pool::acquire).isInstanceOf(PoolUnavailableException.class)
                    .hasMessageContaining("pool 'ethereum'").hasMessageContaining("within 400 ms");
            a.close();
            b.close();

            var held = pool.acquire();
            Thread releaser = Thread.ofVirtual().start(() -> {
                try {
                    // hand the connection back only once drain is waiting for it (no race with a busy scheduler)
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                            .until(() -> pool.status().state() == PoolStatus.Lifecycle.DRAINING);
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.close();
                }
            });
            List<PoolStatus.DrainReport> drained = registry.drain(Duration.ofSeconds(20));
            releaser.join();
            assertThat(drained.get(0).drained()).isTrue();
            assertThat(drained.get(0).waitedMillis()).isGreaterThanOrEqualTo(200);
            assertThat(pool.status().connectionsTotal()).isZero();
            assertThatThrownBy(() -> served(pool)).isInstanceOf(PoolUnavailableException.class).hasMessageContaining("drained");

            List<PoolStatus.RefreshReport> refreshed = registry.refresh();
            assertThat(refreshed.get(0).openedConnections()).isEqualTo(2);
            assertThat(served(pool)).isEqualTo("primary");
            assertThat(registry.status().get(0).state()).isEqualTo(PoolStatus.Lifecycle.ACTIVE);
        }
    }
}
