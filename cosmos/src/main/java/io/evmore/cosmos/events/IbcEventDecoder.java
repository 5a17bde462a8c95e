package io.evmore.cosmos.events;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.cosmos.events.DroppedEvents.Reason;
import io.evmore.cosmos.ibc.SentTransfers;
import io.evmore.cosmos.rpc.AbciEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * Finds acknowledgements and timeouts of ICS-20 packets the relayer sent (ibc-go v8 events, COSMOS_WIRE §6).
 * {@code acknowledge_packet} / {@code timeout_packet} carry channel and sequence; the transfer module's
 * {@code fungible_token_packet} / {@code timeout} events that follow (same {@code msg_index}) carry the sender and
 * the outcome: {@code success} or {@code error}. A packet is ours if we recorded it or its sender is our address.
 */
public final class IbcEventDecoder {
    private static final Pattern CHANNEL = Pattern.compile("channel-[0-9]{1,18}");
    private final ChainId chain;
    private final String relayerAddress;
    private final SentTransfers sent;
    private final DroppedEvents dropped;

    public IbcEventDecoder(ChainId chain, String relayerAddress, SentTransfers sent, DroppedEvents dropped) {
        this.chain = chain;
        this.relayerAddress = relayerAddress;
        this.sent = sent;
        this.dropped = dropped;
    }

    private static final class Group {
        final boolean timeout;
        final String channel;
        final long sequence;
        final String msgIndex;
        final int eventIndex;
        String sender;
        String error;
        boolean success;

        Group(boolean timeout, String channel, long sequence, String msgIndex, int eventIndex) {
            this.timeout = timeout;
            this.channel = channel;
            this.sequence = sequence;
            this.msgIndex = msgIndex;
            this.eventIndex = eventIndex;
        }
    }

    /**
     * Decodes the IBC outcomes in one transaction's (or the block's finalize) events, in order.
     *
     * @param origin origin of the event at a given index
     */
    public List<ChainEvent> decode(List<AbciEvent> events, IntFunction<ChainEvent.Origin> origin) {
        List<Group> groups = new ArrayList<>();
        Group current = null;
        for (int i = 0; i < events.size(); i++) {
            AbciEvent e = events.get(i);
            String msgIndex = e.attr("msg_index").orElse(null);
            switch (e.type()) {
                case "acknowledge_packet", "timeout_packet" -> {
                    current = null;
                    if (!"transfer".equals(e.attr("packet_src_port").orElse("transfer"))) continue;
                    String channel = e.attr("packet_src_channel").orElse("");
                    String seq = e.attr("packet_sequence").orElse("");
                    if (!CHANNEL.matcher(channel).matches() || !seq.matches("[1-9][0-9]{0,18}")) {
                        dropped.drop(chain, Reason.MALFORMED_IBC_EVENT, e.type() + " with channel '"
                                + HtlcEventDecoder.abbreviate(channel) + "' sequence '"
                                + HtlcEventDecoder.abbreviate(seq) + "'", where(origin.apply(i)));
                        continue;
                    }
                    current = new Group(e.type().equals("timeout_packet"), channel, Long.parseLong(seq), msgIndex, i);
                    groups.add(current);
                }
                case "fungible_token_packet" -> {
                    if (current == null || current.timeout || !Objects.equals(current.msgIndex, msgIndex)) continue;
                    if (e.attr("sender").isPresent()) current.sender = e.attr("sender").get();
                    if (e.attr("error").isPresent()) current.error = e.attr("error").get();
                    if (e.attr("success").isPresent()) current.success = true;
                }
                case "timeout" -> {
                    if (current == null || !current.timeout || !Objects.equals(current.msgIndex, msgIndex)) continue;
                    if (e.attr("refund_receiver").isPresent()) current.sender = e.attr("refund_receiver").get();
                }
                default -> {
                    // other events do not end a group: the transfer module's events may be interleaved
                }
            }
        }
        List<ChainEvent> out = new ArrayList<>();
        for (Group g : groups) {
            boolean bySender = relayerAddress.equals(g.sender);
            boolean ours = bySender || sent.contains(g.channel, g.sequence);
            if (!ours) continue;
            // Settled: forget the record. Only when the sender matches too, so that decoding this block again
            // (a listener that failed gets the block again) still recognises the packet.
            if (bySender) sent.settle(g.channel, g.sequence);
            ChainEvent.Origin o = origin.apply(g.eventIndex);
            if (g.timeout) {
                out.add(new ChainEvent.TransferFailed(o, g.channel, g.sequence, "timeout"));
            } else if (g.error != null) {
                out.add(new ChainEvent.TransferFailed(o, g.channel, g.sequence,
                        "error acknowledgement: " + HtlcEventDecoder.abbreviate(g.error)));
            } else if (g.success) {
                out.add(new ChainEvent.TransferAcknowledged(o, g.channel, g.sequence));
            } else {
                dropped.drop(chain, Reason.MALFORMED_IBC_EVENT, "acknowledgement of " + g.channel + "/" + g.sequence
                        + " without success or error", where(o));
            }
        }
        return out;
    }

    private static String where(ChainEvent.Origin o) {
        return "height " + o.height() + " tx " + o.txHash() + " event " + o.index();
    }
}
