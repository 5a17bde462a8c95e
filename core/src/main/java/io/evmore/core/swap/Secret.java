package io.evmore.core.swap;

import io.evmore.core.util.Hex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 32-byte HTLC preimage. Its toString never shows the value: once a swap completes the secret is
 * public on-chain, but before that it is the user's money, so logs must not carry it.
 */
public final class Secret {
    public static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] bytes;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Secret of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(
                    "secret must be " + LENGTH + " bytes, got " + (bytes == null ? "none" : bytes.length));
        }
        return new Secret(bytes.clone());
    }

    public static Secret fromHex(String hex) {
        return of(Hex.decode(hex, "secret"));
    }

    public static Secret random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new Secret(b);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    public Hashlock hashlock() {
        return Hashlock.of(sha256(bytes));
    }

    public boolean opens(Hashlock hashlock) {
        return hashlock().equals(hashlock);
    }

    static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && MessageDigest.isEqual(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
