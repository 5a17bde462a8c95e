package io.evmore.devnet.crypto;

import org.bitcoinj.base.Bech32;

/** Bech32 (BIP-173, not bech32m) account and contract addresses as the Cosmos SDK writes them. */
public final class Bech32Address {
    private Bech32Address() {}

    public static String encode(String prefix, byte[] bytes) {
        return Bech32.encodeBytes(Bech32.Encoding.BECH32, prefix, bytes);
    }

    /**
     * Decodes {@code address} and checks its prefix and length (20-byte accounts or 32-byte contracts).
     *
     * @throws IllegalArgumentException naming the bad address
     */
    public static byte[] decode(String address, String expectedPrefix) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("empty address string is not allowed");
        }
        Bech32.Bech32Data data;
        try {
            data = Bech32.decode(address);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("decoding bech32 failed: invalid address " + address, e);
        }
        if (data.encoding != Bech32.Encoding.BECH32) {
            throw new IllegalArgumentException("invalid address " + address + ": bech32m is not used by Cosmos");
        }
        if (!data.hrp.equals(expectedPrefix)) {
            throw new IllegalArgumentException("invalid Bech32 prefix; expected " + expectedPrefix + ", got " + data.hrp);
        }
        byte[] bytes;
        try {
            bytes = data.decode5to8();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("decoding bech32 failed: invalid address " + address, e);
        }
        if (bytes.length != 20 && bytes.length != 32) {
            throw new IllegalArgumentException("invalid address " + address + ": length " + bytes.length + " is neither 20 nor 32");
        }
        return bytes;
    }

    public static boolean isValid(String address, String expectedPrefix) {
        try {
            decode(address, expectedPrefix);
            return address.equals(address.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
