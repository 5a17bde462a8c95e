package io.evmore.cosmos.key;

import java.util.Arrays;
import java.util.HexFormat;
import org.bitcoinj.base.Bech32;
import org.bitcoinj.base.exceptions.AddressFormatException;

/**
 * A Cosmos bech32 address: a human-readable prefix and 20 (account) or 32 (contract, module-derived) bytes.
 * Only the original bech32 checksum is accepted (Cosmos never uses bech32m).
 */
public final class Bech32Address {
    private final String prefix;
    private final byte[] bytes;
    private final String text;

    private Bech32Address(String prefix, byte[] bytes) {
        this.prefix = prefix;
        this.bytes = bytes;
        this.text = Bech32.encodeBytes(Bech32.Encoding.BECH32, prefix, bytes);
    }

    /** Encodes {@code bytes} (20 or 32 bytes) under {@code prefix}. */
    public static Bech32Address of(String prefix, byte[] bytes) {
        checkPrefix(prefix);
        if (bytes == null || (bytes.length != 20 && bytes.length != 32)) {
            throw new IllegalArgumentException("address must be 20 or 32 bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
        return new Bech32Address(prefix, bytes.clone());
    }

    /** Parses any Cosmos address; the error names the bad input. */
    public static Bech32Address parse(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("bech32 address is missing");
        }
        if (address.length() > 90) {
            throw new IllegalArgumentException("bech32 address is too long (" + address.length() + " chars): "
                    + abbreviate(address));
        }
        Bech32.Bech32Data data;
        try {
            data = Bech32.decode(address);
        } catch (IllegalArgumentException e) { // includes AddressFormatException
            throw new IllegalArgumentException("invalid bech32 address '" + abbreviate(address) + "': "
                    + e.getMessage(), e);
        }
        if (data.encoding != Bech32.Encoding.BECH32) {
            throw new IllegalArgumentException("invalid bech32 address '" + address + "': bech32m checksum");
        }
        byte[] raw;
        try {
            raw = data.decode5to8();
        } catch (AddressFormatException e) {
            throw new IllegalArgumentException("invalid bech32 address '" + address + "': bad padding", e);
        }
        if (raw.length != 20 && raw.length != 32) {
            throw new IllegalArgumentException("invalid bech32 address '" + address + "': payload is "
                    + raw.length + " bytes, expected 20 or 32");
        }
        return new Bech32Address(data.hrp, raw);
    }

    /** Parses and also requires the given prefix. */
    public static Bech32Address parse(String address, String expectedPrefix) {
        Bech32Address a = parse(address);
        if (!a.prefix.equals(expectedPrefix)) {
            throw new IllegalArgumentException("address '" + address + "' has prefix '" + a.prefix
                    + "', expected '" + expectedPrefix + "'");
        }
        return a;
    }

    public static boolean isValid(String address, String expectedPrefix) {
        try {
            parse(address, expectedPrefix);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The same bytes under another prefix (the same key's address on another chain). */
    public Bech32Address withPrefix(String otherPrefix) {
        return of(otherPrefix, bytes);
    }

    public String prefix() {
        return prefix;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    private static void checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > 83) {
            throw new IllegalArgumentException("bech32 prefix must be 1 to 83 characters, got '" + prefix + "'");
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c < 33 || c > 126 || Character.isUpperCase(c)) {
                throw new IllegalArgumentException("bech32 prefix '" + prefix + "' has an invalid character at " + i);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bech32Address a && a.prefix.equals(prefix) && Arrays.equals(a.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
