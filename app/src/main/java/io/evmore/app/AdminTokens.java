package io.evmore.app;

import io.evmore.app.config.RelayerConfig;
import io.evmore.app.logging.SecretRedactor;
import io.evmore.app.ops.AdminToken;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one admin token that is valid, where it came from, and its change on a configuration reload. */
final class AdminTokens {
    private static final Logger log = LoggerFactory.getLogger(RelayerApp.class);

    /** Resolving runs apart from the app's other synchronized changes (a secrets refresh). */
    private final Object monitor;
    private volatile String token;
    /** Where {@link #token} came from, for the log and the reload answer (never the token itself). */
    private volatile String source;
    /** The configured admin.token the current token was resolved from ("" when generated). */
    private volatile String configured;

    AdminTokens(Object monitor) {
        this.monitor = monitor;
    }

    /** The valid token, or null before one is known. */
    String token() {
        return token;
    }

    String source() {
        return source;
    }

    /** A configured token, known at start before any file is touched. */
    void useConfigured(String configuredToken) {
        token = configuredToken;
        SecretRedactor.register(token);
    }

    /** Resolves the token of {@code c} (see {@link #resolveLocked}); the previous one stops working here. */
    void resolve(RelayerConfig c) {
        String resolved;
        synchronized (monitor) {
            resolved = resolveLocked(c);
        }
        token = resolved;
    }

    /** After a reload: a changed admin.token replaces the valid one (configured or generated). */
    void reloaded(RelayerConfig next) {
        String t = next.admin().token() == null ? "" : next.admin().token();
        if (!t.equals(configured)) resolve(next);
    }

    /**
     * Exactly one admin token is valid: the configured one (file or ADMIN_TOKEN), else a fresh one generated into
     * {@code data/admin.token}. A generated file that no longer holds the valid token is removed, so the admin CLI
     * never picks up a dead one.
     */
    private String resolveLocked(RelayerConfig c) {
        String token = c.admin().token() == null ? "" : c.admin().token();
        Path file = RelayerApp.adminTokenFile(c);
        configured = token;
        if (!token.isBlank()) {
            SecretRedactor.register(token);
            AdminToken.removeGenerated(file);
            String env = System.getenv("ADMIN_TOKEN");
            source = env != null && !env.isBlank() ? "environment (ADMIN_TOKEN)" : "config file (admin.token)";
            log.info("admin token: from the {}", source);
            return token;
        }
        // Validation already refused production without a token.
        String generated = AdminToken.generateInto(file);
        SecretRedactor.register(generated);
        source = "generated file " + file;
        log.warn("no admin token configured (ADMIN_TOKEN); generated one in {} (owner-only); the admin CLI reads it from there", file);
        return generated;
    }
}
