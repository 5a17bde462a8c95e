package io.evmore.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code evmore run} builds only the {@code run} subcommand's model (docs/BENCHMARKS.md "Start-up") and still answers
 * exactly as the whole CLI does: the same help, errors and exit codes; every other command gets the whole CLI.
 */
class EvmoreCliRunDispatchTest {
    private record Result(int exit, String out, String err) {}

    private static Result execute(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void runBuildsOnlyTheRunSubcommandAndEverythingElseTheWholeCli() {
        assertThat(EvmoreCli.commandLine(new String[] {"run", "--config", "x.yaml"}).getSubcommands()).containsOnlyKeys("run");
        List<String> all = List.of("run", "check-config", "admin", "devnet", "swap", "demo", "bench", "help");
        assertThat(EvmoreCli.commandLine().getSubcommands().keySet()).containsExactlyElementsOf(all);
        for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"help", "run"}, new String[] {"bench"},
                new String[] {"Run"}, new String[] {"--version"})) {
            assertThat(EvmoreCli.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args)).containsExactlyElementsOf(all);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "run --config x.yaml", "run -c /etc/evmore/relayer.yaml", "run --config config/relayer.yaml"})
    void aPlainStartSkipsPicocliWithTheConfigFilePicocliWouldGive(String line) {
        String[] args = line.split(" ");
        CommandLine cli = EvmoreCli.commandLine(args);
        RunCommand parsed = (RunCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
        assertThat(EvmoreCli.plainRun(args)).isNotNull().isEqualTo(parsed.config);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run --help", "run -h", "run --bogus", "run --config", "run extra", "run --config a.yaml --config b.yaml",
        "run --config=x.yaml", "run -cx.yaml", "run --config @args.txt", "run --config -h", "run -c --bogus", "run -V", "check-config",
        "Run --config x.yaml", "run --config x.yaml extra"})
    void everythingElseGoesThroughPicocli(String line) {
        assertThat(EvmoreCli.plainRun(line.split(" "))).isNull();
        assertThat(EvmoreCli.plainRun(new String[] {"run", "--config", ""})).isNull();
        assertThat(EvmoreCli.plainRun(new String[] {})).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run --help", "run -h", "run --bogus", "run --config", "run extra", "run --config a.yaml --config b.yaml"})
    void runAnswersAsTheWholeCliDoes(String line) {
        String[] args = line.split(" ");
        Result whole = execute(EvmoreCli.commandLine(), args);
        Result dispatched = execute(EvmoreCli.commandLine(args), args);
        assertThat(dispatched).isEqualTo(whole);
        assertThat(whole.out() + whole.err()).isNotBlank();
    }
}
