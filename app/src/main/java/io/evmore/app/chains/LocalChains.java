package io.evmore.app.chains;

import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.RelayerConfig;
import io.evmore.core.chain.ChainId;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.DevnetMain;
import io.evmore.devnet.ethereum.HardhatNode;
import io.evmore.ethereum.HtlcDeployer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local chains behind {@code localChains.enabled}: a Hardhat node with the HTLC contract deployed and the
 * Cosmos devnet (devnet-a ↔ devnet-b ↔ devnet-c). Development and demos only; the validator refuses it in
 * production. Account mnemonics of the devnet are in {@code <data>/devnet/devnet.json}; Hardhat's are its
 * public development keys.
 */
public final class LocalChains implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalChains.class);

    /** Local chains' relayer fee: 0.3 %. */
    static final int LOCAL_FEE_BPS = 30;

    private HardhatNode hardhat;
    private Devnet devnet;
    private volatile RelayerConfig.Chains chains;
    private volatile List<RelayerConfig.PairConfig> pairs = List.of();
    private volatile io.evmore.app.secrets.RelayerKeys keys;

    private CompletableFuture<RelayerConfig.Chains> starting;

    /**
     * Begins starting both chains in the background and returns at once, so that the relayer's HTTP server and
     * database start meanwhile; {@link #awaitStarted} waits for them.
     */
    public synchronized void begin(Duration blockInterval, Path dataDir) {
        starting = CompletableFuture.supplyAsync(() -> {
            try {
                return start(blockInterval, dataDir);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, r -> Thread.ofPlatform().name("local-chains-start").daemon().start(r));
    }

    /** The chains section once both chains are up; rethrows what made their start fail. */
    public RelayerConfig.Chains awaitStarted(Duration bound) throws Exception {
        CompletableFuture<RelayerConfig.Chains> f;
        synchronized (this) {
            f = starting;
        }
        if (f == null) throw new IllegalStateException("local chains were not started");
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        } catch (TimeoutException e) {
            throw new TimeoutException("local chains did not start within " + bound.toSeconds() + " s");
        }
    }

    /**
     * Starts both chains and returns the chains section that points at them. Hardhat (a child process that spends
     * most of its start-up in Node.js) starts and gets the HTLC contract on its own thread while the Cosmos devnet
     * starts in this one.
     */
    synchronized RelayerConfig.Chains start(Duration blockInterval, Path dataDir) throws Exception {
        log.info("local chains: starting a Hardhat node and the Cosmos devnet");
        CompletableFuture<EthChain> ethereum = CompletableFuture.supplyAsync(() -> startEthereum(blockInterval),
                r -> Thread.ofPlatform().name("hardhat-start").daemon().start(r));
        try {
            devnet = DevnetMain.launch(dataDir.resolve("devnet"), blockInterval, 1, new PrintStream(new LineLogger(), true, StandardCharsets.UTF_8));
        } catch (Exception e) {
            try {
                hardhat = join(ethereum).node(); // so that close() stops it
            } catch (Exception alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        EthChain eth = join(ethereum);
        hardhat = eth.node();
        int blockSeconds = (int) Math.max(1, blockInterval.toSeconds());
        List<RelayerConfig.Cosmos> cosmos = new ArrayList<>();
        for (DevnetChain c : devnet.chains()) {
            cosmos.add(new RelayerConfig.Cosmos(c.chainId(), c.prefix(), c.denom(), List.of(c.rpcUrl()), c.htlcContractAddress(), "0.025",
                    ConfigLoader.defaultCosmosPool(), 1, List.of(), blockSeconds, 10, 0));
        }
        chains = new RelayerConfig.Chains(
                new RelayerConfig.Ethereum(eth.id().value(), List.of(hardhat.url()), eth.contract(), 1, ConfigLoader.defaultEthereumPool(),
                        List.of(), blockSeconds, 20, 0), List.copyOf(cosmos));
        pairs = localPairs(eth.id().value(), devnet.chains());
        // The relayer signs with Hardhat's first development account (users take the others) and the devnet's
        // "relayer" account: public development keys of throwaway chains.
        keys = io.evmore.app.secrets.RelayerKeys.of(hardhat.devPrivateKeys().get(0), devnet.account("relayer").mnemonic());
        log.info("local chains: relayer is {} on {} and the devnet account 'relayer'; {} swap pairs", hardhat.devAddresses().get(0), eth.id(), pairs.size());
        return chains;
    }

    /**
     * Native ETH ⇄ each devnet denom: 1 ETH (10^18 wei) = 100 whole units (10^8 base units, 6 decimals), so 0.01–1 ETH
     * and 1–100 units sit well inside the limits (0.001–10 ETH, 0.1–1000 units).
     */
    static List<RelayerConfig.PairConfig> localPairs(String eth, List<DevnetChain> cosmos) {
        List<RelayerConfig.PairConfig> out = new ArrayList<>();
        for (DevnetChain c : cosmos) {
            for (String token : List.of(io.evmore.ethereum.HtlcAbi.NATIVE)) {
                out.add(new RelayerConfig.PairConfig(eth, token, c.chainId(), c.denom(), "0.0000000001", LOCAL_FEE_BPS,
                        "1000000000000000", "10000000000000000000"));
                out.add(new RelayerConfig.PairConfig(c.chainId(), c.denom(), eth, token, "10000000000", LOCAL_FEE_BPS,
                        "100000", "1000000000"));
            }
        }
        return List.copyOf(out);
    }

    /** The local chains' relayer keys (null before start). */
    public io.evmore.app.secrets.RelayerKeys keys() {
        return keys;
    }

    private record EthChain(HardhatNode node, ChainId id, String contract) {}

    private static EthChain startEthereum(Duration blockInterval) {
        HardhatNode node = HardhatNode.start();
        try {
            ChainId eth = ChainId.evm(node.chainId());
            // Deploy while automine is on (the transaction is mined at once), then switch to interval mining.
            String contract = HtlcDeployer.deploy(eth, node.url(), node.devPrivateKeys().get(0));
            // Not below 1 s: Hardhat gives every block a strictly later whole-second timestamp, so faster blocks
            // would make its clock run ahead of real time (and timelocks expire early).
            node.setIntervalMining(Math.max(1000, blockInterval.toMillis()));
            log.info("local chains: {} at {} with the HTLC contract at {}", eth, node.url(), contract);
            return new EthChain(node, eth, contract);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    /** The chains section for a configuration loaded from the file (which must leave it empty). */
    public RelayerConfig withChains(RelayerConfig c) {
        RelayerConfig.Chains local = chains;
        if (!c.localChains().enabled() || local == null) return c;
        RelayerConfig out = c.withChains(local);
        if (out.swaps().pairs() == null || out.swaps().pairs().isEmpty()) {
            out = out.withSwaps(new RelayerConfig.Swaps(pairs, out.swaps().timelocks()));
        }
        return out;
    }

    /**
     * Moves the embedded database of a previous local-chains run (and its WAL files) to {@code <file>.previous-run}:
     * its chains are gone, so its cursors and swaps would only confuse this run. One previous run is kept.
     */
    public static void setAsidePreviousRun(Path dbFile) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dbFile)) return;
        // Never under a running relayer: the store's lease lives in <db>.lock; if any part of it is locked, leave
        // the files alone (the lease then refuses this start with its own clear message).
        Path lockFile = Path.of(dbFile + ".lock");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock probe;
            try {
                probe = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                probe = null;
            }
            if (probe == null) {
                log.warn("local chains: {} is in use by another relayer; the previous run's database is left as it is", dbFile);
                return;
            }
            try {
                for (String suffix : List.of("", "-wal", "-shm")) {
                    Path f = Path.of(dbFile + suffix);
                    if (java.nio.file.Files.exists(f)) {
                        java.nio.file.Files.move(f, Path.of(dbFile + suffix + ".previous-run"),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } finally {
                probe.release();
            }
        }
        log.info("local chains: the previous run's database is kept as {}.previous-run; this run starts a new one", dbFile);
    }

    @Override
    public synchronized void close() {
        if (devnet != null) devnet.close();
        if (hardhat != null) hardhat.close();
        devnet = null;
        hardhat = null;
    }

    /** Sends the devnet's progress lines to the log. */
    private static final class LineLogger extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                log.info("{}", line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
