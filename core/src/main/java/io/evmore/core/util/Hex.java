package io.evmore.core.util;

import java.util.HexFormat;

/** Hex helpers with input validation that names what was wrong. */
public final class Hex {
    private static final HexFormat LOWER = HexFormat.of();

    private Hex() {}

    /** Lowercase hex, no 0x prefix. */
    public static String encode(byte[] bytes) {
        return LOWER.formatHex(bytes);
    }

    /**
     * Decodes hex with or without a 0x prefix, in either case.
     *
     * @param what names the value in the error message (e.g. "hashlock")
     */
    public static byte[] decode(String hex, String what) {
        if (hex == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        String s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        if (s.length() % 2 != 0) {
            throw new IllegalArgumentException(what + " has an odd number of hex digits (" + s.length() + ")");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                throw new IllegalArgumentException(what + " is not hex: bad character at position " + i);
            }
        }
        return LOWER.parseHex(s);
    }
}
