package io.evmore.app.cli;

import io.evmore.app.chains.LocalWorld;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** ./evmore devnet: the complete local world (Hardhat + HTLC + DEV token, the Cosmos devnet) without the relayer. */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = {"Start the local world without the relayer: a Hardhat Ethereum node (chain eip155:31337) with the HTLC",
                "contract and the mintable DEV ERC-20 deployed, development accounts 0..9 funded with ETH and DEV (account 0 is the",
                "relayer's), and the Cosmos devnet (devnet-a <-> devnet-b <-> devnet-c over IBC, each with the HTLC contract).",
                "Writes DIR/devnet.json (owner-only: it holds the accounts' keys; format in devnet/README.md), DIR/relayer.yaml",
                "(a complete relayer configuration: ./evmore run --config DIR/relayer.yaml) and DIR/secrets/ (owner-only).",
                "Runs until Ctrl-C / SIGTERM, printing blocks, transactions and packets."})
final class DevnetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for devnet.json, relayer.yaml and secrets/")
    Path out;

    @Option(names = "--block-interval", defaultValue = "1s", description = "block interval of every chain, e.g. 1s or 500ms (default: ${DEFAULT-VALUE})")
    String blockInterval;

    @Option(names = "--endpoints", defaultValue = "1", description = "RPC endpoints per Cosmos chain, 1..99 (default: ${DEFAULT-VALUE})")
    int endpoints;

    @Option(names = "--relayer-port", defaultValue = "3000", description = "HTTP port written into relayer.yaml (default: ${DEFAULT-VALUE})")
    int relayerPort;

    @Option(names = "--real", description = "real Cosmos chains instead of the devnet: three wasmd nodes (devnet-a <-> devnet-b <->"
            + " devnet-c, packet-forward and IBC hooks, prefix wasm) whose channels Hermes created and relays; build them first"
            + " with ./evmore wasmd-setup")
    boolean real;

    @Override
    public Integer call() throws Exception {
        OptionChecks check = OptionChecks.of(spec);
        Duration interval = check.blockInterval(blockInterval);
        check.require(endpoints >= 1 && endpoints <= 99, "--endpoints must be a number from 1 to 99, got " + endpoints)
                .require(relayerPort >= 1 && relayerPort <= 65535, "--relayer-port must be between 1 and 65535, got " + relayerPort)
                .require(!real || endpoints == 1, "--endpoints is a devnet option: a real node serves one RPC endpoint");
        CountDownLatch stop = OptionChecks.stopSignal();
        try (LocalWorld world = real ? LocalWorld.startReal(interval, System.out) : LocalWorld.start(interval, endpoints, System.out)) {
            Path description = world.writeDescription(out);
            Path config = world.writeRelayerConfig(out, relayerPort);
            System.out.println("devnet: wrote " + description.toAbsolutePath() + " (owner-only) and " + config);
            System.out.println("devnet: relay between them with: ./evmore run --config " + config);
            System.out.println("devnet: ready; running until interrupted");
            stop.await();
            System.out.println("devnet: stopping");
        }
        return 0;
    }
}
