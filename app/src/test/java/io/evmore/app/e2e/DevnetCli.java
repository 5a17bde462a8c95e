package io.evmore.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.evmore.app.swap.Network;
import io.evmore.app.swap.Signer;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.swapper.UserChain;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The harness of the CLI end-to-end tests: {@code evmore devnet --out DIR} as a child process (the world a user or
 * another team gets), the relayer from DIR/relayer.yaml as another one when a test wants it, and {@code evmore swap …}
 * run as its own process like a user would. Also what a test reads from the chains directly: balances, the Hardhat
 * node's JSON-RPC (receipts, nonces, time travel) and the Cosmos devnet's CometBFT RPC (a transaction's fee).
 */
final class DevnetCli implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ETH = "eip155:31337";

    /** What one CLI run printed (stdout and stderr together) and its exit code. */
    record Run(int exit, String output) {}

    final Path dir;
    final Path out;
    final Path states;
    final int relayerPort;
    final RelayerProcess devnet;
    final Network net;
    final JsonNode doc;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // Hardhat answers an h2c upgrade with 400
            .connectTimeout(Duration.ofSeconds(5)).build();

    private DevnetCli(Path dir, int relayerPort, RelayerProcess devnet) throws IOException {
        this.dir = dir;
        this.out = dir.resolve("world");
        this.states = dir.resolve("swaps");
        this.relayerPort = relayerPort;
        this.devnet = devnet;
        this.doc = JSON.readTree(Files.readString(out.resolve("devnet.json")));
        this.net = Network.load(out.resolve("devnet.json"));
    }

    static Map<String, String> env() {
        return Map.of("EVMORE_ROOT", Path.of("").toAbsolutePath().getParent().toString());
    }

    /** Starts {@code evmore devnet --out DIR/world} and waits until it says it is ready (its files are written then). */
    static DevnetCli start(Path dir) throws Exception {
        int port = RelayerProcess.freePort();
        RelayerProcess devnet = RelayerProcess.start(dir, 0, env(), "devnet", "--out", dir.resolve("world").toString(),
                "--relayer-port", Integer.toString(port), "--block-interval", "500ms");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!devnet.output().contains("devnet: ready")) {
            if (System.nanoTime() > deadline || devnet.awaitExit(Duration.ofMillis(200)) != -1) {
                devnet.close();
                throw new AssertionError("devnet did not become ready:\n" + devnet.output());
            }
        }
        return new DevnetCli(dir, port, devnet);
    }

    /** Starts {@code evmore run --config DIR/world/relayer.yaml} and waits until it is healthy. */
    RelayerProcess startRelayer() throws Exception {
        RelayerProcess relayer = RelayerProcess.start(dir, relayerPort, env(), "run", "--config", out.resolve("relayer.yaml").toString());
        if (!relayer.awaitHealthy(Duration.ofSeconds(120))) {
            relayer.close();
            throw new AssertionError("relayer not healthy:\n" + relayer.output());
        }
        return relayer;
    }

    /** Sends SIGTERM to the devnet; returns its exit code (-1 if it did not stop in time). */
    int stop() throws InterruptedException {
        return devnet.terminate(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        devnet.close();
    }

    /** Runs {@code evmore swap ARGS --devnet … --state-dir …} as a process. */
    Run swap(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("swap"));
        a.addAll(List.of(args));
        a.addAll(List.of("--devnet", out.resolve("devnet.json").toString(), "--state-dir", states.toString()));
        try (RelayerProcess p = RelayerProcess.start(dir, 0, env(), a.toArray(String[]::new))) {
            int rc = p.awaitExit(Duration.ofSeconds(240));
            return new Run(rc, p.output());
        }
    }

    /** The last line of {@code output} that is a JSON object (what {@code --json} prints). */
    static JsonNode lastJson(String output) throws IOException {
        String[] lines = output.strip().split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) if (lines[i].startsWith("{")) return JSON.readTree(lines[i]);
        throw new AssertionError("no JSON line in:\n" + output);
    }

    /** A stored swap state file, secret included (what the user keeps). */
    JsonNode stateFile(String hashlock) throws IOException {
        return JSON.readTree(Files.readString(states.resolve(hashlock + ".json")));
    }

    BigInteger balance(String chain, String asset, String owner) {
        Network.Chain c = net.chain("test", chain);
        try (UserChain u = Network.connect(c, Signer.account(c.isEthereum() ? "user9" : "carol").secretFor(c, "test"))) {
            return u.balanceOf(net.asset(c, "test", asset).id(), owner);
        }
    }

    /** The chain's time: its latest block's timestamp (unix seconds). */
    long latestBlockTime(String chain) {
        Network.Chain c = net.chain("test", chain);
        try (UserChain u = Network.connect(c, Signer.account(c.isEthereum() ? "user9" : "carol").secretFor(c, "test"))) {
            return u.htlc().latestBlockTime();
        }
    }

    String cosmos(String name, String chain) {
        for (JsonNode a : doc.get("accounts")) if (a.get("name").asText().equals(name)) return a.get("addresses").get(chain).asText();
        throw new AssertionError(name);
    }

    String eth(String name) {
        for (JsonNode a : doc.get("ethereum").get("accounts")) if (a.get("name").asText().equals(name)) return a.get("address").asText();
        throw new AssertionError(name);
    }

    // ---- the Hardhat node's JSON-RPC

    JsonNode ethRpc(String method, Object... params) throws IOException, InterruptedException {
        ArrayNode p = JSON.createArrayNode();
        for (Object o : params) p.add(JSON.valueToTree(o));
        String body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method).set("params", p).toString();
        HttpRequest req = HttpRequest.newBuilder(URI.create(doc.get("ethereum").get("rpc").asText())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        JsonNode r = JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
        if (r.has("error")) throw new AssertionError(method + " failed: " + r.get("error"));
        return r.get("result");
    }

    /** Moves the Hardhat node's clock forward by {@code seconds} and mines a block carrying the new time. */
    void increaseEthTime(long seconds) throws IOException, InterruptedException {
        ethRpc("evm_increaseTime", seconds);
        ethRpc("evm_mine");
    }

    /** What a mined Ethereum transaction cost its sender in gas: gasUsed × effectiveGasPrice, in wei. */
    BigInteger ethGasCost(String txHash) throws IOException, InterruptedException {
        JsonNode r = ethRpc("eth_getTransactionReceipt", txHash);
        if (r == null || r.isNull()) throw new AssertionError("no receipt for " + txHash);
        return hex(r.get("gasUsed").asText()).multiply(hex(r.get("effectiveGasPrice").asText()));
    }

    /** How many transactions {@code address} has sent (its nonce). */
    long ethNonce(String address) throws IOException, InterruptedException {
        return hex(ethRpc("eth_getTransactionCount", address, "latest").asText()).longValueExact();
    }

    private static BigInteger hex(String s) {
        return new BigInteger(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    // ---- the Cosmos devnet's CometBFT RPC

    /** The fee a Cosmos devnet transaction paid, in base units of {@code denom} (from its "tx" fee event). */
    BigInteger cosmosFee(String chain, String txHash, String denom) throws IOException, InterruptedException {
        JsonNode c = null;
        for (JsonNode x : doc.get("chains")) if (x.get("chain_id").asText().equals(chain)) c = x;
        if (c == null) throw new AssertionError("no chain " + chain + " in devnet.json");
        byte[] hash = java.util.HexFormat.of().parseHex(txHash.startsWith("0x") ? txHash.substring(2) : txHash);
        String body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", "tx")
                .set("params", JSON.createObjectNode().put("hash", java.util.Base64.getEncoder().encodeToString(hash))).toString();
        HttpRequest req = HttpRequest.newBuilder(URI.create(c.get("rpc").get(0).asText())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        String text = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
        JsonNode r;
        try {
            r = JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("tx " + txHash + " on " + chain + ": " + text, e);
        }
        if (r.has("error")) throw new AssertionError("tx " + txHash + " on " + chain + ": " + r.get("error"));
        for (JsonNode e : r.get("result").get("tx_result").get("events")) {
            if (!e.get("type").asText().equals("tx")) continue;
            for (JsonNode a : e.get("attributes")) {
                if (!a.get("key").asText().equals("fee")) continue;
                BigInteger total = BigInteger.ZERO;
                for (String coin : a.get("value").asText().split(",")) {
                    if (coin.endsWith(denom) && coin.substring(0, coin.length() - denom.length()).matches("[0-9]+")) {
                        total = total.add(new BigInteger(coin.substring(0, coin.length() - denom.length())));
                    }
                }
                return total;
            }
        }
        throw new AssertionError("tx " + txHash + " on " + chain + " has no fee event: " + r);
    }
}
