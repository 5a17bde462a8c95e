package io.evmore.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import org.junit.jupiter.api.Test;

/** The messages exactly as htlc-contract-api.md writes them. */
class HtlcMessagesTest {
    @Test
    void executeAndQueryTexts() {
        Hashlock hl = Hashlock.fromHex("AB".repeat(32));
        assertThat(HtlcMessages.write(HtlcMessages.createHtlc("cosmos1r", hl, 1700000100, "eip155:1", "0xabc", null)))
                .isEqualTo("{\"create_htlc\":{\"receiver\":\"cosmos1r\",\"hashlock\":\"" + "ab".repeat(32)
                        + "\",\"timelock\":1700000100,\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\"}}");
        assertThat(HtlcMessages.write(HtlcMessages.createHtlc("r", hl, 5, "c", "a\"b", "cosmos1refund")))
                .endsWith("\"target_address\":\"a\\\"b\",\"refund_address\":\"cosmos1refund\"}}");
        Secret s = Secret.of(new byte[32]);
        assertThat(HtlcMessages.withdraw("htlc_3", s))
                .isEqualTo("{\"withdraw\":{\"htlc_id\":\"htlc_3\",\"secret\":\"" + "00".repeat(32) + "\"}}");
        assertThat(HtlcMessages.refund("htlc_3")).isEqualTo("{\"refund\":{\"htlc_id\":\"htlc_3\"}}");
        assertThat(HtlcMessages.getHtlc("htlc_1")).isEqualTo("{\"get_htlc\":{\"htlc_id\":\"htlc_1\"}}");
        assertThat(HtlcMessages.listHtlcs(null, null)).isEqualTo("{\"list_htlcs\":{\"start_after\":null,\"limit\":null}}");
        assertThat(HtlcMessages.listHtlcs("htlc_3", 10))
                .isEqualTo("{\"list_htlcs\":{\"start_after\":\"htlc_3\",\"limit\":10}}");
    }
}
