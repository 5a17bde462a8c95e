package io.evmore.cosmos.ibc;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.IbcCounterLock.Outcome;
import io.evmore.core.chain.PacketId;
import io.evmore.cosmos.events.IbcEventDecoder;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the home chain recorded for a transfer the relayer sent, found by query — the safety net under the follower's
 * acknowledgement and timeout events, which can be missed. {@code tx_search} finds the transactions that carried the
 * packet's {@code acknowledge_packet} or {@code timeout_packet} event (ibc-go indexes {@code packet_src_channel} and
 * {@code packet_sequence}); their events are read by the same {@link IbcEventDecoder} the follower uses, so success,
 * error acknowledgement and timeout mean exactly what they mean there. Any failure to ask is "in flight".
 */
public final class PacketOutcomes {
    private static final Logger log = LoggerFactory.getLogger(PacketOutcomes.class);
    private final CometRpcClient rpc;
    private final IbcEventDecoder decoder;

    /** @param decoder a decoder that recognises the relayer's packets by their sender (the home chain's relayer address) */
    public PacketOutcomes(CometRpcClient rpc, IbcEventDecoder decoder) {
        this.rpc = rpc;
        this.decoder = decoder;
    }

    /** The tx_search queries for the packet's acknowledgement and its timeout. */
    static List<String> queries(PacketId packet) {
        String where = ".packet_src_channel='" + packet.channel() + "' AND %s.packet_sequence='" + packet.sequence() + "'";
        return List.of("acknowledge_packet" + where.formatted("acknowledge_packet"), "timeout_packet" + where.formatted("timeout_packet"));
    }

    public Outcome find(PacketId packet) {
        try {
            for (String q : queries(packet)) {
                for (IndexedTx t : rpc.txSearch(q, 1, 10, true).txs()) {
                    if (!t.result().ok()) continue;
                    List<ChainEvent> events = decoder.decode(t.result().events(), i -> new ChainEvent.Origin(packet.chain(),
                            t.height(), null, t.hash(), i));
                    for (ChainEvent e : events) {
                        switch (e) {
                            case ChainEvent.TransferAcknowledged a when a.sourceChannel().equals(packet.channel())
                                    && a.sequence() == packet.sequence() -> {
                                return new Outcome.Delivered(t.hash());
                            }
                            case ChainEvent.TransferFailed f when f.sourceChannel().equals(packet.channel())
                                    && f.sequence() == packet.sequence() -> {
                                return new Outcome.Failed(t.hash(), f.reason());
                            }
                            default -> { }
                        }
                    }
                }
            }
            return new Outcome.InFlight("no acknowledgement or timeout of " + packet + " indexed yet");
        } catch (RuntimeException e) {
            log.debug("asking for the outcome of {} failed: {}", packet, e.getMessage());
            return new Outcome.InFlight("could not ask: " + e.getMessage());
        }
    }
}
