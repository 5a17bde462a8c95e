package io.evmore.devnet.wasmd;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.devnet.process.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hermes 1.10 (informalsystems' IBC relayer, built by {@code scripts/wasmd-ibc.sh}) relaying between real wasmd chains:
 * its own home (config and keyring under a temporary {@code HOME}), each chain's validator key imported with
 * {@code keys add --mnemonic-file}, channels created with {@code create channel --new-client-connection}, then
 * {@code hermes start} as a child process (packets, acknowledgements, timeouts, client updates) that can be stopped and
 * started again. The process is a {@link ChildProcess}, tied to this JVM like the nodes; nothing is killed by name.
 */
public final class Hermes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Hermes.class);
    /** Hermes' key on every chain: the chain's validator account (funded in genesis, never used by the tests' actors). */
    static final String KEY_NAME = "hermes";

    /** A channel end pair created by {@link #createChannel}. */
    public record ChannelPair(String chainA, String channelA, String connectionA, String chainB, String channelB, String connectionB) {}

    private final Path bin;
    private final Path home;
    private final Path config;
    private final ChildProcess hermesStart;

    private Hermes(Path bin, Path home) {
        this.bin = bin;
        this.home = home;
        this.config = home.resolve("config.toml");
        this.hermesStart = ChildProcess.of("hermes", List.of(bin.toString(), "--config", config.toString(), "start"),
                        home.resolve("hermes.log"))
                .env("HOME", home.toString()) // its keyring: HOME/.hermes/keys, never the user's
                .env("NO_COLOR", "1")
                .env("RUST_BACKTRACE", "0")
                .build();
    }

    /** Writes the configuration for these chains and imports each one's validator key. */
    static Hermes configure(Path bin, Path home, List<WasmdChain> chains) {
        Hermes h = new Hermes(bin, home);
        h.writeConfig(chains);
        for (WasmdChain c : chains) {
            Path mnemonic = home.resolve("mnemonic-" + c.chainId());
            try {
                Files.createFile(mnemonic, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(mnemonic, c.account(WasmdChain.VALIDATOR).mnemonic() + "\n");
                h.run(Duration.ofSeconds(30), "keys", "add", "--chain", c.chainId(), "--key-name", KEY_NAME,
                        "--mnemonic-file", mnemonic.toString(), "--overwrite");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                try {
                    Files.deleteIfExists(mnemonic);
                } catch (IOException e) {
                    log.warn("could not delete {}", mnemonic);
                }
            }
        }
        return h;
    }

    private void writeConfig(List<WasmdChain> chains) {
        StringBuilder t = new StringBuilder();
        t.append("""
                [global]
                log_level = 'info'

                [mode.clients]
                enabled = true
                refresh = true
                misbehaviour = false

                [mode.connections]
                enabled = false

                [mode.channels]
                enabled = false

                [mode.packets]
                enabled = true
                clear_interval = 10
                clear_on_start = true
                tx_confirmation = false

                [rest]
                enabled = false
                host = '127.0.0.1'
                port = 3000

                [telemetry]
                enabled = false
                host = '127.0.0.1'
                port = 3001
                """);
        for (WasmdChain c : chains) {
            String rpc = c.rpcUrl();
            t.append("\n[[chains]]\n")
                    .append("id = '").append(c.chainId()).append("'\n")
                    .append("type = 'CosmosSdk'\n")
                    .append("rpc_addr = '").append(rpc).append("'\n")
                    .append("grpc_addr = '").append(c.grpcUrl()).append("'\n")
                    .append("event_source = { mode = 'push', url = '").append(c.websocketUrl()).append("', batch_delay = '200ms' }\n")
                    .append("rpc_timeout = '10s'\n")
                    .append("trusted_node = true\n")
                    .append("account_prefix = '").append(c.prefix()).append("'\n")
                    .append("key_name = '").append(KEY_NAME).append("'\n")
                    .append("key_store_type = 'Test'\n")
                    .append("store_prefix = 'ibc'\n")
                    .append("default_gas = 300000\n")
                    .append("max_gas = 4000000\n")
                    .append("gas_price = { price = ").append(c.minGasPrice().toPlainString()).append(", denom = '").append(c.denom()).append("' }\n")
                    .append("gas_multiplier = 1.5\n")
                    .append("max_msg_num = 30\n")
                    .append("max_tx_size = 180000\n")
                    .append("clock_drift = '5s'\n")
                    .append("max_block_time = '10s'\n")
                    .append("trusting_period = '14days'\n")
                    .append("trust_threshold = { numerator = '2', denominator = '3' }\n")
                    .append("address_type = { derivation = 'cosmos' }\n")
                    .append("memo_prefix = ''\n");
        }
        try {
            Files.writeString(config, t.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
    }

    /**
     * Creates light clients, a connection and an unordered ICS-20 channel ({@code transfer} ↔ {@code transfer}) between
     * two chains; returns the channel ids Hermes reports.
     */
    public ChannelPair createChannel(String chainA, String chainB) {
        String out = run(Duration.ofSeconds(180), "--json", "create", "channel", "--a-chain", chainA, "--b-chain", chainB,
                "--a-port", "transfer", "--b-port", "transfer", "--new-client-connection", "--yes");
        JsonNode result = null;
        for (String line : out.split("\n")) {
            if (!line.startsWith("{")) continue;
            JsonNode n = WasmdChain.parse(line);
            if (n.path("status").asText().equals("success")) result = n.path("result");
        }
        if (result == null) throw new IllegalStateException("hermes create channel " + chainA + " " + chainB + " gave no result:\n" + out);
        String a = result.path("a_side").path("channel_id").asText(null);
        String b = result.path("b_side").path("channel_id").asText(null);
        if (a == null || b == null) throw new IllegalStateException("no channel ids in hermes' answer: " + result);
        String ca = result.path("connection_hops").path(0).asText(result.path("a_side").path("connection_id").asText(""));
        String cb = result.path("b_side").path("connection_id").asText("");
        log.info("hermes: channel {} {} ({}) <-> {} {} ({})", chainA, a, ca, chainB, b, cb);
        return new ChannelPair(chainA, a, ca, chainB, b, cb);
    }

    /**
     * Relays, once, every packet, acknowledgement and timeout pending on this channel, in both directions
     * ({@code hermes clear packets}); only while {@code hermes start} is stopped (both would sign with the same key).
     */
    public void clearPackets(String chainId, String channelId) {
        if (isRunning()) throw new IllegalStateException("clear packets while hermes start runs: both would sign with one key");
        run(Duration.ofSeconds(120), "clear", "packets", "--chain", chainId, "--port", "transfer", "--channel", channelId);
    }

    /** Starts {@code hermes start} (packets, acks, timeouts, client refresh); returns once it runs. */
    public synchronized void start() {
        if (isRunning()) return;
        long from = hermesStart.logLength();
        hermesStart.start();
        // ready once it has spawned its workers (it logs this line after scanning the chains)
        hermesStart.awaitReady(Duration.ofSeconds(60), "start", left -> hermesStart.logSince(from).contains("Hermes has started"),
                () -> ":\n" + logTail());
    }

    /** Stops {@code hermes start} (packets then wait on the chains until {@link #start()}). */
    public void stop() {
        hermesStart.stop();
    }

    public boolean isRunning() {
        return hermesStart.isAlive();
    }

    /** The running hermes process itself (not its sh wrapper). */
    public long pid() {
        return hermesStart.pidOf("hermes");
    }

    public Path config() {
        return config;
    }

    public Path home() {
        return home;
    }

    public Path logFile() {
        return hermesStart.logFile();
    }

    /** Runs a hermes command to completion with this configuration; returns stdout+stderr, throws on a non-zero exit. */
    public String run(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(pb);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = ("(output unreadable: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8);
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("hermes " + String.join(" ", args) + " timed out after " + timeout);
            }
            reader.join(5_000);
            String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("hermes " + String.join(" ", args) + " exited " + p.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("hermes " + String.join(" ", args) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void environment(ProcessBuilder pb) {
        pb.environment().put("HOME", home.toString()); // its keyring: HOME/.hermes/keys, never the user's
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("RUST_BACKTRACE", "0");
    }

    public String logTail() {
        return hermesStart.logTail(6000);
    }

    @Override
    public void close() {
        hermesStart.stop();
    }
}
