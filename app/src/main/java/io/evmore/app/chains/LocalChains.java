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

    private HardhatNode hardhat;
    private Devnet devnet;
    private volatile RelayerConfig.Chains chains;

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
        List<RelayerConfig.Cosmos> cosmos = new ArrayList<>();
        for (DevnetChain c : devnet.chains()) {
            cosmos.add(new RelayerConfig.Cosmos(c.chainId(), c.prefix(), c.denom(), List.of(c.rpcUrl()), c.htlcContractAddress(), "0.025", ConfigLoader.defaultCosmosPool()));
        }
        chains = new RelayerConfig.Chains(
                new RelayerConfig.Ethereum(eth.id().value(), List.of(hardhat.url()), eth.contract(), 1, ConfigLoader.defaultEthereumPool()), List.copyOf(cosmos));
        return chains;
    }

    private record EthChain(HardhatNode node, ChainId id, String contract) {}

    private static EthChain startEthereum(Duration blockInterval) {
        HardhatNode node = HardhatNode.start();
        try {
            ChainId eth = ChainId.evm(node.chainId());
            // Deploy while automine is on (the transaction is mined at once), then switch to interval mining.
            String contract = HtlcDeployer.deploy(eth, node.url(), node.devPrivateKeys().get(0));
            node.setIntervalMining(blockInterval.toMillis());
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
        return new RelayerConfig(c.environment(), c.logLevel(), c.http(), c.admin(), c.database(), c.tracing(), c.heap(), c.shutdown(),
                c.localChains(), local);
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
