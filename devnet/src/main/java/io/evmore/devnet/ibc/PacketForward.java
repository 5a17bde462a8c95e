package io.evmore.devnet.ibc;

import static io.evmore.devnet.ibc.TransferModule.PORT;
import static io.evmore.devnet.ibc.TransferModule.escrow;
import static io.evmore.devnet.ibc.TransferModule.json;
import static io.evmore.devnet.ibc.TransferModule.receive;
import static io.evmore.devnet.ibc.TransferModule.send;
import static io.evmore.devnet.ibc.TransferModule.tokenEvent;
import static io.evmore.devnet.ibc.TransferModule.writeAck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.evmore.devnet.chain.Coins;
import io.evmore.devnet.chain.Kv;
import io.evmore.devnet.chain.MsgContext;
import io.evmore.devnet.chain.SdkException;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.TransferModule.PacketData;
import io.evmore.devnet.ibc.TransferModule.Received;
import io.evmore.devnet.wasm.WasmModule;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Packet-forward middleware (ibc-apps v8) on one chain's transfer: a receive whose memo carries {@code forward} is
 * credited to an intermediate address and sent on over the named channel (timeout, retries, the next memo); the
 * original packet is acknowledged when the forwarded one is (its ack passed back unchanged), or error-acked with
 * the receive undone once retries run out. What is in flight is kept in the chain's state.
 */
final class PacketForward {
    static final long PFM_DEFAULT_TIMEOUT_NANOS = Duration.ofMinutes(10).toNanos();
    static final int PFM_DEFAULT_RETRIES = 3;
    private static final String PFM = "ibc/pfm/";

    private PacketForward() {}

    /** A receive whose memo has a {@code forward} key: credit the intermediate address and send the funds on. */
    static byte[] forward(MsgContext ctx, Packet p, PacketData d, JsonNode fwd) {
        String receiver = fwd.path("receiver").asText("");
        String port = fwd.path("port").asText(PORT);
        String channel = fwd.path("channel").asText("");
        if (receiver.isEmpty() || channel.isEmpty() || !port.equals(PORT)) {
            throw new SdkException(2, "packetfowardmiddleware", "failed to validate forward metadata: invalid forward metadata");
        }
        long timeout = parseTimeout(fwd.get("timeout"));
        int retries = fwd.has("retries") ? fwd.get("retries").asInt(PFM_DEFAULT_RETRIES) : PFM_DEFAULT_RETRIES;
        if (retries < 0 || retries > 255) {
            throw new SdkException(2, "packetfowardmiddleware", "retries must fit in uint8: invalid forward metadata");
        }
        String nextMemo = "";
        JsonNode next = fwd.get("next");
        if (next != null && !next.isNull()) {
            nextMemo = next.isTextual() ? next.asText() : new String(json(next), StandardCharsets.UTF_8);
        }
        String intermediate = Bech32Address.encode(ctx.state.prefix(), AddressDerivation.pfmReceiver(p.destChannel(), d.sender()));
        Received r = receive(ctx, p, d, intermediate);
        ctx.events.add(tokenEvent(d, true, null));
        InFlight f = new InFlight(p, intermediate, r, receiver, channel, timeout, retries, nextMemo);
        sendForward(ctx, f);
        return null;
    }

    static long parseTimeout(JsonNode n) {
        if (n == null || n.isNull()) {
            return PFM_DEFAULT_TIMEOUT_NANOS;
        }
        long nanos;
        if (n.isNumber()) {
            nanos = n.asLong();
        } else {
            String s = n.asText().trim();
            var m = java.util.regex.Pattern.compile("([0-9]+)(ns|us|ms|s|m|h)").matcher(s);
            nanos = 0;
            int end = 0;
            while (m.find() && m.start() == end) {
                long v = Long.parseLong(m.group(1));
                nanos += switch (m.group(2)) {
                    case "ns" -> v;
                    case "us" -> v * 1_000L;
                    case "ms" -> v * 1_000_000L;
                    case "s" -> v * 1_000_000_000L;
                    case "m" -> v * 60_000_000_000L;
                    default -> v * 3_600_000_000_000L;
                };
                end = m.end();
            }
            if (end != s.length() || s.isEmpty()) {
                throw new SdkException(2, "packetfowardmiddleware", "invalid forward timeout " + s + ": invalid forward metadata");
            }
        }
        return nanos <= 0 ? PFM_DEFAULT_TIMEOUT_NANOS : nanos;
    }

    /** A forwarded packet awaiting the next hop's ack or timeout. */
    record InFlight(Packet original, String intermediate, Received received, String receiver, String channel,
                    long timeoutNanos, int retriesLeft, String nextMemo) {
        ObjectNode toJson() {
            ObjectNode n = WasmModule.JSON.createObjectNode();
            Packet o = original;
            n.put("seq", o.sequence()).put("src_port", o.sourcePort()).put("src_channel", o.sourceChannel())
                    .put("dst_port", o.destPort()).put("dst_channel", o.destChannel())
                    .put("data", Base64.getEncoder().encodeToString(o.data())).put("t_rev", o.timeoutRevision())
                    .put("t_height", o.timeoutHeight()).put("t_ts", o.timeoutTimestampNanos());
            n.put("intermediate", intermediate).put("local_denom", received.localDenom())
                    .put("amount", received.amount().toString()).put("minted", received.minted());
            n.put("receiver", receiver).put("channel", channel).put("timeout", timeoutNanos)
                    .put("retries", retriesLeft).put("next", nextMemo);
            return n;
        }

        static InFlight fromJson(JsonNode n) {
            Packet o = new Packet(n.get("seq").asLong(), n.get("src_port").asText(), n.get("src_channel").asText(),
                    n.get("dst_port").asText(), n.get("dst_channel").asText(), Base64.getDecoder().decode(n.get("data").asText()),
                    n.get("t_rev").asLong(), n.get("t_height").asLong(), n.get("t_ts").asLong());
            return new InFlight(o, n.get("intermediate").asText(), new Received(n.get("local_denom").asText(),
                    new BigInteger(n.get("amount").asText()), n.get("minted").asBoolean()), n.get("receiver").asText(),
                    n.get("channel").asText(), n.get("timeout").asLong(), n.get("retries").asInt(), n.get("next").asText());
        }
    }

    private static void sendForward(MsgContext ctx, InFlight f) {
        long timeoutTs = ctx.timeNanos() + f.timeoutNanos();
        Packet out = send(ctx, f.intermediate(), f.receiver(), Coins.coin(f.received().localDenom(), f.received().amount()),
                f.channel(), 0, 0, timeoutTs, f.nextMemo());
        ctx.state.kv().set(Kv.key(PFM + f.channel() + "/" + out.sequence()), ByteString.copyFrom(json(f.toJson())));
    }

    private static InFlight takeInFlight(MsgContext ctx, Packet p) {
        var key = Kv.key(PFM + p.sourceChannel() + "/" + p.sequence());
        ByteString v = ctx.state.kv().get(key);
        if (v == null) {
            return null;
        }
        ctx.state.kv().delete(key);
        try {
            return InFlight.fromJson(WasmModule.JSON.readTree(v.toByteArray()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Undoes the middle hop's receive so the original sender's chain can refund consistently. */
    private static void undoReceive(MsgContext ctx, InFlight f) {
        List<Coin> coins = List.of(Coins.coin(f.received().localDenom(), f.received().amount()));
        if (f.received().minted()) {
            ctx.state.burn(PORT, f.intermediate(), coins, ctx.events);
        } else {
            ctx.state.send(f.intermediate(), escrow(ctx.state, f.original().destChannel()), coins, ctx.events);
        }
    }

    /** The next hop acknowledged a packet: a forwarded one's ack goes back to the previous hop, unchanged. */
    static void onAck(MsgContext ctx, Packet p, byte[] ack, boolean success) {
        InFlight f = takeInFlight(ctx, p);
        if (f != null) {
            if (!success) {
                undoReceive(ctx, f);
            }
            // PFM passes the downstream ack back unchanged.
            writeAck(ctx, f.original(), ack);
        }
    }

    /** The next hop's packet timed out: a forwarded one is sent again while retries are left, else error-acked back. */
    static void onTimeout(MsgContext ctx, Packet p) {
        InFlight f = takeInFlight(ctx, p);
        if (f != null) {
            if (f.retriesLeft() > 0) {
                sendForward(ctx, new InFlight(f.original(), f.intermediate(), f.received(), f.receiver(), f.channel(),
                        f.timeoutNanos(), f.retriesLeft() - 1, f.nextMemo()));
            } else {
                undoReceive(ctx, f);
                String err = "packet-forward-middleware error: giving up on packet on channel (" + f.original().destChannel()
                        + ") port (" + PORT + ") after max retries";
                ObjectNode ack = WasmModule.JSON.createObjectNode().put("error", err);
                writeAck(ctx, f.original(), json(ack));
            }
        }
    }
}
