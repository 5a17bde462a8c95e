package io.evmore.devnet.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.process.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real local Ethereum node: Hardhat 2 ({@code hardhat node}) from {@code tools/node}, bound to 127.0.0.1 on a
 * free port, chain id {@value #CHAIN_ID}, accounts from the public development mnemonic. The process is a
 * {@link ChildProcess}: stopped on {@link #close()} and, as a safety net, on JVM exit; only the process this object
 * started is ever killed.
 *
 * <p>JSON-RPC helpers cover what tests need: snapshots and reverts (reorgs), time travel (timelocks), mining
 * control (stuck transactions), and {@link #kill()}/{@link #restart()} (failover).
 */
public final class HardhatNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HardhatNode.class);
    public static final long CHAIN_ID = 31337;

    /** Hardhat's well-known development keys (mnemonic "test test … junk"): public, for local chains only. */
    private static final List<String> DEV_KEYS = List.of(
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
            "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
            "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
            "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
            "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
            "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
            "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
            "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6");
    private static final List<String> DEV_ADDRESSES = List.of(
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
            "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
            "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
            "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
            "0x976ea74026e726554db657fa54763abd0c3a0aa9",
            "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
            "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
            "0xa0ee7a142d267c1f36714e4a8f75612f20a79720");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final int port;
    private final Path logFile;
    private final ChildProcess node;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;

    private HardhatNode(Path root, int port) {
        this.root = root;
        this.port = port;
        // Outside the tree: the node's output is only for debugging a failed start.
        this.logFile = Path.of(System.getProperty("java.io.tmpdir"), "evmore-hardhat-" + port + ".log");
        Path dir = root.resolve("tools/node");
        this.node = ChildProcess.of("hardhat node", List.of(dir.resolve("node_modules/.bin/hardhat").toString(), "node",
                        "--hostname", "127.0.0.1", "--port", Integer.toString(port)), logFile)
                .directory(dir)
                .env("HARDHAT_DISABLE_TELEMETRY_PROMPT", "true")
                .env("HARDHAT_DISABLE_ANALYTICS", "true")
                .stopGrace(Duration.ofSeconds(5))
                .build();
    }

    /** Starts a node on a free port and waits until it answers {@code eth_chainId}. */
    public static HardhatNode start() {
        Path root = findRoot();
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= 3; attempt++) { // the free port may be taken between probe and bind
            HardhatNode node = new HardhatNode(root, freePort());
            try {
                node.launch();
                return node;
            } catch (RuntimeException e) {
                node.closeKeepingLog();
                if (failure == null) failure = e; else failure.addSuppressed(e);
                log.warn("hardhat node on port {} did not start (attempt {}): {}", node.port, attempt, e.getMessage());
            }
        }
        throw failure;
    }

    /** A handle on a node already listening on {@code port} (no process of its own; close does not stop it). */
    static HardhatNode attach(int port) {
        return new HardhatNode(Path.of("."), port);
    }

    /**
     * The process id of the Node.js program serving the chain (the bench reads its CPU time from /proc); the wrapper's
     * while that program is not found.
     */
    public long pid() {
        try {
            return node.pidOf("node");
        } catch (IllegalStateException e) {
            return node.pid();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The same server speaks websocket JSON-RPC (eth_subscribe) on the same port. */
    public String wsUrl() {
        return "ws://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long chainId() {
        return CHAIN_ID;
    }

    /** Funded development private keys (0x hex); index 0 is Hardhat's default sender. */
    public List<String> devPrivateKeys() {
        return DEV_KEYS;
    }

    /** Lowercase 0x addresses of {@link #devPrivateKeys()}, same order. */
    public List<String> devAddresses() {
        return DEV_ADDRESSES;
    }

    public boolean isRunning() {
        return node.isAlive();
    }

    // ------------------------------------------------------------------------------------------ RPC helpers

    /** Calls a JSON-RPC method and returns its {@code result}; an RPC error becomes an IllegalStateException. */
    public JsonNode rpc(String method, Object... params) {
        return rpc(Duration.ofSeconds(30), method, params);
    }

    private JsonNode rpc(Duration timeout, String method, Object... params) {
        ObjectNode req = JSON.createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("id", ids.incrementAndGet());
        req.put("method", method);
        ArrayNode arr = req.putArray("params");
        for (Object p : params) arr.add(JSON.valueToTree(p));
        try {
            return call(timeout, method, req);
        } catch (IOException first) {
            // Hardhat closes idle keep-alive connections; a request written onto one that the node
            // has just closed fails with "connection reset" / "no bytes". A read has no effect, so
            // it is safe to send once more on a fresh connection; a write is never repeated here.
            if (!isRead(method)) {
                throw new UncheckedIOException("hardhat " + method + " on port " + port + " failed", first);
            }
            try {
                return call(timeout, method, req);
            } catch (IOException e) {
                e.addSuppressed(first);
                throw new UncheckedIOException("hardhat " + method + " on port " + port + " failed", e);
            }
        }
    }

    /** Methods that only read: repeating one after a transport failure cannot change the chain. */
    static boolean isRead(String method) {
        return method.startsWith("eth_get") || method.equals("eth_call") || method.equals("eth_blockNumber")
                || method.equals("eth_chainId") || method.equals("net_version") || method.equals("eth_gasPrice")
                || method.equals("eth_estimateGas") || method.equals("eth_feeHistory")
                || method.equals("eth_maxPriorityFeePerGas") || method.equals("eth_accounts");
    }

    private JsonNode call(Duration timeout, String method, ObjectNode req) throws IOException {
        try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url()))
                    .timeout(timeout).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req))).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(resp.body());
            if (body.hasNonNull("error")) {
                throw new IllegalStateException("hardhat " + method + " failed: " + body.get("error"));
            }
            return body.get("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during hardhat " + method, e);
        }
    }

    public long blockNumber() {
        return Long.decode(rpc("eth_blockNumber").asText());
    }

    /** {@code evm_snapshot}: an id to {@link #revert} to (a revert consumes the snapshot). */
    public String snapshot() {
        return rpc("evm_snapshot").asText();
    }

    /** {@code evm_revert}: drops every block after the snapshot; true if the snapshot existed. */
    public boolean revert(String snapshotId) {
        return rpc("evm_revert", snapshotId).asBoolean();
    }

    public void increaseTime(long seconds) {
        rpc("evm_increaseTime", seconds);
    }

    public void setNextBlockTimestamp(long epochSeconds) {
        rpc("evm_setNextBlockTimestamp", epochSeconds);
    }

    /** Mines {@code n} empty blocks at once. */
    public void mine(long n) {
        rpc("hardhat_mine", "0x" + Long.toHexString(n));
    }

    public void setAutomine(boolean on) {
        rpc("evm_setAutomine", on);
    }

    /** 0 turns interval mining off. */
    public void setIntervalMining(long millis) {
        rpc("evm_setIntervalMining", millis);
    }

    public long latestTimestamp() {
        return Long.decode(rpc("eth_getBlockByNumber", "latest", false).get("timestamp").asText());
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    /** Stops the node process (as if it crashed); {@link #restart()} brings it back, empty, on the same port. */
    public void kill() {
        destroyProcess();
    }

    /** Starts the node again on the same port (a fresh chain) and waits until it answers. */
    public void restart() {
        if (closed) throw new IllegalStateException("hardhat node on port " + port + " is closed");
        destroyProcess();
        launch();
    }

    @Override
    public void close() {
        closeKeepingLog();
        try {
            Files.deleteIfExists(logFile); // kept only while the node runs or when it failed to start
        } catch (IOException e) {
            // best effort
        }
    }

    private void closeKeepingLog() {
        closed = true;
        destroyProcess();
    }

    private synchronized void launch() {
        Path dir = root.resolve("tools/node");
        if (!Files.isExecutable(dir.resolve("node_modules/.bin/hardhat"))) {
            throw new IllegalStateException("hardhat is not installed in " + dir + ": run `cd tools/node && npm ci`");
        }
        node.start();
        try {
            node.awaitReady(START_TIMEOUT, "answer", left -> {
                // a node that accepts but does not answer must not hold the start past its deadline
                JsonNode id = rpc(Duration.ofMillis(Math.min(2_000, left.toMillis())), "eth_chainId");
                if (Long.decode(id.asText()) != CHAIN_ID) {
                    throw new IllegalStateException("hardhat node reports chain id " + id + ", expected " + CHAIN_ID
                            + " (is tools/node/hardhat.config.js in place?)");
                }
                return true;
            }, () -> "; see " + logFile);
        } catch (RuntimeException e) {
            destroyProcess();
            throw e;
        }
        log.info("hardhat node ready at {} (pid {})", url(), node.pid());
    }

    private synchronized void destroyProcess() {
        if (node.stop()) waitPortFree();
    }

    private void waitPortFree() {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return;
            } catch (IOException busy) {
                ChildProcess.pause(100);
            }
        }
    }

    /** The project root: system property {@code evmore.root}, env {@code EVMORE_ROOT}, or the nearest parent with tools/node. */
    static Path findRoot() {
        String prop = System.getProperty("evmore.root", System.getenv("EVMORE_ROOT"));
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("tools/node"))) return p;
            p = p.getParent();
        }
        throw new IllegalStateException("cannot find the project root (a folder with tools/node) above "
                + System.getProperty("user.dir") + "; set -Devmore.root");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
