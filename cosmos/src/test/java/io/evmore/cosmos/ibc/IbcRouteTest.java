package io.evmore.cosmos.ibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.TransferModule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IbcRouteTest {
    static final String RELAYER = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";

    /** The devnet's topology: A channel-0 ↔ B channel-0, B channel-1 ↔ C channel-0. */
    static IbcRoute aToC() {
        return new IbcRoute("devnet-a", "devnet-c", List.of(
                new IbcRoute.Hop("devnet-b", "osmo", "transfer", "channel-0", "channel-0", Duration.ofMinutes(5), 0),
                new IbcRoute.Hop("devnet-c", "juno", "transfer", "channel-1", "channel-0", Duration.ofMinutes(10), 2)));
    }

    @Test
    void denomsAlongPrefixEachReceivingChannel() {
        List<IbcRoute.HopDenom> d = aToC().denomsAlong("stake");
        assertThat(d).extracting(IbcRoute.HopDenom::chainId).containsExactly("devnet-b", "devnet-c");
        assertThat(d).extracting(IbcRoute.HopDenom::trace)
                .containsExactly("transfer/channel-0/stake", "transfer/channel-0/transfer/channel-0/stake");
        assertThat(d.get(1).denom()).isEqualTo(TransferModule.voucherDenom("transfer/channel-0/transfer/channel-0/stake"));
        assertThat(aToC().finalDenom("stake")).isEqualTo(d.get(1).denom());

        IbcRoute other = new IbcRoute("a", "c", List.of(
                new IbcRoute.Hop("b", "b", "transfer", "channel-4", "channel-0", Duration.ofMinutes(5), 0),
                new IbcRoute.Hop("c", "c", "transfer", "channel-2", "channel-1", Duration.ofMinutes(5), 0)));
        assertThat(other.denomsAlong("uatom")).extracting(IbcRoute.HopDenom::trace)
                .containsExactly("transfer/channel-0/uatom", "transfer/channel-1/transfer/channel-0/uatom");
    }

    @Test
    void refusesVouchersAndUnwindingRoutes() {
        assertThatThrownBy(() -> aToC().denomsAlong("ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"))
                .hasMessageContaining("'ibc/27394FB0").hasMessageContaining("native to devnet-a");
        // B receives on channel-0 and the route sends back out over B's channel-0: that unwinds, not prefixes.
        IbcRoute back = new IbcRoute("a", "c", List.of(
                new IbcRoute.Hop("b", "b", "transfer", "channel-0", "channel-0", Duration.ofMinutes(5), 0),
                new IbcRoute.Hop("c", "c", "transfer", "channel-0", "channel-3", Duration.ofMinutes(5), 0)));
        assertThatThrownBy(() -> back.denomsAlong("uatom")).hasMessageContaining("unwind")
                .hasMessageContaining("'transfer/channel-0/uatom'").hasMessageContaining("channel-0");
        assertThatThrownBy(() -> aToC().denomsAlong("x")).hasMessageContaining("'x'");
    }

    @Test
    void sendersAndFinalCreatorFollowPfmAndHooksDerivations() {
        String onB = Bech32Address.encode("osmo", AddressDerivation.pfmReceiver("channel-0", RELAYER));
        assertThat(aToC().senders(RELAYER)).containsExactly(RELAYER, onB);
        assertThat(aToC().finalCreator(RELAYER))
                .isEqualTo(Bech32Address.encode("juno", AddressDerivation.hooksSender("channel-0", onB)));
        // Channel ids that differ between the ends: the derivations use the channel the packet arrives on.
        IbcRoute asym = new IbcRoute("a", "c", List.of(
                new IbcRoute.Hop("b", "osmo", "transfer", "channel-4", "channel-2", Duration.ofMinutes(5), 0),
                new IbcRoute.Hop("c", "juno", "transfer", "channel-7", "channel-9", Duration.ofMinutes(5), 0)));
        String asymOnB = Bech32Address.encode("osmo", AddressDerivation.pfmReceiver("channel-2", RELAYER));
        assertThat(asym.senders(RELAYER)).containsExactly(RELAYER, asymOnB);
        assertThat(asym.finalCreator(RELAYER))
                .isEqualTo(Bech32Address.encode("juno", AddressDerivation.hooksSender("channel-9", asymOnB)));
        IbcRoute direct = new IbcRoute("devnet-a", "devnet-b", List.of(aToC().hops().getFirst()));
        assertThat(direct.senders(RELAYER)).containsExactly(RELAYER);
        assertThat(direct.finalCreator(RELAYER))
                .isEqualTo(Bech32Address.encode("osmo", AddressDerivation.hooksSender("channel-0", RELAYER)));
    }

    @Test
    void badHopsAndRoutesAreRejectedNamingTheValue() {
        Duration t = Duration.ofSeconds(5);
        assertThatThrownBy(() -> new IbcRoute.Hop("b", "osmo", "transfer", "chan-0", "channel-0", t, 0))
                .hasMessageContaining("'chan-0'");
        assertThatThrownBy(() -> new IbcRoute.Hop("b", "osmo", "transfer", "channel-0", "ch-9", t, 0))
                .hasMessageContaining("counterparty").hasMessageContaining("'ch-9'");
        assertThatThrownBy(() -> new IbcRoute.Hop("b", "Osmo", "transfer", "channel-0", "channel-0", t, 0))
                .hasMessageContaining("'Osmo'");
        assertThatThrownBy(() -> new IbcRoute.Hop("b", "osmo", "transfer", "channel-0", "channel-0", Duration.ZERO, 0))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> new IbcRoute.Hop("b", "osmo", "transfer", "channel-0", "channel-0", t, 256))
                .hasMessageContaining("256");
        assertThatThrownBy(() -> new IbcRoute("a", "x", List.of())).hasMessageContaining("no hops");
        IbcRoute.Hop toB = new IbcRoute.Hop("b", "osmo", "transfer", "channel-0", "channel-0", t, 0);
        assertThatThrownBy(() -> new IbcRoute("a", "c", List.of(toB))).hasMessageContaining("ends at b");
        assertThatThrownBy(() -> new IbcRoute("b", "b", List.of(toB))).hasMessageContaining("visits b twice");
    }
}
