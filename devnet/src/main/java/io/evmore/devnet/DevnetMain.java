package io.evmore.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.ibc.Channel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code evmore devnet --out DIR [--block-interval 1s] [--endpoints N]}: starts the default three-chain devnet,
 * funds the test accounts, writes DIR/devnet.json and runs until SIGINT/SIGTERM, printing blocks with txs and
 * relayed packets.
 */
public final class DevnetMain {
    /** Decimals of the devnet denoms (whole units = 10^6 base units, like most Cosmos coins). */
    public static final int COSMOS_DECIMALS = 6;

    private DevnetMain() {}

    public static void main(String[] args) throws Exception {
        int rc = run(args, System.out, System.err);
        if (rc != 0) {
            System.exit(rc); // a normal stop comes through the shutdown hook, which must not call exit again
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o;
        try {
            o = parse(args, out);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + " (try --help)");
            return 2;
        }
        if (o == null) {
            return 0; // --help
        }
        Devnet devnet = launch(o.dir(), o.interval(), o.endpoints(), out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("devnet: stopping");
            devnet.close();
            stopped.countDown();
        }, "devnet-shutdown"));
        stopped.await();
        return 0;
    }

    record Options(Path dir, Duration interval, int endpoints) {}

    /** The options, or null after printing the usage; a bad option is an IllegalArgumentException naming it. */
    static Options parse(String[] args, PrintStream out) {
        Path dir = null;
        Duration interval = Duration.ofSeconds(1);
        int endpoints = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--out" -> {
                    dir = Path.of(require(a, value));
                    i++;
                }
                case "--block-interval" -> {
                    interval = parseBlockInterval(require(a, value));
                    i++;
                }
                case "--endpoints" -> {
                    String v = require(a, value);
                    if (!v.matches("[1-9][0-9]?")) {
                        throw new IllegalArgumentException("--endpoints must be a number from 1 to 99, got '" + v + "'");
                    }
                    endpoints = Integer.parseInt(v);
                    i++;
                }
                case "-h", "--help" -> {
                    out.println("usage: evmore devnet --out DIR [--block-interval 1s|500ms] [--endpoints N]");
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("missing --out DIR");
        }
        return new Options(dir, interval, endpoints);
    }

    /** Starts the default devnet, writes DIR/devnet.json (owner-only) and hooks progress printing; the caller closes it. */
    public static Devnet launch(Path dir, Duration interval, int endpoints, PrintStream out) throws IOException {
        Files.createDirectories(dir);
        Devnet devnet = start(interval, endpoints, out);
        try {
            Path file = dir.resolve("devnet.json");
            writeOwnerOnly(file, describe(devnet).toPrettyString());
            out.println("devnet: wrote " + file.toAbsolutePath() + "; running until interrupted");
            return devnet;
        } catch (IOException | RuntimeException e) {
            devnet.close();
            throw e;
        }
    }

    /** Starts the default devnet and hooks progress printing (chains, blocks with txs, relayed packets); writes nothing. */
    public static Devnet start(Duration interval, int endpoints, PrintStream out) {
        Devnet devnet = Devnet.defaultTopology().blockInterval(interval).rpcEndpointsPerChain(endpoints).start();
        for (DevnetChain c : devnet.chains()) {
            out.println("devnet: " + c.chainId() + " (" + c.prefix() + ", " + c.denom() + ") RPC " + c.rpcUrl()
                    + " HTLC " + c.htlcContractAddress());
            c.state().addBlockListener(b -> {
                if (!b.txs().isEmpty()) {
                    long failed = b.results().stream().filter(r -> !r.ok()).count();
                    out.println("devnet: " + b.chainId() + " block " + b.height() + " with " + b.txs().size()
                            + " tx(s)" + (failed > 0 ? ", " + failed + " failed" : ""));
                }
            });
        }
        devnet.relayer().addObserver(line -> out.println("devnet: " + line));
        return devnet;
    }

    /**
     * Writes {@code text} to {@code file} readable and writable by the owner only (rw-------): the file is created with
     * those permissions before anything is written (no window where others could read keys), then moved into place
     * atomically. On a file system without POSIX permissions the file is written as is.
     */
    public static void writeOwnerOnly(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /**
     * The {@code --block-interval} of every way to start local chains ({@code evmore devnet}, {@code evmore demo}, this
     * launcher): a positive duration like {@code 1s}, {@code 1.5s} or {@code 500ms}; anything else is an
     * IllegalArgumentException naming the option.
     */
    public static Duration parseBlockInterval(String s) {
        Duration d = null;
        if (s.matches("[0-9]{1,9}ms")) {
            d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        } else if (s.matches("[0-9]{1,6}(\\.[0-9]{1,3})?s")) {
            d = Duration.ofMillis(new java.math.BigDecimal(s.substring(0, s.length() - 1)).movePointRight(3).longValueExact());
        }
        if (d == null || d.isZero()) {
            throw new IllegalArgumentException("--block-interval must be a positive duration like 1s, 1.5s or 500ms, got '"
                    + s + "'");
        }
        return d;
    }

    /** The devnet.json document: chains, endpoints, contracts, channels and funded accounts with mnemonics. */
    public static ObjectNode describe(Devnet devnet) {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        ArrayNode chains = root.putArray("chains");
        for (DevnetChain c : devnet.chains()) {
            ChainSpec s = c.spec();
            ObjectNode o = chains.addObject();
            o.put("chain_id", s.chainId()).put("prefix", s.prefix()).put("denom", s.denom())
                    .put("min_gas_price", s.minGasPrice().toPlainString() + s.denom())
                    .put("revision_number", s.revisionNumber())
                    .put("decimals", COSMOS_DECIMALS);
            ArrayNode rpc = o.putArray("rpc");
            ArrayNode ws = o.putArray("websocket");
            c.endpoints().forEach(e -> {
                rpc.add(e.url());
                ws.add(e.websocketUrl());
            });
            if (c.htlcContractAddress() == null) {
                o.putNull("htlc_contract");
            } else {
                o.put("htlc_contract", c.htlcContractAddress());
            }
            ArrayNode chs = o.putArray("channels");
            for (Channel ch : c.channels()) {
                chs.addObject().put("channel_id", ch.channelId()).put("port_id", Channel.PORT)
                        .put("connection_id", ch.connectionId()).put("counterparty_chain_id", ch.counterpartyChainId())
                        .put("counterparty_channel_id", ch.counterpartyChannelId());
            }
        }
        ArrayNode accounts = root.putArray("accounts");
        for (TestAccount a : devnet.accounts()) {
            ObjectNode o = accounts.addObject();
            o.put("name", a.name()).put("mnemonic", a.mnemonic()).put("hd_path", "m/44'/118'/0'/0/0");
            ObjectNode addrs = o.putObject("addresses");
            for (DevnetChain c : devnet.chains()) {
                addrs.put(c.chainId(), a.address(c.prefix()));
            }
        }
        return root;
    }

}
