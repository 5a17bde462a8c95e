package io.evmore.devnet.ibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.evmore.devnet.chain.SdkException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PacketForwardTest {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void forwardTimeoutAcceptsNanosAndGoDurationsWithDefaultsForNonPositive() {
        assertThat(PacketForward.parseTimeout(F.numberNode(5_000_000_000L))).isEqualTo(5_000_000_000L);
        assertThat(PacketForward.parseTimeout(F.textNode("10m"))).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(PacketForward.parseTimeout(F.textNode("1h30m15s"))).isEqualTo(Duration.ofSeconds(5415).toNanos());
        assertThat(PacketForward.parseTimeout(F.textNode("250ms"))).isEqualTo(250_000_000L);
        assertThat(PacketForward.parseTimeout(F.numberNode(0))).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(PacketForward.parseTimeout(null)).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThatThrownBy(() -> PacketForward.parseTimeout(F.textNode("ten minutes")))
                .isInstanceOf(SdkException.class).hasMessageContaining("ten minutes");
    }
}
