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
        return migration("V1__swaps_transitions_cursors_intents.sql");
    }

    private static String migration(String file) throws IOException {
        try (InputStream in = SchemaTest.class.getResourceAsStream("/db/migration/" + file)) {
            assertThat(in).as(file + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void hashlockHolderIndexCoversExactlyTheStatesThatHoldAHashlock() throws IOException {
        Matcher m = Pattern.compile("ux_swaps_hashlock_holder ON swaps\\(hashlock\\)\\s+WHERE status IN \\(([^)]*)\\)")
                .matcher(migration("V4__hashlock_holder_and_dest_height.sql"));
        assertThat(m.find()).isTrue();
        String expected = Arrays.stream(SwapState.values()).filter(SwapState::holdsHashlock)
                .map(s -> "'" + s.name() + "'").sorted().reduce((a, b) -> a + "," + b).orElseThrow();
        String actual = Arrays.stream(m.group(1).split(",")).map(String::strip).sorted()
                .reduce((a, b) -> a + "," + b).orElseThrow();
        assertThat(actual).isEqualTo(expected);
        assertThat(SwapRows.HASHLOCK_HOLDER_STATES_SQL).isEqualTo("(" + String.join(",",
                Arrays.stream(SwapState.values()).filter(SwapState::holdsHashlock).map(s -> "'" + s.name() + "'")
                        .toList()) + ")");
        assertThat(SwapRows.TERMINAL_STATES_SQL).isEqualTo("(" + String.join(",",
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
