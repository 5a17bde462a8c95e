package io.evmore.devnet.ibc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import java.nio.charset.StandardCharsets;

/**
 * What the devnet's in-process relayer submits to a chain. Each becomes a tx in the block so its events are
 * indexed like a real relayer's MsgRecvPacket/MsgAcknowledgement/MsgTimeout; the Any value carries the packet
 * as JSON (the devnet has no ibc core protobuf types) and the tx is unsigned.
 */
public sealed interface RelayOp {
    Packet packet();

    String typeUrl();

    default String describe() {
        Packet p = packet();
        return typeUrl().substring(typeUrl().lastIndexOf('.') + 1) + " " + p.sourceChannel() + "->" + p.destChannel() + " #" + p.sequence();
    }

    default byte[] txBytes() {
        String json = "{\"sequence\":" + packet().sequence() + ",\"source_channel\":\"" + packet().sourceChannel()
                + "\",\"destination_channel\":\"" + packet().destChannel() + "\",\"data\":\""
                + java.util.Base64.getEncoder().encodeToString(packet().data()) + "\",\"op\":\"" + getClass().getSimpleName() + "\"}";
        TxBody body = TxBody.newBuilder()
                .addMessages(Any.newBuilder().setTypeUrl(typeUrl()).setValue(ByteString.copyFrom(json, StandardCharsets.UTF_8)))
                .setMemo("devnet relayer")
                .build();
        return TxRaw.newBuilder().setBodyBytes(body.toByteString()).build().toByteArray();
    }

    record Recv(Packet packet) implements RelayOp {
        public String typeUrl() {
            return "/ibc.core.channel.v1.MsgRecvPacket";
        }
    }

    record Ack(Packet packet, byte[] ack) implements RelayOp {
        public String typeUrl() {
            return "/ibc.core.channel.v1.MsgAcknowledgement";
        }
    }

    record Timeout(Packet packet) implements RelayOp {
        public String typeUrl() {
            return "/ibc.core.channel.v1.MsgTimeout";
        }
    }
}
