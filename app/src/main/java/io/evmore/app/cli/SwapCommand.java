package io.evmore.app.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.swap.Amounts;
import io.evmore.app.swap.Network;
import io.evmore.app.swap.Signer;
import io.evmore.app.swap.SwapInputException;
import io.evmore.app.swap.SwapSession;
import io.evmore.app.swap.SwapStateStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** ./evmore swap start|status|refund: the swapper's side of an atomic swap, on the swapper library. */
@Command(name = "swap", mixinStandardHelpOptions = true,
        description = {"Swap as a user, through a running relayer: lock on the source chain, wait for the relayer's counter-lock,",
                "check it, claim it; or refund after expiry. The network comes from a devnet.json-format file (--devnet).",
                "Exit codes: 0 done, 2 bad input (nothing sent), 3 counter-lock refused or refund not possible, 1 other failure."},
        subcommands = {SwapCommand.Start.class, SwapCommand.Status.class, SwapCommand.Refund.class})
final class SwapCommand implements Runnable {
    static final int EXIT_INPUT = 2;
    static final int EXIT_REFUSED = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every subcommand has. */
    static final class Common {
        @Option(names = "--state-dir", paramLabel = "DIR", description = "where swap state files (with the secret, owner-only) live (default: ~/.evmore/swaps)")
        Path stateDir;

        @Option(names = "--json", description = "print the result as one JSON object on stdout (progress goes to stderr)")
        boolean json;

        SwapStateStore store() {
            return new SwapStateStore(stateDir != null ? stateDir : SwapStateStore.defaultDir());
        }
    }

    /** Runs {@code body}, printing the result or a one-line error; returns the exit code. */
    static int run(CommandLine.Model.CommandSpec spec, Common common, Body body) {
        return run(spec, common, body, true);
    }

    static int run(CommandLine.Model.CommandSpec spec, Common common, Body body, boolean refusedIsAnError) {
        io.evmore.app.logging.LoggingSetup.configureForClient("error"); // a swap command reports its own outcome; pool chatter (a probe interrupted at close) is noise here
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter progress = common.json ? err : out;
        try {
            ObjectNode result = body.run(line -> {
                progress.println(line);
                progress.flush();
            });
            if (common.json) {
                out.println(SwapSession.publicView(result).toString());
            }
            out.flush();
            return refusedIsAnError && SwapSession.REFUSED.equals(result.path("status").asText()) ? EXIT_REFUSED : 0;
        } catch (SwapInputException e) {
            err.println("swap: " + e.getMessage());
            return e.getMessage().startsWith("HASHLOCK: cannot refund") ? EXIT_REFUSED : EXIT_INPUT;
        } catch (RuntimeException e) {
            err.println("swap failed: " + oneLine(e));
            return 1;
        } finally {
            err.flush();
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*\\R\\s*", " ");
    }

    interface Body {
        ObjectNode run(java.util.function.Consumer<String> progress);
    }

    @Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start a swap and see it through: check the input and the balance, make a secret and store it (owner-only)",
                    "in the state folder, lock on --from for the relayer, wait for the relayer's counter-lock on --to, check it holds",
                    "at least --min-receive and leaves at least --min-claim-window seconds to claim, then claim it (paying --receiver)",
                    "or refuse with the reason (then: ./evmore swap refund HASHLOCK after the source lock expires).",
                    "Amounts are decimal WHOLE units of the asset: ETH and DEV have 18 decimals (0.1 ETH = 10^17 wei); the devnet",
                    "denoms (stake, uosmo, ujuno) have 6 (1.5 stake = 1500000 base units).",
                    "Example: ./evmore swap start --devnet data/devnet/devnet.json --from eip155:31337 --to devnet-a --amount 0.1 \\",
                    "           --asset ETH --receiver cosmos1... --min-receive 9.9"})
    static final class Start implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Common common = new Common();

        @Option(names = "--from", required = true, paramLabel = "CHAIN", description = "source chain: eip155:<id> or a Cosmos chain id")
        String from;
        @Option(names = "--to", required = true, paramLabel = "CHAIN", description = "destination chain")
        String to;
        @Option(names = "--amount", required = true, paramLabel = "DECIMAL", description = "how much to lock, in whole units of --asset")
        String amount;
        @Option(names = "--asset", required = true, paramLabel = "ASSET", description = "on Ethereum ETH, DEV or a listed token address; on Cosmos the chain's denom")
        String asset;
        @Option(names = "--receiver", required = true, paramLabel = "ADDR", description = "who receives on --to (0x… or bech32 of that chain)")
        String receiver;
        @Option(names = "--to-asset", paramLabel = "ASSET", description = "asset the counter-lock must hold (default: ETH on Ethereum, the denom on Cosmos)")
        String toAsset;
        @Option(names = "--min-receive", paramLabel = "DECIMAL", description = "least amount of --to-asset (whole units) you accept; default: any")
        String minReceive;
        @Option(names = "--min-claim-window", paramLabel = "SECONDS", defaultValue = "60", description = "least time left to claim when the counter-lock is found (default: ${DEFAULT-VALUE})")
        long minClaimWindow;
        @Option(names = "--timelock-seconds", paramLabel = "N", defaultValue = "600", description = "your lock expires N seconds after the source chain's latest block (default: ${DEFAULT-VALUE})")
        long timelockSeconds;
        @Option(names = "--wait-seconds", paramLabel = "N", defaultValue = "300", description = "how long to wait for the counter-lock (default: ${DEFAULT-VALUE})")
        long waitSeconds;
        @Option(names = {"--devnet", "--network"}, required = true, paramLabel = "FILE", description = "devnet.json (or a file in its format) describing the chains and the relayer")
        Path network;
        @Option(names = "--relayer", paramLabel = "ADDR", description = "the relayer's address on --from (default: from the network file)")
        String relayer;

        @ArgGroup(exclusive = true)
        SourceSigner source;
        @ArgGroup(exclusive = true)
        ClaimSigner claimer;

        static final class SourceSigner {
            @Option(names = "--account", paramLabel = "NAME", description = "funded account of the network file that locks (default: user1 on Ethereum, alice on Cosmos)")
            String account;
            @Option(names = "--key-file", paramLabel = "FILE", description = "owner-only file with the source key (hex private key / mnemonic)")
            Path keyFile;
        }

        static final class ClaimSigner {
            @Option(names = "--claim-account", paramLabel = "NAME", description = "account that sends the claim on --to (default: user1 on Ethereum, alice on Cosmos)")
            String account;
            @Option(names = "--claim-key-file", paramLabel = "FILE", description = "owner-only file with the destination key")
            Path keyFile;
        }

        @Override
        public Integer call() {
            return run(spec, common, progress -> {
                Network net = Network.load(network);
                Signer src = source == null ? null : source.keyFile != null ? Signer.keyFile(source.keyFile) : Signer.account(source.account);
                Signer dst = claimer == null ? null : claimer.keyFile != null ? Signer.keyFile(claimer.keyFile) : Signer.account(claimer.account);
                if (src == null) src = Signer.account(defaultAccount(net, from));
                if (dst == null) dst = Signer.account(defaultAccount(net, to));
                return new SwapSession(common.store(), progress).start(new SwapSession.StartRequest(net, from, to, amount, asset, receiver,
                        toAsset, minReceive, minClaimWindow, timelockSeconds, waitSeconds, src, dst, relayer));
            });
        }

        private static String defaultAccount(Network net, String chain) {
            return chain != null && chain.startsWith("eip155:") ? "user1" : "alice";
        }
    }

    /** A command on a swap this machine stored: the swap's hashlock and, optionally, another network file. */
    abstract static class OnStoredSwap implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Common common = new Common();
        @Parameters(index = "0", paramLabel = "HASHLOCK", description = "the swap's hashlock (64 hex digits), as printed by swap start")
        String hashlock;
        @Option(names = {"--devnet", "--network"}, paramLabel = "FILE", description = "network file (default: the one the swap was started with)")
        Path network;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a stored swap and what the chains say about its locks (never the secret).")
    static final class Status extends OnStoredSwap {
        @Override
        public Integer call() {
            return run(spec, common, progress -> {
                ObjectNode s = new SwapSession(common.store(), progress).status(hashlock, network);
                if (!common.json) {
                    int d = s.path("asset_decimals").asInt(), td = s.path("to_asset_decimals").asInt();
                    progress.accept("swap " + s.path("hashlock").asText() + ": " + s.path("status").asText()
                            + (s.hasNonNull("reason") ? " (" + s.get("reason").asText() + ")" : ""));
                    progress.accept("  " + s.path("from").asText() + " -> " + s.path("to").asText() + ": "
                            + Amounts.format(new java.math.BigInteger(s.path("amount").asText("0")), d) + " " + s.path("asset_symbol").asText()
                            + " to " + s.path("receiver").asText());
                    progress.accept("  source lock " + s.path("source_htlc_id").asText("-") + ": " + s.path("source_lock_status").asText("-")
                            + (s.has("source_expires_in_seconds") ? expiry(s.get("source_expires_in_seconds").asLong()) : ""));
                    progress.accept("  counter-lock " + s.path("counter_htlc_id").asText("-") + ": " + s.path("counter_lock_status").asText("-")
                            + (s.hasNonNull("counter_amount") ? ", " + Amounts.format(new java.math.BigInteger(s.get("counter_amount").asText()), td)
                            + " " + s.path("to_asset_symbol").asText() : ""));
                }
                return s;
            }, false);
        }
    }

    /** The source lock's expiry as the status line shows it: still ahead, or already passed (refundable). */
    static String expiry(long inSeconds) {
        return inSeconds > 0 ? ", expires in " + inSeconds + " s" : ", expired " + -inSeconds + " s ago";
    }

    @Command(name = "refund", mixinStandardHelpOptions = true,
            description = "Refund your source lock once its timelock has passed (the chain's time, not yours).")
    static final class Refund extends OnStoredSwap {
        @Override
        public Integer call() {
            return run(spec, common, progress -> new SwapSession(common.store(), progress).refund(hashlock, network));
        }
    }
}
