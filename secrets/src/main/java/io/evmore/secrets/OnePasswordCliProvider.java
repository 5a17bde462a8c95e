package io.evmore.secrets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Provider {@code onepassword} with a service account: runs the 1Password CLI, {@code op read --no-newline
 * op://<vault>/<name>/<field>}, with OP_SERVICE_ACCOUNT_TOKEN in its environment (never in its arguments). Each name is
 * an item of that title in the vault; {@code field} (default {@code password}) is the field holding the value.
 */
public final class OnePasswordCliProvider implements SecretsProvider {
    public static final String TOKEN_ENV = "OP_SERVICE_ACCOUNT_TOKEN";

    /**
     * @param op      the op executable (a name looked up on PATH, or a path)
     * @param vault   the vault's name, e.g. evmore-production
     * @param field   the field of each item that holds the value
     * @param timeout bound on one op run
     */
    public record Settings(String op, String vault, String field, Duration timeout) {
        public Settings {
            op = op == null || op.isBlank() ? "op" : op;
            field = field == null || field.isBlank() ? "password" : field;
            timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
        }
    }

    private final Settings s;
    private final Map<String, String> env;
    private final String name;

    /** @param env the environment op runs with (the relayer's own: it carries OP_SERVICE_ACCOUNT_TOKEN) */
    public OnePasswordCliProvider(Settings settings, Map<String, String> env) {
        this.s = settings;
        this.env = Map.copyOf(env);
        this.name = "onepassword (op, vault " + settings.vault() + ")";
    }

    @Override
    public String kind() {
        return "onepassword";
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public String where(SecretName secret) {
        return reference(secret);
    }

    String reference(SecretName secret) {
        return "op://" + s.vault() + "/" + secret.id() + "/" + s.field();
    }

    @Override
    public Optional<Fetched> fetch(SecretName secret) {
        String token = env.get(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new SecretsException(name, secret, SecretsException.Kind.AUTH, TOKEN_ENV + " is not set (the service account's token)");
        }
        String ref = reference(secret);
        ProcessBuilder pb = new ProcessBuilder(List.of(executable(), "read", "--no-newline", ref));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SecretsException(name, secret, SecretsException.Kind.CONFIG, "cannot run the 1Password CLI \"" + s.op()
                    + "\" (" + e.getClass().getSimpleName() + "): install op or set secrets.onepassword.opPath", false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = Thread.ofVirtual().start(() -> drain(p.getInputStream(), out));
        Thread e = Thread.ofVirtual().start(() -> drain(p.getErrorStream(), err));
        try {
            p.getOutputStream().close();
            if (!p.waitFor(s.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "op read " + ref + " gave no answer within "
                        + s.timeout().toSeconds() + " s");
            }
            o.join(2_000);
            e.join(2_000);
        } catch (InterruptedException ie) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "interrupted", false);
        } catch (IOException ignored) {
            // stdin already closed
        }
        if (p.exitValue() == 0) {
            String v = out.toString(StandardCharsets.UTF_8);
            if (v.isBlank()) return Optional.empty();
            return Optional.of(new Fetched(secret, SecretValue.of(v), "onepassword " + ref + " (op)"));
        }
        SecretsException failure = classify(secret, ref, p.exitValue(), err.toString(StandardCharsets.UTF_8));
        if (failure == null) return Optional.empty(); // no such item in the vault
        throw failure;
    }

    /** Maps op's error text ({@code [ERROR] 2024/01/02 03:04:05 ...}) to a failure; null for an unknown item (missing). */
    private SecretsException classify(SecretName secret, String ref, int exit, String stderr) {
        String line = firstErrorLine(stderr);
        String l = line.toLowerCase(Locale.ROOT);
        if (l.contains("isn't an item")) return null;
        if (l.contains("isn't a field")) {
            return new SecretsException(name, secret, SecretsException.Kind.MALFORMED, "item " + secret.id() + " has no field \"" + s.field()
                    + "\" (secrets.onepassword.field): " + line);
        }
        if (l.contains("isn't a vault")) {
            return new SecretsException(name, secret, SecretsException.Kind.CONFIG, "no vault \"" + s.vault()
                    + "\" shared with the service account (secrets.onepassword.vault): " + line);
        }
        if (l.contains("too many requests") || l.contains("rate limit")) {
            return new SecretsException(name, secret, SecretsException.Kind.THROTTLED, "throttled: " + line);
        }
        if (l.contains("signed in") || l.contains("sign in") || l.contains("token") || l.contains("unauthorized") || l.contains("authenticat")) {
            return new SecretsException(name, secret, SecretsException.Kind.AUTH, "op refused " + TOKEN_ENV + ": " + line);
        }
        if (l.contains("forbidden") || l.contains("permission") || l.contains("access denied")) {
            return new SecretsException(name, secret, SecretsException.Kind.DENIED, "access denied: " + line);
        }
        if (l.contains("connection") || l.contains("dial tcp") || l.contains("timeout") || l.contains("no such host")) {
            return new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "op cannot reach 1Password: " + line);
        }
        return new SecretsException(name, secret, SecretsException.Kind.UNAVAILABLE, "op read " + ref + " failed (exit " + exit + "): " + line, false);
    }

    /** {@code op} looked up on the PATH op runs with (ProcessBuilder would search the JVM's own PATH), or the path given. */
    String executable() {
        if (s.op().contains("/")) return s.op();
        String path = env.getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (d.isEmpty()) continue;
            java.nio.file.Path candidate = java.nio.file.Path.of(d, s.op());
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) return candidate.toString();
        }
        return s.op();
    }

    static String firstErrorLine(String stderr) {
        for (String line : stderr.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty()) continue;
            // [ERROR] 2024/01/02 03:04:05 message
            t = t.replaceFirst("^\\[ERROR\\]\\s*\\d{4}/\\d{2}/\\d{2}\\s+\\d{2}:\\d{2}:\\d{2}\\s*", "");
            return SecretsException.oneLine(t.length() > 300 ? t.substring(0, 300) : t);
        }
        return "(no error text)";
    }

    private static void drain(InputStream in, ByteArrayOutputStream to) {
        try (in) {
            in.transferTo(to);
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
