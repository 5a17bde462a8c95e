package io.evmore.core.swap;

import io.evmore.core.util.Hex;
import java.util.Arrays;

/** sha256 of a 32-byte secret. Compared as bytes, never as strings. Hex form: 64 lowercase chars, no 0x. */
public final class Hashlock {
    public static final int LENGTH = 32;
    private final byte[] bytes;

    private Hashlock(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Hashlock of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(
                    "hashlock must be " + LENGTH + " bytes, got " + (bytes == null ? "none" : bytes.length));
        }
        return new Hashlock(bytes.clone());
    }

    /** Accepts 64 hex chars in either case, with or without 0x. */
    public static Hashlock fromHex(String hex) {
        return of(Hex.decode(hex, "hashlock"));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hashlock h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
