package io.evmore.app.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of ./evmore: one subcommand per job. */
@Command(name = "evmore",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "EVMore relayer: atomic swaps between Ethereum and Cosmos chains with hash-time-locked contracts.",
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

    /** The subcommands, in the order {@code --help} lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, CheckConfigCommand.class, AdminCommand.class, DevnetCommand.class,
            SwapCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        Path config = plainRun(args);
        System.exit(config != null ? RunCommand.start(config) : commandLine(args).execute(args));
    }

    /**
     * The configuration file of a plain start of the relayer — {@code run}, {@code run --config FILE} or
     * {@code run -c FILE} — which starts without picocli (docs/BENCHMARKS.md "Start-up": building its model is class
     * loading the JVM's start-up cache cannot hold, picocli being Java 5 byte code); null for anything else, which
     * picocli parses (help, errors, {@code --config=FILE}, {@code @}-files, a FILE that looks like an option).
     */
    static Path plainRun(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) return null;
        if (args.length == 1) return Path.of(RunCommand.DEFAULT_CONFIG);
        if (args.length != 3 || !(args[1].equals("--config") || args[1].equals("-c"))) return null;
        String file = args[2];
        return file.isEmpty() || file.startsWith("-") || file.startsWith("@") ? null : Path.of(file);
    }

    /** The CLI: a bad option or argument is one line naming it (and where to get help), exit 2. */
    public static CommandLine commandLine() {
        return build(SUBCOMMANDS);
    }

    /**
     * The CLI for these arguments: for {@code run} (the relayer's start) only the {@code run} subcommand's model is built
     * — picocli otherwise reflects over every subcommand's options before running any (docs/BENCHMARKS.md "Start-up");
     * {@code evmore run …} parses, helps and fails the same either way. Anything else gets the whole CLI.
     */
    static CommandLine commandLine(String[] args) {
        return args.length > 0 && args[0].equals("run") ? build(List.of(RunCommand.class)) : commandLine();
    }

    private static CommandLine build(List<Class<?>> subcommands) {
        CommandLine cli = new CommandLine(new EvmoreCli());
        for (Class<?> c : subcommands) cli.addSubcommand(c);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
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
