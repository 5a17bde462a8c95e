package io.evmore.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of ./evmore: one subcommand per job. */
@Command(name = "evmore",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "EVMore relayer: atomic swaps between Ethereum and Cosmos chains with hash-time-locked contracts.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, AdminCommand.class, DevnetCommand.class, SwapCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run './evmore <command> --help' for a command's options.",
                "The launcher also has: './evmore test' (every test), './evmore build' (build only) and",
                "'./evmore wasmd-setup' (builds wasmd and the contract's wasm for the real-chain tests; './evmore test' runs it)",
                "and './evmore simulate' (the relay engine's fault simulation, 20,000 schedules by default).",
                "Start here: './evmore demo' (local chains, the relayer and swaps in one command)."})
public final class EvmoreCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The CLI: a bad option or argument is one line naming it (and where to get help), exit 2. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new EvmoreCli()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandName() + ": " + ex.getMessage().replaceAll("\\s*\\R\\s*", " ")
                    + " (see: evmore " + qualifiedName(c) + " --help)");
            c.getErr().flush();
            return 2;
        });
        return cli;
    }

    private static String qualifiedName(CommandLine c) {
        String name = c.getCommandSpec().qualifiedName(" ");
        return name.startsWith("evmore ") ? name.substring(7) : name;
    }
}
