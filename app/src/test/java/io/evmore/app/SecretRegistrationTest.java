package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.logging.SecretRedactor;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The database password in DATABASE_URL reaches no log line, in any form a driver or a person may print. */
class SecretRegistrationTest {
    // written with lowercase escapes and an escaped '~', which java.net.URLEncoder would write as %2B and %7E
    private static final String WRITTEN = "p%40ss%2bw0rd%7e";
    private static final String DECODED = "p@ss+w0rd~";
    private static final String ENCODER_FORM = "p%40ss%2Bw0rd%7E";

    @AfterEach
    void forget() {
        SecretRedactor.forget(WRITTEN);
        SecretRedactor.forget(DECODED);
        SecretRedactor.forget(ENCODER_FORM);
    }

    @Test
    void percentEncodedDatabasePasswordIsRedactedAsWrittenDecodedAndReEncoded() {
        RelayerConfig c = ConfigLoader.fromYaml("environment: test\n",
                Map.of("DATABASE_URL", "postgresql://evmore:" + WRITTEN + "@db.example:5432/evmore"));
        String line = "connect postgresql://evmore:" + WRITTEN + "@db.example:5432/evmore failed: password "
                + DECODED + " (" + ENCODER_FORM + ") rejected";
        assertThat(SecretRedactor.redact(line)).as("before registration").contains(DECODED);

        ConfigSecrets.register(c);

        String redacted = SecretRedactor.redact(line);
        assertThat(redacted).doesNotContain(WRITTEN).doesNotContain(DECODED).doesNotContain(ENCODER_FORM)
                .doesNotContain("w0rd").contains("evmore:***@db.example");
    }
}
