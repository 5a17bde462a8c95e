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

    /** Starts both chains and returns the chains section that points at them. */
    public synchronized RelayerConfig.Chains start(Duration blockInterval, Path dataDir) throws Exception {
        log.info("local chains: starting a Hardhat node and the Cosmos devnet");
        hardhat = HardhatNode.start();
        hardhat.setIntervalMining(blockInterval.toMillis());
        ChainId eth = ChainId.evm(hardhat.chainId());
        String contract = HtlcDeployer.deploy(eth, hardhat.url(), hardhat.devPrivateKeys().get(0));
        log.info("local chains: {} at {} with the HTLC contract at {}", eth, hardhat.url(), contract);
        devnet = DevnetMain.launch(dataDir.resolve("devnet"), blockInterval, 1, new PrintStream(new LineLogger(), true, StandardCharsets.UTF_8));
        List<RelayerConfig.Cosmos> cosmos = new ArrayList<>();
        for (DevnetChain c : devnet.chains()) {
            cosmos.add(new RelayerConfig.Cosmos(c.chainId(), c.prefix(), c.denom(), List.of(c.rpcUrl()), c.htlcContractAddress(), "0.025", ConfigLoader.defaultCosmosPool()));
        }
        chains = new RelayerConfig.Chains(
                new RelayerConfig.Ethereum(eth.value(), List.of(hardhat.url()), contract, 1, ConfigLoader.defaultEthereumPool()), List.copyOf(cosmos));
        return chains;
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
