package io.evmore.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.Hashlock;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.wasmd.WasmdChain;
import io.evmore.devnet.wasmd.WasmdIbcNetwork;
import io.evmore.devnet.wasmd.WasmdNetwork;
import io.evmore.devnet.ethereum.HardhatNode;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.ethereum.HtlcDeployer;
import io.evmore.pool.Endpoint;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end-to-end world: a real Hardhat node and the Cosmos devnet in the test JVM, and the relayer as a separate
 * process configured for them (like an operator would: chains, pairs, keys in the environment). Chains outlive the
 * relayer, so a test can SIGKILL and restart it.
 *
 * <p>Accounts: the relayer signs with Hardhat key 0 and the devnet account "relayer"; users are Hardhat keys 1–9 and
 * the devnet accounts alice, bob and carol.
 *
 * <p>The Cosmos side is chosen by the system property {@value #COSMOS_CHAIN_PROPERTY}: {@code devnet} (default, the
 * in-JVM devnet-a ↔ devnet-b ↔ devnet-c) or {@code wasmd}: one real wasmd chain, {@value #WASMD_CHAIN}, replaces
 * devnet-a (prefix {@code wasm}, denom {@code stake}, the same deterministic accounts funded in genesis, the project's
 * compiled contract instantiated); {@link #chainA()} names whichever is in use.
 */
public final class SwapWorld implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String TOKEN = "e2e-admin-token-5f1c9a2b";
    /** 1 ETH (10^18 wei) = 100 whole units (10^8 base units) of a devnet denom; fee 0.3 %. */
    public static final BigDecimal ETH_TO_DENOM = new BigDecimal("0.0000000001");
    public static final BigDecimal DENOM_TO_ETH = new BigDecimal("10000000000");
    public static final int FEE_BPS = 30;
    public static final int USER_WINDOW = 60;
    public static final int MARGIN = 30;
    public static final int POLL = 2;
    public static final int ETH_CLAIM_INCLUSION = 20;
    public static final int COSMOS_CLAIM_INCLUSION = 10;
    public static final int ETH_CONFIRMATIONS = 2;

    /** Multi-hop worlds: each hop's packet timeout (H = 2 hops × 60 s). */
    public static final int HOP_TIMEOUT = 60;

    public static final String COSMOS_CHAIN_PROPERTY = "cosmos.chain";
    public static final String WASMD_CHAIN = "wasmd-a";

    /** A Cosmos chain of this world, devnet or wasmd. */
    record CosmosChain(String chainId, String prefix, String denom, String rpcUrl, String contract) {}

    public final HardhatNode hardhat;
    /** The devnet, or null when the Cosmos side is wasmd. */
    public final Devnet devnet;
    /** The wasmd chain, or null when the Cosmos side is the devnet. */
    public final WasmdNetwork wasmd;
    /**
     * The real multi-hop world, or null: three patched wasmd nodes devnet-a ↔ devnet-b ↔ devnet-c (packet-forward and
     * IBC hooks, prefix {@code wasm}, denoms stake/uosmo/ujuno) relayed by Hermes, in the devnet's place.
     */
    public final WasmdIbcNetwork ibc;
    private final List<CosmosChain> cosmos;
    public final ChainId eth;
    public final String htlc;
    public final Path dir;
    private final Path config;
    private final int port;
    private RelayerProcess relayer;
    private final List<String> logs = new ArrayList<>();
    /** Whether devnet-c is served over IBC from devnet-a (two hops through devnet-b) instead of directly. */
    public final boolean multiHop;
    /**
     * Each hop's packet timeout in relayer.yaml: {@link #HOP_TIMEOUT} on the devnet; 30 s on real chains, where a
     * timeout can only be waited for (their clocks cannot be moved) and Hermes relays a hop in a few seconds.
     */
    public final int hopTimeout;

    private SwapWorld(HardhatNode hardhat, Devnet devnet, WasmdNetwork wasmd, WasmdIbcNetwork ibc, String htlc, Path dir,
            boolean multiHop) throws IOException {
        this.multiHop = multiHop;
        this.hardhat = hardhat;
        this.devnet = devnet;
        this.wasmd = wasmd;
        this.ibc = ibc;
        this.hopTimeout = ibc != null ? 30 : HOP_TIMEOUT;
        this.cosmos = devnet != null
                ? devnet.chains().stream().map(c -> new CosmosChain(c.chainId(), c.prefix(), c.denom(), c.rpcUrl(),
                        c.htlcContractAddress())).toList()
                : (ibc != null ? ibc.chains() : wasmd.chains()).stream().map(c -> new CosmosChain(c.chainId(), c.prefix(),
                        c.denom(), c.rpcUrl(), c.htlcContractAddress())).toList();
        this.eth = ChainId.evm(hardhat.chainId());
        this.htlc = htlc;
        this.dir = dir;
        this.port = RelayerProcess.freePort();
        this.config = dir.resolve("relayer.yaml");
        Files.writeString(config, relayerYaml());
    }

    /** The Cosmos side named by {@value #COSMOS_CHAIN_PROPERTY} (devnet unless told). */
    public static SwapWorld start(Path dir) throws Exception {
        String side = System.getProperty(COSMOS_CHAIN_PROPERTY, "devnet");
        return switch (side) {
            case "devnet" -> start(dir, false);
            case "wasmd" -> start(dir, true);
            default -> throw new IllegalArgumentException("-D" + COSMOS_CHAIN_PROPERTY + " must be devnet or wasmd, got " + side);
        };
    }

    public static SwapWorld start(Path dir, boolean onWasmd) throws Exception {
        return start(dir, onWasmd, false);
    }

    /**
     * The devnet world where devnet-c is a multi-hop destination: counter-locks to it are ICS-20 transfers of stake
     * from devnet-a over devnet-b (packet-forward), creating the HTLC on devnet-c through IBC hooks.
     */
    public static SwapWorld startMultiHop(Path dir) throws Exception {
        return start(dir, false, true, false);
    }

    /** The same multi-hop world on real chains: three patched wasmd nodes relayed by Hermes ({@link #ibc}). */
    public static SwapWorld startRealMultiHop(Path dir) throws Exception {
        return start(dir, false, true, true);
    }

    private static SwapWorld start(Path dir, boolean onWasmd, boolean multiHop) throws Exception {
        return start(dir, onWasmd, multiHop, false);
    }

    private static SwapWorld start(Path dir, boolean onWasmd, boolean multiHop, boolean real) throws Exception {
        HardhatNode hardhat = HardhatNode.start();
        Devnet devnet = null;
        WasmdNetwork wasmd = null;
        WasmdIbcNetwork ibc = null;
        try {
            // 1 s: Hardhat gives every block a strictly later whole-second timestamp, so faster blocks make its clock run ahead
            hardhat.setIntervalMining(1000);
            String htlc = HtlcDeployer.deploy(ChainId.evm(hardhat.chainId()), hardhat.url(), hardhat.devPrivateKeys().get(0));
            if (real) {
                ibc = WasmdIbcNetwork.startLine();
            } else if (onWasmd) {
                wasmd = WasmdNetwork.start(WASMD_CHAIN);
            } else {
                devnet = Devnet.defaultTopology().blockInterval(Duration.ofMillis(500)).start();
            }
            return new SwapWorld(hardhat, devnet, wasmd, ibc, htlc, dir, multiHop);
        } catch (Exception | Error e) {
            if (devnet != null) devnet.close();
            if (wasmd != null) wasmd.close();
            if (ibc != null) ibc.close();
            hardhat.close();
            throw e;
        }
    }

    /** The bech32 prefix of a Cosmos chain of this world. */
    public String prefix(String chainId) {
        return cosmosChain(chainId).prefix();
    }

    /** The native denom of a Cosmos chain of this world. */
    public String denom(String chainId) {
        return cosmosChain(chainId).denom();
    }

    /** The chain the direct-swap tests use: devnet-a, or its wasmd replacement. */
    public String chainA() {
        return cosmos.getFirst().chainId();
    }

    private CosmosChain cosmosChain(String chainId) {
        return cosmos.stream().filter(c -> c.chainId().equals(chainId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Cosmos chain " + chainId + " in this world"));
    }

    private String mnemonic(String account) {
        if (devnet != null) return devnet.account(account).mnemonic();
        return (ibc != null ? ibc.chains() : wasmd.chains()).getFirst().account(account).mnemonic();
    }

    private String relayerYaml() {
        StringBuilder y = new StringBuilder();
        y.append("environment: test\n");
        y.append("http: {host: 127.0.0.1, port: ").append(port).append("}\n");
        y.append("database: {path: ").append(dir.resolve("data/evmore.db")).append("}\n");
        y.append("chains:\n  ethereum:\n");
        y.append("    chainId: \"").append(eth).append("\"\n");
        y.append("    rpcUrls: [\"").append(hardhat.url()).append("\"]\n");
        y.append("    htlcContract: \"").append(htlc).append("\"\n");
        y.append("    confirmations: ").append(ETH_CONFIRMATIONS).append("\n");
        y.append("    blockTimeSeconds: 1\n    claimInclusionSeconds: ").append(ETH_CLAIM_INCLUSION).append("\n    startBlock: 0\n");
        y.append("  cosmos:\n");
        for (CosmosChain c : cosmos) {
            y.append("    - {chainId: ").append(c.chainId()).append(", prefix: ").append(c.prefix()).append(", denom: ").append(c.denom())
                    .append(", rpcUrls: [\"").append(c.rpcUrl()).append("\"], htlcContract: ").append(c.contract())
                    .append(", blockTimeSeconds: 1, claimInclusionSeconds: ").append(COSMOS_CLAIM_INCLUSION);
            if (multiHop && c.chainId().equals("devnet-c")) {
                y.append(",\n       route: {from: devnet-a, denom: stake, hops: [");
                y.append("{chainId: devnet-b, prefix: ").append(prefix("devnet-b")).append(", channel: ").append(channel("devnet-a", "devnet-b")).append(", counterpartyChannel: ")
                        .append(channel("devnet-b", "devnet-a")).append(", timeoutSeconds: ").append(hopTimeout).append(", retries: 0}, ");
                y.append("{chainId: devnet-c, prefix: ").append(prefix("devnet-c")).append(", channel: ").append(channel("devnet-b", "devnet-c")).append(", counterpartyChannel: ")
                        .append(channel("devnet-c", "devnet-b")).append(", timeoutSeconds: ").append(hopTimeout).append(", retries: 0}]}");
            }
            y.append("}\n");
        }
        y.append("swaps:\n  timelocks: {pollDelaySeconds: ").append(POLL).append(", safetyMarginSeconds: ").append(MARGIN)
                .append(", userClaimWindowSeconds: ").append(USER_WINDOW).append("}\n  pairs:\n");
        for (CosmosChain c : cosmos) {
            // devnet-b pays 10^6 times more per wei: 1 ETH asks 10^14 uosmo, more than the relayer holds there (an inventory test)
            BigDecimal rate = c.chainId().equals("devnet-b") ? ETH_TO_DENOM.scaleByPowerOfTen(6) : ETH_TO_DENOM;
            String toAsset = multiHop && c.chainId().equals("devnet-c") ? routedStakeOnC() : c.denom();
            y.append("    - {from: \"").append(eth).append("\", fromAsset: \"").append(HtlcAbi.NATIVE).append("\", to: ").append(c.chainId())
                    .append(", toAsset: \"").append(toAsset).append("\"").append(", rate: \"").append(rate.toPlainString())
                    .append("\", feeBps: ").append(FEE_BPS).append(", minAmount: \"1000000000000000\", maxAmount: \"10000000000000000000\"}\n");
            y.append("    - {from: ").append(c.chainId()).append(", fromAsset: ").append(c.denom()).append(", to: \"").append(eth)
                    .append("\", toAsset: \"").append(HtlcAbi.NATIVE).append("\", rate: \"").append(DENOM_TO_ETH.toPlainString())
                    .append("\", feeBps: ").append(FEE_BPS).append(", minAmount: \"100000\", maxAmount: \"1000000000\"}\n");
        }
        return y.toString();
    }

    /** The relayer configuration this world writes (keys not included: those come from the environment or a provider). */
    public String relayerConfigText() {
        return relayerYaml();
    }

    /** The devnet channel on {@code from} whose other end is on {@code to}. */
    public String channel(String from, String to) {
        if (ibc != null) return ibc.channel(from, to);
        return devnet.chain(from).channelTo(to).orElseThrow(() -> new IllegalStateException("no channel " + from + " -> " + to)).channelId();
    }

    /** devnet-a's stake as it arrives on devnet-c over devnet-b: ibc/ + sha256 of its trace, computed here from ICS-20's rule. */
    public String routedStakeOnC() {
        return voucher("transfer/" + channel("devnet-c", "devnet-b") + "/transfer/" + channel("devnet-b", "devnet-a") + "/stake");
    }

    /** devnet-a's stake as it arrives on devnet-b. */
    public String routedStakeOnB() {
        return voucher("transfer/" + channel("devnet-b", "devnet-a") + "/stake");
    }

    static String voucher(String trace) {
        try {
            return "ibc/" + java.util.HexFormat.of().withUpperCase().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(trace.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts (or restarts) the relayer process on the same database and keys; waits until /health is 200. */
    public RelayerProcess startRelayer() throws Exception {
        relayer = launch(Map.of());
        if (!relayer.awaitHealthy(Duration.ofSeconds(90))) {
            throw new AssertionError("relayer did not become healthy:\n" + relayer.output());
        }
        return relayer;
    }

    /**
     * Starts (or restarts) the relayer with this world's configuration changed by {@code edit} (tracing on, an endpoint
     * behind a proxy, …), written over relayer.yaml for this and later starts; waits until /health is 200.
     */
    public RelayerProcess startRelayer(java.util.function.UnaryOperator<String> edit) throws Exception {
        Files.writeString(config, edit.apply(relayerYaml()));
        return startRelayer();
    }

    /** Starts the relayer with extra environment (e.g. a test halt point); does not wait, since it may stop itself. */
    public RelayerProcess startRelayerAllowingExit(Map<String, String> extraEnv) throws Exception {
        relayer = launch(extraEnv);
        return relayer;
    }

    private RelayerProcess launch(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(relayerEnv());
        env.putAll(extraEnv);
        return RelayerProcess.start(dir, port, env, "run", "--config", config.toString());
    }

    /** What every relayer process of this world gets: the admin token, the project root and the relayer's keys. */
    private Map<String, String> relayerEnv() {
        return Map.of("ADMIN_TOKEN", TOKEN, "EVMORE_ROOT", Path.of("").toAbsolutePath().getParent().toString(),
                "ETHEREUM_PRIVATE_KEY", hardhat.devPrivateKeys().get(0), "COSMOS_MNEMONIC", mnemonic("relayer"));
    }

    /** A second relayer process on the same database and keys (it must refuse to run). */
    public RelayerProcess startSecondRelayer(int otherPort) throws Exception {
        Path other = dir.resolve("relayer-second.yaml");
        Files.writeString(other, relayerYaml().replace("port: " + port + "}", "port: " + otherPort + "}"));
        return RelayerProcess.start(dir, otherPort, relayerEnv(), "run", "--config", other.toString());
    }

    /**
     * Another relayer process on its own port and database, with this world's configuration changed by {@code edit}
     * (e.g. a route that contradicts the chains); does not wait for it to be healthy.
     */
    public RelayerProcess startRelayerVariant(int otherPort, java.util.function.UnaryOperator<String> edit) throws Exception {
        return startRelayerVariant(otherPort, Map.of(), edit);
    }

    /** As {@link #startRelayerVariant(int, java.util.function.UnaryOperator)} with more (or other) environment variables. */
    public RelayerProcess startRelayerVariant(int otherPort, Map<String, String> extraEnv, java.util.function.UnaryOperator<String> edit)
            throws Exception {
        Path other = dir.resolve("relayer-variant-" + otherPort + ".yaml");
        Files.writeString(other, edit.apply(relayerYaml().replace("port: " + port + "}", "port: " + otherPort + "}")
                .replace(dir.resolve("data/evmore.db").toString(), dir.resolve("data-" + otherPort + "/evmore.db").toString())));
        Map<String, String> env = new java.util.HashMap<>(relayerEnv());
        env.putAll(extraEnv);
        return RelayerProcess.start(dir, otherPort, env, "run", "--config", other.toString());
    }

    /** SIGKILL: no shutdown hook, nothing flushed. */
    public void killRelayer() throws Exception {
        if (relayer != null) {
            logs.add(relayer.output());
            relayer.close();
            relayer.awaitExit(Duration.ofSeconds(10));
            relayer = null;
        }
    }

    public RelayerProcess relayer() {
        return relayer;
    }

    public String relayerOutput() throws IOException {
        return String.join("\n----- restart -----\n", logs) + (relayer == null ? "" : relayer.output());
    }

    public String relayerEthAddress() {
        return hardhat.devAddresses().get(0);
    }

    public String relayerAddress(String chainId) {
        return cosmosAddress(chainId, "relayer");
    }

    public EthereumUserChain ethUser(int devIndex) {
        return ethUser(devIndex, htlc);
    }

    /** A user of Hardhat development account {@code devIndex} on the HTLC contract at {@code contract}. */
    public EthereumUserChain ethUser(int devIndex, String contract) {
        return new EthereumUserChain(EthereumSettings.of(eth, List.of(new Endpoint("rpc-0", hardhat.url())), contract)
                .withConfirmations(1).withPolling(Duration.ofMillis(200), 2_000).withReceiptTimeout(Duration.ofSeconds(60)),
                hardhat.devPrivateKeys().get(devIndex));
    }

    public CosmosUserChain cosmosUser(String chainId, String account) {
        CosmosChain c = cosmosChain(chainId);
        return new CosmosUserChain(CosmosSettings.of(ChainId.of(chainId), c.prefix(), c.denom(), List.of(c.rpcUrl()),
                new BigDecimal("0.025"), c.contract()), mnemonic(account));
    }

    public String cosmosAddress(String chainId, String account) {
        String prefix = cosmosChain(chainId).prefix();
        if (devnet != null) return devnet.account(account).address(prefix);
        return (ibc != null ? ibc.chain(chainId) : wasmd.chain(chainId)).account(account).address(prefix);
    }

    public BigInteger ethBalance(String address) {
        return new BigInteger(hardhat.rpc("eth_getBalance", address, "latest").asText().substring(2), 16);
    }

    public BigInteger cosmosBalance(String chainId, String address, String denom) {
        if (ibc != null) return ibc.chain(chainId).balance(address, denom);
        return devnet.chain(chainId).balance(address, denom);
    }

    /** The latest height of a Cosmos chain of this world. */
    public long cosmosHeight(String chainId) {
        if (devnet != null) return devnet.chain(chainId).height();
        return (ibc != null ? ibc.chain(chainId) : wasmd.chain(chainId)).height();
    }

    public BigInteger cosmosBalance(String chainId, String address) {
        if (devnet != null) {
            DevnetChain c = devnet.chain(chainId);
            return c.balance(address, c.denom());
        }
        WasmdChain c = ibc != null ? ibc.chain(chainId) : wasmd.chain(chainId);
        return c.balance(address, c.denom());
    }

    /** The relayer's record of the swap with this hashlock (GET /admin/swaps/{hashlock}), if any. */
    public Optional<JsonNode> swap(Hashlock h) throws Exception {
        HttpResponse<String> r = relayer.get("/admin/swaps/" + h.hex(), TOKEN);
        if (r.statusCode() == 404) return Optional.empty();
        if (r.statusCode() != 200) throw new AssertionError("GET /admin/swaps: " + r.statusCode() + " " + r.body());
        return Optional.of(JSON.readTree(r.body()));
    }

    /** Waits until the relayer's swap for {@code h} is in {@code state}; fails naming the state it is in. */
    public JsonNode awaitState(Hashlock h, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<JsonNode> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = swap(h);
            if (last.isPresent() && last.get().get("swap").get("state").asText().equals(state)) return last.get();
            Thread.sleep(200);
        }
        throw new AssertionError("swap " + h.hex() + " did not reach " + state + " in " + timeout + "; last: "
                + last.map(JsonNode::toPrettyString).orElse("not found") + "\nrelayer output:\n" + tail(relayerOutput()));
    }

    static String tail(String s) {
        return s.length() > 20_000 ? s.substring(s.length() - 20_000) : s;
    }

    public JsonNode metricsText() throws Exception {
        return JSON.getNodeFactory().textNode(relayer.get("/metrics", null).body());
    }

    @Override
    public void close() {
        try {
            killRelayer();
        } catch (Exception e) {
            // closing the chains matters more
        }
        if (devnet != null) devnet.close();
        if (wasmd != null) wasmd.close();
        if (ibc != null) ibc.close();
        hardhat.close();
    }
}
