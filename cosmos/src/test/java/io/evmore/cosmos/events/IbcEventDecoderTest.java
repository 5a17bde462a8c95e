package io.evmore.cosmos.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.cosmos.ibc.SentTransfers;
import io.evmore.cosmos.rpc.AbciEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IbcEventDecoderTest {
    static final ChainId CHAIN = ChainId.of("home-1");
    static final String RELAYER = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
    final SentTransfers sent = new SentTransfers();
    final DroppedEvents dropped = new DroppedEvents(new PrometheusRegistry());
    final IbcEventDecoder decoder = new IbcEventDecoder(CHAIN, RELAYER, sent, dropped);

    static AbciEvent ev(String type, String... kv) {
        List<AbciEvent.Attribute> a = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) a.add(new AbciEvent.Attribute(kv[i], kv[i + 1]));
        return new AbciEvent(type, a);
    }

    static ChainEvent.Origin origin(int i) {
        return new ChainEvent.Origin(CHAIN, 9, "AA".repeat(32), "BB".repeat(32), i);
    }

    static List<AbciEvent> ack(String channel, String seq, String sender, String outcomeKey, String outcome, String msgIndex) {
        return List.of(
                ev("message", "action", "/ibc.core.channel.v1.MsgAcknowledgement", "msg_index", msgIndex),
                ev("acknowledge_packet", "packet_sequence", seq, "packet_src_port", "transfer",
                        "packet_src_channel", channel, "msg_index", msgIndex),
                ev("fungible_token_packet", "module", "transfer", "sender", sender, "receiver", "x", "denom", "stake",
                        "amount", "5", "memo", "", "acknowledgement", "result:\"\\001\" ", "msg_index", msgIndex),
                ev("fungible_token_packet", outcomeKey, outcome, "msg_index", msgIndex));
    }

    @Test
    void successAndErrorAcknowledgementsOfOurPacketsAreReported() {
        sent.record("channel-0", 4);
        List<AbciEvent> events = new ArrayList<>(ack("channel-0", "4", RELAYER, "success", "\u0001", "0"));
        events.addAll(ack("channel-0", "5", RELAYER, "error", "ABCI code: 6: error handling packet", "1"));
        List<ChainEvent> out = decoder.decode(events, IbcEventDecoderTest::origin);
        assertThat(out).containsExactly(
                new ChainEvent.TransferAcknowledged(origin(1), "channel-0", 4),
                new ChainEvent.TransferFailed(origin(5), "channel-0", 5,
                        "error acknowledgement: ABCI code: 6: error handling packet"));
        // A settled packet of ours is forgotten; decoding the same block again still finds it by its sender.
        assertThat(sent.contains("channel-0", 4)).isFalse();
        assertThat(decoder.decode(events, IbcEventDecoderTest::origin)).hasSize(2);
    }

    @Test
    void othersPacketsAreIgnoredUnlessRecordedAsOurs() {
        List<AbciEvent> events = ack("channel-1", "8", "cosmos1someoneelse", "success", "\u0001", "0");
        assertThat(decoder.decode(events, IbcEventDecoderTest::origin)).isEmpty();
        sent.record("channel-1", 8);
        assertThat(decoder.decode(events, IbcEventDecoderTest::origin)).hasSize(1);
    }

    @Test
    void timeoutsAreFailures() {
        List<AbciEvent> events = List.of(
                ev("timeout_packet", "packet_sequence", "3", "packet_src_port", "transfer",
                        "packet_src_channel", "channel-2", "msg_index", "0"),
                ev("timeout", "module", "transfer", "refund_receiver", RELAYER, "refund_denom", "stake",
                        "refund_amount", "5", "msg_index", "0"));
        assertThat(decoder.decode(events, IbcEventDecoderTest::origin))
                .containsExactly(new ChainEvent.TransferFailed(origin(0), "channel-2", 3, "timeout"));
    }

    @Test
    void malformedPacketEventsAreDroppedNotThrown() {
        List<AbciEvent> events = List.of(ev("acknowledge_packet", "packet_sequence", "x", "packet_src_channel", "c"));
        assertThat(decoder.decode(events, IbcEventDecoderTest::origin)).isEmpty();
        assertThat(dropped.count(CHAIN, DroppedEvents.Reason.MALFORMED_IBC_EVENT)).isEqualTo(1);
    }
}
