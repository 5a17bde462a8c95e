package io.evmore.app.chains;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.secrets.RelayerKeys;
import io.evmore.core.chain.ChainId;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.DevnetMain;
import io.evmore.devnet.TestAccount;
import io.evmore.devnet.ethereum.HardhatNode;
import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.wasmd.WasmdChain;
import io.evmore.devnet.wasmd.WasmdIbcNetwork;
import io.evmore.ethereum.DevToken;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.ethereum.HtlcDeployer;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The complete local world, built in one place for {@code ./evmore devnet}, {@code ./evmore demo} and
 * {@code localChains.enabled}: a Hardhat node with the HTLC contract and the mintable {@link DevToken} deployed,
 * Hardhat's development accounts 0..9 holding ETH and {@value #TOKEN_FUNDING_WHOLE} DEV each (account 0 is the
 * relayer's), and the Cosmos devnet (devnet-a ↔ devnet-b ↔ devnet-c, accounts alice, bob, carol and relayer) — or,
 * with {@link #startReal}, in the devnet's place three real wasmd nodes with packet-forward middleware and IBC hooks
 * (the same chain ids, denoms and accounts; prefix {@code wasm} on all three) whose channels Hermes created and relays.
 *
 * <p>devnet-a is the relayer's home chain. A devnet chain without a channel to it (devnet-c) is a multi-hop
 * destination: counter-locks reach it as one ICS-20 transfer of devnet-a's denom forwarded by the chains between
 * (packet-forward), creating the HTLC there through IBC hooks; each hop times out after {@value #HOP_TIMEOUT_SECONDS} s.
 *
 * <p>Swap pairs of the local world (one per source asset and destination, as the validator requires):
 * <ul>
 *   <li>native ETH → each devnet denom: 1 ETH = 100 whole units; 0.001–10 ETH (on a multi-hop destination the denom is
 *       devnet-a's, as its {@code ibc/…} voucher there)</li>
 *   <li>DEV (ERC-20) → each devnet denom: 1 DEV = 2 whole units; 0.1–10000 DEV</li>
 *   <li>each devnet denom → native ETH: 100 whole units = 1 ETH; 0.1–1000 units</li>
 * </ul>
 * all with a 0.3 % fee. Every key here is a public development key of throwaway chains.
 */
public final class LocalWorld implements AutoCloseable {
    public static final int FEE_BPS = 30;
    public static final String ETH_TO_DENOM_RATE = "0.0000000001";
    public static final String TOKEN_TO_DENOM_RATE = "0.000000000002";
    public static final String DENOM_TO_ETH_RATE = "10000000000";
    public static final long TOKEN_FUNDING_WHOLE = 1_000_000;
    /** Timelock parameters of local chains (SPEC §3): short, so a swap and a refund can be tried in minutes. */
    public static final RelayerConfig.Timelocks TIMELOCKS = new RelayerConfig.Timelocks(2, 30, 60);
    static final int ETH_CLAIM_INCLUSION_SECONDS = 20;
    static final int COSMOS_CLAIM_INCLUSION_SECONDS = 10;
    /** Packet timeout of each hop of a local multi-hop route (H = hops × this). */
    public static final int HOP_TIMEOUT_SECONDS = 60;

    /** A funded Hardhat development account. */
    public record EthAccount(String name, int index, String address, String privateKey) {
        @Override
        public String toString() {
            return "EthAccount[" + name + ", " + address + "]"; // never the key
        }
    }

    /** One end of an ICS-20 channel ({@code transfer} port) on a Cosmos chain of this world. */
    public record ChannelEnd(String channelId, String connectionId, String counterpartyChainId, String counterpartyChannelId) {}

    /** A Cosmos chain of this world, devnet or real. */
    public record CosmosChain(String chainId, String prefix, String denom, java.math.BigDecimal minGasPrice, long revisionNumber,
            List<String> rpcUrls, List<String> websocketUrls, String htlcContract, List<ChannelEnd> channels) {
        public String rpcUrl() {
            return rpcUrls.getFirst();
        }

        public Optional<ChannelEnd> channelTo(String chainId) {
            return channels.stream().filter(c -> c.counterpartyChainId().equals(chainId)).findFirst();
        }
    }

    private final HardhatNode hardhat;
    private final Devnet devnet;
    private final WasmdIbcNetwork real;
    private final List<CosmosChain> cosmos;
    private final List<TestAccount> accounts;
    private final ChainId eth;
    private final String htlc;
    private final String token;
    private final Duration blockInterval;

    private LocalWorld(HardhatNode hardhat, Devnet devnet, WasmdIbcNetwork real, String htlc, String token, Duration blockInterval) {
        this.hardhat = hardhat;
        this.devnet = devnet;
        this.real = real;
        this.eth = ChainId.evm(hardhat.chainId());
        this.htlc = htlc;
        this.token = token;
        this.blockInterval = blockInterval;
        List<CosmosChain> chains = new ArrayList<>();
        if (devnet != null) {
            for (DevnetChain c : devnet.chains()) {
                chains.add(new CosmosChain(c.chainId(), c.prefix(), c.denom(), c.spec().minGasPrice(), c.spec().revisionNumber(),
                        c.endpoints().stream().map(e -> e.url()).toList(), c.endpoints().stream().map(e -> e.websocketUrl()).toList(),
                        c.htlcContractAddress(), c.channels().stream().map(ch -> new ChannelEnd(ch.channelId(), ch.connectionId(),
                                ch.counterpartyChainId(), ch.counterpartyChannelId())).toList()));
            }
            this.accounts = devnet.accounts();
        } else {
            for (WasmdChain c : real.chains()) {
                chains.add(new CosmosChain(c.chainId(), c.prefix(), c.denom(), c.minGasPrice(), 0, List.of(c.rpcUrl()),
                        List.of(c.websocketUrl()), c.htlcContractAddress(), real.channels(c.chainId()).stream()
                                .map(ch -> new ChannelEnd(ch.channelId(), ch.connectionId(), ch.counterpartyChainId(),
                                        ch.counterpartyChannelId())).toList()));
            }
            this.accounts = real.chains().getFirst().accounts().stream().filter(a -> !a.name().equals(WasmdChain.VALIDATOR)).toList();
        }
        this.cosmos = List.copyOf(chains);
    }

    /**
     * Starts Hardhat (HTLC + DEV token deployed, accounts funded) and the Cosmos devnet; progress lines go to {@code out}.
     * Nothing is written to disk: see {@link #writeDescription(Path)} and {@link #writeRelayerConfig(Path, int)}.
     */
    public static LocalWorld start(Duration blockInterval, int endpointsPerChain, PrintStream out) {
        // The Cosmos devnet (this JVM) boots on its own thread while Hardhat (a Node.js child) starts and gets its contracts.
        java.util.concurrent.CompletableFuture<Devnet> cosmos = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> DevnetMain.start(blockInterval, endpointsPerChain, out),
                r -> Thread.ofPlatform().name("devnet-start").daemon().start(r));
        return start(blockInterval, out, cosmos.thenApply(d -> new Object[] {d, null}), () -> cosmos.handle((d, err) -> {
            if (d != null) d.close();
            return null;
        }).join());
    }

    /**
     * As {@link #start}, with real Cosmos chains in the devnet's place: three wasmd nodes (packet-forward middleware and
     * IBC hooks) devnet-a ↔ devnet-b ↔ devnet-c, channels created by Hermes, {@code hermes start} relaying (the tools
     * of {@code scripts/wasmd.sh}). Their blocks come every ~0.2 s whatever {@code blockInterval} says; it sets
     * Hardhat's interval and the relayer's block times.
     */
    public static LocalWorld startReal(Duration blockInterval, PrintStream out) {
        java.util.concurrent.CompletableFuture<WasmdIbcNetwork> cosmos = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            WasmdIbcNetwork n = WasmdIbcNetwork.startLine();
            for (WasmdChain c : n.chains()) {
                out.println("cosmos: " + c.chainId() + " (real wasmd, pid " + c.nodePid() + ") RPC " + c.rpcUrl() + " HTLC "
                        + c.htlcContractAddress() + " channels " + n.channels(c.chainId()).stream()
                        .map(ch -> ch.channelId() + "->" + ch.counterpartyChainId()).toList());
            }
            out.println("cosmos: hermes (pid " + n.hermes().pid() + ") relaying; the real chains were ready in "
                    + (System.nanoTime() - t0) / 1_000_000_000 + " s");
            return n;
        }, r -> Thread.ofPlatform().name("wasmd-start").daemon().start(r));
        return start(blockInterval, out, cosmos.thenApply(n -> new Object[] {null, n}), () -> cosmos.handle((n, err) -> {
            if (n != null) n.close();
            return null;
        }).join());
    }

    private static LocalWorld start(Duration blockInterval, PrintStream out, java.util.concurrent.CompletableFuture<Object[]> cosmos,
            Runnable closeCosmos) {
        HardhatNode hardhat = null;
        try {
            hardhat = HardhatNode.start();
            ChainId eth = ChainId.evm(hardhat.chainId());
            String relayerKey = hardhat.devPrivateKeys().get(0);
            // Deploy and mint while automine is on (each transaction is mined at once), then switch to interval mining.
            String htlc = HtlcDeployer.deploy(eth, hardhat.url(), relayerKey);
            String token;
            try (DevToken dev = DevToken.deploy(eth, hardhat.url(), relayerKey)) {
                dev.mint(hardhat.devAddresses(), BigInteger.valueOf(TOKEN_FUNDING_WHOLE).multiply(BigInteger.TEN.pow(DevToken.DECIMALS)));
                token = dev.address();
            }
            // Not below 1 s: Hardhat gives every block a strictly later whole-second timestamp, so faster blocks would
            // make its clock run ahead of real time (and timelocks expire early).
            hardhat.setIntervalMining(Math.max(1000, blockInterval.toMillis()));
            out.println("ethereum: " + eth + " RPC " + hardhat.url() + " HTLC " + htlc + " DEV token " + token + "; accounts 0..9 hold "
                    + "10000 ETH and " + TOKEN_FUNDING_WHOLE + " DEV each (account 0 is the relayer's)");
            Object[] side = cosmos.join();
            return new LocalWorld(hardhat, (Devnet) side[0], (WasmdIbcNetwork) side[1], htlc, token, blockInterval);
        } catch (RuntimeException | Error e) {
            closeCosmos.run();
            if (hardhat != null) hardhat.close();
            throw e;
        }
    }

    public HardhatNode hardhat() {
        return hardhat;
    }

    /** The devnet, or null in a real world ({@link #real()}). */
    public Devnet devnet() {
        return devnet;
    }

    /** The real chains and Hermes, or null on the devnet. */
    public WasmdIbcNetwork real() {
        return real;
    }

    /** The Cosmos chains, devnet-a first. */
    public List<CosmosChain> cosmosChains() {
        return cosmos;
    }

    public CosmosChain cosmosChain(String chainId) {
        return cosmos.stream().filter(c -> c.chainId().equals(chainId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Cosmos chain " + chainId));
    }

    /** The address of a funded Cosmos account (alice, bob, carol, relayer) on a chain of this world. */
    public String cosmosAddress(String account, String chainId) {
        return account(account).address(cosmosChain(chainId).prefix());
    }

    private TestAccount account(String name) {
        return accounts.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no account " + name));
    }

    public ChainId ethereumChain() {
        return eth;
    }

    public String htlcContract() {
        return htlc;
    }

    /** The DEV token's address. */
    public String tokenAddress() {
        return token;
    }

    public List<EthAccount> ethAccounts() {
        List<EthAccount> out = new ArrayList<>();
        for (int i = 0; i < hardhat.devAddresses().size(); i++) {
            out.add(new EthAccount(i == 0 ? "relayer" : "user" + i, i, hardhat.devAddresses().get(i), hardhat.devPrivateKeys().get(i)));
        }
        return out;
    }

    /** The relayer's keys on the local chains: Hardhat account 0 and the devnet account "relayer". */
    public RelayerKeys relayerKeys() {
        return RelayerKeys.of(hardhat.devPrivateKeys().get(0), account("relayer").mnemonic());
    }

    private int blockSeconds() {
        return (int) Math.max(1, blockInterval.toSeconds());
    }

    /** The relayer's home chain: the devnet's first chain. */
    public CosmosChain home() {
        return cosmos.get(0);
    }

    /**
     * The route from the home chain to {@code chain} when it has no channel to it (the shortest path over the devnet's
     * channels), else null: a direct destination.
     */
    public RelayerConfig.Route routeTo(CosmosChain chain) {
        CosmosChain home = home();
        if (chain.chainId().equals(home.chainId()) || home.channelTo(chain.chainId()).isPresent()) return null;
        java.util.Map<String, String> previous = new java.util.HashMap<>();
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(home.chainId()));
        previous.put(home.chainId(), null);
        while (!queue.isEmpty()) {
            String at = queue.removeFirst();
            for (var ch : cosmosChain(at).channels()) {
                if (previous.containsKey(ch.counterpartyChainId())) continue;
                previous.put(ch.counterpartyChainId(), at);
                queue.addLast(ch.counterpartyChainId());
            }
        }
        if (!previous.containsKey(chain.chainId())) return null;
        List<RelayerConfig.Hop> hops = new ArrayList<>();
        for (String to = chain.chainId(); previous.get(to) != null; to = previous.get(to)) {
            CosmosChain from = cosmosChain(previous.get(to));
            var ch = from.channelTo(to).orElseThrow();
            hops.add(0, new RelayerConfig.Hop(to, cosmosChain(to).prefix(), "transfer", ch.channelId(), ch.counterpartyChannelId(),
                    HOP_TIMEOUT_SECONDS, 0));
        }
        return new RelayerConfig.Route(home.chainId(), home.denom(), hops);
    }

    /** What the relayer locks on {@code chain}: its denom, or the home denom's voucher on a multi-hop destination. */
    public String lockedDenom(CosmosChain chain) {
        RelayerConfig.Route r = routeTo(chain);
        return r == null ? chain.denom() : r.toIbcRoute(chain.chainId()).finalDenom(r.denom());
    }

    /** The relayer's {@code chains} section for this world. */
    public RelayerConfig.Chains chainsConfig() {
        List<RelayerConfig.Cosmos> cosmos = new ArrayList<>();
        for (CosmosChain c : this.cosmos) {
            cosmos.add(new RelayerConfig.Cosmos(c.chainId(), c.prefix(), c.denom(), List.of(c.rpcUrl()), c.htlcContract(), "0.025",
                    ConfigLoader.defaultCosmosPool(), 1, List.of(), blockSeconds(), COSMOS_CLAIM_INCLUSION_SECONDS, 0, routeTo(c)));
        }
        return new RelayerConfig.Chains(new RelayerConfig.Ethereum(eth.value(), List.of(hardhat.url()), htlc, 1,
                ConfigLoader.defaultEthereumPool(), List.of(), blockSeconds(), ETH_CLAIM_INCLUSION_SECONDS, 0), List.copyOf(cosmos));
    }

    /** The swap pairs of this world (see the class comment). */
    public List<RelayerConfig.PairConfig> pairs() {
        List<RelayerConfig.PairConfig> out = new ArrayList<>();
        for (CosmosChain c : cosmos) {
            String locked = lockedDenom(c);
            out.add(new RelayerConfig.PairConfig(eth.value(), HtlcAbi.NATIVE, c.chainId(), locked, ETH_TO_DENOM_RATE, FEE_BPS,
                    "1000000000000000", "10000000000000000000"));
            out.add(new RelayerConfig.PairConfig(eth.value(), token, c.chainId(), locked, TOKEN_TO_DENOM_RATE, FEE_BPS,
                    "100000000000000000", "10000000000000000000000"));
            out.add(new RelayerConfig.PairConfig(c.chainId(), c.denom(), eth.value(), HtlcAbi.NATIVE, DENOM_TO_ETH_RATE, FEE_BPS,
                    "100000", "1000000000"));
        }
        return List.copyOf(out);
    }

    /**
     * The {@code devnet.json} document: an {@code ethereum} section (chain id in CAIP-2 form, RPC and websocket URLs,
     * contract and token addresses, funded accounts with their private keys), the Cosmos devnet's {@code chains} and
     * {@code accounts} (as {@link DevnetMain#describe}), the {@code relayer}'s addresses and the multi-hop
     * {@code routes} (what the relayer's counter-lock holds on each such chain). See devnet/README.md.
     */
    public ObjectNode describe() {
        ObjectNode root = devnet != null ? DevnetMain.describe(devnet) : describeReal();
        ObjectNode e = root.objectNode();
        e.put("chain_id", eth.value()).put("rpc", hardhat.url()).put("websocket", hardhat.wsUrl())
                .put("block_interval_ms", blockInterval.toMillis()).put("htlc_contract", htlc);
        e.putObject("native").put("symbol", "ETH").put("decimals", 18).put("address", HtlcAbi.NATIVE);
        e.putArray("tokens").addObject().put("symbol", DevToken.SYMBOL).put("address", token).put("decimals", DevToken.DECIMALS)
                .put("mintable_by", hardhat.devAddresses().get(0));
        ArrayNode accounts = e.putArray("accounts");
        for (EthAccount a : ethAccounts()) {
            accounts.addObject().put("name", a.name()).put("index", a.index()).put("address", a.address()).put("private_key", a.privateKey());
        }
        // ethereum first: a reader sees the whole world in the order it was started
        ObjectNode ordered = root.objectNode();
        ordered.set("ethereum", e);
        ordered.setAll(root);
        ObjectNode relayer = ordered.putObject("relayer");
        relayer.put(eth.value(), hardhat.devAddresses().get(0));
        for (CosmosChain c : cosmos) relayer.put(c.chainId(), account("relayer").address(c.prefix()));
        ObjectNode routes = ordered.putObject("routes");
        for (CosmosChain c : cosmos) {
            RelayerConfig.Route r = routeTo(c);
            if (r == null) continue;
            ObjectNode o = routes.putObject(c.chainId()).put("from", r.from()).put("denom", r.denom()).put("arrives_as", lockedDenom(c));
            ArrayNode hops = o.putArray("hops");
            for (RelayerConfig.Hop h : r.hops()) {
                hops.addObject().put("chain_id", h.chainId()).put("channel", h.channel()).put("counterparty_channel", h.counterpartyChannel())
                        .put("timeout_seconds", h.timeoutSeconds());
            }
        }
        return ordered;
    }

    /** {@link DevnetMain#describe}'s {@code chains} and {@code accounts} for the real chains (the same shape). */
    private ObjectNode describeReal() {
        ObjectNode root = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        ArrayNode chains = root.putArray("chains");
        for (CosmosChain c : cosmos) {
            ObjectNode o = chains.addObject();
            o.put("chain_id", c.chainId()).put("prefix", c.prefix()).put("denom", c.denom())
                    .put("min_gas_price", c.minGasPrice().toPlainString() + c.denom()).put("revision_number", c.revisionNumber())
                    .put("decimals", DevnetMain.COSMOS_DECIMALS);
            ArrayNode rpc = o.putArray("rpc");
            c.rpcUrls().forEach(rpc::add);
            ArrayNode ws = o.putArray("websocket");
            c.websocketUrls().forEach(ws::add);
            o.put("htlc_contract", c.htlcContract());
            ArrayNode chs = o.putArray("channels");
            for (ChannelEnd ch : c.channels()) {
                chs.addObject().put("channel_id", ch.channelId()).put("port_id", Channel.PORT).put("connection_id", ch.connectionId())
                        .put("counterparty_chain_id", ch.counterpartyChainId()).put("counterparty_channel_id", ch.counterpartyChannelId());
            }
        }
        ArrayNode accs = root.putArray("accounts");
        for (TestAccount a : accounts) {
            ObjectNode o = accs.addObject();
            o.put("name", a.name()).put("mnemonic", a.mnemonic()).put("hd_path", "m/44'/118'/0'/0/0");
            ObjectNode addrs = o.putObject("addresses");
            for (CosmosChain c : cosmos) addrs.put(c.chainId(), a.address(c.prefix()));
        }
        return root;
    }

    /** Writes DIR/devnet.json, owner-only (it holds keys). */
    public Path writeDescription(Path dir) throws IOException {
        Path file = dir.resolve("devnet.json");
        DevnetMain.writeOwnerOnly(file, describe().toPrettyString() + "\n");
        return file;
    }

    /**
     * Writes DIR/relayer.yaml — a complete relayer configuration for this world (development, HTTP on {@code port},
     * embedded database under DIR/data, secrets provider {@code file} reading DIR/secrets) — and the two secret files
     * DIR/secrets/ethereum-private-key and DIR/secrets/cosmos-mnemonic, owner-only.
     */
    public Path writeRelayerConfig(Path dir, int port) throws IOException {
        return writeRelayerConfig(dir, port, "info");
    }

    /** As {@link #writeRelayerConfig(Path, int)} with the relayer's log level (the demo keeps its own lines readable). */
    public Path writeRelayerConfig(Path dir, int port, String logLevel) throws IOException {
        Path abs = dir.toAbsolutePath();
        Path secrets = abs.resolve("secrets");
        Files.createDirectories(secrets);
        try {
            Files.setPosixFilePermissions(secrets, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
        DevnetMain.writeOwnerOnly(secrets.resolve(RelayerKeys.ETHEREUM_PRIVATE_KEY), hardhat.devPrivateKeys().get(0) + "\n");
        DevnetMain.writeOwnerOnly(secrets.resolve(RelayerKeys.COSMOS_MNEMONIC), account("relayer").mnemonic() + "\n");
        Path file = abs.resolve("relayer.yaml");
        Files.writeString(file, relayerYaml(abs, port, logLevel));
        return file;
    }

    String relayerYaml(Path dir, int port, String logLevel) {
        RelayerConfig.Chains chains = chainsConfig();
        RelayerConfig.Ethereum e = chains.ethereum();
        StringBuilder y = new StringBuilder();
        y.append("# EVMore relayer for the local world started by `./evmore devnet` (written by it; see DIR/devnet.json).\n");
        y.append("# Run it with: ./evmore run --config ").append(dir.resolve("relayer.yaml")).append("\n");
        y.append("environment: development\nlogLevel: ").append(logLevel).append("\n");
        y.append("http:\n  host: 127.0.0.1\n  port: ").append(port).append("\n");
        y.append("admin:\n  token: \"\"                 # empty: a random token is written to ").append(dir.resolve("data/admin.token")).append("\n");
        y.append("database:\n  url: \"\"\n  path: ").append(quote(dir.resolve("data/evmore.db").toString())).append("\n");
        y.append("chains:\n  ethereum:\n");
        y.append("    chainId: ").append(quote(e.chainId())).append("\n");
        y.append("    rpcUrls: [").append(quote(e.rpcUrls().get(0))).append("]\n");
        y.append("    htlcContract: ").append(quote(e.htlcContract())).append("\n");
        y.append("    confirmations: ").append(e.confirmations()).append("\n");
        y.append("    blockTimeSeconds: ").append(e.blockTimeSeconds()).append("\n");
        y.append("    claimInclusionSeconds: ").append(e.claimInclusionSeconds()).append("\n");
        y.append("    startBlock: ").append(e.startBlock()).append("\n");
        y.append("  cosmos:\n");
        for (RelayerConfig.Cosmos c : chains.cosmos()) {
            y.append("    - chainId: ").append(c.chainId()).append("\n");
            y.append("      prefix: ").append(c.prefix()).append("\n");
            y.append("      denom: ").append(c.denom()).append("\n");
            y.append("      rpcUrls: [").append(quote(c.rpcUrls().get(0))).append("]\n");
            y.append("      htlcContract: ").append(c.htlcContract()).append("\n");
            y.append("      gasPrice: ").append(quote(c.gasPrice())).append("\n");
            y.append("      confirmations: ").append(c.confirmations()).append("\n");
            y.append("      blockTimeSeconds: ").append(c.blockTimeSeconds()).append("\n");
            y.append("      claimInclusionSeconds: ").append(c.claimInclusionSeconds()).append("\n");
            y.append("      startHeight: ").append(c.startHeight()).append("\n");
            if (c.route() != null) {
                y.append("      route:        # counter-locks arrive over IBC: one transfer from ").append(c.route().from()).append("\n");
                y.append("        from: ").append(c.route().from()).append("\n");
                y.append("        denom: ").append(c.route().denom()).append("\n");
                y.append("        hops:\n");
                for (RelayerConfig.Hop h : c.route().hops()) {
                    y.append("          - {chainId: ").append(h.chainId()).append(", prefix: ").append(h.prefix()).append(", port: ")
                            .append(h.port()).append(", channel: ").append(h.channel()).append(", counterpartyChannel: ")
                            .append(h.counterpartyChannel()).append(", timeoutSeconds: ").append(h.timeoutSeconds())
                            .append(", retries: ").append(h.retries()).append("}\n");
                }
            }
        }
        y.append("swaps:\n  timelocks:\n");
        y.append("    pollDelaySeconds: ").append(TIMELOCKS.pollDelaySeconds()).append("\n");
        y.append("    safetyMarginSeconds: ").append(TIMELOCKS.safetyMarginSeconds()).append("\n");
        y.append("    userClaimWindowSeconds: ").append(TIMELOCKS.userClaimWindowSeconds()).append("\n");
        y.append("  pairs:      # amounts in base units; rate = destination base units per source base unit\n");
        for (RelayerConfig.PairConfig p : pairs()) {
            y.append("    - {from: ").append(quote(p.from())).append(", fromAsset: ").append(quote(p.fromAsset()))
                    .append(", to: ").append(quote(p.to())).append(", toAsset: ").append(quote(p.toAsset()))
                    .append(", rate: ").append(quote(p.rate())).append(", feeBps: ").append(p.feeBps())
                    .append(", minAmount: ").append(quote(p.minAmount())).append(", maxAmount: ").append(quote(p.maxAmount())).append("}\n");
        }
        y.append("secrets:\n  provider: file\n  dir: ").append(quote(dir.resolve("secrets").toString())).append("\n");
        return y.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        try {
            if (devnet != null) devnet.close();
            if (real != null) real.close();
        } finally {
            hardhat.close();
        }
    }
}
