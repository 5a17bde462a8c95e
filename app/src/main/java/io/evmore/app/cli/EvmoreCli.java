package io.evmore.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of ./evmore: one subcommand per job. */
@Command(name = "evmore",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "EVMore relayer: atomic swaps between Ethereum and Cosmos chains with hash-time-locked contracts.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, AdminCommand.class, DevnetCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run './evmore <command> --help' for a command's options.",
                "The launcher also has: './evmore test' (every test), './evmore build' (build only) and",
                "'./evmore wasmd-setup' (builds wasmd and the contract's wasm for the real-chain tests)."})
public final class EvmoreCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new EvmoreCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(code);
    }
}
