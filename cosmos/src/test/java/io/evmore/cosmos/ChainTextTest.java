package io.evmore.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChainTextTest {
    @Test
    void boundedAndOnOneLine() {
        assertThat(ChainText.bounded("ok text", 80)).isEqualTo("ok text");
        assertThat(ChainText.bounded("a\nb\r\tc\u001b[0m\u0000", 80)).isEqualTo("a?b??c?[0m?");
        assertThat(ChainText.bounded("y".repeat(100), 10)).isEqualTo("y".repeat(10) + "…");
        assertThat(ChainText.bounded(null, 10)).isEmpty();
    }
}
