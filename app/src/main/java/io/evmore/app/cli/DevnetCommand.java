package io.evmore.app.cli;

import io.evmore.devnet.DevnetMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ./evmore devnet: the local multi-chain Cosmos devnet, until interrupted. */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = {"Start the local Cosmos devnet (devnet-a <-> devnet-b <-> devnet-c over IBC, each with the HTLC contract),",
                "fund the test accounts and write DIR/devnet.json (chain ids, prefixes, denoms, RPC URLs, contracts, channels,",
                "accounts with their mnemonics). Runs until Ctrl-C / SIGTERM, printing blocks, transactions and packets."})
final class DevnetCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for devnet.json")
    String out;

    @Option(names = "--block-interval", defaultValue = "1s", description = "block interval, e.g. 1s or 500ms (default: ${DEFAULT-VALUE})")
    String blockInterval;

    @Option(names = "--endpoints", defaultValue = "1", description = "RPC endpoints per chain (default: ${DEFAULT-VALUE})")
    int endpoints;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("--out", out, "--block-interval", blockInterval, "--endpoints", Integer.toString(endpoints)));
        DevnetMain.main(args.toArray(String[]::new));
        return 0;
    }
}
