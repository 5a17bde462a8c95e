package io.evmore.pool;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory endpoints that really answer (chain id, height) and can be taken down, stalled or re-pointed. */
final class FakeEndpoints implements ConnectionFactory<FakeEndpoints.Conn>, HealthProbe<FakeEndpoints.Conn> {

    static final class Node {
        volatile boolean up = true;
        volatile String chainId = "test-1";
        volatile long height = 100;
        volatile long delayMillis;
        final AtomicInteger calls = new AtomicInteger();
    }

    record Conn(String endpoint, int serial) {}

    final Map<String, Node> nodes = new ConcurrentHashMap<>();
    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    Node node(String name) {
        return nodes.computeIfAbsent(name, n -> new Node());
    }

    @Override
    public Conn create(Endpoint endpoint) {
        node(endpoint.name());
        return new Conn(endpoint.name(), created.incrementAndGet());
    }

    @Override
    public void close(Conn connection) {
        closed.incrementAndGet();
    }

    @Override
    public Sample probe(Conn c) throws Exception {
        Node n = call(c);
        return new Sample(n.chainId, n.height);
    }

    /** A request on a connection: fails like a refused socket when the node is down. */
    Node call(Conn c) throws Exception {
        Node n = node(c.endpoint());
        if (n.delayMillis > 0) Thread.sleep(n.delayMillis);
        if (!n.up) throw new java.net.ConnectException("Connection refused: " + c.endpoint());
        n.calls.incrementAndGet();
        return n;
    }
}
