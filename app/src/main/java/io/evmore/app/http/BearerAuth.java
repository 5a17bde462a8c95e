package io.evmore.app.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Supplier;

/**
 * Checks {@code Authorization: Bearer <token>} in constant time: both sides are hashed first so neither the
 * content nor the length of the expected token leaks through timing.
 */
public final class BearerAuth {
    private final Supplier<String> expected;

    public BearerAuth(Supplier<String> expected) {
        this.expected = expected;
    }

    public boolean allows(String authorizationHeader) {
        String token = expected.get();
        if (token == null || token.isEmpty() || authorizationHeader == null) return false;
        String h = authorizationHeader.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        String presented = h.substring(7).trim();
        return MessageDigest.isEqual(sha256(presented), sha256(token));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
