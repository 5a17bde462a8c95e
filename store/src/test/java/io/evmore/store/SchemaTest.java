package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.swap.SwapState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the SQL schema in step with the domain it stores. */
class SchemaTest {

    private static String migration() throws IOException {
        try (InputStream in = SchemaTest.class.getResourceAsStream(
                "/db/migration/V1__swaps_transitions_cursors_intents.sql")) {
            assertThat(in).as("first migration on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void activeHashlockIndexExcludesExactlyTheTerminalStates() throws IOException {
        Matcher m = Pattern.compile("ux_swaps_active_hashlock ON swaps\\(hashlock\\)\\s+WHERE status NOT IN \\(([^)]*)\\)")
                .matcher(migration());
        assertThat(m.find()).isTrue();
        String expected = Arrays.stream(SwapState.values()).filter(SwapState::isTerminal)
                .map(s -> "'" + s.name() + "'").sorted().reduce((a, b) -> a + "," + b).orElseThrow();
        String actual = Arrays.stream(m.group(1).split(",")).map(String::strip).sorted()
                .reduce((a, b) -> a + "," + b).orElseThrow();
        assertThat(actual).isEqualTo(expected);
        assertThat(JdbcSwapStore.TERMINAL_STATES_SQL).isEqualTo("(" + String.join(",",
                Arrays.stream(SwapState.values()).filter(SwapState::isTerminal).map(s -> "'" + s.name() + "'")
                        .toList()) + ")");
    }

    @Test
    void stateColumnsFitEveryStateName() {
        for (SwapState s : SwapState.values()) assertThat(s.name().length()).isLessThanOrEqualTo(32);
    }

    @Test
    void operationsGuideIndexesAreDeclaredVerbatim() throws IOException {
        assertThat(migration())
                .contains("CREATE INDEX idx_swaps_status ON swaps(status);")
                .contains("CREATE INDEX idx_swaps_created_at ON swaps(created_at);")
                .contains("CREATE INDEX idx_swaps_chain ON swaps(from_chain, to_chain);");
    }
}
