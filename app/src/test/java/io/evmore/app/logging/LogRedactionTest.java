package io.evmore.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogRedactionTest {
    private final PrintStream original = System.out;
    private static final String SECRET = "abandon-secret-mnemonic-words-zoo-9f8e7d";

    @AfterEach
    void restore() {
        System.setOut(original);
        SecretRedactor.forget(SECRET);
        LoggingSetup.configure("info", false);
    }

    private String capture(boolean json) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LoggingSetup.configure("debug", json);
        SecretRedactor.register(SECRET);
        var log = LoggerFactory.getLogger("redaction-test");
        log.info("connecting with key {}", SECRET);
        log.warn("failure", new IllegalStateException("bad key " + SECRET));
        log.info("plain line");
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRegisteredSecretNeverReachesPatternOutput() {
        String out = capture(false);
        assertThat(out).contains("connecting with key ***").contains("plain line").contains("IllegalStateException");
        assertThat(out).doesNotContain(SECRET);
    }

    @Test
    void logLevelIsHonoured() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LoggingSetup.configure("warn", false);
        var log = LoggerFactory.getLogger("level-test");
        log.info("quiet info line");
        log.warn("loud warn line");
        LoggingSetup.setLevel("debug");
        log.debug("debug after reload");
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("loud warn line", "debug after reload").doesNotContain("quiet info line");
    }

    @Test
    void aRegisteredSecretNeverReachesJsonOutput() {
        String out = capture(true);
        assertThat(out).contains("\"level\":\"INFO\"").contains("plain line");
        assertThat(out).doesNotContain(SECRET);
    }
}
