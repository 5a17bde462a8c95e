package io.evmore.devnet.wasmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.devnet.TestAccount;
import io.evmore.devnet.process.ChildProcess;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real single-validator wasmd chain (wasmd 0.54: CometBFT 0.38, Cosmos SDK 0.50, wasmvm 2.2) in a temporary home:
 * {@code wasmd init}, the test accounts imported into a {@code test} keyring and funded in genesis, a gentx,
 * {@code collect-gentxs}, {@code timeout_commit} 200 ms and <b>every</b> listen address (RPC, P2P, gRPC, API, pprof,
 * ABCI proxy, metrics) moved to 127.0.0.1 on a free port; then started, and the project's contract stored and
 * instantiated by the validator with real transactions.
 *
 * <p>wasmd's bech32 prefix is fixed at build time: {@value #PREFIX}. The node runs as a {@link ChildProcess} (tied to
 * this JVM; nothing is ever killed by name); {@link #close()} stops it and deletes the home.
 */
public final class WasmdChain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WasmdChain.class);
    public static final String PREFIX = "wasm";
    public static final String VALIDATOR = "validator";
    public static final BigDecimal MIN_GAS_PRICE = new BigDecimal("0.025");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String ADDRESS_IN_USE = "address already in use";
    private static final Pattern LISTEN = Pattern.compile(
            "^(\\s*[A-Za-z0-9_-]+\\s*=\\s*\")(tcp://|unix://)?([A-Za-z0-9.\\-]*|\\[[0-9a-f:]*]):([0-9]{2,5})(\"\\s*)$");
    /** Ports handed out by this JVM: a port probed free is not handed out twice before its node binds it. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private final WasmdTools tools;
    private final String chainId;
    private final String denom;
    private final Path home;
    private final Map<String, TestAccount> accounts;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ChildProcess node;
    private long codeId;
    private String contract;
    private String instantiateTxHash;

    private WasmdChain(WasmdTools tools, String chainId, String denom, Path home, List<TestAccount> accounts) {
        this.tools = tools;
        this.chainId = chainId;
        this.denom = denom;
        this.home = home;
        Map<String, TestAccount> byName = new LinkedHashMap<>();
        for (TestAccount a : accounts) byName.put(a.name(), a);
        byName.putIfAbsent(VALIDATOR, new TestAccount(VALIDATOR, TestAccount.deterministic("wasmd-validator/" + chainId).key()));
        this.accounts = byName;
        this.node = ChildProcess.of("wasmd", List.of(tools.wasmd().toString(), "start", "--home", home.toString()),
                        home.resolve("wasmd.log"))
                .env("LD_LIBRARY_PATH", tools.libDir().toString())
                .env("HOME", home.toString()) // nothing written to the user's ~/.wasmd
                .build();
    }

    /**
     * Initialises, starts and deploys: {@code accounts} get {@code funding} of {@code denom} in genesis (the validator
     * too, and bonds a part of it). Throws with the setup hint when the tools are not built.
     */
    public static WasmdChain start(String chainId, String denom, List<TestAccount> accounts, BigInteger funding) {
        return start(WasmdTools.locate(), chainId, denom, accounts, funding);
    }

    /** As {@link #start(String, String, List, BigInteger)} with these tools (e.g. {@link WasmdTools#locateIbc()}'s). */
    public static WasmdChain start(WasmdTools tools, String chainId, String denom, List<TestAccount> accounts, BigInteger funding) {
        // A port is probed free, then bound by the node seconds later: another process (or an outgoing connection's
        // ephemeral port) can take it in between. The node then cannot listen; it is started again on new ports.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(tools, chainId, denom, accounts, funding);
            } catch (PortTaken e) {
                if (attempt >= START_ATTEMPTS) throw e.failure;
                log.warn("wasmd {}: {}; starting it again on other ports (attempt {} of {})", chainId, e.getMessage(),
                        attempt + 1, START_ATTEMPTS);
            }
        }
    }

    private static final int START_ATTEMPTS = 3;

    /** A start that failed because a port the node was given was taken before it bound it. */
    private static final class PortTaken extends RuntimeException {
        final IllegalStateException failure;

        PortTaken(String message, IllegalStateException failure) {
            super(message, null, false, false);
            this.failure = failure;
        }
    }

    private static WasmdChain startOnce(WasmdTools tools, String chainId, String denom, List<TestAccount> accounts, BigInteger funding) {
        Path home;
        try {
            home = Files.createTempDirectory("evmore-wasmd-" + chainId + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a home for wasmd", e);
        }
        WasmdChain chain = new WasmdChain(tools, chainId, denom, home, accounts);
        try {
            long t0 = System.nanoTime();
            chain.init(funding);
            long t1 = System.nanoTime();
            chain.launch();
            long t2 = System.nanoTime();
            chain.deployContract();
            log.info("wasmd {} ready: init {} ms, start {} ms, store+instantiate {} ms; rpc {} contract {}", chainId,
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000, chain.rpcUrl(),
                    chain.contract);
            return chain;
        } catch (RuntimeException | Error e) {
            chain.closeKeepingHome();
            String tail = chain.logTail();
            IllegalStateException failure = new IllegalStateException("wasmd chain " + chainId + " did not start (home kept: "
                    + home + "): " + e.getMessage() + "\n" + tail, e);
            if (tail.contains(ADDRESS_IN_USE)) throw new PortTaken("a port it was given was taken before it could listen", failure);
            throw failure;
        }
    }

    // ------------------------------------------------------------------------------------------ accessors

    public String chainId() {
        return chainId;
    }

    public String prefix() {
        return PREFIX;
    }

    public String denom() {
        return denom;
    }

    public BigDecimal minGasPrice() {
        return MIN_GAS_PRICE;
    }

    public String rpcUrl() {
        return "http://127.0.0.1:" + ports.get("rpc.laddr");
    }

    /** The gRPC endpoint ({@code app.toml [grpc] address}), as Hermes wants it. */
    public String grpcUrl() {
        Integer p = ports.get("grpc.address");
        if (p == null) throw new IllegalStateException("no [grpc] address in app.toml of " + chainId + ": " + ports.keySet());
        return "http://127.0.0.1:" + p;
    }

    public String websocketUrl() {
        return "ws://127.0.0.1:" + ports.get("rpc.laddr") + "/websocket";
    }

    /** Every listen address this node was given, by config key (file.section.key), all on 127.0.0.1. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public String htlcContractAddress() {
        return contract;
    }

    public long codeId() {
        return codeId;
    }

    /** Hash of the instantiate transaction (its {@code instantiate} event carries the contract address). */
    public String instantiateTxHash() {
        return instantiateTxHash;
    }

    public Path home() {
        return home;
    }

    public WasmdTools tools() {
        return tools;
    }

    public TestAccount account(String name) {
        TestAccount a = accounts.get(name);
        if (a == null) throw new IllegalArgumentException("no account " + name + " on " + chainId + "; have " + accounts.keySet());
        return a;
    }

    public List<TestAccount> accounts() {
        return List.copyOf(accounts.values());
    }

    public String address(String accountName) {
        return account(accountName).address(PREFIX);
    }

    public boolean isRunning() {
        return node.isAlive();
    }

    /** The wasmd process itself (not its sh wrapper). */
    public long nodePid() {
        return node.pidOf("wasmd");
    }

    /**
     * The local addresses ("ip:port", IPv4 or IPv6 as /proc/net shows them, hex) of every TCP socket the node listens
     * on, read from /proc (Linux).
     */
    public List<String> listeningAddresses() {
        long pid = nodePid();
        Set<String> inodes = new java.util.HashSet<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
            List<String> out = new ArrayList<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f[3].equals("0A") && inodes.contains(f[9])) out.add(f[1]);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sockets of pid " + pid, e);
        }
    }

    // ------------------------------------------------------------------------------------------ RPC and CLI

    /** GET {@code /path?query} on the CometBFT RPC; returns the whole JSON body. */
    public JsonNode rpcGet(String pathAndQuery) {
        return JSON.valueToTree(parse(httpGet(rpcUrl() + pathAndQuery).body()));
    }

    /** POST a JSON-RPC call; returns the whole JSON body (result or error). */
    public JsonNode rpcPost(String method, Map<String, Object> params) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("jsonrpc", "2.0");
        req.put("id", 1);
        req.put("method", method);
        req.put("params", params);
        try {
            return parse(httpPost(rpcUrl(), JSON.writeValueAsString(req)).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse<String> httpGet(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public HttpResponse<String> httpPost(String url, String body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public long height() {
        return rpcGet("/status").path("result").path("sync_info").path("latest_block_height").asLong();
    }

    /** Waits until the chain is past {@code height}. */
    public void awaitHeight(long height, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (height() > height) return;
            ChildProcess.pause(50);
        }
        throw new IllegalStateException(chainId + " did not pass height " + height + " in " + timeout);
    }

    /** The bank balance through {@code /cosmos.bank.v1beta1.Query/Balance} (ABCI query). */
    public BigInteger balance(String address, String denom) {
        byte[] req = QueryBalanceRequest.newBuilder().setAddress(address).setDenom(denom).build().toByteArray();
        JsonNode r = rpcGet("/abci_query?path=%22/cosmos.bank.v1beta1.Query/Balance%22&data=0x" + HexFormat.of().formatHex(req));
        JsonNode resp = r.path("result").path("response");
        if (resp.path("code").asInt() != 0) throw new IllegalStateException("balance query failed: " + resp);
        try {
            QueryBalanceResponse b = QueryBalanceResponse.parseFrom(Base64.getDecoder().decode(resp.path("value").asText()));
            return new BigInteger(b.getBalance().getAmount().isEmpty() ? "0" : b.getBalance().getAmount());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("bad balance answer: " + resp, e);
        }
    }

    /** The indexed tx (the {@code tx} RPC), once it is in a block; empty until then. */
    public Optional<JsonNode> tx(String hashHex) {
        JsonNode r = rpcGet("/tx?hash=0x" + hashHex);
        return r.has("result") ? Optional.of(r.get("result")) : Optional.empty();
    }

    public JsonNode awaitTx(String hashHex, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> t = tx(hashHex);
            if (t.isPresent()) return t.get();
            ChildProcess.pause(100);
        }
        throw new IllegalStateException("tx " + hashHex + " not included on " + chainId + " within " + timeout);
    }

    /**
     * Runs {@code wasmd} with these arguments against this node's home (and, for {@code tx}/{@code q} commands, its
     * RPC, chain id and test keyring); returns stdout. A non-zero exit throws with stderr.
     */
    public String cli(String... args) {
        return cliWithInput(null, args);
    }

    /** {@link #cli} with text on the command's stdin (e.g. a mnemonic for {@code keys add --recover}). */
    public String cliWithInput(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        String first = args.length > 0 ? args[0] : "";
        if (first.equals("tx") || first.equals("q") || first.equals("query")) {
            cmd.addAll(List.of("--node", "tcp://127.0.0.1:" + ports.get("rpc.laddr")));
        }
        if (first.equals("tx")) cmd.addAll(List.of("--chain-id", chainId, "--keyring-backend", "test"));
        return run(stdin, cmd);
    }

    /**
     * Signs and broadcasts with {@code wasmd tx … --from account} (the node's own client: an independent signer), waits
     * for inclusion and returns the indexed tx. A CheckTx refusal throws with its code and log.
     */
    public JsonNode cliTx(String from, long gas, String... args) {
        List<String> a = new ArrayList<>(List.of("tx"));
        a.addAll(List.of(args));
        a.addAll(List.of("--from", from, "--gas", Long.toString(gas), "--fees", fee(gas), "-y", "-o", "json",
                "-b", "sync"));
        JsonNode broadcast = parse(cli(a.toArray(String[]::new)));
        if (broadcast.path("code").asInt() != 0) {
            throw new IllegalStateException("wasmd tx refused: code " + broadcast.path("code") + " "
                    + broadcast.path("raw_log").asText(broadcast.path("log").asText()));
        }
        return awaitTx(broadcast.path("txhash").asText(), Duration.ofSeconds(30));
    }

    /** ceil(gas × min gas price) of the chain's denom. */
    public String fee(long gas) {
        return MIN_GAS_PRICE.multiply(BigDecimal.valueOf(gas)).setScale(0, RoundingMode.CEILING).toPlainString() + denom;
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    private void init(BigInteger funding) {
        run(null, List.of("init", "evmore-" + chainId, "--chain-id", chainId, "--default-denom", denom));
        for (TestAccount a : accounts.values()) {
            run(a.mnemonic() + "\n", List.of("keys", "add", a.name(), "--recover", "--keyring-backend", "test"));
            run(null, List.of("genesis", "add-genesis-account", a.address(PREFIX), funding + denom));
        }
        run(null, List.of("genesis", "gentx", VALIDATOR, funding.divide(BigInteger.TEN) + denom, "--chain-id", chainId,
                "--keyring-backend", "test"));
        run(null, List.of("genesis", "collect-gentxs"));
        rewriteConfig(home.resolve("config/config.toml"), "config", Map.of(
                "timeout_commit", "\"200ms\""));
        rewriteConfig(home.resolve("config/app.toml"), "app", Map.of(
                "minimum-gas-prices", "\"" + MIN_GAS_PRICE.toPlainString() + denom + "\""));
    }

    /** Moves every {@code key = "host:port"} to 127.0.0.1 on a free port and sets the given keys (first occurrence). */
    private void rewriteConfig(Path file, String name, Map<String, String> set) {
        try {
            List<String> out = new ArrayList<>();
            String section = "";
            Set<String> done = new java.util.HashSet<>();
            for (String line : Files.readAllLines(file)) {
                String t = line.trim();
                if (t.startsWith("[") && t.endsWith("]")) section = t.substring(1, t.length() - 1);
                Matcher m = LISTEN.matcher(line);
                if (m.matches() && !t.startsWith("#")) {
                    String key = line.substring(0, line.indexOf('=')).trim();
                    String fullKey = (section.isEmpty() ? name : section) + "." + key;
                    int port = portSource.applyAsInt(fullKey);
                    ports.put(fullKey, port);
                    String scheme = m.group(2) == null ? "" : m.group(2);
                    line = m.group(1) + scheme + "127.0.0.1:" + port + m.group(5);
                } else {
                    for (var e : set.entrySet()) {
                        if (t.startsWith(e.getKey() + " ") || t.startsWith(e.getKey() + "=")) {
                            if (done.add(e.getKey())) line = e.getKey() + " = " + e.getValue();
                        }
                    }
                }
                out.add(line);
            }
            if (!done.containsAll(set.keySet())) throw new IllegalStateException(file + " lacks one of " + set.keySet());
            Files.write(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
        if (name.equals("config") && !ports.containsKey("rpc.laddr")) {
            throw new IllegalStateException("no [rpc] laddr in " + file);
        }
    }

    private void launch() {
        node.start();
        node.awaitReady(START_TIMEOUT, "produce a block", left -> {
            // the wrapper outlives a node that could not listen: its log says so at once, no need to wait for a block
            if (logTail().contains(ADDRESS_IN_USE)) throw new IllegalStateException("wasmd could not listen: " + ADDRESS_IN_USE);
            return height() >= 1;
        }, () -> "");
    }

    private void deployContract() {
        JsonNode store = cliTx(VALIDATOR, 4_000_000, "wasm", "store", tools.wasm().toString());
        codeId = Long.parseLong(attribute(store, "store_code", "code_id").orElseThrow(
                () -> new IllegalStateException("no store_code.code_id in " + store)));
        JsonNode inst = cliTx(VALIDATOR, 500_000, "wasm", "instantiate", Long.toString(codeId), "{}", "--label",
                "evmore-htlc", "--no-admin");
        instantiateTxHash = inst.path("hash").asText();
        contract = attribute(inst, "instantiate", "_contract_address").orElseThrow(
                () -> new IllegalStateException("no instantiate._contract_address in " + inst));
    }

    /** The first value of {@code type.key} among the tx's events. */
    public static Optional<String> attribute(JsonNode indexedTx, String type, String key) {
        for (JsonNode e : indexedTx.path("tx_result").path("events")) {
            if (!e.path("type").asText().equals(type)) continue;
            for (JsonNode a : e.path("attributes")) {
                if (a.path("key").asText().equals(key)) return Optional.of(a.path("value").asText());
            }
        }
        return Optional.empty();
    }

    private String run(String stdin, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.wasmd().toString());
        cmd.addAll(args);
        cmd.addAll(List.of("--home", home.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        environment(pb);
        try {
            Path err = Files.createTempFile(home, "cli-", ".err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("wasmd " + String.join(" ", args) + " timed out");
            }
            String errText = Files.readString(err);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("wasmd " + redact(args) + " exited " + p.exitValue() + ": " + errText.strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("wasmd " + redact(args) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String redact(List<String> args) {
        return String.join(" ", args); // mnemonics only ever go through stdin
    }

    private void environment(ProcessBuilder pb) {
        pb.environment().put("LD_LIBRARY_PATH", tools.libDir().toString());
        pb.environment().put("HOME", home.toString()); // nothing written to the user's ~/.wasmd
    }

    public Path logFile() {
        return node.logFile();
    }

    String logTail() {
        return node.logTail(4000);
    }

    @Override
    public void close() {
        closeKeepingHome();
        deleteTree(home);
    }

    private void closeKeepingHome() {
        node.stop();
        ports.values().forEach(HANDED_OUT::remove);
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is in the temp folder
        }
    }

    /** The port for a config key such as {@code rpc.laddr} (tests hand out a taken one to check the restart). */
    static java.util.function.ToIntFunction<String> portSource = key -> probeFreePort();

    static int freePort() {
        return probeFreePort();
    }

    static int probeFreePort() {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port", e);
            }
        }
        throw new IllegalStateException("no free port");
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + (s.length() > 500 ? s.substring(0, 500) : s), e);
        }
    }

    static String urlQuote(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "WasmdChain[" + chainId + " " + (ports.isEmpty() ? "not started" : rpcUrl()) + "]";
    }
}
