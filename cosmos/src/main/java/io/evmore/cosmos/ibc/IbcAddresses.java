package io.evmore.cosmos.ibc;

import io.evmore.cosmos.key.Bech32Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Addresses and denoms that IBC middleware derives rather than anyone holding a key (COSMOS_WIRE §6–§8): the
 * packet-forward intermediate receiver on a middle chain, the IBC-hooks intermediary sender on the final chain, and
 * the ICS-20 voucher denom of a trace.
 */
public final class IbcAddresses {
    /** PFM's module name as its source spells it (sic: "fow"). */
    static final String PFM_MODULE = "packetfowardmiddleware";
    static final String HOOKS_MODULE = "ibc-wasm-hook-intermediary";

    private IbcAddresses() {}

    /**
     * Where packet-forward puts the funds on a middle chain, and the sender of the packet it forwards from there:
     * bech32(prefix, sha256(sha256("packetfowardmiddleware") ‖ "{destChannel}/{originalSender}")[:20]).
     *
     * @param destChannel    the channel on the middle chain the packet arrived on
     * @param originalSender the sender of the arriving packet (on the chain it came from)
     */
    public static String pfmIntermediate(String prefix, String destChannel, String originalSender) {
        requireChannel(destChannel);
        requireText(originalSender, "original sender");
        return Bech32Address.of(prefix, Arrays.copyOf(adr028(PFM_MODULE, destChannel + "/" + originalSender), 20)).toString();
    }

    /**
     * The sender the final chain's contract sees for an IBC-hooks execution: bech32(prefix, sha256(sha256(
     * "ibc-wasm-hook-intermediary") ‖ "{localDestChannel}/{originalSender}")), all 32 bytes.
     *
     * @param localDestChannel the channel on the final chain the packet arrived on
     * @param originalSender   the sender of the arriving packet
     */
    public static String hooksIntermediary(String prefix, String localDestChannel, String originalSender) {
        requireChannel(localDestChannel);
        requireText(originalSender, "original sender");
        return Bech32Address.of(prefix, adr028(HOOKS_MODULE, localDestChannel + "/" + originalSender)).toString();
    }

    /** ICS-20 voucher denom of a full trace ({@code transfer/channel-0/uatom}): {@code ibc/} + uppercase hex sha256. */
    public static String voucherDenom(String trace) {
        requireText(trace, "denom trace");
        if (!trace.contains("/")) throw new IllegalArgumentException("denom trace '" + trace + "' has no port/channel prefix");
        return "ibc/" + HexFormat.of().withUpperCase().formatHex(sha256(trace.getBytes(StandardCharsets.UTF_8)));
    }

    /** ADR-028 basic address: sha256(sha256(typ) ‖ key). */
    private static byte[] adr028(String typ, String key) {
        return sha256(sha256(typ.getBytes(StandardCharsets.UTF_8)), key.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) md.update(p);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireChannel(String channel) {
        if (channel == null || !channel.matches("channel-[0-9]{1,18}")) {
            throw new IllegalArgumentException("channel must look like channel-N, got '" + channel + "'");
        }
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException(what + " is missing");
    }
}
