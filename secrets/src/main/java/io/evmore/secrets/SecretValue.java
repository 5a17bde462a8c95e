package io.evmore.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A secret's value. {@link #toString()} never shows it (records and log lines that hold one print {@code ***});
 * {@link #reveal()} is the one way out, for the code that hands it to a signer or a database driver.
 */
public final class SecretValue {
    private final String value;
    private final byte[] digest;

    private SecretValue(String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /** A value as read from a provider, without surrounding whitespace (files and CLIs add a newline). */
    public static SecretValue of(String raw) {
        if (raw == null) throw new IllegalArgumentException("secret value is null");
        return new SecretValue(raw.strip());
    }

    public String reveal() {
        return value;
    }

    public boolean isBlank() {
        return value.isBlank();
    }

    /** Whether both hold the same value (constant-time comparison of their digests). */
    public boolean sameAs(SecretValue other) {
        return other != null && MessageDigest.isEqual(digest, other.digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretValue v && sameAs(v);
    }

    @Override
    public int hashCode() {
        return digest[0] << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
    }

    @Override
    public String toString() {
        return "***";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
