package io.evmore.devnet.chain;

import io.evmore.devnet.ibc.Packet;
import java.util.ArrayList;
import java.util.List;

/** IBC effects of a tx that only take effect if the tx (or packet callback) commits. */
public final class Outbox {
    public record WrittenAck(Packet packet, byte[] ack) {}

    public final List<Packet> sent = new ArrayList<>();
    public final List<WrittenAck> acks = new ArrayList<>();
    /** Packets the relayer tried to deliver here after their timeout: the source must time them out. */
    public final List<Packet> expired = new ArrayList<>();

    public void addAll(Outbox other) {
        sent.addAll(other.sent);
        acks.addAll(other.acks);
        expired.addAll(other.expired);
    }
}
