package io.evmore.devnet.ibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.evmore.devnet.chain.SdkException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransferModuleTest {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void forwardTimeoutAcceptsNanosAndGoDurationsWithDefaultsForNonPositive() {
        assertThat(TransferModule.parseTimeout(F.numberNode(5_000_000_000L))).isEqualTo(5_000_000_000L);
        assertThat(TransferModule.parseTimeout(F.textNode("10m"))).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(TransferModule.parseTimeout(F.textNode("1h30m15s"))).isEqualTo(Duration.ofSeconds(5415).toNanos());
        assertThat(TransferModule.parseTimeout(F.textNode("250ms"))).isEqualTo(250_000_000L);
        assertThat(TransferModule.parseTimeout(F.numberNode(0))).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(TransferModule.parseTimeout(null)).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThatThrownBy(() -> TransferModule.parseTimeout(F.textNode("ten minutes")))
                .isInstanceOf(SdkException.class).hasMessageContaining("ten minutes");
    }

    @Test
    void denomTraceSplitsPortChannelPairsFromTheBaseDenom() {
        var t = TransferModule.parseTrace("transfer/channel-0/transfer/channel-3/uatom");
        assertThat(t.getPath()).isEqualTo("transfer/channel-0/transfer/channel-3");
        assertThat(t.getBaseDenom()).isEqualTo("uatom");
        var withSlash = TransferModule.parseTrace("transfer/channel-1/gamm/pool/1");
        assertThat(withSlash.getPath()).isEqualTo("transfer/channel-1");
        assertThat(withSlash.getBaseDenom()).isEqualTo("gamm/pool/1");
        assertThat(TransferModule.localDenom("stake")).isEqualTo("stake");
        assertThat(TransferModule.localDenom("transfer/channel-0/stake")).startsWith("ibc/").hasSize(68);
    }
}
