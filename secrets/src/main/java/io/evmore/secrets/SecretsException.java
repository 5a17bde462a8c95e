package io.evmore.secrets;

/**
 * A provider could not give a secret. The message is one line naming the provider and the secret and never holds a
 * value: {@code secrets provider vault (http://127.0.0.1:8200): ethereum-private-key: permission denied (HTTP 403) ...}.
 * No cause is kept when the underlying exception could quote a value.
 */
public final class SecretsException extends RuntimeException {
    /** What went wrong, for tests and for the retry decision. */
    public enum Kind {
        UNREACHABLE(true), DENIED(false), AUTH(false), MALFORMED(false), SEALED(false), THROTTLED(true), UNAVAILABLE(true),
        CONFIG(false);

        final boolean transientByDefault;

        Kind(boolean transientByDefault) {
            this.transientByDefault = transientByDefault;
        }
    }

    private final String provider;
    private final SecretName secret;
    private final Kind kind;
    private final boolean retryable;

    public SecretsException(String provider, SecretName secret, Kind kind, String problem) {
        this(provider, secret, kind, problem, kind.transientByDefault);
    }

    public SecretsException(String provider, SecretName secret, Kind kind, String problem, boolean retryable) {
        super("secrets provider " + provider + ": " + (secret == null ? "" : secret.id() + ": ") + oneLine(problem));
        this.provider = provider;
        this.secret = secret;
        this.kind = kind;
        this.retryable = retryable;
    }

    /** The same failure, no longer retryable (retries were spent). */
    SecretsException exhausted(int attempts) {
        return new SecretsException(provider, secret, kind, problemText() + " (after " + attempts + " attempts)", false);
    }

    private String problemText() {
        String m = getMessage();
        String head = "secrets provider " + provider + ": " + (secret == null ? "" : secret.id() + ": ");
        return m.startsWith(head) ? m.substring(head.length()) : m;
    }

    public String provider() {
        return provider;
    }

    public SecretName secret() {
        return secret;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether trying again after a pause may help (unreachable, throttled, a 5xx). */
    public boolean retryable() {
        return retryable;
    }

    static String oneLine(String s) {
        if (s == null) return "";
        String t = s.replaceAll("[\\r\\n\\t]+", " ").replaceAll(" {2,}", " ").strip();
        return t.length() > 400 ? t.substring(0, 400) + "…" : t;
    }
}
