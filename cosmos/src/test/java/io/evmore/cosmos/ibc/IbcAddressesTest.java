package io.evmore.cosmos.ibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.TransferModule;
import org.junit.jupiter.api.Test;

class IbcAddressesTest {
    static final String SENDER = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"; // bytes 0x01..0x14

    @Test
    void voucherDenomOfAtomOnOsmosisChannel0IsTheWellKnownHash() {
        // ATOM as it appears on Osmosis (its channel-0 to the Hub), published in every explorer.
        assertThat(IbcAddresses.voucherDenom("transfer/channel-0/uatom"))
                .isEqualTo("ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2");
    }

    @Test
    void handCheckedVectorsComputedOutsideJava() {
        // Computed with a few lines of Python (hashlib + the BIP-173 reference bech32 encoder).
        assertThat(IbcAddresses.pfmIntermediate("osmo", "channel-0", SENDER))
                .isEqualTo("osmo1w56elchrzqdlpylj88af33avtacfyngm6mscet");
        assertThat(IbcAddresses.hooksIntermediary("juno", "channel-0", SENDER))
                .isEqualTo("juno1gcnkk474hvk8yykfjg8effph9uqx4ucathaj5yv3eh8gsf352zksy2wdph");
    }

    @Test
    void agreesWithTheDevnetsOwnDerivations() {
        for (String channel : new String[] {"channel-0", "channel-1", "channel-17"}) {
            for (String sender : new String[] {SENDER, "osmo1w56elchrzqdlpylj88af33avtacfyngm6mscet"}) {
                assertThat(IbcAddresses.pfmIntermediate("osmo", channel, sender))
                        .isEqualTo(Bech32Address.encode("osmo", AddressDerivation.pfmReceiver(channel, sender)));
                assertThat(IbcAddresses.hooksIntermediary("juno", channel, sender))
                        .isEqualTo(Bech32Address.encode("juno", AddressDerivation.hooksSender(channel, sender)))
                        .hasSize("juno".length() + 59);
            }
            String trace = "transfer/" + channel + "/transfer/channel-0/stake";
            assertThat(IbcAddresses.voucherDenom(trace)).isEqualTo(TransferModule.voucherDenom(trace));
        }
    }

    @Test
    void theSeparatorAndTheChannelMatter() {
        assertThat(IbcAddresses.pfmIntermediate("osmo", "channel-1", SENDER))
                .isNotEqualTo(IbcAddresses.pfmIntermediate("osmo", "channel-0", SENDER));
        assertThat(IbcAddresses.hooksIntermediary("juno", "channel-0", SENDER))
                .isNotEqualTo(IbcAddresses.pfmIntermediate("juno", "channel-0", SENDER));
    }

    @Test
    void badInputsAreNamed() {
        assertThatThrownBy(() -> IbcAddresses.pfmIntermediate("osmo", "chan-0", SENDER)).hasMessageContaining("'chan-0'");
        assertThatThrownBy(() -> IbcAddresses.hooksIntermediary("juno", "channel-0", "")).hasMessageContaining("sender");
        assertThatThrownBy(() -> IbcAddresses.voucherDenom("uatom")).hasMessageContaining("'uatom'");
    }
}
