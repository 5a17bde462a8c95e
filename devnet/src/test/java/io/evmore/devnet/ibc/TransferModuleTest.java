package io.evmore.devnet.ibc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransferModuleTest {
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
