package io.evmore.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad option value of the local-world commands is refused before anything starts: exit code 2 and one line on
 * stderr naming the option and the value (as an unknown option is).
 */
class OptionChecksTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "devnet --out x --endpoints 0            | devnet: --endpoints must be a number from 1 to 99, got 0",
            "devnet --out x --endpoints 100          | devnet: --endpoints must be a number from 1 to 99, got 100",
            "devnet --out x --relayer-port 70000     | devnet: --relayer-port must be between 1 and 65535, got 70000",
            "devnet --out x --real --endpoints 2     | devnet: --endpoints is a devnet option: a real node serves one RPC endpoint",
            "devnet --out x --block-interval 0s      | devnet: --block-interval must be a positive duration like 1s, 1.5s or 500ms, got '0s'",
            "demo --block-interval 5x                | demo: --block-interval must be a positive duration like 1s, 1.5s or 500ms, got '5x'",
            "bench --direction sideways              | bench: --direction must be eth-to-cosmos, cosmos-to-eth or both, got 'sideways'",
            "bench --swaps 0                         | bench: --swaps, --concurrency and --ceiling-seconds must be positive",
            "bench --catchup-events -1               | bench: --swaps, --concurrency and --ceiling-seconds must be positive",
            "bench --relayer-heap lots               | --relayer-heap like 256m",
            "bench --warmup-swaps -5                | --warmup-swaps not negative",
    })
    void aBadValueIsOneLineNamingItAndExitCode2(String args, String expected) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        var cli = EvmoreCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(out, true));
        int rc = cli.execute(args.trim().split("\\s+"));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains(expected).endsWith("--help)" + System.lineSeparator());
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(out.toString()).isEmpty();
    }
}
