package io.evmore.devnet.wasm.htlc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.wasm.ContractContext;
import io.evmore.devnet.wasm.ContractError;
import io.evmore.devnet.wasm.ExecuteResult;
import io.evmore.devnet.wasm.ExecuteResult.Attribute;
import io.evmore.devnet.wasm.MessageInfo;
import io.evmore.devnet.wasm.WasmContract;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Java twin of the Rust CosmWasm HTLC contract ({@code contracts/cosmwasm}), hosted by the devnet's wasm
 * module. Messages, error texts, event attributes and check order follow {@code contracts/test-vectors/README.md}
 * exactly; the shared vectors run against both. State lives only in the {@link ContractContext} store, laid
 * out like cw-storage-plus does for the Rust contract: {@code "htlc_count"} holds the JSON count and each HTLC is
 * JSON under {@code 0x0005 "htlcs" ‖ u64 big-endian id}, so raw keys list in numeric id order.
 */
public final class HtlcContract implements WasmContract {

    /** Longest allowed lock: 30 days. */
    public static final long MAX_TIMELOCK_AHEAD_SECONDS = 2_592_000L;
    /** Bound on the free-form target strings (UTF-8 bytes). */
    public static final int MAX_TARGET_BYTES = 128;
    public static final int DEFAULT_LIST_LIMIT = 10;
    public static final int MAX_LIST_LIMIT = 30;
    public static final String ID_PREFIX = "htlc_";

    static final byte[] COUNT_KEY = "htlc_count".getBytes(StandardCharsets.US_ASCII);
    /** cw-storage-plus Map namespace: 2-byte big-endian length, then the name. */
    static final byte[] HTLCS_PREFIX = {0x00, 0x05, 'h', 't', 'l', 'c', 's'};

    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final long U32_MAX = 0xFFFF_FFFFL;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public ExecuteResult execute(ContractContext ctx, MessageInfo info, JsonNode msg) throws ContractError {
        Map.Entry<String, JsonNode> variant = variant(msg, "ExecuteMsg");
        JsonNode args = variant.getValue();
        return switch (variant.getKey()) {
            case "create_htlc" -> {
                fields(args, "create_htlc", Set.of("receiver", "hashlock", "timelock", "target_chain", "target_address"),
                        Set.of("refund_address"));
                yield createHtlc(ctx, info, new CreateArgs(
                        string(args, "receiver"),
                        string(args, "hashlock"),
                        u64(args, "timelock"),
                        string(args, "target_chain"),
                        string(args, "target_address"),
                        optionalString(args, "refund_address")));
            }
            case "withdraw" -> {
                fields(args, "withdraw", Set.of("htlc_id", "secret"), Set.of());
                yield withdraw(ctx, info, string(args, "htlc_id"), string(args, "secret"));
            }
            case "refund" -> {
                fields(args, "refund", Set.of("htlc_id"), Set.of());
                yield refund(ctx, info, string(args, "htlc_id"));
            }
            default -> throw parseError("ExecuteMsg", "unknown variant `" + variant.getKey()
                    + "`, expected one of `create_htlc`, `withdraw`, `refund`");
        };
    }

    @Override
    public JsonNode query(ContractContext ctx, JsonNode msg) throws ContractError {
        Map.Entry<String, JsonNode> variant = variant(msg, "QueryMsg");
        JsonNode args = variant.getValue();
        return switch (variant.getKey()) {
            case "get_htlc" -> {
                fields(args, "get_htlc", Set.of("htlc_id"), Set.of());
                yield load(ctx, string(args, "htlc_id")).toJson();
            }
            case "list_htlcs" -> {
                fields(args, "list_htlcs", Set.of(), Set.of("start_after", "limit"));
                yield listHtlcs(ctx, optionalString(args, "start_after"), optionalU32(args, "limit"));
            }
            default -> throw parseError("QueryMsg", "unknown variant `" + variant.getKey()
                    + "`, expected one of `get_htlc`, `list_htlcs`");
        };
    }

    private record CreateArgs(String receiver, String hashlock, BigInteger timelock, String targetChain,
                              String targetAddress, Optional<String> refundAddress) {}

    private ExecuteResult createHtlc(ContractContext ctx, MessageInfo info, CreateArgs args) throws ContractError {
        // The check order is part of the agreed interface (the shared vectors pin it).
        if (info.funds().size() != 1) {
            throw new ContractError("exactly one coin must be sent, got " + info.funds().size());
        }
        MessageInfo.Coin coin = info.funds().get(0);
        if (coin.amount().signum() <= 0) {
            throw new ContractError("amount must be greater than zero");
        }
        if (!ctx.isValidAddress(args.receiver())) {
            throw new ContractError("invalid receiver address: " + args.receiver());
        }
        if (args.refundAddress().isPresent() && !ctx.isValidAddress(args.refundAddress().get())) {
            throw new ContractError("invalid refund address: " + args.refundAddress().get());
        }
        if (!isHex32(args.hashlock())) {
            throw new ContractError("hashlock must be 64 hex characters (32 bytes)");
        }
        long now = ctx.blockTimeSeconds();
        BigInteger nowBig = BigInteger.valueOf(now);
        if (args.timelock().compareTo(nowBig) <= 0) {
            throw new ContractError("timelock must be in the future");
        }
        if (args.timelock().compareTo(nowBig.add(BigInteger.valueOf(MAX_TIMELOCK_AHEAD_SECONDS))) > 0) {
            throw new ContractError("timelock is too far in the future (max " + MAX_TIMELOCK_AHEAD_SECONDS
                    + " seconds ahead)");
        }
        int chainLen = utf8Length(args.targetChain());
        if (chainLen == 0 || chainLen > MAX_TARGET_BYTES) {
            throw new ContractError("target_chain must be 1 to 128 bytes, got " + chainLen);
        }
        int addressLen = utf8Length(args.targetAddress());
        if (addressLen == 0 || addressLen > MAX_TARGET_BYTES) {
            throw new ContractError("target_address must be 1 to 128 bytes, got " + addressLen);
        }

        long n = loadCount(ctx) + 1;
        ctx.set(COUNT_KEY, Long.toUnsignedString(n).getBytes(StandardCharsets.US_ASCII));
        Htlc htlc = new Htlc(ID_PREFIX + Long.toUnsignedString(n), info.sender(), args.receiver(),
                args.refundAddress().orElse(info.sender()), coin.amount(), coin.denom(),
                args.hashlock().toLowerCase(Locale.ROOT), args.timelock().longValueExact(),
                args.targetChain(), args.targetAddress(), HtlcState.OPEN, null, now);
        save(ctx, n, htlc);

        List<Attribute> attributes = commonAttributes("create_htlc", htlc);
        attributes.add(new Attribute("target_chain", htlc.targetChain()));
        attributes.add(new Attribute("target_address", htlc.targetAddress()));
        ObjectNode data = NODES.objectNode().put("htlc_id", htlc.id());
        return new ExecuteResult(attributes, toBytes(data));
    }

    private ExecuteResult withdraw(ContractContext ctx, MessageInfo info, String htlcId, String secret)
            throws ContractError {
        long n = idNumber(htlcId);
        Htlc htlc = load(ctx, htlcId);
        if (!info.funds().isEmpty()) {
            throw new ContractError("this message does not accept funds");
        }
        ensureOpen(htlc);
        if (ctx.blockTimeSeconds() >= htlc.timelock()) {
            throw new ContractError("htlc " + htlc.id() + " has expired");
        }
        if (!isHex32(secret)) {
            throw new ContractError("secret must be 64 hex characters (32 bytes)");
        }
        // Compare bytes, not strings: hex case must not matter.
        byte[] hash = sha256(HEX.parseHex(secret));
        if (!MessageDigest.isEqual(hash, HEX.parseHex(htlc.hashlock()))) {
            throw new ContractError("secret does not match hashlock");
        }
        Htlc withdrawn = htlc.with(HtlcState.WITHDRAWN, secret.toLowerCase(Locale.ROOT));
        save(ctx, n, withdrawn);
        ctx.bankSend(withdrawn.receiver(), withdrawn.denom(), withdrawn.amount());
        List<Attribute> attributes = commonAttributes("withdraw", withdrawn);
        attributes.add(new Attribute("secret", withdrawn.secret()));
        return new ExecuteResult(attributes, null);
    }

    private ExecuteResult refund(ContractContext ctx, MessageInfo info, String htlcId) throws ContractError {
        long n = idNumber(htlcId);
        Htlc htlc = load(ctx, htlcId);
        if (!info.funds().isEmpty()) {
            throw new ContractError("this message does not accept funds");
        }
        ensureOpen(htlc);
        if (ctx.blockTimeSeconds() < htlc.timelock()) {
            throw new ContractError("htlc " + htlc.id() + " has not expired yet");
        }
        Htlc refunded = htlc.with(HtlcState.REFUNDED, null);
        save(ctx, n, refunded);
        ctx.bankSend(refunded.refundAddress(), refunded.denom(), refunded.amount());
        return new ExecuteResult(commonAttributes("refund", refunded), null);
    }

    private JsonNode listHtlcs(ContractContext ctx, Optional<String> startAfter, Optional<Long> limit)
            throws ContractError {
        long max = Math.min(limit.orElse((long) DEFAULT_LIST_LIMIT), MAX_LIST_LIMIT);
        byte[] startKey = null;
        long startN = 0;
        if (startAfter.isPresent()) {
            Optional<Long> parsed = parseId(startAfter.get());
            if (parsed.isEmpty()) {
                throw new ContractError("invalid start_after: " + startAfter.get());
            }
            startN = parsed.get();
            startKey = htlcKey(startN);
        }
        ArrayNode htlcs = NODES.arrayNode();
        for (byte[] key : ctx.keys(HTLCS_PREFIX, startKey)) {
            if (htlcs.size() >= max) {
                break;
            }
            long n = numberOfKey(key);
            // The store already starts after startKey; this guards against a host that reads it differently.
            if (startAfter.isPresent() && Long.compareUnsigned(n, startN) <= 0) {
                continue;
            }
            htlcs.add(decode(ctx.get(key).orElseThrow(
                    () -> new IllegalStateException("store listed key without value: " + HEX.formatHex(key)))).toJson());
        }
        return NODES.objectNode().set("htlcs", htlcs);
    }

    // ---- state ----

    private static long loadCount(ContractContext ctx) {
        return ctx.get(COUNT_KEY)
                .map(bytes -> Long.parseUnsignedLong(new String(bytes, StandardCharsets.US_ASCII)))
                .orElse(0L);
    }

    private static Htlc load(ContractContext ctx, String htlcId) throws ContractError {
        Optional<Long> n = parseId(htlcId);
        if (n.isEmpty()) {
            throw notFound(htlcId);
        }
        Optional<byte[]> bytes = ctx.get(htlcKey(n.get()));
        if (bytes.isEmpty()) {
            throw notFound(htlcId);
        }
        return decode(bytes.get());
    }

    private static long idNumber(String htlcId) throws ContractError {
        return parseId(htlcId).orElseThrow(() -> notFound(htlcId));
    }

    private static void save(ContractContext ctx, long n, Htlc htlc) {
        ctx.set(htlcKey(n), toBytes(htlc.toJson()));
    }

    static byte[] htlcKey(long n) {
        return ByteBuffer.allocate(HTLCS_PREFIX.length + Long.BYTES).put(HTLCS_PREFIX).putLong(n).array();
    }

    private static long numberOfKey(byte[] key) {
        if (key.length != HTLCS_PREFIX.length + Long.BYTES
                || !Arrays.equals(key, 0, HTLCS_PREFIX.length, HTLCS_PREFIX, 0, HTLCS_PREFIX.length)) {
            throw new IllegalStateException("store listed a key outside the htlcs map: " + HEX.formatHex(key));
        }
        return ByteBuffer.wrap(key, HTLCS_PREFIX.length, Long.BYTES).getLong();
    }

    /** The number in {@code htlc_<n>} (canonical decimal, 1 ≤ n ≤ u64 max), else empty. */
    static Optional<Long> parseId(String id) {
        if (!id.startsWith(ID_PREFIX)) {
            return Optional.empty();
        }
        String digits = id.substring(ID_PREFIX.length());
        if (digits.isEmpty() || digits.startsWith("0") || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseUnsignedLong(digits));
        } catch (NumberFormatException tooBig) {
            return Optional.empty();
        }
    }

    private static void ensureOpen(Htlc htlc) throws ContractError {
        if (htlc.state() != HtlcState.OPEN) {
            throw new ContractError("htlc " + htlc.id() + " is not open (it is " + htlc.state().text() + ")");
        }
    }

    private static ContractError notFound(String htlcId) {
        return new ContractError("htlc " + htlcId + " not found");
    }

    /** The attributes every method emits, in the agreed order; sender is the HTLC's creator, not the caller. */
    private static List<Attribute> commonAttributes(String method, Htlc htlc) {
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(new Attribute("method", method));
        attributes.add(new Attribute("htlc_id", htlc.id()));
        attributes.add(new Attribute("sender", htlc.sender()));
        attributes.add(new Attribute("receiver", htlc.receiver()));
        attributes.add(new Attribute("amount", htlc.amount().toString()));
        attributes.add(new Attribute("denom", htlc.denom()));
        attributes.add(new Attribute("hashlock", htlc.hashlock()));
        attributes.add(new Attribute("timelock", Long.toString(htlc.timelock())));
        return attributes;
    }

    // ---- the stored and queried HTLC ----

    enum HtlcState {
        OPEN("open"), WITHDRAWN("withdrawn"), REFUNDED("refunded");

        private final String text;

        HtlcState(String text) {
            this.text = text;
        }

        String text() {
            return text;
        }

        static HtlcState of(String text) {
            for (HtlcState s : values()) {
                if (s.text.equals(text)) {
                    return s;
                }
            }
            throw new IllegalStateException("stored htlc has unknown state " + text);
        }
    }

    record Htlc(String id, String sender, String receiver, String refundAddress, BigInteger amount, String denom,
                String hashlock, long timelock, String targetChain, String targetAddress, HtlcState state,
                String secret, long createdAt) {

        Htlc with(HtlcState newState, String newSecret) {
            return new Htlc(id, sender, receiver, refundAddress, amount, denom, hashlock, timelock, targetChain,
                    targetAddress, newState, newSecret, createdAt);
        }

        /** The query JSON; field order is part of the agreed interface. */
        ObjectNode toJson() {
            ObjectNode o = NODES.objectNode();
            o.put("id", id);
            o.put("sender", sender);
            o.put("receiver", receiver);
            o.put("refund_address", refundAddress);
            o.put("amount", amount.toString());
            o.put("denom", denom);
            o.put("hashlock", hashlock);
            o.put("timelock", timelock);
            o.put("target_chain", targetChain);
            o.put("target_address", targetAddress);
            o.put("state", state.text());
            if (secret == null) {
                o.putNull("secret");
            } else {
                o.put("secret", secret);
            }
            o.put("created_at", createdAt);
            return o;
        }
    }

    private static Htlc decode(byte[] bytes) {
        try {
            JsonNode o = JSON.readTree(bytes);
            JsonNode secret = o.get("secret");
            return new Htlc(o.get("id").asText(), o.get("sender").asText(), o.get("receiver").asText(),
                    o.get("refund_address").asText(), new BigInteger(o.get("amount").asText()), o.get("denom").asText(),
                    o.get("hashlock").asText(), o.get("timelock").longValue(),
                    o.get("target_chain").asText(), o.get("target_address").asText(),
                    HtlcState.of(o.get("state").asText()), secret == null || secret.isNull() ? null : secret.asText(),
                    o.get("created_at").longValue());
        } catch (IOException | RuntimeException e) {
            // Only this contract writes these keys: a bad value is a broken store, not a user error.
            throw new IllegalStateException("stored htlc is not valid JSON of the expected shape", e);
        }
    }

    // ---- message parsing (strict like serde with deny_unknown_fields; texts are the host's, not compared) ----

    private static Map.Entry<String, JsonNode> variant(JsonNode msg, String type) throws ContractError {
        if (msg == null || !msg.isObject() || msg.size() != 1) {
            throw parseError(type, "expected an object with exactly one key naming the message");
        }
        Map.Entry<String, JsonNode> entry = msg.properties().iterator().next();
        if (!entry.getValue().isObject()) {
            throw parseError(type, "`" + entry.getKey() + "` must be an object");
        }
        return entry;
    }

    private static void fields(JsonNode args, String variant, Set<String> required, Set<String> optional)
            throws ContractError {
        for (String name : required) {
            if (!args.has(name)) {
                throw parseError(variant, "missing field `" + name + "`");
            }
        }
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!required.contains(name) && !optional.contains(name)) {
                throw parseError(variant, "unknown field `" + name + "`");
            }
        }
    }

    private static String string(JsonNode args, String field) throws ContractError {
        JsonNode v = args.get(field);
        if (v == null || !v.isTextual()) {
            throw parseError(field, "expected a string");
        }
        return v.textValue();
    }

    private static Optional<String> optionalString(JsonNode args, String field) throws ContractError {
        JsonNode v = args.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        return Optional.of(string(args, field));
    }

    private static BigInteger u64(JsonNode args, String field) throws ContractError {
        JsonNode v = args.get(field);
        if (v == null || !v.isIntegralNumber() || v.bigIntegerValue().signum() < 0
                || v.bigIntegerValue().compareTo(U64_MAX) > 0) {
            throw parseError(field, "expected an unsigned 64-bit integer");
        }
        return v.bigIntegerValue();
    }

    private static Optional<Long> optionalU32(JsonNode args, String field) throws ContractError {
        JsonNode v = args.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0
                || v.bigIntegerValue().compareTo(BigInteger.valueOf(U32_MAX)) > 0) {
            throw parseError(field, "expected an unsigned 32-bit integer");
        }
        return Optional.of(v.longValue());
    }

    private static ContractError parseError(String what, String detail) {
        // cosmwasm names the Rust type with its path, as serde reports it: evmore_htlc::msg::ExecuteMsg.
        String type = what.endsWith("Msg") ? "evmore_htlc::msg::" + what : what;
        return new ContractError("Error parsing into type " + type + ": " + detail);
    }

    // ---- small helpers ----

    /** Exactly 64 hex digits, either case (32 bytes). */
    private static boolean isHex32(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    private static byte[] toBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
