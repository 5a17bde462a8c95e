package io.evmore.devnet.ibc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.devnet.chain.CacheKv;
import io.evmore.devnet.chain.ChainState;
import io.evmore.devnet.chain.Coins;
import io.evmore.devnet.chain.Event;
import io.evmore.devnet.chain.ExecResult;
import io.evmore.devnet.chain.GasMeter;
import io.evmore.devnet.chain.Kv;
import io.evmore.devnet.chain.MsgContext;
import io.evmore.devnet.chain.Outbox;
import io.evmore.devnet.chain.SdkException;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.wasm.WasmModule;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.ibc.applications.transfer.v1.DenomTrace;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceRequest;
import io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * ICS-20 transfer (ibc-go v8) with packet-forward middleware (ibc-apps v8, {@link PacketForward}) and ibc-hooks (v8,
 * {@link IbcHooks}) on top, for one chain: denom traces, sending, the relayer's receive/ack/timeout messages with the
 * receive routed through hooks → PFM → transfer, refunds at the source, with the wire facts of COSMOS_WIRE §6–§8.
 */
public final class TransferModule {
    public static final String PORT = Channel.PORT;
    static final String SUCCESS_ACK = "{\"result\":\"AQ==\"}";
    private static final String SEQ = "ibc/nextseq/", TRACE = "ibc/trace/", COMMIT = "ibc/commit/",
            RECEIPT = "ibc/receipt/";
    private final IbcHooks hooks = new IbcHooks();

    // ---------------------------------------------------------------- denoms

    public static String voucherDenom(String fullPath) {
        return "ibc/" + HexFormat.of().withUpperCase().formatHex(AddressDerivation.sha256(fullPath.getBytes(StandardCharsets.UTF_8)));
    }

    /** The local denom for a full trace path: the base denom if native, else its ibc/ hash. */
    static String localDenom(String fullPath) {
        return fullPath.contains("/") ? voucherDenom(fullPath) : fullPath;
    }

    /** The full trace path of a local denom ("transfer/channel-0/uatom" for an ibc/ voucher). */
    static String fullPath(ChainState st, String denom) {
        if (!denom.startsWith("ibc/")) {
            return denom;
        }
        String hash = denom.substring(4);
        ByteString v = st.kv().get(Kv.key(TRACE + hash.toUpperCase()));
        if (v == null) {
            throw new SdkException(6, "transfer", "denomination trace not found: " + hash + ": denomination trace not found");
        }
        try {
            DenomTrace t = DenomTrace.parseFrom(v);
            return t.getPath().isEmpty() ? t.getBaseDenom() : t.getPath() + "/" + t.getBaseDenom();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static DenomTrace parseTrace(String fullPath) {
        // Path = leading port/channel pairs; the base denom is what follows (it may itself contain slashes).
        String[] parts = fullPath.split("/");
        int i = 0;
        while (i + 1 < parts.length - 1 && parts[i].equals(PORT) && parts[i + 1].startsWith("channel-")) {
            i += 2;
        }
        String path = String.join("/", java.util.Arrays.copyOfRange(parts, 0, i));
        String base = String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length));
        return DenomTrace.newBuilder().setPath(path).setBaseDenom(base).build();
    }

    public byte[] queryDenomTrace(ChainState st, QueryDenomTraceRequest req) {
        String hash = req.getHash().startsWith("ibc/") ? req.getHash().substring(4) : req.getHash();
        if (!hash.matches("[0-9a-fA-F]{64}")) {
            throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = invalid denom trace hash: " + req.getHash() + ": invalid request");
        }
        ByteString v = st.kv().get(Kv.key(TRACE + hash.toUpperCase()));
        if (v == null) {
            throw SdkException.sdk(22, "rpc error: code = NotFound desc = denomination trace not found: " + hash.toUpperCase() + ": key not found");
        }
        try {
            return QueryDenomTraceResponse.newBuilder().setDenomTrace(DenomTrace.parseFrom(v)).build().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- sending

    public void validateBasic(MsgTransfer t) {
        if (!t.getSourcePort().equals(PORT)) {
            throw new SdkException(1, "port", "invalid source port ID " + t.getSourcePort() + ": invalid identifier");
        }
        if (!t.getSourceChannel().matches("channel-[0-9]+")) {
            throw SdkException.sdk(7, "invalid source channel ID " + t.getSourceChannel() + ": invalid identifier");
        }
        if (!t.hasToken() || !Coins.validDenom(t.getToken().getDenom()) || !t.getToken().getAmount().matches("[0-9]+")
                || Coins.amount(t.getToken()).signum() <= 0) {
            throw SdkException.sdk(10, Coins.format(List.of(t.getToken())) + ": invalid coins");
        }
        if (t.getReceiver().isBlank()) {
            throw SdkException.sdk(7, "missing recipient address: invalid address");
        }
        if (t.getReceiver().length() > 2048) {
            throw SdkException.sdk(7, "recipient address must not exceed 2048 bytes: invalid address");
        }
        if (t.getMemo().length() > 32768) {
            throw new SdkException(11, "transfer", "memo must not exceed 32768 bytes: invalid memo");
        }
        if ((!t.hasTimeoutHeight() || t.getTimeoutHeight().getRevisionHeight() == 0) && t.getTimeoutTimestamp() == 0) {
            throw new SdkException(12, "channel", "packet timeout height and packet timeout timestamp cannot both be 0: invalid packet timeout");
        }
    }

    /** MsgTransfer: escrow or burn, commit the packet, emit send_packet and ibc_transfer; returns the sequence. */
    public long sendTransfer(MsgContext ctx, MsgTransfer t) {
        long revision = t.hasTimeoutHeight() ? t.getTimeoutHeight().getRevisionNumber() : 0;
        long height = t.hasTimeoutHeight() ? t.getTimeoutHeight().getRevisionHeight() : 0;
        Packet p = send(ctx, t.getSender(), t.getReceiver(), t.getToken(), t.getSourceChannel(), revision, height,
                t.getTimeoutTimestamp(), t.getMemo());
        ctx.events.add(Event.of("ibc_transfer", "sender", t.getSender(), "receiver", t.getReceiver(),
                "amount", t.getToken().getAmount(), "denom", fullPath(ctx.state, t.getToken().getDenom()), "memo", t.getMemo()));
        ctx.events.add(Event.of("message", "module", "transfer"));
        return p.sequence();
    }

    static Packet send(MsgContext ctx, String sender, String receiver, Coin token, String channelId, long timeoutRevision,
                        long timeoutHeight, long timeoutTimestamp, String memo) {
        Channel ch = ctx.chain.channel(channelId);
        if (ch == null) {
            throw new SdkException(3, "channel", "port ID (" + PORT + ") channel ID (" + channelId + "): channel not found");
        }
        String full = fullPath(ctx.state, token.getDenom());
        String prefix = PORT + "/" + channelId + "/";
        if (full.startsWith(prefix)) {
            ctx.state.burn(PORT, sender, List.of(token), ctx.events);
        } else {
            ctx.state.send(sender, escrow(ctx.state, channelId), List.of(token), ctx.events);
        }
        ObjectNode data = WasmModule.JSON.createObjectNode();
        data.put("amount", token.getAmount());
        data.put("denom", full);
        if (!memo.isEmpty()) {
            data.put("memo", memo);
        }
        data.put("receiver", receiver);
        data.put("sender", sender);
        long seq = nextSequence(ctx.state, channelId);
        Packet p = new Packet(seq, PORT, channelId, PORT, ch.counterpartyChannelId(), json(data), timeoutRevision,
                timeoutHeight, timeoutTimestamp);
        ctx.state.kv().set(Kv.key(COMMIT + channelId + "/" + seq), ByteString.copyFrom(p.data()));
        ctx.events.add(packetEvent("send_packet", p, ch, true));
        ctx.outbox.sent.add(p);
        return p;
    }

    private static long nextSequence(ChainState st, String channelId) {
        ByteString v = st.kv().get(Kv.key(SEQ + channelId));
        long seq = v == null ? 1 : Long.parseLong(v.toStringUtf8());
        st.kv().set(Kv.key(SEQ + channelId), ByteString.copyFromUtf8(Long.toString(seq + 1)));
        return seq;
    }

    static String escrow(ChainState st, String channelId) {
        return Bech32Address.encode(st.prefix(), AddressDerivation.escrow(PORT, channelId));
    }

    static byte[] json(JsonNode node) {
        try {
            return WasmModule.JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Event packetEvent(String type, Packet p, Channel ch, boolean withData) {
        Event e = Event.of(type);
        if (withData) {
            e = e.with("packet_data", p.dataString()).with("packet_data_hex", HexFormat.of().formatHex(p.data()));
        }
        return e.with("packet_timeout_height", p.timeoutHeightString())
                .with("packet_timeout_timestamp", Long.toUnsignedString(p.timeoutTimestampNanos()))
                .with("packet_sequence", Long.toString(p.sequence()))
                .with("packet_src_port", p.sourcePort()).with("packet_src_channel", p.sourceChannel())
                .with("packet_dst_port", p.destPort()).with("packet_dst_channel", p.destChannel())
                .with("packet_channel_ordering", "ORDER_UNORDERED")
                .with("packet_connection", ch.connectionId()).with("connection_id", ch.connectionId());
    }

    // ---------------------------------------------------------------- relay entry point

    /** Executes a relayed message; null means "not included" (duplicate, or expired on receive). */
    public ExecResult executeRelay(MsgContext ctx, RelayOp op) {
        String relayer = ctx.state.moduleAddress("devnet-relayer");
        // baseapp names the module by the type URL's second element ("core"), as for user messages
        Event message = Event.of("message", "action", op.typeUrl(), "sender", relayer, "module", "core");
        Packet p = op.packet();
        return switch (op) {
            case RelayOp.Recv r -> {
                Channel ch = ctx.chain.channel(p.destChannel());
                if (ch == null) {
                    throw new IllegalStateException("no channel " + p.destChannel() + " on " + ctx.chain.chainId());
                }
                if (ctx.state.kv().get(Kv.key(RECEIPT + p.destChannel() + "/" + p.sequence())) != null) {
                    yield null;
                }
                boolean heightExpired = p.timeoutHeight() > 0 && p.timeoutRevision() == ctx.chain.spec().revisionNumber()
                        && ctx.height >= p.timeoutHeight();
                boolean timeExpired = p.timeoutTimestampNanos() != 0 && Long.compareUnsigned(ctx.timeNanos(), p.timeoutTimestampNanos()) >= 0;
                if (heightExpired || timeExpired) {
                    ctx.outbox.expired.add(p);
                    yield null;
                }
                ctx.state.kv().set(Kv.key(RECEIPT + p.destChannel() + "/" + p.sequence()), ByteString.copyFromUtf8("1"));
                ctx.events.add(message);
                ctx.events.add(packetEvent("recv_packet", p, ch, true));
                byte[] ack = onRecv(ctx, p);
                if (ack != null) {
                    writeAck(ctx, p, ack);
                }
                yield result(ctx);
            }
            case RelayOp.Ack a -> {
                if (!clearCommitment(ctx, p, message, "acknowledge_packet")) {
                    yield null;
                }
                onAck(ctx, p, a.ack());
                yield result(ctx);
            }
            case RelayOp.Timeout t -> {
                if (!clearCommitment(ctx, p, message, "timeout_packet")) {
                    yield null;
                }
                onTimeout(ctx, p);
                yield result(ctx);
            }
        };
    }

    /**
     * The source side of an ack or timeout: deletes the sent packet's commitment and emits the relayer's message
     * and {@code eventType}; false (nothing done) when the commitment is gone already (a duplicate).
     */
    private static boolean clearCommitment(MsgContext ctx, Packet p, Event message, String eventType) {
        var key = Kv.key(COMMIT + p.sourceChannel() + "/" + p.sequence());
        if (ctx.state.kv().get(key) == null) {
            return false;
        }
        ctx.state.kv().delete(key);
        ctx.events.add(message);
        ctx.events.add(packetEvent(eventType, p, ctx.chain.channel(p.sourceChannel()), false));
        return true;
    }

    private static ExecResult result(MsgContext ctx) {
        return new ExecResult(0, new byte[0], "", "", 0, ctx.meter.consumed(), ctx.events, "");
    }

    static void writeAck(MsgContext ctx, Packet p, byte[] ack) {
        Channel ch = ctx.chain.channel(p.destChannel());
        ctx.events.add(packetEvent("write_acknowledgement", p, ch, true)
                .with("packet_ack", new String(ack, StandardCharsets.UTF_8))
                .with("packet_ack_hex", HexFormat.of().formatHex(ack)));
        ctx.outbox.acks.add(new Outbox.WrittenAck(p, ack));
    }

    static byte[] errorAck(int code) {
        return ("{\"error\":\"ABCI code: " + code + ": error handling packet: see events for details\"}").getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- receiving

    record PacketData(String amount, String denom, String receiver, String sender, String memo) {
        static PacketData parse(byte[] bytes) {
            try {
                JsonNode n = WasmModule.JSON.readTree(bytes);
                String memo = n.hasNonNull("memo") ? n.get("memo").asText() : "";
                PacketData d = new PacketData(n.path("amount").asText(""), n.path("denom").asText(""),
                        n.path("receiver").asText(""), n.path("sender").asText(""), memo);
                if (d.denom.isEmpty() || !d.amount.matches("[0-9]+") || new BigInteger(d.amount).signum() <= 0 || d.sender.isEmpty()) {
                    throw new SdkException(12, "transfer", "invalid ICS-20 packet data: invalid packet data");
                }
                return d;
            } catch (java.io.IOException e) {
                throw new SdkException(12, "transfer", "cannot unmarshal ICS-20 transfer packet data: invalid packet data");
            }
        }

        BigInteger value() {
            return new BigInteger(amount);
        }
    }

    /** How a receive credited funds, so PFM can put them back if the forward fails. */
    record Received(String localDenom, BigInteger amount, boolean minted) {}

    /**
     * OnRecvPacket through hooks → PFM → transfer. State changes of a failed receive are discarded (error
     * ack); returns the ack bytes, or null when PFM will acknowledge asynchronously.
     */
    byte[] onRecv(MsgContext ctx, Packet p) {
        CacheKv cache = new CacheKv(ctx.state.kv());
        MsgContext sub = new MsgContext(ctx.chain, cache, GasMeter.infinite(), ctx.height, ctx.time);
        PacketData d = null;
        try {
            d = PacketData.parse(p.data());
            JsonNode memo = parseMemo(d.memo());
            byte[] ack;
            if (memo != null && memo.has("forward")) {
                ack = PacketForward.forward(sub, p, d, memo.get("forward"));
            } else if (memo != null && memo.has("wasm")) {
                ack = hooks.execute(sub, p, d, memo.get("wasm"));
            } else {
                receive(sub, p, d, d.receiver());
                sub.events.add(tokenEvent(d, true, null));
                ack = SUCCESS_ACK.getBytes(StandardCharsets.UTF_8);
            }
            cache.write();
            ctx.events.addAll(sub.events);
            ctx.outbox.addAll(sub.outbox);
            return ack;
        } catch (SdkException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            SdkException err = e instanceof SdkException se ? se : SdkException.sdk(1, e.getMessage() + ": internal");
            onRecvFailed(ctx, d, sub, err);
            return errorAck(err.code());
        }
    }

    /** ibc-go v8 re-emits a failed receive's events with a prefix; ibc-hooks adds its own error event. */
    private static void onRecvFailed(MsgContext ctx, PacketData d, MsgContext sub, SdkException e) {
        for (Event ev : sub.events) {
            ctx.events.add(ev.renamed("ibccallbackerror-" + ev.type()));
        }
        if (d != null) {
            ctx.events.add(tokenEvent(d, false, e.log()).renamed("ibccallbackerror-fungible_token_packet"));
        }
        if (e.codespace().equals("hooks")) {
            ctx.events.add(Event.of("ibc-acknowledgement-error", "error", e.log(), "error-context", "ibc-hooks"));
        }
    }

    private static JsonNode parseMemo(String memo) {
        if (memo.isBlank()) {
            return null;
        }
        try {
            JsonNode n = WasmModule.JSON.readTree(memo);
            return n != null && n.isObject() ? n : null;
        } catch (java.io.IOException e) {
            return null; // a plain-text memo is fine for ICS-20
        }
    }

    static Event tokenEvent(PacketData d, boolean success, String error) {
        Event e = Event.of("fungible_token_packet", "module", PORT, "sender", d.sender(), "receiver", d.receiver(),
                "denom", d.denom(), "amount", d.amount(), "memo", d.memo(), "success", Boolean.toString(success));
        return error == null ? e : e.with("error", error);
    }

    /** The ICS-20 receive: unwind from escrow or mint a voucher (storing the trace), crediting {@code receiver}. */
    static Received receive(MsgContext ctx, Packet p, PacketData d, String receiver) {
        if (!Bech32Address.isValid(receiver, ctx.state.prefix())) {
            throw SdkException.sdk(7, "failed to decode receiver address: " + receiver + ": invalid address");
        }
        String sourcePrefix = p.sourcePort() + "/" + p.sourceChannel() + "/";
        List<Coin> coins;
        if (d.denom().startsWith(sourcePrefix)) {
            String unprefixed = d.denom().substring(sourcePrefix.length());
            String local = localDenom(unprefixed);
            coins = List.of(Coins.coin(local, d.value()));
            ctx.state.send(escrow(ctx.state, p.destChannel()), receiver, coins, ctx.events);
            return new Received(local, d.value(), false);
        }
        String full = p.destPort() + "/" + p.destChannel() + "/" + d.denom();
        String voucher = voucherDenom(full);
        String hash = voucher.substring(4);
        if (ctx.state.kv().get(Kv.key(TRACE + hash)) == null) {
            ctx.state.kv().set(Kv.key(TRACE + hash), parseTrace(full).toByteString());
            ctx.events.add(Event.of("denomination_trace", "trace_hash", hash, "denom", voucher));
        }
        coins = List.of(Coins.coin(voucher, d.value()));
        ctx.state.mint(PORT, receiver, coins, ctx.events);
        return new Received(voucher, d.value(), true);
    }

    // ---------------------------------------------------------------- acks and timeouts at the source

    private void refund(MsgContext ctx, Packet p, PacketData d) {
        String full = d.denom();
        List<Coin> coins;
        if (full.startsWith(p.sourcePort() + "/" + p.sourceChannel() + "/")) {
            coins = List.of(Coins.coin(voucherDenom(full), d.value()));
            ctx.state.mint(PORT, d.sender(), coins, ctx.events);
        } else {
            coins = List.of(Coins.coin(localDenom(full), d.value()));
            ctx.state.send(escrow(ctx.state, p.sourceChannel()), d.sender(), coins, ctx.events);
        }
    }

    void onAck(MsgContext ctx, Packet p, byte[] ack) {
        PacketData d = PacketData.parse(p.data());
        JsonNode ackJson;
        try {
            ackJson = WasmModule.JSON.readTree(ack);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unparseable ack", e);
        }
        boolean success = ackJson.has("result");
        if (!success) {
            refund(ctx, p, d);
        }
        ctx.events.add(Event.of("fungible_token_packet", "module", PORT, "sender", d.sender(), "receiver", d.receiver(),
                "denom", d.denom(), "amount", d.amount(), "memo", d.memo(), "acknowledgement", new String(ack, StandardCharsets.UTF_8)));
        if (success) {
            String result = new String(Base64.getDecoder().decode(ackJson.get("result").asText()), StandardCharsets.ISO_8859_1);
            ctx.events.add(Event.of("fungible_token_packet", "success", result));
        } else {
            ctx.events.add(Event.of("fungible_token_packet", "error", ackJson.path("error").asText()));
        }
        PacketForward.onAck(ctx, p, ack, success);
    }

    void onTimeout(MsgContext ctx, Packet p) {
        PacketData d = PacketData.parse(p.data());
        refund(ctx, p, d);
        ctx.events.add(Event.of("timeout", "module", PORT, "refund_receiver", d.sender(),
                "refund_denom", d.denom(), "refund_amount", d.amount(), "memo", d.memo()));
        PacketForward.onTimeout(ctx, p);
    }

    /**
     * Makes IBC-hooks executions fail like a contract error (error ack, the receive discarded, the source refunds)
     * until {@link #clearHooksFault()}; {@code reason} appears in the {@code ibc-acknowledgement-error} event.
     */
    public void failHooks(String reason) {
        hooks.fail(reason);
    }

    public void clearHooksFault() {
        hooks.clearFault();
    }

    /** Sent packets not yet acknowledged or timed out (for diagnostics and tests). */
    public List<String> pendingCommitments(ChainState st) {
        List<String> out = new ArrayList<>();
        for (var e : st.kv().scan(Kv.key(COMMIT), null)) {
            out.add(e.getKey().toStringUtf8().substring(COMMIT.length()));
        }
        return out;
    }
}
