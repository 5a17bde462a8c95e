package io.evmore.devnet.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hardhat closes idle keep-alive connections; a request written onto one it has just closed comes
 * back as "connection reset" or "received no bytes". CI once failed that way in the middle of a
 * crash-recovery test. A read is sent once more on a fresh connection; a write is never repeated.
 * The server here drops the first connection after reading the request, like a node closing it.
 */
class HardhatNodeRpcRetryTest {

    private ServerSocket server;
    private Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> methods = Collections.synchronizedList(new ArrayList<>());

    private int startServerDroppingFirstConnection() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    int n = connections.incrementAndGet();
                    String body = readRequestBody(s);
                    methods.add(body.replaceAll(".*\"method\":\"([^\"]+)\".*", "$1"));
                    if (n == 1) {
                        continue; // closes the socket without a byte of response
                    }
                    String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2a\"}";
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                            + "content-length: " + json.length() + "\r\n\r\n" + json).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    return; // server closed
                }
            }
        }, "fake-hardhat");
        acceptor.setDaemon(true);
        acceptor.start();
        return server.getLocalPort();
    }

    private static String readRequestBody(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        int length = 0;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            int r = in.read(body, read, length - read);
            if (r < 0) break;
            read += r;
        }
        return new String(body, 0, read);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
        if (acceptor != null) acceptor.join(5_000);
    }

    @Test
    void aReadDroppedByTheNodeIsSentOnceMoreAndAnswers() throws Exception {
        HardhatNode node = HardhatNode.attach(startServerDroppingFirstConnection());
        try {
            assertThat(node.blockNumber()).isEqualTo(42);
        } finally {
            node.close();
        }
        assertThat(connections.get()).isEqualTo(2);
        assertThat(methods).containsExactly("eth_blockNumber", "eth_blockNumber");
    }

    @Test
    void aWriteDroppedByTheNodeIsNeverRepeated() throws Exception {
        HardhatNode node = HardhatNode.attach(startServerDroppingFirstConnection());
        try {
            assertThatThrownBy(() -> node.rpc("evm_mine"))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("evm_mine");
        } finally {
            node.close();
        }
        assertThat(methods).containsExactly("evm_mine");
    }
}
