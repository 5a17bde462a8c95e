package io.evmore.app;

import io.evmore.app.config.RelayerConfig;
import io.evmore.app.logging.SecretRedactor;
import io.evmore.store.PostgresUrl;

/**
 * The configuration's secrets as the log redactor must know them before anything can print one: the admin token, the
 * database password, and a password inside the database URL in every form it may be written.
 */
final class ConfigSecrets {
    private ConfigSecrets() {}

    /** Registers every secret of the configuration with the log redactor. */
    static void register(RelayerConfig c) {
        SecretRedactor.register(c.admin().token());
        SecretRedactor.register(c.database().password());
        String url = c.database().url();
        if (url != null && !url.isBlank()) {
            try {
                String password = PostgresUrl.parse(url).password();
                if (password != null) {
                    SecretRedactor.register(password);
                    // The form written in the URL (%40 for @) too: exactly as written (%2b and %2B are both
                    // valid), and as an encoder would write it.
                    SecretRedactor.register(java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8));
                    SecretRedactor.register(writtenPassword(url));
                }
            } catch (IllegalArgumentException e) {
                // The store refuses the URL at open, with a message that names the bad part but not its value.
            }
        }
    }

    /** The password part of the URL's user info as written (still percent-encoded), or null. */
    private static String writtenPassword(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) return null;
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? null : userInfo.substring(colon + 1);
    }
}
