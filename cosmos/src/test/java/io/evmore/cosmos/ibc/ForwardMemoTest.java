package io.evmore.cosmos.ibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.swap.Hashlock;
import io.evmore.cosmos.HtlcMessages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardMemoTest {
    static final String CONTRACT = "final14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0000000";
    final Hashlock hl = Hashlock.fromHex("ab".repeat(32));

    @Test
    void twoHopRouteNestsAForwardAroundTheHooksMemo() {
        IbcRoute route = new IbcRoute("final-1", List.of(
                new IbcRoute.Hop("transfer", "channel-0", "mid1relayer", Duration.ofMinutes(5), 0),
                new IbcRoute.Hop("transfer", "channel-7", "final1relayer", Duration.ofMinutes(10), 2)));
        var wasm = ForwardMemo.wasm(CONTRACT,
                HtlcMessages.createHtlc("final1user", hl, 1700000100, "eip155:1", "0xabc", "final1relayer"));
        String memo = ForwardMemo.text(ForwardMemo.forRoute(route, CONTRACT, wasm));
        assertThat(memo).isEqualTo("{\"forward\":{\"receiver\":\"" + CONTRACT + "\",\"port\":\"transfer\","
                + "\"channel\":\"channel-7\",\"timeout\":\"600s\",\"retries\":2,\"next\":{\"wasm\":{\"contract\":\""
                + CONTRACT + "\",\"msg\":{\"create_htlc\":{\"receiver\":\"final1user\",\"hashlock\":\"" + "ab".repeat(32)
                + "\",\"timelock\":1700000100,\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\","
                + "\"refund_address\":\"final1relayer\"}}}}}}");
        assertThat(ForwardMemo.firstReceiver(route, CONTRACT)).isEqualTo("mid1relayer");
        assertThat(route.worstCaseDelivery()).isEqualTo(Duration.ofMinutes(35));
    }

    @Test
    void threeHopsAndDirect() {
        IbcRoute three = new IbcRoute("c-3", List.of(
                new IbcRoute.Hop("transfer", "channel-0", "a1", Duration.ofSeconds(60), 0),
                new IbcRoute.Hop("transfer", "channel-1", "b1", Duration.ofSeconds(90), 1),
                new IbcRoute.Hop("transfer", "channel-2", "c1", Duration.ofMillis(1500), 0)));
        String memo = ForwardMemo.text(ForwardMemo.forRoute(three, "c1contract", null));
        assertThat(memo).isEqualTo("{\"forward\":{\"receiver\":\"b1\",\"port\":\"transfer\",\"channel\":\"channel-1\","
                + "\"timeout\":\"90s\",\"retries\":1,\"next\":{\"forward\":{\"receiver\":\"c1contract\",\"port\":\"transfer\","
                + "\"channel\":\"channel-2\",\"timeout\":\"1500000000ns\",\"retries\":0}}}}");
        IbcRoute direct = new IbcRoute("c-1", List.of(new IbcRoute.Hop("transfer", "channel-0", "x", Duration.ofSeconds(5), 0)));
        assertThat(ForwardMemo.forRoute(direct, "c", null)).isNull();
        assertThat(ForwardMemo.firstReceiver(direct, "contract")).isEqualTo("contract");
    }

    @Test
    void badHopsAreRejected() {
        assertThatThrownBy(() -> new IbcRoute.Hop("transfer", "chan-0", "x", Duration.ofSeconds(5), 0))
                .hasMessageContaining("chan-0");
        assertThatThrownBy(() -> new IbcRoute.Hop("transfer", "channel-0", "x", Duration.ZERO, 0))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> new IbcRoute.Hop("transfer", "channel-0", "x", Duration.ofSeconds(1), 256))
                .hasMessageContaining("retries");
        assertThatThrownBy(() -> new IbcRoute("x", List.of())).hasMessageContaining("no hops");
    }
}
