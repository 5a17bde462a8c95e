package io.evmore.cosmos.ibc;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.swap.Hashlock;
import io.evmore.cosmos.HtlcMessages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardMemoTest {
    static final String CONTRACT = "final14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0000000";
    static final String HOME_RELAYER = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
    final Hashlock hl = Hashlock.fromHex("ab".repeat(32));

    @Test
    void twoHopRouteNestsAForwardAroundTheHooksMemo() {
        IbcRoute route = new IbcRoute("home-1", "final-1", List.of(
                new IbcRoute.Hop("mid-1", "mid", "transfer", "channel-0", "channel-3", Duration.ofMinutes(5), 0),
                new IbcRoute.Hop("final-1", "final", "transfer", "channel-7", "channel-9", Duration.ofMinutes(10), 2)));
        var wasm = ForwardMemo.wasm(CONTRACT,
                HtlcMessages.createHtlc("final1user", hl, 1700000100, "eip155:1", "0xabc", "final1relayer"));
        String memo = ForwardMemo.text(ForwardMemo.forRoute(route, HOME_RELAYER, CONTRACT, wasm));
        assertThat(memo).isEqualTo("{\"forward\":{\"receiver\":\"" + CONTRACT + "\",\"port\":\"transfer\","
                + "\"channel\":\"channel-7\",\"timeout\":\"600s\",\"retries\":2,\"next\":{\"wasm\":{\"contract\":\""
                + CONTRACT + "\",\"msg\":{\"create_htlc\":{\"receiver\":\"final1user\",\"hashlock\":\"" + "ab".repeat(32)
                + "\",\"timelock\":1700000100,\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\","
                + "\"refund_address\":\"final1relayer\"}}}}}}");
        // The first packet goes to where PFM on mid-1 puts the funds: its intermediate for (channel-3, relayer).
        assertThat(ForwardMemo.firstReceiver(route, HOME_RELAYER, CONTRACT))
                .isEqualTo(IbcAddresses.pfmIntermediate("mid", "channel-3", HOME_RELAYER)).startsWith("mid1");
        assertThat(route.worstCaseDelivery()).isEqualTo(Duration.ofMinutes(35));
    }

    @Test
    void threeHopsAndDirect() {
        IbcRoute three = new IbcRoute("home", "c-3", List.of(
                new IbcRoute.Hop("a-1", "a", "transfer", "channel-0", "channel-5", Duration.ofSeconds(60), 0),
                new IbcRoute.Hop("b-2", "b", "transfer", "channel-1", "channel-6", Duration.ofSeconds(90), 1),
                new IbcRoute.Hop("c-3", "c", "transfer", "channel-2", "channel-7", Duration.ofMillis(1500), 0)));
        String onA = IbcAddresses.pfmIntermediate("a", "channel-5", HOME_RELAYER);
        String onB = IbcAddresses.pfmIntermediate("b", "channel-6", onA);
        String memo = ForwardMemo.text(ForwardMemo.forRoute(three, HOME_RELAYER, "c1contract", null));
        assertThat(memo).isEqualTo("{\"forward\":{\"receiver\":\"" + onB + "\",\"port\":\"transfer\",\"channel\":\"channel-1\","
                + "\"timeout\":\"90s\",\"retries\":1,\"next\":{\"forward\":{\"receiver\":\"c1contract\",\"port\":\"transfer\","
                + "\"channel\":\"channel-2\",\"timeout\":\"1500000000ns\",\"retries\":0}}}}");
        assertThat(ForwardMemo.firstReceiver(three, HOME_RELAYER, "c1contract")).isEqualTo(onA);
        IbcRoute direct = new IbcRoute("home", "c-1", List.of(
                new IbcRoute.Hop("c-1", "c", "transfer", "channel-0", "channel-0", Duration.ofSeconds(5), 0)));
        assertThat(ForwardMemo.forRoute(direct, HOME_RELAYER, "c", null)).isNull();
        assertThat(ForwardMemo.firstReceiver(direct, HOME_RELAYER, "contract")).isEqualTo("contract");
    }
}
