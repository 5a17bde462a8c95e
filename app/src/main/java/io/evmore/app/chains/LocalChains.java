package io.evmore.app.chains;

import io.evmore.app.config.RelayerConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local chains behind {@code localChains.enabled}: the {@link LocalWorld} (a Hardhat node with the HTLC contract
 * and the DEV token deployed, and the Cosmos devnet devnet-a ↔ devnet-b ↔ devnet-c) — the same world
 * {@code ./evmore devnet} and {@code ./evmore demo} start. Development and demos only; the validator refuses it in
 * production. Its accounts and keys are described in {@code <data>/devnet/devnet.json} (owner-only).
 */
public final class LocalChains implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalChains.class);

    private LocalWorld world;
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
        world = LocalWorld.start(blockInterval, 1, new PrintStream(new LineLogger(), true, StandardCharsets.UTF_8));
        Path description = world.writeDescription(dataDir.resolve("devnet"));
        chains = world.chainsConfig();
        pairs = world.pairs();
        // The relayer signs with Hardhat's first development account (users take the others) and the devnet's
        // "relayer" account: public development keys of throwaway chains.
        keys = world.relayerKeys();
        log.info("local chains: relayer is {} on {} and the devnet account 'relayer'; {} swap pairs; accounts and keys in {}",
                world.hardhat().devAddresses().get(0), world.ethereumChain(), pairs.size(), description);
        return chains;
    }

    /** The running world (null before start). */
    public LocalWorld world() {
        return world;
    }

    /** The local chains' relayer keys (null before start). */
    public io.evmore.app.secrets.RelayerKeys keys() {
        return keys;
    }

    /** The chains section for a configuration loaded from the file (which must leave it empty). */
    public RelayerConfig withChains(RelayerConfig c) {
        RelayerConfig.Chains local = chains;
        if (!c.localChains().enabled() || local == null) return c;
        RelayerConfig out = c.withChains(local);
        if (out.swaps().pairs() == null || out.swaps().pairs().isEmpty()) {
            out = out.withSwaps(new RelayerConfig.Swaps(pairs, out.swaps().timelocks(), out.swaps().safety()));
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

    /**
     * Like {@link #setAsidePreviousRun} for a process that already holds the database's lease: no probe of the lock file
     * (opening and closing it here would drop this process's own lock on it), the files are simply moved.
     */
    public static void setAsideUnderLease(Path dbFile) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dbFile)) return;
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path f = Path.of(dbFile + suffix);
            if (java.nio.file.Files.exists(f)) {
                java.nio.file.Files.move(f, Path.of(dbFile + suffix + ".previous-run"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        log.info("local chains: the previous run's database is kept as {}.previous-run; this run starts a new one", dbFile);
    }

    @Override
    public synchronized void close() {
        if (world != null) world.close();
        world = null;
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
