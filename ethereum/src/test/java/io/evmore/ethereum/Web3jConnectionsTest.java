package io.evmore.ethereum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.evmore.pool.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node that closes a kept-alive connection as idle just as a request is written on it answers nothing: the request
 * is sent once more at once on a fresh connection instead of failing to the pool, which waited its retry delay (1 s)
 * first — the reaction-time outliers of docs/BENCHMARKS.md "Reaction at light load (round 3)". The server here reads
 * each request and, on the connections {@code drops} selects, closes without a byte of answer.
 */
class Web3jConnectionsTest {
    private ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    private String serve(IntPredicate drops) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    int n = connections.incrementAndGet();
                    String request = readRequest(s.getInputStream());
                    if (drops.test(n)) continue; // closed unanswered
                    String id = request.replaceAll("(?s).*\"id\"\\s*:\\s*(\\d+).*", "$1");
                    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x2a\"}";
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // the test ended
                }
            }
        });
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) return head.toString(StandardCharsets.US_ASCII);
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int length = Integer.parseInt(h.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
        return h + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
    }

    @Test
    void aRequestTheNodeClosedUnansweredIsSentOnceMoreOnAFreshConnection() throws Exception {
        String url = serve(n -> n == 1);
        Web3jConnections c = new Web3jConnections(Duration.ofSeconds(5));
        EthConnection conn = c.create(new Endpoint("rpc-0", url));
        try {
            BigInteger height = conn.web3j().ethBlockNumber().send().getBlockNumber();
            assertEquals(BigInteger.valueOf(42), height);
            assertEquals(2, connections.get(), "the first connection was closed unanswered, the second answered");
        } finally {
            c.close(conn);
        }
    }

    /**
     * Two kept-alive connections go idle together and the node closes both just as the next request is written: the
     * second try must not take the other stale one. Connections 1 and 2 answer their first request and keep the
     * connection; any later request on them is read and closed unanswered; later connections answer.
     */
    @Test
    void theSecondTryOpensAFreshConnectionNotAnotherIdleOne() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        java.util.concurrent.CountDownLatch bothOpen = new java.util.concurrent.CountDownLatch(2);
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int n = connections.incrementAndGet();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s) {
                            boolean keep = n <= 2;
                            if (keep) bothOpen.countDown();
                            for (int served = 0; ; served++) {
                                String request = readRequest(s.getInputStream());
                                if (request.isEmpty()) return;
                                if (keep && served > 0) return; // the node closed it as idle: no answer
                                if (keep) bothOpen.await(5, java.util.concurrent.TimeUnit.SECONDS);
                                answer(s, request, keep);
                                if (!keep) return;
                            }
                        } catch (IOException | InterruptedException e) {
                            // the test ended
                        }
                    });
                } catch (IOException e) {
                    // the test ended
                }
            }
        });
        Web3jConnections c = new Web3jConnections(Duration.ofSeconds(5));
        EthConnection conn = c.create(new Endpoint("rpc-0", "http://127.0.0.1:" + server.getLocalPort()));
        try (var both = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var a = both.submit(() -> conn.web3j().ethBlockNumber().send().getBlockNumber());
            var b = both.submit(() -> conn.web3j().ethBlockNumber().send().getBlockNumber());
            assertEquals(BigInteger.valueOf(42), a.get());
            assertEquals(BigInteger.valueOf(42), b.get());
        }
        assertEquals(2, connections.get(), "two kept-alive connections, both idle now");
        try {
            assertEquals(BigInteger.valueOf(42), conn.web3j().ethBlockNumber().send().getBlockNumber());
            assertEquals(3, connections.get(), "one stale connection tried, then a fresh one");
        } finally {
            c.close(conn);
        }
    }

    private static void answer(Socket s, String request, boolean keepAlive) throws IOException {
        String id = request.replaceAll("(?s).*\"id\"\\s*:\\s*(\\d+).*", "$1");
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x2a\"}";
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: " + (keepAlive ? "keep-alive" : "close")
                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Test
    void onlyOnceMore_aNodeThatKeepsClosingFailsToThePool() throws Exception {
        String url = serve(n -> true);
        Web3jConnections c = new Web3jConnections(Duration.ofSeconds(5));
        EthConnection conn = c.create(new Endpoint("rpc-0", url));
        try {
            IOException e = assertThrows(IOException.class, () -> conn.web3j().ethBlockNumber().send());
            assertEquals(true, Web3jConnections.closedUnanswered(e), e.toString());
            assertEquals(2, connections.get(), "one request and one more, then the pool decides");
        } finally {
            c.close(conn);
        }
    }
}
