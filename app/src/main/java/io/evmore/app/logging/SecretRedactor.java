package io.evmore.app.logging;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Known secret values (admin token, keys, mnemonics, database password) registered at start; every log line
 * passes through {@link #redact} before it is written. A safety net under the rule that code never logs a
 * secret in the first place.
 */
public final class SecretRedactor {
    public static final String MARK = "***";
    /** Values shorter than this are not registered: replacing them would mangle ordinary words. */
    static final int MIN_LENGTH = 6;
    private static final Set<String> SECRETS = new CopyOnWriteArraySet<>();

    private SecretRedactor() {}

    public static void register(String secret) {
        if (secret != null && secret.length() >= MIN_LENGTH) {
            SECRETS.add(secret);
            // Mnemonics: also catch each line-wrapped or re-joined form of the phrase.
            String collapsed = secret.trim().replaceAll("\\s+", " ");
            if (!collapsed.equals(secret) && collapsed.length() >= MIN_LENGTH) SECRETS.add(collapsed);
        }
    }

    public static void forget(String secret) {
        SECRETS.remove(secret);
    }

    public static String redact(String text) {
        if (text == null || SECRETS.isEmpty()) return text;
        String out = text;
        for (String s : SECRETS) {
            if (out.contains(s)) out = out.replace(s, MARK);
        }
        return out;
    }
}
