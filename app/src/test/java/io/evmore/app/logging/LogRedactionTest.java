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
    void debugLevelKeepsTheJdksProcessStartTracesOut() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LoggingSetup.configure("debug", false);
        LoggerFactory.getLogger("level-test").debug("debug is on");
        // the JDK logs a child's start through System.Logger "java.lang.ProcessBuilder" (bridged to logback here)
        Process p = new ProcessBuilder("true", "not-for-logs-42").start();
        assertThat(p.waitFor()).isZero();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("debug is on").doesNotContain("not-for-logs-42").doesNotContain("ProcessBuilder.start()");
    }

    @Test
    void jsonLinesCarryTheFormattedMessageAndIncreasingSequenceNumbers() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LoggingSetup.configure("info", true);
        var log = LoggerFactory.getLogger("json-test");
        log.info("swap {} reached {}", "s-1", "CLAIMED");
        log.info("second line");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var lines = buf.toString(StandardCharsets.UTF_8).lines().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + l, e);
            }
        }).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("formattedMessage").asText()).isEqualTo("swap s-1 reached CLAIMED");
        assertThat(lines.get(0).has("arguments")).isFalse();
        assertThat(lines.get(0).toString()).doesNotContain("swap {} reached {}");
        long first = lines.get(0).get("sequenceNumber").asLong();
        assertThat(first).isPositive();
        assertThat(lines.get(1).get("sequenceNumber").asLong()).isGreaterThan(first);
    }

    @Test
    void aSecretWithJsonSpecialCharactersIsRedactedBeforeEncoding() {
        String secret = "db-pa\"ss/wo\\rd-77";
        String escaped = secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LoggingSetup.configure("info", true);
        SecretRedactor.register(secret);
        try {
            var log = LoggerFactory.getLogger("json-secret-test");
            log.info("connecting with password {}", secret);
            log.warn("failure", new IllegalStateException("auth failed for " + secret, new RuntimeException("cause " + secret)));
            String out = buf.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("connecting with password ***", "auth failed for ***", "cause ***");
            assertThat(out).doesNotContain(secret).doesNotContain(escaped).doesNotContain("wo\\\\rd-77");
        } finally {
            SecretRedactor.forget(secret);
        }
    }

    @Test
    void aRegisteredSecretNeverReachesJsonOutput() {
        String out = capture(true);
        assertThat(out).contains("\"level\":\"INFO\"").contains("plain line");
        assertThat(out).doesNotContain(SECRET);
    }
}
