package io.evmore.ethereum;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.util.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Turns one {@code eth_getLogs} entry into a validated {@link ChainEvent}, or says why it must be dropped.
 * Nothing from the chain is trusted: the emitting address, topic count, data size and every field are checked.
 *
 * <p>With a relayer address, a {@code Locked} log of <em>another</em> contract whose indexed receiver is the relayer
 * is decoded too (same validation), with that contract in {@link ChainEvent.HtlcLocked#contract()}, so the engine can
 * refuse a lock made on a look-alike contract with a reason instead of never hearing of it. Anything else from another
 * contract is {@code wrong_contract}.
 */
public final class HtlcLogDecoder {
    /** Largest string the contract accepts (MAX_TARGET_LENGTH). */
    public static final int MAX_TARGET_BYTES = 128;
    /** Longest timelock the contract accepts, plus a day of slack for clock skew and catch-up. */
    public static final long MAX_TIMELOCK_AHEAD_SECONDS = 31L * 24 * 3600;
    /** Amounts at or above 2^192 base units are not any real token's; treat them as hostile. */
    public static final BigInteger MAX_AMOUNT = BigInteger.TWO.pow(192);
    /** Locked data: 6 head words + 2 strings of at most 128 bytes (length word + 4 words each) = 512 bytes. */
    private static final int MAX_LOCKED_DATA_BYTES = 512;
    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("0x[0-9a-fA-F]{64}");

    /** Bounded set of reasons: the {@code reason} label of {@code evmore_chain_events_dropped_total}. */
    public enum DropReason {
        WRONG_CONTRACT, UNKNOWN_EVENT, MALFORMED, BAD_AMOUNT, BAD_TIMELOCK, OVERSIZED_STRING, REMOVED,
        /** A node answered eth_getLogs with a log outside the block range asked for (set by the follower). */
        OUT_OF_RANGE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public sealed interface Result permits Decoded, Dropped {}

    public record Decoded(ChainEvent event) implements Result {}

    public record Dropped(DropReason reason, String detail) implements Result {}

    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("0x[0-9a-fA-F]{40}");

    private final ChainId chain;
    private final String contract;
    private final String relayer;

    /** Decodes only the configured contract's logs. */
    public HtlcLogDecoder(ChainId chain, String contractAddress) {
        this(chain, contractAddress, null);
    }

    /** @param relayerAddress also decode other contracts' {@code Locked} logs with this receiver; null = never */
    public HtlcLogDecoder(ChainId chain, String contractAddress, String relayerAddress) {
        this.chain = chain;
        this.contract = contractAddress.toLowerCase(Locale.ROOT);
        if (relayerAddress != null && !ADDRESS.matcher(relayerAddress).matches()) {
            throw new IllegalArgumentException("relayer address must be 0x followed by 40 hex digits");
        }
        this.relayer = relayerAddress == null ? null : relayerAddress.toLowerCase(Locale.ROOT);
    }

    /** @param nowEpochSeconds current time, bounding plausible timelocks */
    public Result decode(Log log, long nowEpochSeconds) {
        try {
            return decodeUnchecked(log, nowEpochSeconds);
        } catch (RuntimeException e) {
            // web3j's decoder throws assorted runtime exceptions on hostile data; none may stop the follower
            return new Dropped(DropReason.MALFORMED, "undecodable: " + e.getClass().getSimpleName());
        }
    }

    private Result decodeUnchecked(Log log, long now) {
        if (log.isRemoved()) {
            return new Dropped(DropReason.REMOVED, "log marked removed");
        }
        List<String> topics = log.getTopics();
        if (log.getAddress() == null || !log.getAddress().toLowerCase(Locale.ROOT).equals(contract)) {
            if (!lockForRelayer(log.getAddress(), topics)) {
                return new Dropped(DropReason.WRONG_CONTRACT, "emitted by " + printableHex(log.getAddress()));
            }
        }
        if (topics == null || topics.isEmpty()) {
            return new Dropped(DropReason.UNKNOWN_EVENT, "no topics");
        }
        if (log.getBlockNumber() == null || log.getBlockHash() == null || log.getTransactionHash() == null
                || log.getLogIndex() == null) {
            return new Dropped(DropReason.MALFORMED, "missing block/tx position (pending log?)");
        }
        if (!HASH.matcher(log.getBlockHash()).matches() || !HASH.matcher(log.getTransactionHash()).matches()) {
            return new Dropped(DropReason.MALFORMED, "block or transaction hash is not 32 bytes of hex");
        }
        for (String t : topics) {
            if (t == null || !t.matches("0x[0-9a-fA-F]{64}")) return new Dropped(DropReason.MALFORMED, "bad topic");
        }
        String data = log.getData() == null ? "0x" : log.getData();
        if (!data.matches("0x([0-9a-fA-F]{2})*")) {
            return new Dropped(DropReason.MALFORMED, "data is not hex");
        }
        int dataBytes = (data.length() - 2) / 2;
        ChainEvent.Origin origin = new ChainEvent.Origin(chain, log.getBlockNumber().longValueExact(),
                log.getBlockHash().toLowerCase(Locale.ROOT), log.getTransactionHash().toLowerCase(Locale.ROOT),
                log.getLogIndex().intValueExact());
        String topic0 = topics.get(0).toLowerCase(Locale.ROOT);
        if (topic0.equals(HtlcAbi.CLAIMED_TOPIC)) {
            if (topics.size() != 2 || dataBytes != 32) return new Dropped(DropReason.MALFORMED, "Claimed with wrong shape");
            return new Decoded(new ChainEvent.HtlcClaimed(origin, topics.get(1).toLowerCase(Locale.ROOT),
                    Secret.of(Hex.decode(data, "preimage"))));
        }
        if (topic0.equals(HtlcAbi.REFUNDED_TOPIC)) {
            if (topics.size() != 2 || dataBytes != 0) return new Dropped(DropReason.MALFORMED, "Refunded with wrong shape");
            return new Decoded(new ChainEvent.HtlcRefunded(origin, topics.get(1).toLowerCase(Locale.ROOT)));
        }
        if (!topic0.equals(HtlcAbi.LOCKED_TOPIC)) {
            return new Dropped(DropReason.UNKNOWN_EVENT, "topic " + topic0);
        }
        if (topics.size() != 4) return new Dropped(DropReason.MALFORMED, "Locked with " + topics.size() + " topics");
        if (dataBytes > MAX_LOCKED_DATA_BYTES) {
            return new Dropped(DropReason.OVERSIZED_STRING, "Locked data of " + dataBytes + " bytes");
        }
        if (dataBytes < 8 * 32 || dataBytes % 32 != 0) {
            return new Dropped(DropReason.MALFORMED, "Locked data of " + dataBytes + " bytes");
        }
        String sender = topicAddress(topics.get(2));
        String receiver = topicAddress(topics.get(3));
        if (sender == null || receiver == null) return new Dropped(DropReason.MALFORMED, "indexed address has dirty high bytes");
        @SuppressWarnings("rawtypes")
        List<Type> v = FunctionReturnDecoder.decode(data, HtlcAbi.LOCKED.getNonIndexedParameters());
        if (v.size() != 6) return new Dropped(DropReason.MALFORMED, "Locked data does not decode");
        String token = ((String) v.get(0).getValue()).toLowerCase(Locale.ROOT);
        BigInteger amount = (BigInteger) v.get(1).getValue();
        byte[] hashlock = (byte[]) v.get(2).getValue();
        BigInteger timelock = (BigInteger) v.get(3).getValue();
        String targetChain = (String) v.get(4).getValue();
        String targetAddress = (String) v.get(5).getValue();
        if (amount.signum() <= 0 || amount.compareTo(MAX_AMOUNT) >= 0) {
            return new Dropped(DropReason.BAD_AMOUNT, "amount " + (amount.bitLength() > 64 ? "of " + amount.bitLength() + " bits" : amount));
        }
        if (timelock.signum() <= 0 || timelock.compareTo(BigInteger.valueOf(now + MAX_TIMELOCK_AHEAD_SECONDS)) > 0) {
            return new Dropped(DropReason.BAD_TIMELOCK, "timelock " + (timelock.bitLength() > 62 ? "of " + timelock.bitLength() + " bits" : timelock));
        }
        int chainLen = targetChain.getBytes(StandardCharsets.UTF_8).length;
        int addrLen = targetAddress.getBytes(StandardCharsets.UTF_8).length;
        if (chainLen > MAX_TARGET_BYTES || addrLen > MAX_TARGET_BYTES) {
            return new Dropped(DropReason.OVERSIZED_STRING, "target strings of " + chainLen + "/" + addrLen + " bytes");
        }
        if (!printable(targetChain) || !printable(targetAddress)) {
            return new Dropped(DropReason.MALFORMED, "target strings with control or invalid characters");
        }
        HtlcRecord record = new HtlcRecord(chain, topics.get(1).toLowerCase(Locale.ROOT), sender, receiver, token, amount,
                Hashlock.of(hashlock), timelock.longValueExact(), targetChain, targetAddress, HtlcRecord.Status.OPEN);
        return new Decoded(new ChainEvent.HtlcLocked(origin, record, log.getAddress().toLowerCase(Locale.ROOT)));
    }

    /** Another contract's Locked log (4 well-formed topics) whose receiver is the relayer. */
    private boolean lockForRelayer(String address, List<String> topics) {
        if (relayer == null || address == null || !ADDRESS.matcher(address).matches() || topics == null
                || topics.size() != 4) {
            return false;
        }
        for (String t : topics) {
            if (t == null || !HASH.matcher(t).matches()) return false;
        }
        return topics.get(0).equalsIgnoreCase(HtlcAbi.LOCKED_TOPIC) && relayer.equals(topicAddress(topics.get(3)));
    }

    /** The address in an indexed topic, or null when the 12 high bytes are not zero (not ABI-encoded). */
    private static String topicAddress(String topic) {
        String hex = topic.substring(2).toLowerCase(Locale.ROOT);
        if (!hex.startsWith("000000000000000000000000")) return null;
        return "0x" + hex.substring(24);
    }

    /**
     * A chain-supplied value fit for a log line: short hex as is, anything else only by its length, so a hostile
     * node cannot forge log lines or flood the log through a field that should have been hex.
     */
    public static String printableHex(String s) {
        if (s == null) return "null";
        return s.matches("0x[0-9a-fA-F]{0,64}") ? s : "<" + s.length() + " chars, not hex>";
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\uFFFD') return false;
        }
        return true;
    }
}
