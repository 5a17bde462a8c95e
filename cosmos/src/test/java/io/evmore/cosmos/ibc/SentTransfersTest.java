package io.evmore.cosmos.ibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SentTransfersTest {

    @Test
    void recordsSettlesAndForgetsTheOldestBeyondItsCapacity() {
        SentTransfers s = new SentTransfers(3);
        for (long seq = 1; seq <= 5; seq++) s.record("channel-0", seq);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.contains("channel-0", 1)).isFalse();
        assertThat(s.contains("channel-0", 2)).isFalse();
        assertThat(s.contains("channel-0", 3)).isTrue();
        assertThat(s.contains("channel-0", 5)).isTrue();
        assertThat(s.contains("channel-1", 5)).isFalse();
        s.settle("channel-0", 5);
        assertThat(s.contains("channel-0", 5)).isFalse();
        assertThat(s.size()).isEqualTo(2);
        assertThatThrownBy(() -> new SentTransfers(0)).hasMessageContaining("capacity");
    }
}
