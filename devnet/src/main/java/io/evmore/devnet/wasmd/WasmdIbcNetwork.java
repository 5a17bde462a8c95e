package io.evmore.devnet.wasmd;

import io.evmore.devnet.Devnet;
import io.evmore.devnet.TestAccount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real chains with IBC between them: single-node wasmd chains built with packet-forward middleware and IBC hooks
 * ({@link WasmdTools#locateIbc()}), each with the test accounts funded in genesis and the project's contract
 * instantiated, ICS-20 channels created by Hermes, and {@code hermes start} relaying packets, acknowledgements and
 * timeouts. {@link #startLine()} is the devnet's topology on real nodes: {@code devnet-a} (stake) ↔ {@code devnet-b}
 * (uosmo) ↔ {@code devnet-c} (ujuno), every chain with wasmd's prefix {@value WasmdChain#PREFIX}.
 *
 * <pre>{@code
 * try (WasmdIbcNetwork net = WasmdIbcNetwork.startLine()) {
 *     net.chain("devnet-a"); net.channel("devnet-a", "devnet-b");   // channel-0
 *     net.hermes().stop(); net.hermes().start();                      // packets wait (and time out) meanwhile
 * }
 * }</pre>
 */
public final class WasmdIbcNetwork implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WasmdIbcNetwork.class);

    /** A chain to start: id and native (and fee, and bond) denom. */
    public record Spec(String chainId, String denom) {}

    /** One chain's end of an ICS-20 channel (port {@code transfer} at both ends). */
    public record ChannelEnd(String channelId, String connectionId, String counterpartyChainId, String counterpartyChannelId) {}

    private final Map<String, WasmdChain> chains;
    private final Map<String, Map<String, ChannelEnd>> channels;
    private final Hermes hermes;
    private final Path hermesHome;

    private WasmdIbcNetwork(Map<String, WasmdChain> chains, Map<String, Map<String, ChannelEnd>> channels, Hermes hermes, Path hermesHome) {
        this.chains = chains;
        this.channels = channels;
        this.hermes = hermes;
        this.hermesHome = hermesHome;
    }

    /** devnet-a (stake) ↔ devnet-b (uosmo) ↔ devnet-c (ujuno), the devnet's default accounts funded with 10^12 each. */
    public static WasmdIbcNetwork startLine() {
        return start(List.of(new Spec("devnet-a", "stake"), new Spec("devnet-b", "uosmo"), new Spec("devnet-c", "ujuno")),
                List.of(List.of("devnet-a", "devnet-b"), List.of("devnet-b", "devnet-c")),
                Devnet.DEFAULT_ACCOUNTS.stream().map(TestAccount::deterministic).toList(), WasmdNetwork.FUNDING);
    }

    /**
     * Starts the chains in parallel, then creates one channel per link, in order (so a chain's channels are numbered
     * in the order of its links), then starts Hermes.
     */
    public static WasmdIbcNetwork start(List<Spec> specs, List<List<String>> links, List<TestAccount> accounts, BigInteger funding) {
        WasmdTools tools = WasmdTools.locateIbc();
        Path hermesBin = WasmdTools.hermes();
        long t0 = System.nanoTime();
        Map<String, String> denoms = new LinkedHashMap<>();
        for (Spec s : specs) denoms.put(s.chainId(), s.denom());
        Map<String, WasmdChain> started = WasmdNetwork.startInParallel(List.copyOf(denoms.keySet()),
                id -> WasmdChain.start(tools, id, denoms.get(id), accounts, funding));
        long t1 = System.nanoTime();
        Path home = null;
        Hermes hermes = null;
        try {
            home = Files.createTempDirectory("evmore-hermes-");
            hermes = Hermes.configure(hermesBin, home, List.copyOf(started.values()));
            Map<String, Map<String, ChannelEnd>> channels = new LinkedHashMap<>();
            for (List<String> link : links) {
                Hermes.ChannelPair p = hermes.createChannel(link.get(0), link.get(1));
                channels.computeIfAbsent(p.chainA(), k -> new LinkedHashMap<>())
                        .put(p.chainB(), new ChannelEnd(p.channelA(), p.connectionA(), p.chainB(), p.channelB()));
                channels.computeIfAbsent(p.chainB(), k -> new LinkedHashMap<>())
                        .put(p.chainA(), new ChannelEnd(p.channelB(), p.connectionB(), p.chainA(), p.channelA()));
            }
            long t2 = System.nanoTime();
            hermes.start();
            log.info("wasmd IBC network ready: chains {} ms, channels {} ms, hermes start {} ms; channels {}",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000, channels);
            return new WasmdIbcNetwork(started, channels, hermes, home);
        } catch (IOException e) {
            closeAll(started, hermes, null);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            String tail = hermes != null ? "\n" + hermes.logTail() : "";
            closeAll(started, hermes, null); // the hermes home is kept for a look
            throw new IllegalStateException("the IBC network did not come up (hermes home kept: " + home + "): " + e.getMessage() + tail, e);
        }
    }

    public WasmdChain chain(String chainId) {
        WasmdChain c = chains.get(chainId);
        if (c == null) throw new IllegalArgumentException("no wasmd chain " + chainId + "; have " + chains.keySet());
        return c;
    }

    public List<WasmdChain> chains() {
        return List.copyOf(chains.values());
    }

    /** The channel on {@code from} whose other end is on {@code to}. */
    public String channel(String from, String to) {
        ChannelEnd c = channels.getOrDefault(from, Map.of()).get(to);
        if (c == null) throw new IllegalArgumentException("no channel " + from + " -> " + to + "; have " + channels);
        return c.channelId();
    }

    /** Every channel end on {@code chainId}, in the order they were created. */
    public List<ChannelEnd> channels(String chainId) {
        return List.copyOf(channels.getOrDefault(chainId, Map.of()).values());
    }

    public Hermes hermes() {
        return hermes;
    }

    /** Stops relaying: {@code hermes start} stops; packets sent meanwhile wait (and time out) on their chains. */
    public void pauseRelaying() {
        hermes.stop();
    }

    /**
     * Relays what waited, then starts {@code hermes start} again. Hermes 1.10 restarted does not always pick up a
     * packet sent while it was down (its start-up scan spawned no packet worker for a channel whose only pending
     * packet was a few seconds old, and nothing on that channel woke one later), so every channel is first cleared
     * once with {@code hermes clear packets}.
     */
    public void resumeRelaying() {
        for (var e : channels.entrySet()) {
            for (ChannelEnd ch : e.getValue().values()) {
                // one clear per channel: from the end on the chain that comes first in the line
                if (e.getKey().compareTo(ch.counterpartyChainId()) < 0) hermes.clearPackets(e.getKey(), ch.channelId());
            }
        }
        hermes.start();
    }

    private static void closeAll(Map<String, WasmdChain> chains, Hermes hermes, Path hermesHome) {
        if (hermes != null) hermes.close();
        chains.values().forEach(WasmdChain::close);
        if (hermesHome != null) {
            try (var walk = Files.walk(hermesHome)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: it is in the temp folder
            }
        }
    }

    @Override
    public void close() {
        closeAll(chains, hermes, hermesHome);
    }
}
